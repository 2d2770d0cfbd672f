import type pg from 'pg';
import { BUCKET_MS, type KpiStanding, kpiStanding, type LocalBucket } from '../domain/kpi/kpi-standing.ts';
import { type KpiDefinition, kpiNodeKeys } from './kpi-definitions.ts';
import { kpiSeriesPoints } from './kpi-series-repository.ts';

/**
 * KPIs with where each stands now, or at the end of a reporting period (src/domain/kpi/kpi-standing.ts):
 * read from its series, one short range per KPI.
 */
export interface KpiWithStanding {
  kpi: KpiDefinition;
  /** The key of the node it hangs on (null for the organization). */
  nodeKey: string | null;
  standing: KpiStanding<LocalBucket>;
}

export async function kpiStandings(db: pg.Pool | pg.PoolClient, kpis: readonly KpiDefinition[], nowMs: number, period?: { fromMs: number; toMs: number }): Promise<KpiWithStanding[]> {
  if (kpis.length === 0) return [];
  const nodes = await kpiNodeKeys(db, kpis.map((k) => k.id));
  // Up to the bucket holding now, or the period's last instant; from two buckets before that (the
  // last complete one and the one before it), or the period's start.
  const upToMs = period === undefined ? nowMs : Math.min(nowMs, period.toMs - 1);
  const out: KpiWithStanding[] = [];
  for (const kpi of kpis) {
    const fromMs = Math.min(period?.fromMs ?? Number.POSITIVE_INFINITY, upToMs - 2 * BUCKET_MS[kpi.bucket]);
    const points = await kpiSeriesPoints(db, kpi, new Date(fromMs), new Date(upToMs));
    const buckets = points.map((p) => ({ startMs: p.start.getTime(), endMs: p.end.getTime(), local: p.local, value: p.value }));
    out.push({ kpi, nodeKey: nodes.get(kpi.id) ?? null, standing: kpiStanding(buckets, kpi, nowMs, period) });
  }
  return out;
}
