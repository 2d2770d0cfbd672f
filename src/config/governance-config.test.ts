import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './config-issue.ts';
import { configTextIssues, loadConfigTexts } from './load-from-texts.ts';

const org = `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }
people:
  - { email: olga@acme.example, name: Olga Owner }
  - { email: sven@acme.example, name: Sven Sponsor }
  - { email: clara@acme.example, name: Clara Controller }
`;
const hierarchy = `governance:
  businessUnits: [{ key: service, name: Customer Service }]
  portfolios: [{ key: cx, name: Customer experience, goal: 25 % fewer contacts }]
  programs: [{ key: contact-avoidance, name: Contact avoidance, portfolio: cx }]
  projects: [{ key: self-service, name: Self-service, program: contact-avoidance }]
  packages: [{ key: sso, name: SSO self-service, project: self-service }]
`;
const measure = `governance:
  measures:
    - key: m-sso
      title: SSO wizard
      package: sso
      owner: Olga@acme.example
      sponsor: sven@acme.example
      controller: clara@acme.example
      businessUnit: service
      steeringCommittee: Service SteerCo
      plannedEbitda: { amount: 1200000, from: 2027-01-01, to: 2027-12-31 }
      milestones: [{ title: Wizard live, due: 2027-03-31 }]
      ebitdaPlan: [{ from: 2027-01-01, to: 2027-06-30, amount: 500000 }, { from: 2027-07-01, to: 2027-12-31, amount: 700000 }]
`;

const load = loadConfigTexts;
const issues = configTextIssues;

describe('loadConfig: the governance hierarchy', () => {
  it('merges the levels across files, parents by key, people lower-case, currency by default EUR', async () => {
    const result = await load({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': measure });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.warnings).toEqual([]);
    const g = result.config.governance;
    expect(g.programs).toEqual([{ key: 'contact-avoidance', name: 'Contact avoidance', portfolio: 'cx', goal: null }]);
    expect(g.portfolios).toEqual([{ key: 'cx', name: 'Customer experience', goal: '25 % fewer contacts' }]);
    expect(g.measures).toEqual([{
      key: 'm-sso', title: 'SSO wizard', description: null, package: 'sso', owner: 'olga@acme.example', sponsor: 'sven@acme.example', controller: 'clara@acme.example',
      businessUnit: 'service', steeringCommittee: 'Service SteerCo', plannedEbitda: { amount: 1_200_000, currency: 'EUR', from: '2027-01-01', to: '2027-12-31' },
      milestones: [{ title: 'Wizard live', due: '2027-03-31' }],
      ebitdaPlan: [{ from: '2027-01-01', to: '2027-06-30', amount: 500_000 }, { from: '2027-07-01', to: '2027-12-31', amount: 700_000 }],
    }]);
  });

  it('names an undeclared parent or business unit where it is written, suggesting a near key', async () => {
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy.replace('program: contact-avoidance', 'program: contact-avoid'), 'measures.yaml': measure.replace('businessUnit: service', 'businessUnit: sales') })).toEqual([
      "hierarchy.yaml:5:64 governance.projects[0].program: names program 'contact-avoid', which is not declared — fix: did you mean 'contact-avoidance'? Otherwise declare it under governance.programs (declared: contact-avoidance)",
      "measures.yaml:9:21 governance.measures[0].businessUnit: names business unit 'sales', which is not declared — fix: declare it under governance.businessUnits (declared: service)",
    ]);
  });

  it('requires owner, sponsor and controller to be declared people, and keeps the controller apart from both', async () => {
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': measure.replace('sponsor: sven@acme.example', 'sponsor: svem@acme.example') })).toEqual([
      "measures.yaml:7:16 governance.measures[0].sponsor: names svem@acme.example, who is not declared under people: — fix: did you mean 'sven@acme.example'? Otherwise add them under people: (declared: olga@acme.example, sven@acme.example, clara@acme.example)",
    ]);
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': measure.replace('controller: clara@acme.example', 'controller: olga@ACME.example') })).toEqual([
      'measures.yaml:8:19 governance.measures[0].controller: the controller olga@acme.example is also the owner (segregation of duties) — fix: name a controller who neither owns nor sponsors the measure: they confirm its realised EBITDA',
    ]);
  });

  it('refuses a key declared twice, a milestone or plan period twice, impossible dates and periods that end before they start', async () => {
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'more.yaml': 'governance:\n  portfolios: [{ key: cx, name: Again }]\n', 'measures.yaml': measure })).toEqual([
      "more.yaml:2:23 governance.portfolios[0].key: duplicate portfolio 'cx' (first in hierarchy.yaml:3:16) — fix: declare each portfolio once",
    ]);
    const twice = measure.replace('milestones: [{ title: Wizard live, due: 2027-03-31 }]', 'milestones: [{ title: Wizard live, due: 2027-03-31 }, { title: Wizard live, due: 2027-04-30 }]')
      .replace('{ from: 2027-07-01, to: 2027-12-31, amount: 700000 }', '{ from: 2027-01-01, to: 2027-12-31, amount: 700000 }');
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': twice })).toEqual([
      'measures.yaml:12:70 governance.measures[0].milestones[1].title: duplicate milestone \'Wizard live\' (first at milestones[0]) — fix: give each milestone of a measure its own title',
      'measures.yaml:13:82 governance.measures[0].ebitdaPlan[1].from: a second plan for the period starting 2027-01-01 (first at ebitdaPlan[0]) — fix: one plan entry per period',
    ]);
    const dates = measure.replace('due: 2027-03-31', 'due: 2027-02-30').replace('to: 2027-12-31 }\n      milestones', 'to: 2026-12-31 }\n      milestones');
    expect(await issues({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': dates })).toEqual([
      "measures.yaml:11:63 governance.measures[0].plannedEbitda.to: ends before it starts (2027-01-01 to 2026-12-31) — fix: make `to` the last day of the period, on or after `from`",
      "measures.yaml:12:47 governance.measures[0].milestones[0].due: is not a calendar date (got '2027-02-30') — fix: write yyyy-mm-dd, quoted or not, e.g. 2027-03-31",
    ]);
  });

  it('warns when a driver route names a measure the hierarchy does not declare', async () => {
    const route = `drivers: [{ key: configuration/sso, name: SSO, owningFunction: engineering }]
routing:
  drivers:
    - { driver: configuration/sso, owner: olga@acme.example, measures: [m-sso, m-ssso] }
`;
    const result = await load({ 'org.yaml': org, 'hierarchy.yaml': hierarchy, 'measures.yaml': measure, 'routing.yaml': route });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(formatConfigIssues(result.warnings)).toBe(
      "routing.yaml:4:80 routing.drivers[0].measures[1]: names measure 'm-ssso', which is not declared under governance.measures (its items will not show against a measure) — fix: did you mean 'm-sso'? Otherwise declare the measure",
    );
  });
});
