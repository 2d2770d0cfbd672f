import { createZendeskSimulator } from '../../connectors/zendesk/simulator/index.ts';
import { scaledClock } from '../../src/connector-kit/clock.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { createBenchStore } from './bench-database.ts';

/**
 * Rate-limit utilisation: a long back-fill against Zendesk's 10 export requests per minute (on a
 * scaled clock shared by simulator and connector), stopped after `minutes` simulated minutes.
 * Achieved = export requests answered 200 per minute vs the limit; 429 share of all export requests.
 */
export interface RateLimitUse {
  simulatedMinutes: number;
  limitPerMinute: number;
  windows: number;
  allowed: number;
  exportRequests: number;
  answered429: number;
  achievedPerMinute: number;
  utilisation: number;
  share429: number;
}

export async function measureRateLimitUse(minutes: number, scale: number): Promise<RateLimitUse> {
  const clock = scaledClock({ epochMs: Date.parse('2026-11-20T12:00:30Z'), scale });
  const limitPerMinute = 10;
  const token = 'bench-token';
  const simulator = createZendeskSimulator({
    clock, seed: 5, tickets: 200_000, historyDays: 28, pageSize: 100, live: false,
    rateLimit: { exportPerMinute: limitPerMinute, accountPerMinute: 700 }, auth: { apiToken: { email: 'demo@acme.example', token } },
  });
  const url = await simulator.listen(0);
  const store = await createBenchStore(url, token, clock);
  try {
    const abort = new AbortController();
    // Start on a window boundary and stop on one: every window of the measurement is a full one.
    await clock.sleep(60_000 - (clock.now() % 60_000));
    const startMs = clock.now();
    const before = simulator.stats();
    const timer = setTimeout(() => abort.abort(new Error('measurement window over')), (minutes * 60_000) / scale);
    let after = before;
    abort.signal.addEventListener('abort', () => {
      after = simulator.stats();
    });
    await runSync(store.services.pull, { connector: store.connector, mode: 'incremental', sinceMs: startMs - 30 * 86_400_000, jobId: null, signal: abort.signal }).catch(() => undefined);
    clearTimeout(timer);
    const endMs = startMs + minutes * 60_000;
    const exportRequests = after.exportRequests - before.exportRequests;
    const answered429 = after.throttled - before.throttled;
    // The simulator (like Zendesk) counts in fixed one-minute windows: allowed = limit × windows.
    const windows = Math.round((endMs - startMs) / 60_000);
    const allowed = windows * limitPerMinute;
    const answered = exportRequests - answered429;
    return {
      simulatedMinutes: (endMs - startMs) / 60_000, limitPerMinute, windows, allowed, exportRequests, answered429,
      achievedPerMinute: answered / windows, utilisation: answered / allowed, share429: exportRequests === 0 ? 0 : answered429 / exportRequests,
    };
  } finally {
    await store.drop();
    await simulator.close();
  }
}
