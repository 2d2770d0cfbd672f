import { canonicalJson, hashDefinition, sha256Hex } from '../domain/driver/index.ts';
import type { SourceSystem } from '../domain/sync/source-system.ts';
import type { FunctionArea } from '../domain/driver/index.ts';
import type { ConnectorConfig } from './config-schema.ts';
import type { FrontlineConfig } from './load-config.ts';
import type { DriverRouteConfig, PersonConfig, ReleaseConfig, ReportingCadence, RoutingConfig } from './routing-schema.ts';
import type { DriverDetectionOverrides } from '../domain/detect/detector-settings.ts';

/**
 * `connectors.settings` (JSON) holds the connector's own settings object, flat, so its schema parses
 * the column as is (connector schemas strip unknown keys), plus `backfillSince` (ISO instant) when
 * set and `secretSources` (secret name → the environment variable config reads it from) — the pull
 * stage reads both from there: a rejected credential's message names the variable to check.
 */
export type StoredConnectorSettings = Record<string, unknown>;

/** The columns of a `connectors` row that config controls. */
export interface ConnectorRowData {
  key: string;
  system: SourceSystem;
  name: string;
  enabled: boolean;
  baseUrl: string;
  allowInsecureBaseUrl: boolean;
  syncEverySeconds: number;
  settings: StoredConnectorSettings;
}

export function connectorRowData(c: ConnectorConfig): ConnectorRowData {
  return {
    key: c.key,
    system: c.system,
    name: c.name,
    enabled: c.enabled,
    baseUrl: c.baseUrl,
    allowInsecureBaseUrl: c.allowInsecureBaseUrl,
    syncEverySeconds: c.syncEverySeconds,
    settings: storedSettings(c.settings, c.backfillSince, c.secrets),
  };
}

const compared = ['name', 'enabled', 'baseUrl', 'allowInsecureBaseUrl', 'syncEverySeconds', 'settings'] as const;
type Compared = (typeof compared)[number];

/** Which config-controlled columns differ (JSON compared canonically: jsonb reorders keys). */
export function connectorChanges(existing: Record<Compared, unknown>, desired: ConnectorRowData): Compared[] {
  return compared.filter((field) => canonicalJson(existing[field]) !== canonicalJson(desired[field]));
}

/** Hash of everything config controls (not secret values, not where it was read from). */
export function configContentHash(config: FrontlineConfig): string {
  return sha256Hex(canonicalJson({
    organization: config.organization,
    connectors: config.connectors.map(connectorRowData),
    secretRefs: config.connectors.map((c) => ({ key: c.key, secrets: c.secrets })),
    taxonomy: hashDefinition(config.taxonomy),
    people: config.people.map(personRowData),
    routing: storedRouting(config.routing),
    routes: config.routing.drivers.map(driverRouteRowData),
    releases: config.releases.map(releaseRowData),
    governance: config.governance,
    kpis: config.kpis,
  }));
}

/** `organizations.reporting_cadence` (jsonb): `{ weekday, time, name }`, or null. */
export type StoredReportingCadence = ReportingCadence;

/** `organizations.routing` (jsonb): always written, with the defaults when config has no routing. */
export interface StoredRouting {
  ackWithinSeconds: number;
  repeatEverySeconds: number;
  releaseWindowSeconds: number;
  defaultOwner: string | null;
  defaultFunctions: FunctionArea[];
}

export function storedReportingCadence(cadence: ReportingCadence | null): StoredReportingCadence | null {
  return cadence === null ? null : { weekday: cadence.weekday, time: cadence.time, name: cadence.name };
}

export function storedRouting(routing: RoutingConfig): StoredRouting {
  return {
    ackWithinSeconds: routing.ackWithinSeconds,
    repeatEverySeconds: routing.repeatEverySeconds,
    releaseWindowSeconds: routing.releaseWindowSeconds,
    defaultOwner: routing.default?.owner ?? null,
    defaultFunctions: [...(routing.default?.functions ?? [])],
  };
}

/** The columns of a `people` row that config controls (`function` is the first of `functions`). */
export interface PersonRowData {
  email: string;
  name: string;
  function: FunctionArea | null;
  functions: FunctionArea[];
  escalateTo: string | null;
}

export function personRowData(p: PersonConfig): PersonRowData {
  return { email: p.email, name: p.name, function: p.functions[0] ?? null, functions: [...p.functions], escalateTo: p.escalateTo };
}

/** A `driver_routes` row (without the organization). */
export interface DriverRouteRowData {
  driverPrefix: string;
  ownerEmail: string;
  functions: FunctionArea[];
  measures: string[];
  kpis: string[];
  detection: DriverDetectionOverrides;
}

export function driverRouteRowData(r: DriverRouteConfig): DriverRouteRowData {
  return { driverPrefix: r.driver, ownerEmail: r.owner, functions: [...r.functions], measures: [...r.measures], kpis: [...r.kpis], detection: { ...r.detection } };
}

/** The columns of a `releases` row that config controls; `releasedAt` as an ISO instant. */
export interface ReleaseRowData {
  key: string;
  name: string;
  releasedAt: string;
  products: string[];
  source: 'config';
}

export function releaseRowData(r: ReleaseConfig): ReleaseRowData {
  return { key: r.key, name: r.name, releasedAt: r.at, products: [...r.products], source: 'config' };
}

/** Which of `fields` differ between a stored row and the desired one (canonical JSON: dates as ISO, jsonb key order ignored). */
export function rowChanges<T extends object, K extends keyof T & string>(existing: Record<K, unknown>, desired: T, fields: readonly K[]): K[] {
  const norm = (value: unknown) => canonicalJson(value instanceof Date ? value.toISOString() : (value ?? null));
  return fields.filter((field) => norm(existing[field]) !== norm(desired[field]));
}

function storedSettings(settings: unknown, backfillSince: string | null, secrets: ConnectorConfig['secrets']): StoredConnectorSettings {
  // A JSON round trip: what PostgreSQL hands back (no undefined members, no class instances).
  const json: unknown = JSON.parse(JSON.stringify(settings ?? {}));
  const base: StoredConnectorSettings = json !== null && typeof json === 'object' && !Array.isArray(json) ? { ...json } : {};
  const sources = Object.fromEntries(Object.entries(secrets).map(([name, ref]) => [name, ref.env]));
  return {
    ...base,
    ...(backfillSince === null ? {} : { backfillSince }),
    ...(Object.keys(sources).length === 0 ? {} : { secretSources: sources }),
  };
}

/** Where each secret of a stored connector comes from (`{ token: 'ZENDESK_API_TOKEN' }`), for messages. */
export function storedSecretSources(settings: unknown): Record<string, string> {
  if (typeof settings !== 'object' || settings === null || !('secretSources' in settings)) return {};
  const sources = settings.secretSources;
  if (typeof sources !== 'object' || sources === null) return {};
  return Object.fromEntries(Object.entries(sources).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
