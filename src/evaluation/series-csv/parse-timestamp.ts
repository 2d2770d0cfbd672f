/**
 * Timestamps as series files write them, to epoch milliseconds (UTC).
 *
 * - NAB's format, `YYYY-MM-DD HH:MM:SS` with an optional fraction (`.ffffff` in its label files): NAB
 *   writes no zone, so it is read as UTC, which keeps the spacing of rows exact (no DST jumps).
 * - ISO 8601: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH[:]MM` offset
 *   (none means UTC, as above).
 *
 * Fractions beyond milliseconds are cut, not rounded (NAB's own are all zero).
 */

const NAB_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type TimestampStyle = 'nab' | 'iso';

/** Which of the two accepted spellings a timestamp uses (undefined: neither). */
export function timestampStyle(text: string): TimestampStyle | undefined {
  if (NAB_PATTERN.test(text)) return 'nab';
  if (ISO_PATTERN.test(text)) return 'iso';
  return undefined;
}

/** Epoch milliseconds, or undefined when the text is not a valid timestamp in either spelling. */
export function parseTimestamp(text: string): number | undefined {
  const match = NAB_PATTERN.exec(text) ?? ISO_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = offsetMinutes(match[8]);
  if (offset === undefined) return undefined;
  return utc(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
}

/** A timestamp in the given spelling (UTC; milliseconds only when not zero), for rows a repair adds. */
export function formatTimestamp(ms: number, style: TimestampStyle): string {
  const iso = new Date(ms).toISOString();
  if (style === 'iso') return iso;
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return ms % 1000 === 0 ? base : `${base}.${iso.slice(20, 23)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Date.UTC without its two-digit-year rule (it reads year 50 as 1950). */
function utc(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
