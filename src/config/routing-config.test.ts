import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './config-issue.ts';
import { configTextIssues, loadConfigTexts } from './load-from-texts.ts';

const org = `organization:
  key: acme
  name: Acme Corp
  timeZone: Europe/Berlin
  reportingCadence: { weekday: monday, time: "09:00", name: Weekly steering }
`;
const drivers = `drivers:
  - { key: configuration/sso, name: SSO configuration, owningFunction: engineering }
  - { key: billing/refund, name: Refunds, owningFunction: finance }
  - { key: billing/invoice, name: Invoices, owningFunction: finance }
`;
const people = `people:
  - { email: Ana@Acme.example, name: Ana Weber, functions: [engineering, product], escalateTo: ben@acme.example }
  - { email: ben@acme.example, name: Ben Ode, functions: [engineering] }
  - { email: ops@acme.example, name: Ops Desk, functions: [operations] }
`;
const routing = `routing:
  ackWithin: 2h
  repeatEvery: 12h
  releaseWindow: 2d
  default: { owner: ops@acme.example, functions: [operations] }
  drivers:
    - { driver: configuration/sso, owner: ana@acme.example, functions: [engineering, product, operations], measures: [m-sso-self-service], kpis: [sso-tickets] }
    - { driver: "billing/", owner: BEN@acme.example, functions: [finance, finance], detection: { minPct: 0.5, minExtra: 20 } }
`;
const releases = `releases:
  - { key: "4.2", name: Release 4.2, at: "2026-02-24T11:00:00+01:00", products: [identity] }
`;

const load = loadConfigTexts;
const issues = configTextIssues;

