import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listConnectorStatus, listQuarantine } from '../../store/status-repository.ts';
import { principalOf } from '../auth.ts';
import { connectorStatusSchema, syncRunSchema, toConnectorStatus, toSyncRunView } from '../connector-status.ts';
import { errorResponses, notFound } from '../errors.ts';
import { bigintCursorParam, identifierParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveConnector, scopedOrganizationIds } from '../scope.ts';

/** Connector status for ops: last run, lag, rate budget, errors (README "Operating it", HTTP API). */
const TICKET_STREAM = 'tickets';
const RUNS_IN_DETAIL = 10;

const keyParams = z.object({ key: identifierParam('Connector config key, e.g. `zendesk-main`') });
const orgQuery = z.object({ organization: organizationParam });
const quarantineQuery = z.object({
  organization: organizationParam,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: bigintCursorParam('nextCursor of the previous page').optional(),
});

const quarantineItemSchema = z.object({
  id: z.string(),
  stream: z.string(),
  nativeId: z.string().nullable(),
  reason: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

const common = { tags: ['connectors'], security: [{ bearerAuth: [] }] };

export const connectorRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: "Status of every connector in the token's organizations",
        querystring: orgQuery,
        response: { 200: z.object({ connectors: z.array(connectorStatusSchema) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const ids = await scopedOrganizationIds(ctx, principal, request.query.organization);
      const rows = await listConnectorStatus(ctx.prisma, ids, { runsLimit: RUNS_IN_DETAIL, stream: TICKET_STREAM });
      const nowMs = ctx.now();
      return { connectors: rows.map((row) => toConnectorStatus(row, nowMs)) };
    },
  );

  app.get(
    '/:key',
    {
      schema: {
        ...common,
        summary: 'Status of one connector with its last 10 runs',
        params: keyParams,
        querystring: orgQuery,
        response: { 200: connectorStatusSchema.extend({ runs: z.array(syncRunSchema) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const ref = await resolveConnector(ctx, principalOf(request), request.params.key, request.query.organization);
      const [row] = await listConnectorStatus(ctx.prisma, [ref.organizationId], { key: ref.key, runsLimit: RUNS_IN_DETAIL, stream: TICKET_STREAM });
      if (!row) throw notFound(`No connector "${request.params.key}" in your organizations`);
      return { ...toConnectorStatus(row, ctx.now()), runs: row.runs.map(toSyncRunView) };
    },
  );

  app.get(
    '/:key/quarantine',
    {
      schema: {
        ...common,
        summary: 'Unresolved quarantined records of one connector (oldest first, paginated)',
        params: keyParams,
        querystring: quarantineQuery,
        response: {
          200: z.object({ items: z.array(quarantineItemSchema), nextCursor: z.string().nullable() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { organization, limit, cursor } = request.query;
      const ref = await resolveConnector(ctx, principalOf(request), request.params.key, organization);
      const page = await listQuarantine(ctx.prisma, ref.id, cursor === undefined ? { limit } : { limit, afterId: BigInt(cursor) });
      return {
        items: page.items.map((q) => ({
          id: q.id.toString(), stream: q.stream, nativeId: q.nativeId, reason: q.reason,
          firstSeenAt: q.firstSeenAt.toISOString(), lastSeenAt: q.lastSeenAt.toISOString(),
        })),
        nextCursor: page.nextAfterId === null ? null : page.nextAfterId.toString(),
      };
    },
  );
};
