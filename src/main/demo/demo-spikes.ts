import type pg from 'pg';

/** The demo's spike report: what the detect stage raised, in the words it raised it with. */
export async function printSpikes(pool: pg.Pool, organizationId: string, out: (line: string) => void): Promise<number> {
  const rows = await pool.query<{ explanation: string; status: string; horizon: string | null; example_tickets: string[]; affected_customers: number }>(
    `SELECT explanation, status::text, horizon, example_tickets::text[], affected_customers FROM spikes
     WHERE organization_id = $1 ORDER BY detected_at, id`,
    [organizationId],
  );
  if (rows.rows.length === 0) {
    out('spike detection: no driver is above what its history predicts');
    return 0;
  }
  out(`spike detection: ${rows.rows.length} episode${rows.rows.length === 1 ? '' : 's'} raised`);
  for (const r of rows.rows) {
    out(`  [${r.status}] ${r.explanation}`);
    out(`      ${r.affected_customers} customer accounts affected; example tickets ${r.example_tickets.slice(0, 5).join(', ')}`);
  }
  return rows.rows.length;
}
