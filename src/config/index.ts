export { configContentHash, type ConnectorRowData, connectorChanges, connectorRowData, type StoredConnectorSettings, storedSecretSources } from './apply-plan.ts';
export { isPrivateHost } from './base-url.ts';
export { type ConfigIssue, formatConfigIssue, formatConfigIssues } from './config-issue.ts';
export {
  type ConfigFile,
  type ConnectorConfig,
  configFileSchema,
  type OrganizationConfig,
  type SecretRef,
} from './config-schema.ts';
export type { ConnectorSpec, ConnectorSpecs } from './connector-specs.ts';
export { parseDurationSeconds } from './duration.ts';
export { configJsonSchema, configJsonSchemaPath, configJsonSchemaText } from './json-schema.ts';
export { type FrontlineConfig, type LoadConfigOptions, type LoadResult, loadConfig } from './load-config.ts';
export { resolveAllSecrets, resolveSecrets, type ResolveSecretsResult } from './secrets.ts';
