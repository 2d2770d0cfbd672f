import type { ConnectorModule } from '../../src/connector-kit/connector-module.ts';
import { openZendeskSession } from './session.ts';
import { secretNamesFor, zendeskSettingsSchema } from './settings.ts';

export { normaliseZendeskTicket } from './normalise.ts';
export { fieldLabelsFrom, type FieldLabels } from './field-labels.ts';
export { zendeskDefinition } from './declaration.ts';
export { zendeskSettingsSchema, type ZendeskSettings } from './settings.ts';

/** Zendesk Support: incremental cursor export of tickets, dropdown labels from ticket_fields. */
export const zendeskConnector: ConnectorModule = {
  system: 'zendesk',
  settingsSchema: zendeskSettingsSchema,
  secretNames(settings) {
    const parsed = zendeskSettingsSchema.safeParse(settings);
    return parsed.success ? secretNamesFor(parsed.data) : [];
  },
  // Bump when normalise() maps differently (recorded on every row written; NOTES.md "Normalisation decisions").
  normaliserVersion: 3,
  open: openZendeskSession,
};
