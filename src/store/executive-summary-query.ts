import type pg from 'pg';
import type { DualStatus } from '../domain/measure/dual-status.ts';
import { unitOf } from '../domain/kpi/kpi-metric.ts';
import { type ExecutiveSummary, executiveSummary, type PeriodBounds } from '../domain/measure/executive-summary.ts';
import { hierarchyPath } from '../domain/measure/hierarchy-path.ts';
import { type GovernanceSnapshot, loadGovernanceSnapshot } from './governance-snapshot.ts';
import { hierarchyParents } from './hierarchy-queries.ts';
import { activeKpis } from './kpi-definitions.ts';
import { kpiStandings } from './kpi-standing-query.ts';
import { periodActivity } from './measure-repository.ts';

/**
 * The executive summary of an organization for a period, from the store (the API route and the
 * demo ask it), or from a snapshot of it the caller holds: statuses computed from today's facts as
 * of the period's last day, or today while the period runs. The period's decisions and the KPIs'
 * standing at the period's end (or now) are always read.
 */
export async function loadExecutiveSummary(client: pg.PoolClient, organizationId: string, period: PeriodBounds, nowMs: number, snapshot?: GovernanceSnapshot): Promise<ExecutiveSummary & { asOf: string }> {
  const asOf = new Date(Math.min(nowMs, period.toMs - 1)).toISOString().slice(0, 10);
  const { measures: rows, places, openItems: open, nodes, statusesAsOf } = snapshot ?? (await loadGovernanceSnapshot(client, organizationId));
  const statuses = statusesAsOf(asOf);
  const activity = await periodActivity(client, organizationId, period.fromMs, period.toMs);
  const parents = hierarchyParents(nodes, rows);
  const kpis = await kpiStandings(client, await activeKpis(client, organizationId), nowMs, period);
  const unplaced = { key: '-', name: 'Not in a program', goal: null };
  const summary = executiveSummary({
    period, nowMs,
    measures: rows.map((m) => ({
      key: m.key, title: m.title, stage: m.stage, program: places.get(m.id)?.program ?? unplaced, portfolio: places.get(m.id)?.portfolio ?? unplaced,
      owner: m.owner?.email ?? null, sponsor: m.sponsor?.email ?? null, controller: m.controller?.email ?? null, currency: m.currency,
      status: statuses.get(m.id) as DualStatus,
    })),
    interventions: open.map((i) => ({
      id: i.id, title: i.title, status: i.status, owner: i.owner, openedAtMs: i.openedAt.getTime(), onAgenda: i.onAgenda, affectedCustomers: i.affectedCustomers, measures: i.measures, kpis: i.kpis,
    })),
    kpis: kpis.map(({ kpi, nodeKey, standing }) => ({
      key: kpi.key, name: kpi.name, unit: unitOf(kpi.metric), node: { level: kpi.nodeLevel, key: nodeKey },
      path: hierarchyPath(kpi.nodeLevel, nodeKey, parents), direction: kpi.direction, target: kpi.target, standing,
    })),
    decisions: activity.decisions.map((d) => ({ ...d, atMs: d.at.getTime() })),
    raised: activity.raised, resolved: activity.resolved,
  });
  return { asOf, ...summary };
}
