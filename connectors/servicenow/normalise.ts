import type { NormaliseResult } from '../../src/connector-kit/connector-module.ts';
import type { TicketPriority, TicketStatus } from '../../src/domain/ticket/canonical-ticket.ts';
import { glideTimeMs, incidentRowSchema } from './raw-schemas.ts';

/**
 * A ServiceNow incident as a canonical ticket. Pure. States and priorities are the baseline
 * incident choices (state 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled;
 * priority 1 Critical … 5 Planning); an instance's own state values map to `open`. `made_sla`
 * "false" is a breached SLA. Custom `u_*` fields are kept as custom fields.
 */
const STATES: Readonly<Record<string, TicketStatus>> = { '1': 'new', '2': 'open', '3': 'on_hold', '6': 'resolved', '7': 'closed', '8': 'closed' };
const PRIORITIES: Readonly<Record<string, TicketPriority>> = { '1': 'urgent', '2': 'high', '3': 'normal', '4': 'low', '5': 'low' };

export function normaliseIncident(raw: unknown, baseUrl: string): NormaliseResult {
  const parsed = incidentRowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const id = typeof (raw as { sys_id?: unknown } | null)?.sys_id === 'string' ? (raw as { sys_id: string }).sys_id : null;
    return { ok: false, nativeId: id, reason: `not an incident row: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}` };
  }
  const r = parsed.data;
  const created = glideTimeMs(r.sys_created_on);
  const updated = glideTimeMs(r.sys_updated_on);
  if (created === null || updated === null) return { ok: false, nativeId: r.sys_id, reason: `unreadable sys_created_on or sys_updated_on (${r.sys_created_on}, ${r.sys_updated_on})` };
  const iso = (value: string | undefined): string | null => {
    const ms = glideTimeMs(value);
    return ms === null ? null : new Date(ms).toISOString();
  };
  const blank = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
  const customFields: Record<string, string> = {};
  for (const [name, value] of Object.entries(r)) if (name.startsWith('u_') && typeof value === 'string' && value !== '') customFields[name] = value;
  const reopens = Number(r.reopen_count ?? '0');
  return {
    ok: true,
    changedAt: new Date(updated).toISOString(),
    erasedBySource: false,
    ticket: {
      nativeId: r.sys_id,
      key: blank(r.number),
      url: `${baseUrl}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${r.sys_id}`)}`,
      subject: blank(r.short_description),
      status: STATES[r.state ?? ''] ?? 'open',
      priority: PRIORITIES[r.priority ?? ''] ?? null,
      channel: blank(r.contact_type),
      type: blank(r.sys_class_name),
      customerAccount: blank(r.company),
      requesterRef: blank(r.caller_id),
      group: blank(r.assignment_group),
      product: null,
      component: blank(r.cmdb_ci),
      service: blank(r.business_service),
      category: blank(r.category),
      subcategory: blank(r.subcategory),
      tags: [],
      formId: null,
      customFields,
      csat: null,
      slaBreached: r.made_sla === 'false' ? true : r.made_sla === 'true' ? false : null,
      reopenCount: Number.isSafeInteger(reopens) && reopens >= 0 ? reopens : 0,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(updated).toISOString(),
      resolvedAt: iso(r.resolved_at),
      closedAt: iso(r.closed_at),
      supportType: null,
    },
  };
}
