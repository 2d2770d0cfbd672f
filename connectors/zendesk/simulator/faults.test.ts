import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { createZendeskSimulator, type ZendeskSimulatorOptions } from './index.ts';
import { startMs } from './simulator-test-support.ts';

const exportUrl = '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=50';

function simulator(faults: ZendeskSimulatorOptions['faults']) {
  return createZendeskSimulator({ clock: manualClock(startMs), tickets: 300, rateLimit: false, faults });
}

async function statuses(sim: ReturnType<typeof simulator>, count: number): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) codes.push((await sim.app.inject({ url: exportUrl })).statusCode);
  return codes;
}

describe('fault injection', () => {
  it('fails the scheduled export requests with 503', async () => {
    const sim = simulator({ failRequests: [2, 4] });
    expect(await statuses(sim, 5)).toEqual([200, 503, 200, 503, 200]);
    expect(sim.stats().byStatus).toEqual({ '200': 3, '503': 2 });
  });

  it('injects seeded 5xx errors: same seed, same sequence', async () => {
    const settings = { seed: 9, errorRate: 0.3 };
    const first = await statuses(simulator(settings), 40);
    expect(await statuses(simulator(settings), 40)).toEqual(first);
    const errors = first.filter((code) => code >= 500);
    expect(errors.length).toBeGreaterThan(4);
    expect(errors.length).toBeLessThan(25);
    expect(errors.every((code) => [500, 502, 503].includes(code))).toBe(true);
    expect(await statuses(simulator({ ...settings, seed: 10 }), 40)).not.toEqual(first);
  });

  it('truncates JSON bodies while keeping valid headers', async () => {
    const response = await simulator({ truncateRate: 1 }).app.inject({ url: exportUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    expect(response.body.startsWith('{"tickets":[')).toBe(true);
    expect(() => JSON.parse(response.body)).toThrow();
  });

  it('answers edge-protection 429s without Retry-After or budget headers', async () => {
    const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 10, faults: { edge429WithoutRetryAfter: 1 } });
    const response = await sim.app.inject({ url: exportUrl });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBeUndefined();
    expect(response.headers['x-rate-limit']).toBeUndefined();
    expect(sim.stats().throttled).toBe(1);
  });

  it('delays slow responses by real milliseconds', async () => {
    const sim = simulator({ slowRate: 1, slowMs: 30 });
    const started = performance.now();
    expect((await sim.app.inject({ url: exportUrl })).statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
