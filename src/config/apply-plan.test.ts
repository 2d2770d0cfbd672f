import { describe, expect, it } from 'vitest';
import { configContentHash, connectorChanges, connectorRowData, storedSecretSources } from './apply-plan.ts';
import type { ConnectorConfig } from './config-schema.ts';
import type { FrontlineConfig } from './load-config.ts';

const connector: ConnectorConfig = {
  key: 'zendesk-main', system: 'zendesk', name: 'Z', baseUrl: 'https://acme.zendesk.com', allowInsecureBaseUrl: false, enabled: true,
  syncEverySeconds: 300, backfillSince: '2026-01-01T00:00:00.000Z', settings: { auth: { type: 'api_token', email: 'a@acme.example' }, skip: undefined },
  secrets: { token: { env: 'T' } }, origin: { file: 'a.yaml', path: 'connectors[0]' },
};
const config: FrontlineConfig = {
  organization: { key: 'acme', name: 'Acme', timeZone: 'UTC' }, connectors: [connector], taxonomy: { drivers: [], rules: [] }, sources: ['a.yaml'],
};

describe('connector row planning', () => {
  it('stores the connector settings flat, as plain JSON, with the back-fill start and where each secret comes from', () => {
    expect(connectorRowData(connector).settings).toEqual({
      auth: { type: 'api_token', email: 'a@acme.example' }, backfillSince: '2026-01-01T00:00:00.000Z', secretSources: { token: 'T' },
    });
    expect(connectorRowData({ ...connector, backfillSince: null, secrets: {} }).settings).toEqual({ auth: { type: 'api_token', email: 'a@acme.example' } });
    expect(storedSecretSources(connectorRowData(connector).settings)).toEqual({ token: 'T' });
    expect(storedSecretSources({ secretSources: 'x' })).toEqual({});
  });

  it('compares JSON canonically (jsonb reorders keys) and names changed columns', () => {
    const desired = connectorRowData(connector);
    const stored = { ...desired, settings: { secretSources: { token: 'T' }, backfillSince: '2026-01-01T00:00:00.000Z', auth: { email: 'a@acme.example', type: 'api_token' } } };
    expect(connectorChanges(stored, desired)).toEqual([]);
    expect(connectorChanges({ ...stored, name: 'Old', syncEverySeconds: 60 }, desired)).toEqual(['name', 'syncEverySeconds']);
  });

  it('hashes config content independent of where it was read from', () => {
    const moved: FrontlineConfig = { ...config, sources: ['b.yaml'], connectors: [{ ...connector, origin: { file: 'b.yaml', path: 'connectors[3]' } }] };
    expect(configContentHash(moved)).toBe(configContentHash(config));
    expect(configContentHash({ ...config, connectors: [{ ...connector, secrets: { token: { env: 'U' } } }] })).not.toBe(configContentHash(config));
  });
});
