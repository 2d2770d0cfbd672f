// One readSeriesHistory batch in its own process, under the heap caps the product runs with (started by
// detection-db.ts): prints {seconds, series, heapUsedMb, peakRssMb} as one JSON line, or dies out of memory.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { readSeriesHistory } from '../../src/store/series-history-repository.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, batch: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
const pool = new pg.Pool({ connectionString: values.url, max: 1 });
try {
  const ids = (await pool.query<{ id: string }>('SELECT id::text AS id FROM series ORDER BY id LIMIT $1', [Number(values.batch)])).rows.map((r) => BigInt(r.id));
  const start = performance.now();
  const histories = await readSeriesHistory(pool, ids, Number(values.from), Number(values.to));
  const seconds = (performance.now() - start) / 1000;
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ seconds, series: histories.size, heapUsedMb, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
} finally {
  await pool.end();
}
