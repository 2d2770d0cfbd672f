import { z } from 'zod';

/**
 * A Table API row as asked for (declaration.ts `sysparm_fields`, `sysparm_exclude_reference_link=true`,
 * `sysparm_display_value=false`): every value a string — numbers, booleans and references (sys_ids)
 * included — and date-times `YYYY-MM-DD HH:mm:ss` in UTC. A field the user's ACLs hide is absent.
 * https://www.servicenow.com/docs/bundle/latest/page/integrate/inbound-rest/concept/c_TableAPI.html
 */
const text = z.string().optional();

export const incidentRowSchema = z.looseObject({
  sys_id: z.string().regex(/^[0-9a-f]{32}$/, 'is not a sys_id'),
  number: text,
  short_description: text,
  state: text,
  priority: text,
  contact_type: text,
  category: text,
  subcategory: text,
  assignment_group: text,
  business_service: text,
  cmdb_ci: text,
  company: text,
  caller_id: text,
  sys_class_name: text,
  made_sla: text,
  reopen_count: text,
  sys_created_on: z.string(),
  sys_updated_on: z.string(),
  resolved_at: text,
  closed_at: text,
});
export type IncidentRow = z.infer<typeof incidentRowSchema>;

/** ServiceNow's date-time (`2015-11-01 22:37:27`, UTC) as epoch ms, null when it is not one. */
export function glideTimeMs(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const match = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(value);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
  return Number.isNaN(ms) ? null : ms;
}

/** Epoch ms as ServiceNow's date-time, UTC, to the second (floored). */
export function glideTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('T', ' ').slice(0, 19);
}
