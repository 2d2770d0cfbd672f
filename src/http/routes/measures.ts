import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DualStatus } from '../../domain/measure/dual-status.ts';
import { type GateProblem, measureStages } from '../../domain/measure/stage-gates.ts';
import type { ApiTokenRole } from '../../store/api-token-repository.ts';
import { apiTokenActor } from '../../store/intervention-queries.ts';
import { activeKpis } from '../../store/kpi-definitions.ts';
import { kpiStandings } from '../../store/kpi-standing-query.ts';
import {
  completeMilestone, confirmEbitda, type EbitdaRow, findMeasure, listMeasureRows, type MeasureRow, type MilestoneRow, type OpenIntervention, openInterventions, partsOf,
  personIdOf, statusOf, transitionMeasure, transitionsOf, writeEbitda,
} from '../../store/measure-repository.ts';
import { inTransaction } from '../../store/transaction.ts';
import { principalOf } from '../auth.ts';
import { kpiGoalSchema, kpiGoalView, openItemSchema, type OpenItemView, openItemsAgainst } from '../governance-views.ts';
import { conflict, type ErrorDetail, errorResponses, HttpError } from '../errors.ts';
import { identifierParam } from '../params.ts';
import { type ApiContext, dropGovernanceSnapshotsOnWrites, organizationParam, resolveOrganization } from '../scope.ts';
import { freeText, requireRole } from './interventions.ts';
import { iso, isoOrNull, limitParam, uuidParam } from './spikes.ts';

/**
 * Measures of the governance hierarchy (README "Governance"): list and read with the computed dual
 * status for every role; stage-gate moves, milestones and EBITDA entries for the people on the
 * measure, through tokens that act for them (`tokens create --person`); the realised EBITDA's
 * confirmation for its controller only. Each change is one transaction with its audit record.
 */
const GATE_ROLES: readonly ApiTokenRole[] = ['admin', 'analyst', 'controller'];
/** Recording EBITDA and completing milestones: the owner's and sponsor's (the controller confirms, never records). */
const STEWARD_ROLES: readonly ApiTokenRole[] = ['admin', 'analyst'];
const CONFIRM_ROLES: readonly ApiTokenRole[] = ['controller'];

const personSchema = z.object({ name: z.string(), email: z.string() }).nullable();
const isoDate = z.iso.date().describe('ISO date (yyyy-mm-dd)');
const overallStates = ['on_track', 'at_risk', 'off_track', 'gap', 'on_hold', 'closed'] as const;

const statusSchema = z.object({
  overall: z.enum(overallStates).describe("'gap': milestones on track or done while the money is not"),
  gap: z.boolean(),
  reasons: z.array(z.string()),
  implementation: z.object({
    state: z.enum(['not_started', 'on_track', 'at_risk', 'off_track', 'done', 'on_hold']),
    stage: z.enum(measureStages),
    milestonesDone: z.number().int(),
    milestonesTotal: z.number().int(),
    overdue: z.array(z.string()),
  }),
  value: z.object({
    state: z.enum(['no_plan', 'green', 'amber', 'red']),
    plan: z.number(),
    planToDate: z.number(),
    realised: z.number().describe('Controller-confirmed actuals only'),
    awaitingConfirmation: z.number(),
    forecastAtCompletion: z.number(),
    forecastShare: z.number().nullable(),
    realisedShareToDate: z.number().nullable(),
  }),
}).meta({ id: 'DualStatus' });

const summarySchema = z.object({
  key: z.string(),
  title: z.string(),
  package: z.string(),
  stage: z.enum(measureStages),
  owner: personSchema,
  sponsor: personSchema,
  controller: personSchema,
  businessUnit: z.string().nullable(),
  steeringCommittee: z.string().nullable(),
  plannedEbitda: z.object({ amount: z.number(), currency: z.string(), periodStart: z.string(), periodEnd: z.string() }).nullable(),
  status: statusSchema,
  openInterventions: z.array(openItemSchema)
    .describe('Intervention items still open against the measure (their driver route links it, or a KPI on it reads their driver), oldest first'),
  kpis: z.array(kpiGoalSchema).describe('The active KPIs on the measure against their targets, as of the end of `asOf` (default: now)'),
});

