import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentMonth, parsePeriod } from '../../domain/measure/executive-summary.ts';
import { measureStages } from '../../domain/measure/stage-gates.ts';
import { loadExecutiveSummary } from '../../store/executive-summary-query.ts';
import { loadGovernanceSnapshot } from '../../store/governance-snapshot.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, validationFailed } from '../errors.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';

/**
 * GET /api/v1/executive-summary?period=2026-11 (README "Governance"): the period's picture for every
 * role — performance against the goals, what changed, the top risks by EBITDA at risk with the
 * customers affected, and the decisions asked (src/domain/measure/executive-summary.ts,
 * src/store/executive-summary-query.ts).
 */
const overall = z.enum(['on_track', 'at_risk', 'off_track', 'gap', 'on_hold', 'closed']);
const node = z.object({ key: z.string(), name: z.string(), goal: z.string().nullable() });
const money = z.number();
const bands = { green: z.number().int(), amber: z.number().int(), red: z.number().int(), none: z.number().int().describe('No value, or no target nor bands') };
const kpiCounts = z.object({ kpis: z.number().int(), ...bands }).describe('KPIs by the band of their last complete bucket');
const band = z.enum(['green', 'amber', 'red']);

const summarySchema = z.object({
  organization: z.string(),
  asOf: z.string(),
  period: z.object({ label: z.string(), from: z.string(), to: z.string().describe('Exclusive') }),
  totals: z.object({ measures: z.number().int(), plan: money, realised: money, forecastAtCompletion: money, byState: z.record(overall, z.number().int()), kpis: kpiCounts }),
  goals: z.array(z.object({
    portfolio: node, program: node, measures: z.number().int(), plan: money, realised: money, forecastAtCompletion: money, forecastShare: z.number().nullable(),
    byState: z.partialRecord(overall, z.number().int()), kpis: kpiCounts,
  })).describe('Per program, with its portfolio: EBITDA against plan, the measures in each state, and the KPIs on and below it by band'),
  kpis: z.array(z.object({
    key: z.string(), name: z.string(), unit: z.string(),
    node: z.object({ level: z.enum(['organization', 'portfolio', 'program', 'project', 'measure_package', 'measure']), key: z.string().nullable() }),
    program: z.string().nullable(), measure: z.string().nullable(), direction: z.enum(['up_is_good', 'down_is_good']), target: z.number().nullable(),
    lastComplete: z.object({ start: z.string(), local: z.string(), value: z.number().nullable(), band: band.nullable() }).nullable().describe("The period's last complete bucket (or the latest, while it runs)"),
    betterThanTargetBy: z.number().nullable().describe('Positive is better than target'),
    period: z.object({ buckets: z.number().int(), ...bands }).nullable().describe('The complete buckets starting in the period, by band'),
    openInterventions: z.array(z.object({ id: z.string(), title: z.string(), owner: z.string().nullable(), ageDays: z.number().int() })),
  })).describe('Every active KPI against its target, worst first'),
  changes: z.object({
    decisions: z.array(z.object({ measure: z.string(), title: z.string(), from: z.enum(measureStages), to: z.enum(measureStages), at: z.string(), by: z.string().nullable(), reason: z.string() })),
    interventionsRaised: z.number().int(),
    interventionsResolved: z.number().int(),
  }),
  risks: z.array(z.object({
    measure: z.string(), title: z.string(), owner: z.string().nullable(), state: overall, ebitdaShortfall: money, ebitdaThreatened: money, ebitdaAtRisk: money, currency: z.string(),
    customersAffected: z.number().int(), openInterventions: z.array(z.object({ id: z.string(), title: z.string(), owner: z.string().nullable(), ageDays: z.number().int() })),
    kpisOffTarget: z.array(z.object({ key: z.string(), name: z.string(), value: z.number().nullable(), target: z.number().nullable(), unit: z.string(), band: z.enum(['amber', 'red']) })),
    reasons: z.array(z.string()),
  })).describe('Top 10 by EBITDA at risk'),
  decisionsAsked: z.array(z.object({ kind: z.enum(['gate_decision', 'overdue_intervention', 'value_gap', 'closure']), subject: z.string(), ask: z.string(), ebitdaAtRisk: money })),
}).meta({ id: 'ExecutiveSummary' });

const query = z.object({
  organization: organizationParam,
  period: z.string().max(16).optional().describe('A month (2026-11), quarter (2026-Q4) or ISO week (2026-W48), UTC; default: the current month'),
});

export const executiveSummaryRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('', {
    schema: {
      tags: ['governance'], security: [{ bearerAuth: [] }], summary: "The period's picture: performance against goals, what changed, top risks, decisions asked",
      querystring: query, response: { 200: summarySchema, ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
    const nowMs = ctx.now();
    const text = request.query.period;
    const period = text === undefined ? currentMonth(nowMs) : parsePeriod(text);
    if (period === null) throw validationFailed(`period "${text}" is not a month, quarter or ISO week`, [{ path: 'period', message: 'write 2026-11, 2026-Q4 or 2026-W48' }]);
    const client = await ctx.pool.connect();
    try {
      const snapshot = await ctx.governance.get(org.id, () => loadGovernanceSnapshot(client, org.id));
      return { organization: org.key, ...(await loadExecutiveSummary(client, org.id, period, nowMs, snapshot)) };
    } finally {
      client.release();
    }
  });
};
