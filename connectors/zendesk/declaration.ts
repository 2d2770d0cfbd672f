import type { ConnectorDefinition, Paginator, ResponseRule } from '../../src/connector-kit/declaration.ts';
import { type FieldLabels } from './field-labels.ts';
import { normaliseZendeskTicket } from './normalise.ts';
import { changeTimeSchema, type ZendeskTicket, zendeskTicketSchema } from './raw-schemas.ts';
import { type ZendeskSettings, secretNamesFor, zendeskAuth, zendeskSettingsSchema } from './settings.ts';

/**
 * Zendesk Support as data (README "Adding a connector"). The code in session.ts only adds what the
 * declaration cannot say: node-zendesk's transport and the ticket_fields look-up.
 */
export const API_PREFIX = '/api/v2';
export const EXPORT_PATH = `${API_PREFIX}/incremental/tickets/cursor.json`;
export const TICKET_FIELDS_PATH = `${API_PREFIX}/ticket_fields.json`;
export const USERS_ME_PATH = `${API_PREFIX}/users/me.json`;
/**
 * Side-loads asked of every export request: ticket metrics (resolution, close time, reopens), one
 * `metric_sets` array beside `tickets`.
 * https://developer.zendesk.com/documentation/ticketing/using-the-zendesk-api/side_loading/
 */
export const EXPORT_INCLUDE = 'metric_sets';

/**
 * Items changed in the last minute are not served: start_time must be ≥ 60 s in the past (one extra
 * second for clock skew).
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#start_time
 */
export const EXPORT_MIN_AGE_MS = 61_000;

/**
 * Ticket fields are cursor-paged by `meta.has_more` + `meta.after_cursor` (Zendesk still sets a cursor
 * and `links.next` on the last page, so `has_more` decides).
 * https://developer.zendesk.com/api-reference/introduction/pagination/#using-cursor-pagination
 */
export const TICKET_FIELDS_PAGINATOR = {
  type: 'cursor', cursorPath: 'meta.after_cursor', cursorParam: 'page[after]', morePath: 'meta.has_more', pageSize: 100, pageSizeParam: 'page[size]',
} as const satisfies Paginator;

/** The export: `after_cursor` until `end_of_stream`; a later request carries only `cursor`. */
export const EXPORT_PAGINATOR = {
  type: 'cursor', cursorPath: 'after_cursor', cursorParam: 'cursor', donePath: 'end_of_stream', pageSize: 1000, pageSizeParam: 'per_page',
} as const satisfies Paginator;

/** `{credentialHint}` is filled per connector (settings.ts): which setting and which env var to check. */
export const zendeskRules: readonly ResponseRule[] = [
  {
    match: { status: [401] },
    action: 'fail',
    failure: 'config',
    code: 'AUTH_REJECTED',
    message: 'Zendesk rejected the credentials for connector "{connector}" ({status}). {credentialHint}',
  },
  // An OAuth token without the scope: {"error":"Forbidden","description":"You are missing the following required scopes: read"}.
  {
    match: { status: [403], bodyIncludes: 'required scopes' },
    action: 'fail',
    failure: 'config',
    code: 'OAUTH_SCOPE_MISSING',
    message: 'Zendesk refused the OAuth token of connector "{connector}" ({status}): it lacks the read scope — authorise the connector again with the read scope',
  },
  // A user without admin rights: {"error":{"title":"Forbidden","message":"You do not have access to this page. …"}}
  // (the export is admin-only: https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/).
  {
    match: { status: [403] },
    action: 'fail',
    failure: 'config',
    code: 'FORBIDDEN',
    message:
      'Zendesk denied access for connector "{connector}" ({status}): the user behind the credentials has no admin rights, and the incremental export and ticket fields are admin-only — give that user the admin role in Zendesk (Admin Center → Team members), or configure the credentials of an admin',
  },
  {
    match: { status: [404] },
    action: 'fail',
    failure: 'config',
    code: 'NOT_FOUND',
    message: 'Zendesk answered 404 for connector "{connector}": check baseUrl — the account root such as https://acme.zendesk.com, without /api/v2',
  },
  // "Too recent start_time": time fixes it, so wait and ask again.
  { match: { status: [422], bodyIncludes: 'start_time' }, action: 'retry', failure: 'system', code: 'START_TIME_TOO_RECENT' },
];

export function exportStartTime(sinceMs: number, nowMs: number): number {
  return Math.max(0, Math.floor(Math.min(sinceMs, nowMs - EXPORT_MIN_AGE_MS) / 1000));
}

/** Change time for the high-water mark: generated_timestamp (what the export selects on), else updated_at. */
export function changedAtMs(record: unknown): number | null {
  const parsed = changeTimeSchema.safeParse(record);
  if (!parsed.success) return null;
  const raw = parsed.data;
  if (raw.generated_timestamp !== undefined) return raw.generated_timestamp * 1000;
  const at = raw.updated_at === undefined ? Number.NaN : Date.parse(raw.updated_at);
  return Number.isNaN(at) ? null : at;
}

/**
 * A first request that finds nothing has no cursor to resume from: its start time is the checkpoint
 * (`start_time:<unix>`) until a cursor exists, so the next run does not start over.
 */
export const START_TIME_CHECKPOINT = 'start_time:';

export function startTimeOf(checkpoint: string): number | null {
  if (!checkpoint.startsWith(START_TIME_CHECKPOINT)) return null;
  const seconds = Number(checkpoint.slice(START_TIME_CHECKPOINT.length));
  return Number.isSafeInteger(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

export interface ZendeskLookups { fieldLabels: FieldLabels; baseUrl: string }

export const zendeskDefinition: ConnectorDefinition<typeof zendeskSettingsSchema, ZendeskTicket, ZendeskLookups> = {
  system: 'zendesk',
  name: 'Zendesk',
  config: zendeskSettingsSchema,
  secrets: (settings: ZendeskSettings) => secretNamesFor(settings),
  auth: zendeskAuth,
  rules: zendeskRules,
  streams: {
    tickets: {
      path: EXPORT_PATH,
      recordsPath: 'tickets',
      // Every request asks for all support types (the default, `agent`, leaves out tickets handled by
      // Zendesk AI agents) and side-loads the ticket metrics.
      params: { support_type_scope: 'all', include: EXPORT_INCLUDE },
      raw: zendeskTicketSchema,
      paginator: EXPORT_PAGINATOR,
      incremental: {
        changedAtMs,
        toRequest: (sinceMs, nowMs) => ({ start_time: String(exportStartTime(sinceMs, nowMs)) }),
        minAgeMs: EXPORT_MIN_AGE_MS,
        lookbackMs: 0,
        timeCheckpoint: (sinceMs) => `${START_TIME_CHECKPOINT}${Math.max(0, Math.floor(sinceMs / 1000))}`,
        timeOf: startTimeOf,
      },
      normalise: (raw, lookups) => normaliseZendeskTicket(raw, lookups.fieldLabels, lookups.baseUrl),
    },
  },
};
