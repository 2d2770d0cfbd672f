export {
  configContentHash,
  type ConnectorRowData,
  connectorChanges,
  connectorRowData,
  type DriverRouteRowData,
  driverRouteRowData,
  type PersonRowData,
  personRowData,
  type ReleaseRowData,
  releaseRowData,
  rowChanges,
  type StoredConnectorSettings,
  type StoredReportingCadence,
  type StoredRouting,
  storedReportingCadence,
  storedRouting,
  storedSecretSources,
} from './apply-plan.ts';
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
export { emptyGovernance, type GovernanceConfig, type MeasureConfig } from './governance-schema.ts';
export type { KpiConfig } from './kpi-schema.ts';
export { configJsonSchema, configJsonSchemaPath, configJsonSchemaText } from './json-schema.ts';
export { type FrontlineConfig, type LoadConfigOptions, type LoadResult, loadConfig } from './load-config.ts';
export {
  type DriverRouteConfig,
  type PersonConfig,
  type ReleaseConfig,
  type ReportingCadence,
  type RoutingConfig,
  routingBounds,
  type Weekday,
  weekdays,
} from './routing-schema.ts';
export { resolveAllSecrets, resolveSecrets, type ResolveSecretsResult } from './secrets.ts';
