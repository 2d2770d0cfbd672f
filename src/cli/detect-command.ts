import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_DETECTOR_SETTINGS } from '../domain/detect/detector-settings.ts';
import { type CorpusFile, type CorpusScore, loadWindows, type NabWindows, PROFILE_NAMES, type ProfileName, scoreCorpus } from '../evaluation/nab-scorer/index.ts';
import { detectSeries } from '../evaluation/offline-detect/detect-series.ts';
import { parseDurationSeconds } from '../config/duration.ts';
import { formatDuration } from '../evaluation/offline-detect/duration.ts';
import { listFiles } from '../evaluation/offline-detect/list-files.ts';
import { isScoredFileName, parseScoredRows, readScoredText, type ScoreColumn, scoredColumns, windowKeyFor } from '../evaluation/offline-detect/scored-files.ts';
import { textTable } from '../evaluation/offline-detect/text-table.ts';
import { readSeriesCsv, type ReadSeriesOptions, type SeriesCsv, SeriesCsvError, SCORED_HEADER, writeScoredCsv } from '../evaluation/series-csv/index.ts';
import { CliError } from './cli-error.ts';

/**
 * `frontline detect` — the spike detector offline (README "Offline evaluation"):
 * - `detect csv <file or folder> --out <folder>` runs the product's detector (default settings, the
 *   bucket = each file's step) over `timestamp,value` files and writes `timestamp,value,anomaly_score,alert`;
 * - `detect score <files or folders…> --windows <labels.json>` scores such files with NAB v1.1.
 * `detect --csv …` and `detect --score …` are the same two runs, spelled as flags.
 *
 * A further subcommand is one more `detect.command(…)` below (or pass `extra`).
 */
