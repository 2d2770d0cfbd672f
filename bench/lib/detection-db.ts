import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { parseEnv } from '../../src/config/env.ts';
import { HOUR_MS } from '../../src/domain/detect/detector-settings.ts';
import { databaseUrlFor } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { readSeriesHistory } from '../../src/store/series-history-repository.ts';
import { adminUrl, withClient } from './pg-client.ts';
import { HOURS_PER_WEEK, median, mixedHistories, SYNTHETIC_T0 } from './detection-stats.ts';

/**
 * The database reads one detection cycle needs: a scratch database migrated as the ingest bench's
 * is, `series` series × `weeks` weeks of dense hourly points COPYed into series_points (values from
 * generated histories reused cyclically), then every series read back with readSeriesHistory (one
 * `series_id = ANY(...)` query per batch, into dense Float64Arrays) in batches of each size, the
 * median of `runs` full passes, and extrapolated to a 100k-series cycle. The database is dropped.
 */
export interface ReadPass {
  batchSize: number;
  seconds: number[];
  medianSeconds: number;
  rowsPerSecond: number;
  /** Median seconds × 100,000 / series. */
  secondsPer100kSeries: number;
  /** Largest heap in use while a pass ran (sampled every 10 ms, garbage not yet collected included), MB. */
  peakHeapMb: number;
  /** One batch of this size read in a child process under the product's heap caps (package.json). */
  underHeapCap: CappedRead;
  /** PostgreSQL's plan for one batch's query (top node, its row estimate) and the rows it really returns. */
  plan: { node: string; estimatedRows: number; rows: number };
}

export type CappedRead =
  | { ok: true; heap: string; seconds: number; series: number; heapUsedMb: number; peakRssMb: number }
  | { ok: false; heap: string; error: string };

/** The heap caps of `npm run frontline` and the demo. */
const HEAP_CAPS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

export interface DbReport {
  series: number;
  hours: number;
  rows: number;
  postgres: string;
  insert: { seconds: number; rowsPerSecond: number; tableMb: number };
  /** The planner's distinct-count estimate for series_id after ANALYZE (true: `series`). */
  seriesIdNDistinct: number | null;
  reads: ReadPass[];
  checked: boolean;
}

