/**
 * How many customers an item's signals touch, without counting one set of tickets twice: a series
 * raising several signals (episodes, horizons) counts its largest; the drivers' series count
 * different tickets, so they add up (an account in two of them counts in each); a KPI's series
 * counts tickets the drivers' may hold too, so it stands alone — the item touches at least as many as
 * its widest KPI signal or its drivers together, whichever is more. Pure.
 */
export interface SignalReach {
  seriesKey: string | null;
  /** The KPI whose event series raised it (null for a driver's series). */
  kpi: string | null;
  affectedCustomers: number;
}

export function affectedCustomersOf(signals: readonly SignalReach[]): number {
  const bySeries = new Map<string, { kpi: boolean; customers: number }>();
  for (const [i, s] of signals.entries()) {
    const key = s.seriesKey ?? `#${i}`;
    const seen = bySeries.get(key);
    bySeries.set(key, { kpi: s.kpi !== null, customers: Math.max(seen?.customers ?? 0, s.affectedCustomers) });
  }
  let drivers = 0;
  let widestKpi = 0;
  for (const { kpi, customers } of bySeries.values()) {
    if (kpi) widestKpi = Math.max(widestKpi, customers);
    else drivers += customers;
  }
  return Math.max(drivers, widestKpi);
}
