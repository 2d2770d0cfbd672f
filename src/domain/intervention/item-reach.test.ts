import { describe, expect, it } from 'vitest';
import { affectedCustomersOf } from './item-reach.ts';

describe("an item's affected customers", () => {
  const driver = (seriesKey: string, affectedCustomers: number) => ({ seriesKey, kpi: null, affectedCustomers });
  const kpi = (key: string, affectedCustomers: number) => ({ seriesKey: `kpi_events/${key}/v1`, kpi: key, affectedCustomers });

  it('adds up the drivers of a family, each series once at its largest', () => {
    expect(affectedCustomersOf([driver('driver_volume/zd/configuration/sso', 40), driver('driver_volume/zd/configuration/integrations', 9)])).toBe(49);
    expect(affectedCustomersOf([driver('driver_volume/zd/configuration/sso', 40), driver('driver_volume/zd/configuration/sso', 55)])).toBe(55);
  });

  it("never adds a KPI's signal to the drivers' whose tickets it reads", () => {
    expect(affectedCustomersOf([driver('driver_volume/zd/configuration/sso', 470), kpi('sso-tickets', 470)])).toBe(470);
    // A family KPI reads more than the one driver that spiked.
    expect(affectedCustomersOf([driver('driver_volume/zd/configuration/sso', 40), kpi('config-contacts', 61)])).toBe(61);
    expect(affectedCustomersOf([kpi('enterprise-tickets', 12), kpi('enterprise-tickets', 15)])).toBe(15);
    expect(affectedCustomersOf([])).toBe(0);
  });
});
