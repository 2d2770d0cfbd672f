import { z } from 'zod';
import { affectedCustomersOf } from '../domain/intervention/item-reach.ts';
import { type InterventionStatus, transition, type UserAction, userActions } from '../domain/intervention/lifecycle.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { driverKeyFilter, type KeysetCursor, type TicketLink } from './spike-queries.ts';

/**
 * Reads of intervention items for the API and the CLI — a summary list (newest first, keyset
 * pagination) and one item with everything a person needs to act on it: owner, participants, due
 * date and meeting, the evidence (signals with example ticket links, affected customers, threatened
 * measures and KPIs, the release), the linked spikes and its history from the audit log. Changes go
 * through intervention-transitions.ts.
 */
type Db = PrismaClient | Prisma.TransactionClient;

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const severities = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];

export interface PersonRef {
  name: string;
  email: string;
}

export interface InterventionListFilter {
  status?: InterventionStatus;
  /** The owner's e-mail (case-insensitive). */
  owner?: string;
  /** A driver key, or a family prefix ending in "/". */
  driver?: string;
  severity?: Severity;
  limit: number;
  cursor?: KeysetCursor;
}

export interface InterventionSummary {
  id: string;
  title: string;
  status: InterventionStatus;
  severity: Severity;
  owner: PersonRef | null;
  driverKey: string | null;
  dueAt: Date;
  createdAt: Date;
  escalatedAt: Date | null;
  escalationLevel: number;
  onAgendaAt: Date | null;
  signalCount: number;
}

export interface EvidenceSignal {
  spikeId: string | null;
  seriesKey: string | null;
  driverKey: string | null;
  /** The KPI whose event series raised it (null for a driver's series). */
  kpi: string | null;
  subject: string | null;
  explanation: string | null;
  since: string | null;
  pctChange: number | null;
  extra: number | null;
  affectedCustomers: number;
  exampleTickets: TicketLink[];
  release: { key: string; name: string; at: string | null } | null;
}

