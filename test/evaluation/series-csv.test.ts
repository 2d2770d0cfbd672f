import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatScoredCsv, parseScoredCsv, parseSeriesCsv, type ReadSeriesOptions, readSeriesCsv, SeriesCsvError, writeScoredCsv,
} from '../../src/evaluation/series-csv/index.ts';
import { dataFileNames, NAB_DIR } from './nab-fixtures.ts';

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const minutes = (m: number) => Date.UTC(2015, 1, 26, 21, m);

/** The SeriesCsvError that parsing throws (fails the test when nothing is thrown). */
function errorOf(text: string, options: ReadSeriesOptions = {}): SeriesCsvError {
  try {
    parseSeriesCsv(text, 'tickets.csv', options);
  } catch (error) {
    if (error instanceof SeriesCsvError) return error;
    throw error;
  }
  throw new Error('expected a SeriesCsvError');
}

describe('reading timestamp,value files', () => {
  it('reads every NAB file here; the ELB file has 8 five-minute buckets missing, reported and not filled', async () => {
    for (const name of dataFileNames()) await expect(readSeriesCsv(join(NAB_DIR, 'data', name))).resolves.toBeDefined();
    const elb = await readSeriesCsv(join(NAB_DIR, 'data/realAWSCloudwatch/elb_request_count_8c0756.csv'));
    expect(elb.values).toHaveLength(4032);
    expect([elb.rawTimestamps[0], elb.values[0], elb.timestampsMs[0]]).toEqual(['2014-04-10 00:04:00', 94, Date.UTC(2014, 3, 10, 0, 4)]);
    expect(elb.stepMs).toBe(300_000);
    expect(elb.gaps).toHaveLength(8);
    expect(elb.gaps.every((gap) => gap.missing === 1)).toBe(true);
    expect(elb.repairs).toEqual({ outOfOrderRows: 0, duplicateRowsMerged: 0, gapRowsFilled: 0 });
  });

  it('accepts ISO 8601 (Z, offsets, fractions, dates), CRLF, a BOM and no final newline', () => {
    const text = '\uFEFFtimestamp,value\r\n2015-02-26T21:42:53Z,1\r\n2015-02-26T22:47:53+01:00,2\r\n2015-02-26T21:52:53.250,3.5\r\n2015-02-27,-4e2';
    const series = parseSeriesCsv(text, 'iso.csv');
    expect(series.timestampsMs).toEqual([Date.UTC(2015, 1, 26, 21, 42, 53), Date.UTC(2015, 1, 26, 21, 47, 53), Date.UTC(2015, 1, 26, 21, 52, 53, 250), Date.UTC(2015, 1, 27)]);
    expect(series.values).toEqual([1, 2, 3.5, -400]);
    expect(series.rawTimestamps[1]).toBe('2015-02-26T22:47:53+01:00');
    expect(series.lines).toEqual([2, 3, 4, 5]);
  });

  it.each([
    ['an empty file', '', 1, /the file is empty/, /start the file with the header line "timestamp,value"/],
    ['a missing header', csv('2015-02-26 21:42:53,53'), 1, /the header is missing \(line 1 is a data row/, /insert the line "timestamp,value" before it/],
    ['an odd header', csv('time,count', '2015-02-26 21:42:53,53'), 1, /unexpected header "time,count"/, /exactly "timestamp,value"/],
    ['an extra header column', csv('timestamp,value,label'), 1, /unexpected header/, /these column names, in this order/],
    ['a non-numeric value', csv('timestamp,value', '2015-02-26 21:42:53,53', '2015-02-26 21:47:53,lots'), 3, /value "lots" is not a number/, /finite decimal number/],
    ['an empty value', csv('timestamp,value', '2015-02-26 21:42:53,'), 2, /value "" is not a number/, /finite decimal number/],
    ['NaN', csv('timestamp,value', '2015-02-26 21:42:53,NaN'), 2, /value "NaN" is not a number/, /finite decimal number/],
    ['Infinity', csv('timestamp,value', '2015-02-26 21:42:53,Infinity'), 2, /value "Infinity" is not a number/, /finite/],
    ['an overflowing value', csv('timestamp,value', '2015-02-26 21:42:53,1e400'), 2, /value "1e400" is too large to be a finite number/, /finite/],
    ['an unparseable timestamp', csv('timestamp,value', '26/02/2015 21:42,53'), 2, /unparseable timestamp "26\/02\/2015 21:42"/, /"YYYY-MM-DD HH:MM:SS" \(NAB, read as UTC\) or ISO 8601/],
    ['an impossible date', csv('timestamp,value', '2015-02-29 21:42:53,53'), 2, /unparseable timestamp "2015-02-29 21:42:53"/, /ISO 8601/],
    ['a duplicate timestamp', csv('timestamp,value', '2015-02-26 21:42:53,1', '2015-02-26T21:42:53Z,2'), 3, /duplicate timestamp "2015-02-26T21:42:53Z" \(same instant as line 2\)/, /\{ duplicates: 'sum' \}/],
    ['unsorted timestamps', csv('timestamp,value', '2015-02-26 21:47:53,1', '2015-02-26 21:42:53,2'), 3, /not in order: "2015-02-26 21:42:53" comes after "2015-02-26 21:47:53" \(line 2\)/, /\{ sort: true \}/],
    ['a quoted field', csv('timestamp,value', '"2015-02-26 21:42:53",1'), 2, /quoted fields are not supported/, /remove the quotes/],
    ['a missing field', csv('timestamp,value', '2015-02-26 21:42:53'), 2, /expected 2 fields \(timestamp,value\), found 1/, /write each row as "timestamp,value"/],
    ['an empty line inside', csv('timestamp,value', '2015-02-26 21:42:53,1', '', '2015-02-26 21:47:53,1'), 3, /empty line inside the data/, /remove the empty line/],
  ])('refuses %s, naming file, line and fix', (_, text, line, problem, fix) => {
    const error = errorOf(text);
    expect(error.file).toBe('tickets.csv');
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.fix).toMatch(fix);
    expect(error.message).toBe(`tickets.csv:${line}: ${error.problem}. Fix: ${error.fix}`);
  });
});

