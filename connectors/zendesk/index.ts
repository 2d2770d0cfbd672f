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
  // Bump when normalise() maps differently: stored raw payloads are then re-normalised.
  normaliserVersion: 2,
  open: openZendeskSession,
};
