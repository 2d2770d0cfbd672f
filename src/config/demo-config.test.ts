import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classify } from '../domain/driver/index.ts';
import { testTicket } from '../domain/driver/test-tickets.ts';
import { formatConfigIssues } from './config-issue.ts';
import { loadConfig } from './load-config.ts';

const demoFile = fileURLToPath(new URL('../main/demo/frontline.demo.yaml', import.meta.url));
const contactReason = '360000001001';

/** The driver catalog shared by the Zendesk simulator, the demo config and tests. */
const catalog = [
  { driver: 'configuration/sso', value: 'cr_sso', label: 'SSO', tag: 'sso', phrase: 'SAML' },
  { driver: 'configuration/integrations', value: 'cr_integrations', label: 'Integrations', tag: 'integration', phrase: 'webhook' },
  { driver: 'access/login', value: 'cr_login', label: 'Login', tag: 'login', phrase: 'password reset' },
  { driver: 'billing/invoice', value: 'cr_invoice', label: 'Invoice', tag: 'invoice', phrase: 'invoice' },
  { driver: 'billing/refund', value: 'cr_refund', label: 'Refund', tag: 'refund', phrase: 'refund' },
  { driver: 'product/bug', value: 'cr_bug', label: 'Bug', tag: 'bug', phrase: 'error message' },
  { driver: 'product/how-to', value: 'cr_howto', label: 'How-to', tag: 'how_to', phrase: 'how do I' },
  { driver: 'account/cancellation', value: 'cr_cancel', label: 'Cancellation', tag: 'cancel', phrase: 'cancel my subscription' },
];
const noise = ['vip', 'enterprise', 'web', 'mobile'];

async function loadDemo() {
  const zendesk = {
    settingsSchema: z.strictObject({ auth: z.strictObject({ type: z.literal('api_token'), email: z.email() }) }),
    secretNames: () => ['token'],
  };
  const result = await loadConfig([demoFile], { FRONTLINE_DEMO_ZENDESK_TOKEN: 'demo' }, { connectors: { zendesk } });
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result;
}

describe('demo config (src/main/demo/frontline.demo.yaml)', () => {
  it('loads without warnings: acme, one simulator connector, 8 drivers, 24 rules in signal order', async () => {
    const { config, warnings } = await loadDemo();
    expect(warnings).toEqual([]);
    expect(config.organization).toEqual({ key: 'acme', name: 'Acme Cloud', timeZone: 'Europe/Berlin', reportingCadence: { weekday: 'monday', time: '09:00', name: 'Weekly steering' } });
    expect(config.connectors).toMatchObject([{
      key: 'zendesk-demo', system: 'zendesk', baseUrl: 'http://127.0.0.1:4010', allowInsecureBaseUrl: true, enabled: true,
      settings: { auth: { type: 'api_token', email: 'demo@acme.example' } }, secrets: { token: { env: 'FRONTLINE_DEMO_ZENDESK_TOKEN' } },
    }]);
    expect(config.taxonomy.drivers.map((d) => d.key)).toEqual(catalog.map((c) => c.driver));
    const kinds = config.taxonomy.rules.map((r) => Object.keys(r.when)[0]);
    expect(kinds).toEqual([...Array(8).fill('field'), ...Array(8).fill('tag'), ...Array(8).fill('subject')]);
  });

  it('routes every demo driver to a declared owner, with an escalation contact for every lead, and no releases', async () => {
    const { config } = await loadDemo();
    expect(config.routing).toMatchObject({ ackWithinSeconds: 4 * 3_600, repeatEverySeconds: 86_400, releaseWindowSeconds: 3 * 86_400, default: { owner: 'nina.keller@acme.example' } });
    expect(config.routing.drivers.map((r) => r.driver)).toEqual(catalog.map((c) => c.driver));
    const people = new Map(config.people.map((p) => [p.email, p]));
    const sso = config.routing.drivers[0];
    expect(sso).toEqual({ driver: 'configuration/sso', owner: 'lena.hoffmann@acme.example', functions: ['engineering', 'product', 'operations'], measures: ['m-sso-self-service'], kpis: ['sso-tickets'], detection: {} });
    for (const route of config.routing.drivers) {
      const owner = people.get(route.owner);
      expect(owner, route.driver).toBeDefined();
      expect(owner?.escalateTo, `${route.driver} owner escalates`).not.toBeNull();
      // The owner speaks for the driver's owning function.
      const driver = config.taxonomy.drivers.find((d) => d.key === route.driver);
      expect(owner?.functions, route.driver).toContain(driver?.owningFunction);
      for (const fn of route.functions) expect([...people.values()].some((p) => p.functions.includes(fn)), `${route.driver} ${fn}`).toBe(true);
    }
    const functions = new Set(config.people.flatMap((p) => p.functions));
    for (const fn of ['engineering', 'product', 'operations', 'finance', 'customer_success', 'support'] as const) expect(functions.has(fn), fn).toBe(true);
    expect(config.releases).toEqual([]);
  });

  it('classifies each signal kind to the catalog driver, and noise to unmatched', async () => {
    const { taxonomy } = await loadDemo();
    for (const c of catalog) {
      const dropdown = testTicket({ tags: [c.value, 'vip'], customFields: { [contactReason]: c.label, [`${contactReason}:value`]: c.value } });
      const dropdownValueOnly = testTicket({ tags: [], customFields: { [contactReason]: c.value } });
      const tagOnly = testTicket({ tags: ['enterprise', c.tag, 'mobile'] });
      const subjectOnly = testTicket({ tags: ['web'], subject: `Question: ${c.phrase.toUpperCase()} — please help` });
      expect(classify(dropdown, taxonomy)?.driverKey, `${c.driver} dropdown`).toBe(c.driver);
      expect(classify(dropdownValueOnly, taxonomy)?.driverKey, `${c.driver} dropdown value`).toBe(c.driver);
      expect(classify(tagOnly, taxonomy)?.driverKey, `${c.driver} tag`).toBe(c.driver);
      expect(classify(subjectOnly, taxonomy)?.driverKey, `${c.driver} subject`).toBe(c.driver);
    }
    expect(classify(testTicket({ tags: noise, subject: 'Hello there', customFields: {} }), taxonomy)).toBeNull();
  });

  it('prefers the dropdown over a conflicting tag and subject (rule order)', async () => {
    const { taxonomy } = await loadDemo();
    const ticket = testTicket({ tags: ['refund'], subject: 'SAML broken', customFields: { [`${contactReason}:value`]: 'cr_bug' } });
    expect(classify(ticket, taxonomy)).toEqual({ driverKey: 'product/bug', ruleKey: 'bug-dropdown' });
  });
});
