import type { ConnectorModule } from '../src/connector-kit/connector-module.ts';
import { servicenowConnector } from './servicenow/index.ts';
import { zendeskConnector } from './zendesk/index.ts';

/**
 * Every service desk this build can pull from, by `system`. Adding a connector = a folder under
 * connectors/ plus one line here (README "How to add a connector").
 */
export const connectorModules: Partial<Record<ConnectorModule['system'], ConnectorModule>> = {
  zendesk: zendeskConnector,
  servicenow: servicenowConnector,
};

/** The settings schemas config validation checks each connector's `settings` against. */
export const connectorSettingsSchemas = Object.fromEntries(
  Object.entries(connectorModules).map(([system, module]) => [system, module.settingsSchema]),
);