describe('repairs (off by default, always counted)', () => {
  const unsorted = csv('timestamp,value', '2015-02-26T21:10Z,3', '2015-02-26T21:00Z,1', '2015-02-26T21:05Z,2', '2015-02-26T21:00Z,5');

  it('sort: true sorts stably by time and keeps each row\'s line', () => {
    const series = parseSeriesCsv(csv('timestamp,value', '2015-02-26T21:10Z,3', '2015-02-26T21:00Z,1', '2015-02-26T21:05Z,2'), 'a.csv', { sort: true });
    expect(series.values).toEqual([1, 2, 3]);
    expect(series.lines).toEqual([3, 4, 2]);
    expect(series.repairs.outOfOrderRows).toBe(1);
  });

  it('duplicates: sum adds, first and last keep one (the first row\'s timestamp text)', () => {
    expect(errorOf(unsorted, { sort: true }).problem).toMatch(/duplicate timestamp "2015-02-26T21:00Z" \(same instant as line 3\)/);
    const summed = parseSeriesCsv(unsorted, 'a.csv', { sort: true, duplicates: 'sum' });
    expect([summed.values, summed.lines, summed.repairs.duplicateRowsMerged]).toEqual([[6, 2, 3], [3, 4, 2], 1]);
    expect(parseSeriesCsv(unsorted, 'a.csv', { sort: true, duplicates: 'first' }).values).toEqual([1, 2, 3]);
    expect(parseSeriesCsv(unsorted, 'a.csv', { sort: true, duplicates: 'last' }).values).toEqual([5, 2, 3]);
  });

  it('reports gaps at the modal step, and fillGaps: zero fills them in the file\'s spelling', () => {
    const text = csv('timestamp,value', '2015-02-26 21:00:00,1', '2015-02-26 21:05:00,2', '2015-02-26 21:20:00,3', '2015-02-26 21:25:00,4', '2015-02-26 21:35:00,5');
    const reported = parseSeriesCsv(text, 'a.csv');
    expect(reported.stepMs).toBe(300_000);
    expect(reported.gaps).toEqual([{ afterLine: 3, afterTimestamp: '2015-02-26 21:05:00', missing: 2 }, { afterLine: 5, afterTimestamp: '2015-02-26 21:25:00', missing: 1 }]);
    expect(reported.values).toEqual([1, 2, 3, 4, 5]);
    const filled = parseSeriesCsv(text, 'a.csv', { fillGaps: 'zero' });
    expect(filled.rawTimestamps).toEqual(['2015-02-26 21:00:00', '2015-02-26 21:05:00', '2015-02-26 21:10:00', '2015-02-26 21:15:00', '2015-02-26 21:20:00', '2015-02-26 21:25:00', '2015-02-26 21:30:00', '2015-02-26 21:35:00']);
    expect(filled.values).toEqual([1, 2, 0, 0, 3, 4, 0, 5]);
    expect(filled.lines).toEqual([2, 3, null, null, 4, 5, null, 6]);
    expect(filled.timestampsMs).toEqual([0, 5, 10, 15, 20, 25, 30, 35].map((m) => minutes(m)));
    expect(filled.gaps).toEqual(reported.gaps);
    expect(filled.repairs.gapRowsFilled).toBe(3);
  });

  it('fills ISO files with ISO timestamps and leaves spacing shorter than the step alone', () => {
    const filled = parseSeriesCsv(csv('timestamp,value', '2015-02-26T21:00Z,1', '2015-02-26T21:05Z,1', '2015-02-26T21:10Z,1', '2015-02-26T21:12Z,1', '2015-02-26T21:20Z,1'), 'a.csv', { fillGaps: 'zero' });
    expect(filled.rawTimestamps.slice(3)).toEqual(['2015-02-26T21:12Z', '2015-02-26T21:17:00.000Z', '2015-02-26T21:20Z']);
  });
});