export async function measureDbReads(options: { series: number; batchSizes: number[]; runs: number; seed: number; weeks: number; log: (line: string) => void }): Promise<DbReport> {
  const hours = options.weeks * HOURS_PER_WEEK;
  const base = parseEnv();
  const admin = adminUrl(base.DATABASE_URL);
  const name = `frontline_bench_${randomBytes(4).toString('hex')}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(base.DATABASE_URL, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await migrate(url);
    const postgres = (await pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? 'unknown';
    const histories = mixedHistories(Math.min(1000, options.series), hours, options.seed);
    const org = await pool.query<{ id: string }>(`INSERT INTO organizations (id, key, name, updated_at) VALUES (gen_random_uuid(), 'bench', 'Bench', now()) RETURNING id`);
    const ids = (await pool.query<{ id: string }>(
      `INSERT INTO series (organization_id, key, kind) SELECT $1, 'driver_volume/bench/' || g, 'driver_volume' FROM generate_series(1, $2::int) g RETURNING id`,
      [org.rows[0]?.id, options.series],
    )).rows.map((r) => BigInt(r.id));
    const stamps = Array.from({ length: hours }, (_, h) => new Date(SYNTHETIC_T0 + h * HOUR_MS).toISOString());
    function* chunks(): Generator<string> {
      for (let s = 0; s < ids.length; s += 100) {
        let chunk = '';
        for (let k = s; k < Math.min(ids.length, s + 100); k++) {
          const values = histories[k % histories.length]?.values;
          const id = String(ids[k]);
          for (let h = 0; h < hours; h++) chunk += `${id}\t${stamps[h]}\t${values?.[h] ?? 0}\n`;
        }
        yield chunk;
      }
    }
    options.log(`  COPY ${options.series} series × ${hours} hours = ${options.series * hours} points…`);
    const copyStart = performance.now();
    const client = await pool.connect();
    try {
      await pipeline(Readable.from(chunks()), client.query(copyStreams.from('COPY series_points (series_id, bucket_start, value) FROM STDIN')));
    } finally {
      client.release();
    }
    const insertSeconds = (performance.now() - copyStart) / 1000;
    const rows = options.series * hours;
    await pool.query('VACUUM ANALYZE series_points');
    const tableMb = Number((await pool.query<{ b: string }>(`SELECT pg_total_relation_size('series_points')::text AS b`)).rows[0]?.b ?? 0) / 2 ** 20;
    const nDistinct = (await pool.query<{ n: number | null }>(`SELECT n_distinct::float8 AS n FROM pg_stats WHERE tablename = 'series_points' AND attname = 'series_id'`)).rows[0]?.n ?? null;
    const seriesIdNDistinct = nDistinct === null ? null : nDistinct < 0 ? -nDistinct * rows : nDistinct;
    options.log(`  inserted in ${insertSeconds.toFixed(1)} s (${(rows / insertSeconds).toFixed(0)} rows/s), table + index ${tableMb.toFixed(0)} MB`);

    const fromMs = SYNTHETIC_T0;
    const toMs = SYNTHETIC_T0 + hours * HOUR_MS;
    // What comes back is what went in.
    const probe = await readSeriesHistory(pool, ids.slice(0, 3), fromMs, toMs);
    const checked = ids.slice(0, 3).every((id, k) => {
      const got = probe.get(id)?.values;
      const want = histories[k % histories.length]?.values;
      return got !== undefined && want !== undefined && got.length === want.length && got.every((v, h) => v === want[h]);
    });
    if (!checked) throw new Error('readSeriesHistory returned other values than were inserted');

    const reads: ReadPass[] = [];
    for (const batchSize of options.batchSizes) {
      const seconds: number[] = [];
      let peakHeap = 0;
      const sampler = setInterval(() => {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }, 10);
      try {
        for (let r = 0; r < options.runs; r++) {
          const start = performance.now();
          let read = 0;
          for (let s = 0; s < ids.length; s += batchSize) {
            const batch = await readSeriesHistory(pool, ids.slice(s, s + batchSize), fromMs, toMs);
            read += batch.size;
          }
          seconds.push((performance.now() - start) / 1000);
          if (read !== ids.length) throw new Error(`read ${read} of ${ids.length} series`);
        }
      } finally {
        clearInterval(sampler);
      }
      const medianSeconds = median(seconds);
      const underHeapCap = await readInChild(url, Math.min(batchSize, options.series), fromMs, toMs);
      const plan = await planOf(pool, ids.slice(0, batchSize), fromMs, toMs, hours);
      reads.push({
        batchSize, seconds, medianSeconds, rowsPerSecond: rows / medianSeconds,
        secondsPer100kSeries: (medianSeconds * 100_000) / options.series, peakHeapMb: peakHeap / 2 ** 20, underHeapCap, plan,
      });
      options.log(`  batches of ${batchSize}: ${seconds.map((x) => x.toFixed(2)).join(' / ')} s → ${(rows / medianSeconds).toFixed(0)} rows/s, ` +
        `${((medianSeconds * 100_000) / options.series).toFixed(1)} s per 100k series, peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MB, ` +
        `plan ${plan.node} (estimated ${plan.estimatedRows} rows of ${plan.rows}); ` +
        `one batch under ${HEAP_CAPS.join(' ')}: ${underHeapCap.ok ? `heap ${underHeapCap.heapUsedMb.toFixed(0)} MB after, peak RSS ${underHeapCap.peakRssMb.toFixed(0)} MB` : underHeapCap.error}`);
    }
    return { series: options.series, hours, rows, postgres, insert: { seconds: insertSeconds, rowsPerSecond: rows / insertSeconds, tableMb }, seriesIdNDistinct, reads, checked };
  } finally {
    await pool.end();
    await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

async function readInChild(url: string, batch: number, fromMs: number, toMs: number): Promise<CappedRead> {
  const child = fileURLToPath(new URL('./detection-read-child.ts', import.meta.url));
  const heap = HEAP_CAPS.join(' ');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...HEAP_CAPS, child, '--url', url, '--batch', String(batch), '--from', String(fromMs), '--to', String(toMs)], { maxBuffer: 1 << 20 });
    return { ok: true, heap, ...(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; series: number; heapUsedMb: number; peakRssMb: number }) };
  } catch (error) {
    const e = error as { code?: unknown; signal?: unknown; stderr?: string };
    const last = (e.stderr ?? '').trim().split('\n').filter((l) => /heap|memory|Error/i.test(l)).slice(-2).join(' | ');
    return { ok: false, heap, error: `child exited (code ${String(e.code)}, signal ${String(e.signal)}): ${last.slice(0, 300)}` };
  }
}

/** The plan of readSeriesHistory's query (its WHERE clause, as src/store/series-history-repository.ts has it) for these series. */
async function planOf(pool: pg.Pool, ids: readonly bigint[], fromMs: number, toMs: number, hours: number): Promise<{ node: string; estimatedRows: number; rows: number }> {
  const result = await pool.query<{ 'QUERY PLAN': [{ Plan: { 'Node Type': string; 'Plan Rows': number; Plans?: { 'Node Type': string }[] } }] }>({
    text: `EXPLAIN (FORMAT JSON) SELECT series_id, bucket_start, value FROM series_points
           WHERE series_id = ANY($1::bigint[]) AND bucket_start >= $2::timestamptz AND bucket_start < $3::timestamptz`,
    values: [ids.map(String), new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  });
  const top = result.rows[0]?.['QUERY PLAN'][0].Plan;
  const node = top === undefined ? 'unknown' : [top['Node Type'], ...(top.Plans ?? []).map((p) => p['Node Type'])].join(' > ');
  return { node, estimatedRows: top?.['Plan Rows'] ?? Number.NaN, rows: ids.length * hours };
}
