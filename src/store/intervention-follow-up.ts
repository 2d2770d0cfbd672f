import type pg from 'pg';
import { type FollowUp, followUps } from '../domain/intervention/follow-up.ts';
import type { InterventionStatus } from '../domain/intervention/lifecycle.ts';
import { writeAuditRecord } from './audit-sql.ts';
import { transitionIntervention } from './intervention-transitions.ts';
import type { RoutingContext } from './routing-context-repository.ts';

/**
 * The detect stage's follow-ups on an organization's items (domain/intervention/follow-up.ts):
 * escalation, reminders, the steering agenda, effect verification and reopening — each an audit
 * record, so a delivery channel (and the item's history) sees who was asked, when and why.
 */
const ACTOR = 'frontline-detect';

export async function runFollowUps(client: pg.PoolClient, ctx: RoutingContext, nowMs: number): Promise<Record<FollowUp, number>> {
  const counts: Record<FollowUp, number> = { escalate: 0, remind: 0, agenda: 0, verify: 0, reopen: 0 };
  const items = await client.query<{
    id: string; status: InterventionStatus; created_at: Date; reopened_at: Date | null; acknowledged_at: Date | null; resolved_at: Date | null; due_at: Date;
    escalation_level: number; escalated_at: Date | null; on_agenda_at: Date | null; last_notice: Date | null; escalate_to: string | null; sponsors: string[] | null;
    signals: { open: boolean; resolved_at: string | null }[];
  }>(
    `SELECT i.id, i.status::text AS status, i.created_at, i.reopened_at, i.acknowledged_at, i.resolved_at, i.due_at, i.escalation_level, i.escalated_at, i.on_agenda_at,
       i.evidence->>'escalateTo' AS escalate_to,
       (SELECT array_agg(DISTINCT p.email ORDER BY p.email) FROM measures m JOIN people p ON p.id = m.sponsor_id
         WHERE m.organization_id = i.organization_id AND m.stage <> 'closed'
           AND (m.id = i.measure_id OR coalesce(i.evidence->'threatens'->'measures', '[]'::jsonb) ? m.key)) AS sponsors,
       (SELECT max(a.at) FROM audit_log a WHERE a.entity_type = 'intervention' AND a.entity_id = i.id::text AND a.action IN ('intervention.escalated', 'intervention.reminded')) AS last_notice,
       coalesce((SELECT json_agg(json_build_object('open', s.status = 'open', 'resolved_at', s.resolved_at)) FROM intervention_spikes l JOIN spikes s ON s.id = l.spike_id
                 WHERE l.intervention_id = i.id), '[]') AS signals
     FROM intervention_items i WHERE i.organization_id = $1 AND i.status <> 'effect_verified' FOR UPDATE OF i`,
    [ctx.organizationId],
  );
  for (const item of items.rows) {
    const due = followUps(
      {
        status: item.status, createdAtMs: item.created_at.getTime(), reopenedAtMs: item.reopened_at?.getTime() ?? null,
        acknowledgedAtMs: item.acknowledged_at?.getTime() ?? null, resolvedAtMs: item.resolved_at?.getTime() ?? null, dueMs: item.due_at.getTime(),
        escalationLevel: item.escalation_level, escalatedAtMs: item.escalated_at?.getTime() ?? null, measureSponsors: (item.sponsors ?? []).length > 0, onAgendaAtMs: item.on_agenda_at?.getTime() ?? null,
        lastNoticeAtMs: Math.max(item.created_at.getTime(), item.reopened_at?.getTime() ?? 0, item.last_notice?.getTime() ?? 0),
        signals: item.signals.map((s) => ({ open: s.open, resolvedAtMs: s.resolved_at === null ? null : Date.parse(s.resolved_at) })),
      },
      nowMs,
      ctx.policy,
    );
    for (const action of due) {
      // The first escalation goes to the owner's escalation contact, the second to the threatened measures' sponsors.
      const to = item.escalation_level >= 1 && (item.sponsors ?? []).length > 0 ? (item.sponsors ?? []).join(', ') : item.escalate_to;
      await apply(client, ctx, { id: item.id, level: item.escalation_level }, action, to, nowMs);
      counts[action] += 1;
    }
  }
  return counts;
}

async function apply(client: pg.PoolClient, ctx: RoutingContext, item: { id: string; level: number }, action: FollowUp, escalateTo: string | null, nowMs: number): Promise<void> {
  const id = item.id;
  const at = new Date(nowMs).toISOString();
  const audit = (name: string, after: object, reason: string) =>
    writeAuditRecord(client, { organizationId: ctx.organizationId, actor: ACTOR, action: name, entityType: 'intervention', entityId: id, after, reason, atMs: nowMs });
  const hours = (ms: number): string => `${Math.round(ms / 3_600_000)} h`;
  switch (action) {
    case 'escalate':
      await client.query('UPDATE intervention_items SET escalation_level = $3, escalated_at = $2, updated_at = $2 WHERE id = $1', [id, at, item.level + 1]);
      await audit('intervention.escalated', { to: escalateTo, level: item.level + 1 }, item.level === 0
        ? `not acknowledged within ${hours(ctx.policy.ackWithinMs)}`
        : `still not acknowledged ${hours(ctx.policy.ackWithinMs)} after the escalation: to the sponsors of the measures it threatens`);
      return;
    case 'remind':
      await audit('intervention.reminded', { to: escalateTo }, `still not acknowledged (reminder every ${hours(ctx.policy.repeatEveryMs)})`);
      return;
    case 'agenda':
      await client.query('UPDATE intervention_items SET on_agenda_at = $2, updated_at = $2 WHERE id = $1', [id, at]);
      await audit('intervention.on_agenda', { agenda: ctx.cadence?.name ?? 'steering committee' }, 'open past its due date: it outlived a reporting cadence');
      return;
    case 'verify':
    case 'reopen': {
      const reason = action === 'verify'
        ? `every signal back to normal for ${hours(ctx.policy.verifyAfterMs)} after resolution`
        : `a signal was still above normal ${hours(ctx.policy.reopenAfterMs)} after resolution`;
      await transitionIntervention(client, { organizationId: ctx.organizationId, id, action, actor: ACTOR, reason, nowMs });
      return;
    }
  }
}
