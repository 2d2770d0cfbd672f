import type { Classifier } from '../driver/compile-taxonomy.ts';
import type { CanonicalTicket } from '../ticket/canonical-ticket.ts';
import { type Contribution, ContributionMoves, contributionOf, sameContribution, type SeriesDelta } from './contribution.ts';

export type { Contribution, SeriesDelta } from './contribution.ts';

/**
 * The pure core of the derive stage, for one batch of tickets that changed since the last derive:
 * which classifications to write and how the hourly driver series move. The series arithmetic is
 * contribution.ts's rule; the cost is proportional to the changed tickets, not to the history of
 * the hours they fall in (recounting touched hours made every back-fill page re-read most of the
 * history: bench/ingest.ts).
 */
export interface DeriveInput {
  ticketId: bigint;
  createdAt: string;
  deleted: boolean;
  /**
   * Its personal data was erased (tickets.erased_at): what is stored no longer says what it was about,
   * so an existing classification is kept rather than re-derived from the blanked fields.
   */
  erased?: boolean;
  contentHash: string;
  previous: {
    driverKey: string | null;
    ruleKey: string | null;
    ticketHash: string;
    counted: Contribution | null;
  } | null;
  /** The full ticket, needed only when it is not yet classified at its current content. */
  ticket?: CanonicalTicket;
}

/** Whether a changed ticket still needs classifying (the pull stage classifies most at ingest). */
export const needsClassification = (row: Pick<DeriveInput, 'contentHash' | 'previous'>): boolean =>
  row.previous === null || row.previous.ticketHash !== row.contentHash;

export interface ClassificationRow {
  ticketId: bigint;
  driverKey: string | null;
  ruleKey: string | null;
  ticketHash: string;
  counted: Contribution | null;
}

export interface DerivePlan {
  /** Only rows whose classification or contribution differs from what is stored. */
  classifications: ClassificationRow[];
  /** Net moves per (driver, hour); zero nets are dropped. */
  deltas: SeriesDelta[];
}


export function planDerive(batch: readonly DeriveInput[], classify: Classifier): DerivePlan {
  const classifications: ClassificationRow[] = [];
  const moves = new ContributionMoves();
  for (const row of batch) {
    const prev = row.previous;
    let driverKey = prev?.driverKey ?? null;
    let ruleKey = prev?.ruleKey ?? null;
    if (needsClassification(row) && !(row.erased === true && prev !== null)) {
      if (!row.ticket) throw new Error(`derive: ticket ${row.ticketId} needs classifying but was not loaded`);
      const match = classify(row.ticket);
      driverKey = match?.driverKey ?? null;
      ruleKey = match?.ruleKey ?? null;
    }
    const counted = contributionOf({ deleted: row.deleted, driverKey, createdAt: row.createdAt });
    const was = prev?.counted ?? null;
    moves.move(was, counted);
    const unchanged = prev !== null && prev.ticketHash === row.contentHash && prev.driverKey === driverKey && prev.ruleKey === ruleKey && sameContribution(was, counted);
    if (!unchanged) classifications.push({ ticketId: row.ticketId, driverKey, ruleKey, ticketHash: row.contentHash, counted });
  }
  return { classifications, deltas: moves.deltas() };
}