export interface HistoryEntry {
  at: Date;
  actor: string;
  action: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export interface LinkedSpike {
  id: string;
  status: 'open' | 'resolved';
  seriesKey: string;
  driverKey: string | null;
  startedAt: Date;
  peakAt: Date;
  pctChange: number;
  explanation: string | null;
  affectedCustomers: number;
  resolvedAt: Date | null;
  linkedAt: Date;
}

export interface InterventionDetail extends InterventionSummary {
  fingerprint: string;
  narrative: string;
  ask: string | null;
  /** What a person may do now (ack, start, resolve). */
  allowedActions: UserAction[];
  participants: { function: string; person: PersonRef | null }[];
  meeting: { name: string | null; at: string } | null;
  groupKey: string | null;
  jiraIssueKey: string | null;
  escalateTo: string | null;
  route: string | null;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  startedAt: Date | null;
  resolvedAt: Date | null;
  verifiedAt: Date | null;
  reopenedAt: Date | null;
  release: { key: string; name: string; releasedAt: Date; products: string[] } | null;
  signals: EvidenceSignal[];
  /** Sum over the signals (an account in several signals counts in each). */
  affectedCustomers: number;
  threatens: { measures: { key: string; title: string | null }[]; kpis: { key: string; name: string | null }[] };
  spikes: LinkedSpike[];
  history: HistoryEntry[];
}

const summarySelect = {
  id: true, title: true, status: true, severity: true, driverKey: true, dueAt: true, createdAt: true, escalatedAt: true, escalationLevel: true,
  onAgendaAt: true, owner: { select: { name: true, email: true } }, _count: { select: { signals: true } },
} as const satisfies Prisma.InterventionItemSelect;

type SummaryRow = Prisma.InterventionItemGetPayload<{ select: typeof summarySelect }>;

export async function listInterventions(
  prisma: Db, organizationId: string, filter: InterventionListFilter,
): Promise<{ items: InterventionSummary[]; nextCursor: KeysetCursor | null }> {
  const and: Prisma.InterventionItemWhereInput[] = [{ organizationId }];
  if (filter.status !== undefined) and.push({ status: filter.status });
  if (filter.severity !== undefined) and.push({ severity: filter.severity });
  if (filter.driver !== undefined) and.push({ driverKey: driverKeyFilter(filter.driver) });
  if (filter.owner !== undefined) {
    // Compared in lower case as routing does; Prisma's insensitive filters are LIKE patterns.
    const wanted = filter.owner.toLowerCase();
    const people = await prisma.person.findMany({ where: { organizationId }, select: { id: true, email: true } });
    and.push({ ownerId: { in: people.filter((p) => p.email.toLowerCase() === wanted).map((p) => p.id) } });
  }
  if (filter.cursor !== undefined) {
    const at = new Date(filter.cursor.atMs);
    and.push({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: filter.cursor.id } }] });
  }
  const rows = await prisma.interventionItem.findMany({ where: { AND: and }, select: summarySelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { items: page.map(toSummary), nextCursor: rows.length > filter.limit && last ? { atMs: last.createdAt.getTime(), id: last.id } : null };
}

export async function getIntervention(prisma: Db, organizationId: string, id: string): Promise<InterventionDetail | null> {
  const row = await prisma.interventionItem.findFirst({
    where: { organizationId, id },
    select: {
      ...summarySelect, fingerprint: true, narrative: true, ask: true, groupKey: true, jiraIssueKey: true, evidence: true, updatedAt: true,
      acknowledgedAt: true, startedAt: true, resolvedAt: true, verifiedAt: true, reopenedAt: true,
      participants: { select: { function: true, person: { select: { name: true, email: true } } }, orderBy: { function: 'asc' } },
      release: { select: { key: true, name: true, releasedAt: true, products: true } },
      signals: {
        select: {
          linkedAt: true,
          spike: {
            select: {
              id: true, status: true, startedAt: true, peakAt: true, pctChange: true, explanation: true, affectedCustomers: true, resolvedAt: true,
              series: { select: { key: true, driverKey: true } },
            },
          },
        },
        orderBy: [{ linkedAt: 'asc' }, { spikeId: 'asc' }],
      },
    },
  });
  if (!row) return null;
  const evidence = evidenceSchema.parse(row.evidence ?? {});
  const history = await prisma.auditLog.findMany({
    where: { organizationId, entityType: 'intervention', entityId: id },
    select: { at: true, actor: true, action: true, reason: true, before: true, after: true },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
  });
  return {
    ...toSummary(row),
    fingerprint: row.fingerprint,
    narrative: row.narrative,
    ask: row.ask,
    allowedActions: userActions.filter((action) => transition(row.status, action).ok),
    participants: row.participants.map((p) => ({ function: p.function, person: p.person })),
    meeting: evidence.meeting,
    groupKey: row.groupKey,
    jiraIssueKey: row.jiraIssueKey,
    escalateTo: evidence.escalateTo,
    route: evidence.route,
    updatedAt: row.updatedAt,
    acknowledgedAt: row.acknowledgedAt,
    startedAt: row.startedAt,
    resolvedAt: row.resolvedAt,
    verifiedAt: row.verifiedAt,
    reopenedAt: row.reopenedAt,
    release: row.release,
    signals: evidence.signals,
    affectedCustomers: affectedCustomersOf(evidence.signals),
    threatens: await threatened(prisma, organizationId, evidence.threatens),
    spikes: row.signals.map(({ linkedAt, spike: s }) => ({
      id: s.id, status: s.status, seriesKey: s.series.key, driverKey: s.series.driverKey, startedAt: s.startedAt, peakAt: s.peakAt, pctChange: s.pctChange,
      explanation: s.explanation, affectedCustomers: s.affectedCustomers, resolvedAt: s.resolvedAt, linkedAt,
    })),
    history: history.map((h) => ({ at: h.at, actor: h.actor, action: h.action, reason: h.reason, before: h.before ?? null, after: h.after ?? null })),
  };
}

/** Ids of the organization's items that start with `prefix` (at most `limit`), for short ids typed by people. */
export async function findInterventionIds(prisma: Db, organizationId: string, prefix: string, limit = 5): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM intervention_items WHERE organization_id = ${organizationId}::uuid AND starts_with(id::text, ${prefix.toLowerCase()})
    ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

export interface OrganizationRef {
  id: string;
  key: string;
  name: string;
  timeZone: string;
}

export async function listOrganizationRefs(prisma: Db): Promise<OrganizationRef[]> {
  return prisma.organization.findMany({ select: { id: true, key: true, name: true, timeZone: true }, orderBy: { key: 'asc' } });
}

/** How an API token appears in the audit log: `api:<its name>` (never the token), or its id when it is gone. */
export async function apiTokenActor(prisma: Db, tokenId: string): Promise<string> {
  const row = await prisma.apiToken.findUnique({ where: { id: tokenId }, select: { name: true } });
  return `api:${row?.name ?? tokenId}`;
}

function toSummary(r: SummaryRow): InterventionSummary {
  return {
    id: r.id, title: r.title, status: r.status, severity: r.severity, owner: r.owner, driverKey: r.driverKey, dueAt: r.dueAt, createdAt: r.createdAt,
    escalatedAt: r.escalatedAt, escalationLevel: r.escalationLevel, onAgendaAt: r.onAgendaAt, signalCount: r._count.signals,
  };
}

async function threatened(prisma: Db, organizationId: string, t: { measures: string[]; kpis: string[] }): Promise<InterventionDetail['threatens']> {
  const [measures, kpis] = await Promise.all([
    t.measures.length === 0 ? [] : prisma.measure.findMany({ where: { organizationId, key: { in: t.measures } }, select: { key: true, title: true } }),
    t.kpis.length === 0 ? [] : prisma.kpi.findMany({ where: { organizationId, key: { in: t.kpis } }, select: { key: true, name: true }, orderBy: { version: 'asc' } }),
  ]);
  const titles = new Map(measures.map((m) => [m.key, m.title]));
  const names = new Map(kpis.map((k) => [k.key, k.name]));
  return { measures: t.measures.map((key) => ({ key, title: titles.get(key) ?? null })), kpis: t.kpis.map((key) => ({ key, name: names.get(key) ?? null })) };
}

// The evidence column as the detect stage writes it (intervention-repository.ts), read leniently:
// a missing or odd member is null (or empty), never a failed request.
const text = z.string().nullable().catch(null);
const num = z.number().nullable().catch(null);
const ticketSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), key: text, url: text, subject: text });
const signalSchema = z.object({
  spikeId: text, seriesKey: text, driverKey: text, kpi: text, subject: text, explanation: text, since: text, pctChange: num, extra: num,
  affectedCustomers: z.number().catch(0),
  exampleTickets: z.array(ticketSchema.nullable().catch(null)).catch([]).transform((ts) => ts.filter((t): t is TicketLink => t !== null)),
  release: z.object({ key: z.string(), name: z.string(), at: text }).nullable().catch(null),
});
const keys = z.array(z.string().catch('')).catch([]).transform((ks) => ks.filter((k) => k !== ''));
const evidenceSchema = z.object({
  signals: z.array(signalSchema.nullable().catch(null)).catch([]).transform((ss) => ss.filter((s): s is EvidenceSignal => s !== null)),
  threatens: z.object({ measures: keys, kpis: keys }).catch({ measures: [], kpis: [] }),
  route: text,
  escalateTo: text,
  meeting: z.object({ name: text, at: z.string() }).nullable().catch(null),
}).catch({ signals: [], threatens: { measures: [], kpis: [] }, route: null, escalateTo: null, meeting: null });
