import type pg from 'pg';

/**
 * Read-side summaries of the hourly driver series: what the demo prints and what the end-to-end tests
 * compare with a simulator's ground truth. Read from `series_points` (what Frontline computed), never
 * recounted from tickets, so a wrong aggregate cannot hide behind a correct ticket table.
 */
export interface DriverVolume {
  /** null = unmatched. */
  driverKey: string | null;
  total: number;
  /** The 7 days before `nowMs`, and the 7 days before those. */
  last7: number;
  previous7: number;
}

const DAY_MS = 86_400_000;

export async function driverVolumes(pool: pg.Pool, connectorId: string, nowMs: number): Promise<DriverVolume[]> {
  const result = await pool.query<{ driver_key: string | null; total: number; last7: number; previous7: number }>(
    `SELECT s.driver_key, sum(p.value)::float8 AS total,
       coalesce(sum(p.value) FILTER (WHERE p.bucket_start >= $2), 0)::float8 AS last7,
       coalesce(sum(p.value) FILTER (WHERE p.bucket_start >= $3 AND p.bucket_start < $2), 0)::float8 AS previous7
     FROM series s JOIN series_points p ON p.series_id = s.id
     WHERE s.connector_id = $1 AND s.kind IN ('driver_volume', 'unmatched_volume')
     GROUP BY s.driver_key ORDER BY total DESC`,
    [connectorId, new Date(nowMs - 7 * DAY_MS), new Date(nowMs - 14 * DAY_MS)],
  );
  return result.rows.map((r) => ({ driverKey: r.driver_key, total: r.total, last7: r.last7, previous7: r.previous7 }));
}

/** Ticket volume per UTC day (all drivers and unmatched), from the hourly series. */
export async function dailyVolumes(pool: pg.Pool, connectorId: string): Promise<Record<string, number>> {
  const result = await pool.query<{ day: string; n: number }>(
    `SELECT to_char(p.bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(p.value)::float8 AS n
     FROM series s JOIN series_points p ON p.series_id = s.id
     WHERE s.connector_id = $1 AND s.kind IN ('driver_volume', 'unmatched_volume')
     GROUP BY 1 HAVING sum(p.value) > 0 ORDER BY 1`,
    [connectorId],
  );
  return Object.fromEntries(result.rows.map((r) => [r.day, r.n]));
}

/** How many of a connector's tickets are classified (and matched a rule), and how many series points exist. */
export async function classificationSummary(pool: pg.Pool, connectorId: string): Promise<{ classified: number; matched: number; points: number }> {
  const result = await pool.query<{ classified: number; matched: number; points: number }>(
    `SELECT (SELECT count(*) FROM ticket_classifications c JOIN tickets t ON t.id = c.ticket_id
               JOIN derive_states d ON d.connector_id = t.connector_id AND d.taxonomy_id = c.taxonomy_id WHERE t.connector_id = $1)::int AS classified,
            (SELECT count(*) FROM ticket_classifications c JOIN tickets t ON t.id = c.ticket_id
               JOIN derive_states d ON d.connector_id = t.connector_id AND d.taxonomy_id = c.taxonomy_id
             WHERE t.connector_id = $1 AND c.driver_key IS NOT NULL)::int AS matched,
            (SELECT count(*) FROM series_points p JOIN series s ON s.id = p.series_id WHERE s.connector_id = $1)::int AS points`,
    [connectorId],
  );
  return result.rows[0] ?? { classified: 0, matched: 0, points: 0 };
}
