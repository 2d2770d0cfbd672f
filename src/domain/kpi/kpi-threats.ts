/**
 * Which KPIs — and the measures they hang on — a driver's spike threatens: every active KPI whose
 * driver filter names the driver or a family of it (`configuration/` holds `configuration/sso`).
 * A KPI without a driver filter reads every ticket; it is not named for each driver's spike (it would
 * be named by all of them), only through a route's explicit links. Pure: the store lists the KPIs.
 */
export interface KpiReach {
  key: string;
  /** The KPI's driver filter: keys, and families ending in `/`. */
  drivers: readonly string[];
  /** The measure the KPI hangs on (null for a KPI on a higher node). */
  measureKey: string | null;
}

export interface Threatened {
  measures: string[];
  kpis: string[];
}

export const filterReadsDriver = (filter: string, driverKey: string): boolean => filter === driverKey || (filter.endsWith('/') && driverKey.startsWith(filter));

export function threatenedByDriver(driverKey: string | null, kpis: readonly KpiReach[]): Threatened {
  if (driverKey === null) return { measures: [], kpis: [] };
  const reading = kpis.filter((k) => k.drivers.some((f) => filterReadsDriver(f, driverKey)));
  return { kpis: reading.map((k) => k.key), measures: reading.flatMap((k) => (k.measureKey === null ? [] : [k.measureKey])) };
}

/**
 * The driver a KPI's spikes are routed, grouped and silenced by: the one entry of its driver filter
 * (a key or a family), else none (the KPI's spikes are then an item of their own, for the default owner).
 */
export const kpiRoutingDriver = (drivers: readonly string[]): string | null => (drivers.length === 1 ? (drivers[0] ?? null) : null);

/** Both lists merged, each key once, in key order. */
export function mergeThreats(...lists: readonly { measures: readonly string[]; kpis: readonly string[] }[]): Threatened {
  const sorted = (keys: readonly string[]): string[] => [...new Set(keys)].sort();
  return { measures: sorted(lists.flatMap((t) => t.measures)), kpis: sorted(lists.flatMap((t) => t.kpis)) };
}
