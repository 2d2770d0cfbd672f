import type pg from 'pg';
import { type DualStatus, dualStatus, type StatusBands } from '../domain/measure/dual-status.ts';
import { confirmationProblems, decideTransition, type GateDecision, type GateProblem, type MeasureFacts, type MeasureStage, type SteeringDecision } from '../domain/measure/stage-gates.ts';
import { writeAuditRecord } from './audit-sql.ts';
import { affectedCustomersOf, type SignalReach } from '../domain/intervention/item-reach.ts';

/**
 * Measures in the governance store: their facts for the stage gates (src/domain/measure/stage-gates.ts),
 * the decisions that move them — each a stage_transitions row (who, when, why, evidence) and an
 * audit record, written with the move in the caller's transaction under a row lock — EBITDA entries
 * and their controller's confirmation, milestones, and the computed dual status.
 */
export interface MeasureRow {
  id: string;
  key: string;
  title: string;
  stage: MeasureStage;
  ownerId: string | null;
  sponsorId: string | null;
  controllerId: string | null;
  owner: { name: string; email: string } | null;
  sponsor: { name: string; email: string } | null;
  controller: { name: string; email: string } | null;
  businessUnit: string | null;
  steeringCommittee: string | null;
  plannedEbitda: number | null;
  currency: string;
  periodStart: string | null;
  periodEnd: string | null;
  packageKey: string;
}

export interface MilestoneRow {
  id: string;
  measureId: string;
  title: string;
  dueDate: string;
  done: boolean;
  completedAt: Date | null;
}

export interface EbitdaRow {
  id: string;
  measureId: string;
  kind: 'plan' | 'forecast' | 'actual';
  periodStart: string;
  periodEnd: string;
  amount: number;
  currency: string;
  confirmedBy: string | null;
  confirmedAt: Date | null;
  evidence: string | null;
}

const MEASURE_SELECT = `
  SELECT m.id::text, m.key, m.title, m.stage::text AS stage, m.owner_id::text AS "ownerId", m.sponsor_id::text AS "sponsorId", m.controller_id::text AS "controllerId",
         CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('name', o.name, 'email', o.email) END AS owner,
         CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('name', s.name, 'email', s.email) END AS sponsor,
         CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('name', c.name, 'email', c.email) END AS controller,
         bu.key AS "businessUnit", m.steering_committee AS "steeringCommittee", m.planned_ebitda::float8 AS "plannedEbitda", m.currency,
         to_char(m.ebitda_period_start, 'YYYY-MM-DD') AS "periodStart", to_char(m.ebitda_period_end, 'YYYY-MM-DD') AS "periodEnd", p.key AS "packageKey"
    FROM measures m
    JOIN measure_packages p ON p.id = m.package_id
    LEFT JOIN people o ON o.id = m.owner_id
    LEFT JOIN people s ON s.id = m.sponsor_id
    LEFT JOIN people c ON c.id = m.controller_id
    LEFT JOIN business_units bu ON bu.id = m.business_unit_id`;

export async function findMeasure(client: pg.PoolClient, organizationId: string, key: string, lock = false): Promise<MeasureRow | null> {
  if (lock) await client.query('SELECT 1 FROM measures WHERE organization_id = $1 AND key = $2 FOR UPDATE', [organizationId, key]);
  const rows = await client.query<MeasureRow>(`${MEASURE_SELECT} WHERE m.organization_id = $1 AND m.key = $2`, [organizationId, key]);
  return rows.rows[0] ?? null;
}

/** The organization's measures by key; a page of them (after a key, at most `limit`, of one stage) when asked. */
export async function listMeasureRows(
  client: pg.PoolClient, organizationId: string, page: { afterKey?: string | null; stage?: MeasureStage; limit?: number } = {},
): Promise<MeasureRow[]> {
  return (await client.query<MeasureRow>(
    `${MEASURE_SELECT} WHERE m.organization_id = $1 AND ($2::text IS NULL OR m.key > $2) AND ($3::text IS NULL OR m.stage = $3::"MeasureStage") ORDER BY m.key LIMIT $4`,
    [organizationId, page.afterKey ?? null, page.stage ?? null, page.limit ?? null],
  )).rows;
}

