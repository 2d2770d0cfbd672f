import { describe, expect, it } from 'vitest';
import type { ConnectorConfig } from './config-schema.ts';
import { resolveAllSecrets, resolveSecrets } from './secrets.ts';

const connector = (overrides: Partial<ConnectorConfig> = {}): ConnectorConfig => ({
  key: 'zendesk-main', system: 'zendesk', name: 'Z', baseUrl: 'https://acme.zendesk.com', allowInsecureBaseUrl: false, enabled: true,
  syncEverySeconds: 300, backfillSince: null, settings: {}, secrets: { token: { env: 'ZENDESK_API_TOKEN' } },
  origin: { file: 'frontline.yaml', path: 'connectors[0]', line: 4, column: 5 }, ...overrides,
});

describe('resolveSecrets', () => {
  it('reads every referenced variable', () => {
    expect(resolveSecrets(connector(), { ZENDESK_API_TOKEN: 'tok-123' })).toEqual({ ok: true, secrets: { token: 'tok-123' } });
  });

  it('names the missing (or empty) variable and the secret, never a value', () => {
    const result = resolveSecrets(connector({ secrets: { token: { env: 'ZENDESK_API_TOKEN' }, other: { env: 'OTHER' } } }), { ZENDESK_API_TOKEN: '', OTHER: 'value-xyz' });
    expect(result).toEqual({
      ok: false,
      issues: [{
        file: 'frontline.yaml', path: 'connectors[0].secrets.token', line: 4, column: 5,
        message: "environment variable ZENDESK_API_TOKEN is not set (secret 'token' of connector 'zendesk-main')",
        fix: 'set ZENDESK_API_TOKEN in the environment of `frontline config apply` and of the service',
      }],
    });
    expect(JSON.stringify(result)).not.toContain('value-xyz');
  });

  it('resolves all connectors, tolerating missing variables of disabled ones', () => {
    const enabled = connector();
    const disabled = connector({ key: 'old', enabled: false, secrets: { token: { env: 'OLD_TOKEN' }, kept: { env: 'KEPT' } } });
    expect(resolveAllSecrets([enabled, disabled], { ZENDESK_API_TOKEN: 't', KEPT: 'k' })).toEqual({ ok: true, secrets: { 'zendesk-main': { token: 't' }, old: { kept: 'k' } } });
    const failed = resolveAllSecrets([enabled, disabled], {});
    expect(failed.ok ? [] : failed.issues.map((i) => i.path)).toEqual(['connectors[0].secrets.token']);
  });
});
