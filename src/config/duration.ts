/**
 * Durations in config, the API and the CLI: whole seconds (`300`) or `30s`, `5m`, `1h`, `1h30m`, `1d`, `1w`.
 * Returns seconds, or null when the text is not a duration.
 */
export function parseDurationSeconds(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return parseDurationSeconds(Number(text));
  if (!/^(\d+[wdhms])+$/.test(text)) return null;
  const unit: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
  let total = 0;
  for (const [, amount, suffix] of text.matchAll(/(\d+)([wdhms])/g)) total += Number(amount) * (unit[suffix ?? 's'] ?? 1);
  return total > 0 ? total : null;
}

/** The bounds for `syncEvery`: faster than a second is a typo; slower than a week is not a sync. */
export const syncEveryBounds = { minSeconds: 1, maxSeconds: 7 * 86_400 } as const;
