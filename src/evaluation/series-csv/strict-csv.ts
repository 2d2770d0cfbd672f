import { parseTimestamp } from './parse-timestamp.ts';
import { SeriesCsvError } from './series-csv-error.ts';

/** One data line of a strict CSV file: its 1-based line number and its cells, exactly as written. */
export interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/**
 * Splits a plain comma-separated file with a fixed header. Deliberately strict: series files need no
 * quoting, so a quote is refused rather than half-understood; no cell is trimmed (a timestamp is kept
 * exactly as read). Accepts LF or CRLF, a leading BOM and empty lines at the very end only.
 */
export function parseStrictCsv(text: string, file: string, header: readonly string[]): CsvRow[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const expected = header.join(',');
  const first = lines[0];
  if (first === undefined) throw new SeriesCsvError(file, 1, 'the file is empty (no header line)', `start the file with the header line "${expected}"`);
  checkHeader(first, file, header);
  const rows: CsvRow[] = [];
  for (let index = 1; index < lines.length; index++) {
    const text = lines[index] ?? '';
    const line = index + 1;
    if (text === '') throw new SeriesCsvError(file, line, 'empty line inside the data', 'remove the empty line');
    if (text.includes('"')) {
      throw new SeriesCsvError(file, line, 'quoted fields are not supported', 'remove the quotes: values are plain numbers and timestamps contain no commas');
    }
    const cells = text.split(',');
    if (cells.length !== header.length) {
      throw new SeriesCsvError(file, line, `expected ${header.length} fields (${expected}), found ${cells.length}`, `write each row as "${expected}"`);
    }
    rows.push({ line, cells });
  }
  return rows;
}

function checkHeader(first: string, file: string, header: readonly string[]): void {
  const expected = header.join(',');
  if (first === expected) return;
  const firstCell = first.split(',')[0] ?? '';
  if (parseTimestamp(firstCell) !== undefined) {
    throw new SeriesCsvError(file, 1, `the header is missing (line 1 is a data row: "${first}")`, `insert the line "${expected}" before it`);
  }
  throw new SeriesCsvError(file, 1, `unexpected header "${first}"`, `make the first line exactly "${expected}" (these column names, in this order)`);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, or a SeriesCsvError naming the column (no NaN, Infinity, hex or blanks). */
export function parseFiniteNumber(text: string, file: string, line: number, column: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (Number.isFinite(value)) return value;
  const problem = DECIMAL.test(text) ? `${column} "${text}" is too large to be a finite number` : `${column} "${text}" is not a number`;
  throw new SeriesCsvError(file, line, problem, `write a finite decimal number (e.g. 42 or 0.5) in the ${column} column`);
}

/** Epoch milliseconds of a timestamp cell, or a SeriesCsvError saying which spellings are accepted. */
export function parseTimestampCell(text: string, file: string, line: number): number {
  const ms = parseTimestamp(text);
  if (ms !== undefined) return ms;
  throw new SeriesCsvError(
    file, line, `unparseable timestamp "${text}"`,
    'write it as "YYYY-MM-DD HH:MM:SS" (NAB, read as UTC) or ISO 8601 (e.g. 2015-02-26T21:42:53Z)',
  );
}
