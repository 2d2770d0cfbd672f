import type { WindowTally } from './normalise.ts';
import { normaliseScore } from './normalise.ts';
import { optimiseThreshold } from './optimise-threshold.ts';
import { costMatrix, type ProfileName } from './profiles.ts';
import { type CorpusFile, type FileScore, scoreFileAtThreshold, type SweptFile, sweepFile } from './score-file.ts';
import type { NabWindows } from './windows.ts';

export interface CorpusScore {
  readonly profile: ProfileName;
  readonly threshold: number;
  /** Σ of the per-file scores at the threshold (NAB's "Totals" row). */
  readonly raw: number;
  readonly normalised: number;
  readonly windows: WindowTally;
  readonly perFile: FileScore[];
}

export interface ScoreOptions {
  /** Share of each file that is probation; NAB's default 0.15. */
  readonly probationPercent?: number;
}

/**
 * NAB's full pipeline for one detector and profile: optimise the threshold over these files (as
 * nab/optimizer.py does over its whole corpus, so the threshold is tuned on the data it scores), then
 * score each file at it (nab/scorer.py) and normalise the total (nab/runner.py).
 */
export function scoreCorpus(files: readonly CorpusFile[], windows: NabWindows, profile: ProfileName, options: ScoreOptions = {}): CorpusScore {
  const matrix = costMatrix(profile);
  const swept = sweepAll(files, windows, profile, options);
  return tally(swept, optimiseThreshold(swept, matrix).threshold, profile);
}

/** Scores the files at a fixed threshold (a row is detected when its score >= threshold). */
export function scoreAtThreshold(files: readonly CorpusFile[], windows: NabWindows, profile: ProfileName, threshold: number, options: ScoreOptions = {}): CorpusScore {
  return tally(sweepAll(files, windows, profile, options), threshold, profile);
}

function sweepAll(files: readonly CorpusFile[], windows: NabWindows, profile: ProfileName, options: ScoreOptions): SweptFile[] {
  const names = new Set<string>();
  return files.map((file) => {
    if (names.has(file.name)) throw new Error(`${file.name}: given twice`);
    names.add(file.name);
    return sweepFile(file, windows, costMatrix(profile), options.probationPercent);
  });
}

function tally(swept: readonly SweptFile[], threshold: number, profile: ProfileName): CorpusScore {
  const matrix = costMatrix(profile);
  const perFile = swept.map((file) => scoreFileAtThreshold(file, threshold, matrix));
  const raw = perFile.reduce((sum, file) => sum + file.score, 0);
  const windows = {
    labelled: swept.reduce((sum, file) => sum + file.windowCount, 0),
    scored: swept.reduce((sum, file) => sum + file.scored.filter(Boolean).length, 0),
  };
  return { profile, threshold, raw, normalised: normaliseScore(raw, matrix, windows), windows, perFile };
}
