import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kpiBand } from '../../domain/kpi/kpi-band.ts';
import { kpiMetrics, unitOf } from '../../domain/kpi/kpi-metric.ts';
import { BUCKET_MS } from '../../domain/kpi/kpi-standing.ts';
import { activeKpis, type KpiDefinition, kpiNodeKeys, kpiVersions } from '../../store/kpi-definitions.ts';
import { isBucketStart, kpiPointTickets, kpiSeriesPoints } from '../../store/kpi-series-repository.ts';
import { kpiStandings } from '../../store/kpi-standing-query.ts';
import { openInterventions } from '../../store/measure-repository.ts';
import { principalOf } from '../auth.ts';
import { kpiPointSchema as pointSchema, kpiStandingShape, kpiStandingView, openItemSchema, openItemsAgainst } from '../governance-views.ts';
import { errorResponses, notFound, validationFailed } from '../errors.ts';
import { bigintCursorParam, identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';
import { iso, isoOrNull, limitParam } from './spikes.ts';

/**
 * KPIs from service data (README "KPIs"): the active definitions with where they stand, every
 * version of one, its series over a range (every bucket present, in the KPI's zone), and the drill
 * down from any point to exactly the tickets it counted. Reads for every role, like spikes.
 */
const common = { tags: ['kpis'], security: [{ bearerAuth: [] }] };
/** Most buckets one series request returns (a year of days, ten years of weeks, three weeks of hours). */
export const MAX_SERIES_BUCKETS = 600;
const definitionSchema = z.object({
  key: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  name: z.string(),
  node: z.object({ level: z.string(), key: z.string().nullable() }),
  metric: z.enum(kpiMetrics),
  unit: z.string(),
  filters: z.object({ drivers: z.array(z.string()), connectors: z.array(z.string()), priorities: z.array(z.string()), products: z.array(z.string()), segments: z.array(z.string()) }),
  customers: z.number().int().nullable(),
  bucket: z.enum(['hour', 'day', 'week']),
  timeZone: z.string(),
  direction: z.enum(['up_is_good', 'down_is_good']),
  target: z.number().nullable(),
  bands: z.object({ green: z.number(), amber: z.number() }).nullable(),
  createdAt: z.string(),
}).meta({ id: 'KpiDefinition' });
const standingSchema = z.object({ ...kpiStandingShape, openInterventions: z.array(openItemSchema).describe('Open intervention items threatening the KPI (route links, driver filters), oldest first') });

const keyParams = z.object({ key: identifierParam('KPI key') });
const versionQuery = z.coerce.number().int().min(1).max(1_000_000).optional().describe('KPI version (default: the active one)');

export const kpiRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const definitionOf = async (organizationId: string, organizationKey: string, key: string, version: number | undefined): Promise<KpiDefinition> => {
    const versions = await kpiVersions(ctx.pool, organizationId, key);
    const found = version === undefined ? versions.find((v) => v.active) ?? versions[0] : versions.find((v) => v.version === version);
    if (!found) throw notFound(version === undefined ? `No KPI "${key}" in organization "${organizationKey}"` : `KPI "${key}" has no version ${version}`);
    return found;
  };

  app.get('', {
    schema: {
      ...common,
      summary: 'Active KPIs with where they stand (last complete and current bucket, band, distance to target)',
      querystring: z.object({ organization: organizationParam }),
      response: { 200: z.object({ organization: z.string(), items: z.array(definitionSchema.extend(standingSchema.shape)) }), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
    const now = ctx.now();
    const standings = await kpiStandings(ctx.pool, await activeKpis(ctx.pool, org.id), now);
    const against = await openAgainstKpis(ctx, org.id, now);
    const items = standings.map((k) => ({ ...toDefinitionView(k.kpi, k.nodeKey), ...kpiStandingView(k.standing), openInterventions: against(k.kpi.key) }));
    return { organization: org.key, items };
  });

  app.get('/:key', {
    schema: {
      ...common,
      summary: 'One KPI: its active definition, where it stands, and every version (newest first)',
      params: keyParams,
      querystring: z.object({ organization: organizationParam }),
      response: { 200: definitionSchema.extend(standingSchema.shape).extend({ organization: z.string(), versions: z.array(definitionSchema) }), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
    const versions = await kpiVersions(ctx.pool, org.id, request.params.key);
    const current = versions.find((v) => v.active) ?? versions[0];
    if (!current) throw notFound(`No KPI "${request.params.key}" in organization "${org.key}"`);
    const nodes = await kpiNodeKeys(ctx.pool, versions.map((v) => v.id));
    const now = ctx.now();
    // The active version stands by its series; a KPI no longer active by its last version's.
    const [standing] = await kpiStandings(ctx.pool, [current], now);
    return {
      organization: org.key, ...toDefinitionView(current, nodes.get(current.id) ?? null),
      ...(standing ? kpiStandingView(standing.standing) : { lastComplete: null, current: null, betterThanTargetBy: null }),
      openInterventions: (await openAgainstKpis(ctx, org.id, now))(current.key),
      versions: versions.map((v) => toDefinitionView(v, nodes.get(v.id) ?? null)),
    };
  });

  app.get('/:key/series', {
    schema: {
      ...common,
      summary: `A KPI version's points from the bucket holding \`from\` to the one holding \`to\` (at most ${MAX_SERIES_BUCKETS} buckets)`,
      params: keyParams,
      querystring: z.object({
        organization: organizationParam,
        version: versionQuery,
        from: instantParam('Start of the range (ISO 8601)').optional().describe('Default: 12 buckets before `to`'),
        to: instantParam('End of the range (ISO 8601)').optional().describe('Default: now'),
      }),
      response: {
        200: z.object({ organization: z.string(), kpi: definitionSchema, points: z.array(pointSchema) }),
        ...errorResponses(400, 401, 404),
      },
    },
  }, async (request) => {
    const q = request.query;
    const org = await resolveOrganization(ctx, principalOf(request), q.organization);
    const kpi = await definitionOf(org.id, org.key, request.params.key, q.version);
    const toMs = q.to === undefined ? ctx.now() : Date.parse(q.to);
    const fromMs = q.from === undefined ? toMs - 12 * BUCKET_MS[kpi.bucket] : Date.parse(q.from);
    if (fromMs > toMs) throw validationFailed('from is after to', [{ path: 'from', message: 'must not be after to' }]);
    // A day or week is at most 25 h or 7 × 25 h long: this bound counts buckets generously.
    if ((toMs - fromMs) / BUCKET_MS[kpi.bucket] > MAX_SERIES_BUCKETS - 2) {
      throw validationFailed(`the range holds more than ${MAX_SERIES_BUCKETS} ${kpi.bucket} buckets`, [{ path: 'from', message: `narrow the range to at most ${MAX_SERIES_BUCKETS} buckets, or page through it` }]);
    }
    const nodes = await kpiNodeKeys(ctx.pool, [kpi.id]);
    const points = await kpiSeriesPoints(ctx.pool, kpi, new Date(fromMs), new Date(toMs));
    return { organization: org.key, kpi: toDefinitionView(kpi, nodes.get(kpi.id) ?? null), points: points.map((p) => toPointView(kpi, p)) };
  });

  app.get('/:key/points/:start/tickets', {
    schema: {
      ...common,
      summary: 'Exactly the tickets behind one KPI point (the denominator of a rate, each marked whether it is a hit), in id order',
      params: keyParams.extend({ start: instantParam('The point: its bucket start (`start` of a series point)') }),
      querystring: z.object({ organization: organizationParam, version: versionQuery, limit: limitParam, cursor: bigintCursorParam('nextCursor of the previous page').optional() }),
      response: {
        200: z.object({
          organization: z.string(), kpi: z.string(), version: z.number().int(), bucketStart: z.string(), bucketEnd: z.string(),
          tickets: z.array(z.object({
            id: z.string(), nativeId: z.string(), connector: z.string(), key: z.string().nullable(), url: z.string().nullable(), subject: z.string().nullable(),
            createdAt: z.string(), resolvedAt: z.string().nullable(), hit: z.boolean().describe("Counted in the rate's numerator (breached, reopened, rated good)"),
          })),
          nextCursor: z.string().nullable(),
        }),
        ...errorResponses(400, 401, 404),
      },
    },
  }, async (request) => {
    const q = request.query;
    const org = await resolveOrganization(ctx, principalOf(request), q.organization);
    const kpi = await definitionOf(org.id, org.key, request.params.key, q.version);
    const start = new Date(request.params.start);
    if (!(await isBucketStart(ctx.pool, kpi, start))) {
      throw validationFailed(`${request.params.start} does not start a ${kpi.bucket} bucket of KPI "${kpi.key}" in ${kpi.timeZone}`, [
        { path: 'start', message: `use the start of a series point (GET /api/v1/kpis/${kpi.key}/series)` },
      ]);
    }
    const page = await kpiPointTickets(ctx.pool, kpi, start, { after: q.cursor === undefined ? null : BigInt(q.cursor), limit: q.limit });
    const last = page.tickets[page.tickets.length - 1];
    return {
      organization: org.key, kpi: kpi.key, version: kpi.version, bucketStart: iso(page.bucketStart), bucketEnd: iso(page.bucketEnd),
      tickets: page.tickets.map((t) => ({ ...t, createdAt: iso(t.createdAt), resolvedAt: isoOrNull(t.resolvedAt) })),
      nextCursor: page.tickets.length === q.limit && last ? last.id : null,
    };
  });
};

function toDefinitionView(k: KpiDefinition, nodeKey: string | null): z.infer<typeof definitionSchema> {
  return {
    key: k.key, version: k.version, active: k.active, name: k.name, node: { level: k.nodeLevel, key: nodeKey }, metric: k.metric, unit: unitOf(k.metric),
    filters: k.filters, customers: k.customerBase, bucket: k.bucket, timeZone: k.timeZone, direction: k.direction, target: k.target, bands: k.bands,
    createdAt: iso(k.createdAt),
  };
}

function toPointView(k: KpiDefinition, p: { start: Date; local: string; value: number | null }): z.infer<typeof pointSchema> {
  return { start: iso(p.start), local: p.local, value: p.value, band: kpiBand(p.value, k) };
}

async function openAgainstKpis(ctx: ApiContext, organizationId: string, nowMs: number) {
  const client = await ctx.pool.connect();
  try {
    return openItemsAgainst(await openInterventions(client, organizationId), nowMs, (i) => i.kpis);
  } finally {
    client.release();
  }
}
