import type pg from 'pg';
import type { KpiMetric } from '../domain/kpi/kpi-metric.ts';
import { kpiRoutingDriver } from '../domain/kpi/kpi-threats.ts';

/**
 * What a series counts, in the words its people use — the driver's name from the organization's
 * active taxonomy, its connector, or the KPI it counts events for — and when it starts (its first
 * point), for the detect stage.
 */
export interface SeriesSubject {
  seriesId: bigint;
  key: string;
  kind: string;
  driverKey: string | null;
  driverName: string | null;
  connectorId: string | null;
  connectorKey: string | null;
  firstPointMs: number | null;
  /** For a KPI's event series: the KPI version it counts for. */
  kpi: SubjectKpi | null;
}

export interface SubjectKpi {
  id: string;
  key: string;
  name: string;
  metric: KpiMetric;
  /** Its driver filter. */
  drivers: string[];
  /** The connectors it reads (its connector filter, else all of the organization's). */
  connectorIds: string[];
  /** The measure it hangs on (null for a KPI on a higher node). */
  measureKey: string | null;
}

/** The driver a series' spikes are routed by: its own, or its KPI's (src/domain/kpi/kpi-threats.ts). */
export const routingDriverOf = (s: SeriesSubject | undefined): string | null => (s?.kpi ? kpiRoutingDriver(s.kpi.drivers) : (s?.driverKey ?? null));

/** The connectors whose sync a series waits for: its own, or those its KPI reads. */
export const connectorsOf = (s: SeriesSubject | undefined): readonly string[] => (s?.kpi ? s.kpi.connectorIds : s?.connectorId ? [s.connectorId] : []);

export async function seriesSubjects(client: pg.PoolClient, organizationId: string, seriesIds: readonly bigint[]): Promise<Map<bigint, SeriesSubject>> {
  if (seriesIds.length === 0) return new Map();
  const rows = await client.query<{
    id: string; key: string; kind: string; driver_key: string | null; driver_name: string | null; connector_id: string | null; connector_key: string | null; first: Date | null;
    kpi: SubjectKpi | null;
  }>(
    `SELECT s.id::text, s.key, s.kind::text, s.driver_key, d.name AS driver_name, s.connector_id::text AS connector_id, c.key AS connector_key,
       (SELECT min(p.bucket_start) FROM series_points p WHERE p.series_id = s.id AND p.value <> 0) AS first,
       CASE WHEN s.kind = 'kpi_events' THEN (
         SELECT json_build_object('id', k.id, 'key', k.key, 'name', k.name, 'metric', k.metric,
           'drivers', ARRAY(SELECT jsonb_array_elements_text(coalesce(k.filters->'drivers', '[]'::jsonb))),
           'connectorIds', ARRAY(SELECT x.id::text FROM connectors x WHERE x.organization_id = k.organization_id
             AND (coalesce(jsonb_array_length(k.filters->'connectors'), 0) = 0 OR jsonb_exists(k.filters->'connectors', x.key))),
           'measureKey', (SELECT m.key FROM measures m WHERE k.node_level = 'measure' AND m.id = k.node_id))
         FROM kpis k WHERE k.id = s.kpi_id) END AS kpi
     FROM series s
     LEFT JOIN connectors c ON c.id = s.connector_id
     LEFT JOIN driver_taxonomies t ON t.organization_id = s.organization_id AND t.active
     LEFT JOIN drivers d ON d.taxonomy_id = t.id AND d.key = s.driver_key
     WHERE s.organization_id = $1 AND s.id = ANY($2::bigint[])`,
    [organizationId, seriesIds.map(String)],
  );
  return new Map(
    rows.rows.map((r) => [
      BigInt(r.id),
      {
        seriesId: BigInt(r.id), key: r.key, kind: r.kind, driverKey: r.driver_key, driverName: r.driver_name, connectorId: r.connector_id, connectorKey: r.connector_key,
        firstPointMs: r.first?.getTime() ?? null, kpi: r.kpi,
      },
    ]),
  );
}

/** All series of an organization (for replays). */
export async function organizationSeriesIds(client: pg.PoolClient, organizationId: string): Promise<bigint[]> {
  const rows = await client.query<{ id: string }>("SELECT id::text FROM series WHERE organization_id = $1 AND kind IN ('driver_volume', 'unmatched_volume', 'kpi_events') ORDER BY series.id", [organizationId]);
  return rows.rows.map((r) => BigInt(r.id));
}

/** Organizations that have any series (the scheduler requests their detect runs). */
export async function organizationsWithSeries(pool: pg.Pool): Promise<string[]> {
  const rows = await pool.query<{ id: string }>('SELECT o.id FROM organizations o WHERE EXISTS (SELECT 1 FROM series s WHERE s.organization_id = o.id) ORDER BY o.id');
  return rows.rows.map((r) => r.id);
}

/**
 * Connectors of the organization with a sync running (a live heartbeat): their series are still
 * filling in — a back-fill brings history older than what was decided — so the detect stage waits.
 */
export async function connectorsSyncing(client: pg.PoolClient, organizationId: string, staleAfterMs = 10 * 60_000): Promise<Set<string>> {
  const rows = await client.query<{ id: string }>(
    `SELECT DISTINCT connector_id::text AS id FROM sync_runs WHERE organization_id = $1 AND status = 'running'
       AND heartbeat_at > now() - make_interval(secs => $2::double precision / 1000)`,
    [organizationId, staleAfterMs],
  );
  return new Set(rows.rows.map((r) => r.id));
}
