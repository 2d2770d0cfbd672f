import type { Command } from 'commander';
import { runDemo } from '../main/demo/run-demo.ts';
import { ensureServices } from '../main/ensure-services.ts';
import { CliError } from './cli-error.ts';

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
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const num = (name: string, value: unknown, min: number): number => {
        const n = Number(value);
        if (!Number.isFinite(n) || n < min) throw new CliError(`--${name} must be a number ≥ ${min}, got "${String(value)}"`, 2);
        return n;
      };
      await ensureServices();
      await runDemo({
        once: raw['once'] === true,
        tickets: num('tickets', raw['tickets'], 0),
        days: num('days', raw['days'], 1),
        speed: num('speed', raw['speed'], 1),
        port: num('port', raw['port'], 0),
        simulatorPort: num('simulator-port', raw['simulatorPort'], 0),
        seed: num('seed', raw['seed'], 0),
      });
    });
}
