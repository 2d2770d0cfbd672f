import { createHash } from 'node:crypto';
import type { CanonicalTicket } from './canonical-ticket.ts';

/**
 * The content hash of a canonical ticket: equal hashes mean "nothing we store changed", so a
 * re-delivered or re-synced ticket writes nothing. Computed over the canonical fields only, never
 * over the raw payload: volatile source fields (Zendesk's `generated_timestamp`) must not count as a
 * change. Object keys are sorted, so field order in the source does not matter either.
 */
export function ticketContentHash(ticket: CanonicalTicket): string {
  return createHash('sha1').update(stableJson(ticket)).digest('base64url');
}

export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
