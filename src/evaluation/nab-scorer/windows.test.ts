import { describe, expect, it } from 'vitest';
import { locateWindows, parseWindows } from './windows.ts';

describe('parseWindows (NAB labels/combined_windows.json format)', () => {
  it('reads windows with NAB\'s timestamps to epoch milliseconds (UTC), keeping the text', () => {
    const windows = parseWindows({ 'realTweets/x.csv': [['2015-02-26 21:42:53.000000', '2015-02-27 21:42:53.000000']], 'b.csv': [] });
    expect(windows.get('realTweets/x.csv')).toEqual([
      { start: '2015-02-26 21:42:53.000000', end: '2015-02-27 21:42:53.000000', startMs: Date.UTC(2015, 1, 26, 21, 42, 53), endMs: Date.UTC(2015, 1, 27, 21, 42, 53) },
    ]);
    expect(windows.get('b.csv')).toEqual([]);
  });

  it('names the path and the expected shape when the JSON is not NAB windows', () => {
    expect(() => parseWindows([], 'labels.json')).toThrow(/labels\.json: not NAB windows JSON/);
    expect(() => parseWindows({ 'a.csv': [['2015-02-30 00:00:00.000000', '2015-03-01 00:00:00.000000']] })).toThrow(/a\.csv\.0\.0: expected a timestamp as NAB writes them/);
    expect(() => parseWindows({ 'a.csv': [['2015-02-01 00:00:00.000000']] })).toThrow(/a\.csv\.0/);
  });

  it('refuses windows out of order, overlapping or reversed', () => {
    const w = (start: string, end: string) => [`2015-02-0${start} 00:00:00.000000`, `2015-02-0${end} 00:00:00.000000`];
    expect(() => parseWindows({ 'a.csv': [w('3', '2')] })).toThrow(/a\.csv window 0 ends .* before it starts .*; swap them/);
    expect(() => parseWindows({ 'a.csv': [w('1', '3'), w('3', '4')] })).toThrow(/window 1 .* does not start after window 0 ends/);
    expect(() => parseWindows({ 'a.csv': [w('5', '6'), w('1', '2')] })).toThrow(/sort the windows and merge overlapping ones/);
  });

  it('locates windows on rows, or says which boundary is no row', () => {
    const [window] = parseWindows({ 'a.csv': [['1970-01-01 00:00:01.000000', '1970-01-01 00:00:03.000000']] }).get('a.csv') ?? [];
    if (window === undefined) throw new Error('no window');
    expect(locateWindows([0, 1000, 2000, 3000, 4000], [window], 'a.csv')).toEqual([{ startIndex: 1, endIndex: 3 }]);
    expect(() => locateWindows([0, 1000, 2000, 3500], [window], 'a.csv')).toThrow('a.csv: window 0 ends at 1970-01-01 00:00:03.000000, which is no row\'s timestamp');
  });
});
