import { writeFile } from 'node:fs/promises';
import { SeriesCsvError } from './series-csv-error.ts';
import { parseFiniteNumber, parseStrictCsv, parseTimestampCell } from './strict-csv.ts';

export const SCORED_HEADER = ['timestamp', 'value', 'anomaly_score', 'alert'] as const;

/** A scored series, column-wise; `rawTimestamps` are written exactly as given (as read from the input). */
export interface ScoredSeries {
  readonly rawTimestamps: readonly string[];
  readonly values: readonly number[];
  readonly anomalyScores: readonly number[];
  readonly alerts: readonly boolean[];
}

/**
 * `timestamp,value,anomaly_score,alert` text (alert as 1/0, LF line ends). Numbers are written in
 * JavaScript's shortest round-tripping form, so reading the file back gives the same doubles.
 */
export function formatScoredCsv(series: ScoredSeries): string {
  const n = series.rawTimestamps.length;
  if (series.values.length !== n || series.anomalyScores.length !== n || series.alerts.length !== n) {
    throw new RangeError(`scored series columns differ in length: ${n} timestamps, ${series.values.length} values, ${series.anomalyScores.length} scores, ${series.alerts.length} alerts`);
  }
  const out: string[] = [SCORED_HEADER.join(',')];
  for (let i = 0; i < n; i++) {
    const raw = series.rawTimestamps[i] ?? '';
    const value = series.values[i] ?? Number.NaN;
    const score = series.anomalyScores[i] ?? Number.NaN;
    if (/[,"\r\n]/.test(raw)) throw new RangeError(`row ${i}: timestamp ${JSON.stringify(raw)} contains a comma, quote or line break`);
    if (!Number.isFinite(value) || !Number.isFinite(score)) throw new RangeError(`row ${i} (${raw}): value ${value} and anomaly score ${score} must be finite`);
    out.push(`${raw},${value},${score},${series.alerts[i] === true ? 1 : 0}`);
  }
  return `${out.join('\n')}\n`;
}

export async function writeScoredCsv(path: string, series: ScoredSeries): Promise<void> {
  await writeFile(path, formatScoredCsv(series), 'utf8');
}

/** Reads back what formatScoredCsv writes, as strictly as the series reader (rows must be in order). */
export function parseScoredCsv(text: string, file: string): ScoredSeries & { timestampsMs: number[] } {
  const rows = parseStrictCsv(text, file, SCORED_HEADER);
  const result = { rawTimestamps: [] as string[], timestampsMs: [] as number[], values: [] as number[], anomalyScores: [] as number[], alerts: [] as boolean[] };
  for (const { line, cells } of rows) {
    const [raw = '', value = '', score = '', alert = ''] = cells;
    const ms = parseTimestampCell(raw, file, line);
    const prev = result.timestampsMs[result.timestampsMs.length - 1];
    if (prev !== undefined && ms <= prev) throw new SeriesCsvError(file, line, `timestamp "${raw}" is not after the previous row's`, 'write rows in increasing time order, one per timestamp');
    if (alert !== '0' && alert !== '1') throw new SeriesCsvError(file, line, `alert "${alert}" is not 0 or 1`, 'write 1 for an alert and 0 otherwise');
    result.rawTimestamps.push(raw);
    result.timestampsMs.push(ms);
    result.values.push(parseFiniteNumber(value, file, line, 'value'));
    result.anomalyScores.push(parseFiniteNumber(score, file, line, 'anomaly_score'));
    result.alerts.push(alert === '1');
  }
  return result;
}
