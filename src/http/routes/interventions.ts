import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { inTransaction } from '../../store/transaction.ts';
import { z } from 'zod';
import { interventionStatuses, userActions } from '../../domain/intervention/lifecycle.ts';
import type { ApiTokenRole } from '../../store/api-token-repository.ts';
import {
  apiTokenActor,
  getIntervention,
  type InterventionSummary,
  listInterventions,
  severities,
} from '../../store/intervention-queries.ts';
import { transitionIntervention } from '../../store/intervention-transitions.ts';
import { decodeCursor, encodeCursor } from '../../store/spike-queries.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, forbidden, HttpError } from '../errors.ts';
import { identifierParam } from '../params.ts';
import { type ApiContext, dropGovernanceSnapshotsOnWrites, organizationParam, resolveOrganization } from '../scope.ts';
import { driverFilterParam, iso, isoOrNull, keysetCursorParam, limitParam, uuidParam } from './spikes.ts';

/**
 * Intervention items (README "Spikes and interventions"): list and read for every role; ack, start
 * and resolve for admin, analyst and service tokens, each an audit record with the token's name as
 * the actor.
 */

/** Roles that may change state (transitions, silences, releases); every role may read. */
export const WRITER_ROLES: readonly ApiTokenRole[] = ['admin', 'analyst', 'service'];

/**
 * A `preParsing` hook (fastify docs/Reference/Hooks.md: after onRequest, where auth ran; before the
 * body is read): 403 FL_FORBIDDEN unless the token has one of `roles`, whatever the body holds.
 */
export function requireRole(roles: readonly ApiTokenRole[], what: string) {
  return async <P>(request: FastifyRequest, _reply: FastifyReply, payload: P): Promise<P> => {
    const { role } = principalOf(request);
    if (!roles.includes(role)) throw forbidden(`A token with role ${role} may not ${what}: that takes role ${roles.join(', ')}`);
    return payload;
  };
}

const NOT_CONTROL_EXCEPT_WHITESPACE = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;

/** Free text a person writes (reasons): at most 2000 characters, no control characters but tab and line breaks. */
export function freeText(description: string, max = 2000) {
  return z
    .string()
    .trim()
    .max(max)
    .regex(NOT_CONTROL_EXCEPT_WHITESPACE, 'must not contain control characters (other than tab and line breaks)')
    .describe(description);
}

const personSchema = z.object({ name: z.string(), email: z.string() });

const summarySchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(interventionStatuses),
  severity: z.enum(severities),
  owner: personSchema.nullable(),
  driverKey: z.string().nullable(),
  dueAt: z.string(),
  createdAt: z.string(),
  escalatedAt: z.string().nullable(),
  escalationLevel: z.number().int(),
  onAgendaAt: z.string().nullable().describe('When it was put on the steering agenda (it outlived a reporting cadence)'),
  signalCount: z.number().int().describe('Spikes linked to the item'),
});

const ticketSchema = z.object({ id: z.string(), key: z.string().nullable(), url: z.string().nullable(), subject: z.string().nullable() });

