import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  activeTaxonomyDriverCounts,
  connectorKeysOf,
  driverExists,
  findConnectorRefs,
  findSeries,
} from '../../store/status-repository.ts';
import { seriesKeyOf } from '../../domain/series/series-key.ts';
import { seriesPoints } from '../../store/series-points-repository.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, notFound } from '../errors.ts';
import { identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';

/** Contact drivers of the active taxonomy and their volume series (README "Operating it", HTTP API). */
const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;
const UNMATCHED = 'unmatched';

const connectorParam = identifierParam('Connector key; omitted: all connectors of the organization').optional();

const driversQuery = z.object({ organization: organizationParam, connector: connectorParam });

const driversResponse = z.object({
  organization: z.string(),
  taxonomy: z.object({ version: z.number().int(), contentHash: z.string(), createdAt: z.string() }).nullable(),
  drivers: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      parentKey: z.string().nullable(),
      owningFunction: z.string(),
      owners: z.array(z.string()),
      description: z.string().nullable(),
      tickets: z.number().int().describe('Live tickets classified under this driver'),
    }),
  ),
  unmatched: z.number().int().describe('Live tickets no rule matched'),
  classified: z.number().int(),
  coveragePct: z.number().nullable().describe('Matched share of classified tickets, in percent (null when none)'),
});

const seriesQuery = z
  .object({
    organization: organizationParam,
    driver: identifierParam('Driver key (e.g. `configuration/sso`) or `unmatched`'),
    connector: connectorParam,
    from: instantParam('Inclusive start (ISO 8601)'),
    to: instantParam('Exclusive end (ISO 8601)'),
    bucket: z
      .enum(['hour', 'day', 'week'])
      .default('day')
      .describe("`hour`: UTC hours; `day`: calendar days and `week`: ISO weeks (from Monday) in the organization's time zone, exact in every zone"),
  })
  .superRefine((q, issues) => {
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (!(span > 0)) issues.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
    else if (span > MAX_RANGE_DAYS * DAY_MS) issues.addIssue({ code: 'custom', path: ['to'], message: `range must be at most ${MAX_RANGE_DAYS} days` });
  });

const seriesResponse = z.object({
  organization: z.string(),
  driver: z.string(),
  connector: z.string().nullable(),
  bucket: z.enum(['hour', 'day', 'week']),
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  series: z.array(z.string()).describe('Keys of the stored series that were summed'),
  points: z.array(
    z.object({
      start: z.string().describe('Bucket start instant (UTC)'),
      date: z.string().nullable().describe('Local calendar date a day or week bucket starts on'),
      value: z.number(),
    }),
  ),
});

const common = { tags: ['drivers'], security: [{ bearerAuth: [] }] };

export const driverRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: 'Drivers of the active taxonomy with classified-ticket counts and coverage',
        querystring: driversQuery,
        response: { 200: driversResponse, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
      const connector = request.query.connector === undefined ? undefined : await connectorIn(ctx, org.id, request.query.connector);
      const { taxonomy, drivers, counts } = await activeTaxonomyDriverCounts(ctx.prisma, org.id, connector);
      const unmatched = counts.get(null) ?? 0;
      const classified = [...counts.values()].reduce((a, b) => a + b, 0);
      return {
        organization: org.key,
        taxonomy: taxonomy && { version: taxonomy.version, contentHash: taxonomy.contentHash, createdAt: taxonomy.createdAt.toISOString() },
        drivers: drivers.map((d) => ({ ...d, tickets: counts.get(d.key) ?? 0 })),
        unmatched,
        classified,
        coveragePct: classified === 0 ? null : Math.round(((classified - unmatched) / classified) * 1000) / 10,
      };
    },
  );

  app.get(
    '/series',
    {
      schema: {
        ...common,
        summary: 'Ticket volume of one driver (or unmatched) per hour or local day',
        querystring: seriesQuery,
        response: { 200: seriesResponse, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const org = await resolveOrganization(ctx, principalOf(request), q.organization);
      if (q.connector !== undefined) await connectorIn(ctx, org.id, q.connector);
      const connectorKeys = q.connector === undefined ? await connectorKeysOf(ctx.prisma, org.id) : [q.connector];
      const keys = connectorKeys.map((c) => seriesKeyOf(c, q.driver === UNMATCHED ? null : q.driver));
      const series = await findSeries(ctx.prisma, org.id, keys);
      if (series.length === 0 && q.driver !== UNMATCHED && !(await driverExists(ctx.prisma, org.id, q.driver))) {
        throw notFound(`No driver "${q.driver}" in organization "${org.key}"`);
      }
      const from = new Date(q.from);
      const to = new Date(q.to);
      const points = await seriesPoints(ctx.prisma, { seriesIds: series.map((s) => s.id), from, to, bucket: q.bucket, timeZone: org.timeZone });
      return {
        organization: org.key,
        driver: q.driver,
        connector: q.connector ?? null,
        bucket: q.bucket,
        timeZone: org.timeZone,
        from: from.toISOString(),
        to: to.toISOString(),
        series: series.map((s) => s.key),
        points: points.map((p) => ({ start: p.start.toISOString(), date: p.date, value: p.value })),
      };
    },
  );
};

async function connectorIn(ctx: ApiContext, organizationId: string, key: string): Promise<string> {
  const [match] = await findConnectorRefs(ctx.prisma, [organizationId], key);
  if (!match) throw notFound(`No connector "${key}" in your organizations`);
  return match.id;
}