export async function milestonesOf(client: pg.PoolClient, measureIds: readonly string[]): Promise<MilestoneRow[]> {
  if (measureIds.length === 0) return [];
  return (await client.query<MilestoneRow>(
    `SELECT id::text, measure_id::text AS "measureId", title, to_char(due_date, 'YYYY-MM-DD') AS "dueDate", status = 'done' AS done, completed_at AS "completedAt"
       FROM milestones WHERE measure_id = ANY($1::uuid[]) ORDER BY due_date, title`,
    [measureIds],
  )).rows;
}

export async function ebitdaOf(client: pg.PoolClient, measureIds: readonly string[]): Promise<EbitdaRow[]> {
  if (measureIds.length === 0) return [];
  return (await client.query<EbitdaRow>(
    `SELECT id::text, measure_id::text AS "measureId", kind::text AS kind, to_char(period_start, 'YYYY-MM-DD') AS "periodStart", to_char(period_end, 'YYYY-MM-DD') AS "periodEnd",
            amount::float8 AS amount, currency, confirmed_by::text AS "confirmedBy", confirmed_at AS "confirmedAt", evidence
       FROM ebitda_entries WHERE measure_id = ANY($1::uuid[]) ORDER BY period_start, kind`,
    [measureIds],
  )).rows;
}

/** The stage an on-hold measure was held from (its last move onto hold). */
async function heldFrom(client: pg.PoolClient, measureId: string): Promise<MeasureStage | null> {
  const rows = await client.query<{ from: MeasureStage }>(
    `SELECT from_stage::text AS from FROM stage_transitions WHERE measure_id = $1 AND to_stage = 'on_hold' ORDER BY decided_at DESC, id DESC LIMIT 1`, [measureId],
  );
  return rows.rows[0]?.from ?? null;
}

export function factsOf(m: MeasureRow, milestones: readonly MilestoneRow[], ebitda: readonly EbitdaRow[], held: MeasureStage | null): MeasureFacts {
  return {
    stage: m.stage, heldFrom: held, ownerId: m.ownerId, sponsorId: m.sponsorId, controllerId: m.controllerId, businessUnit: m.businessUnit,
    steeringCommittee: m.steeringCommittee,
    plannedEbitda: m.plannedEbitda === null || m.periodStart === null || m.periodEnd === null ? null
      : { amount: m.plannedEbitda, currency: m.currency, periodStart: m.periodStart, periodEnd: m.periodEnd },
    milestones: milestones.map((x) => ({ title: x.title, done: x.done })),
    ebitda: ebitda.map((e) => ({ kind: e.kind, amount: e.amount, confirmedBy: e.confirmedBy })),
  };
}

export function statusOf(m: MeasureRow, milestones: readonly MilestoneRow[], ebitda: readonly EbitdaRow[], asOf: string, bands?: StatusBands): DualStatus {
  return dualStatus({
    stage: m.stage,
    plannedEbitda: m.plannedEbitda === null || m.periodStart === null || m.periodEnd === null ? null : { amount: m.plannedEbitda, periodStart: m.periodStart, periodEnd: m.periodEnd },
    milestones: milestones.map((x) => ({ title: x.title, dueDate: x.dueDate, done: x.done })),
    ebitda: ebitda.map((e) => ({ kind: e.kind, periodStart: e.periodStart, periodEnd: e.periodEnd, amount: e.amount, confirmed: e.confirmedBy !== null })),
    asOf, ...(bands ? { bands } : {}),
  });
}

