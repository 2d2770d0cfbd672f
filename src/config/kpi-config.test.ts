import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './config-issue.ts';
import { configTextIssues as issues, loadConfigTexts as load } from './load-from-texts.ts';

const base = `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }
drivers:
  - { key: configuration/sso, name: SSO, owningFunction: engineering }
  - { key: configuration/integrations, name: Integrations, owningFunction: engineering }
people:
  - { email: olga@acme.example, name: Olga }
  - { email: sven@acme.example, name: Sven }
  - { email: clara@acme.example, name: Clara }
governance:
  businessUnits: [{ key: service, name: Service }]
  portfolios: [{ key: cx, name: CX }]
  programs: [{ key: avoid, name: Avoid, portfolio: cx }]
  projects: [{ key: self, name: Self, program: avoid }]
  packages: [{ key: sso, name: SSO, project: self }]
  measures:
    - { key: m-sso, title: SSO, package: sso, owner: olga@acme.example, sponsor: sven@acme.example, controller: clara@acme.example, businessUnit: service, steeringCommittee: SC }
`;
const kpi = (line: string) => `kpis:\n  - ${line}\n`;
const sso = '{ key: sso-tickets, name: SSO tickets, on: { measure: m-sso }, metric: volume, filters: { drivers: [configuration/sso] }, bucket: week, direction: down_is_good, target: 800, bands: { green: 900, amber: 1100 } }';

describe('loadConfig: KPI definitions', () => {
  it('resolves the node, fills in the time zone and the filters', async () => {
    const result = await load({ 'a.yaml': base, 'k.yaml': kpi(sso) + kpi('{ key: all, name: All tickets, on: organization, metric: volume, direction: down_is_good, timeZone: UTC }').replace('kpis:\n', '') });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.config.kpis).toEqual([
      {
        key: 'sso-tickets', name: 'SSO tickets', node: { level: 'measure', key: 'm-sso' }, metric: 'volume',
        filters: { drivers: ['configuration/sso'], connectors: [], priorities: [], products: [], segments: [] }, bucket: 'week', timeZone: 'Europe/Berlin',
        direction: 'down_is_good', target: 800, bands: { green: 900, amber: 1100 }, customers: null,
      },
      {
        key: 'all', name: 'All tickets', node: { level: 'organization', key: null }, metric: 'volume',
        filters: { drivers: [], connectors: [], priorities: [], products: [], segments: [] }, bucket: 'day', timeZone: 'UTC', direction: 'down_is_good', target: null, bands: null, customers: null,
      },
    ]);
  });

  it('names an undeclared node or driver, a zone that is none, bands the wrong way round and a KPI declared twice', async () => {
    const bad = kpi(sso.replace('measure: m-sso', 'measure: m-ssoo').replace('[configuration/sso]', '[configuration/ssso, billing/]').replace('bands: { green: 900, amber: 1100 }', 'bands: { green: 1100, amber: 900 }, timeZone: Mars/Olympus'));
    expect(await issues({ 'a.yaml': base, 'k.yaml': bad })).toEqual([
      "k.yaml:2:59 kpis[0].on.measure: names measure 'm-ssoo', which is not declared under governance.measures — fix: did you mean 'm-sso'?",
      "k.yaml:2:106 kpis[0].filters.drivers[0]: names driver 'configuration/ssso', which is not declared (nor a family of declared drivers) — fix: did you mean 'configuration/sso'?",
      "k.yaml:2:126 kpis[0].filters.drivers[1]: names driver 'billing/', which is not declared (nor a family of declared drivers) — fix: declared drivers: configuration/sso, configuration/integrations",
      'k.yaml:2:198 kpis[0].bands: green 1100 and amber 900 are the wrong way round for down_is_good — fix: lower is better: green ≤ amber',
      "k.yaml:2:237 kpis[0].timeZone: is not a time zone (got 'Mars/Olympus') — fix: write an IANA zone such as Europe/Berlin",
    ]);
    expect(await issues({ 'a.yaml': base, 'k.yaml': kpi(sso), 'l.yaml': kpi(sso) })).toEqual([
      "l.yaml:2:12 kpis[0].key: duplicate KPI 'sso-tickets' (first in k.yaml:2:5) — fix: declare each KPI once; a changed definition is versioned by apply",
    ]);
    expect(await issues({ 'a.yaml': base, 'k.yaml': kpi(sso.replace('on: { measure: m-sso }', 'on: { measure: m-sso, program: avoid }')) })).toEqual([
      'k.yaml:2:48 kpis[0].on: names 2 nodes (program, measure) — fix: hang the KPI on one node, e.g. on: { measure: m-sso-self-service }, or on: organization',
    ]);
  });

  it('asks a contact rate for its customer base, refuses one elsewhere, and knows the priorities', async () => {
    const rate = '{ key: rate, name: Contacts per 1k customers, on: organization, metric: contact_rate_per_1k_customers, direction: down_is_good }';
    expect(await issues({ 'a.yaml': base, 'k.yaml': kpi(rate) })).toEqual([
      'k.yaml:2:5 kpis[0]: is a contact rate per 1,000 customers without a customer base — fix: add customers: <number of customers>, e.g. customers: 52000',
    ]);
    const ok = await load({ 'a.yaml': base, 'k.yaml': kpi(rate.replace(' }', ', customers: 52000 }')) });
    if (!ok.ok) throw new Error(formatConfigIssues(ok.issues));
    expect(ok.config.kpis[0]).toMatchObject({ metric: 'contact_rate_per_1k_customers', customers: 52000 });
    expect(await issues({ 'a.yaml': base, 'k.yaml': kpi(`${sso.slice(0, -2)}, customers: 52000 }`) })).toEqual([
      'k.yaml:2:226 kpis[0].customers: sets a customer base for a volume KPI, which does not use one — fix: remove customers, or use metric: contact_rate_per_1k_customers',
    ]);
    const badPriority = await issues({ 'a.yaml': base, 'k.yaml': kpi(sso.replace('filters: { drivers: [configuration/sso] }', 'filters: { priorities: [urgnet] }')) });
    expect(badPriority).toHaveLength(1);
    expect(badPriority[0]).toMatch(/kpis\[0\]\.filters\.priorities\[0\].*urgnet|kpis\[0\]\.filters\.priorities\[0\]/);
  });
});