const milestoneSchema = z.object({ id: z.string(), title: z.string(), dueDate: z.string(), done: z.boolean(), completedAt: z.string().nullable() });
const ebitdaSchema = z.object({
  id: z.string(), kind: z.enum(['plan', 'forecast', 'actual']), periodStart: z.string(), periodEnd: z.string(), amount: z.number(), currency: z.string(),
  confirmed: z.boolean(), confirmedAt: z.string().nullable(), evidence: z.string().nullable(),
});
const detailSchema = summarySchema.extend({
  organization: z.string(),
  milestones: z.array(milestoneSchema),
  ebitda: z.array(ebitdaSchema),
  transitions: z.array(z.object({ at: z.string(), from: z.enum(measureStages), to: z.enum(measureStages), decidedBy: personSchema, reason: z.string(), evidence: z.unknown() }))
    .describe('Every stage-gate decision, oldest first'),
});

const keyParams = z.object({ key: identifierParam('Measure key') });
const orgQuery = z.object({ organization: organizationParam, asOf: isoDate.optional().describe('The day the status is for (default: today, UTC)') });
const listQuery = orgQuery.extend({
  stage: z.enum(measureStages).optional(),
  status: z.enum(overallStates).optional().describe('Only measures whose overall status is this'),
  limit: limitParam,
  cursor: z.string().max(400).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from a previous page').optional().describe('nextCursor of the previous page'),
});

const transitionBody = z.strictObject({
  to: z.enum(measureStages).describe('The stage to move to: the next gate, an earlier stage (a replan), on_hold, or back from on_hold'),
  reason: freeText('Why (recorded with the decision)'),
  decision: z.strictObject({
    committee: freeText('The steering committee that decided', 200).min(1),
    decidedOn: isoDate,
    reference: freeText('Where the decision is minuted', 200).min(1),
  }).optional().describe('Required to enter decided: the steering-committee decision'),
});
const transitionResponse = z.object({ key: z.string(), from: z.enum(measureStages), to: z.enum(measureStages), kind: z.enum(['advance', 'setback', 'hold', 'resume']), status: statusSchema });

const ebitdaBody = z.strictObject({
  kind: z.enum(['plan', 'forecast', 'actual']),
  periodStart: isoDate,
  periodEnd: isoDate,
  amount: z.number().finite().min(-1e15).max(1e15),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR').optional().describe("Default: the measure's currency"),
}).refine((b) => b.periodEnd >= b.periodStart, { message: 'periodEnd must not be before periodStart', path: ['periodEnd'] });
const confirmBody = z.strictObject({ evidence: freeText('What the confirmation rests on (e.g. the ledger extract)').min(3) });
const entryParams = keyParams.extend({ entryId: uuidParam('EBITDA entry id') });
const milestoneParams = keyParams.extend({ milestoneId: uuidParam('Milestone id') });

const common = { tags: ['measures'], security: [{ bearerAuth: [] }] };
/** Measures read at a time while looking for those of one status (bench/api.ts: the filtered list). */
const STATUS_FILTER_BATCH = 500;

