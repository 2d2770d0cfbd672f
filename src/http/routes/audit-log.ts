import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiTokenRole } from '../../store/api-token-repository.ts';
import { principalOf } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import { bigintCursorParam, identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';
import { requireRole } from './interventions.ts';
import { limitParam } from './spikes.ts';

/**
 * GET /api/v1/audit-log (README "Governance"): the organization's append-only audit records, newest
 * first — who did what, to which entity, when and why, with the values before and after. PostgreSQL
 * refuses any UPDATE or DELETE of them (a trigger). For admins, controllers and executives.
 */
const AUDIT_READERS: readonly ApiTokenRole[] = ['admin', 'controller', 'executive'];

const query = z.object({
  organization: organizationParam,
  entityType: identifierParam('Only records of this entity type (measure, intervention, ebitda_entry, connector, …)').optional(),
  entityId: identifierParam('Only records of this entity').optional(),
  action: identifierParam('Only this action (measure.advance, ebitda.confirmed, …), or a prefix ending in "." (measure.)').optional(),
  since: instantParam('Only records at or after this instant').optional(),
  limit: limitParam,
  cursor: bigintCursorParam('nextCursor of the previous page').optional(),
});

const recordSchema = z.object({
  id: z.string(), at: z.string(), actor: z.string(), action: z.string(), entityType: z.string(), entityId: z.string(), reason: z.string().nullable(), before: z.unknown(), after: z.unknown(),
});

export const auditLogRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('', {
    preParsing: requireRole(AUDIT_READERS, 'read the audit log'),
    schema: {
      tags: ['governance'], security: [{ bearerAuth: [] }], summary: "The organization's audit records, newest first (paginated)", querystring: query,
      response: { 200: z.object({ organization: z.string(), items: z.array(recordSchema), nextCursor: z.string().nullable() }), ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const q = request.query;
    const org = await resolveOrganization(ctx, principalOf(request), q.organization);
    const where: string[] = ['organization_id = $1'];
    const params: unknown[] = [org.id];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.entityType !== undefined) add('entity_type = ?', q.entityType);
    if (q.entityId !== undefined) add('entity_id = ?', q.entityId);
    if (q.action !== undefined) {
      if (q.action.endsWith('.')) add("starts_with(action, ?)", q.action);
      else add('action = ?', q.action);
    }
    if (q.since !== undefined) add('at >= ?', q.since);
    if (q.cursor !== undefined) add('id < ?', q.cursor);
    params.push(q.limit + 1);
    const rows = await ctx.pool.query<{ id: string; at: Date; actor: string; action: string; entity_type: string; entity_id: string; reason: string | null; before: unknown; after: unknown }>(
      `SELECT id::text, at, actor, action, entity_type, entity_id, reason, before, after FROM audit_log WHERE ${where.join(' AND ')} ORDER BY audit_log.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.rows.slice(0, q.limit);
    return {
      organization: org.key,
      items: page.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, entityType: r.entity_type, entityId: r.entity_id, reason: r.reason, before: r.before, after: r.after })),
      nextCursor: rows.rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
    };
  });
};
