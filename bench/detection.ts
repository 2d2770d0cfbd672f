// Detection benchmark (issue "spike detection"): in one run,
//   (1) the product detector on NAB's 12-file count subset, scored by the NAB port at the best threshold
//       per profile, with its own alerts, next to numenta and twitterADVec, plus a 2-fold cross-file check
//       and false alarms per file-week;
//   (2) recall, delay and false alerts on seeded ticket-like series with injected episodes of known
//       oracle SNR, by volume class, episode kind and SNR band (product defaults, no tuning);
//   (3) the in-memory cost of one detect cycle over --cycle-series series with --history-weeks (4) of hourly history,
//       and the database reads it needs (readSeriesHistory against a scratch database).
// Prints a summary and writes JSON to bench/results/. Not a test: nothing here asserts a target.
//   npm run bench:detection -- --series 200 --cycle-series 100000 --db-series 10000   (--quick: a small run)
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR_SETTINGS } from '../src/domain/detect/detector-settings.ts';
import { PROFILE_NAMES, type ProfileName } from '../src/evaluation/nab-scorer/index.ts';
import { measureCycle, type CycleReport } from './lib/detection-cycle.ts';
import { type DbReport, measureDbReads } from './lib/detection-db.ts';
import { type DetectorResult, measureNab, type NabReport, type ProfileResult } from './lib/detection-nab.ts';
import { fmt, pct } from './lib/detection-stats.ts';
import { EPISODE_KINDS, measureSynthetic, SNR_BANDS, type SyntheticReport } from './lib/detection-synthetic.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    series: { type: 'string' },
    'cycle-series': { type: 'string' },
    'cycle-distinct': { type: 'string' },
    'db-series': { type: 'string' },
    'history-weeks': { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    skip: { type: 'string', default: '' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const quick = values.quick;
const pick = (given: string | undefined, full: number, small: number): number => (given === undefined ? (quick ? small : full) : Number(given));
const seed = Number(values.seed);
const seriesPerClass = pick(values.series, 200, 20);
const cycleSeries = pick(values['cycle-series'], 100_000, 4000);
const cycleDistinct = Math.min(cycleSeries, pick(values['cycle-distinct'], 1000, 100));
const dbSeries = pick(values['db-series'], 10_000, 1000);
const runs = Number(values.runs);
const historyWeeks = Number(values['history-weeks']);
const skip = new Set(values.skip.split(',').filter(Boolean));
const nabDir = fileURLToPath(new URL('./data/nab/', import.meta.url));
const log = (line: string): boolean => process.stderr.write(`${line}\n`);
const TARGETS = { falseAlertsPerSeriesWeek: 0.05, recallSnrAtLeast5: 0.9 };
const started = performance.now();
const git = (...args: string[]): string | null => {
  try {
    return execFileSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
// Others may be editing the detector: the commit measured, and whether its source differed from it.
const source = { commit: git('rev-parse', 'HEAD'), detectorChanged: (git('status', '--porcelain', '--', 'src/domain/detect', 'src/evaluation/nab-scorer', 'src/evaluation/series-csv', 'src/evaluation/synthetic-counts', 'src/store/series-history-repository.ts') ?? '') !== '' };

log(`detection benchmark${quick ? ' (quick)' : ''} on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, seed ${seed}`);
let nab: NabReport | null = null;
if (!skip.has('nab')) {
  log('(1) NAB count subset, product detector streamed row by row…');
  nab = await measureNab(nabDir, log);
}
let synthetic: SyntheticReport | null = null;
if (!skip.has('synthetic')) {
  log(`(2) seeded ticket-like series: ${seriesPerClass} per volume class × 10 weeks…`);
  synthetic = measureSynthetic({ seriesPerClass, seed, log });
}
let cycle: CycleReport | null = null;
if (!skip.has('cycle')) {
  log(`(3a) detect cycle over ${cycleSeries} series (${cycleDistinct} distinct ${historyWeeks}-week histories), ${runs} runs…`);
  cycle = measureCycle({ series: cycleSeries, distinct: cycleDistinct, runs, seed, weeks: historyWeeks, log });
}
let db: DbReport | null = null;
if (!skip.has('db')) {
  log(`(3b) database reads: ${dbSeries} series × ${historyWeeks} weeks in a scratch database…`);
  db = await measureDbReads({ series: dbSeries, batchSizes: [1000, 5000], runs, seed, weeks: historyWeeks, log });
}
const seconds = (performance.now() - started) / 1000;

const result = {
  benchmark: 'detection',
  at: new Date().toISOString(),
  machine: { cores: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  source,
  options: { quick, seed, seriesPerClass, cycleSeries, cycleDistinct, dbSeries, historyWeeks, runs, skip: [...skip] },
  detectorSettings: DEFAULT_DETECTOR_SETTINGS,
  targets: TARGETS,
  seconds,
  nab,
  synthetic,
  cycle,
  db,
};
await mkdir(values.out, { recursive: true });
const file = `${values.out.replace(/\/$/, '')}/detection-${result.at.replace(/[:.]/g, '-')}.json`;
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);

const out: string[] = [''];
const short: Record<ProfileName, string> = { standard: 'standard', reward_low_FP_rate: 'low FP', reward_low_FN_rate: 'low FN' };
if (nab) {
  const row = (label: string, r: DetectorResult | { profiles: Record<ProfileName, ProfileResult> }): string =>
    `  ${label.padEnd(22)}${PROFILE_NAMES.map((p) => fmt(r.profiles[p].normalised, 2).padStart(9)).join('')}` +
    `   thr ${PROFILE_NAMES.map((p) => fmt(r.profiles[p].threshold, 3)).join(' / ')}` +
    `   FP ${fmt(r.profiles.standard.falseAlarms.rowsPerFileWeek, 2)} rows, ${fmt(r.profiles.standard.falseAlarms.runsPerFileWeek, 2)} runs /file-week`;
  out.push(`NAB count subset (12 files, 40 windows), normalised score   ${PROFILE_NAMES.map((p) => short[p].padStart(9)).join('')}`);
  out.push(row('Frontline (score)', nab.frontline), row('Frontline (alerts)', nab.alerts), row('numenta', nab.references.numenta), row('twitterADVec', nab.references.twitterADVec));
  out.push('  false alarms per file-week at each profile\'s threshold (rows / runs of rows outside windows, after probation):');
  for (const [label, r] of [['Frontline (score)', nab.frontline], ['numenta', nab.references.numenta], ['twitterADVec', nab.references.twitterADVec]] as const) {
    out.push(`    ${label.padEnd(20)}${PROFILE_NAMES.map((p) => `${short[p]} ${fmt(r.profiles[p].falseAlarms.rowsPerFileWeek, 2)} / ${fmt(r.profiles[p].falseAlarms.runsPerFileWeek, 2)}`).join('   ')}`);
  }
  const alertsFa = nab.alerts.profiles.standard.falseAlarms;
  out.push(`    ${'Frontline (alerts)'.padEnd(20)}${fmt(alertsFa.rowsPerFileWeek, 2)} alerts outside windows per file-week (${alertsFa.rows} in ${fmt(alertsFa.fileWeeks, 1)} file-weeks): ` +
    alertsFa.perFile.map((f) => `${f.name.replace(/^.*\//, '').replace(/^Twitter_volume_/, '').replace(/\.csv$/, '')} ${fmt(f.rows / f.fileWeeks, 2)}`).join(', '));
  out.push(`  2-fold cross-file (threshold chosen on one half, scored on the other; halves ${nab.halves.map((h) => h.length).join(' + ')} files):`);
  for (const [label, r] of [['Frontline (score)', nab.frontline], ['numenta', nab.references.numenta], ['twitterADVec', nab.references.twitterADVec]] as const) {
    out.push(`    ${label.padEnd(20)}${PROFILE_NAMES.map((p) => {
      const c = r.crossFile[p];
      return `${short[p]} A→B ${fmt(c.folds[0].normalised, 1)}, B→A ${fmt(c.folds[1].normalised, 1)}, mean ${fmt(c.mean, 1)} (in-sample ${fmt(c.inSample, 1)})`;
    }).join(';  ')}`);
  }
}
if (synthetic) {
  const s = synthetic;
  out.push('', `Seeded ticket-like series: ${s.seriesPerClass} per class × 4 classes × 10 weeks, ${s.episodes.length} episodes, product defaults`);
  out.push(`  recall overall ${pct(s.recall.overall.recall)} (${s.recall.overall.detected}/${s.recall.overall.episodes})`);
  out.push(`  by class     ${Object.entries(s.recall.byClass).map(([k, r]) => `${k} ${pct(r.recall, 0)} (${r.detected}/${r.episodes})`).join('   ')}`);
  out.push(`  by kind      ${EPISODE_KINDS.map((k) => `${k} ${pct(s.recall.byKind[k].recall, 0)} (${s.recall.byKind[k].detected}/${s.recall.byKind[k].episodes})`).join('   ')}`);
  out.push(`  by SNR       ${SNR_BANDS.map((b) => `${b} ${pct(s.recall.bySnr[b].recall, 0)} (${s.recall.bySnr[b].detected}/${s.recall.bySnr[b].episodes})`).join('   ')}   (target ≥ ${pct(TARGETS.recallSnrAtLeast5, 0)} at SNR ≥ 5)`);
  out.push('  class × kind ' + EPISODE_KINDS.map((k) => k.padStart(8)).join('') + '      SNR ≥ 5 by class');
  for (const [k, byKind] of Object.entries(s.recall.byClassAndKind)) {
    const hi = s.recall.bySnrAndClass['≥ 5'][k];
    out.push(`    ${k.padEnd(10)} ${EPISODE_KINDS.map((kind) => pct(byKind[kind].recall, 0).padStart(8)).join('')}      ${pct(hi?.recall ?? Number.NaN, 0)} (${hi?.detected ?? 0}/${hi?.episodes ?? 0})`);
  }
  out.push(`  delay (h, median / p90)  ${EPISODE_KINDS.map((k) => `${k} ${fmt(s.delayHours[k].median, 0)} / ${fmt(s.delayHours[k].p90, 0)}`).join('   ')}`);
  const fa = s.falseAlerts;
  out.push(`  false alerts per series-week: overall ${fmt(fa.overall.perSeriesWeek, 3)} (${fa.overall.alerts} in ${fmt(fa.overall.seriesWeeks, 0)}; target ≤ ${TARGETS.falseAlertsPerSeriesWeek})`);
  out.push(`    by class   ${Object.entries(fa.byClass).map(([k, r]) => `${k} ${fmt(r.perSeriesWeek, 3)}`).join('   ')}`);
  out.push(`    by group   ${Object.entries(fa.byGroup).map(([k, r]) => `${k} ${fmt(r.perSeriesWeek, 3)} (${r.alerts})`).join('   ')}`);
  out.push(`    drift series by class ${Object.entries(fa.driftByClass).map(([k, r]) => `${k} ${fmt(r.perSeriesWeek, 3)} (${r.alerts})`).join('   ')}`);
}
if (cycle) {
  out.push('', `Detect cycle, in memory, single core: ${cycle.series} series × ${cycle.historyHours} h (median of ${cycle.runs.length})`);
  out.push(`  ${fmt(cycle.medianTotalMs, 0)} ms total, ${fmt(cycle.microsPerSeries, 1)} µs/series (prime ${pct(cycle.shares.prime, 0)}, observe ${pct(cycle.shares.observe, 0)}, construct ${pct(cycle.shares.construct, 0)})` +
    (cycle.shares.prime > 0.5 ? '  ← prime dominates' : ''));
  out.push(`  µs/series by class ${Object.entries(cycle.microsPerSeriesByClass).map(([k, v]) => `${k} ${fmt(v, 1)}`).join('   ')}`);
  out.push(`  a new series' first cycle (observe ${historyWeeks} weeks from an empty state): ${fmt(cycle.warmup.microsPerSeries / 1000, 1)} ms/series`);
}
if (db) {
  out.push('', `Database reads (readSeriesHistory, PostgreSQL ${db.postgres}): ${db.series} series × ${db.hours} h = ${db.rows} rows, COPY ${fmt(db.insert.rowsPerSecond, 0)} rows/s, ${fmt(db.insert.tableMb, 0)} MB` +
    `, series_id n_distinct estimated ${fmt(db.seriesIdNDistinct ?? Number.NaN, 0)}`);
  for (const r of db.reads) {
    const capped = r.underHeapCap.ok ? `one batch under the product's 128 MB heap cap: ok, peak RSS ${fmt(r.underHeapCap.peakRssMb, 0)} MB` : `one batch under the product's 128 MB heap cap: FAILED (${r.underHeapCap.error.slice(0, 80)})`;
    out.push(`  batches of ${String(r.batchSize).padEnd(5)} ${fmt(r.rowsPerSecond, 0).padStart(9)} rows/s   ${fmt(r.secondsPer100kSeries, 1)} s per 100k-series cycle   ${capped}`);
    out.push(`    plan: ${r.plan.node}, estimated ${r.plan.estimatedRows} rows (returns ${r.plan.rows})`);
  }
}
out.push('', `run time ${fmt(seconds, 0)} s`, `results: ${file}`, '');
process.stdout.write(out.join('\n'));
process.exit(0);
