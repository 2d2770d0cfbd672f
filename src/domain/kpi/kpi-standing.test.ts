import { describe, expect, it } from 'vitest';
import { bandCounts, kpiStanding, worstFirst } from './kpi-standing.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const days = (values: (number | null)[]) => values.map((value, i) => ({ startMs: T0 + i * DAY, endMs: T0 + (i + 1) * DAY, value }));
const goal = { direction: 'down_is_good' as const, target: 10, bands: { green: 10, amber: 15 } };

describe('where a KPI stands', () => {
  it('now: the last complete bucket with its band and distance to target, and the running one', () => {
    const s = kpiStanding(days([8, 12, 20, 3]), goal, T0 + 3 * DAY + 5_000);
    expect(s.lastComplete).toMatchObject({ startMs: T0 + 2 * DAY, value: 20, band: 'red' });
    expect(s.current).toMatchObject({ startMs: T0 + 3 * DAY, value: 3, band: 'green' });
    expect(s.betterThanTargetBy).toBe(-10);
    expect(s.period).toBeNull();
  });

  it("over a past period: its complete buckets by band, the last of them standing for it; buckets after it don't count", () => {
    // Buckets 1–3 are the period; 0 before it, 4 after it.
    const s = kpiStanding(days([30, 8, 12, null, 40]), goal, T0 + 10 * DAY, { fromMs: T0 + DAY, toMs: T0 + 4 * DAY });
    expect(s.period).toEqual({ buckets: 3, green: 1, amber: 1, red: 0, none: 1 });
    expect(s.lastComplete).toMatchObject({ startMs: T0 + 3 * DAY, value: null, band: null });
    expect(s.current).toBeNull();
    expect(s.betterThanTargetBy).toBeNull();
  });

  it('a running period counts only its complete buckets', () => {
    const s = kpiStanding(days([8, 18, 9]), goal, T0 + 2 * DAY + 1, { fromMs: T0, toMs: T0 + 30 * DAY });
    expect(s.period).toEqual({ buckets: 2, green: 1, amber: 0, red: 1, none: 0 });
    expect(s.current?.value).toBe(9);
  });

  it('up is good: the bands read the other way; without bands the target alone decides', () => {
    const up = kpiStanding(days([0.91, 0.5]), { direction: 'up_is_good', target: 0.9, bands: null }, T0 + DAY + 1);
    expect([up.lastComplete?.band, up.betterThanTargetBy]).toEqual(['green', expect.closeTo(0.01, 9)]);
  });

  it('rolls KPIs up by band, worst first', () => {
    const standings = [kpiStanding(days([8]), goal, T0 + DAY), kpiStanding(days([20]), goal, T0 + DAY), kpiStanding(days([12]), goal, T0 + DAY), kpiStanding([], goal, T0)];
    expect(bandCounts(standings)).toEqual({ kpis: 4, green: 1, amber: 1, red: 1, none: 1 });
    expect([...standings].sort(worstFirst).map((s) => s.lastComplete?.band ?? null)).toEqual(['red', 'amber', 'green', null]);
  });
});
