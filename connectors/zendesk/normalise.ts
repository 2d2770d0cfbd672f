import type { z } from 'zod';
import type { NormaliseResult } from '../../src/connector-kit/connector-module.ts';
import type { CanonicalTicket, TicketStatus } from '../../src/domain/ticket/canonical-ticket.ts';
import type { FieldLabels } from './field-labels.ts';
import { type ZendeskMetricSet, type ZendeskTicket, zendeskTicketSchema } from './raw-schemas.ts';

/**
 * Zendesk ticket → CanonicalTicket. Pure, never throws: a record that fails the raw schema comes back
 * as `{ ok: false, nativeId, reason }` with a short `path: message` reason, and is quarantined.
 *
 * Custom fields (decided here, see NOTES.md): keyed by Zendesk field id; for dropdown (`tagger`) and
 * `multiselect` fields the key holds the option LABEL(S) and `<id>:value` the raw option value(s) —
 * the tag(s) — so driver rules can match either. Other fields keep their value under the id. Empty
 * (null / '') values are left out: Zendesk sends every field of the form, mostly empty.
 *
 * Resolution, close time and reopens come from the ticket's metric set (`include=metric_sets`, joined
 * onto the ticket as `metric_set` by metric-sets.ts); a ticket without one (deleted tickets have none)
 * keeps null / 0. SLA breaches are not in metric sets: `slaBreached` stays null.
 */
const statusMap: Record<ZendeskTicket['status'], TicketStatus> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'on_hold',
  solved: 'resolved',
  closed: 'closed',
  deleted: 'deleted',
};

export function normaliseZendeskTicket(raw: unknown, fieldLabels: FieldLabels, baseUrl: string): NormaliseResult {
  const parsed = zendeskTicketSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, nativeId: nativeIdOf(raw), reason: describeIssues(parsed.error) };
  const t = parsed.data;
  const metrics = metricSetOf(t);
  const ticket: CanonicalTicket = {
    nativeId: String(t.id),
    key: String(t.id),
    url: `${baseUrl.replace(/\/+$/, '')}/agent/tickets/${t.id}`,
    subject: t.subject ?? null,
    status: statusMap[t.status],
    priority: t.priority ?? null,
    channel: String(t.via.channel),
    type: t.type ?? null,
    customerAccount: idOrNull(t.organization_id),
    requesterRef: idOrNull(t.requester_id),
    group: idOrNull(t.group_id),
    product: null,
    component: null,
    service: null,
    category: null,
    subcategory: null,
    tags: t.tags,
    formId: idOrNull(t.ticket_form_id),
    customFields: customFieldsOf(t.custom_fields, fieldLabels),
    csat: csatOf(t.satisfaction_rating?.score),
    // SLA breaches live in SLA policies / ticket metric events, not in metric sets: not loaded.
    slaBreached: null,
    reopenCount: metrics?.reopens ?? 0,
    createdAt: new Date(t.created_at).toISOString(),
    updatedAt: new Date(t.updated_at).toISOString(),
    resolvedAt: resolvedAtOf(t.status, metrics),
    closedAt: t.status === 'closed' ? isoOrNull(metrics?.status_updated_at) : null,
    supportType: t.support_type ?? null,
  };
  return { ok: true, ticket, changedAt: changedAtOf(t), erasedBySource: isScrubbed(t) };
}

/** The joined metric set, if it is this ticket's. */
function metricSetOf(t: ZendeskTicket): ZendeskMetricSet | null {
  const metrics = t.metric_set;
  if (metrics === undefined || metrics === null) return null;
  return metrics.ticket_id === undefined || metrics.ticket_id === t.id ? metrics : null;
}

/**
 * Resolved = solved or closed now: `solved_at`; a ticket closed without ever being solved (by a
 * business rule or the API) counts as resolved when it was closed, as Zendesk's resolution times do.
 * A reopened ticket that is open again is not resolved, although its metric set keeps `solved_at`.
 */
function resolvedAtOf(status: ZendeskTicket['status'], metrics: ZendeskMetricSet | null): string | null {
  if (status !== 'solved' && status !== 'closed') return null;
  return isoOrNull(metrics?.solved_at ?? (status === 'closed' ? metrics?.status_updated_at : null));
}

function isoOrNull(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : new Date(value).toISOString();
}

/**
 * The export's change time (`generated_timestamp`, what the cursor export selects and orders on).
 * A deletion moves only this, never `updated_at` (NOTES.md "Deleted and scrubbed tickets").
 */
function changedAtOf(t: ZendeskTicket): string | null {
  return t.generated_timestamp === undefined ? null : new Date(t.generated_timestamp * 1000).toISOString();
}

/**
 * Zendesk scrubs deleted tickets some days after deletion and exports them once more: subject
 * `SCRUBBED`, description `X`, tags and field values emptied (NOTES.md). The source has erased the
 * ticket's personal data; we erase our copy too.
 */
export const SCRUBBED_SUBJECT = 'SCRUBBED';

function isScrubbed(t: ZendeskTicket): boolean {
  return t.status === 'deleted' && t.subject === SCRUBBED_SUBJECT;
}

type CustomValue = CanonicalTicket['customFields'][string];

function customFieldsOf(fields: ZendeskTicket['custom_fields'], labels: FieldLabels): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = {};
  for (const { id, value } of fields) {
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    const key = String(id);
    const info = labels.get(key);
    if (info === undefined || info.options.size === 0) {
      out[key] = value;
      continue;
    }
    // Dropdown / multiselect: label under the id, the raw option value(s) beside it.
    out[key] = Array.isArray(value) ? value.map((v) => info.options.get(v) ?? v) : typeof value === 'string' ? (info.options.get(value) ?? value) : value;
    out[`${key}:value`] = value;
  }
  return out;
}

/** Zendesk scores: offered | unoffered | good | bad (and *_with_comment variants in CSAT v2). */
function csatOf(score: string | null | undefined): 'good' | 'bad' | null {
  if (score === undefined || score === null) return null;
  if (score.startsWith('good')) return 'good';
  if (score.startsWith('bad')) return 'bad';
  return null;
}

function idOrNull(id: number | null | undefined): string | null {
  return id === null || id === undefined ? null : String(id);
}

function nativeIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  const { id } = raw;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  return null;
}

/** `created_at: Invalid ISO datetime` (+ how many more problems). */
export function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (first === undefined) return 'invalid record';
  const path = first.path.length === 0 ? '(record)' : first.path.map(String).join('.');
  return `${path}: ${first.message}${rest.length > 0 ? ` (+${rest.length} more)` : ''}`;
}