const detailSchema = summarySchema.extend({
  organization: z.string(),
  timeZone: z.string().describe("The organization's time zone (due dates and meetings are local to it)"),
  fingerprint: z.string(),
  narrative: z.string(),
  ask: z.string().nullable(),
  allowedActions: z.array(z.enum(userActions)).describe('What a person may do now'),
  participants: z.array(z.object({ function: z.string(), person: personSchema.nullable() })),
  meeting: z.object({ name: z.string().nullable(), at: z.string() }).nullable().describe('The steering meeting it is due before'),
  groupKey: z.string().nullable(),
  jiraIssueKey: z.string().nullable(),
  escalateTo: z.string().nullable(),
  route: z.string().nullable().describe("The driver route that chose the owner ('default' for the organization's)"),
  updatedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  reopenedAt: z.string().nullable(),
  release: z.object({ key: z.string(), name: z.string(), releasedAt: z.string(), products: z.array(z.string()) }).nullable(),
  evidence: z.object({
    signals: z.array(
      z.object({
        spikeId: z.string().nullable(),
        seriesKey: z.string().nullable(),
        driverKey: z.string().nullable(),
        kpi: z.string().nullable().describe("The KPI whose event series raised the signal (null: a driver's series)"),
        subject: z.string().nullable(),
        explanation: z.string().nullable(),
        since: z.string().nullable(),
        pctChange: z.number().nullable(),
        extra: z.number().nullable(),
        affectedCustomers: z.number(),
        exampleTickets: z.array(ticketSchema),
        release: z.object({ key: z.string(), name: z.string(), at: z.string().nullable() }).nullable(),
      }),
    ),
    affectedCustomers: z.number().describe("Over the signals: the drivers' added up (an account in two counts in each), or the widest KPI signal's if more (README, KPI spikes)"),
    threatens: z.object({
      measures: z.array(z.object({ key: z.string(), title: z.string().nullable() })),
      kpis: z.array(z.object({ key: z.string(), name: z.string().nullable() })),
    }),
  }),
  spikes: z.array(
    z.object({
      id: z.string(), status: z.enum(['open', 'resolved']), seriesKey: z.string(), driverKey: z.string().nullable(), startedAt: z.string(), peakAt: z.string(),
      pctChange: z.number(), explanation: z.string().nullable(), affectedCustomers: z.number().int(), resolvedAt: z.string().nullable(), linkedAt: z.string(),
    }),
  ),
  history: z.array(
    z.object({ at: z.string(), actor: z.string(), action: z.string(), reason: z.string().nullable(), before: z.unknown(), after: z.unknown() }),
  ).describe("The item's audit records, oldest first"),
});

const listQuery = z.object({
  organization: organizationParam,
  status: z.enum(interventionStatuses).optional(),
  owner: identifierParam("The owner's e-mail (case-insensitive)").optional(),
  driver: driverFilterParam,
  severity: z.enum(severities).optional(),
  limit: limitParam,
  cursor: keysetCursorParam.optional(),
});

const idParams = z.object({ id: uuidParam('Intervention item id') });
const orgQuery = z.object({ organization: organizationParam });

const transitionBody = z.object({
  action: z.enum(userActions).describe('ack: acknowledge; start: work has begun; resolve: fixed (the detect stage then verifies the effect)'),
  reason: freeText('Why (recorded in the audit log)').optional(),
});

const transitionResponse = z.object({
  id: z.string(),
  action: z.enum(userActions),
  from: z.enum(interventionStatuses),
  status: z.enum(interventionStatuses).describe('The new status'),
  actor: z.string(),
  at: z.string(),
});

