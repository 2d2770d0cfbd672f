import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { driverCatalog, noiseTags } from './driver-catalog.ts';
import { createZendeskSimulator, trueDriverOf, type ZendeskSimulator } from './index.ts';
import { isoSeconds } from './ticket-render.ts';
import { fetchPage, startMs } from './simulator-test-support.ts';
import { descriptions, subjectsByDriver } from './subjects.ts';

const daySec = 86400;
const historyEndMs = startMs - 120_000;

/** Daily count of one true driver in [fromDaysAgo, toDaysAgo) before the end of history. */
function dailyCount(sim: ZendeskSimulator, driverKey: string, fromDaysAgo: number, toDaysAgo: number): number {
  const from = historyEndMs - fromDaysAgo * daySec * 1000;
  const to = historyEndMs - toDaysAgo * daySec * 1000;
  let count = 0;
  const total = sim.truth().total;
  for (let id = 1; id <= total; id++) {
    const truth = trueDriverOf(sim, id);
    if (truth && truth.driverKey === driverKey && truth.createdAtMs >= from && truth.createdAtMs < to) count++;
  }
  return count / (fromDaysAgo - toDaysAgo);
}

describe('history generator', () => {
  it('raises the spike driver by roughly the lift during a release spike, and only then', () => {
    const options = { clock: manualClock(startMs), tickets: 20_000, live: false as const, seed: 3 };
    const spiked = createZendeskSimulator({ ...options, scenario: 'release-spike' });
    const steady = createZendeskSimulator(options);
    // Last 7 days against the 21 before; dividing by the steady run with the same seed cancels day noise.
    const ratio = (sim: ZendeskSimulator, key: string) => dailyCount(sim, key, 7, 0) / dailyCount(sim, key, 28, 7);
    const lift = ratio(spiked, 'configuration/sso') / ratio(steady, 'configuration/sso');
    expect(lift).toBeGreaterThan(1.25);
    expect(lift).toBeLessThan(1.6);
    expect(ratio(steady, 'configuration/sso')).toBeGreaterThan(0.85);
    expect(ratio(steady, 'configuration/sso')).toBeLessThan(1.15);
    const otherDriver = ratio(spiked, 'product/how-to') / ratio(steady, 'product/how-to');
    expect(otherDriver).toBeGreaterThan(0.9);
    expect(otherDriver).toBeLessThan(1.1);
  });

  it('has weekly and daily seasonality and a realistic driver mix', () => {
    const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 20_000, live: false });
    const truth = sim.truth();
    const days = Object.entries(truth.perDay).slice(1, -1); // drop the two partial days
    const weekend = days.filter(([day]) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())).map(([, n]) => n);
    const weekday = days.filter(([day]) => ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())).map(([, n]) => n);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(weekend) / mean(weekday)).toBeGreaterThan(0.28);
    expect(mean(weekend) / mean(weekday)).toBeLessThan(0.45);
    const byHour = new Array<number>(24).fill(0);
    for (let id = 1; id <= truth.total; id++) byHour[new Date(trueDriverOf(sim, id)?.createdAtMs ?? 0).getUTCHours()]! += 1;
    expect((byHour[11] ?? 0) / (byHour[3] ?? 1)).toBeGreaterThan(4);
    const ranked = Object.entries(truth.perDriver).filter(([key]) => key !== 'unmatched').sort((a, b) => b[1] - a[1]);
    expect(ranked.slice(0, 2).map(([key]) => key).sort()).toEqual(['access/login', 'product/how-to']);
    expect(ranked.at(-1)?.[0]).toBe('account/cancellation');
    expect((truth.perDriver['unmatched'] ?? 0) / truth.live).toBeCloseTo(0.04, 1);
  });

  it('serves a 1M-ticket history from typed arrays: small memory, fast first page', async () => {
    const before = process.memoryUsage();
    const created = performance.now();
    const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 1_000_000, rateLimit: false });
    const buildMs = performance.now() - created;
    const after = process.memoryUsage();
    const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
    const served = performance.now();
    const page = await fetchPage(sim, '/api/v2/incremental/tickets/cursor.json?start_time=0');
    const pageMs = performance.now() - served;
    console.info(`1M tickets: build ${buildMs.toFixed(0)} ms, +${grownMb.toFixed(0)} MB, first page ${pageMs.toFixed(0)} ms`);
    expect(page.tickets).toHaveLength(1000);
    expect(page.end_of_stream).toBe(false);
    expect(grownMb).toBeLessThan(150); // sanity bound only: ~30 MB of typed arrays expected
    expect(sim.truth().total).toBeGreaterThanOrEqual(1_000_000);
  });
});

describe('signals', () => {
  const lower = (s: string) => s.toLowerCase();
  const phraseHits = (text: string) => driverCatalog.filter((d) => lower(text).includes(lower(d.subjectPhrase))).map((d) => d.key);

  it('puts exactly the own catalog phrase in phrase subjects and none in neutral subjects or descriptions', () => {
    for (const driver of driverCatalog) {
      for (const subject of subjectsByDriver[driver.key].withPhrase) expect(phraseHits(subject)).toEqual([driver.key]);
      for (const subject of subjectsByDriver[driver.key].neutral) expect(phraseHits(subject)).toEqual([]);
    }
    for (const description of descriptions) expect(phraseHits(description)).toEqual([]);
  });

  it('never uses a driver tag or dropdown value as a noise tag', () => {
    const reserved = new Set<string>(driverCatalog.flatMap((d) => [d.tag, d.dropdownValue]));
    expect(noiseTags.filter((tag) => reserved.has(tag))).toEqual([]);
  });

  it('formats times like Zendesk (second precision, UTC)', () => {
    for (const sec of [0, 86_399, 86_400, 1_773_143_815, 1_770_727_580]) {
      expect(isoSeconds(sec)).toBe(new Date(sec * 1000).toISOString().replace('.000Z', 'Z'));
    }
  });
});
