import type { ConnectorModule } from '../../src/connector-kit/connector-module.ts';
import { declaredModule } from '../../src/connector-kit/declared-session.ts';
import { servicenowSession } from './session.ts';

export { servicenowDefinition } from './declaration.ts';
export { normaliseIncident } from './normalise.ts';

/** ServiceNow ITSM: the incident table by keyset on (sys_updated_on, sys_id); Basic or OAuth grants (NOTES.md). */
export const servicenowConnector: ConnectorModule = declaredModule(servicenowSession, 1);
