import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/domain/driver/index.ts';
import { testTicket } from '../../src/domain/driver/test-tickets.ts';
import { type FrontlineConfig, formatConfigIssues, loadConfig } from '../../src/config/index.ts';
import { applyConfig, type ApplyOptions, loadActiveTaxonomy, loadConnectorSecrets, saveConnectorSecrets } from '../../src/store/config-repository.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const secretBox = createSecretBox(`t1:${Buffer.alloc(32, 9).toString('base64')}`);

function yaml(org: string, options: { connectors?: string[]; rule?: string } = {}): string {
  const connectors = (options.connectors ?? ['zendesk-main']).map((key) => `  - key: ${key}
    system: zendesk
    name: ${key}
    baseUrl: https://${key}.zendesk.com
    syncEvery: 5m
    backfillSince: 2026-01-01
    settings: { auth: { type: api_token, email: ops@acme.example } }
    secrets: { token: { env: TOKEN } }`).join('\n');
  return `organization: { key: ${org}, name: ${org} Corp, timeZone: Europe/Berlin }
connectors:
${connectors}
drivers:
  - { key: configuration/sso, name: SSO configuration, owningFunction: engineering, owners: [team-identity] }
  - { key: billing/refund, name: Refunds, owningFunction: finance }
rules:
  - { key: sso-dropdown, driver: configuration/sso, when: { field: { id: "360000001001", equals: cr_sso } } }
  - ${options.rule ?? '{ key: refund-tag, driver: billing/refund, when: { tag: refund } }'}
`;
}

