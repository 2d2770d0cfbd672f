import type { Classifier } from '../driver/compile-taxonomy.ts';
import type { CanonicalTicket } from '../ticket/canonical-ticket.ts';

/**
 * The pure core of the derive stage, for one batch of tickets that changed since the last derive:
 * which classifications to write and how the hourly driver series move.
 *
 * Every ticket's *contribution* to the series (the driver and UTC hour it is counted in, or none
 * when deleted) is stored beside its classification. A change moves exactly that contribution: −1
 * where it was counted, +1 where it now belongs, in the same transaction that records the new
 * contribution. Nothing is incremented blindly — replaying a batch finds the contribution already
 * in place and writes nothing — and the cost is proportional to the changed tickets, not to the
 * history of the hours they fall in (recounting touched hours made every back-fill page re-read
 * most of the history: bench/ingest.ts).
 */
export interface Contribution {
  /** null = counted as unmatched. */
  driverKey: string | null;
  bucketStartMs: number;
}

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

export interface SeriesDelta {
  driverKey: string | null;
  bucketStartMs: number;
  delta: number;
}

export interface DerivePlan {
  /** Only rows whose classification or contribution differs from what is stored. */
  classifications: ClassificationRow[];
  /** Net moves per (driver, hour); zero nets are dropped. */
  deltas: SeriesDelta[];
}


const HOUR_MS = 3_600_000;

export const hourStart = (iso: string): number => Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS;

const sameContribution = (a: Contribution | null, b: Contribution | null): boolean =>
  a === b || (a !== null && b !== null && a.driverKey === b.driverKey && a.bucketStartMs === b.bucketStartMs);

export function planDerive(batch: readonly DeriveInput[], classify: Classifier): DerivePlan {
  const classifications: ClassificationRow[] = [];
  const net = new Map<string, SeriesDelta>();
  const move = (c: Contribution, delta: number): void => {
    const id = `${c.driverKey ?? ''}@${c.bucketStartMs}`;
    const entry = net.get(id) ?? { driverKey: c.driverKey, bucketStartMs: c.bucketStartMs, delta: 0 };
    entry.delta += delta;
    net.set(id, entry);
  };
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
    const counted: Contribution | null = row.deleted ? null : { driverKey, bucketStartMs: hourStart(row.createdAt) };
    const was = prev?.counted ?? null;
    if (!sameContribution(was, counted)) {
      if (was) move(was, -1);
      if (counted) move(counted, +1);
    }
    const unchanged = prev !== null && prev.ticketHash === row.contentHash && prev.driverKey === driverKey && prev.ruleKey === ruleKey && sameContribution(was, counted);
    if (!unchanged) classifications.push({ ticketId: row.ticketId, driverKey, ruleKey, ticketHash: row.contentHash, counted });
  }
  return { classifications, deltas: [...net.values()].filter((d) => d.delta !== 0) };
}
