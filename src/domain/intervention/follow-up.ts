import { isActive, type InterventionStatus } from './lifecycle.ts';

/**
 * What the detect stage does for an item on each run, decided from its state and the clock:
 * - escalate: nobody acknowledged it within the routing's ackWithin — to the owner's escalation
 *   contact; and when that went unanswered as long, to the sponsors of the measures it threatens;
 * - remind: still unacknowledged a repeat interval after the last notice (Alertmanager's
 *   repeat_interval) — the reminder is an audit record a delivery channel picks up;
 * - agenda: it outlived its due date (the reporting cadence it was due before) — onto the steering
 *   committee's agenda, once;
 * - verify: resolved, every signal back to normal, and it stayed so for verifyAfter;
 * - reopen: resolved, but a signal is still not normal reopenAfter later.
 */
export interface FollowUpItem {
  status: InterventionStatus;
  createdAtMs: number;
  reopenedAtMs: number | null;
  acknowledgedAtMs: number | null;
  resolvedAtMs: number | null;
  dueMs: number;
  escalationLevel: number;
  escalatedAtMs: number | null;
  /** The item threatens measures with sponsors (the second escalation's addressees). */
  measureSponsors: boolean;
  onAgendaAtMs: number | null;
  lastNoticeAtMs: number;
  /** Every linked spike: still open (series not back to normal), and when it resolved. */
  signals: readonly { open: boolean; resolvedAtMs: number | null }[];
}

export interface FollowUpPolicy {
  ackWithinMs: number;
  repeatEveryMs: number;
  verifyAfterMs: number;
  reopenAfterMs: number;
}

/**
 * Reopen after four days: the detector needs a day or two of normal counts to call a moderate
 * shift over (it weighs evidence of normal sequentially), so a quicker reopen would undo fixes that worked.
 */
export const DEFAULT_FOLLOW_UP: FollowUpPolicy = { ackWithinMs: 4 * 3_600_000, repeatEveryMs: 86_400_000, verifyAfterMs: 24 * 3_600_000, reopenAfterMs: 96 * 3_600_000 };

export type FollowUp = 'escalate' | 'remind' | 'agenda' | 'verify' | 'reopen';

export function followUps(item: FollowUpItem, nowMs: number, policy: FollowUpPolicy): FollowUp[] {
  const out: FollowUp[] = [];
  const waitingSince = item.reopenedAtMs ?? item.createdAtMs;
  const unacknowledged = item.status === 'open' || item.status === 'reopened';
  const secondDue = item.escalationLevel === 1 && item.measureSponsors && item.escalatedAtMs !== null && nowMs - item.escalatedAtMs >= policy.ackWithinMs;
  if (unacknowledged && item.escalationLevel === 0 && nowMs - waitingSince >= policy.ackWithinMs) out.push('escalate');
  else if (unacknowledged && secondDue) out.push('escalate');
  else if (unacknowledged && nowMs - item.lastNoticeAtMs >= policy.repeatEveryMs) out.push('remind');
  if (isActive(item.status) && item.onAgendaAtMs === null && nowMs > item.dueMs) out.push('agenda');
  if (item.status === 'resolved' && item.resolvedAtMs !== null) {
    const stillOpen = item.signals.some((s) => s.open);
    const normalSince = Math.max(item.resolvedAtMs, ...item.signals.map((s) => s.resolvedAtMs ?? 0));
    if (!stillOpen && nowMs - normalSince >= policy.verifyAfterMs) out.push('verify');
    else if (stillOpen && nowMs - item.resolvedAtMs >= policy.reopenAfterMs) out.push('reopen');
  }
  return out;
}
