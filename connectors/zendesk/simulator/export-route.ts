import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import { decodeCursor, encodeCursor, sliceExport, type StreamPosition } from './export-stream.ts';
import { renderMetricSet } from './ticket-metrics.ts';
import { type RenderOptions, renderTicket } from './ticket-render.ts';
import type { SimulatedWorld } from './world.ts';

export interface ExportRouteDeps {
  world: SimulatedWorld;
  clock: Clock;
  pageSize: number;
  render?: RenderOptions;
}

const digits = z.string().regex(/^\d{1,12}$/).transform(Number);
const exportQuerySchema = z.object({
  start_time: digits.optional(),
  cursor: z.string().min(1).optional(),
  per_page: digits.optional(),
  exclude_deleted: z.enum(['true', 'false']).optional(),
  support_type_scope: z.enum(['agent', 'ai_agent', 'all']).optional(),
  /** Side-loads, comma-separated; `metric_sets` is the one served (others are ignored). */
  include: z.string().optional(),
});
type ExportQuery = z.output<typeof exportQuerySchema>;

/** Built from the Host header so after_url points back at whatever address the client used. */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
}

function startPosition(query: ExportQuery, nowSec: number, reply: FastifyReply): StreamPosition | null {
  if (query.cursor !== undefined) {
    const position = decodeCursor(query.cursor);
    if (!position) reply.code(400).send({ error: 'InvalidPaginationParameter', description: 'Invalid cursor' });
    return position;
  }
  if (query.start_time === undefined) {
    reply.code(400).send({ error: 'InvalidValue', description: 'start_time or cursor is required' });
    return null;
  }
  // Observed Zendesk behaviour: 422 InvalidValue "Too recent start_time. Use a start_time older than …".
  if (query.start_time > nowSec - 60) {
    reply.code(422).send({ error: 'InvalidValue', description: 'Too recent start_time. Use a start_time older than 1 minute' });
    return null;
  }
  return { timeSec: query.start_time, id: 0 };
}

function afterUrl(baseUrl: string, cursor: string, query: ExportQuery): string {
  const params = new URLSearchParams({ cursor });
  if (query.per_page !== undefined) params.set('per_page', String(query.per_page));
  if (query.exclude_deleted !== undefined) params.set('exclude_deleted', query.exclude_deleted);
  if (query.support_type_scope !== undefined) params.set('support_type_scope', query.support_type_scope);
  if (query.include !== undefined) params.set('include', query.include);
  return `${baseUrl}/api/v2/incremental/tickets/cursor.json?${params.toString()}`;
}

/** `include=metric_sets` (or a list containing it, e.g. `users,metric_sets`). */
export function includesMetricSets(include: string | undefined): boolean {
  return include !== undefined && include.split(',').some((name) => name.trim() === 'metric_sets');
}

/**
 * GET /api/v2/incremental/tickets/cursor.json — first with `start_time`, then with the returned
 * `after_cursor` (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based).
 * With `include=metric_sets` the page also carries `metric_sets`: the metric set of each ticket on the
 * page that has one (deleted tickets have none), for the version served (ticket-metrics.ts).
 */
export function registerExportRoute(app: FastifyInstance, deps: ExportRouteDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const nowMs = deps.clock.now();
    const nowSec = Math.floor(nowMs / 1000);
    deps.world.materialise(nowSec);
    const parsed = exportQuerySchema.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'InvalidValue', description: 'Invalid query parameter' });
    const query = parsed.data;
    const after = startPosition(query, nowSec, reply);
    if (!after) return reply;
    const slice = sliceExport(deps.world, {
      after,
      limit: Math.max(1, Math.min(deps.pageSize, query.per_page ?? 1000)),
      excludeDeleted: query.exclude_deleted === 'true',
      scope: query.support_type_scope ?? 'agent',
      cutoffSec: Math.floor((nowMs - 60_000) / 1000),
    });
    const baseUrl = baseUrlOf(request);
    // A first request (start_time) that finds nothing answers without a cursor: a new or quiet account.
    const cursor = query.cursor === undefined && slice.entries.length === 0 ? null : encodeCursor(slice.position);
    const versions = slice.entries.map((entry) => deps.world.versionAt(entry.id, entry.versionSec));
    const sideloads = includesMetricSets(query.include)
      ? { metric_sets: versions.flatMap((version) => renderMetricSet(deps.world, version, baseUrl) ?? []) }
      : {};
    return {
      tickets: versions.map((version) => renderTicket(deps.world.seed, version, baseUrl, deps.render)),
      ...sideloads,
      after_cursor: cursor,
      after_url: cursor === null ? null : afterUrl(baseUrl, cursor, query),
      before_cursor: null,
      before_url: null,
      end_of_stream: slice.endOfStream,
    };
  };
  app.get('/api/v2/incremental/tickets/cursor.json', handler);
  app.get('/api/v2/incremental/tickets/cursor', handler);
}
