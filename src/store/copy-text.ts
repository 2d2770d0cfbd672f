/**
 * Encoding for PostgreSQL's COPY text format (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Text Format"): columns separated by tabs, rows by newlines, `\N` for NULL, and backslash escapes
 * for the characters that would break the framing.
 */
export type CopyValue = string | number | boolean | null | readonly string[];

export function copyRow(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += copyField(values[i] ?? null);
  }
  return `${line}\n`;
}

function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeText(arrayLiteral(value));
}

/** A text[] literal: every element double-quoted, with `"` and `\` escaped inside. */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

const SPECIAL = /[\\\n\r\t\u0000]/;

/** NUL cannot be sent at all (PostgreSQL text cannot hold it, not even escaped): it is dropped. */
function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\\\n\r\t\u0000]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : ''));
}
