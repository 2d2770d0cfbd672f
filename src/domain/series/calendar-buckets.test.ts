import { describe, expect, it } from 'vitest';
import { assembleBuckets, HOUR_MS, hourOf, midHourEdges } from './calendar-buckets.ts';

const at = (iso: string): number => Date.parse(iso);

/** The truth: count each ticket in the bucket its creation instant falls in. */
function recount(created: number[], buckets: { startMs: number; endMs: number }[]): number[] {
  return buckets.map((b) => created.filter((c) => c >= b.startMs && c < b.endMs).length);
}

describe('assembleBuckets', () => {
  it('splits the hour around a mid-hour day edge (Asia/Kolkata midnight is 18:30 UTC)', () => {
    const created = [at('2026-03-10T18:10:00Z'), at('2026-03-10T18:29:59Z'), at('2026-03-10T18:30:00Z'), at('2026-03-10T18:59:00Z'), at('2026-03-11T02:00:00Z')];
    const days = [
      { startMs: at('2026-03-09T18:30:00Z'), endMs: at('2026-03-10T18:30:00Z') },
      { startMs: at('2026-03-10T18:30:00Z'), endMs: at('2026-03-11T18:30:00Z') },
    ];
    const hourly = new Map<number, number>();
    for (const c of created) hourly.set(hourOf(c), (hourly.get(hourOf(c)) ?? 0) + 1);
    const edges = midHourEdges(days);
    expect(edges).toEqual([at('2026-03-09T18:30:00Z'), at('2026-03-10T18:30:00Z'), at('2026-03-11T18:30:00Z')]);
    const partial = new Map(edges.map((e) => [e, created.filter((c) => hourOf(c) === hourOf(e) && c < e).length]));
    expect(assembleBuckets(days, hourly, partial)).toEqual([2, 3]);
    expect(assembleBuckets(days, hourly, partial)).toEqual(recount(created, days));
  });

  it('equals a recount for random tickets and random edges at 15-minute offsets (seeded)', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const base = at('2026-01-01T00:00:00Z');
    for (let round = 0; round < 50; round++) {
      const created = Array.from({ length: 200 }, () => base + Math.floor(random() * 10 * 24 * HOUR_MS));
      const edges = [base + Math.floor(random() * 4) * 15 * 60_000];
      while (edges.length < 12) edges.push((edges[edges.length - 1] ?? base) + (20 + Math.floor(random() * 8)) * HOUR_MS + Math.floor(random() * 4) * 15 * 60_000);
      const buckets = edges.slice(1).map((endMs, i) => ({ startMs: edges[i] ?? base, endMs }));
      const hourly = new Map<number, number>();
      for (const c of created) hourly.set(hourOf(c), (hourly.get(hourOf(c)) ?? 0) + 1);
      const partial = new Map(midHourEdges(buckets).map((e) => [e, created.filter((c) => hourOf(c) === hourOf(e) && c < e).length]));
      expect(assembleBuckets(buckets, hourly, partial)).toEqual(recount(created, buckets));
    }
  });

  it('needs no partial counts when every edge is on the hour', () => {
    expect(midHourEdges([{ startMs: at('2026-03-10T23:00:00Z'), endMs: at('2026-03-11T23:00:00Z') }])).toEqual([]);
    const hourly = new Map([[at('2026-03-10T22:00:00Z'), 2], [at('2026-03-10T23:00:00Z'), 5]]);
    expect(assembleBuckets([{ startMs: at('2026-03-10T23:00:00Z'), endMs: at('2026-03-11T23:00:00Z') }], hourly, new Map())).toEqual([5]);
  });
});
