import type { ConnectorModule } from '../../src/connector-kit/connector-module.ts';
import { declaredModule } from '../../src/connector-kit/declared-session.ts';
import { zendeskSession } from './session.ts';

export { normaliseZendeskTicket } from './normalise.ts';
export { fieldLabelsFrom, type FieldLabels } from './field-labels.ts';
export { zendeskDefinition } from './declaration.ts';
export { zendeskSettingsSchema, type ZendeskSettings } from './settings.ts';

/**
 * Zendesk Support: incremental cursor export of tickets, dropdown labels from ticket_fields. The
 * normaliser version is bumped when normalise() maps differently (recorded on every row written;
 * NOTES.md "Normalisation decisions").
 */
export const zendeskConnector: ConnectorModule = declaredModule(zendeskSession, 3);
