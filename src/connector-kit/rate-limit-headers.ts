/**
 * Reads rate-limit state from response headers (lower-case names). Providers disagree:
 * - Zendesk: `x-rate-limit` / `x-rate-limit-remaining` (account, per minute, no reset), plus
 *   `ratelimit-limit/remaining/reset` (reset = seconds) and endpoint headers such as
 *   `zendesk-ratelimit-tickets-index: total=100; remaining=99; resets=41`
 *   https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting
 * - ServiceNow: `x-ratelimit-limit` / `x-ratelimit-reset` (unix seconds); Jira: reset as ISO date.
 * Each recognised family yields one observation; the budget paces by the most constraining.
 */
export interface RateObservation {
  source: string;
  limit: number | null;
  remaining: number;
  /** Absolute reset time, null when the provider does not say (sliding per-minute windows). */
  resetAtMs: number | null;
}

export type HeaderBag = Readonly<Record<string, string | undefined>>;

export function parseRateLimitHeaders(headers: HeaderBag, nowMs: number): RateObservation[] {
  const found: RateObservation[] = [];
  const ietf = family('ratelimit', headers['ratelimit-limit'], headers['ratelimit-remaining'], headers['ratelimit-reset'], nowMs);
  const zendesk = family('x-rate-limit', headers['x-rate-limit'], headers['x-rate-limit-remaining'], undefined, nowMs);
  const xRate = family('x-ratelimit', headers['x-ratelimit-limit'], headers['x-ratelimit-remaining'], headers['x-ratelimit-reset'], nowMs);
  // Zendesk sends the account limit twice (x-rate-limit and ratelimit-*): keep the one with a reset.
  if (ietf !== null) found.push(ietf);
  else if (zendesk !== null) found.push(zendesk);
  if (xRate !== null) found.push(xRate);
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('zendesk-ratelimit-') || value === undefined) continue;
    const parsed = parseKeyValueLimit(name, value, nowMs);
    if (parsed !== null) found.push(parsed);
  }
  return found;
}

function family(source: string, limit: string | undefined, remaining: string | undefined, reset: string | undefined, nowMs: number): RateObservation | null {
  const remainingN = toCount(remaining);
  if (remainingN === null) return null;
  return { source, limit: toCount(limit), remaining: remainingN, resetAtMs: resetToAbsolute(reset, nowMs) };
}

/** `total=100; remaining=99; resets=41` (resets in seconds). */
function parseKeyValueLimit(source: string, value: string, nowMs: number): RateObservation | null {
  const parts = new Map<string, string>();
  for (const part of value.split(/[;,]/)) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (key !== undefined && raw !== undefined) parts.set(key.toLowerCase(), raw);
  }
  const remaining = toCount(parts.get('remaining'));
  if (remaining === null) return null;
  const resets = toCount(parts.get('resets'));
  return { source, limit: toCount(parts.get('total')), remaining, resetAtMs: resets === null ? null : nowMs + resets * 1000 };
}

function toCount(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Math.floor(Number(text));
}

/** Delta seconds (IETF draft, Zendesk), unix seconds (ServiceNow) or an ISO date (Jira). */
function resetToAbsolute(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Anything past ~year 2001 in seconds is an epoch, not a delta.
    return n > 1_000_000_000 ? n * 1000 : nowMs + n * 1000;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : at;
}
