import { readFile } from 'node:fs/promises';
import { findGaps, missingBuckets, modalStep, type SeriesGap } from './gaps.ts';
import { formatTimestamp, timestampStyle } from './parse-timestamp.ts';
import { SeriesCsvError } from './series-csv-error.ts';
import { parseFiniteNumber, parseStrictCsv, parseTimestampCell } from './strict-csv.ts';

/**
 * Repairs, all off by default: without them a file that needs one is refused with a SeriesCsvError.
 * - `sort: true` — sort rows by timestamp (stable) instead of refusing rows out of order.
 * - `duplicates` — rows with the same instant: `'error'` (default) refuses them; `'sum'` adds their
 *   values (counts per bucket), `'first'` / `'last'` keep one. The kept row's timestamp text is the first's.
 * - `fillGaps: 'zero'` — insert a 0-valued row for each missing bucket of the modal step (for count
 *   series, where an absent bucket means nothing happened); `'none'` (default) only reports gaps.
 * Every repair made is counted in `repairs`, and gaps are listed in `gaps` whether filled or not.
 */
export interface ReadSeriesOptions {
  readonly sort?: boolean;
  readonly duplicates?: 'error' | 'sum' | 'first' | 'last';
  readonly fillGaps?: 'none' | 'zero';
}

export interface SeriesRepairs {
  /** Rows that were earlier than the row before them (moved by `sort`). */
  readonly outOfOrderRows: number;
  /** Rows folded into an earlier row with the same instant (by `duplicates`). */
  readonly duplicateRowsMerged: number;
  /** Rows inserted by `fillGaps`. */
  readonly gapRowsFilled: number;
}

export interface SeriesCsv {
  readonly file: string;
  readonly timestampsMs: number[];
  /** Each row's timestamp exactly as written; rows added by `fillGaps` in the first row's style, UTC (`YYYY-MM-DD HH:MM:SS` or `toISOString()`). */
  readonly rawTimestamps: string[];
  readonly values: number[];
  /** Each row's 1-based source line; null for a row added by `fillGaps`. */
  readonly lines: (number | null)[];
  /** The modal spacing in milliseconds (undefined for fewer than two rows). */
  readonly stepMs: number | undefined;
  readonly gaps: SeriesGap[];
  readonly repairs: SeriesRepairs;
}

interface Point {
  line: number | null;
  raw: string;
  ms: number;
  value: number;
}

/** Reads and checks a `timestamp,value` file (see parseSeriesCsv). */
export async function readSeriesCsv(path: string, options: ReadSeriesOptions = {}): Promise<SeriesCsv> {
  return parseSeriesCsv(await readFile(path, 'utf8'), path, options);
}

/** Parses a `timestamp,value` CSV (NAB's format) strictly; `file` names it in errors. */
export function parseSeriesCsv(text: string, file: string, options: ReadSeriesOptions = {}): SeriesCsv {
  const points = parseStrictCsv(text, file, ['timestamp', 'value']).map(({ line, cells }): Point => {
    const [raw = '', value = ''] = cells;
    return { line, raw, ms: parseTimestampCell(raw, file, line), value: parseFiniteNumber(value, file, line, 'value') };
  });
  const outOfOrderRows = checkOrder(points, file, options.sort === true);
  if (outOfOrderRows > 0) points.sort((a, b) => a.ms - b.ms);
  const unique = mergeDuplicates(points, file, options.duplicates ?? 'error');
  const stepMs = modalStep(unique.map((p) => p.ms));
  const gaps = stepMs === undefined ? [] : findGaps(unique.map((p) => p.ms), unique.map((p) => p.line ?? 0), unique.map((p) => p.raw), stepMs);
  const rows = options.fillGaps === 'zero' && stepMs !== undefined ? fillWithZeros(unique, stepMs) : unique;
  return {
    file,
    timestampsMs: rows.map((p) => p.ms),
    rawTimestamps: rows.map((p) => p.raw),
    values: rows.map((p) => p.value),
    lines: rows.map((p) => p.line),
    stepMs,
    gaps,
    repairs: { outOfOrderRows, duplicateRowsMerged: points.length - unique.length, gapRowsFilled: rows.length - unique.length },
  };
}

/** Counts rows earlier than their predecessor; without `sort`, the first one is an error. */
function checkOrder(points: readonly Point[], file: string, sort: boolean): number {
  let outOfOrder = 0;
  for (let i = 1; i < points.length; i++) {
    const [prev, cur] = [points[i - 1] as Point, points[i] as Point];
    if (cur.ms >= prev.ms) continue;
    if (!sort) {
      throw new SeriesCsvError(
        file, cur.line ?? 0, `timestamps are not in order: "${cur.raw}" comes after "${prev.raw}" (line ${prev.line})`,
        'sort the rows by timestamp, or read with { sort: true }',
      );
    }
    outOfOrder++;
  }
  return outOfOrder;
}

function mergeDuplicates(points: readonly Point[], file: string, mode: 'error' | 'sum' | 'first' | 'last'): Point[] {
  const merged: Point[] = [];
  for (const point of points) {
    const kept = merged[merged.length - 1];
    if (kept === undefined || kept.ms !== point.ms) {
      merged.push({ ...point });
      continue;
    }
    if (mode === 'error') {
      throw new SeriesCsvError(
        file, point.line ?? 0, `duplicate timestamp "${point.raw}" (same instant as line ${kept.line})`,
        "keep one row per timestamp, or read with { duplicates: 'sum' } (add the values), 'first' or 'last'",
      );
    }
    if (mode === 'sum') kept.value += point.value;
    if (mode === 'last') kept.value = point.value;
  }
  return merged;
}

function fillWithZeros(points: readonly Point[], stepMs: number): Point[] {
  const style = timestampStyle(points[0]?.raw ?? '') ?? 'iso';
  const filled: Point[] = [];
  for (const point of points) {
    const prev = filled[filled.length - 1];
    const missing = prev === undefined ? 0 : missingBuckets(prev.ms, point.ms, stepMs);
    for (let k = 1; k <= missing && prev !== undefined; k++) {
      const ms = prev.ms + k * stepMs;
      filled.push({ line: null, raw: formatTimestamp(ms, style), ms, value: 0 });
    }
    filled.push(point);
  }
  return filled;
}