export function registerDetectCommand(program: Command, extra?: (detect: Command) => void): Command {
  const detect = program
    .command('detect')
    .description('the spike detector offline: score timestamp,value CSV files, and score the results with NAB v1.1');
  const csv = detect
    .command('csv')
    .description('run the product detector over timestamp,value CSV files; writes timestamp,value,anomaly_score,alert per file')
    .argument('<path>', 'a CSV file, or a folder searched recursively for *.csv')
    .addOption(new Option('--out <folder>', 'where to write the scored files (created if needed; a folder\'s relative paths are kept)').makeOptionMandatory())
    .addOption(
      new Option('--repair <repairs>', 'repairs to make instead of refusing the file, comma-separated or repeated: sort, duplicates=sum|first|last, fill-gaps (0-valued rows, written too)')
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option('--bucket <duration>', "the detector's bucket, e.g. 5m or 1h (default: each file's most common step)")
    .option('--json', 'machine-readable summary')
    .action((path: string, options: CsvOptions) => asUserErrors(detectCsv(path, options)));
  const score = detect
    .command('score')
    .description('NAB v1.1 scores (threshold, raw, normalised per profile) of scored CSV files against labelled windows')
    .argument('<paths...>', 'scored CSV files (.csv, or .csv.gz), or folders searched recursively')
    .addOption(new Option('--windows <labels.json>', "labelled anomaly windows, NAB's format (e.g. bench/data/nab/labels/count_subset_windows.json)").makeOptionMandatory())
    .addOption(new Option('--profile <name>', 'NAB cost profile').choices([...PROFILE_NAMES, 'all']).default('all'))
    .option('--alerts', "score the alert column (0/1: the product's alerts at its default settings) instead of anomaly_score")
    .option('--ignore-unlabelled', 'leave out files the windows JSON has no entry for (default: refuse them)')
    .option('--json', 'machine-readable output')
    .action((paths: string[], options: ScoreOptions) => asUserErrors(detectScore(paths, options)));
  extra?.(detect);

  // The same two runs spelled as flags of `detect` (as the issue that asked for them wrote them):
  // `--csv <path>` and `--score` pick the subcommand, every other argument goes to it as written.
  detect
    .argument('[arguments...]', 'with --csv or --score: the other arguments of that run')
    .option('--csv <path>', 'same as `detect csv <path> …`: --out <folder> [--repair …] [--bucket …] [--json]')
    .option('--score', 'same as `detect score …`: --windows <labels.json> <paths…> [--profile …] [--alerts] [--ignore-unlabelled] [--json]')
    .allowUnknownOption()
    .addHelpText('after', [
      '',
      'Examples:',
      '  frontline detect csv bench/data/nab/data --out /tmp/scored                 # or: detect --csv <path> --out <folder>',
      '  frontline detect score /tmp/scored --windows bench/data/nab/labels/count_subset_windows.json',
      '                                                                             # or: detect --score --windows <labels.json> <paths…>',
    ].join('\n'))
    .action(async (rest: string[], options: { csv?: string; score?: boolean }) => {
      if (options.csv !== undefined && options.score) throw new CliError('--csv and --score are two different runs: give one of them', 2);
      if (options.csv !== undefined) return void (await csv.parseAsync([options.csv, ...rest], { from: 'user' }));
      if (options.score) return void (await score.parseAsync(rest, { from: 'user' }));
      const hint = 'use `frontline detect csv <path> --out <folder>` or `frontline detect score <paths…> --windows <labels.json>` (see `frontline detect --help`)';
      if (rest.length > 0) throw new CliError(`unknown detect command or option "${rest[0]}": ${hint}`, 2);
      throw new CliError(`say what to run: ${hint}`, 2);
    });
  return detect;
}

interface CsvOptions {
  out?: string;
  repair?: string[];
  bucket?: string;
  json?: boolean;
}

interface ScoreOptions {
  windows?: string;
  profile: ProfileName | 'all';
  alerts?: boolean;
  ignoreUnlabelled?: boolean;
  json?: boolean;
}

// ---- detect csv ----------------------------------------------------------------------------------

interface CsvResult {
  input: string;
  output: string;
  rows: number;
  stepMs: number | null;
  bucketMs: number | null;
  alerts: number;
  alertTimestamps: string[];
  maxScore: number;
  gaps: { count: number; missingBuckets: number; first: { afterLine: number; afterTimestamp: string; missing: number }[] };
  repairs: SeriesCsv['repairs'];
  actions: Record<string, number>;
}

const GAPS_SHOWN = 3;

async function detectCsv(input: string, options: CsvOptions): Promise<void> {
  const out = options.out ?? '';
  const readOptions = parseRepairs(options.repair ?? []);
  const seconds = options.bucket === undefined ? undefined : parseDurationSeconds(options.bucket);
  if (seconds === null) throw new CliError(`--bucket "${options.bucket}" is not a duration: write e.g. 5m, 30s, 1h or 1d`, 2);
  const bucketMs = seconds === undefined ? undefined : seconds * 1000;
  const listing = await listFiles(input, (name) => name.endsWith('.csv'), [out]);
  if (listing === undefined) throw new CliError(`${input}: no such file or folder`, 2);
  if (listing.files.length === 0) throw new CliError(`${input}: no *.csv files in this folder (or below it)`, 2);
  const jobs = listing.files.map((file) => ({ file, output: listing.folder ? join(out, ...file.relative.split('/')) : join(out, file.relative) }));
  for (const { file, output } of jobs) {
    if (resolve(output) === resolve(file.path)) throw new CliError(`--out ${out} would overwrite the input ${file.path}: write to another folder`, 2);
  }
  // Every file is read and checked before anything is written: a bad file leaves no half-written output.
  const series: SeriesCsv[] = [];
  for (const { file } of jobs) {
    const s = await readSeriesCsv(file.path, readOptions);
    if (bucketMs === undefined && s.stepMs === undefined && s.values.length > 0) throw new CliError(`${file.path}: a single row, so its step cannot be told: give --bucket (e.g. --bucket 1h)`, 2);
    series.push(s);
  }

  const results: CsvResult[] = [];
  for (const [k, { file, output }] of jobs.entries()) {
    const s = series[k] as SeriesCsv;
    const bucket = bucketMs ?? s.stepMs;
    reportGaps(file.path, s, readOptions);
    const settings = { ...DEFAULT_DETECTOR_SETTINGS, bucketMs: bucket ?? DEFAULT_DETECTOR_SETTINGS.bucketMs };
    const detected = s.values.length === 0 ? { scores: [], alerts: [], actions: {} } : detectSeries(s.values, s.timestampsMs[0] ?? 0, settings);
    await mkdir(dirname(output), { recursive: true });
    await writeScoredCsv(output, { rawTimestamps: s.rawTimestamps, values: s.values, anomalyScores: detected.scores, alerts: detected.alerts });
    results.push({
      input: file.path, output, rows: s.values.length, stepMs: s.stepMs ?? null, bucketMs: bucket ?? null,
      alerts: detected.alerts.filter(Boolean).length,
      alertTimestamps: s.rawTimestamps.filter((_, i) => detected.alerts[i] === true),
      maxScore: detected.scores.reduce((max, v) => Math.max(max, v), 0),
      gaps: { count: s.gaps.length, missingBuckets: s.gaps.reduce((sum, g) => sum + g.missing, 0), first: s.gaps.slice(0, GAPS_SHOWN).map((g) => ({ ...g })) },
      repairs: s.repairs, actions: detected.actions,
    });
  }

  if (options.json) {
    // bucketMs null: each file's own (files[].bucketMs).
    const detector = { ...DEFAULT_DETECTOR_SETTINGS, bucketMs: bucketMs ?? null };
    process.stdout.write(`${JSON.stringify({ out, header: SCORED_HEADER.join(','), detector, files: results }, null, 2)}\n`);
    return;
  }
  const dash = '—';
  process.stdout.write(textTable(
    ['file', 'rows', 'step', 'bucket', 'alerts', 'gaps', 'repairs'],
    results.map((r, k) => [
      jobs[k]?.file.relative ?? r.input, String(r.rows), r.stepMs === null ? dash : formatDuration(r.stepMs), r.bucketMs === null ? dash : formatDuration(r.bucketMs),
      String(r.alerts), r.gaps.count === 0 ? dash : `${r.gaps.count} (${r.gaps.missingBuckets} bucket(s) missing)`, describeRepairs(r.repairs) || dash,
    ]),
  ));
  const filled = results.reduce((sum, r) => sum + r.repairs.gapRowsFilled, 0);
  process.stdout.write(
    `wrote ${results.length} file(s) under ${out} (${SCORED_HEADER.join(',')}): the product detector with its default settings, one bucket per row` +
      `${options.bucket === undefined ? ', bucket = the file\'s most common step' : ''}; alert = 1 where an episode opens` +
      `${filled > 0 ? `; ${filled} gap row(s) filled with value 0 are in the output too` : ''}\n`,
  );
}

/** `--repair sort,duplicates=sum,fill-gaps` (or repeated) to the reader's options. */
export function parseRepairs(list: readonly string[]): ReadSeriesOptions {
  const options: { sort?: boolean; duplicates?: 'sum' | 'first' | 'last'; fillGaps?: 'zero' } = {};
  for (const item of list.flatMap((text) => text.split(',')).map((text) => text.trim()).filter((text) => text !== '')) {
    const duplicates = /^duplicates=(sum|first|last)$/.exec(item);
    if (item === 'sort') options.sort = true;
    else if (item === 'fill-gaps') options.fillGaps = 'zero';
    else if (duplicates) options.duplicates = duplicates[1] as 'sum' | 'first' | 'last';
    else throw new CliError(`--repair "${item}" is not a repair: use sort, duplicates=sum, duplicates=first, duplicates=last or fill-gaps (comma-separated)`, 2);
  }
  return options;
}

function describeRepairs(repairs: SeriesCsv['repairs']): string {
  return [
    repairs.outOfOrderRows > 0 ? `sorted ${repairs.outOfOrderRows} row(s)` : '',
    repairs.duplicateRowsMerged > 0 ? `merged ${repairs.duplicateRowsMerged} duplicate(s)` : '',
    repairs.gapRowsFilled > 0 ? `filled ${repairs.gapRowsFilled} row(s) with 0` : '',
  ].filter(Boolean).join(', ');
}

/** Gaps are never silent: kept as they are (the detector takes each row as the next bucket), or filled. */
function reportGaps(file: string, s: SeriesCsv, options: ReadSeriesOptions): void {
  if (s.gaps.length === 0 || s.stepMs === undefined) return;
  const missing = s.gaps.reduce((sum, g) => sum + g.missing, 0);
  const where = s.gaps.slice(0, GAPS_SHOWN).map((g) => `after line ${g.afterLine} (${g.afterTimestamp}, ${g.missing} missing)`).join(', ');
  const more = s.gaps.length > GAPS_SHOWN ? ` and ${s.gaps.length - GAPS_SHOWN} more` : '';
  const head = `${file}: ${s.gaps.length} gap(s) in its ${formatDuration(s.stepMs)} steps, ${missing} bucket(s) missing: ${where}${more}`;
  if (options.fillGaps === 'zero') {
    process.stderr.write(`note: ${head}; filled with ${s.repairs.gapRowsFilled} row(s) of value 0, which are written to the output too\n`);
  } else {
    process.stderr.write(`warning: ${head}. The rows are kept as they are, so the detector takes each row as the next bucket; --repair fill-gaps inserts 0-valued rows instead\n`);
  }
}

// ---- detect score --------------------------------------------------------------------------------

interface Found {
  key: string;
  path: string;
  shown: string;
  rows: number;
  file: CorpusFile;
}

async function detectScore(paths: readonly string[], options: ScoreOptions): Promise<void> {
  const windowsFile = options.windows ?? '';
  const windows = await readWindows(windowsFile);
  const column: ScoreColumn = options.alerts ? 'alert' : 'anomaly_score';
  const profiles: ProfileName[] = options.profile === 'all' ? [...PROFILE_NAMES] : [options.profile];
  const found = new Map<string, Found>();
  const unlabelled: string[] = [];
  const skipped: string[] = [];
  for (const path of paths) {
    const listing = await listFiles(path, isScoredFileName);
    if (listing === undefined) throw new CliError(`${path}: no such file or folder`, 2);
    if (listing.folder && listing.files.length === 0) throw new CliError(`${path}: no *.csv or *.csv.gz files in this folder (or below it)`, 2);
    for (const file of listing.files) {
      const shown = listing.folder ? join(path, file.relative) : file.path;
      const text = await readScoredText(file.path);
      // In a folder, other CSVs (NAB's score sheets beside its results) are passed over, and said so.
      if (listing.folder && scoredColumns(text) === undefined) {
        skipped.push(shown);
        continue;
      }
      const key = windowKeyFor(windows, file.path);
      if (key === undefined) {
        unlabelled.push(shown);
        continue;
      }
      const rows = parseScoredRows(text, shown, column);
      const twin = found.get(key);
      if (twin) throw new CliError(`${shown} and ${twin.shown} are both scores of ${key}: give one of them`, 2);
      found.set(key, { key, path: file.path, shown, rows: rows.scores.length, file: { name: key, timestamps: rows.timestampsMs, scores: rows.scores } });
    }
  }
  if (skipped.length > 0) process.stderr.write(`note: skipped ${skipped.length} file(s) that are not scored series (no timestamp and anomaly_score columns): ${listed(skipped)}\n`);
  if (unlabelled.length > 0) {
    const message = `${unlabelled.length} file(s) have no entry in ${windowsFile}: ${listed(unlabelled)}. ` +
      `A file's path relative to the folder given must be a key of the windows JSON (e.g. ${[...windows.keys()][0] ?? 'realTweets/Twitter_volume_AAPL.csv'}; ` +
      'a detector prefix such as numenta_ and a .rows.csv.gz suffix are taken off)';
    if (!options.ignoreUnlabelled) throw new CliError(`${message}. Give --ignore-unlabelled to score the others`, 2);
    process.stderr.write(`note: left out ${message}\n`);
  }
  if (found.size === 0) throw new CliError(`nothing to score in ${paths.join(' ')}`, 2);
  const absent = [...windows.keys()].filter((key) => !found.has(key));
  if (absent.length > 0) process.stderr.write(`note: scoring ${found.size} of the ${windows.size} file(s) ${windowsFile} labels; not given: ${listed(absent)}\n`);

  const files = [...found.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const scores = profiles.map((profile) => scoreOrExplain(files.map((f) => f.file), windows, profile));
  const tally = scores[0]?.windows ?? { labelled: 0, scored: 0 };
  if (options.json) {
    const view = {
      windows: windowsFile, column, files: files.map((f) => ({ name: f.key, path: f.shown, rows: f.rows })), windowCount: tally,
      profiles: scores.map((s) => ({
        profile: s.profile, threshold: s.threshold, raw: s.raw, normalised: s.normalised,
        perFile: s.perFile.map(({ name, score, tp, tn, fp, fn, total }) => ({ name, score, tp, tn, fp, fn, total })),
      })),
    };
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `NAB v1.1 on ${files.length} file(s) with ${tally.labelled} labelled window(s), scoring the ${column} column; the threshold is optimised on these files per profile\n`,
  );
  process.stdout.write(textTable(['profile', 'threshold', 'raw score', 'normalised'], scores.map((s) => [s.profile, String(s.threshold), s.raw.toFixed(4), s.normalised.toFixed(2)])));
}

async function readWindows(path: string): Promise<NabWindows> {
  try {
    return await loadWindows(path);
  } catch (error) {
    if (error instanceof SyntaxError) throw new CliError(`${path}: not JSON (${error.message}): give NAB's windows JSON, { "<relative path>": [["start", "end"], ...] }`, 2);
    // parseWindows says what is wrong with the file in a plain Error (a file that cannot be read: asUserErrors).
    if (error instanceof Error && error.constructor === Error && (error as NodeJS.ErrnoException).code === undefined) throw new CliError(error.message, 2);
    throw error;
  }
}

/** The scorer's own checks (a window boundary that is no row, rows out of order) are about the files given. */
function scoreOrExplain(files: CorpusFile[], windows: NabWindows, profile: ProfileName): CorpusScore {
  try {
    return scoreCorpus(files, windows, profile);
  } catch (error) {
    if (error instanceof Error && error.constructor === Error) throw new CliError(`cannot score: ${error.message}`, 2);
    throw error;
  }
}

function listed(items: readonly string[], max = 10): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

// ---- errors ----------------------------------------------------------------------------------------

/** Errors the user's files or flags caused, as CliErrors (message, exit code 2, no stack); the rest as they are. */
async function asUserErrors(run: Promise<void>): Promise<void> {
  try {
    await run;
  } catch (error) {
    if (error instanceof SeriesCsvError) {
      throw new CliError(`${error.file}${error.line > 0 ? `:${error.line}` : ''}: ${error.problem}. Fix: ${cliFix(error.fix)}`, 2);
    }
    const fs = error as NodeJS.ErrnoException;
    if (error instanceof Error && typeof fs.code === 'string' && ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EROFS'].includes(fs.code)) {
      throw new CliError(`${fs.path ?? 'file'}: ${fs.code === 'ENOENT' ? 'no such file or folder' : error.message}`, 2);
    }
    throw error;
  }
}

/** The reader's fixes name its options; on the command line they are `--repair` values. */
function cliFix(fix: string): string {
  if (fix.includes('sort: true')) return 'sort the rows by timestamp, or use --repair sort';
  if (fix.includes('duplicates:')) return 'keep one row per timestamp, or use --repair duplicates=sum (add the values), duplicates=first or duplicates=last';
  return fix;
}