/** 409 of a refused transition: the coded body plus the item's status and what is possible from it. */
export const invalidTransitionBody = z
  .object({
    error: z.object({
      code: z.literal('FL_INVALID_TRANSITION'),
      message: z.string(),
      status: z.enum(interventionStatuses),
      allowed: z.array(z.enum(userActions)),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'InvalidTransitionError' });

const common = { tags: ['interventions'], security: [{ bearerAuth: [] }] };

export const interventionRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  dropGovernanceSnapshotsOnWrites(app, ctx);
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: 'Intervention items of the organization, newest first (paginated)',
        querystring: listQuery,
        response: { 200: z.object({ organization: z.string(), items: z.array(summarySchema), nextCursor: z.string().nullable() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const org = await resolveOrganization(ctx, principalOf(request), q.organization);
      const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor);
      const page = await listInterventions(ctx.prisma, org.id, {
        limit: q.limit,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.owner === undefined ? {} : { owner: q.owner }),
        ...(q.driver === undefined ? {} : { driver: q.driver }),
        ...(q.severity === undefined ? {} : { severity: q.severity }),
        ...(cursor === null ? {} : { cursor }),
      });
      return { organization: org.key, items: page.items.map(toSummaryView), nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor) };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'One intervention item: owner, participants, due date, ask, evidence, linked spikes and history',
        params: idParams,
        querystring: orgQuery,
        response: { 200: detailSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
      const item = await getIntervention(ctx.prisma, org.id, request.params.id);
      if (!item) throw interventionNotFound(request.params.id, org.key);
      return {
        ...toSummaryView(item),
        organization: org.key, timeZone: org.timeZone, fingerprint: item.fingerprint, narrative: item.narrative, ask: item.ask, allowedActions: item.allowedActions,
        participants: item.participants, meeting: item.meeting, groupKey: item.groupKey, jiraIssueKey: item.jiraIssueKey, escalateTo: item.escalateTo,
        route: item.route, updatedAt: iso(item.updatedAt), acknowledgedAt: isoOrNull(item.acknowledgedAt), startedAt: isoOrNull(item.startedAt),
        resolvedAt: isoOrNull(item.resolvedAt), verifiedAt: isoOrNull(item.verifiedAt), reopenedAt: isoOrNull(item.reopenedAt),
        release: item.release && { ...item.release, releasedAt: iso(item.release.releasedAt) },
        evidence: { signals: item.signals, affectedCustomers: item.affectedCustomers, threatens: item.threatens },
        spikes: item.spikes.map((s) => ({ ...s, startedAt: iso(s.startedAt), peakAt: iso(s.peakAt), resolvedAt: isoOrNull(s.resolvedAt), linkedAt: iso(s.linkedAt) })),
        history: item.history.map((h) => ({ ...h, at: iso(h.at) })),
      };
    },
  );

  app.post(
    '/:id/transitions',
    {
      preParsing: requireRole(WRITER_ROLES, 'change intervention items'),
      schema: {
        ...common,
        summary: 'Acknowledge, start or resolve an item (audited with the token as the actor)',
        description: 'Roles admin, analyst and service. A refused transition is 409 FL_INVALID_TRANSITION naming the status and the allowed actions.',
        params: idParams,
        querystring: orgQuery,
        body: transitionBody,
        response: { 200: transitionResponse, 409: invalidTransitionBody, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const org = await resolveOrganization(ctx, principal, request.query.organization);
      const actor = await apiTokenActor(ctx.prisma, principal.id);
      const { action } = request.body;
      const reason = request.body.reason === undefined || request.body.reason === '' ? null : request.body.reason;
      const nowMs = ctx.now();
      const outcome = await inTransaction(ctx.pool, (client) =>
        transitionIntervention(client, { organizationId: org.id, id: request.params.id, action, actor, reason, nowMs }));
      if (outcome.ok) return { id: outcome.id, action, from: outcome.from, status: outcome.to, actor, at: new Date(nowMs).toISOString() };
      if (outcome.code === 'NOT_FOUND') throw interventionNotFound(request.params.id, org.key);
      request.log.info({ code: 'FL_INVALID_TRANSITION', statusCode: 409 }, outcome.message);
      return reply.code(409).send({
        error: { code: 'FL_INVALID_TRANSITION', message: outcome.message, status: outcome.status, allowed: outcome.allowed.filter(isUserAction) },
        requestId: request.id,
      });
    },
  );
};

const isUserAction = (a: string): a is (typeof userActions)[number] => (userActions as readonly string[]).includes(a);

function interventionNotFound(id: string, organizationKey: string): HttpError {
  return new HttpError('FL_INTERVENTION_NOT_FOUND', `No intervention item ${id} in organization "${organizationKey}"`);
}

function toSummaryView(i: InterventionSummary): z.infer<typeof summarySchema> {
  return {
    id: i.id, title: i.title, status: i.status, severity: i.severity, owner: i.owner, driverKey: i.driverKey, dueAt: iso(i.dueAt), createdAt: iso(i.createdAt),
    escalatedAt: isoOrNull(i.escalatedAt), escalationLevel: i.escalationLevel, onAgendaAt: isoOrNull(i.onAgendaAt), signalCount: i.signalCount,
  };
}
