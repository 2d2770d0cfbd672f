import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CURSOR_PATTERN, decodeCursor, encodeCursor, getSpike, listSpikes, type SpikeSummary } from '../../store/spike-queries.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, notFound } from '../errors.ts';
import { identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';

/** Spikes the detect stage raised, newest first (README "Spikes and interventions"). */

/** `nextCursor` of a keyset-paginated list (spikes, interventions). */
export const keysetCursorParam = z
  .string()
  .regex(CURSOR_PATTERN, { message: 'cursor must be a value of nextCursor', abort: true })
  .refine((value) => decodeCursor(value) !== null, 'cursor must be a value of nextCursor')
  .describe('nextCursor of the previous page');

export const limitParam = z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1–200)');

/** Driver filter: a key, or a family prefix ending in "/" (`configuration/`). */
export const driverFilterParam = identifierParam('Driver key (`configuration/sso`), or a family prefix ending in "/" (`configuration/`)').optional();

/** A UUID path parameter: anything else is a 400 naming it, never a database error. */
export const uuidParam = (description: string) => z.guid({ message: 'must be a UUID' }).describe(description);

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

const listQuery = z.object({
  organization: organizationParam,
  status: z.enum(['open', 'resolved']).optional(),
  driver: driverFilterParam,
  since: instantParam('Only spikes that started at or after this instant (ISO 8601)').optional(),
  limit: limitParam,
  cursor: keysetCursorParam.optional(),
});

const spikeSummarySchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'resolved']),
  seriesKey: z.string(),
  driverKey: z.string().nullable(),
  connector: z.string().nullable(),
  startedAt: z.string().describe('When the episode began (the start of its first abnormal bucket)'),
  peakAt: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  observed: z.number(),
  expected: z.number(),
  pctChange: z.number(),
  significance: z.number().describe("The detector's p-value"),
  horizon: z.string().nullable().describe("'1h' | '1d' | '7d' | 'cusum': the evidence window that opened it"),
  explanation: z.string().nullable(),
  affectedCustomers: z.number().int(),
  detectedAt: z.string(),
  resolvedAt: z.string().nullable(),
  interventionId: z.string().nullable().describe('The intervention item it is a signal of'),
});

const spikeDetailSchema = spikeSummarySchema.extend({
  organization: z.string(),
  fingerprint: z.string(),
  updatedAt: z.string(),
  exampleTickets: z.array(z.object({ id: z.string(), key: z.string().nullable(), url: z.string().nullable(), subject: z.string().nullable() })),
  evidence: z.unknown().describe("The detector's evidence at opening and at the peak"),
  intervention: z.object({ id: z.string(), title: z.string(), status: z.string(), severity: z.string() }).nullable(),
});

const common = { tags: ['spikes'], security: [{ bearerAuth: [] }] };

export const spikeRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: 'Spikes of the organization, newest first (paginated)',
        querystring: listQuery,
        response: { 200: z.object({ organization: z.string(), items: z.array(spikeSummarySchema), nextCursor: z.string().nullable() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const org = await resolveOrganization(ctx, principalOf(request), q.organization);
      const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor);
      const page = await listSpikes(ctx.prisma, org.id, {
        limit: q.limit,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.driver === undefined ? {} : { driver: q.driver }),
        ...(q.since === undefined ? {} : { since: new Date(q.since) }),
        ...(cursor === null ? {} : { cursor }),
      });
      return { organization: org.key, items: page.items.map(toSpikeView), nextCursor: page.nextCursor === null ? null : encodeCursor(page.nextCursor) };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'One spike with its series, example tickets, evidence and intervention item',
        params: z.object({ id: uuidParam('Spike id') }),
        querystring: z.object({ organization: organizationParam }),
        response: { 200: spikeDetailSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
      const spike = await getSpike(ctx.prisma, org.id, request.params.id);
      if (!spike) throw notFound(`No spike ${request.params.id} in organization "${org.key}"`);
      return {
        ...toSpikeView(spike), organization: org.key, fingerprint: spike.fingerprint, updatedAt: iso(spike.updatedAt), exampleTickets: spike.exampleTickets,
        evidence: spike.evidence, intervention: spike.intervention,
      };
    },
  );
};

function toSpikeView(s: SpikeSummary): z.infer<typeof spikeSummarySchema> {
  return {
    id: s.id, status: s.status, seriesKey: s.seriesKey, driverKey: s.driverKey, connector: s.connectorKey, startedAt: iso(s.startedAt), peakAt: iso(s.peakAt),
    windowStart: iso(s.windowStart), windowEnd: iso(s.windowEnd), observed: s.observed, expected: s.expected, pctChange: s.pctChange, significance: s.significance,
    horizon: s.horizon, explanation: s.explanation, affectedCustomers: s.affectedCustomers, detectedAt: iso(s.detectedAt), resolvedAt: isoOrNull(s.resolvedAt),
    interventionId: s.interventionId,
  };
}