/** The person a token acts for in an organization (by e-mail), or null. */
export async function personIdOf(client: pg.PoolClient, organizationId: string, email: string | null): Promise<string | null> {
  if (email === null) return null;
  const rows = await client.query<{ id: string }>('SELECT id::text FROM people WHERE organization_id = $1 AND email = $2', [organizationId, email.toLowerCase()]);
  return rows.rows[0]?.id ?? null;
}

export interface GateRequest {
  organizationId: string;
  measureKey: string;
  actorId: string;
  /** How the actor is named in the audit log (the token's name and person). */
  actor: string;
  to: MeasureStage;
  reason: string;
  decision?: SteeringDecision;
  atMs: number;
}

export type GateOutcome = { kind: 'not_found' } | { kind: 'refused'; decision: Extract<GateDecision, { ok: false }> } | { kind: 'moved'; decision: Extract<GateDecision, { ok: true }>; transitionId: string };

/** One gate decision, under a lock on the measure: refused with every problem, or moved and recorded. */
export async function transitionMeasure(client: pg.PoolClient, r: GateRequest): Promise<GateOutcome> {
  const m = await findMeasure(client, r.organizationId, r.measureKey, true);
  if (m === null) return { kind: 'not_found' };
  // One after the other: a pg client runs one query at a time.
  const milestones = await milestonesOf(client, [m.id]);
  const ebitda = await ebitdaOf(client, [m.id]);
  const held = await heldFrom(client, m.id);
  const decision = decideTransition(factsOf(m, milestones, ebitda, held), { to: r.to, actorId: r.actorId, reason: r.reason, ...(r.decision ? { decision: r.decision } : {}) });
  if (!decision.ok) return { kind: 'refused', decision };
  const at = new Date(r.atMs).toISOString();
  const evidence = { kind: decision.kind, ...(r.decision ? { decision: r.decision } : {}) };
  await client.query('UPDATE measures SET stage = $2::"MeasureStage", updated_at = $3 WHERE id = $1', [m.id, decision.to, at]);
  const row = await client.query<{ id: string }>(
    `INSERT INTO stage_transitions (id, measure_id, from_stage, to_stage, decided_by, decided_at, reason, evidence)
     VALUES (gen_random_uuid(), $1, $2::"MeasureStage", $3::"MeasureStage", $4, $5, $6, $7::jsonb) RETURNING id::text`,
    [m.id, decision.from, decision.to, r.actorId, at, r.reason, JSON.stringify(evidence)],
  );
  await writeAuditRecord(client, {
    organizationId: r.organizationId, actor: r.actor, action: `measure.${decision.kind}`, entityType: 'measure', entityId: m.id,
    before: { stage: decision.from }, after: { stage: decision.to, ...evidence }, reason: r.reason, atMs: r.atMs,
  });
  return { kind: 'moved', decision, transitionId: row.rows[0]?.id ?? '' };
}

export type ConfirmOutcome =
  | { kind: 'not_found'; what: 'measure' | 'entry' }
  | { kind: 'refused'; problems: GateProblem[] }
  | { kind: 'not_actual' }
  | { kind: 'confirmed'; entry: EbitdaRow; already: boolean };

