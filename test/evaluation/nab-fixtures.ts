import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { CorpusFile, FileScore, ProfileName } from '../../src/evaluation/nab-scorer/index.ts';

/** NAB's count subset and its published results, as shipped in bench/data/nab (README there). */
export const NAB_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../bench/data/nab');
export const NAB_DETECTORS = ['numenta', 'twitterADVec'] as const;
export type NabDetector = (typeof NAB_DETECTORS)[number];

/** One published per-row results file: NAB's `timestamp,anomaly_score,label` (label 1 inside a window). */
export interface GoldenRows extends CorpusFile {
  readonly timestamps: string[];
  readonly labels: number[];
}

export function dataFileNames(): string[] {
  return Object.keys(JSON.parse(readFileSync(join(NAB_DIR, 'labels/count_subset_windows.json'), 'utf8')) as object).sort();
}

export function readGoldenRows(detector: NabDetector, name: string): GoldenRows {
  const path = join(NAB_DIR, 'golden/results', detector, dirname(name), `${detector}_${basename(name, '.csv')}.rows.csv.gz`);
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split(/\r?\n/);
  if (lines[0] !== 'timestamp,anomaly_score,label') throw new Error(`${path}: unexpected header ${lines[0]}`);
  const rows = { name, timestamps: [] as string[], scores: [] as number[], labels: [] as number[] };
  for (const line of lines.slice(1)) {
    const [timestamp = '', score = '', label = ''] = line.split(',');
    rows.timestamps.push(timestamp);
    rows.scores.push(Number(score));
    rows.labels.push(Number(label));
  }
  return rows;
}

/** A row of NAB's `<detector>_<profile>_scores.csv`: a file's score at a threshold, as the port reports it. */
export type SheetRow = Omit<FileScore, 'name'> & { readonly file: string };

export function readScoreSheet(detector: NabDetector, profile: ProfileName): SheetRow[] {
  const text = readFileSync(join(NAB_DIR, 'golden/results', detector, `${detector}_${profile}_scores.csv`), 'utf8');
  const [header, ...lines] = text.trimEnd().split('\n');
  if (header?.trim() !== 'Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count') throw new Error(`unexpected sheet header ${header}`);
  return lines.map((line) => line.trim().split(',')).filter((cells) => cells[0] !== 'Totals').map((cells) => {
    const [, , file = '', threshold, score, tp, tn, fp, fn, total] = cells;
    return { file, threshold: Number(threshold), score: Number(score), tp: Number(tp), tn: Number(tn), fp: Number(fp), fn: Number(fn), total: Number(total) };
  });
}