export const measureRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  dropGovernanceSnapshotsOnWrites(app, ctx);
  const today = (asOf: string | undefined): string => asOf ?? new Date(ctx.now()).toISOString().slice(0, 10);

  app.get('', {
    schema: {
      ...common, summary: 'Measures of the organization with their dual status, by key (paginated)', querystring: listQuery,
      response: { 200: z.object({ organization: z.string(), asOf: z.string(), items: z.array(summarySchema), nextCursor: z.string().nullable() }), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const q = request.query;
    const org = await resolveOrganization(ctx, principalOf(request), q.organization);
    const asOf = today(q.asOf);
    const after = q.cursor === undefined ? null : decodeKeyCursor(q.cursor);
    const client = await ctx.pool.connect();
    try {
      const open = await openInterventions(client, org.id);
      const against = openItemsAgainst(open, ctx.now(), (i) => i.measures);
      const items: (z.infer<typeof summarySchema> & { id: string })[] = [];
      let nextCursor: string | null = null;
      // Page by page from the store; the status filter is on a computed value, so batches are read until
      // this page is full — larger ones then, as a rare status is found a few in a hundred.
      const batchSize = q.status === undefined ? q.limit + 1 : Math.max(q.limit + 1, STATUS_FILTER_BATCH);
      let afterKey = after;
      for (;;) {
        const batch = await listMeasureRows(client, org.id, { afterKey, ...(q.stage ? { stage: q.stage } : {}), limit: batchSize });
        const { milestones, ebitda } = await partsOf(client, batch);
        for (const m of batch) {
          const view = summaryOf(m, statusOf(m, milestones.get(m.id) ?? [], ebitda.get(m.id) ?? [], asOf), against(m.key), []);
          if (q.status !== undefined && view.status.overall !== q.status) continue;
          if (items.length === q.limit) {
            nextCursor = encodeKeyCursor(items[items.length - 1]?.key ?? m.key);
            break;
          }
          items.push(view);
        }
        if (nextCursor !== null || batch.length < batchSize) break;
        afterKey = batch[batch.length - 1]?.key ?? null;
      }
      const kpis = await measureKpis(ctx, client, org.id, open, items.map((i) => i.id), q.asOf);
      return { organization: org.key, asOf, items: items.map(({ id, ...view }) => ({ ...view, kpis: kpis(id) })), nextCursor };
    } finally {
      client.release();
    }
  });

  app.get('/:key', {
    schema: { ...common, summary: 'One measure: people, stage, milestones, EBITDA entries, dual status and every gate decision', params: keyParams, querystring: orgQuery, response: { 200: detailSchema, ...errorResponses(400, 401, 404) } },
  }, async (request) => {
    const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
    const client = await ctx.pool.connect();
    try {
      const m = await findMeasure(client, org.id, request.params.key);
      if (m === null) throw measureNotFound(request.params.key, org.key);
      const { milestones, ebitda } = await partsOf(client, [m]);
      const transitions = await transitionsOf(client, m.id);
      const open = await openInterventions(client, org.id);
      const kpis = await measureKpis(ctx, client, org.id, open, [m.id], request.query.asOf);
      const { id, ...summary } = summaryOf(m, statusOf(m, milestones.get(m.id) ?? [], ebitda.get(m.id) ?? [], today(request.query.asOf)), openItemsAgainst(open, ctx.now(), (i) => i.measures)(m.key), kpis(m.id));
      return {
        ...summary, organization: org.key,
        milestones: (milestones.get(m.id) ?? []).map(milestoneView), ebitda: (ebitda.get(m.id) ?? []).map(ebitdaView), transitions: transitions.map((t) => ({ ...t, at: iso(t.at) })),
      };
    } finally {
      client.release();
    }
  });

  app.post('/:key/transitions', {
    preParsing: requireRole(GATE_ROLES, 'move a measure between stages'),
    schema: {
      ...common, summary: "Move a measure through its stage gates (the gate checks its entry criteria; the decision is recorded with who, when, why)", params: keyParams, querystring: orgQuery,
      body: transitionBody, response: { 200: transitionResponse, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { org, actor } = await actingPerson(ctx, request, request.query.organization);
    const body = request.body;
    return inTransaction(ctx.pool, async (client) => {
      const outcome = await transitionMeasure(client, {
        organizationId: org.id, measureKey: request.params.key, actorId: actor.id, actor: actor.label, to: body.to, reason: body.reason,
        ...(body.decision ? { decision: body.decision } : {}), atMs: ctx.now(),
      });
      if (outcome.kind === 'not_found') throw measureNotFound(request.params.key, org.key);
      if (outcome.kind === 'refused') throw gateRefused(`Measure ${request.params.key} cannot move from ${outcome.decision.from} to ${outcome.decision.to}`, outcome.decision.problems);
      const m = await findMeasure(client, org.id, request.params.key);
      if (m === null) throw measureNotFound(request.params.key, org.key);
      const { milestones, ebitda } = await partsOf(client, [m]);
      return { key: m.key, from: outcome.decision.from, to: outcome.decision.to, kind: outcome.decision.kind, status: statusOf(m, milestones.get(m.id) ?? [], ebitda.get(m.id) ?? [], today(request.query.asOf)) };
    });
  });

  app.post('/:key/ebitda', {
    preParsing: requireRole(STEWARD_ROLES, 'record EBITDA'),
    schema: {
      ...common, summary: 'Record a plan, forecast or actual EBITDA for a period (again for the same kind and period: replaces it; a confirmed actual stays as confirmed)',
      params: keyParams, querystring: orgQuery, body: ebitdaBody, response: { 200: ebitdaSchema, 201: ebitdaSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { org, actor } = await actingPerson(ctx, request, request.query.organization);
    const b = request.body;
    return inTransaction(ctx.pool, async (client) => {
      const outcome = await writeEbitda(client, {
        organizationId: org.id, measureKey: request.params.key, kind: b.kind, periodStart: b.periodStart, periodEnd: b.periodEnd, amount: b.amount,
        ...(b.currency === undefined ? {} : { currency: b.currency }), actorId: actor.id, actor: actor.label, atMs: ctx.now(),
      });
      if (outcome.kind === 'not_found') throw measureNotFound(request.params.key, org.key);
      if (outcome.kind === 'refused') throw new HttpError('FL_SEGREGATION_OF_DUTIES', outcome.message, [{ path: 'actor', message: outcome.message }]);
      if (outcome.kind === 'closed') throw conflict(`Measure ${request.params.key} is closed: its EBITDA is final`);
      if (outcome.kind === 'confirmed_already') throw conflict(`The ${b.kind} for the period from ${b.periodStart} was confirmed by the controller on ${outcome.entry.confirmedAt?.toISOString() ?? '?'}: it is not changed`);
      reply.code(outcome.created ? 201 : 200);
      return ebitdaView(outcome.entry);
    });
  });

  app.post('/:key/ebitda/:entryId/confirm', {
    preParsing: requireRole(CONFIRM_ROLES, "confirm a measure's realised EBITDA"),
    schema: {
      ...common, summary: "The measure's controller confirms a realised EBITDA entry, with evidence (what closing the measure needs)",
      params: entryParams, querystring: orgQuery, body: confirmBody, response: { 200: ebitdaSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { org, actor } = await actingPerson(ctx, request, request.query.organization);
    return inTransaction(ctx.pool, async (client) => {
      const outcome = await confirmEbitda(client, {
        organizationId: org.id, measureKey: request.params.key, entryId: request.params.entryId, actorId: actor.id, actor: actor.label, evidence: request.body.evidence, atMs: ctx.now(),
      });
      if (outcome.kind === 'not_found') throw measureNotFound(outcome.what === 'measure' ? request.params.key : `${request.params.key}/ebitda/${request.params.entryId}`, org.key);
      if (outcome.kind === 'not_actual') throw conflict('Only an actual is confirmed: plans and forecasts are not realised EBITDA');
      if (outcome.kind === 'refused') throw gateRefused(`You may not confirm EBITDA of measure ${request.params.key}`, outcome.problems);
      return ebitdaView(outcome.entry);
    });
  });

  app.post('/:key/milestones/:milestoneId/complete', {
    preParsing: requireRole(STEWARD_ROLES, 'complete milestones'),
    schema: { ...common, summary: 'Mark a milestone done (owner or sponsor)', params: milestoneParams, querystring: orgQuery, response: { 200: milestoneSchema, ...errorResponses(400, 401, 403, 404) } },
  }, async (request) => {
    const { org, actor } = await actingPerson(ctx, request, request.query.organization);
    return inTransaction(ctx.pool, async (client) => {
      const outcome = await completeMilestone(client, { organizationId: org.id, measureKey: request.params.key, milestoneId: request.params.milestoneId, actorId: actor.id, actor: actor.label, atMs: ctx.now() });
      if (outcome.kind === 'not_found') throw measureNotFound(outcome.what === 'measure' ? request.params.key : `${request.params.key}/milestones/${request.params.milestoneId}`, org.key);
      if (outcome.kind === 'refused') throw new HttpError('FL_SEGREGATION_OF_DUTIES', outcome.message, [{ path: 'actor', message: outcome.message }]);
      return milestoneView(outcome.milestone);
    });
  });
};

/** The person the token acts for in the organization; 403 FL_NO_PERSON without one. */
async function actingPerson(ctx: ApiContext, request: FastifyRequest, organization: string | undefined) {
  const principal = principalOf(request);
  const org = await resolveOrganization(ctx, principal, organization);
  const client = await ctx.pool.connect();
  try {
    const id = await personIdOf(client, org.id, principal.personEmail);
    if (id === null) {
      throw new HttpError('FL_NO_PERSON', principal.personEmail === null
        ? 'This token acts for no person: governance decisions are made by people. Create a token with `frontline tokens create --person <email>`'
        : `The token's person ${principal.personEmail} is no person of organization ${org.key} (config \`people:\`)`);
    }
    return { org, actor: { id, label: `${await apiTokenActor(ctx.prisma, principal.id)} (${principal.personEmail ?? ''})` } };
  } finally {
    client.release();
  }
}

/**
 * The active KPIs on the measures (by id) against their targets, with the open items threatening
 * each: as of now, or the end of the `asOf` day when that is earlier.
 */
async function measureKpis(ctx: ApiContext, client: pg.PoolClient, organizationId: string, open: readonly OpenIntervention[], measureIds: readonly string[], asOf: string | undefined) {
  const ids = new Set(measureIds);
  const nowMs = ctx.now();
  const atMs = asOf === undefined ? nowMs : Math.min(nowMs, Date.parse(`${asOf}T00:00:00Z`) + 86_400_000);
  const on = (await activeKpis(client, organizationId)).filter((k) => k.nodeLevel === 'measure' && ids.has(k.nodeId));
  const standings = await kpiStandings(client, on, atMs);
  const against = openItemsAgainst(open, nowMs, (i) => i.kpis);
  return (measureId: string) => standings.filter((k) => k.kpi.nodeId === measureId).map((k) => kpiGoalView(k, against(k.kpi.key)));
}

/** The API's view of a measure, with its id (for the KPIs on it; not shown). */
function summaryOf(m: MeasureRow, status: DualStatus, open: OpenItemView[], kpis: z.infer<typeof kpiGoalSchema>[]): z.infer<typeof summarySchema> & { id: string } {
  return {
    id: m.id, key: m.key, title: m.title, package: m.packageKey, stage: m.stage, owner: m.owner, sponsor: m.sponsor, controller: m.controller, businessUnit: m.businessUnit,
    steeringCommittee: m.steeringCommittee,
    plannedEbitda: m.plannedEbitda === null || m.periodStart === null || m.periodEnd === null ? null : { amount: m.plannedEbitda, currency: m.currency, periodStart: m.periodStart, periodEnd: m.periodEnd },
    status, openInterventions: open, kpis,
  };
}

const milestoneView = (x: MilestoneRow) => ({ id: x.id, title: x.title, dueDate: x.dueDate, done: x.done, completedAt: isoOrNull(x.completedAt) });
const ebitdaView = (e: EbitdaRow) => ({
  id: e.id, kind: e.kind, periodStart: e.periodStart, periodEnd: e.periodEnd, amount: e.amount, currency: e.currency, confirmed: e.confirmedBy !== null,
  confirmedAt: isoOrNull(e.confirmedAt), evidence: e.evidence,
});

const measureNotFound = (what: string, organization: string): HttpError => new HttpError('FL_MEASURE_NOT_FOUND', `No measure ${what} in organization ${organization}`);

/** 403 when a duty rule refused it, 409 when the gate's criteria or the move did. */
function gateRefused(message: string, problems: readonly GateProblem[]): HttpError {
  const details: ErrorDetail[] = problems.map((p) => ({ path: p.code === 'CRITERION_MISSING' ? `criteria.${p.criterion}` : p.code.toLowerCase(), message: p.message }));
  const duty = problems.some((p) => p.code === 'SEGREGATION_OF_DUTIES');
  return new HttpError(duty ? 'FL_SEGREGATION_OF_DUTIES' : 'FL_GATE_REFUSED', `${message}: ${problems.map((p) => p.message).join('; ')}`, details);
}

const encodeKeyCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
function decodeKeyCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || encodeKeyCursor(key) !== cursor) throw new HttpError('FL_VALIDATION', 'cursor is not one this API gave out', [{ path: 'cursor', message: 'must be a nextCursor from a previous page' }]);
  return key;
}
