/**
 * `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Zendesk and ServiceNow
 * send seconds; some proxies send a date. Returns the wait in ms relative to `nowMs`, or null when the
 * header is absent or unreadable (the caller then backs off on its own).
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // A bare negative or garbled number is not a date, whatever Date.parse makes of it.
  if (/^[-+]?[\d.]+$/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
