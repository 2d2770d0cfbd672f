import { z } from 'zod';

/**
 * Shared schemas for /api/v1 path and query parameters, so every value that reaches PostgreSQL has
 * been checked once, at the boundary. PostgreSQL `text` cannot hold U+0000 ("invalid byte sequence
 * for encoding UTF8: 0x00", SQLSTATE 22021; PostgreSQL docs, "Character Set Support"), and a refusal
 * there is a 500 unless the schema refuses the value first with a 400 naming the parameter.
 */

/** Longest key or identifier the API accepts (connector, organization and driver keys). */
export const MAX_IDENTIFIER_LENGTH = 200;

/**
 * No C0 control (U+0000–U+001F, NUL included), DEL or C1 control (U+007F–U+009F). Written with
 * ranges rather than `\p{Cc}` so the OpenAPI `pattern` (zod emits `regex.source`) is plain ECMA-262.
 */
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/;

/** A key-like string (connector, organization, driver): 1–200 characters, no control characters. */
export function identifierParam(description: string) {
  return z
    .string()
    .min(1)
    .max(MAX_IDENTIFIER_LENGTH)
    .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)')
    .describe(description);
}

/**
 * Instants PostgreSQL and the pg driver round-trip. PostgreSQL's timestamptz reaches 4713 BC, but a
 * JavaScript Date in year 0000 (ISO 8601's 1 BC) is sent as "0000-01-01 00:00:00", which PostgreSQL
 * refuses (22008 "date/time field value out of range"), a BC timestamp read back parses as an Invalid
 * Date, and an offset can push `9999-12-31T23:59:59-23:59` into year 10000. Day (and wider) buckets
 * start before `from` in the organization's time zone, so the lower bound leaves a wide margin.
 */
export const MIN_INSTANT = '1900-01-01T00:00:00Z';
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';
const MIN_INSTANT_MS = Date.parse(MIN_INSTANT);
const MAX_INSTANT_MS = Date.parse(MAX_INSTANT);

/** An ISO 8601 date-time with `Z` or an offset, between MIN_INSTANT and MAX_INSTANT. */
export function instantParam(description: string) {
  // zod runs later checks after a failed one unless it sets `abort` (zod's $ZodCheckDef): a value
  // that is no date-time is reported once, by the format check.
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((value) => {
      const ms = Date.parse(value);
      return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
    }, `must be between ${MIN_INSTANT} and 9999-12-31T23:59:59Z`)
    .describe(`${description}, from ${MIN_INSTANT} to 9999-12-31T23:59:59Z`);
}

/** Largest PostgreSQL `bigint` (PostgreSQL docs, "Numeric Types"): a larger cursor fails with 22003. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;
const CURSOR_DIGITS = /^\d{1,19}$/;

/** A keyset cursor over a `bigint` id, as the API handed it out (`nextCursor`). */
export function bigintCursorParam(description: string) {
  return z
    .string()
    // `abort`: only digits reach BigInt(), which throws on anything else.
    .regex(CURSOR_DIGITS, { message: 'cursor must be a value of nextCursor', abort: true })
    .refine((value) => BigInt(value) <= MAX_BIGINT, 'cursor must be a value of nextCursor')
    .describe(description);
}
