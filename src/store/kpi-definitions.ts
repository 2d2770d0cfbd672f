import type pg from 'pg';
import type { KpiMetric } from '../domain/kpi/kpi-metric.ts';
import type { HierarchyLevel } from '../domain/measure/hierarchy-path.ts';
import type { KpiBucketUnit, KpiSelection } from './kpi-ticket-sql.ts';

/** KPI definitions as the store keeps them (table `kpis`: every version, one active), and where each hangs. */
export interface KpiDefinition extends KpiSelection {
  id: string;
  key: string;
  version: number;
  name: string;
  active: boolean;
  direction: 'up_is_good' | 'down_is_good';
  target: number | null;
  bands: { green: number; amber: number } | null;
  customerBase: number | null;
  nodeLevel: HierarchyLevel;
  nodeId: string;
  createdAt: Date;
}

interface KpiRow {
  id: string; organization_id: string; key: string; version: number; name: string; active: boolean; metric: KpiMetric; filters: KpiSelection['filters'];
  bucket: KpiBucketUnit; time_zone: string; direction: KpiDefinition['direction']; target: string | null; bands: KpiDefinition['bands']; customer_base: number | null;
  node_level: HierarchyLevel; node_id: string; created_at: Date;
}

const KPI_COLUMNS = `id::text, organization_id::text, key, version, name, active, metric::text AS metric, filters, bucket::text AS bucket, time_zone, direction::text AS direction,
  target::text, bands, customer_base, node_level::text AS node_level, node_id::text, created_at`;

const noFilters: KpiSelection['filters'] = { drivers: [], connectors: [], priorities: [], products: [], segments: [] };

function toDefinition(r: KpiRow): KpiDefinition {
  return {
    id: r.id, organizationId: r.organization_id, key: r.key, version: r.version, name: r.name, active: r.active, metric: r.metric,
    filters: { ...noFilters, ...r.filters }, bucket: r.bucket, timeZone: r.time_zone, direction: r.direction, target: r.target === null ? null : Number(r.target),
    bands: r.bands, customerBase: r.customer_base, nodeLevel: r.node_level, nodeId: r.node_id, createdAt: r.created_at,
  };
}

export async function activeKpis(db: pg.Pool | pg.PoolClient, organizationId: string): Promise<KpiDefinition[]> {
  const rows = await db.query<KpiRow>(`SELECT ${KPI_COLUMNS} FROM kpis WHERE organization_id = $1 AND active ORDER BY key`, [organizationId]);
  return rows.rows.map(toDefinition);
}

export async function kpiById(db: pg.Pool | pg.PoolClient, id: string): Promise<KpiDefinition | null> {
  const rows = await db.query<KpiRow>(`SELECT ${KPI_COLUMNS} FROM kpis WHERE id = $1`, [id]);
  return rows.rows[0] ? toDefinition(rows.rows[0]) : null;
}

/** Every version of a KPI, newest first. */
export async function kpiVersions(db: pg.Pool | pg.PoolClient, organizationId: string, key: string): Promise<KpiDefinition[]> {
  const rows = await db.query<KpiRow>(`SELECT ${KPI_COLUMNS} FROM kpis WHERE organization_id = $1 AND key = $2 ORDER BY version DESC`, [organizationId, key]);
  return rows.rows.map(toDefinition);
}

/** The series row a KPI version's points (`kpi`) or events (`kpi_events`) are kept under, made on first use. */
export async function ensureKpiSeriesRow(client: pg.PoolClient, kpi: KpiDefinition, kind: 'kpi' | 'kpi_events', key: string): Promise<string> {
  const row = await client.query<{ id: string }>(
    `INSERT INTO series (organization_id, key, kind, kpi_id) VALUES ($1, $2, $3::"SeriesKind", $4)
     ON CONFLICT (organization_id, key) DO UPDATE SET kpi_id = EXCLUDED.kpi_id RETURNING id::text`,
    [kpi.organizationId, key, kind, kpi.id],
  );
  return row.rows[0]?.id ?? '';
}

/** The key of the node each KPI hangs on (null for the organization), by KPI id. */
export async function kpiNodeKeys(db: pg.Pool | pg.PoolClient, kpiIds: readonly string[]): Promise<Map<string, string | null>> {
  if (kpiIds.length === 0) return new Map();
  const rows = await db.query<{ id: string; node_key: string | null }>(
    `SELECT k.id::text, CASE k.node_level
       WHEN 'portfolio' THEN (SELECT key FROM portfolios WHERE id = k.node_id)
       WHEN 'program' THEN (SELECT key FROM programs WHERE id = k.node_id)
       WHEN 'project' THEN (SELECT key FROM projects WHERE id = k.node_id)
       WHEN 'measure_package' THEN (SELECT key FROM measure_packages WHERE id = k.node_id)
       WHEN 'measure' THEN (SELECT key FROM measures WHERE id = k.node_id)
     END AS node_key
     FROM kpis k WHERE k.id = ANY($1::uuid[])`,
    [kpiIds],
  );
  return new Map(rows.rows.map((r) => [r.id, r.node_key]));
}
