import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_DETECTOR_SETTINGS, type DetectorSettings, WEEK_MS } from '../../src/domain/detect/detector-settings.ts';
import type { Action } from '../../src/domain/detect/detector-state.ts';
import { SeriesBuffer } from '../../src/domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../src/domain/detect/series-detector.ts';
import {
  type CorpusFile, costMatrix, loadWindows, type NabWindows, PROFILE_NAMES, type ProfileName, scoreAtThreshold, scoreCorpus, sweepFile,
} from '../../src/evaluation/nab-scorer/index.ts';
import { parseTimestamp, readSeriesCsv } from '../../src/evaluation/series-csv/index.ts';

/**
 * The product detector on NAB's count subset (bench/data/nab): every file streamed row by row as it
 * is (no gap filling: NAB scores rows), bucket = the file's modal step, anomaly score = decision.score;
 * scored with the NAB port at the best threshold per profile (tuned in-sample, as NAB does), with the
 * product's own alerts (1 on rows that open an episode), and next to NAB's published per-row results
 * of numenta and twitterADVec scored by the same code. A 2-fold cross-file check chooses the threshold
 * on one half of the files and scores the other half at it.
 */
export const NAB_REFERENCES = ['numenta', 'twitterADVec'] as const;

interface Rows extends CorpusFile {
  readonly timestamps: number[];
  readonly scores: number[];
}

export interface FalseAlarms {
  /** Detected rows after probation outside every window. */
  rows: number;
  /** The same, counting a run of consecutive detected rows once. */
  runs: number;
  /** Post-probation span of the files, in weeks. */
  fileWeeks: number;
  rowsPerFileWeek: number;
  runsPerFileWeek: number;
  perFile: { name: string; rows: number; runs: number; fileWeeks: number }[];
}

export interface ProfileResult {
  threshold: number;
  raw: number;
  normalised: number;
  falseAlarms: FalseAlarms;
}

export interface CrossFold {
  /** Chosen on this half (optimised on it alone)... */
  chosenOn: string[];
  threshold: number;
  /** ...scored on the other half at that threshold. */
  scoredOn: string[];
  normalised: number;
  /** The other half's own in-sample (optimised on itself) score, for comparison. */
  inSampleOfScoredHalf: number;
}

export interface CrossFile {
  folds: [CrossFold, CrossFold];
  mean: number;
  inSample: number;
}

export interface DetectorResult {
  profiles: Record<ProfileName, ProfileResult>;
  crossFile: Record<ProfileName, CrossFile>;
}

export interface NabFileRun {
  name: string;
  rows: number;
  bucketMs: number;
  gaps: number;
  windows: number;
  actions: Partial<Record<Action, number>>;
  ms: number;
}

export interface NabReport {
  settings: Omit<DetectorSettings, 'bucketMs'> & { bucketMs: 'modal step of each file' };
  files: NabFileRun[];
  halves: [string[], string[]];
  frontline: DetectorResult;
  /** Score 1 on rows whose decision opened an episode, scored at threshold 1 (no threshold to tune). */
  alerts: { profiles: Record<ProfileName, ProfileResult> };
  references: Record<(typeof NAB_REFERENCES)[number], DetectorResult>;
}

export async function measureNab(nabDir: string, log: (line: string) => void): Promise<NabReport> {
  const windows = await loadWindows(join(nabDir, 'labels/count_subset_windows.json'));
  const names = [...windows.keys()].sort();
  const frontline: Rows[] = [];
  const alerts: Rows[] = [];
  const runs: NabFileRun[] = [];
  for (const name of names) {
    const csv = await readSeriesCsv(join(nabDir, 'data', name));
    const bucketMs = csv.stepMs ?? DEFAULT_DETECTOR_SETTINGS.bucketMs;
    const started = performance.now();
    const detector = new SeriesDetector({ ...DEFAULT_DETECTOR_SETTINGS, bucketMs }, csv.timestampsMs[0] ?? 0, undefined, new SeriesBuffer(csv.values.length));
    const scores: number[] = [];
    const opened: number[] = [];
    const actions: Partial<Record<Action, number>> = {};
    for (const value of csv.values) {
      const decision = detector.observe(value);
      scores.push(decision.score);
      opened.push(decision.action === 'open' ? 1 : 0);
      actions[decision.action] = (actions[decision.action] ?? 0) + 1;
    }
    const ms = performance.now() - started;
    frontline.push({ name, timestamps: csv.timestampsMs, scores });
    alerts.push({ name, timestamps: csv.timestampsMs, scores: opened });
    runs.push({ name, rows: csv.values.length, bucketMs, gaps: csv.gaps.length, windows: windows.get(name)?.length ?? 0, actions, ms });
    log(`  ${name}: ${csv.values.length} rows at ${bucketMs / 60_000} min, ${actions.open ?? 0} episodes opened (${ms.toFixed(0)} ms)`);
  }

  const halves = splitHalves(names);
  const references = {} as Record<(typeof NAB_REFERENCES)[number], DetectorResult>;
  for (const detector of NAB_REFERENCES) {
    const rows = await Promise.all(frontline.map((file) => readGolden(nabDir, detector, file.name, file.timestamps)));
    references[detector] = evaluate(rows, windows, halves);
  }
  const alertProfiles = Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, atThreshold(alerts, windows, profile, 1)])) as Record<ProfileName, ProfileResult>;
  return {
    settings: { ...DEFAULT_DETECTOR_SETTINGS, bucketMs: 'modal step of each file' },
    files: runs,
    halves,
    frontline: evaluate(frontline, windows, halves),
    alerts: { profiles: alertProfiles },
    references,
  };
}

