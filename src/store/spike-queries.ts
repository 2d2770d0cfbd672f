import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/**
 * Reads of spikes for the API and the CLI: newest first (detected_at, id), keyset-paginated, each
 * with its series (key, driver, connector) and the intervention item it belongs to. The detect stage
 * writes them (spike-repository.ts); nothing here changes a row.
 */
type Db = PrismaClient | Prisma.TransactionClient;

export type SpikeStatus = 'open' | 'resolved';

/** A page boundary: the (time, id) of the last row handed out, compared as a pair. */
export interface KeysetCursor {
  atMs: number;
  id: string;
}

const CURSOR = /^(\d{1,15})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const encodeCursor = (c: KeysetCursor): string => `${c.atMs}_${c.id}`;

/** The cursor of `encodeCursor`, or null when the text is not one. */
export function decodeCursor(text: string): KeysetCursor | null {
  const match = CURSOR.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const atMs = Number(match[1]);
  return Number.isSafeInteger(atMs) && atMs <= 253_402_300_799_999 ? { atMs, id: match[2] } : null;
}

/** Pattern of the cursors `encodeCursor` makes (for parameter schemas). */
export const CURSOR_PATTERN = CURSOR;

/** LIKE-escaped prefix: Prisma's `startsWith` does not escape `%`, `_` or `\` (prisma/prisma#19506). */
export const likePrefix = (prefix: string): string => prefix.replace(/[\\%_]/g, '\\$&');

/** A driver filter: an exact key, or every key of a family when it ends in "/". */
export const driverKeyFilter = (driver: string): Prisma.StringFilter | string =>
  driver.endsWith('/') ? { startsWith: likePrefix(driver) } : driver;

export interface SpikeListFilter {
  status?: SpikeStatus;
  /** A driver key, or a family prefix ending in "/". */
  driver?: string;
  /** Spikes that started at or after this instant. */
  since?: Date;
  limit: number;
  cursor?: KeysetCursor;
}

export interface SpikeSummary {
  id: string;
  status: SpikeStatus;
  seriesKey: string;
  driverKey: string | null;
  connectorKey: string | null;
  startedAt: Date;
  peakAt: Date;
  windowStart: Date;
  windowEnd: Date;
  observed: number;
  expected: number;
  pctChange: number;
  /** The detector's p-value at opening (the smallest one since). */
  significance: number;
  horizon: string | null;
  explanation: string | null;
  affectedCustomers: number;
  detectedAt: Date;
  resolvedAt: Date | null;
  interventionId: string | null;
}

export interface TicketLink {
  id: string;
  key: string | null;
  url: string | null;
  subject: string | null;
}

export interface SpikeDetail extends SpikeSummary {
  fingerprint: string;
  updatedAt: Date;
  exampleTickets: TicketLink[];
  evidence: unknown;
  intervention: { id: string; title: string; status: string; severity: string } | null;
}

const summarySelect = {
  id: true, status: true, startedAt: true, peakAt: true, windowStart: true, windowEnd: true, observed: true, expected: true, pctChange: true,
  significance: true, horizon: true, explanation: true, affectedCustomers: true, detectedAt: true, resolvedAt: true,
  series: { select: { key: true, driverKey: true, connectorId: true } },
  signals: { select: { interventionId: true }, take: 1 },
  interventions: { select: { id: true }, orderBy: { createdAt: 'asc' }, take: 1 },
} as const satisfies Prisma.SpikeSelect;

type SummaryRow = Prisma.SpikeGetPayload<{ select: typeof summarySelect }>;

export async function listSpikes(prisma: Db, organizationId: string, filter: SpikeListFilter): Promise<{ items: SpikeSummary[]; nextCursor: KeysetCursor | null }> {
  const and: Prisma.SpikeWhereInput[] = [{ organizationId }];
  if (filter.status !== undefined) and.push({ status: filter.status });
  if (filter.driver !== undefined) and.push({ series: { driverKey: driverKeyFilter(filter.driver) } });
  if (filter.since !== undefined) and.push({ startedAt: { gte: filter.since } });
  if (filter.cursor !== undefined) {
    const at = new Date(filter.cursor.atMs);
    and.push({ OR: [{ detectedAt: { lt: at } }, { detectedAt: at, id: { lt: filter.cursor.id } }] });
  }
  const rows = await prisma.spike.findMany({ where: { AND: and }, select: summarySelect, orderBy: [{ detectedAt: 'desc' }, { id: 'desc' }], take: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const connectors = await connectorKeys(prisma, page.map((r) => r.series.connectorId));
  const last = page.at(-1);
  return {
    items: page.map((r) => toSummary(r, connectors)),
    nextCursor: rows.length > filter.limit && last ? { atMs: last.detectedAt.getTime(), id: last.id } : null,
  };
}

export async function getSpike(prisma: Db, organizationId: string, id: string): Promise<SpikeDetail | null> {
  const row = await prisma.spike.findFirst({
    where: { organizationId, id },
    select: {
      ...summarySelect, fingerprint: true, updatedAt: true, exampleTickets: true, evidence: true,
      signals: { select: { interventionId: true, intervention: { select: { id: true, title: true, status: true, severity: true } } }, take: 1 },
      interventions: { select: { id: true, title: true, status: true, severity: true }, orderBy: { createdAt: 'asc' }, take: 1 },
    },
  });
  if (!row) return null;
  const connectors = await connectorKeys(prisma, [row.series.connectorId]);
  const intervention = row.signals[0]?.intervention ?? row.interventions[0] ?? null;
  return {
    ...toSummary(row, connectors),
    fingerprint: row.fingerprint,
    updatedAt: row.updatedAt,
    exampleTickets: await ticketLinks(prisma, organizationId, row.exampleTickets),
    evidence: row.evidence ?? null,
    intervention,
  };
}

/** Example tickets as people open them (the source's key and link), in the spike's order. */
export async function ticketLinks(prisma: Db, organizationId: string, ids: readonly bigint[]): Promise<TicketLink[]> {
  if (ids.length === 0) return [];
  const rows = await prisma.ticket.findMany({ where: { organizationId, id: { in: [...ids] } }, select: { id: true, key: true, nativeId: true, url: true, subject: true } });
  const byId = new Map(rows.map((t) => [t.id, t]));
  return ids.flatMap((id) => {
    const t = byId.get(id);
    return t ? [{ id: t.id.toString(), key: t.key ?? t.nativeId, url: t.url, subject: t.subject }] : [];
  });
}

async function connectorKeys(prisma: Db, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await prisma.connector.findMany({ where: { id: { in: wanted } }, select: { id: true, key: true } });
  return new Map(rows.map((c) => [c.id, c.key]));
}

function toSummary(r: SummaryRow, connectors: ReadonlyMap<string, string>): SpikeSummary {
  return {
    id: r.id, status: r.status, seriesKey: r.series.key, driverKey: r.series.driverKey,
    connectorKey: r.series.connectorId === null ? null : (connectors.get(r.series.connectorId) ?? null),
    startedAt: r.startedAt, peakAt: r.peakAt, windowStart: r.windowStart, windowEnd: r.windowEnd, observed: r.observed, expected: r.expected,
    pctChange: r.pctChange, significance: r.significance, horizon: r.horizon, explanation: r.explanation, affectedCustomers: r.affectedCustomers,
    detectedAt: r.detectedAt, resolvedAt: r.resolvedAt, interventionId: r.signals[0]?.interventionId ?? r.interventions[0]?.id ?? null,
  };
}
