import type pg from 'pg';
import type { SimulatorTruth, ZendeskSimulator } from '../../../connectors/zendesk/simulator/index.ts';
import type { ConnectorRecord } from '../../store/connector-repository.ts';
import { driverVolumes } from '../../store/volume-summary-repository.ts';

/**
 * What the store holds of the demo connector's ticket stream, read in one statement (one snapshot).
 * After a complete sync it is exactly the simulator's truth as of `highWaterMs`: the export serves each
 * ticket at its latest change up to its cutoff (connectors/zendesk/simulator/export-stream.ts), the last
 * page ends the stream there, and the newest change stored is the last change before that cutoff.
 * Tickets the simulator creates later are not in the store yet, so "now" is not comparable.
 */
export interface StoredState {
  /** sync_states.source_high_water: the newest source change stored (src/store/ticket-page-writer.ts). */
  highWaterMs: number | null;
  live: number;
  deleted: number;
  quarantined: number;
  /**
   * Whether the newest run that stored pages has finished. In the middle of a run the store is not the
   * source as of one instant: a ticket whose later change is on a page still to come is missing.
   */
  complete: boolean;
}

const STORED_STATE = `SELECT
    (SELECT source_high_water FROM sync_states WHERE connector_id = $1 AND stream = $2) AS high_water,
    (SELECT count(*) FROM tickets WHERE connector_id = $1 AND deleted_at IS NULL)::int AS live,
    (SELECT count(*) FROM tickets WHERE connector_id = $1 AND deleted_at IS NOT NULL)::int AS deleted,
    (SELECT count(DISTINCT native_id) FROM quarantined_records WHERE connector_id = $1 AND stream = $2 AND resolved_at IS NULL)::int AS quarantined,
    coalesce((SELECT status = 'succeeded' FROM sync_runs WHERE connector_id = $1 AND stream = $2 AND pages > 0 ORDER BY id DESC LIMIT 1), true) AS complete`;

export async function storedState(pool: pg.Pool, connectorId: string, stream = 'tickets'): Promise<StoredState> {
  const result = await pool.query<{ high_water: Date | null; live: number; deleted: number; quarantined: number; complete: boolean }>(STORED_STATE, [connectorId, stream]);
  const row = result.rows[0];
  return {
    highWaterMs: row?.high_water ? row.high_water.getTime() : null,
    live: row?.live ?? 0,
    deleted: row?.deleted ?? 0,
    quarantined: row?.quarantined ?? 0,
    complete: row?.complete ?? true,
  };
}

/** The simulator's truth as of the newest change stored: what a complete sync must equal. */
export function truthAsStored(simulator: ZendeskSimulator, stored: StoredState): SimulatorTruth {
  return simulator.truth(stored.highWaterMs ?? 0);
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC) of a simulated instant. */
export const simulatedTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** What the demo prints: per-driver volumes from the series, next to the simulator's ground truth as stored. */
export async function printDriverTable(
  pool: pg.Pool, connector: ConnectorRecord, simulator: ZendeskSimulator, nowMs: number, out: (line: string) => void,
): Promise<void> {
  const stored = await storedState(pool, connector.id);
  const truth = truthAsStored(simulator, stored);
  const rows = await driverVolumes(pool, connector.id, nowMs);
  const pct = (a: number, b: number): string => (b === 0 ? '—' : `${a >= b ? '+' : ''}${Math.round((100 * (a - b)) / b)} %`);
  const check = (equal: boolean): string => (equal ? '✓' : '✗');
  out('');
  out('contact drivers (from the hourly series)          total   last 7 d  prev 7 d   change   simulator truth');
  let matches = 0;
  for (const row of rows) {
    const key = row.driverKey ?? 'unmatched';
    const expected = truth.perDriver[key] ?? 0;
    if (expected === row.total) matches += 1;
    out(
      `  ${key.padEnd(46)} ${String(row.total).padStart(7)} ${String(row.last7).padStart(10)} ${String(row.previous7).padStart(9)} ${pct(row.last7, row.previous7).padStart(8)}   ${check(expected === row.total)} ${expected}`,
    );
  }
  const asOf = stored.highWaterMs === null ? 'before its first ticket' : `as of ${simulatedTime(stored.highWaterMs)} (simulated), the newest change stored`;
  out(`${matches} of ${rows.length} driver counts equal the simulator's truth ${asOf}${stored.complete ? '' : ' — but a sync is still storing pages'}`);
  out(
    `deleted tickets kept as tombstones: ${stored.deleted} ${check(stored.deleted === truth.deletedIds.length)}; malformed records quarantined with their reason: ${stored.quarantined} ${check(stored.quarantined === truth.malformedIds.length)}`,
  );
  const since = simulator.truth().total - truth.total;
  if (since > 0) out(`(since then the simulator has created ${since} more ticket${since === 1 ? ': the next sync fetches it' : 's: the next sync fetches them'})`);
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
  out(`  simulator truth ${simulatorUrl}/__simulator/truth?asOf=<epoch ms>   (default: now − 60 s, the export's cutoff)`);
  out('New tickets keep arriving in the simulator; the scheduler syncs every 15 s. Ctrl-C stops everything.');
  out('');
}