describe('loadConfig: people, routing, releases and the reporting cadence', () => {
  it('merges the sections across files: e-mails lower-case, durations in seconds, instants in UTC', async () => {
    const result = await load({ 'org.yaml': org + drivers, 'people.yaml': people, 'routing.yaml': routing, 'releases.yaml': releases });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.warnings).toEqual([]);
    const { config } = result;
    expect(config.organization).toEqual({ key: 'acme', name: 'Acme Corp', timeZone: 'Europe/Berlin', reportingCadence: { weekday: 'monday', time: '09:00', name: 'Weekly steering' } });
    expect(config.people).toEqual([
      { email: 'ana@acme.example', name: 'Ana Weber', functions: ['engineering', 'product'], escalateTo: 'ben@acme.example' },
      { email: 'ben@acme.example', name: 'Ben Ode', functions: ['engineering'], escalateTo: null },
      { email: 'ops@acme.example', name: 'Ops Desk', functions: ['operations'], escalateTo: null },
    ]);
    expect(config.routing).toEqual({
      ackWithinSeconds: 7_200,
      repeatEverySeconds: 43_200,
      releaseWindowSeconds: 172_800,
      default: { owner: 'ops@acme.example', functions: ['operations'] },
      drivers: [
        { driver: 'configuration/sso', owner: 'ana@acme.example', functions: ['engineering', 'product', 'operations'], measures: ['m-sso-self-service'], kpis: ['sso-tickets'], detection: {} },
        { driver: 'billing/', owner: 'ben@acme.example', functions: ['finance'], measures: [], kpis: [], detection: { minPct: 0.5, minExtra: 20 } },
      ],
    });
    expect(config.releases).toEqual([{ key: '4.2', name: 'Release 4.2', at: '2026-02-24T10:00:00.000Z', products: ['identity'] }]);
  });

  it('fills in the defaults when there is no routing section, and has no cadence, people or releases', async () => {
    const result = await load({ 'a.yaml': org.replace(/ {2}reportingCadence.*\n/, '') + drivers });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.config.organization.reportingCadence).toBeNull();
    expect(result.config.routing).toEqual({ ackWithinSeconds: 4 * 3_600, repeatEverySeconds: 86_400, releaseWindowSeconds: 3 * 86_400, default: null, drivers: [] });
    expect(result.config.people).toEqual([]);
    expect(result.config.releases).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('accepts settings split across files, and repeated identically', async () => {
    const result = await load({ 'a.yaml': org + drivers + people + 'routing:\n  ackWithin: 1h\n  default: { owner: ops@acme.example }\n', 'b.yaml': 'routing:\n  ackWithin: 60m\n  default: { owner: ops@acme.example }\n  repeatEvery: 2h\n' });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.config.routing).toMatchObject({ ackWithinSeconds: 3_600, repeatEverySeconds: 7_200, default: { owner: 'ops@acme.example', functions: [] } });
  });

  it('checks the reporting cadence: weekday and a 24-hour HH:MM', async () => {
    expect(await issues({ 'a.yaml': org.replace('monday', 'mondy').replace('"09:00"', '"9am"') + drivers })).toEqual([
      "a.yaml:5:32 organization.reportingCadence.weekday: must be one of: monday, tuesday, wednesday, thursday, friday, saturday, sunday — fix: did you mean 'monday'?",
      "a.yaml:5:45 organization.reportingCadence.time: is not a time of day (got '9am') — fix: write HH:MM on a 24-hour clock, quoted, e.g. time: \"09:00\"",
    ]);
    expect(await issues({ 'a.yaml': org.replace('"09:00"', '"24:00"') + drivers })).toEqual([
      "a.yaml:5:46 organization.reportingCadence.time: is not a time of day (got '24:00') — fix: write HH:MM on a 24-hour clock, quoted, e.g. time: \"09:00\"",
    ]);
  });

  it('refuses a person declared twice (e-mails compared case-insensitively), naming the first', async () => {
    expect(await issues({ 'a.yaml': org + drivers + people, 'b.yaml': 'people:\n  - { email: ANA@acme.example, name: Ana }\n' })).toEqual([
      "b.yaml:2:14 people[0].email: duplicate person 'ana@acme.example' (first in a.yaml:11:5) — fix: declare each person once (e-mails are compared case-insensitively)",
    ]);
  });

  it('requires owners and escalation contacts to be declared people, suggesting a near one', async () => {
    const text = await issues({ 'a.yaml': org + drivers + people, 'b.yaml': routing.replace('BEN@acme.example', 'benn@acme.example').replace('owner: ops@acme.example', 'owner: carl@other.example') });
    expect(text).toEqual([
      'b.yaml:5:21 routing.default.owner: names carl@other.example, who is not declared under people: — fix: add them under people: (declared: ana@acme.example, ben@acme.example, ops@acme.example)',
      "b.yaml:8:36 routing.drivers[1].owner: names benn@acme.example, who is not declared under people: — fix: did you mean 'ben@acme.example'? Otherwise add them under people: (declared: ana@acme.example, ben@acme.example, ops@acme.example)",
    ]);
    const escalation = await issues({ 'a.yaml': org + drivers + people.replace('escalateTo: ben@acme.example', 'escalateTo: zed@acme.example').replace('name: Ops Desk,', 'name: Ops Desk, escalateTo: OPS@acme.example,') });
    expect(escalation).toEqual([
      'a.yaml:11:96 people[0].escalateTo: names zed@acme.example, who is not declared under people: — fix: add them under people: (declared: ana@acme.example, ben@acme.example, ops@acme.example)',
      'a.yaml:13:60 people[2].escalateTo: ops@acme.example escalates to themselves — fix: name whom to escalate to (their lead), or remove escalateTo',
    ]);
    expect(await issues({ 'a.yaml': org + drivers + 'routing:\n  drivers:\n    - { driver: billing/refund, owner: x@acme.example }\n' })).toEqual([
      'a.yaml:12:40 routing.drivers[0].owner: names x@acme.example, who is not declared under people: — fix: add them under people: (none declared yet), e.g. people: [{ email: x@acme.example, name: …, functions: [operations] }]',
    ]);
  });

  it('requires a route to name a declared driver or a family of declared drivers, once', async () => {
    const text = await issues({
      'a.yaml': org + drivers + people + `routing:
  drivers:
    - { driver: configuration/ssso, owner: ana@acme.example }
    - { driver: billing, owner: ana@acme.example }
    - { driver: "biling/", owner: ana@acme.example }
    - { driver: "product/", owner: ana@acme.example }
    - { driver: billing/refund, owner: ana@acme.example }
`,
      'b.yaml': 'routing:\n  drivers:\n    - { driver: billing/refund, owner: ben@acme.example }\n',
    });
    expect(text).toEqual([
      "a.yaml:16:17 routing.drivers[0].driver: refers to unknown driver 'configuration/ssso' — fix: did you mean 'configuration/sso'?",
      "a.yaml:17:17 routing.drivers[1].driver: refers to 'billing', which is not a declared driver but a family — fix: write 'billing/' to route the family (billing/refund, billing/invoice)",
      "a.yaml:18:17 routing.drivers[2].driver: family 'biling/' matches no declared driver — fix: did you mean 'billing/'?",
      "a.yaml:19:17 routing.drivers[3].driver: family 'product/' matches no declared driver — fix: use a declared family (configuration/, billing/) or a driver key",
      "b.yaml:3:17 routing.drivers[0].driver: duplicate route for 'billing/refund' (first in a.yaml:20:7) — fix: route each driver or family once (merge the entries)",
    ]);
  });

  it('checks durations and their bounds, and a setting that differs between files', async () => {
    expect(await issues({ 'a.yaml': org + drivers + 'routing:\n  ackWithin: 30s\n  repeatEvery: soon\n  releaseWindow: 31d\n' })).toEqual([
      "a.yaml:11:14 routing.ackWithin: must be between 1m and 30d (got '30s') — fix: write a duration between 1m and 30d, such as 4h, 30m, 1h30m or 2d",
      "a.yaml:12:16 routing.repeatEvery: is not a duration (got 'soon') — fix: write a duration between 1h and 30d, such as 1d, 30m, 1h30m or 2d",
      "a.yaml:13:18 routing.releaseWindow: must be between 1h and 30d (got '31d') — fix: write a duration between 1h and 30d, such as 3d, 30m, 1h30m or 2d",
    ]);
    expect(await issues({ 'a.yaml': `${org}${drivers}routing:\n  ackWithin: 4h\n`, 'b.yaml': 'routing:\n  ackWithin: 2h\n' })).toEqual([
      'b.yaml:2:3 routing.ackWithin: differs from routing.ackWithin in a.yaml:11:14 — fix: set routing.ackWithin in one file only',
    ]);
  });

  it('checks release keys (quoted), ISO instants with a time and offset, and duplicates across files', async () => {
    expect(await issues({ 'a.yaml': `${org}${drivers}releases:
  - { key: 4.2, name: R, at: "2026-02-24T10:00:00Z" }
  - { key: "4.3", name: R, at: "2026-02-24" }
  - { key: "4.4", name: R, at: "2026-02-30T10:00:00Z" }
  - { key: "4 5", name: R, at: "2026-02-24T10:00:00+01:00" }
` })).toEqual([
      'a.yaml:11:12 releases[0].key: must be a string (YAML reads unquoted digits such as 4.2 as a number) — fix: quote it, e.g. `key: "4.2"`',
      "a.yaml:12:32 releases[1].at: is not an ISO-8601 instant (got '2026-02-24') — fix: write a date, time and offset such as 2026-02-24T10:00:00Z or 2026-02-24T11:00:00+01:00",
      "a.yaml:13:32 releases[2].at: is not an ISO-8601 instant (got '2026-02-30T10:00:00Z') — fix: write a date, time and offset such as 2026-02-24T10:00:00Z or 2026-02-24T11:00:00+01:00",
      'a.yaml:14:12 releases[3].key: must be letters, digits, ".", "_" or "-" — fix: write it without spaces, e.g. key: "4.2" or key: v4.2.1',
    ]);
    expect(await issues({ 'a.yaml': org + drivers + releases, 'b.yaml': 'releases:\n  - { key: "4.2", name: again, at: "2026-03-01T00:00:00Z" }\n' })).toEqual([
      "b.yaml:2:12 releases[0].key: duplicate release key '4.2' (first in a.yaml:11:5) — fix: give each release a unique key",
    ]);
  });

  it('checks functions, measure and KPI keys, e-mails and unknown keys', async () => {
    expect(await issues({ 'a.yaml': `${org}${drivers}${people}routing:\n  drivers:\n    - { driver: billing/refund, owner: ana@acme.example, functions: [enginering], measures: ["M SSO"], kpis: [Bad!] }\n` })).toEqual([
      "a.yaml:16:70 routing.drivers[0].functions[0]: must be one of: engineering, product, operations, finance, legal, support, sales, security, customer_success — fix: did you mean 'engineering'?",
      "a.yaml:16:94 routing.drivers[0].measures[0]: is not a measure key (got 'M SSO') — fix: use lower-case letters, digits, \".\", \"_\" or \"-\", e.g. m-sso-self-service",
      "a.yaml:16:111 routing.drivers[0].kpis[0]: is not a KPI key (got 'Bad!') — fix: use lower-case letters, digits, \".\", \"_\" or \"-\", e.g. sso-tickets",
    ]);
    expect(await issues({ 'a.yaml': `${org}${drivers}people:\n  - { email: not-an-email, name: X, functions: [sales], escalatTo: y@acme.example }\n` })).toEqual([
      "a.yaml:11:14 people[0].email: is not an e-mail address (got 'not-an-email') — fix: write an address such as ana@acme.example",
      "a.yaml:11:57 people[0].escalatTo: unknown key 'escalatTo' — fix: did you mean 'escalateTo'?",
    ]);
  });

  it('checks a route\'s spike gates', async () => {
    const lines = await issues({ 'a.yaml': `${org}${drivers}${people}routing:\n  drivers:\n    - { driver: billing/refund, owner: ana@acme.example, detection: { alpha: 0.5, minPct: -1, minExtr: 3 } }\n` });
    expect(lines.map((l) => l.replace(/^a\.yaml:\d+:\d+ /, ''))).toEqual([
      expect.stringMatching(/^routing\.drivers\[0\]\.detection\.alpha: /),
      expect.stringMatching(/^routing\.drivers\[0\]\.detection\.minPct: /),
      expect.stringMatching(/^routing\.drivers\[0\]\.detection\.minExtr: unknown key 'minExtr' — fix: did you mean 'minExtra'\?$/),
    ]);
  });

  it('warns (without failing) when routing leaves declared drivers without an owner', async () => {
    const result = await load({ 'a.yaml': `${org}${drivers}${people}routing:\n  drivers:\n    - { driver: configuration/sso, owner: ana@acme.example }\n` });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(formatConfigIssues(result.warnings)).toBe(
      'a.yaml:14:1 routing: no route for drivers billing/refund, billing/invoice, and no routing.default: their items get no owner — fix: add a route for them (or for their family, e.g. "billing/"), or a routing.default',
    );
  });
});
