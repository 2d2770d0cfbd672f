import type pg from 'pg';
import { dueDate } from '../domain/intervention/due-date.ts';
import { groupKeyOf, releaseFor, releaseWords } from '../domain/intervention/grouping.ts';
import { itemAsk, itemTitle, severityOf, type SignalSummary } from '../domain/intervention/item-text.ts';
import { routeFor } from '../domain/intervention/routing.ts';
import { mergeThreats, threatenedByDriver } from '../domain/kpi/kpi-threats.ts';
import { writeAuditRecord } from './audit-sql.ts';
import type { RoutingContext } from './routing-context-repository.ts';
import { activeSilence } from './silence-repository.ts';

/**
 * Raising intervention items from spikes, in the detect stage's transaction. An item is unique in
 * PostgreSQL by its fingerprint (its group and the start of its first signal); related spikes — one
 * driver family, and one release when a release explains their start — join the active item of their
 * group as further signals; a spike joining a resolved item reopens it. A silenced driver raises
 * nothing. Every change is an audit record.
 */
export interface SpikeSignal {
  spikeId: string;
  seriesId: bigint;
  seriesKey: string;
  driverKey: string | null;
  subject: string;
  /** The KPI whose event series spiked (null for a driver's series). */
  kpi: { id: string; key: string; measureKey: string | null } | null;
  explanation: string;
  pctChange: number;
  extra: number;
  sinceMs: number;
  exampleTicketIds: bigint[];
  affectedCustomers: number;
}

export type RaiseOutcome = { kind: 'raised' | 'joined' | 'reopened'; interventionId: string } | { kind: 'silenced'; silenceId: string } | { kind: 'known'; interventionId: string };

const ACTOR = 'frontline-detect';

