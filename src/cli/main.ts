import { Command, CommanderError } from 'commander';
import { reportError } from './cli-error.ts';
import { registerConfigCommand } from './config-command.ts';
import { registerConnectorsCommand } from './connectors-command.ts';
import { registerDemoCommand } from './demo-command.ts';
import { registerDetectCommand } from './detect-command.ts';
import { registerDetectReplay } from './detect-replay-command.ts';
import { registerInterventionsCommand } from './interventions-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerPrivacyCommand } from './privacy-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerSilencesCommand } from './silences-command.ts';
import { registerSimulateCommand } from './simulate-command.ts';
import { registerTokensCommand } from './tokens-command.ts';

/** `frontline` — thin commands over the same services the API and workers use. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('frontline')
    .description('Frontline: service-desk signals into contact drivers, KPIs and interventions')
    .showHelpAfterError('(run `frontline --help` for the commands)')
    .exitOverride();
  registerMigrateCommand(program);
  registerConfigCommand(program);
  registerConnectorsCommand(program);
  registerTokensCommand(program);
  registerServeCommand(program);
  registerDemoCommand(program);
  registerSimulateCommand(program);
  registerPrivacyCommand(program);
  registerDetectCommand(program, registerDetectReplay);
  registerInterventionsCommand(program);
  registerSilencesCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    process.exit(reportError(error));
  }
}
