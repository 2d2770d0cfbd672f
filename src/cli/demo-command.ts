import type { Command } from 'commander';
import { runDemo } from '../main/demo/run-demo.ts';
import { ensureServices } from '../main/ensure-services.ts';
import { CliError } from './cli-error.ts';
import { numberOption } from './number-option.ts';

/** `frontline demo` — the main job a newcomer runs (README's first command). */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run Frontline on the built-in Zendesk simulator: back-fill with a progress bar, then live')
    .option('--once', 'exit after the back-fill and the driver summary')
    .option('--tickets <n>', 'tickets of simulated history', '60000')
    .option('--days <n>', 'days of simulated history', '28')
    .option('--speed <x>', 'the simulated clock runs this many times faster than real time', '60')
    .option('--port <port>', 'API port', '3000')
    .option('--simulator-port <port>', 'simulator port', '4010')
    .option('--seed <n>', 'simulator seed', '42')
    .option('--verbose', "show the service's log at info level (default: warnings and errors only; LOG_LEVEL sets any level)")
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      if (!(await ensureServices())) {
        throw new CliError('The demo needs PostgreSQL and Redis: run what is printed above, then `npm run demo` again.', 3);
      }
      await runDemo({
        once: raw['once'] === true,
        tickets: numberOption('tickets', raw['tickets'], 0),
        days: numberOption('days', raw['days'], 1),
        speed: numberOption('speed', raw['speed'], 1),
        port: numberOption('port', raw['port'], 0),
        simulatorPort: numberOption('simulator-port', raw['simulatorPort'], 0),
        seed: numberOption('seed', raw['seed'], 0),
        verbose: raw['verbose'] === true,
      });
    });
}
