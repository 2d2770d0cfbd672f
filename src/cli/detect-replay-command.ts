import type { Command } from 'commander';
import { parseInstant } from '../config/config-schema.ts';
import { replayDetection } from '../pipeline/detect/replay-detection.ts';
import { chooseOrganization, orgOption } from './choose-organization.ts';
import { CliError } from './cli-error.ts';
import { withServices } from './run-with-services.ts';

/**
 * `frontline detect replay --since <date> [--raise]`: what the detector would have raised over the
 * stored history, from scratch; nothing is written unless --raise.
 */
export function registerDetectReplay(detect: Command): void {
  detect
    .command('replay')
    .description('re-run spike detection over stored history and report what would have fired (writes nothing unless --raise)')
    .requiredOption('--since <date>', 'report episodes opened from this date (YYYY-MM-DD, UTC, or an ISO instant); the weeks before warm the detector up')
    .addOption(orgOption())
    .option('--raise', 'also raise the spikes and intervention items of the episodes found (idempotent: known ones are left alone)')
    .option('--json', 'machine-readable output')
    .action((options: { since: string; org?: string; raise?: boolean; json?: boolean }) =>
      withServices(async (services) => {
        const sinceMs = parseInstant(options.since);
        if (sinceMs === null) throw new CliError(`--since "${options.since}" is not a date: write YYYY-MM-DD (UTC midnight) or an ISO instant such as 2026-01-01T00:00:00Z`, 2);
        if (sinceMs > services.clock.now()) throw new CliError(`--since ${options.since} is in the future: there is no history to replay yet`, 2);
        const organization = await chooseOrganization(services, options.org);
        const report = await replayDetection(services.detect, organization.id, { sinceMs, raise: options.raise === true });
        if (options.json) return void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        const out = (line: string): boolean => process.stdout.write(`${line}\n`);
        out(`${organization.key}: ${report.series} series replayed from ${report.from} to ${report.until}: ${report.episodes.length} episode${report.episodes.length === 1 ? '' : 's'} would have opened`);
        for (const e of report.episodes) {
          out(`  ${e.openedAt.slice(0, 16).replace('T', ' ')} UTC  ${e.explanation}${e.resolvedAt ? `  (resolved ${e.resolvedAt.slice(0, 16).replace('T', ' ')})` : '  (still open)'}`);
        }
        if (report.raised) out(`raised: ${report.raised.raised} new spike(s), ${report.raised.interventions.raised} new intervention item(s), ${report.raised.interventions.joined} joined an item`);
        else if (report.episodes.length > 0) out('nothing was written (add --raise to raise them)');
      }),
    );
}
