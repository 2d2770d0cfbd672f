import { createHash } from 'node:crypto';
import type { CanonicalTicket } from './canonical-ticket.ts';

/**
 * The content hash of a canonical ticket: equal hashes mean "nothing we store changed", so a
 * re-delivered or re-synced ticket writes nothing. Computed over the canonical fields only, never
 * over the raw payload: volatile source fields (Zendesk's `generated_timestamp`) must not count as a
 * change. Plain JSON.stringify is enough (and 2× cheaper than sorting keys): a normaliser builds its
 * tickets with a fixed key order, and custom fields in the source's own stable order.
 */
export function ticketContentHash(ticket: CanonicalTicket): string {
  return createHash('sha1').update(JSON.stringify(ticket)).digest('base64url');
}
