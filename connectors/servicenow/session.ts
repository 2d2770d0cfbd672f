import type { DeclaredConnector } from '../../src/connector-kit/declared-session.ts';
import { INCIDENT_PATH, servicenowDefinition, type ServiceNowLookups } from './declaration.ts';
import type { IncidentRow } from './raw-schemas.ts';
import { credentialHint } from './settings.ts';

/** ServiceNow's session: the kit's declared session over servicenowDefinition, with its check. */
export const servicenowSession: DeclaredConnector<typeof servicenowDefinition.config, IncidentRow, ServiceNowLookups> = {
  definition: servicenowDefinition,
  noLookups: ({ http }) => ({ baseUrl: http.baseUrl }),
  prepare: async ({ http }) => ({ baseUrl: http.baseUrl }),
  messageVars: (settings, ctx) => ({ credentialHint: credentialHint(settings, ctx.secretSources) }),
  async check({ http, settings }) {
    // One row's id: proves the credentials and the read ACL on the table the connector reads.
    const res = await http.request({ url: INCIDENT_PATH, params: { sysparm_limit: '1', sysparm_fields: 'sys_id', sysparm_no_count: 'true' } });
    const rows = (res.data as { result?: unknown } | null)?.result;
    return { ok: true, detail: `authenticated as ServiceNow user ${settings.auth.username}; incident table readable (${Array.isArray(rows) && rows.length > 0 ? 'rows visible' : 'no rows visible'})` };
  },
};
