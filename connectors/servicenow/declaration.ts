import type { ConnectorDefinition, Paginator, ResponseRule } from '../../src/connector-kit/declaration.ts';
import { normaliseIncident } from './normalise.ts';
import { glideTime, glideTimeMs, type IncidentRow, incidentRowSchema } from './raw-schemas.ts';
import { type ServiceNowSettings, secretNamesFor, servicenowAuth, servicenowSettingsSchema } from './settings.ts';

/**
 * ServiceNow's incident table as data (README "Adding a connector"), on the Table API v2 (v1 answers
 * 404 for an empty result) — keyset paging on (`sys_updated_on`, `sys_id`), never an offset: rows
 * changing while a run pages would shift under it, and `sysparm_limit` applies before ACLs, so a
 * short page is not the end — only an empty one is.
 * https://www.servicenow.com/docs/bundle/latest/page/integrate/inbound-rest/concept/c_TableAPI.html
 */
export const INCIDENT_PATH = '/api/now/v2/table/incident';
export const PAGE_SIZE = 1000;

/**
 * Each run reads up to now less this: rows are `sys_updated_on`-stamped to the second when their
 * transaction starts, and may commit later. A finished run's next one starts this far before the
 * newest change it saw, so rows written late into that second are read (upserts make re-reads free).
 */
export const SAFETY_MS = 120_000;

export const INCIDENT_FIELDS = [
  'sys_id', 'number', 'short_description', 'state', 'priority', 'contact_type', 'category', 'subcategory', 'assignment_group', 'business_service',
  'cmdb_ci', 'company', 'caller_id', 'sys_class_name', 'made_sla', 'reopen_count', 'sys_created_on', 'sys_updated_on', 'resolved_at', 'closed_at',
] as const;

export const INCIDENT_PAGINATOR = { type: 'keyset', keys: ['sys_updated_on', 'sys_id'], pageSize: PAGE_SIZE } as const satisfies Paginator;

const ORDER = '^ORDERBYsys_updated_on^ORDERBYsys_id';

/** The first page from a time: changed at or after it and before the run's upper bound. */
export function fromTimeQuery(sinceMs: number, nowMs: number): string {
  return `sys_updated_on>=${glideTime(sinceMs)}^sys_updated_on<${glideTime(nowMs - SAFETY_MS)}${ORDER}`;
}

/** The page after the row (ts, id): later seconds before the upper bound, or the same second after the id. */
export function afterRowQuery(ts: string, id: string, nowMs: number): string {
  return `sys_updated_on>${ts}^sys_updated_on<${glideTime(nowMs - SAFETY_MS)}^NQsys_updated_on=${ts}^sys_id>${id}${ORDER}`;
}

export const TIME_CHECKPOINT = 'sys_updated_on>=';

/** `{credentialHint}` is filled per connector (settings.ts). */
export const servicenowRules: readonly ResponseRule[] = [
  { match: { status: [401] }, action: 'fail', failure: 'config', code: 'AUTH_REJECTED', message: 'ServiceNow rejected the credentials for connector "{connector}" ({status}). {credentialHint}' },
  {
    match: { status: [403] }, action: 'fail', failure: 'config', code: 'FORBIDDEN',
    message: 'ServiceNow denied connector "{connector}" read access ({status}): give the integration user read ACLs on the incident table (the itil or snc_read_only role)',
  },
  {
    match: { status: [404] }, action: 'fail', failure: 'config', code: 'NOT_FOUND',
    message: 'ServiceNow answered 404 for connector "{connector}": check baseUrl — the instance root such as https://acme.service-now.com, without /api/now',
  },
];

export interface ServiceNowLookups { baseUrl: string }

export const servicenowDefinition: ConnectorDefinition<typeof servicenowSettingsSchema, IncidentRow, ServiceNowLookups> = {
  system: 'servicenow',
  name: 'ServiceNow',
  config: servicenowSettingsSchema,
  secrets: (settings: ServiceNowSettings) => secretNamesFor(settings),
  auth: servicenowAuth,
  rules: servicenowRules,
  streams: {
    tickets: {
      path: INCIDENT_PATH,
      recordsPath: 'result',
      params: {
        sysparm_fields: INCIDENT_FIELDS.join(','),
        sysparm_limit: String(PAGE_SIZE),
        sysparm_exclude_reference_link: 'true',
        sysparm_display_value: 'false',
        sysparm_no_count: 'true',
      },
      raw: incidentRowSchema,
      paginator: INCIDENT_PAGINATOR,
      bookmarkRequest: ([ts, id], nowMs) => ({ sysparm_query: afterRowQuery(ts ?? '', id ?? '', nowMs) }),
      incremental: {
        changedAtMs: (record) => glideTimeMs((record as { sys_updated_on?: unknown } | null)?.sys_updated_on as string | undefined),
        toRequest: (sinceMs, nowMs) => ({ sysparm_query: fromTimeQuery(sinceMs, nowMs) }),
        minAgeMs: SAFETY_MS,
        lookbackMs: SAFETY_MS,
        timeCheckpoint: (ms) => `${TIME_CHECKPOINT}${glideTime(Math.max(0, ms))}`,
        timeOf: (checkpoint) => (checkpoint.startsWith(TIME_CHECKPOINT) ? glideTimeMs(checkpoint.slice(TIME_CHECKPOINT.length)) : null),
      },
      normalise: (raw, lookups) => normaliseIncident(raw, lookups.baseUrl),
    },
  },
};
