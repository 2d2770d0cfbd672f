import type pg from 'pg';
import type { FailureClass } from '../domain/sync/failure-class.ts';
import { inTransaction } from './transaction.ts';

/**
 * The sync-run ledger (README "Guarantees": one run per stream) and stream ownership. Taking a stream bumps its
 * fencing token, so a run that lost the stream (its worker stalled and the job was handed to another
 * worker) has its next page refused instead of interleaving with the new run.
 */
export type SyncMode = 'incremental' | 'backfill';

export interface StartedRun {
  runId: bigint;
  fencingToken: bigint;
  cursor: string | null;
  /** Runs of the same stream left `running` by a dead worker, now marked cancelled. */
  abandonedRuns: number;
}

export interface BeginRunInput {
  organizationId: string;
  connectorId: string;
  stream: string;
  mode: SyncMode;
  jobId: string | null;
  sinceAt: Date | null;
  /**
   * Back-fills: start over from `sinceAt` if the stream's last run completed; a back-fill that was
   * interrupted resumes from its cursor instead.
   */
  restartIfComplete: boolean;
  /** How long a silent running run still counts as alive (heartbeat per page). */
  staleAfterMs?: number;
}

/** Another live run owns the stream: a scheduled sync skips, a back-fill retries later. */
export class StreamBusyError extends Error {
  override readonly name = 'StreamBusyError';
  readonly runId: string;
  readonly startedAt: Date;
  constructor(runId: string, startedAt: Date) {
    super(`a sync of this stream is already running (run ${runId}, started ${startedAt.toISOString()})`);
    this.runId = runId;
    this.startedAt = startedAt;
  }
}

/** A running run whose last heartbeat is older than this is treated as abandoned by a dead worker. */
export const DEFAULT_STALE_RUN_MS = 10 * 60 * 1000;
/** How often a live run writes its heartbeat between pages: well inside the takeover threshold. */
export const DEFAULT_HEARTBEAT_MS = DEFAULT_STALE_RUN_MS / 10;

/**
 * Keeps a running run's heartbeat fresh on a timer (real time, like the threshold it is read
 * against), so a run that waits on a rate limit or a slow page is never taken for dead. Returns stop.
 */
export function startHeartbeat(pool: pg.Pool, runId: bigint, everyMs: number, onError: (error: Error) => void): () => void {
  const timer = setInterval(() => {
    pool
      .query("UPDATE sync_runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'", [runId.toString()])
      .catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function beginRun(pool: pg.Pool, input: BeginRunInput): Promise<StartedRun> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [input.connectorId, input.stream]);
    const live = await client.query<{ id: string; started_at: Date }>(
      `SELECT id::text, started_at FROM sync_runs
       WHERE connector_id = $1 AND stream = $2 AND status = 'running'
         AND heartbeat_at > now() - make_interval(secs => $3::double precision / 1000)
         -- The same queue job may take over its own earlier attempt (a stalled job handed back); runs
         -- without a job (the CLI) never take a live run's stream.
         AND ($4::text IS NULL OR job_id IS DISTINCT FROM $4::text) ORDER BY id DESC LIMIT 1`,
      [input.connectorId, input.stream, input.staleAfterMs ?? DEFAULT_STALE_RUN_MS, input.jobId],
    );
    const busy = live.rows[0];
    if (busy) throw new StreamBusyError(busy.id, busy.started_at);
    const state = await client.query<{ fencing_token: string; cursor: string | null }>(
      `INSERT INTO sync_states (connector_id, stream, fencing_token) VALUES ($1, $2, 1)
       ON CONFLICT (connector_id, stream) DO UPDATE SET fencing_token = sync_states.fencing_token + 1,
         cursor = CASE WHEN $3::boolean AND (
           SELECT r.status FROM sync_runs r WHERE r.connector_id = $1 AND r.stream = $2 ORDER BY r.started_at DESC, r.id DESC LIMIT 1
         ) = 'succeeded' THEN NULL ELSE sync_states.cursor END
       RETURNING fencing_token::text, cursor`,
      [input.connectorId, input.stream, input.restartIfComplete],
    );
    const row = state.rows[0];
    if (!row) throw new Error('sync_states upsert returned no row');
    const abandoned = await client.query(
      `UPDATE sync_runs SET status = 'cancelled', finished_at = now(), error_class = 'transient',
         error_code = 'RUN_ABANDONED', error_message = 'worker stopped before the run finished; a newer run took over'
       WHERE connector_id = $1 AND stream = $2 AND status = 'running'`,
      [input.connectorId, input.stream],
    );
    const run = await client.query<{ id: string }>(
      `INSERT INTO sync_runs (organization_id, connector_id, stream, mode, job_id, fencing_token, cursor_before, since_at, heartbeat_at)
       VALUES ($1, $2, $3, $4::"SyncMode", $5, $6::bigint, $7, $8, now()) RETURNING id::text`,
      [input.organizationId, input.connectorId, input.stream, input.mode, input.jobId, row.fencing_token, row.cursor, input.sinceAt],
    );
    return {
      runId: BigInt(run.rows[0]?.id ?? '0'),
      fencingToken: BigInt(row.fencing_token),
      cursor: row.cursor,
      abandonedRuns: abandoned.rowCount ?? 0,
    };
  });
}

export interface RunEnd {
  runId: bigint;
  connectorId: string;
  stream: string;
  fencingToken: bigint;
  status: 'succeeded' | 'failed' | 'cancelled';
  rateBudget: unknown;
  error?: { failure: FailureClass; code: string; message: string };
  /** Record the error as the stream's last error too (default); not for a run paused on a rate limit. */
  streamError?: boolean;
}

/** Closes the run and, if this run still owns the stream, records health on the stream's state. */
export async function finishRun(pool: pg.Pool, end: RunEnd): Promise<void> {
  const error = end.streamError === false ? undefined : end.error;
  await pool.query(
    `UPDATE sync_runs SET status = $2::"SyncRunStatus", finished_at = now(), error_class = $3::"FailureClass",
       error_code = $4, error_message = $5 WHERE id = $1`,
    [end.runId.toString(), end.status, end.error?.failure ?? null, end.error?.code ?? null, end.error?.message ?? null],
  );
  await pool.query(
    `UPDATE sync_states SET rate_budget = COALESCE($4::jsonb, rate_budget),
       last_success_at = CASE WHEN $5 = 'succeeded' THEN now() ELSE last_success_at END,
       last_error_at = CASE WHEN $6::text IS NOT NULL THEN now() ELSE last_error_at END,
       last_error_class = CASE WHEN $5 = 'succeeded' THEN NULL WHEN $6::text IS NOT NULL THEN $6::"FailureClass" ELSE last_error_class END,
       last_error = CASE WHEN $5 = 'succeeded' THEN NULL WHEN $7::text IS NOT NULL THEN $7 ELSE last_error END
     WHERE connector_id = $1 AND stream = $2 AND fencing_token = $3::bigint`,
    [
      end.connectorId, end.stream, end.fencingToken.toString(), end.rateBudget === undefined ? null : JSON.stringify(end.rateBudget),
      end.status, error?.failure ?? null, error?.message ?? null,
    ],
  );
}
