import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp, timestampStyle } from './parse-timestamp.ts';

describe('parseTimestamp', () => {
  it('reads NAB\'s zone-less timestamps as UTC, with or without a fraction', () => {
    expect(parseTimestamp('2014-04-12 09:04:00')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2014-04-12 09:04:00.000000')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2014-04-12 09:04:00.123999')).toBe(Date.UTC(2014, 3, 12, 9, 4, 0, 123));
  });

  it('reads ISO 8601 with Z, offsets (with or without a colon) and plain dates', () => {
    expect(parseTimestamp('2014-04-12T09:04Z')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2014-04-12T11:04:00+02:00')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2014-04-12T04:04:00-0500')).toBe(Date.UTC(2014, 3, 12, 9, 4));
    expect(parseTimestamp('2016-02-29')).toBe(Date.UTC(2016, 1, 29));
    expect(parseTimestamp('0050-01-01')).toBe(-60_589_296_000_000);
  });

  it('refuses impossible dates and times and other spellings', () => {
    for (const text of ['2015-02-29', '2015-04-31 00:00:00', '2015-01-01 24:00:00', '2015-01-01 23:60:00', '2015-01-01T00:00+24:00', '2015-01-01 00:00', '2015/01/01 00:00:00', ' 2015-01-01', '1420070400']) {
      expect(parseTimestamp(text), text).toBeUndefined();
    }
  });

  it('tells the two styles apart and formats in either', () => {
    expect([timestampStyle('2015-01-01 00:00:00'), timestampStyle('2015-01-01T00:00Z'), timestampStyle('soon')]).toEqual(['nab', 'iso', undefined]);
    expect(formatTimestamp(Date.UTC(2015, 0, 1, 5), 'nab')).toBe('2015-01-01 05:00:00');
    expect(formatTimestamp(Date.UTC(2015, 0, 1, 5, 0, 0, 250), 'nab')).toBe('2015-01-01 05:00:00.250');
    expect(formatTimestamp(Date.UTC(2015, 0, 1, 5), 'iso')).toBe('2015-01-01T05:00:00.000Z');
  });
});
