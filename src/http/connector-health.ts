import type { FailureClass } from '../domain/sync/failure-class.ts';

/**
 * Connector health for ops, derived (never stored) from the run ledger and the sync state. Pure.
 *
 * - `never_synced`: no run has succeeded yet and none has failed (e.g. the first back-fill is running).
 * - `failing`: a human must act — the last finished run failed with a `config` or `system` error,
 *   the last 3 finished runs all failed, no success ever but failures, or no success for
 *   max(12 × schedule, 1 h).
 * - `degraded`: the last finished run failed with a transient error, or no success for
 *   max(3 × schedule, 15 min).
 * - `ok` otherwise. A disabled connector is not judged on staleness.
 */
export type ConnectorHealth = 'ok' | 'degraded' | 'failing' | 'never_synced';
export const connectorHealthValues = ['ok', 'degraded', 'failing', 'never_synced'] as const satisfies readonly ConnectorHealth[];

export interface HealthRun {
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  finishedAt: Date | null;
  errorClass: FailureClass | null;
  errorCode: string | null;
}

export interface HealthInput {
  /** Newest first. */
  runs: readonly HealthRun[];
  lastSuccessAt: Date | null;
  syncEverySeconds: number;
  enabled: boolean;
  nowMs: number;
}

export interface HealthVerdict {
  health: ConnectorHealth;
  reason: string | null;
}

const FAILURES_BEFORE_FAILING = 3;

export function deriveHealth(input: HealthInput): HealthVerdict {
  const finished = input.runs.filter((r) => r.status === 'succeeded' || r.status === 'failed');
  const lastSuccessMs = latestSuccessMs(input);
  const last = finished[0];
  if (lastSuccessMs === null) {
    if (!last) return { health: 'never_synced', reason: null };
    return { health: 'failing', reason: `never synced successfully; last run failed${describe(last)}` };
  }
  if (last?.status === 'failed') {
    if (last.errorClass === 'config' || last.errorClass === 'system') {
      return { health: 'failing', reason: `last run failed${describe(last)}` };
    }
    const streak = consecutiveFailures(finished);
    if (streak >= FAILURES_BEFORE_FAILING) return { health: 'failing', reason: `last ${streak} runs failed${describe(last)}` };
  }
  if (input.enabled) {
    const sinceSuccessS = Math.max(0, Math.floor((input.nowMs - lastSuccessMs) / 1000));
    const every = Math.max(1, input.syncEverySeconds);
    if (sinceSuccessS > Math.max(12 * every, 3600)) return { health: 'failing', reason: `no successful sync for ${humanDuration(sinceSuccessS)}` };
    if (last?.status === 'failed') return { health: 'degraded', reason: `last run failed${describe(last)}` };
    if (sinceSuccessS > Math.max(3 * every, 900)) return { health: 'degraded', reason: `no successful sync for ${humanDuration(sinceSuccessS)}` };
  } else if (last?.status === 'failed') {
    return { health: 'degraded', reason: `last run failed${describe(last)}` };
  }
  return { health: 'ok', reason: null };
}

function latestSuccessMs(input: HealthInput): number | null {
  const fromRuns = input.runs.find((r) => r.status === 'succeeded')?.finishedAt?.getTime() ?? null;
  const fromState = input.lastSuccessAt?.getTime() ?? null;
  if (fromRuns === null) return fromState;
  return fromState === null ? fromRuns : Math.max(fromRuns, fromState);
}

function consecutiveFailures(finished: readonly HealthRun[]): number {
  const index = finished.findIndex((r) => r.status !== 'failed');
  return index === -1 ? finished.length : index;
}

function describe(run: HealthRun): string {
  const parts = [run.errorClass, run.errorCode].filter((p): p is NonNullable<typeof p> => p !== null);
  return parts.length ? ` (${parts.join(' ')})` : '';
}

export function humanDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}
