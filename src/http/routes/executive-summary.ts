import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentMonth, executiveSummary, parsePeriod } from '../../domain/measure/executive-summary.ts';
import { measureStages } from '../../domain/measure/stage-gates.ts';
import { listMeasureRows, measurePlaces, openInterventions, partsOf, periodActivity, statusOf } from '../../store/measure-repository.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, validationFailed } from '../errors.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';

/**
 * GET /api/v1/executive-summary?period=2026-11 (README "Governance"): the period's picture for every
 * role — performance against the goals, what changed, the top risks by EBITDA at risk with the
 * customers affected, and the decisions asked (src/domain/measure/executive-summary.ts). Statuses
 * are computed from today's facts as of the period's last day (today while the period runs).
 */
const overall = z.enum(['on_track', 'at_risk', 'off_track', 'gap', 'on_hold', 'closed']);
const node = z.object({ key: z.string(), name: z.string(), goal: z.string().nullable() });
const money = z.number();

const summarySchema = z.object({
  organization: z.string(),
  asOf: z.string(),
  period: z.object({ label: z.string(), from: z.string(), to: z.string().describe('Exclusive') }),
  totals: z.object({ measures: z.number().int(), plan: money, realised: money, forecastAtCompletion: money, byState: z.record(overall, z.number().int()) }),
  goals: z.array(z.object({
    portfolio: node, program: node, measures: z.number().int(), plan: money, realised: money, forecastAtCompletion: money, forecastShare: z.number().nullable(),
    byState: z.partialRecord(overall, z.number().int()),
  })).describe('Per program, with its portfolio: EBITDA against plan and the measures in each state'),
  changes: z.object({
    decisions: z.array(z.object({ measure: z.string(), title: z.string(), from: z.enum(measureStages), to: z.enum(measureStages), at: z.string(), by: z.string().nullable(), reason: z.string() })),
    interventionsRaised: z.number().int(),
    interventionsResolved: z.number().int(),
  }),
  risks: z.array(z.object({
    measure: z.string(), title: z.string(), owner: z.string().nullable(), state: overall, ebitdaShortfall: money, ebitdaThreatened: money, ebitdaAtRisk: money, currency: z.string(),
    customersAffected: z.number().int(), openInterventions: z.array(z.object({ id: z.string(), title: z.string(), owner: z.string().nullable(), ageDays: z.number().int() })),
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
    const asOfMs = Math.min(nowMs, period.toMs - 1);
    const asOf = new Date(asOfMs).toISOString().slice(0, 10);
    const client = await ctx.pool.connect();
    try {
      const rows = await listMeasureRows(client, org.id);
      const { milestones, ebitda } = await partsOf(client, rows);
      const places = await measurePlaces(client, org.id);
      const open = await openInterventions(client, org.id);
      const activity = await periodActivity(client, org.id, period.fromMs, period.toMs);
      const unplaced = { key: '-', name: 'Not in a program', goal: null };
      const summary = executiveSummary({
        period, nowMs,
        measures: rows.map((m) => ({
          key: m.key, title: m.title, stage: m.stage, program: places.get(m.id)?.program ?? unplaced, portfolio: places.get(m.id)?.portfolio ?? unplaced,
          owner: m.owner?.email ?? null, sponsor: m.sponsor?.email ?? null, controller: m.controller?.email ?? null, currency: m.currency,
          status: statusOf(m, milestones.get(m.id) ?? [], ebitda.get(m.id) ?? [], asOf),
        })),
        interventions: open.map((i) => ({ id: i.id, title: i.title, status: i.status, owner: i.owner, openedAtMs: i.openedAt.getTime(), onAgenda: i.onAgenda, affectedCustomers: i.affectedCustomers, measures: i.measures })),
        decisions: activity.decisions.map((d) => ({ ...d, atMs: d.at.getTime() })),
        raised: activity.raised, resolved: activity.resolved,
      });
      return { organization: org.key, asOf, ...summary };
    } finally {
      client.release();
    }
  });
};
