import { z } from 'zod';

/** Canonical ticket statuses across Zendesk, ServiceNow and Jira (README "Adding a connector"). */
export const ticketStatuses = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'deleted'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof ticketPriorities)[number];

const isoInstant = z.iso.datetime({ offset: true });

/**
 * The one shape every connector's pure `normalise()` returns. Times are ISO-8601 instants (UTC),
 * `customFields` keeps source field ids as keys with option *labels* resolved where the source has
 * dropdowns, and `requesterRef` is the source's opaque requester id (never a name or e-mail: see
 * README "Personal data").
 */
export const canonicalTicketSchema = z.object({
  nativeId: z.string().min(1),
  key: z.string().nullable(),
  url: z.string().nullable(),
  subject: z.string().nullable(),
  status: z.enum(ticketStatuses),
  priority: z.enum(ticketPriorities).nullable(),
  channel: z.string().nullable(),
  type: z.string().nullable(),
  customerAccount: z.string().nullable(),
  requesterRef: z.string().nullable(),
  group: z.string().nullable(),
  product: z.string().nullable(),
  component: z.string().nullable(),
  service: z.string().nullable(),
  category: z.string().nullable(),
  subcategory: z.string().nullable(),
  tags: z.array(z.string()),
  formId: z.string().nullable(),
  customFields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
  csat: z.enum(['good', 'bad']).nullable(),
  slaBreached: z.boolean().nullable(),
  reopenCount: z.number().int().nonnegative(),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  resolvedAt: isoInstant.nullable(),
  closedAt: isoInstant.nullable(),
  /** Who handled it where the source says (Zendesk `support_type`: `agent` or `ai_agent`). */
  supportType: z.string().nullable(),
});
export type CanonicalTicket = z.infer<typeof canonicalTicketSchema>;
