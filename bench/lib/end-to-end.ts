import { systemClock } from '../../src/connector-kit/clock.ts';
import { deriveConnector } from '../../src/pipeline/derive/derive-connector.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { createBenchStore } from './bench-database.ts';

/**
 * (c) Frontline end to end, as the workers run it: the pull stage (fetch → normalise → page
 * transaction) and, concurrently, the derive stage (classify → hourly series) until it has caught up
 * with the last page. Timed from the first request to the last series point.
 */
export interface EndToEnd {
  tickets: number;
  seconds: number;
  perSecond: number;
  pullSeconds: number;
  /** Time spent inside the page transactions and inside derive batches (they overlap with fetching). */
  writePageSeconds: number;
  deriveSeconds: number;
  pages: number;
  seriesPoints: number;
}

export async function measureEndToEnd(url: string, token: string, sinceMs: number, settings: Record<string, unknown> = {}): Promise<EndToEnd> {
  const store = await createBenchStore(url, token, systemClock, settings);
  try {
    const { services, connector } = store;
    let pulling = true;
    let deriveNs = 0n;
    const deriveOnce = async (): Promise<void> => {
      const t = process.hrtime.bigint();
      await deriveConnector(services.derive, connector);
      deriveNs += process.hrtime.bigint() - t;
    };
    // A derive worker: derives as pages arrive (in production a derive job is enqueued per page).
    const deriver = (async () => {
      while (pulling) {
        await deriveOnce();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const start = process.hrtime.bigint();
    const result = await runSync(services.pull, { connector, mode: 'incremental', sinceMs, jobId: null });
    const pullSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    pulling = false;
    await deriver;
    await deriveOnce();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const points = await services.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM series_points');
    const tickets = result.totals.fetched;
    return {
      tickets, seconds, perSecond: tickets / seconds, pullSeconds, pages: result.totals.pages,
      writePageSeconds: result.storeMs / 1000, deriveSeconds: Number(deriveNs) / 1e9, seriesPoints: points.rows[0]?.n ?? 0,
    };
  } finally {
    await store.drop();
  }
}
