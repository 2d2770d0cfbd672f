import type pg from 'pg';
import type { Logger } from '../../observability/logger.ts';
import { type KpiRefreshSummary, refreshKpiSeries } from '../../store/kpi-series-repository.ts';

/**
 * The KPI stage for one organization: every connector's changed tickets brought into the KPI series
 * that read them (src/store/kpi-series-repository.ts), after the derive stage made their
 * classifications current. Run as the `kpi` job, one waiting per organization, so a back-fill's many
 * derives collapse into few recomputations.
 */
export interface KpiDeps {
  pool: pg.Pool;
  logger: Logger;
  /** The clock the backlog KPIs count up to (default: the system's). */
  now?: () => number;
}

export async function refreshOrganizationKpis(deps: KpiDeps, organizationId: string): Promise<KpiRefreshSummary & { connectors: number }> {
  const connectors = await deps.pool.query<{ id: string; key: string }>('SELECT id::text, key FROM connectors WHERE organization_id = $1 ORDER BY key', [organizationId]);
  const total = { connectors: connectors.rows.length, kpis: 0, full: 0, pointsWritten: 0, eventsMoved: 0 };
  for (const connector of connectors.rows) {
    const done = await refreshKpiSeries(deps.pool, { ...connector, organizationId }, new Date(deps.now?.() ?? Date.now()));
    total.kpis = Math.max(total.kpis, done.kpis);
    total.full += done.full;
    total.pointsWritten += done.pointsWritten;
    total.eventsMoved += done.eventsMoved;
  }
  if (total.full > 0 || total.pointsWritten > 0 || total.eventsMoved > 0) deps.logger.info({ organizationId, ...total }, 'recomputed KPI series');
  return total;
}
