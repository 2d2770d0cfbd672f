import type { Classification } from '../driver/compile-taxonomy.ts';
import type { CanonicalTicket } from './canonical-ticket.ts';

/**
 * One page of a ticket stream after normalisation: what the stream runner hands to the store's page
 * transaction, together with the cursor that must be saved with it.
 */

export interface NormalisedTicket {
  ticket: CanonicalTicket;
  contentHash: string;
  /**
   * The source's change time of this version (Zendesk `generated_timestamp`), null when the source has
   * none. Orders versions that share `updatedAt` (a deletion moves only this); volatile, so it is not
   * part of the content hash.
   */
  changedAt: string | null;
  /** The source erased this ticket's personal data (a Zendesk scrub of a deleted ticket). */
  erasedBySource: boolean;
  /** The payload as received (undefined when the run does not keep it). */
  raw: unknown;
  /** Classified at ingest under the run's active taxonomy (null = unmatched; absent = not classified). */
  classification?: Classification | null;
}

export interface QuarantineEntry {
  nativeId: string | null;
  reason: string;
  payload: unknown;
}

export interface NormalisedPage {
  tickets: NormalisedTicket[];
  quarantined: QuarantineEntry[];
  cursor: string;
  sourceHighWaterMs: number | null;
  /** Source time reached, for back-fill progress. */
  progressAtMs: number | null;
  fetched: number;
  requests: number;
  throttled: number;
  waitedMs: number;
}
