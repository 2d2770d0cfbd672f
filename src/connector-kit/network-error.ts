/**
 * axios errors carry the whole request config (headers with the Authorization value, the URL with its
 * query string). Only the error code is read from them; nothing else of the raw error is kept.
 */
export function networkErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && /^[A-Z0-9_]+$/.test(error.code)) {
    return error.code;
  }
  return 'UNKNOWN';
}

export function isCancellation(error: unknown): boolean {
  return networkErrorCode(error) === 'ERR_CANCELED' || (error instanceof Error && error.name === 'AbortError');
}

/** Lower-case, single-valued headers from whatever axios returns (AxiosHeaders or a plain object). */
export function plainHeaders(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  const source: unknown = 'toJSON' in raw && typeof raw.toJSON === 'function' ? raw.toJSON() : raw;
  if (typeof source !== 'object' || source === null) return out;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(', ');
  }
  return out;
}
