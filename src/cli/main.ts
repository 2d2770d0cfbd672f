import { Command, CommanderError } from 'commander';
import { registerMigrateCommand } from './migrate-command.ts';

/** `frontline` — thin commands over the same services the API and workers use. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('frontline')
    .description('Frontline: service-desk signals into contact drivers, KPIs and interventions')
    .showHelpAfterError('(run `frontline --help` for the commands)')
    .exitOverride();
  registerMigrateCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    throw error;
  }
}
