import { createZendeskSimulator } from '../../connectors/zendesk/simulator/index.ts';
import { scaledClock } from '../../src/connector-kit/clock.ts';
import { parseRateLimitHeaders } from '../../src/connector-kit/rate-limit-headers.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { createBenchStore } from './bench-database.ts';

/**
 * Rate-limit utilisation: a long back-fill against the incremental export limit (Zendesk's default 10
 * a minute, 30 with the High Volume add-on: `exportPerMinute`), on a scaled clock shared by simulator
 * and connector, stopped after `minutes` simulated minutes. The limit reported and measured against is
 * the one the simulator advertises in `Zendesk-RateLimit-incremental-exports` (`total=`), as the
 * connector sees it. Achieved = export requests answered 200 per minute vs that limit; 429 share of
 * all export requests.
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

export async function measureRateLimitUse(minutes: number, scale: number, options: { exportPerMinute?: number } = {}): Promise<RateLimitUse> {
  const clock = scaledClock({ epochMs: Date.parse('2026-11-20T12:00:30Z'), scale });
  const token = 'bench-token';
  const simulator = createZendeskSimulator({
    clock, seed: 5, tickets: 200_000, historyDays: 28, pageSize: 100, live: false,
    rateLimit: { accountPerMinute: 700, ...(options.exportPerMinute === undefined ? {} : { exportPerMinute: options.exportPerMinute }) },
    auth: { apiToken: { email: 'demo@acme.example', token } },
  });
  // The export limit as advertised on the wire, not as configured here.
  let advertisedLimit: number | null = null;
  simulator.app.addHook('onResponse', async (_request, reply) => {
    const value = reply.getHeader('zendesk-ratelimit-incremental-exports');
    if (typeof value !== 'string') return;
    const observed = parseRateLimitHeaders({ 'zendesk-ratelimit-incremental-exports': value }, clock.now())[0];
    if (observed?.limit != null) advertisedLimit = observed.limit;
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
    if (advertisedLimit === null) throw new Error('the simulator sent no Zendesk-RateLimit-incremental-exports header');
    const limitPerMinute: number = advertisedLimit;
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
