import type pg from 'pg';
import type { DualStatus } from '../domain/measure/dual-status.ts';
import {
  type EbitdaRow, listMeasureRows, type MeasureRow, measurePlaces, type MilestoneRow, type OpenIntervention, openInterventions, partsOf, type PlacedMeasure, statusOf,
} from './measure-repository.ts';
import { type HierarchyNodes, hierarchyNodes } from './hierarchy-queries.ts';

/**
 * Everything the organization-wide governance reads (executive summary, hierarchy) compute from:
 * every measure with its milestones, EBITDA entries and place in the hierarchy, the nodes above the
 * measures, and the open items.
 * Reading and parsing it is most of such a request (about 45k rows at 5,000 measures: bench/api.ts),
 * so an API process keeps it for a few seconds per organization; its own writes to measures drop it
 * at once (read-your-writes), other writers (other processes, config apply, the detect stage) show
 * within `ttlMs`.
 */
export interface GovernanceSnapshot {
  measures: MeasureRow[];
  milestones: Map<string, MilestoneRow[]>;
  ebitda: Map<string, EbitdaRow[]>;
  places: Map<string, PlacedMeasure>;
  openItems: OpenIntervention[];
  /** The nodes above the measures. */
  nodes: HierarchyNodes;
  /** Every measure's dual status as of a day (computed once per day asked, by measure id). */
  statusesAsOf(asOf: string): Map<string, DualStatus>;
}

export async function loadGovernanceSnapshot(client: pg.PoolClient, organizationId: string): Promise<GovernanceSnapshot> {
  const measures = await listMeasureRows(client, organizationId);
  const { milestones, ebitda } = await partsOf(client, measures);
  const places = await measurePlaces(client, organizationId);
  const openItems = await openInterventions(client, organizationId);
  const nodes = await hierarchyNodes(client, organizationId);
  const byDay = new Map<string, Map<string, DualStatus>>();
  const statusesAsOf = (asOf: string): Map<string, DualStatus> => {
    let statuses = byDay.get(asOf);
    if (!statuses) {
      statuses = new Map(measures.map((m) => [m.id, statusOf(m, milestones.get(m.id) ?? [], ebitda.get(m.id) ?? [], asOf)]));
      byDay.set(asOf, statuses);
    }
    return statuses;
  };
  return { measures, milestones, ebitda, places, openItems, nodes, statusesAsOf };
}

export const DEFAULT_SNAPSHOT_TTL_MS = 5_000;

export class GovernanceSnapshots {
  private readonly entries = new Map<string, { atMs: number; snapshot: Promise<GovernanceSnapshot> }>();
  private readonly ttlMs: number;

  constructor(ttlMs = DEFAULT_SNAPSHOT_TTL_MS) {
    this.ttlMs = ttlMs;
  }

  /**
   * The organization's snapshot, read now or at most `ttlMs` ago by the process's own clock (not the
   * service clock, which a test or a simulation may hold still); concurrent requests share one read.
   */
  get(organizationId: string, load: () => Promise<GovernanceSnapshot>): Promise<GovernanceSnapshot> {
    const nowMs = performance.now();
    const entry = this.entries.get(organizationId);
    if (entry && nowMs - entry.atMs < this.ttlMs) return entry.snapshot;
    const snapshot = load();
    this.entries.set(organizationId, { atMs: nowMs, snapshot });
    // A failed read is not kept: the next request tries again.
    snapshot.catch(() => {
      if (this.entries.get(organizationId)?.snapshot === snapshot) this.entries.delete(organizationId);
    });
    return snapshot;
  }

  invalidate(organizationId: string): void {
    this.entries.delete(organizationId);
  }
}
