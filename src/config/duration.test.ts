import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from './duration.ts';

describe('parseDurationSeconds', () => {
  it.each([
    [300, 300], ['300', 300], ['30s', 30], ['5m', 300], ['1h', 3600], ['1h30m', 5400], ['1d', 86400], ['1w', 604800], ['1w2d', 777600], [' 5M ', 300],
  ])('%j → %d seconds', (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds);
  });

  it.each([['5 minutes'], ['5x'], [''], ['0s'], [0], [-5], [1.5], ['m5']])('%j is not a duration', (input) => {
    expect(parseDurationSeconds(input)).toBeNull();
  });
});
