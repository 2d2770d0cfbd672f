import { describe, expect, it } from 'vitest';
import { configContentHash, connectorChanges, connectorRowData, personRowData, releaseRowData, rowChanges, storedReportingCadence, storedRouting, storedSecretSources } from './apply-plan.ts';
import type { ConnectorConfig } from './config-schema.ts';
import type { FrontlineConfig } from './load-config.ts';
import { emptyGovernance } from './governance-schema.ts';

const connector: ConnectorConfig = {
  key: 'zendesk-main', system: 'zendesk', name: 'Z', baseUrl: 'https://acme.zendesk.com', allowInsecureBaseUrl: false, enabled: true,
  syncEverySeconds: 300, backfillSince: '2026-01-01T00:00:00.000Z', settings: { auth: { type: 'api_token', email: 'a@acme.example' }, skip: undefined },
  secrets: { token: { env: 'T' } }, origin: { file: 'a.yaml', path: 'connectors[0]' },
};
const config: FrontlineConfig = {
  organization: { key: 'acme', name: 'Acme', timeZone: 'UTC', reportingCadence: null }, connectors: [connector], taxonomy: { drivers: [], rules: [] },
  people: [], routing: { ackWithinSeconds: 14_400, repeatEverySeconds: 86_400, releaseWindowSeconds: 259_200, default: null, drivers: [] }, releases: [], governance: emptyGovernance(), kpis: [],
  sources: ['a.yaml'],
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

describe('routing row planning', () => {
  it('stores routing with defaults and the fallback route, and the cadence or null', () => {
    expect(storedRouting(config.routing)).toEqual({ ackWithinSeconds: 14_400, repeatEverySeconds: 86_400, releaseWindowSeconds: 259_200, defaultOwner: null, defaultFunctions: [] });
    expect(storedRouting({ ...config.routing, default: { owner: 'ops@acme.example', functions: ['operations'] } })).toMatchObject({ defaultOwner: 'ops@acme.example', defaultFunctions: ['operations'] });
    expect(storedReportingCadence(null)).toBeNull();
    expect(storedReportingCadence({ weekday: 'monday', time: '09:00', name: 'Weekly steering' })).toEqual({ weekday: 'monday', time: '09:00', name: 'Weekly steering' });
  });

  it("sets a person's single function to the first of their functions", () => {
    expect(personRowData({ email: 'ana@acme.example', name: 'Ana', functions: ['product', 'engineering'], escalateTo: null }).function).toBe('product');
    expect(personRowData({ email: 'ana@acme.example', name: 'Ana', functions: [], escalateTo: null }).function).toBeNull();
  });

  it('compares stored rows with dates as instants and JSON canonically', () => {
    const desired = releaseRowData({ key: '4.2', name: 'Release 4.2', at: '2026-02-24T10:00:00.000Z', products: ['identity'] });
    const stored = { ...desired, releasedAt: new Date('2026-02-24T10:00:00Z') };
    expect(rowChanges(stored, desired, ['name', 'releasedAt', 'products', 'source'])).toEqual([]);
    expect(rowChanges({ ...stored, releasedAt: new Date('2026-02-24T11:00:00Z'), source: 'jira' }, desired, ['name', 'releasedAt', 'products', 'source'])).toEqual(['releasedAt', 'source']);
    expect(rowChanges({ routing: null }, { routing: { a: 1 } }, ['routing'])).toEqual(['routing']);
    expect(rowChanges({ routing: { b: [1], a: 1 } }, { routing: { a: 1, b: [1] } }, ['routing'])).toEqual([]);
  });

  it('changes the content hash with people, routes and releases', () => {
    const person = { email: 'ana@acme.example', name: 'Ana', functions: ['engineering' as const], escalateTo: null };
    expect(configContentHash({ ...config, people: [person] })).not.toBe(configContentHash(config));
    expect(configContentHash({ ...config, releases: [{ key: '4.2', name: 'R', at: '2026-02-24T10:00:00.000Z', products: [] }] })).not.toBe(configContentHash(config));
  });
});