describe('writing scored files', () => {
  const scored = { rawTimestamps: ['2015-02-26 21:42:53', '2015-02-26T21:47:53Z'], values: [53, 0.1], anomalyScores: [0.0301029996659, 1], alerts: [false, true] };

  it('writes timestamp,value,anomaly_score,alert with timestamps as read and alerts as 1/0', () => {
    expect(formatScoredCsv(scored)).toBe('timestamp,value,anomaly_score,alert\n2015-02-26 21:42:53,53,0.0301029996659,0\n2015-02-26T21:47:53Z,0.1,1,1\n');
  });

  it('round-trips exactly, through a file too', async () => {
    const series = await readSeriesCsv(join(NAB_DIR, 'data/realKnownCause/nyc_taxi.csv'));
    const anomalyScores = series.values.map((v, i) => (v * 0.7 + i) / 1e5 / 3);
    const out = { rawTimestamps: series.rawTimestamps, values: series.values, anomalyScores, alerts: anomalyScores.map((s) => s > 0.03) };
    const dir = await mkdtemp(join(tmpdir(), 'frontline-scored-'));
    try {
      await writeScoredCsv(join(dir, 'scored.csv'), out);
      const back = parseScoredCsv(await readFile(join(dir, 'scored.csv'), 'utf8'), 'scored.csv');
      expect(back).toEqual({ ...out, timestampsMs: series.timestampsMs });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it could not read back', () => {
    expect(() => formatScoredCsv({ ...scored, alerts: [true] })).toThrow(/differ in length: 2 timestamps, 2 values, 2 scores, 1 alerts/);
    expect(() => formatScoredCsv({ ...scored, rawTimestamps: ['2015-02-26,21:42', 'x'] })).toThrow(/row 0: timestamp .* contains a comma/);
    expect(() => formatScoredCsv({ ...scored, anomalyScores: [Number.NaN, 1] })).toThrow(/row 0 .* must be finite/);
    expect(() => parseScoredCsv(csv('timestamp,value,anomaly_score,alert', '2015-02-26 21:42:53,1,0.5,yes'), 's.csv')).toThrow('s.csv:2: alert "yes" is not 0 or 1');
    expect(() => parseScoredCsv(csv('timestamp,value,anomaly_score,alert', '2015-02-26 21:42:53,1,0.5,1', '2015-02-26 21:42:53,1,0.5,1'), 's.csv')).toThrow(/s\.csv:3: .* not after the previous row's/);
  });
});
