import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { z } from 'zod';
import type { DualStatus } from '../../domain/measure/dual-status.ts';
import { unitOf } from '../../domain/kpi/kpi-metric.ts';
import { bandCounts } from '../../domain/kpi/kpi-standing.ts';
import { type HierarchyLevel, type HierarchyParents, hierarchyPath, liesUnder } from '../../domain/measure/hierarchy-path.ts';
import { rollup } from '../../domain/measure/rollup.ts';
import { measureStages } from '../../domain/measure/stage-gates.ts';
import { loadGovernanceSnapshot } from '../../store/governance-snapshot.ts';
import { hierarchyParents } from '../../store/hierarchy-queries.ts';
import { activeKpis } from '../../store/kpi-definitions.ts';
import { kpiStandings, type KpiWithStanding } from '../../store/kpi-standing-query.ts';
import { principalOf } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';

/**
 * GET /api/v1/hierarchy (README "Governance"): Organization > Portfolio > Program > Project > Measure
 * Package > Measure as a tree, each node with the roll-up of the measures below it — how many in each
 * overall state, the gaps, EBITDA plan, realised and forecast — and of the KPIs on it and below it by
 * band; each node and measure with the KPIs on it against target, each measure with its stage and status.
 */
const overall = z.enum(['on_track', 'at_risk', 'off_track', 'gap', 'on_hold', 'closed']);
const rollupSchema = z.object({
  measures: z.number().int(), byState: z.partialRecord(overall, z.number().int()), plan: z.number(), realised: z.number(), forecastAtCompletion: z.number(),
  forecastShare: z.number().nullable(), gaps: z.number().int(),
  kpis: z.object({ kpis: z.number().int(), green: z.number().int(), amber: z.number().int(), red: z.number().int(), none: z.number().int() })
    .describe('The active KPIs on the node and below it, by the band of their last complete bucket (none: no value, or no target)'),
}).meta({ id: 'Rollup' });
const kpiMark = z.object({
  key: z.string(), name: z.string(), unit: z.string(), value: z.number().nullable().describe('Of the last complete bucket'), target: z.number().nullable(),
  band: z.enum(['green', 'amber', 'red']).nullable(),
}).meta({ id: 'KpiMark' });
const own = { kpis: z.array(kpiMark).describe('The active KPIs on this node') };
const measureLeaf = z.object({ key: z.string(), title: z.string(), stage: z.enum(measureStages), overall, owner: z.string().nullable(), ...own });
const base = { key: z.string(), name: z.string(), rollup: rollupSchema, ...own };
const packageNode = z.object({ ...base, measures: z.array(measureLeaf) });
const projectNode = z.object({ ...base, packages: z.array(packageNode) });
const programNode = z.object({ ...base, goal: z.string().nullable(), projects: z.array(projectNode) });
const portfolioNode = z.object({ ...base, goal: z.string().nullable(), programs: z.array(programNode) });

const query = z.object({ organization: organizationParam, asOf: z.iso.date().optional().describe('The day the statuses are for (default: today, UTC)') });

export const hierarchyRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('', {
    schema: {
      tags: ['governance'], security: [{ bearerAuth: [] }], summary: 'The governance hierarchy as a tree, each node with the roll-up of its measures',
      querystring: query, response: { 200: z.object({ organization: z.string(), asOf: z.string(), rollup: rollupSchema, ...own, portfolios: z.array(portfolioNode) }), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
    const asOf = request.query.asOf ?? new Date(ctx.now()).toISOString().slice(0, 10);
    const client = await ctx.pool.connect();
    try {
      const snapshot = await ctx.governance.get(org.id, () => loadGovernanceSnapshot(client, org.id));
      const nodes = snapshot.nodes;
      const kpis = await placedKpis(client, org.id, ctx.now(), hierarchyParents(nodes, snapshot.measures));
      // A node's KPIs: those on it (own), and those on it and below it (rolled up by band).
      const ownKpis = (level: HierarchyLevel, key: string | null) => kpis.filter((k) => k.kpi.nodeLevel === level && k.nodeKey === key).map(kpiMarkOf);
      const kpisUnder = (level: HierarchyLevel, key: string) => bandCounts(kpis.filter((k) => liesUnder(k.path, level, key)).map((k) => k.standing));
      const statuses = snapshot.statusesAsOf(asOf);
      const measures = snapshot.measures.map((m) => ({ row: m, package: m.packageKey, status: statuses.get(m.id) as DualStatus }));
      const under = <N extends { parent: string }>(list: readonly N[], parent: string): N[] => list.filter((n) => n.parent === parent);
      const byPackage = new Map<string, (typeof measures)[number][]>();
      for (const m of measures) {
        const list = byPackage.get(m.package);
        if (list) list.push(m);
        else byPackage.set(m.package, [m]);
      }
      // A node's roll-up: the measures of every package below it.
      const rollupOf = (packages: readonly string[], level: HierarchyLevel, key: string) => ({
        ...rollup(packages.flatMap((k) => byPackage.get(k) ?? []).map((m) => m.status)), kpis: kpisUnder(level, key),
      });
      const packagesBelow = (project: string) => under(nodes.packages, project).map((k) => k.key);
      const projectsBelow = (program: string) => under(nodes.projects, program).map((j) => j.key);
      const portfolios = nodes.portfolios.map((f) => {
        const programs = under(nodes.programs, f.key).map((g) => {
          const projects = under(nodes.projects, g.key).map((j) => ({
            key: j.key, name: j.name, rollup: rollupOf(packagesBelow(j.key), 'project', j.key), kpis: ownKpis('project', j.key),
            packages: under(nodes.packages, j.key).map((k) => ({
              key: k.key, name: k.name, rollup: rollupOf([k.key], 'measure_package', k.key), kpis: ownKpis('measure_package', k.key),
              measures: (byPackage.get(k.key) ?? []).map((m) => ({
                key: m.row.key, title: m.row.title, stage: m.row.stage, overall: m.status.overall, owner: m.row.owner?.email ?? null, kpis: ownKpis('measure', m.row.key),
              })),
            })),
          }));
          return { key: g.key, name: g.name, goal: g.goal, rollup: rollupOf(projectsBelow(g.key).flatMap(packagesBelow), 'program', g.key), kpis: ownKpis('program', g.key), projects };
        });
        return {
          key: f.key, name: f.name, goal: f.goal, rollup: rollupOf(under(nodes.programs, f.key).flatMap((g) => projectsBelow(g.key).flatMap(packagesBelow)), 'portfolio', f.key),
          kpis: ownKpis('portfolio', f.key), programs,
        };
      });
      return {
        organization: org.key, asOf, rollup: { ...rollup(measures.map((m) => m.status)), kpis: bandCounts(kpis.map((k) => k.standing)) }, kpis: ownKpis('organization', null), portfolios,
      };
    } finally {
      client.release();
    }
  });
};

/** The active KPIs where they stand now, each with where its node sits. */
async function placedKpis(client: pg.PoolClient, organizationId: string, nowMs: number, parents: HierarchyParents) {
  const standings = await kpiStandings(client, await activeKpis(client, organizationId), nowMs);
  return standings.map((k) => ({ ...k, path: hierarchyPath(k.kpi.nodeLevel, k.nodeKey, parents) }));
}

function kpiMarkOf(k: KpiWithStanding): z.infer<typeof kpiMark> {
  const last = k.standing.lastComplete;
  return { key: k.kpi.key, name: k.kpi.name, unit: unitOf(k.kpi.metric), value: last?.value ?? null, target: k.kpi.target, band: last?.band ?? null };
}
