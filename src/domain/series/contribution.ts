import { hourOf } from './calendar-buckets.ts';

/**
 * The one rule of series arithmetic: what a ticket contributes to the driver volume series, and how a
 * change moves it.
 *
 * A ticket that is not deleted counts +1 in the series of its driver (or the unmatched series when no
 * rule matched) at the UTC hour its source created it in; a deleted ticket counts nowhere. Every
 * ticket's recorded contribution is stored beside its classification (`ticket_classifications
 * .counted_driver / counted_bucket`), and a change moves exactly that: −1 where it was counted, +1
 * where it belongs now, in the transaction that records the new contribution. Nothing is incremented
 * blindly, so a replayed batch finds the contribution in place and writes nothing.
 *
 * Two writers apply the rule: the derive stage through `planDerive` (plan-derive.ts), and, for pages
 * classified at ingest, the page transaction's SQL (src/store/ticket-page-sql.ts MERGE, the fast path
 * a back-fill needs). test/store/contribution-equivalence.test.ts pins them to this module.
 */
export interface Contribution {
  /** null = counted as unmatched. */
  driverKey: string | null;
  bucketStartMs: number;
}

export interface SeriesDelta {
  driverKey: string | null;
  bucketStartMs: number;
  delta: number;
}

/**
 * The hour a ticket is counted in. In SQL: `date_bin('1 hour', source_created_at, '2000-01-01 00:00:00+00')`
 * (UTC hours; the origin is on an hour).
 */
export const contributionBucket = (createdAtIso: string): number => hourOf(Date.parse(createdAtIso));

/** What a ticket in this state contributes, or null when it counts nowhere. */
export const contributionOf = (state: { deleted: boolean; driverKey: string | null; createdAt: string }): Contribution | null =>
  state.deleted ? null : { driverKey: state.driverKey, bucketStartMs: contributionBucket(state.createdAt) };

export const sameContribution = (a: Contribution | null, b: Contribution | null): boolean =>
  a === b || (a !== null && b !== null && a.driverKey === b.driverKey && a.bucketStartMs === b.bucketStartMs);

/**
 * Net moves of a set of contribution changes, per (driver, hour); zero nets are dropped. Order of the
 * result: first appearance.
 */
export class ContributionMoves {
  private readonly net = new Map<string, SeriesDelta>();

  /** Records the move from `was` to `now` (nothing when they are the same). */
  move(was: Contribution | null, now: Contribution | null): void {
    if (sameContribution(was, now)) return;
    if (was) this.add(was, -1);
    if (now) this.add(now, +1);
  }

  deltas(): SeriesDelta[] {
    return [...this.net.values()].filter((d) => d.delta !== 0);
  }

  private add(c: Contribution, delta: number): void {
    const id = `${c.driverKey ?? ''}@${c.bucketStartMs}`;
    const entry = this.net.get(id) ?? { driverKey: c.driverKey, bucketStartMs: c.bucketStartMs, delta: 0 };
    entry.delta += delta;
    this.net.set(id, entry);
  }
}

/** The series a set of ticket states adds up to (a from-scratch recount, for checks and tests). */
export function countContributions(states: Iterable<{ deleted: boolean; driverKey: string | null; createdAt: string }>): SeriesDelta[] {
  const moves = new ContributionMoves();
  for (const state of states) moves.move(null, contributionOf(state));
  return moves.deltas();
}