/** The controller confirms a realised EBITDA entry with evidence (segregation of duties in stage-gates.ts). */
export async function confirmEbitda(
  client: pg.PoolClient, r: { organizationId: string; measureKey: string; entryId: string; actorId: string; actor: string; evidence: string; atMs: number },
): Promise<ConfirmOutcome> {
  const m = await findMeasure(client, r.organizationId, r.measureKey, true);
  if (m === null) return { kind: 'not_found', what: 'measure' };
  const entries = await ebitdaOf(client, [m.id]);
  const entry = entries.find((e) => e.id === r.entryId);
  if (!entry) return { kind: 'not_found', what: 'entry' };
  if (entry.kind !== 'actual') return { kind: 'not_actual' };
  const problems = confirmationProblems(factsOf(m, [], entries, null), r.actorId);
  if (problems.length > 0) return { kind: 'refused', problems };
  if (entry.confirmedBy === r.actorId) return { kind: 'confirmed', entry, already: true };
  const at = new Date(r.atMs);
  await client.query('UPDATE ebitda_entries SET confirmed_by = $2, confirmed_at = $3, evidence = $4 WHERE id = $1', [entry.id, r.actorId, at.toISOString(), r.evidence]);
  await writeAuditRecord(client, {
    organizationId: r.organizationId, actor: r.actor, action: 'ebitda.confirmed', entityType: 'ebitda_entry', entityId: entry.id,
    before: { confirmedBy: entry.confirmedBy }, after: { measure: m.key, amount: entry.amount, currency: entry.currency, periodStart: entry.periodStart, confirmedBy: r.actorId }, reason: r.evidence, atMs: r.atMs,
  });
  return { kind: 'confirmed', entry: { ...entry, confirmedBy: r.actorId, confirmedAt: at, evidence: r.evidence }, already: false };
}

export interface EbitdaWrite {
  organizationId: string;
  measureKey: string;
  kind: 'plan' | 'forecast' | 'actual';
  periodStart: string;
  periodEnd: string;
  amount: number;
  /** Default: the measure's currency. */
  currency?: string;
  actorId: string;
  actor: string;
  atMs: number;
}

export type EbitdaWriteOutcome = { kind: 'not_found' } | { kind: 'refused'; message: string } | { kind: 'closed' } | { kind: 'confirmed_already'; entry: EbitdaRow } | { kind: 'written'; entry: EbitdaRow; created: boolean };

/**
 * Records a plan, forecast or actual for a period (one per kind and period start: writing it again
 * replaces the amount), by the measure's owner or sponsor. A confirmed actual is not changed: the controller's confirmation holds for
 * the amount confirmed.
 */
export async function writeEbitda(client: pg.PoolClient, w: EbitdaWrite): Promise<EbitdaWriteOutcome> {
  const m = await findMeasure(client, w.organizationId, w.measureKey, true);
  if (m === null) return { kind: 'not_found' };
  // Segregation of duties: the people who steer the measure record its money, its controller confirms it.
  if (w.actorId !== m.ownerId && w.actorId !== m.sponsorId) return { kind: 'refused', message: "only the measure's owner or sponsor records its EBITDA; its controller confirms it" };
  if (m.stage === 'closed') return { kind: 'closed' };
  const existing = (await ebitdaOf(client, [m.id])).find((e) => e.kind === w.kind && e.periodStart === w.periodStart);
  if (existing?.confirmedBy) return { kind: 'confirmed_already', entry: existing };
  const row = await client.query<{ id: string }>(
    `INSERT INTO ebitda_entries (id, measure_id, kind, period_start, period_end, amount, currency)
     VALUES (gen_random_uuid(), $1, $2::"EbitdaKind", $3, $4, $5, $6)
     ON CONFLICT (measure_id, kind, period_start) DO UPDATE SET period_end = EXCLUDED.period_end, amount = EXCLUDED.amount, currency = EXCLUDED.currency
     RETURNING id::text`,
    [m.id, w.kind, w.periodStart, w.periodEnd, w.amount, w.currency ?? m.currency],
  );
  const id = row.rows[0]?.id ?? '';
  await writeAuditRecord(client, {
    organizationId: w.organizationId, actor: w.actor, action: existing ? 'ebitda.updated' : 'ebitda.recorded', entityType: 'ebitda_entry', entityId: id,
    before: existing ? { amount: existing.amount, currency: existing.currency, periodEnd: existing.periodEnd } : undefined,
    after: { measure: m.key, kind: w.kind, periodStart: w.periodStart, periodEnd: w.periodEnd, amount: w.amount, currency: w.currency ?? m.currency }, atMs: w.atMs,
  });
  const entry = (await ebitdaOf(client, [m.id])).find((e) => e.id === id);
  if (!entry) throw new Error(`ebitda entry ${id} vanished inside its own transaction`);
  return { kind: 'written', entry, created: existing === undefined };
}

