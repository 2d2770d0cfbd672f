import { describe, expect, it } from 'vitest';
import type { Evidence } from './detector-state.ts';
import { explainEvidence, horizonLabel } from './explain.ts';

const evidence = (over: Partial<Evidence> = {}): Evidence => ({
  source: 7 * 86_400_000, windowStartMs: Date.parse('2026-03-03T13:00:00Z') - 7 * 86_400_000, windowEndMs: Date.parse('2026-03-03T13:00:00Z'),
  observed: 1653, expected: 1080, pctChange: 573 / 1080, pValue: 2e-9, dispersion: 1.8,
  baseline: { expected: 1080, kind: 'hour_of_week', samples: 4, sampleVariance: null }, significant: true, practical: true, ...over,
});

describe('explainEvidence', () => {
  it('says what, over which window, observed vs expected, the change, since when, the baseline and p, in local time', () => {
    const text = explainEvidence({ subject: 'SSO configuration', evidence: evidence(), sinceMs: Date.parse('2026-02-25T08:00:00Z'), timeZone: 'Europe/Berlin', context: '2 days after release 4.2' });
    expect(text).toBe(
      'SSO configuration, 7 days to Tue 14:00: 1,653 vs expected 1,080 (+53 %), since Wed 09:00, 2 days after release 4.2 — baseline: same hours of the week over the last 4 weeks, p ≈ 2e-9',
    );
  });

  it('names the accumulator window by its length and a one-hour window as such', () => {
    expect(explainEvidence({ subject: 'Refunds', evidence: evidence({ source: 'cusum', windowStartMs: Date.parse('2026-03-01T13:00:00Z') }), sinceMs: Date.parse('2026-03-01T13:00:00Z'), timeZone: 'UTC' }))
      .toMatch(/^Refunds, 48 hours to Tue 13:00: /);
    expect(explainEvidence({ subject: 'Refunds', evidence: evidence({ source: 3_600_000 }), sinceMs: Date.parse('2026-03-03T12:00:00Z'), timeZone: 'UTC' }))
      .toMatch(/^Refunds, 1 hour to Tue 13:00: /);
    expect([3_600_000, 86_400_000, 7 * 86_400_000, 'cusum' as const].map(horizonLabel)).toEqual(['1h', '24h', '7d', 'cusum']);
  });
});