async function config(text: string): Promise<FrontlineConfig> {
  const result = await loadConfig(['frontline.yaml'], {}, { read: async () => text });
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

const options = (token = 'zendesk-token-1', overrides: Partial<ApplyOptions> = {}): ApplyOptions => ({
  secrets: { 'zendesk-main': { token }, 'zendesk-eu': { token: 'eu-token' } },
  secretBox, actor: 'test', source: ['frontline.yaml'], ...overrides,
});

describe('applyConfig', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const auditCount = async (organizationId: string) => db.prisma.auditLog.count({ where: { organizationId } });

  it('creates the organization, connector, encrypted secrets, taxonomy v1, audit rows and an apply record', async () => {
    const result = await applyConfig(db.prisma, await config(yaml('acme')), options());
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    const { summary } = result;
    expect(summary).toMatchObject({
      organization: 'created', connectors: { created: ['zendesk-main'], updated: [], disabled: [], unchanged: [] },
      secrets: { written: ['zendesk-main/token'], removed: [] }, taxonomy: { version: 1, changed: true }, auditEntries: 4, dryRun: false,
    });
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    expect(org).toMatchObject({ id: summary.organizationId, name: 'acme Corp', timeZone: 'Europe/Berlin' });
    const connector = await db.prisma.connector.findUniqueOrThrow({ where: { organizationId_key: { organizationId: org.id, key: 'zendesk-main' } } });
    expect(connector).toMatchObject({
      system: 'zendesk', enabled: true, baseUrl: 'https://zendesk-main.zendesk.com', allowInsecureBaseUrl: false, syncEverySeconds: 300,
      settings: { auth: { type: 'api_token', email: 'ops@acme.example' }, backfillSince: '2026-01-01T00:00:00.000Z' },
    });
    const taxonomies = await db.prisma.driverTaxonomy.findMany({ where: { organizationId: org.id }, include: { drivers: true, rules: { orderBy: { position: 'asc' } } } });
    expect(taxonomies).toHaveLength(1);
    expect(taxonomies[0]).toMatchObject({ version: 1, active: true });
    expect(taxonomies[0]?.drivers.map((d) => [d.key, d.parentKey, d.owningFunction]).sort()).toEqual([['billing/refund', 'billing', 'finance'], ['configuration/sso', 'configuration', 'engineering']]);
    expect(taxonomies[0]?.rules.map((r) => [r.position, r.key, r.driverKey])).toEqual([[0, 'sso-dropdown', 'configuration/sso'], [1, 'refund-tag', 'billing/refund']]);
    expect((await db.prisma.auditLog.findMany({ where: { organizationId: org.id }, orderBy: { id: 'asc' } })).map((a) => a.action))
      .toEqual(['organization.created', 'connector.created', 'connector.secret_set', 'taxonomy.activated']);
    expect(await db.prisma.configApply.count({ where: { organizationId: org.id } })).toBe(1);
  });

  it('stores secrets encrypted and decrypts them back', async () => {
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    const connector = await db.prisma.connector.findFirstOrThrow({ where: { organizationId: org.id, key: 'zendesk-main' } });
    const rows = await db.prisma.connectorSecret.findMany({ where: { connectorId: connector.id } });
    expect(rows.map((r) => r.name).sort()).toEqual(['applied:token', 'token']);
    for (const row of rows) {
      expect(row.keyId).toBe('t1');
      expect(Buffer.from(row.ciphertext).toString('utf8')).not.toContain('zendesk-token-1');
      expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain('zendesk-token-1');
    }
    expect(await loadConnectorSecrets(db.prisma, connector.id, secretBox)).toEqual({ token: 'zendesk-token-1' });
    const audit = await db.prisma.auditLog.findMany({ where: { organizationId: org.id } });
    expect(JSON.stringify(audit.map((a) => [a.before, a.after, a.reason]))).not.toContain('zendesk-token-1');
  });

  it('re-applying the same config is a no-op: everything unchanged, no audit rows', async () => {
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    const before = { audit: await auditCount(org.id), taxonomies: await db.prisma.driverTaxonomy.count(), secrets: await db.prisma.connectorSecret.findMany({ orderBy: { name: 'asc' } }) };
    const result = await applyConfig(db.prisma, await config(yaml('acme')), options());
    expect(result).toMatchObject({ ok: true, summary: {
      organization: 'unchanged', connectors: { created: [], updated: [], disabled: [], unchanged: ['zendesk-main'] },
      secrets: { written: [], removed: [] }, taxonomy: { version: 1, changed: false }, auditEntries: 0,
    } });
    expect(await auditCount(org.id)).toBe(before.audit);
    expect(await db.prisma.driverTaxonomy.count()).toBe(before.taxonomies);
    expect(await db.prisma.connectorSecret.findMany({ orderBy: { name: 'asc' } })).toEqual(before.secrets);
  });

  it('a changed rule creates taxonomy v2 and activates it; reverting re-activates v1', async () => {
    const changed = await config(yaml('acme', { rule: '{ key: refund-tag, driver: billing/refund, when: { tags: [refund, chargeback] } }' }));
    const result = await applyConfig(db.prisma, changed, options());
    expect(result).toMatchObject({ ok: true, summary: { taxonomy: { version: 2, changed: true }, auditEntries: 1, connectors: { unchanged: ['zendesk-main'] } } });
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    const versions = await db.prisma.driverTaxonomy.findMany({ where: { organizationId: org.id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => [v.version, v.active])).toEqual([[1, false], [2, true]]);

    const active = await loadActiveTaxonomy(db.prisma, org.id);
    expect(active).toMatchObject({ version: 2, contentHash: versions[1]?.contentHash });
    expect(active?.compiled.hash).toBe(versions[1]?.contentHash);
    if (!active) throw new Error('no active taxonomy');
    expect(classify(testTicket({ tags: ['chargeback'] }), active.compiled)).toEqual({ driverKey: 'billing/refund', ruleKey: 'refund-tag' });
    expect(classify(testTicket({ customFields: { '360000001001:value': 'cr_sso' } }), active.compiled)).toEqual({ driverKey: 'configuration/sso', ruleKey: 'sso-dropdown' });

    const reverted = await applyConfig(db.prisma, await config(yaml('acme')), options());
    expect(reverted).toMatchObject({ ok: true, summary: { taxonomy: { version: 1, changed: true } } });
    expect((await loadActiveTaxonomy(db.prisma, org.id))?.version).toBe(1);
    expect(await db.prisma.driverTaxonomy.count({ where: { organizationId: org.id } })).toBe(2);
  });

  it('disables a connector removed from config (history kept) and re-enables it when it returns', async () => {
    await applyConfig(db.prisma, await config(yaml('globex', { connectors: ['zendesk-main', 'zendesk-eu'] })), options());
    const removed = await applyConfig(db.prisma, await config(yaml('globex', { connectors: ['zendesk-main'] })), options());
    expect(removed).toMatchObject({ ok: true, summary: { connectors: { disabled: ['zendesk-eu'], unchanged: ['zendesk-main'] }, auditEntries: 1 } });
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'globex' } });
    const eu = await db.prisma.connector.findFirstOrThrow({ where: { organizationId: org.id, key: 'zendesk-eu' } });
    expect(eu.enabled).toBe(false);
    expect(await loadConnectorSecrets(db.prisma, eu.id, secretBox)).toEqual({ token: 'eu-token' });
    const again = await applyConfig(db.prisma, await config(yaml('globex', { connectors: ['zendesk-main'] })), options());
    expect(again).toMatchObject({ ok: true, summary: { connectors: { disabled: [] }, auditEntries: 0 } });
    const back = await applyConfig(db.prisma, await config(yaml('globex', { connectors: ['zendesk-main', 'zendesk-eu'] })), options());
    expect(back).toMatchObject({ ok: true, summary: { connectors: { updated: ['zendesk-eu'] } } });
  });

  it('keeps a secret rotated at run time when the config value is unchanged, and replaces it when config changes', async () => {
    await applyConfig(db.prisma, await config(yaml('initech')), options('token-a'));
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'initech' } });
    const connector = await db.prisma.connector.findFirstOrThrow({ where: { organizationId: org.id } });
    await saveConnectorSecrets(db.prisma, connector.id, { token: 'rotated-b', accessToken: 'access-1' }, secretBox);
    const same = await applyConfig(db.prisma, await config(yaml('initech')), options('token-a'));
    expect(same).toMatchObject({ ok: true, summary: { secrets: { written: [] }, auditEntries: 0 } });
    expect(await loadConnectorSecrets(db.prisma, connector.id, secretBox)).toEqual({ token: 'rotated-b', accessToken: 'access-1' });
    const changed = await applyConfig(db.prisma, await config(yaml('initech')), options('token-c'));
    expect(changed).toMatchObject({ ok: true, summary: { connectors: { updated: ['zendesk-main'] }, secrets: { written: ['zendesk-main/token'] } } });
    expect(await loadConnectorSecrets(db.prisma, connector.id, secretBox)).toEqual({ token: 'token-c', accessToken: 'access-1' });
  });

  it('refuses to change the system of an existing connector key and writes nothing', async () => {
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    const before = await auditCount(org.id);
    const jira = await config(yaml('acme').replace('system: zendesk', 'system: jira').replace('name: acme Corp', 'name: Renamed'));
    const result = await applyConfig(db.prisma, jira, options());
    expect(result.ok ? '' : formatConfigIssues(result.issues)).toBe(
      "frontline.yaml:3:5 connectors[0].system: connector 'zendesk-main' was applied as zendesk; its system cannot change (got jira) — fix: keep system: zendesk, or give the jira connector a new key (remove the old one to disable it)",
    );
    expect(await auditCount(org.id)).toBe(before);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } })).name).toBe('acme Corp');
  });

  it('a dry run reports the plan and writes nothing', async () => {
    const result = await applyConfig(db.prisma, await config(yaml('umbrella')), options('t', { dryRun: true }));
    expect(result).toMatchObject({ ok: true, summary: { organization: 'created', connectors: { created: ['zendesk-main'] }, taxonomy: { version: 1, changed: true }, dryRun: true } });
    expect(await db.prisma.organization.findUnique({ where: { key: 'umbrella' } })).toBeNull();
  });
});
