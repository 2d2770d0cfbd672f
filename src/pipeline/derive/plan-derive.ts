import type { CanonicalTicket } from '../../domain/ticket/canonical-ticket.ts';

/**
 * The pure core of the derive stage: which classifications change and which hourly buckets must be
 * recounted, for one batch of tickets that changed since the last derive. Series are never
 * incremented: every touched bucket is recounted from the stored tickets (DESIGN.md "Series"), so a
 * replayed batch, a deleted ticket or a re-classified one all converge to the same counts.
 */
export interface DeriveInput {
  ticketId: bigint;
  createdAt: string;
  contentHash: string;
  previous: { driverKey: string | null; ruleKey: string | null; ticketHash: string } | null;
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
}

export interface DerivePlan {
  /** Only rows whose outcome differs from what is stored: an unchanged ticket writes nothing. */
  classifications: ClassificationRow[];
  /** UTC hour starts (epoch ms) whose counts must be recomputed, ascending. */
  touchedHours: number[];
}

export type Classifier = (ticket: CanonicalTicket) => { driverKey: string; ruleKey: string } | null;

const HOUR_MS = 3_600_000;

export const hourStart = (iso: string): number => Math.floor(Date.parse(iso) / HOUR_MS) * HOUR_MS;

export function planDerive(batch: readonly DeriveInput[], classify: Classifier): DerivePlan {
  const classifications: ClassificationRow[] = [];
  const hours = new Set<number>();
  for (const row of batch) {
    hours.add(hourStart(row.createdAt));
    if (!needsClassification(row)) continue;
    if (!row.ticket) throw new Error(`derive: ticket ${row.ticketId} needs classifying but was not loaded`);
    const match = classify(row.ticket);
    const next: ClassificationRow = {
      ticketId: row.ticketId,
      driverKey: match?.driverKey ?? null,
      ruleKey: match?.ruleKey ?? null,
      ticketHash: row.contentHash,
    };
    const prev = row.previous;
    if (prev && prev.driverKey === next.driverKey && prev.ruleKey === next.ruleKey && prev.ticketHash === next.ticketHash) continue;
    classifications.push(next);
  }
  return { classifications, touchedHours: [...hours].sort((a, b) => a - b) };
}

export interface PointChange {
  seriesKey: string;
  bucketStartMs: number;
  value: number;
}

/**
 * Desired counts for the touched hours vs the stored points: returns the writes that make the store
 * equal to the counts (zeroing points whose tickets moved away), and nothing where they already agree.
 */
export function diffPoints(
  desired: ReadonlyMap<string, number>,
  stored: ReadonlyMap<string, number>,
): PointChange[] {
  const changes: PointChange[] = [];
  const push = (id: string, value: number): void => {
    const split = id.lastIndexOf('@');
    changes.push({ seriesKey: id.slice(0, split), bucketStartMs: Number(id.slice(split + 1)), value });
  };
  for (const [id, value] of desired) {
    if (stored.get(id) !== value) push(id, value);
  }
  for (const [id, value] of stored) {
    if (!desired.has(id) && value !== 0) push(id, 0);
  }
  return changes;
}

export const pointId = (seriesKey: string, bucketStartMs: number): string => `${seriesKey}@${bucketStartMs}`;