export async function raiseIntervention(client: pg.PoolClient, ctx: RoutingContext, signal: SpikeSignal, nowMs: number): Promise<RaiseOutcome> {
  const linked = await client.query<{ intervention_id: string }>('SELECT intervention_id FROM intervention_spikes WHERE spike_id = $1', [signal.spikeId]);
  if (linked.rows[0]) return { kind: 'known', interventionId: linked.rows[0].intervention_id };
  const silence = await activeSilence(client, ctx.organizationId, signal.driverKey, nowMs);
  if (silence) return { kind: 'silenced', silenceId: silence };
  const release = releaseFor(signal.sinceMs, ctx.releases, ctx.releaseWindowMs);
  const releaseClause = release ? releaseWords(signal.sinceMs, release) : null;
  const group = groupKeyOf(signal.driverKey, release, signal.kpi?.key ?? null);
  const tickets = await ticketLinks(client, signal.exampleTicketIds);
  const evidenceSignal = { ...signalJson(signal), exampleTickets: tickets, release: release ? { key: release.key, name: release.name, at: new Date(release.releasedAtMs).toISOString() } : null };
  const active = await client.query<{ id: string; status: string; evidence: { signals: unknown[]; threatens?: { measures?: string[]; kpis?: string[] } } | null }>(
    `SELECT id, status::text, evidence FROM intervention_items WHERE organization_id = $1 AND group_key = $2 AND status <> 'effect_verified'
     ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [ctx.organizationId, group],
  );
  const existing = active.rows[0];
  if (existing) {
    await client.query('INSERT INTO intervention_spikes (intervention_id, spike_id, linked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [existing.id, signal.spikeId, iso(nowMs)]);
    const signals = [...(existing.evidence?.signals ?? []), evidenceSignal];
    // The joining driver's measures and KPIs are threatened too.
    const before = existing.evidence?.threatens;
    const threatens = mergeThreats({ measures: before?.measures ?? [], kpis: before?.kpis ?? [] }, threatsOf(ctx, signal));
    const reopen = existing.status === 'resolved';
    await client.query(
      `UPDATE intervention_items SET evidence = jsonb_set(jsonb_set(coalesce(evidence, '{}'::jsonb), '{signals}', $2::jsonb), '{threatens}', $6::jsonb), narrative = narrative || E'\\n' || $3,
         status = CASE WHEN $4 THEN 'reopened'::"InterventionStatus" ELSE status END, reopened_at = CASE WHEN $4 THEN $5::timestamptz ELSE reopened_at END, updated_at = $5
       WHERE id = $1`,
      [existing.id, JSON.stringify(signals), signal.explanation, reopen, iso(nowMs), JSON.stringify(threatens)],
    );
    await writeAuditRecord(client, {
      organizationId: ctx.organizationId, actor: ACTOR, action: reopen ? 'intervention.reopened' : 'intervention.signal_added', entityType: 'intervention',
      entityId: existing.id, after: { spikeId: signal.spikeId, explanation: signal.explanation, ...(reopen ? { status: 'reopened' } : {}) },
      reason: reopen ? 'a related spike began after the item was resolved' : 'a related spike joined the item', atMs: nowMs,
    });
    return { kind: reopen ? 'reopened' : 'joined', interventionId: existing.id };
  }
  return create(client, ctx, signal, group, release?.id ?? null, releaseClause, evidenceSignal, nowMs);
}

async function create(
  client: pg.PoolClient, ctx: RoutingContext, signal: SpikeSignal, group: string, releaseId: string | null, releaseClause: string | null, evidenceSignal: object, nowMs: number,
): Promise<RaiseOutcome> {
  const routed = routeFor(signal.driverKey, ctx.routes, ctx.fallback, ctx.people);
  const due = dueDate(nowMs, ctx.cadence, ctx.timeZone);
  const local = (ms: number): string => new Intl.DateTimeFormat('en-GB', { timeZone: ctx.timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  const summary: SignalSummary = {
    subject: signal.subject, ...(signal.kpi ? { counted: signal.subject } : {}), explanation: signal.explanation, pctChange: signal.pctChange, extra: signal.extra, sinceLocal: local(signal.sinceMs),
  };
  const dueWords = due.meetingMs === null ? `by ${local(due.dueMs)}` : `before ${ctx.cadence?.name ?? 'the steering meeting'} on ${local(due.meetingMs)}`;
  const owner = routed.owner;
  const escalateTo = owner?.escalateTo ?? null;
  const evidence = {
    signals: [evidenceSignal],
    threatens: threatsOf(ctx, signal),
    route: routed.matched, escalateTo, meeting: due.meetingMs === null ? null : { name: ctx.cadence?.name ?? null, at: iso(due.meetingMs) },
  };
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO intervention_items (id, organization_id, fingerprint, spike_id, title, narrative, ask, severity, owner_id, due_at, status, group_key,
       driver_key, release_id, evidence, created_at, updated_at, kpi_id)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7::"Severity", $8, $9, 'open', $10, $11, $12, $13::jsonb, $14, $14, $15::uuid)
     ON CONFLICT (organization_id, fingerprint) DO NOTHING RETURNING id`,
    [
      ctx.organizationId, `${group}@${iso(signal.sinceMs)}`, signal.spikeId, itemTitle([summary], releaseClause), signal.explanation,
      itemAsk([summary], routed, releaseClause, dueWords), severityOf([summary]), owner?.id ?? null, iso(due.dueMs), group, signal.driverKey, releaseId,
      JSON.stringify(evidence), iso(nowMs), signal.kpi?.id ?? null,
    ],
  );
  const id = inserted.rows[0]?.id;
  if (id === undefined) throw new Error(`intervention ${group}@${iso(signal.sinceMs)} exists but is not active`);
  await client.query('INSERT INTO intervention_spikes (intervention_id, spike_id, linked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, signal.spikeId, iso(nowMs)]);
  for (const p of routed.participants) {
    await client.query('INSERT INTO intervention_participants (intervention_id, function, person_id) VALUES ($1, $2::"FunctionArea", $3) ON CONFLICT DO NOTHING', [id, p.function, p.person?.id ?? null]);
  }
  await writeAuditRecord(client, {
    organizationId: ctx.organizationId, actor: ACTOR, action: 'intervention.raised', entityType: 'intervention', entityId: id,
    after: { status: 'open', owner: owner?.email ?? null, participants: routed.participants.map((p) => ({ function: p.function, person: p.person?.email ?? null })), due: iso(due.dueMs), spikeId: signal.spikeId },
    reason: signal.explanation, atMs: nowMs,
  });
  return { kind: 'raised', interventionId: id };
}

/**
 * What a spike threatens: its driver route's explicit links, the KPIs whose driver filter reads its
 * driver with their measures, and — a KPI's spike — that KPI and its measure.
 */
function threatsOf(ctx: RoutingContext, signal: SpikeSignal) {
  const routed = routeFor(signal.driverKey, ctx.routes, ctx.fallback, ctx.people);
  const own = signal.kpi ? { kpis: [signal.kpi.key], measures: signal.kpi.measureKey === null ? [] : [signal.kpi.measureKey] } : { kpis: [], measures: [] };
  return mergeThreats(routed, threatenedByDriver(signal.driverKey, ctx.kpis), own);
}

const signalJson = (s: SpikeSignal): object => ({
  spikeId: s.spikeId, seriesId: s.seriesId.toString(), seriesKey: s.seriesKey, driverKey: s.driverKey, kpi: s.kpi?.key ?? null, subject: s.subject, explanation: s.explanation,
  since: iso(s.sinceMs), pctChange: Number.isFinite(s.pctChange) ? s.pctChange : null, extra: s.extra, affectedCustomers: s.affectedCustomers,
});

/** Example tickets as people open them: the source's key and link. */
async function ticketLinks(client: pg.PoolClient, ids: readonly bigint[]): Promise<{ id: string; key: string | null; url: string | null; subject: string | null }[]> {
  if (ids.length === 0) return [];
  const rows = await client.query<{ id: string; key: string | null; url: string | null; subject: string | null }>(
    'SELECT id::text, coalesce(key, native_id) AS key, url, subject FROM tickets WHERE id = ANY($1::bigint[]) ORDER BY source_created_at DESC, id DESC',
    [ids.map(String)],
  );
  return rows.rows;
}

const iso = (ms: number): string => new Date(ms).toISOString();
