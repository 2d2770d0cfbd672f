import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createZendeskSimulator } from '../../connectors/zendesk/simulator/index.ts';
import { scaledClock } from '../connector-kit/clock.ts';
import { CliError } from './cli-error.ts';
import { numberOption } from './number-option.ts';

/** `frontline simulate zendesk` — the built-in Zendesk simulator as a standalone server. */
export function registerSimulateCommand(program: Command): void {
  const simulate = program.command('simulate').description('run a built-in service-desk simulator');
  simulate
    .command('zendesk')
    .description('serve a simulated Zendesk account (cursor export, ticket fields, rate limits, OAuth)')
    .option('--port <port>', 'port on 127.0.0.1', '4010')
    .option('--tickets <n>', 'tickets of history', '20000')
    .option('--days <n>', 'days of history', '28')
    .option('--seed <n>', 'random seed (same seed, same account)', '42')
    .option('--scenario <name>', 'steady | release-spike', 'release-spike')
    .option('--speed <x>', 'simulated time runs this many times faster than real time', '1')
    .option('--token <token>', 'API token to accept (default: a random one, printed)')
    .option('--email <email>', 'API-token user', 'demo@acme.example')
    .option('--no-rate-limit', 'disable the rate limits')
    .option('--no-live', 'freeze the account: no new tickets after the history')
    .option('--page-size <n>', 'largest export page', '1000')
    .option('--description-bytes <n>', 'size of every ticket description (0: short built-in texts)', '0')
    .option('--large-share <x>', 'share of tickets whose description is --large-bytes instead', '0')
    .option('--large-bytes <n>', 'size of a large description', '1000000')
    .action(async (options: Record<string, string | boolean>) => {
      // commander stores --page-size as pageSize
      const num = (flag: string): number => numberOption(flag, options[flag.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())]);
      const scenario = options['scenario'];
      if (scenario !== 'steady' && scenario !== 'release-spike') throw new CliError(`--scenario must be steady or release-spike, got "${String(scenario)}"`, 2);
      const token = typeof options['token'] === 'string' ? options['token'] : randomBytes(12).toString('base64url');
      const email = String(options['email']);
      const clock = scaledClock({ epochMs: Date.now(), scale: Math.max(0.001, num('speed')) });
      const simulator = createZendeskSimulator({
        clock, seed: num('seed'), tickets: num('tickets'), historyDays: num('days'), scenario,
        auth: { apiToken: { email, token } },
        pageSize: num('page-size'),
        description: { bytes: num('description-bytes'), largeShare: num('large-share'), largeBytes: num('large-bytes') },
        ...(options['rateLimit'] === false ? { rateLimit: false as const } : {}),
        ...(options['live'] === false ? { live: false as const } : {}),
      });
      const url = await simulator.listen(num('port'));
      process.stdout.write(
        `Zendesk simulator on ${url}\n  auth: API token — email ${email}, token ${token}\n` +
          `  export: ${url}/api/v2/incremental/tickets/cursor.json?start_time=0\n  truth: ${url}/__simulator/truth\n  stats: ${url}/__simulator/stats\n` +
          `Point a connector at it with baseUrl: ${url} and allowInsecureBaseUrl: true. Ctrl-C stops it.\n`,
      );
      const stop = (): void => void simulator.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
