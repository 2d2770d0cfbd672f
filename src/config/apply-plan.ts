import { canonicalJson, hashDefinition, sha256Hex } from '../domain/driver/index.ts';
import type { SourceSystem } from '../domain/sync/source-system.ts';
import type { ConnectorConfig } from './config-schema.ts';
import type { FrontlineConfig } from './load-config.ts';

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
  }));
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