/** Alternate by sorted name; nyc_taxi and the ELB file (the two non-Twitter series) must land in different halves. */
function splitHalves(names: readonly string[]): [string[], string[]] {
  const a = names.filter((_, i) => i % 2 === 0);
  const b = names.filter((_, i) => i % 2 === 1);
  const taxi = names.find((n) => n.includes('nyc_taxi'));
  const elb = names.find((n) => n.includes('elb_'));
  if (taxi !== undefined && elb !== undefined && a.includes(taxi) === a.includes(elb)) throw new Error('nyc_taxi and the ELB file fell into the same half');
  return [a, b];
}

function evaluate(files: readonly Rows[], windows: NabWindows, halves: [string[], string[]]): DetectorResult {
  const profiles = {} as Record<ProfileName, ProfileResult>;
  const crossFile = {} as Record<ProfileName, CrossFile>;
  const half = (names: readonly string[]): Rows[] => files.filter((f) => names.includes(f.name));
  for (const profile of PROFILE_NAMES) {
    const inSample = scoreCorpus(files, windows, profile);
    profiles[profile] = atThreshold(files, windows, profile, inSample.threshold);
    const fold = (chosenOn: string[], scoredOn: string[]): CrossFold => {
      const chosen = scoreCorpus(half(chosenOn), windows, profile);
      return {
        chosenOn, threshold: chosen.threshold, scoredOn,
        normalised: scoreAtThreshold(half(scoredOn), windows, profile, chosen.threshold).normalised,
        inSampleOfScoredHalf: scoreCorpus(half(scoredOn), windows, profile).normalised,
      };
    };
    const folds: [CrossFold, CrossFold] = [fold(halves[0], halves[1]), fold(halves[1], halves[0])];
    crossFile[profile] = { folds, mean: (folds[0].normalised + folds[1].normalised) / 2, inSample: inSample.normalised };
  }
  return { profiles, crossFile };
}

function atThreshold(files: readonly Rows[], windows: NabWindows, profile: ProfileName, threshold: number): ProfileResult {
  const scored = scoreAtThreshold(files, windows, profile, threshold);
  return { threshold, raw: scored.raw, normalised: scored.normalised, falseAlarms: falseAlarms(files, windows, profile, threshold) };
}

/** Detected rows outside windows after probation (what NAB counts as FP), per week of scored file time. */
function falseAlarms(files: readonly Rows[], windows: NabWindows, profile: ProfileName, threshold: number): FalseAlarms {
  const perFile = files.map((file) => {
    const swept = sweepFile(file, windows, costMatrix(profile));
    let rows = 0;
    let runs = 0;
    let previous = false;
    for (let i = swept.probation; i < file.scores.length; i++) {
      const alarm = (file.scores[i] ?? 0) >= threshold && (swept.windowOf[i] ?? -1) < 0;
      if (alarm) rows++;
      if (alarm && !previous) runs++;
      previous = alarm;
    }
    const n = file.timestamps.length;
    const step = n > 1 ? ((file.timestamps[n - 1] ?? 0) - (file.timestamps[0] ?? 0)) / (n - 1) : 0;
    return { name: file.name, rows, runs, fileWeeks: ((file.timestamps[n - 1] ?? 0) - (file.timestamps[swept.probation] ?? 0) + step) / WEEK_MS };
  });
  const rows = perFile.reduce((sum, f) => sum + f.rows, 0);
  const runs = perFile.reduce((sum, f) => sum + f.runs, 0);
  const weeks = perFile.reduce((sum, f) => sum + f.fileWeeks, 0);
  return { rows, runs, fileWeeks: weeks, rowsPerFileWeek: rows / weeks, runsPerFileWeek: runs / weeks, perFile };
}

/** NAB's published per-row results (`timestamp,anomaly_score,label`, gzip), checked against the data file's rows. */
async function readGolden(nabDir: string, detector: string, name: string, timestampsMs: readonly number[]): Promise<Rows> {
  const path = join(nabDir, 'golden/results', detector, dirname(name), `${detector}_${basename(name, '.csv')}.rows.csv.gz`);
  const lines = gunzipSync(await readFile(path)).toString('utf8').trimEnd().split(/\r?\n/);
  if (lines[0] !== 'timestamp,anomaly_score,label') throw new Error(`${path}: unexpected header ${lines[0]}`);
  const timestamps: number[] = [];
  const scores: number[] = [];
  for (const line of lines.slice(1)) {
    const [timestamp = '', score = ''] = line.split(',');
    timestamps.push(parseTimestamp(timestamp) ?? Number.NaN);
    scores.push(Number(score));
  }
  if (timestamps.length !== timestampsMs.length || timestamps.some((t, i) => t !== timestampsMs[i])) throw new Error(`${path}: rows differ from the data file's`);
  return { name, timestamps, scores };
}
