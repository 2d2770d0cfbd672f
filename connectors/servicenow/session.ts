import type { DeclaredConnector } from '../../src/connector-kit/declared-session.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';
import { INCIDENT_FIELDS, INCIDENT_PATH, servicenowDefinition, type ServiceNowLookups } from './declaration.ts';
import type { IncidentRow } from './raw-schemas.ts';
import { credentialHint, userOf } from './settings.ts';

/** ServiceNow's session: the kit's declared session over servicenowDefinition, with its check. */
export const servicenowSession: DeclaredConnector<typeof servicenowDefinition.config, IncidentRow, ServiceNowLookups> = {
  definition: servicenowDefinition,
  noLookups: ({ http }) => ({ baseUrl: http.baseUrl }),
  prepare: async ({ http }) => ({ baseUrl: http.baseUrl }),
  messageVars: (settings, ctx) => ({ credentialHint: credentialHint(settings, ctx.secretSources) }),
  async check({ http, settings, ctx }) {
    // One row with every field the connector reads: proves the credentials and the read ACL on the
    // table, and shows which fields the user's ACLs hide (a hidden field is absent from the row).
    const res = await http.request({ url: INCIDENT_PATH, params: { ...servicenowDefinition.streams.tickets.params, sysparm_limit: '1' } });
    const rows = (res.data as { result?: unknown } | null)?.result;
    const first: unknown = Array.isArray(rows) ? rows[0] : undefined;
    const who = `authenticated as ServiceNow ${userOf(settings)}`;
    if (first === undefined || first === null || typeof first !== 'object') {
      return { ok: true, detail: `${who}; no incident is visible to the user — if the instance has incidents, give it read ACLs on the incident table` };
    }
    const hidden = INCIDENT_FIELDS.filter((f) => !(f in first));
    const paging = hidden.filter((f) => f === 'sys_id' || f === 'sys_updated_on');
    if (paging.length > 0) {
      throw new ConnectorError(`Connector "${ctx.key}": the ServiceNow ${userOf(settings)} cannot read ${paging.join(' and ')} of incidents, which paging needs — grant read ACLs on those fields`, {
        failure: 'config', code: 'FIELDS_HIDDEN', connector: ctx.key,
      });
    }
    return { ok: true, detail: hidden.length === 0 ? `${who}; incident table and every field read` : `${who}; incident table readable, but its ACLs hide ${hidden.join(', ')} (tickets will lack them)` };
  },
};
