import type pg from 'pg';

/**
 * The demo's report of what the detect stage raised: each intervention item as the people it is
 * routed to see it — title, explanation, owner, participants, due, the ask — and its signals.
 */
export async function printInterventions(pool: pg.Pool, organizationId: string, timeZone: string, out: (line: string) => void): Promise<number> {
  const items = await pool.query<{
    id: string; title: string; narrative: string; ask: string | null; severity: string; status: string; due_at: Date; owner: string | null; owner_email: string | null;
    participants: { function: string; name: string | null }[]; evidence: { signals?: { affectedCustomers?: number; exampleTickets?: { key: string | null; url: string | null }[] }[]; meeting?: { name: string | null } | null; threatens?: { measures?: string[]; kpis?: string[] } } | null;
  }>(
    `SELECT i.id, i.title, i.narrative, i.ask, i.severity::text, i.status::text, i.due_at, o.name AS owner, o.email AS owner_email, i.evidence,
       coalesce((SELECT json_agg(json_build_object('function', p.function, 'name', x.name) ORDER BY p.function) FROM intervention_participants p
                 LEFT JOIN people x ON x.id = p.person_id WHERE p.intervention_id = i.id), '[]') AS participants
     FROM intervention_items i LEFT JOIN people o ON o.id = i.owner_id WHERE i.organization_id = $1 ORDER BY i.created_at`,
    [organizationId],
  );
  if (items.rows.length === 0) {
    out('spike detection: no driver is above what its history predicts — no intervention raised');
    return 0;
  }
  const when = (d: Date): string => new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  out(`spike detection: ${items.rows.length} intervention item${items.rows.length === 1 ? '' : 's'} raised in the governance store`);
  for (const item of items.rows) {
    const signal = item.evidence?.signals?.[0];
    out(`  [${item.severity}, ${item.status}] ${item.title}`);
    out(`    ${item.narrative.split('\n').join('\n    ')}`);
    out(`    owner: ${item.owner ?? 'nobody routed'}${item.owner_email ? ` <${item.owner_email}>` : ''}; participants: ${item.participants.map((p) => `${p.function.replace('_', ' ')} (${p.name ?? 'nobody'})`).join(', ')}`);
    out(`    due: ${when(item.due_at)}${item.evidence?.meeting?.name ? `, before ${item.evidence.meeting.name}` : ''}`);
    if (item.ask) out(`    ask: ${item.ask}`);
    if (signal) out(`    ${signal.affectedCustomers ?? 0} customer accounts affected; examples: ${(signal.exampleTickets ?? []).slice(0, 3).map((t) => t.url ?? t.key).join(' ')}`);
    const keys = item.evidence?.threatens?.measures ?? [];
    const measures = await pool.query<{ key: string; title: string; stage: string; sponsor: string | null }>(
      'SELECT m.key, m.title, m.stage::text AS stage, s.name AS sponsor FROM measures m LEFT JOIN people s ON s.id = m.sponsor_id WHERE m.organization_id = $1 AND m.key = ANY($2) ORDER BY m.key',
      [organizationId, keys],
    );
    for (const m of measures.rows) out(`    threatens measure ${m.key} "${m.title}" (${m.stage}, sponsor ${m.sponsor ?? 'none'})`);
    out(`    frontline interventions show ${item.id}`);
  }
  return items.rows.length;
}
