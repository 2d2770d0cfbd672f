import { driverFamily } from './routing.ts';

/**
 * Related spikes share one item: those of one driver family (a KPI's spike joins its driver's family),
 * and — when a release explains their start — of one release and family. A spike names the latest release that went out no more than
 * the routing's release window before the spike began.
 */
export interface ReleaseEvent {
  id: string;
  key: string;
  name: string;
  releasedAtMs: number;
  products: readonly string[];
}

export function releaseFor(sinceMs: number, releases: readonly ReleaseEvent[], windowMs: number): ReleaseEvent | null {
  let best: ReleaseEvent | null = null;
  for (const r of releases) {
    if (r.releasedAtMs > sinceMs || sinceMs - r.releasedAtMs > windowMs) continue;
    if (best === null || r.releasedAtMs > best.releasedAtMs) best = r;
  }
  return best;
}

/** A spike's group: its driver's family; a KPI's spike without a driver to go by (kpi-threats.ts), its KPI. */
export function groupKeyOf(driverKey: string | null, release: ReleaseEvent | null, kpiKey: string | null = null): string {
  const own = driverKey === null && kpiKey !== null ? `kpi/${kpiKey}` : `family/${driverFamily(driverKey)}`;
  return release ? `release/${release.key}/${own}` : own;
}

/** "2 days after release 4.2", "5 hours after release 4.2". */
export function releaseWords(sinceMs: number, release: ReleaseEvent): string {
  const hours = Math.max(0, Math.floor((sinceMs - release.releasedAtMs) / 3_600_000));
  const days = Math.floor(hours / 24);
  const span = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${span} after release ${release.name}`;
}
