import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SeriesCsvError } from '../series-csv/series-csv-error.ts';
import { parseFiniteNumber, parseStrictCsv, parseTimestampCell } from '../series-csv/strict-csv.ts';

/**
 * Scored series as detectors write them, for NAB's scorer. Three layouts, told apart by the header:
 * - Frontline's `timestamp,value,anomaly_score,alert` (`frontline detect csv`);
 * - NAB's results `timestamp,value,anomaly_score,label` (NAB's own files may add more columns, e.g.
 *   raw_score and S(t)_<profile>; they are ignored);
 * - NAB's published per-row results `timestamp,anomaly_score,label`, usually gzipped (`*.rows.csv.gz`).
 * What is needed is a `timestamp` and an `anomaly_score` column (or `alert` for the product's alerts).
 */
export type ScoreColumn = 'anomaly_score' | 'alert';

export interface ScoredRows {
  readonly timestampsMs: number[];
  readonly scores: number[];
}

/** File names that may hold a scored series: `.csv`, or `.csv.gz` (gzip, by extension). */
export const isScoredFileName = (name: string): boolean => name.endsWith('.csv') || name.endsWith('.csv.gz');

/** The file's text, gunzipped when its name ends in `.gz`. */
export async function readScoredText(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (!path.endsWith('.gz')) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw new SeriesCsvError(path, 0, `not gzip data (${(error as Error).message})`, 'name a plain CSV file .csv; only .gz files are gunzipped');
  }
}

/** The header's column names when it is a scored layout (has timestamp and anomaly_score), else undefined. */
export function scoredColumns(text: string): string[] | undefined {
  const first = text.replace(/^\uFEFF/, '').split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  const columns = first.split(',');
  return columns.includes('timestamp') && columns.includes('anomaly_score') ? columns : undefined;
}

/** Timestamps and the chosen column of a scored file, strictly: rows in increasing time, finite scores, alerts 0 or 1. */
export function parseScoredRows(text: string, file: string, column: ScoreColumn): ScoredRows {
  const columns = scoredColumns(text);
  if (columns === undefined) {
    const first = text.replace(/^\uFEFF/, '').split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
    throw new SeriesCsvError(file, 1, `not a scored series: the header "${first}" has no timestamp and anomaly_score columns`, 'give files with a header like "timestamp,value,anomaly_score,alert" (frontline detect csv) or NAB\'s "timestamp,value,anomaly_score,label"');
  }
  const at = columns.indexOf('timestamp');
  const wanted = columns.indexOf(column);
  if (wanted < 0) {
    throw new SeriesCsvError(file, 1, `there is no ${column} column (header "${columns.join(',')}")`, 'score the alert column only of files written by `frontline detect csv` (leave out --alerts for the others)');
  }
  const rows = parseStrictCsv(text, file, columns);
  const result: ScoredRows = { timestampsMs: [], scores: [] };
  for (const { line, cells } of rows) {
    const raw = cells[at] ?? '';
    const ms = parseTimestampCell(raw, file, line);
    const prev = result.timestampsMs[result.timestampsMs.length - 1];
    if (prev !== undefined && ms <= prev) {
      throw new SeriesCsvError(file, line, `timestamp "${raw}" is not after the previous row's`, 'NAB scores rows in strictly increasing time: write one row per timestamp, in order');
    }
    const cell = cells[wanted] ?? '';
    if (column === 'alert' && cell !== '0' && cell !== '1') throw new SeriesCsvError(file, line, `alert "${cell}" is not 0 or 1`, 'write 1 for an alert and 0 otherwise');
    result.timestampsMs.push(ms);
    result.scores.push(parseFiniteNumber(cell, file, line, column));
  }
  return result;
}

/** The data file a scored file is for: `.rows.csv.gz` and `.csv.gz` become `.csv`. */
export function dataFileName(name: string): string {
  for (const suffix of ['.rows.csv.gz', '.csv.gz', '.rows.csv']) if (name.endsWith(suffix)) return `${name.slice(0, -suffix.length)}.csv`;
  return name;
}

/**
 * The windows-JSON key a scored file is for: the longest tail of its path (folders, then the file
 * name) that is a key, the file name as it is or without a detector prefix (`numenta_`, `twitterADVec_`:
 * what NAB's results put before the data file's name), after `dataFileName`. Undefined when none is.
 */
export function windowKeyFor(keys: { has(key: string): boolean }, path: string): string | undefined {
  const parts = resolve(path).split(sep).filter((part) => part !== '');
  const base = dataFileName(parts.pop() ?? '');
  const bases = [base];
  for (let i = base.indexOf('_'); i >= 0 && i < base.length - 1; i = base.indexOf('_', i + 1)) bases.push(base.slice(i + 1));
  for (let start = 0; start <= parts.length; start++) {
    const dir = parts.slice(start).join('/');
    for (const name of bases) {
      const key = dir === '' ? name : `${dir}/${name}`;
      if (keys.has(key)) return key;
    }
  }
  return undefined;
}
