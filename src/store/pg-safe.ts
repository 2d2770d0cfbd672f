/**
 * What PostgreSQL cannot store, removed from values before they are serialised — never by editing
 * serialised JSON text. `text` and `jsonb` cannot hold U+0000 ("invalid byte sequence for encoding
 * UTF8: 0x00", "unsupported Unicode escape sequence"), and `jsonb` refuses a lone UTF-16 surrogate
 * escape ("\ud83d" without its pair: a source that cut an emoji in half). NUL is dropped; a lone
 * surrogate becomes U+FFFD, which is also what UTF-8 encoding makes of it in a `text` column.
 * https://www.postgresql.org/docs/current/datatype-json.html
 */
const UNSAFE = /[\u0000\ud800-\udfff]/;
const NUL = /\u0000/g;

export function pgSafeText(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(NUL, '').toWellFormed();
}

/**
 * `JSON.stringify(value)` with every string (keys included) made safe. The fast path serialises once
 * and looks for the escapes JSON.stringify emits for NUL (`\u0000`) and lone surrogates (`\udXXX`);
 * only a payload that has one is walked and serialised again.
 */
export function pgJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  if (!/\\u(?:0000|d[89a-f])/i.test(text)) return text;
  return JSON.stringify(safeValue(value)) ?? 'null';
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return pgSafeText(value);
  if (Array.isArray(value)) return value.map(safeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[pgSafeText(key)] = safeValue(item);
    return out;
  }
  return value;
}