export type MilestoneOutcome = { kind: 'not_found'; what: 'measure' | 'milestone' } | { kind: 'refused'; message: string } | { kind: 'done'; milestone: MilestoneRow; already: boolean };

/** The owner or sponsor marks a milestone done (what the Implemented gate checks). */
export async function completeMilestone(
  client: pg.PoolClient, r: { organizationId: string; measureKey: string; milestoneId: string; actorId: string; actor: string; atMs: number },
): Promise<MilestoneOutcome> {
  const m = await findMeasure(client, r.organizationId, r.measureKey, true);
  if (m === null) return { kind: 'not_found', what: 'measure' };
  const milestone = (await milestonesOf(client, [m.id])).find((x) => x.id === r.milestoneId);
  if (!milestone) return { kind: 'not_found', what: 'milestone' };
  if (r.actorId !== m.ownerId && r.actorId !== m.sponsorId) return { kind: 'refused', message: "only the measure's owner or sponsor marks its milestones done" };
  if (m.stage === 'closed') return { kind: 'refused', message: 'a closed measure is final' };
  if (milestone.done) return { kind: 'done', milestone, already: true };
  const at = new Date(r.atMs);
  await client.query(`UPDATE milestones SET status = 'done', completed_at = $2 WHERE id = $1`, [milestone.id, at.toISOString()]);
  await writeAuditRecord(client, {
    organizationId: r.organizationId, actor: r.actor, action: 'milestone.done', entityType: 'milestone', entityId: milestone.id,
    before: { done: false }, after: { measure: m.key, title: milestone.title, done: true }, atMs: r.atMs,
  });
  return { kind: 'done', milestone: { ...milestone, done: true, completedAt: at }, already: false };
}

export interface TransitionRecord {
  at: Date;
  from: MeasureStage;
  to: MeasureStage;
  decidedBy: { name: string; email: string } | null;
  reason: string;
  evidence: unknown;
}

export async function transitionsOf(client: pg.PoolClient, measureId: string): Promise<TransitionRecord[]> {
  return (await client.query<TransitionRecord>(
    `SELECT t.decided_at AS at, t.from_stage::text AS from, t.to_stage::text AS to,
            CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('name', p.name, 'email', p.email) END AS "decidedBy", t.reason, t.evidence
       FROM stage_transitions t LEFT JOIN people p ON p.id = t.decided_by WHERE t.measure_id = $1 ORDER BY t.decided_at, t.id`,
    [measureId],
  )).rows;
}

export interface OpenIntervention {
  id: string;
  title: string;
  status: string;
  severity: string;
  owner: string | null;
  openedAt: Date;
  onAgenda: boolean;
  affectedCustomers: number;
  /** Keys of the measures it threatens (its route's links, and its own measure). */
  measures: string[];
  /** Keys of the KPIs it threatens (its route's links, and the KPIs reading its drivers). */
  kpis: string[];
}

