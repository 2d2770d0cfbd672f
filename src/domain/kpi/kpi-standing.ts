import { betterThanTargetBy, type KpiBand, kpiBand, type KpiGoal } from './kpi-band.ts';

/**
 * Where a KPI stands against its goal, from its series' buckets: the last complete bucket (its value,
 * band and distance to target), the bucket still running, and — for a reporting period — how many of
 * the period's complete buckets stood in each band. A bucket belongs to the period it starts in.
 * Pure: the store reads the buckets (src/store/kpi-standing-query.ts).
 */
export interface KpiBucket {
  startMs: number;
  /** Exclusive. */
  endMs: number;
  value: number | null;
}

/** A bucket named as people in the KPI's zone read it (`2026-11-30`, `2026-11-30T14:00`). */
export interface LocalBucket extends KpiBucket {
  local: string;
}

export type BandedBucket<B extends KpiBucket = KpiBucket> = B & { band: KpiBand | null };

export interface BandCounts {
  green: number;
  amber: number;
  red: number;
  /** No value (a rate over no tickets), or no target nor bands to judge it by. */
  none: number;
}

export interface KpiStanding<B extends KpiBucket = KpiBucket> {
  lastComplete: BandedBucket<B> | null;
  current: BandedBucket<B> | null;
  /** Of the last complete bucket; positive is better than target. */
  betterThanTargetBy: number | null;
  /** The complete buckets starting in the period, by band (null without a period). */
  period: (BandCounts & { buckets: number }) | null;
}

/** Roughly how long a bucket is (a local day spans 23–25 h, a week 167–169 h): to size a read, never to place a bucket. */
export const BUCKET_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;

export const emptyBands = (): BandCounts => ({ green: 0, amber: 0, red: 0, none: 0 });

/**
 * `buckets`: ascending, up to the one holding the moment asked about. With a period, the last complete
 * bucket is the period's last (one starting before its end).
 */
export function kpiStanding<B extends KpiBucket>(buckets: readonly B[], goal: KpiGoal, nowMs: number, period?: { fromMs: number; toMs: number }): KpiStanding<B> {
  const banded = (b: B): BandedBucket<B> => ({ ...b, band: kpiBand(b.value, goal) });
  const inView = period === undefined ? buckets : buckets.filter((b) => b.startMs < period.toMs);
  const complete = inView.filter((b) => b.endMs <= nowMs);
  const last = complete[complete.length - 1];
  // A bucket starting right now has not begun to count.
  const running = inView.find((b) => b.startMs < nowMs && nowMs < b.endMs);
  let counts: KpiStanding<B>['period'] = null;
  if (period !== undefined) {
    const bands = emptyBands();
    const within = complete.filter((b) => b.startMs >= period.fromMs);
    for (const b of within) bands[kpiBand(b.value, goal) ?? 'none'] += 1;
    counts = { buckets: within.length, ...bands };
  }
  return {
    lastComplete: last ? banded(last) : null,
    current: running ? banded(running) : null,
    betterThanTargetBy: last ? betterThanTargetBy(last.value, goal) : null,
    period: counts,
  };
}

/** How many KPIs stand in each band by their last complete bucket (a hierarchy node's, a program's). */
export function bandCounts(standings: readonly KpiStanding[]): BandCounts & { kpis: number } {
  const counts = emptyBands();
  for (const s of standings) counts[s.lastComplete?.band ?? 'none'] += 1;
  return { kpis: standings.length, ...counts };
}

const BAND_ORDER: Record<KpiBand | 'none', number> = { red: 0, amber: 1, green: 2, none: 3 };

/** Worst first: red, amber, green, then those without a band. */
export const worstFirst = (a: KpiStanding, b: KpiStanding): number => BAND_ORDER[a.lastComplete?.band ?? 'none'] - BAND_ORDER[b.lastComplete?.band ?? 'none'];
