import type pg from 'pg';
import type { SimulatorTruth } from '../../../connectors/zendesk/simulator/index.ts';
import type { ConnectorRecord } from '../../store/connector-repository.ts';
import { driverVolumes } from '../../store/volume-summary-repository.ts';

/** What the demo prints: per-driver volumes from the series, next to the simulator's ground truth. */
export async function printDriverTable(pool: pg.Pool, connector: ConnectorRecord, truth: SimulatorTruth, nowMs: number, out: (line: string) => void): Promise<void> {
  const rows = await driverVolumes(pool, connector.id, nowMs);
  const pct = (a: number, b: number): string => (b === 0 ? '—' : `${a >= b ? '+' : ''}${Math.round((100 * (a - b)) / b)} %`);
  out('');
  out('contact drivers (from the hourly series)          total   last 7 d  prev 7 d   change   simulator truth');
  let matches = 0;
  for (const row of rows) {
    const key = row.driverKey ?? 'unmatched';
    const expected = truth.perDriver[key] ?? 0;
    if (expected === row.total) matches += 1;
    out(
      `  ${key.padEnd(46)} ${String(row.total).padStart(7)} ${String(row.last7).padStart(10)} ${String(row.previous7).padStart(9)} ${pct(row.last7, row.previous7).padStart(8)}   ${expected === row.total ? '✓' : '✗'} ${expected}`,
    );
  }
  out(`${matches} of ${rows.length} driver counts equal the simulator's truth; ${truth.deletedIds.length} deleted tickets kept as tombstones, ${truth.malformedIds.length} malformed ones quarantined`);
  out('');
}

export function printUrls(out: (line: string) => void, urls: { apiUrl: string; simulatorUrl: string; token: string }): void {
  const { apiUrl, simulatorUrl, token } = urls;
  out('');
  out('Frontline is running (API, workers and scheduler in this process). Try:');
  out(`  API docs        ${apiUrl}/docs`);
  out(`  health          ${apiUrl}/healthz   ${apiUrl}/readyz   metrics ${apiUrl}/metrics`);
  out(`  API token       ${token}   (admin, organization acme; shown once)`);
  out(`  connectors      curl -H 'authorization: Bearer ${token}' ${apiUrl}/api/v1/connectors`);
  out(`  drivers         curl -H 'authorization: Bearer ${token}' ${apiUrl}/api/v1/drivers`);
  out(`  SSO series      curl -H 'authorization: Bearer ${token}' '${apiUrl}/api/v1/drivers/series?driver=configuration/sso&bucket=day&from=<ISO>&to=<ISO>'`);
  out(`  simulator truth ${simulatorUrl}/__simulator/truth`);
  out('New tickets keep arriving in the simulator; the scheduler syncs every 15 s. Ctrl-C stops everything.');
  out('');
}
