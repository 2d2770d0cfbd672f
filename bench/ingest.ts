// Ingest benchmark (issue #2): in one run, side by side,
//   (a) raw fetch + JSON parse rate of the simulator's cursor export,
//   (b) raw PostgreSQL COPY rate of the same rows into a bare table,
//   (c) Frontline end to end (fetch → normalise → classify → upsert → series),
// repeated --runs times (medians), plus the peak RSS of a --rss-tickets back-fill in its own process
// and of a back-fill with large ticket bodies, and the rate-limit utilisation against the export limit
// the simulator's headers announce (Zendesk's default: 10 requests/minute). Prints a summary and
// writes JSON to bench/results/. Not a test: nothing here asserts a target.
//   npm run bench -- --tickets 200000 --runs 3 --rss-tickets 1000000
import { cpus, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseEnv } from '../src/config/env.ts';
import { measureEndToEnd, type EndToEnd } from './lib/end-to-end.ts';
import { measureRateLimitUse } from './lib/rate-limit.ts';
import { measureCopy, measureFetchParse, prepareCopyChunks, type Timed } from './lib/raw-measures.ts';
import { backfillInChild, type BackfillRss } from './lib/backfill-child.ts';
import { startSimulatorProcess } from './lib/simulator-process.ts';
import { adminUrl } from './lib/bench-database.ts';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    'rss-tickets': { type: 'string', default: '1000000' },
    'large-tickets': { type: 'string', default: '20000' },
    'rate-minutes': { type: 'string', default: '30' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const tickets = Number(values.tickets);
const runs = Number(values.runs);
const rssTickets = Number(values['rss-tickets']);
const largeTickets = Number(values['large-tickets']);
const rateMinutes = Number(values['rate-minutes']);
const log = (line: string): boolean => process.stderr.write(`${line}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const sinceMs = Date.now() - 40 * 86_400_000;

log(`ingest benchmark: ${tickets} tickets × ${runs} runs on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
const simulator = await startSimulatorProcess({ tickets, seed: 42, port: 0 });
const fetches: Timed[] = [];
const copies: Timed[] = [];
const e2e: EndToEnd[] = [];
let normaliseSeconds = 0;
try {
  for (let run = 1; run <= runs; run++) {
    const a = await measureFetchParse(simulator.url, simulator.token, sinceMs, true);
    fetches.push(a);
    const prepared = await prepareCopyChunks(simulator.url, simulator.token, a.pages);
    normaliseSeconds = prepared.normaliseSeconds;
    a.pages.length = 0;
    const b = await measureCopy(adminUrl(parseEnv().DATABASE_URL), prepared.chunks, prepared.rows);
    copies.push(b);
    const c = await measureEndToEnd(simulator.url, simulator.token, sinceMs);
    e2e.push(c);
    log(`run ${run}: (a) fetch+parse ${a.perSecond.toFixed(0)}/s  (b) COPY ${b.perSecond.toFixed(0)}/s  (c) end-to-end ${c.perSecond.toFixed(0)}/s` +
      ` [pull ${c.pullSeconds.toFixed(1)} s, in page transactions ${c.writePageSeconds.toFixed(1)} s, deriving ${c.deriveSeconds.toFixed(1)} s]`);
  }
} finally {
  await simulator.close();
}

const a = median(fetches.map((x) => x.perSecond));
const b = median(copies.map((x) => x.perSecond));
const c = median(e2e.map((x) => x.perSecond));
const ratios = e2e.map((x, i) => x.perSecond / Math.min(fetches[i]?.perSecond ?? Infinity, copies[i]?.perSecond ?? Infinity));

const describeRss = (r: BackfillRss): string =>
  r.ok ? `${r.tickets} tickets in ${r.seconds.toFixed(1)} s (${r.perSecond.toFixed(0)}/s), peak RSS ${r.peakRssMb.toFixed(0)} MB` : `FAILED: ${r.error}`;

let rss: BackfillRss | null = null;
if (rssTickets > 0) {
  log(`back-fill of ${rssTickets} tickets in a child process for peak RSS…`);
  rss = await backfillInChild({ tickets: rssTickets, seed: 43, sinceMs });
  log(`  ${describeRss(rss)}`);
}

// Real payloads (issue "spine hardening" item 14): 20 KB descriptions, 1 % of them 1 MB, under the same
// heap cap — with pages sized by bytes (the default), and with the old fixed 1000 tickets a page.
const largeArgs = ['--description-bytes', '20000', '--large-share', '0.01', '--large-bytes', '1000000'];
let large: { bytesPerPage: BackfillRss; fixedPages: BackfillRss | null } | null = null;
if (largeTickets > 0) {
  log(`back-fill of ${largeTickets} tickets with 20 KB descriptions (1 % of 1 MB), pages sized by bytes…`);
  const bytesPerPage = await backfillInChild({ tickets: largeTickets, seed: 44, sinceMs, simulatorArgs: largeArgs });
  log(`  ${describeRss(bytesPerPage)}`);
  log('the same with pages of up to 1000 tickets whatever their size (pageBytes 64 MiB)…');
  const fixedPages = await backfillInChild({ tickets: largeTickets, seed: 44, sinceMs, simulatorArgs: largeArgs, pageBytes: 64 * 1024 * 1024 });
  log(`  ${describeRss(fixedPages)}`);
  large = { bytesPerPage, fixedPages };
}

log(`rate-limit utilisation over ${rateMinutes} simulated minutes at the simulator's export limit…`);
const rate = rateMinutes > 0 ? await measureRateLimitUse(rateMinutes, 30) : null;
if (rate) log(`  ${rate.achievedPerMinute.toFixed(2)} requests/min achieved of ${rate.limitPerMinute} (${(rate.utilisation * 100).toFixed(1)} %), ${(rate.share429 * 100).toFixed(2)} % answered 429`);

const result = {
  benchmark: 'ingest',
  at: new Date().toISOString(),
  machine: { cores: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  tickets, runs,
  medians: { fetchParsePerSecond: a, copyPerSecond: b, endToEndPerSecond: c, ratio: median(ratios) },
  targets: { ratio: 0.7, endToEndPerSecond: 10_000, peakRssMb: 300, rateLimitUtilisation: 0.9, share429: 0.01 },
  profile: {
    normaliseSecondsPerRun: normaliseSeconds,
    endToEnd: e2e.map(({ seconds, pullSeconds, writePageSeconds, deriveSeconds, pages, seriesPoints }) => ({ seconds, pullSeconds, writePageSeconds, deriveSeconds, pages, seriesPoints })),
  },
  samples: { fetchParse: fetches.map((x) => x.perSecond), copy: copies.map((x) => x.perSecond), endToEnd: e2e.map((x) => x.perSecond), ratio: ratios },
  backfill1M: rss,
  largePayloads: large === null ? null : { tickets: largeTickets, description: '20 KB, 1 % of 1 MB', ...large },
  rateLimit: rate,
};
await mkdir(values.out, { recursive: true });
const file = `${values.out.replace(/\/$/, '')}/ingest-${result.at.replace(/[:.]/g, '-')}.json`;
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `\n(a) fetch + parse   ${a.toFixed(0).padStart(8)} tickets/s\n(b) PostgreSQL COPY ${b.toFixed(0).padStart(8)} tickets/s\n(c) end to end      ${c.toFixed(0).padStart(8)} tickets/s\n` +
    `ratio c / min(a, b)  ${median(ratios).toFixed(2)} (target ≥ 0.70); end to end target ≥ 10000/s\n` +
    (rss ? `1M back-fill: ${describeRss(rss)} (target ≤ 300 MB)\n` : '') +
    (large ? `large payloads, pages sized by bytes: ${describeRss(large.bytesPerPage)}\n` : '') +
    (rate ? `rate limit: ${(rate.utilisation * 100).toFixed(1)} % of allowed requests, ${(rate.share429 * 100).toFixed(2)} % answered 429 (targets ≥ 90 %, ≤ 1 %)\n` : '') +
    `results: ${file}\n`,
);
process.exit(0);
