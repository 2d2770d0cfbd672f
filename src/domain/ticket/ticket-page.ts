import type { CanonicalTicket } from './canonical-ticket.ts';

/**
 * One page of a ticket stream after normalisation: what the stream runner hands to the store's page
 * transaction, together with the cursor that must be saved with it.
 */
export interface DriverMatch {
  driverKey: string;
  ruleKey: string;
}

export interface NormalisedTicket {
  ticket: CanonicalTicket;
  contentHash: string;
  /** The payload as received (undefined when the run does not keep it). */
  raw: unknown;
  /** Classified at ingest under the run's active taxonomy (null = unmatched; absent = not classified). */
  classification?: DriverMatch | null;
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
