import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import { baseUrlOf } from './export-route.ts';
import { roleOfRequest } from './request-guard.ts';
import { decodeFieldCursor, encodeFieldCursor, ticketFields } from './ticket-fields.ts';
import { computeTruth } from './truth.ts';
import type { SimulatedWorld } from './world.ts';

export interface SupportRouteDeps {
  world: SimulatedWorld;
  clock: Clock;
  adminEmail: string;
}

const fieldsQuerySchema = z.object({
  'page[size]': z.string().regex(/^\d{1,4}$/).transform(Number).optional(),
  'page[after]': z.string().min(1).optional(),
});

/**
 * GET /api/v2/ticket_fields with cursor pagination (`page[size]` up to 100, `page[after]`;
 * https://developer.zendesk.com/api-reference/introduction/pagination/); without `page[size]` the
 * offset-style shape, all fields on one page. Like real Zendesk, the last page still carries a
 * `links.next` (to an empty page): only `meta.has_more: false` says it is the last one
 * (connectors/zendesk/NOTES.md; node-zendesk's getAll, which follows links.next, trips on it).
 */
function listTicketFields(request: FastifyRequest, reply: FastifyReply) {
  const parsed = fieldsQuerySchema.safeParse(request.query);
  if (!parsed.success) return reply.code(400).send({ error: 'InvalidPaginationParameter', description: 'Invalid page parameters' });
  const baseUrl = baseUrlOf(request);
  const fields = ticketFields(baseUrl);
  const size = parsed.data['page[size]'];
  if (size === undefined) return { ticket_fields: fields, next_page: null, previous_page: null, count: fields.length };
  const afterCursor = parsed.data['page[after]'];
  const start = afterCursor === undefined ? 0 : decodeFieldCursor(afterCursor);
  if (start === null) return reply.code(400).send({ error: 'InvalidPaginationParameter', description: 'Invalid cursor' });
  const pageSize = Math.max(1, Math.min(100, size));
  const page = fields.slice(start, start + pageSize);
  const end = start + page.length;
  const hasMore = end < fields.length;
  const link = (param: string, cursor: string) =>
    `${baseUrl}/api/v2/ticket_fields.json?page%5Bsize%5D=${pageSize}&page%5B${param}%5D=${encodeURIComponent(cursor)}`;
  return {
    ticket_fields: page,
    meta: {
      has_more: hasMore,
      after_cursor: page.length > 0 ? encodeFieldCursor(end) : null,
      before_cursor: page.length > 0 ? encodeFieldCursor(start) : null,
    },
    links: {
      next: page.length > 0 ? link('after', encodeFieldCursor(end)) : null,
      prev: start > 0 ? link('before', encodeFieldCursor(start)) : null,
    },
  };
}

export function registerSupportRoutes(app: FastifyInstance, deps: SupportRouteDeps): void {
  app.get('/api/v2/ticket_fields.json', listTicketFields);
  app.get('/api/v2/ticket_fields', listTicketFields);

  // A cheap authenticated call for a connector's check():
  // https://developer.zendesk.com/api-reference/ticketing/users/users/#show-the-currently-authenticated-user
  const me = (request: FastifyRequest) => ({
    user: {
      id: 360300000999,
      url: `${baseUrlOf(request)}/api/v2/users/360300000999.json`,
      name: roleOfRequest(request) === 'admin' ? 'Simulated Admin' : 'Simulated Agent',
      email: deps.adminEmail,
      role: roleOfRequest(request),
      active: true,
      verified: true,
      time_zone: 'UTC',
    },
  });
  app.get('/api/v2/users/me.json', me);
  app.get('/api/v2/users/me', me);

  // Reconciliation count of non-deleted tickets:
  // https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#count-tickets
  const count = () => {
    const nowMs = deps.clock.now();
    deps.world.materialise(Math.floor(nowMs / 1000));
    const truth = computeTruth(deps.world, nowMs - 60_000);
    return { count: { value: truth.live + truth.malformedIds.length, refreshed_at: new Date(nowMs).toISOString() } };
  };
  app.get('/api/v2/tickets/count.json', count);
  app.get('/api/v2/tickets/count', count);
}
