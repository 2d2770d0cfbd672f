import { z } from 'zod';

/**
 * Zendesk payloads as they arrive: strict on what normalise relies on, loose (passthrough) on the rest.
 * https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#json-format
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based
 */
export const zendeskStatuses = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'] as const;
export const zendeskPriorities = ['low', 'normal', 'high', 'urgent'] as const;

const isoDatetime = z.iso.datetime({ offset: true });
const optionalId = z.number().int().nullable().optional();

/** A custom field value: text, number, checkbox, dropdown option value (a tag), or multiselect tags. */
export const customFieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);

/**
 * A Ticket Metric object, side-loaded by the export with `include=metric_sets` and joined onto its
 * ticket as `metric_set` (metric-sets.ts). Only what normalise reads; Zendesk sends null for what has
 * not happened yet (`solved_at` of an unsolved ticket), so those are nullable. A metric set that is
 * present but malformed fails its ticket (quarantined with the reason), never silently drops metrics.
 * https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/#json-format
 */
export const zendeskMetricSetSchema = z.object({
  ticket_id: z.number().int().optional(),
  /** When the ticket was solved (null: never). */
  solved_at: isoDatetime.nullable().optional(),
  /** When the status last changed: for a closed ticket, when it was closed. */
  status_updated_at: isoDatetime.nullable().optional(),
  reopens: z.number().int().nonnegative().nullable().optional(),
});
export type ZendeskMetricSet = z.infer<typeof zendeskMetricSetSchema>;

/** What the page-level join needs of a side-loaded metric set; the rest stays as received. */
export const metricSetKeySchema = z.object({
  ticket_id: z.number().int().positive(),
  updated_at: z.string().optional(),
});

// z.object (strip), not looseObject: normalise reads only these fields and the raw payload is kept
// as received, so copying the ~40 other keys of every ticket would be pure cost (measured: bench/).
export const zendeskTicketSchema = z.object({
  id: z.number().int().positive(),
  created_at: isoDatetime,
  updated_at: isoDatetime,
  status: z.enum(zendeskStatuses),
  priority: z.enum(zendeskPriorities).nullable().optional(),
  tags: z.array(z.string()),
  custom_fields: z.array(z.object({ id: z.number().int(), value: customFieldValueSchema })),
  // Channels are strings today ("web", "email", "api"); very old exports carry numeric channel ids.
  via: z.object({ channel: z.union([z.string(), z.number()]) }),
  /** Export-only: when the record was generated (selection is on this, not updated_at). Missing from node-zendesk's type. */
  generated_timestamp: z.number().int().nonnegative().optional(),
  subject: z.string().nullable().optional(),
  type: z.string().nullable().optional(),
  requester_id: optionalId,
  organization_id: optionalId,
  group_id: optionalId,
  ticket_form_id: optionalId,
  brand_id: optionalId,
  satisfaction_rating: z.object({ score: z.string().nullable().optional() }).nullable().optional(),
  /** `agent` or `ai_agent` (tickets handled by Zendesk AI agents); exported only with `support_type_scope=all`. */
  support_type: z.string().nullable().optional(),
  /** Not Zendesk's: the side-loaded metric set the connector joined onto the ticket (metric-sets.ts). */
  metric_set: zendeskMetricSetSchema.nullable().optional(),
});
export type ZendeskTicket = z.infer<typeof zendeskTicketSchema>;

/**
 * One page of the cursor export; tickets stay raw here — each is validated (or quarantined) by
 * normalise. `metric_sets` only with `include=metric_sets`.
 */
export const exportPageSchema = z.looseObject({
  tickets: z.array(z.unknown()),
  metric_sets: z.array(z.unknown()).optional(),
  after_cursor: z.string().nullable(),
  after_url: z.string().nullable().optional(),
  before_cursor: z.string().nullable().optional(),
  before_url: z.string().nullable().optional(),
  end_of_stream: z.boolean(),
});
export type ExportPage = z.infer<typeof exportPageSchema>;

/** Only what the high-water mark needs, read leniently from records that may later be quarantined. */
export const changeTimeSchema = z.object({
  generated_timestamp: z.number().optional(),
  updated_at: z.string().optional(),
});

export const ticketFieldSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  title: z.string(),
  active: z.boolean().optional(),
  custom_field_options: z
    .array(z.looseObject({ id: z.number().int().optional(), name: z.string(), value: z.string() }))
    .nullable()
    .optional(),
});
export type ZendeskTicketField = z.infer<typeof ticketFieldSchema>;

/**
 * `GET /api/v2/ticket_fields` — cursor pagination (`meta.has_more`, `meta.after_cursor`) when asked with
 * `page[size]`, offset pagination (`next_page`) otherwise.
 * https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/#list-ticket-fields
 */
export const ticketFieldsPageSchema = z.looseObject({
  ticket_fields: z.array(ticketFieldSchema),
  meta: z.looseObject({ has_more: z.boolean(), after_cursor: z.string().nullable().optional() }).optional(),
  links: z.looseObject({ next: z.string().nullable().optional() }).optional(),
  next_page: z.string().nullable().optional(),
});

/** `GET /api/v2/users/me` https://developer.zendesk.com/api-reference/ticketing/users/users/#show-the-currently-authenticated-user */
export const currentUserSchema = z.looseObject({
  id: z.number().int().nullable(),
  role: z.string().optional(),
});