/** Intervention items still asking something of people, with the measures they threaten. */
export async function openInterventions(client: pg.PoolClient, organizationId: string): Promise<OpenIntervention[]> {
  const rows = (await client.query<Omit<OpenIntervention, 'affectedCustomers'> & { reach: SignalReach[] }>(
    `SELECT i.id::text, i.title, i.status::text AS status, i.severity::text AS severity, p.email AS owner, i.created_at AS "openedAt", i.on_agenda_at IS NOT NULL AS "onAgenda",
            coalesce((SELECT json_agg(json_build_object('seriesKey', s->>'seriesKey', 'kpi', s->>'kpi', 'affectedCustomers', coalesce((s->>'affectedCustomers')::int, 0)))
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(i.evidence->'signals') = 'array' THEN i.evidence->'signals' ELSE '[]'::jsonb END) s), '[]') AS reach,
            array(SELECT DISTINCT k FROM (
              SELECT jsonb_array_elements_text(coalesce(i.evidence->'threatens'->'measures', '[]'::jsonb)) AS k
              UNION SELECT m.key FROM measures m WHERE m.id = i.measure_id) keys ORDER BY k) AS measures,
            array(SELECT DISTINCT k FROM (
              SELECT jsonb_array_elements_text(coalesce(i.evidence->'threatens'->'kpis', '[]'::jsonb)) AS k
              UNION SELECT x.key FROM kpis x WHERE x.id = i.kpi_id) keys ORDER BY k) AS kpis
       FROM intervention_items i LEFT JOIN people p ON p.id = i.owner_id
      WHERE i.organization_id = $1 AND i.status IN ('open', 'acknowledged', 'in_progress', 'reopened')
      ORDER BY i.created_at`,
    [organizationId],
  )).rows;
  return rows.map(({ reach, ...item }) => ({ ...item, affectedCustomers: affectedCustomersOf(reach) }));
}

export interface PlacedMeasure {
  id: string;
  program: { key: string; name: string; goal: string | null };
  portfolio: { key: string; name: string; goal: string | null };
}

/** Where each measure sits: its program and portfolio (with their goals). */
export async function measurePlaces(client: pg.PoolClient, organizationId: string): Promise<Map<string, PlacedMeasure>> {
  const rows = await client.query<PlacedMeasure>(
    `SELECT m.id::text, json_build_object('key', g.key, 'name', g.name, 'goal', g.goal) AS program, json_build_object('key', f.key, 'name', f.name, 'goal', f.goal) AS portfolio
       FROM measures m JOIN measure_packages k ON k.id = m.package_id JOIN projects j ON j.id = k.project_id JOIN programs g ON g.id = j.program_id JOIN portfolios f ON f.id = g.portfolio_id
      WHERE m.organization_id = $1`,
    [organizationId],
  );
  return new Map(rows.rows.map((r) => [r.id, r]));
}

/** Gate decisions taken in [fromMs, toMs), and the items raised and resolved in it. */
export async function periodActivity(client: pg.PoolClient, organizationId: string, fromMs: number, toMs: number) {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const decisions = await client.query<{ measure: string; from: MeasureStage; to: MeasureStage; at: Date; by: string | null; reason: string }>(
    `SELECT m.key AS measure, t.from_stage::text AS from, t.to_stage::text AS to, t.decided_at AS at, p.email AS by, t.reason
       FROM stage_transitions t JOIN measures m ON m.id = t.measure_id LEFT JOIN people p ON p.id = t.decided_by
      WHERE m.organization_id = $1 AND t.decided_at >= $2 AND t.decided_at < $3 ORDER BY t.decided_at`,
    [organizationId, from, to],
  );
  const counts = await client.query<{ raised: number; resolved: number }>(
    `SELECT count(*) FILTER (WHERE created_at >= $2 AND created_at < $3)::int AS raised, count(*) FILTER (WHERE resolved_at >= $2 AND resolved_at < $3)::int AS resolved
       FROM intervention_items WHERE organization_id = $1`,
    [organizationId, from, to],
  );
  return { decisions: decisions.rows, raised: counts.rows[0]?.raised ?? 0, resolved: counts.rows[0]?.resolved ?? 0 };
}

/** Milestones and EBITDA entries of several measures, by measure id. */
export async function partsOf(client: pg.PoolClient, measures: readonly MeasureRow[]): Promise<{ milestones: Map<string, MilestoneRow[]>; ebitda: Map<string, EbitdaRow[]> }> {
  const ids = measures.map((m) => m.id);
  // One after the other: a pg client runs one query at a time.
  const milestones = await milestonesOf(client, ids);
  const ebitda = await ebitdaOf(client, ids);
  return { milestones: groupBy(milestones, (x) => x.measureId), ebitda: groupBy(ebitda, (x) => x.measureId) };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list) list.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}
