import { describe, expect, it } from 'vitest';
import { groupKeyOf, releaseFor, releaseWords } from './grouping.ts';
import { routeFor, type Person } from './routing.ts';

const people: Person[] = [
  { id: '1', email: 'ana@acme.example', name: 'Ana', functions: ['engineering'], escalateTo: 'ben@acme.example' },
  { id: '2', email: 'ben@acme.example', name: 'Ben', functions: ['engineering', 'operations'], escalateTo: null },
  { id: '3', email: 'pia@acme.example', name: 'Pia', functions: ['product'], escalateTo: null },
];
const routes = [
  { driverPrefix: 'configuration/', ownerEmail: 'ben@acme.example', functions: ['engineering'], measures: [], kpis: [] },
  { driverPrefix: 'configuration/sso', ownerEmail: 'ana@acme.example', functions: ['engineering', 'product', 'operations', 'legal'], measures: ['m-sso'], kpis: ['k-sso'] },
];

describe('routing', () => {
  it('takes the most specific route: its owner, a participant per function, its measures and KPIs', () => {
    const r = routeFor('configuration/sso', routes, { ownerEmail: null, functions: [] }, people);
    expect(r.owner?.name).toBe('Ana');
    expect(r.participants.map((p) => [p.function, p.person?.name ?? null])).toEqual([['engineering', 'Ana'], ['product', 'Pia'], ['operations', 'Ben'], ['legal', null]]);
    expect([r.measures, r.kpis, r.matched]).toEqual([['m-sso'], ['k-sso'], 'configuration/sso']);
    expect(routeFor('configuration/integrations', routes, { ownerEmail: null, functions: [] }, people).owner?.name).toBe('Ben');
  });

  it('falls back to the default route, or to nobody', () => {
    expect(routeFor('billing/refund', routes, { ownerEmail: 'pia@acme.example', functions: ['product'] }, people)).toMatchObject({ owner: { name: 'Pia' }, matched: 'default' });
    expect(routeFor('billing/refund', routes, { ownerEmail: null, functions: [] }, people)).toMatchObject({ owner: null, matched: null, participants: [] });
  });
});

describe('grouping by release and driver family', () => {
  const releases = [
    { id: 'r1', key: '4.1', name: '4.1', releasedAtMs: Date.parse('2026-02-01T10:00:00Z'), products: [] },
    { id: 'r2', key: '4.2', name: '4.2', releasedAtMs: Date.parse('2026-02-23T10:00:00Z'), products: [] },
  ];
  it('names the latest release within the window before the spike began', () => {
    const since = Date.parse('2026-02-25T09:00:00Z');
    const release = releaseFor(since, releases, 3 * 86_400_000);
    expect(release?.key).toBe('4.2');
    expect(releaseWords(since, release ?? releases[0]!)).toBe('1 day after release 4.2');
    expect(releaseFor(Date.parse('2026-03-10T00:00:00Z'), releases, 3 * 86_400_000)).toBeNull();
    expect(releaseFor(Date.parse('2026-02-23T09:00:00Z'), releases, 3 * 86_400_000)).toBeNull();
  });

  it('groups a release with a driver family, otherwise the family alone', () => {
    expect(groupKeyOf('configuration/sso', releases[1] ?? null)).toBe('release/4.2/family/configuration');
    expect(groupKeyOf('configuration/integrations', null)).toBe('family/configuration');
    expect(groupKeyOf(null, null)).toBe('family/unmatched');
    // A KPI's spike goes by its driver when it reads one, else by the KPI.
    expect(groupKeyOf('configuration/', null, 'config-contacts')).toBe('family/configuration');
    expect(groupKeyOf(null, null, 'enterprise-tickets')).toBe('kpi/enterprise-tickets');
    expect(groupKeyOf(null, releases[1] ?? null, 'enterprise-tickets')).toBe('release/4.2/kpi/enterprise-tickets');
  });
});
