/**
 * Reads rate-limit state from response headers (names in any case). Providers, and Zendesk accounts
 * over the years, disagree (connectors/zendesk/NOTES.md "Rate limits"):
 * - Zendesk's account limit (per minute): `x-rate-limit` / `x-rate-limit-remaining` (no reset), the
 *   `ratelimit-limit|remaining|reset` family (reset = delta seconds) and the older `rate-limit-*`
 *   family; one response often carries several of them for the same limit, counted once here
 *   https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting
 * - Zendesk endpoint limits as `total=…; remaining=…; resets=…` headers named `zendesk-ratelimit-*`,
 *   e.g. `zendesk-ratelimit-incremental-exports` (10 a minute by default, 30 with the High Volume
 *   add-on: the limit is read from `total`, never assumed)
 *   https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
 * - `x-ratelimit-limit|remaining|reset`: reset as epoch seconds (ServiceNow, some Zendesk accounts),
 *   epoch milliseconds or a date (Jira).
 * Each recognised family yields one observation; the budget paces by the most constraining.
 * Unreadable values are ignored: no remaining count → no observation; a bad limit or reset → null.
 */
export interface RateObservation {
  source: string;
  limit: number | null;
  remaining: number;
  /** Absolute reset time, null when the provider does not say (sliding per-minute windows). */
  resetAtMs: number | null;
}

export type HeaderBag = Readonly<Record<string, string | undefined>>;

/** A reset further away than this is not a rate-limit window but a broken header (or clock). */
const MAX_RESET_AHEAD_MS = 24 * 3_600_000;

/** Zendesk's account-limit families, in order of preference when they tie. */
const accountFamilies = [
  { source: 'ratelimit', limit: ['ratelimit-limit'], remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
  { source: 'rate-limit', limit: ['rate-limit-limit', 'rate-limit'], remaining: 'rate-limit-remaining', reset: 'rate-limit-reset' },
  { source: 'x-rate-limit', limit: ['x-rate-limit', 'x-rate-limit-limit'], remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' },
] as const;

export function parseRateLimitHeaders(headers: HeaderBag, nowMs: number): RateObservation[] {
  const lower = lowerCased(headers);
  const found: RateObservation[] = [];
  const account = accountFamilies
    .map((f) => family(f.source, firstDefined(lower, f.limit), lower.get(f.remaining), lower.get(f.reset), nowMs))
    .filter((o): o is RateObservation => o !== null);
  const bestAccount = account.reduce<RateObservation | null>((best, o) => (best === null || moreTelling(o, best) ? o : best), null);
  if (bestAccount !== null) found.push(bestAccount);
  const xRate = family('x-ratelimit', lower.get('x-ratelimit-limit'), lower.get('x-ratelimit-remaining'), lower.get('x-ratelimit-reset'), nowMs);
  if (xRate !== null) found.push(xRate);
  for (const [name, value] of lower) {
    if (!name.startsWith('zendesk-ratelimit-')) continue;
    const parsed = parseKeyValueLimit(name, value, nowMs);
    if (parsed !== null) found.push(parsed);
  }
  return found;
}

/** Prefer an observation with a reset (it says when the window ends), then the lower remaining. */
function moreTelling(a: RateObservation, b: RateObservation): boolean {
  if ((a.resetAtMs === null) !== (b.resetAtMs === null)) return a.resetAtMs !== null;
  return a.remaining < b.remaining;
}

function lowerCased(headers: HeaderBag): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out.set(name.toLowerCase(), value);
  }
  return out;
}

function firstDefined(headers: ReadonlyMap<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function family(source: string, limit: string | undefined, remaining: string | undefined, reset: string | undefined, nowMs: number): RateObservation | null {
  const remainingN = toCount(remaining);
  if (remainingN === null) return null;
  return { source, limit: toCount(limit), remaining: remainingN, resetAtMs: resetToAbsolute(reset, nowMs) };
}

/** `total=100; remaining=99; resets=41` (resets in delta seconds; keys in any case, any order). */
function parseKeyValueLimit(source: string, value: string, nowMs: number): RateObservation | null {
  const parts = new Map<string, string>();
  for (const part of value.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key !== '' && !parts.has(key)) parts.set(key, raw);
  }
  const remaining = toCount(parts.get('remaining'));
  if (remaining === null) return null;
  return { source, limit: toCount(parts.get('total')), remaining, resetAtMs: deltaSeconds(parts.get('resets'), nowMs) };
}

function toCount(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Math.floor(Number(text));
}

function deltaSeconds(value: string | undefined, nowMs: number): number | null {
  const n = toCount(value);
  return n === null ? null : plausible(nowMs + n * 1000, nowMs);
}

/**
 * Delta seconds (IETF draft, Zendesk), epoch seconds (ServiceNow), epoch milliseconds, or a date
 * (ISO 8601 as Jira sends it, or an HTTP date). Anything else — including what V8's lenient
 * `Date.parse` makes of "-5" or "abc 5" (a day in 2001) — is unreadable.
 */
function resetToAbsolute(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Past ~2001 in milliseconds, or in seconds, it is an epoch, not a delta.
    if (n > 1e12) return plausible(Math.floor(n), nowMs);
    if (n > 1e9) return plausible(Math.floor(n) * 1000, nowMs);
    return plausible(nowMs + Math.floor(n) * 1000, nowMs);
  }
  const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const httpDate = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text);
  if (!isoDate && !httpDate) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : plausible(at, nowMs);
}

/** A reset in the past is fine (the window is over); one more than a day ahead is not believed. */
function plausible(atMs: number, nowMs: number): number | null {
  return atMs - nowMs > MAX_RESET_AHEAD_MS ? null : atMs;
}
