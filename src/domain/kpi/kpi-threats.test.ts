import { describe, expect, it } from 'vitest';
import { kpiRoutingDriver, mergeThreats, threatenedByDriver } from './kpi-threats.ts';

describe('what a driver spike threatens through KPI filters', () => {
  const kpis = [
    { key: 'sso-tickets', drivers: ['configuration/sso'], measureKey: 'm-sso' },
    { key: 'config-contacts', drivers: ['configuration/'], measureKey: 'm-config' },
    { key: 'config-org', drivers: ['billing/invoice', 'configuration/'], measureKey: null },
    { key: 'prefix-without-slash', drivers: ['config'], measureKey: 'm-other' },
    { key: 'integrations', drivers: ['configuration/integrations'], measureKey: 'm-int' },
  ];

  it('names the KPIs whose filter holds the driver or its family, and the measures they hang on', () => {
    expect(threatenedByDriver('configuration/sso', kpis)).toEqual({ kpis: ['sso-tickets', 'config-contacts', 'config-org'], measures: ['m-sso', 'm-config'] });
    expect(threatenedByDriver('billing/refund', kpis)).toEqual({ kpis: [], measures: [] });
    expect(threatenedByDriver(null, kpis)).toEqual({ kpis: [], measures: [] });
  });

  it('merges explicit links with filter links, each key once, sorted', () => {
    expect(mergeThreats({ measures: ['m-sso', 'm-a'], kpis: ['sso-tickets'] }, { measures: ['m-sso'], kpis: ['config-contacts', 'sso-tickets'] }))
      .toEqual({ measures: ['m-a', 'm-sso'], kpis: ['config-contacts', 'sso-tickets'] });
  });

  it("routes a KPI's spike by its driver filter's one entry, else by none", () => {
    expect(kpiRoutingDriver(['configuration/sso'])).toBe('configuration/sso');
    expect(kpiRoutingDriver(['configuration/'])).toBe('configuration/');
    expect(kpiRoutingDriver(['configuration/sso', 'billing/invoice'])).toBeNull();
    expect(kpiRoutingDriver([])).toBeNull();
  });
});
