import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DEFAULT_DETECTOR_SETTINGS, type DetectorSettings, HOUR_MS, WEEK_MS } from '../../domain/detect/detector-settings.ts';
import type { OpenEpisode } from '../../domain/detect/detector-state.ts';
import { type CycleSeries, runCycle } from '../../domain/detect/fleet-cycle.ts';
import { SeriesBuffer } from '../../domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../domain/detect/series-detector.ts';
import type { Logger } from '../../observability/logger.ts';
import { loadDetectorStates, saveDetectorStates, seriesWithOpenEpisodes, type StoredDetectorState } from '../../store/detector-state-repository.ts';
import { recordSeriesChanges, takeSeriesChanges } from '../../store/series-change-sql.ts';
import { readSeriesHistory } from '../../store/series-history-repository.ts';
import type { RaiseOutcome } from '../../store/intervention-repository.ts';
import { runFollowUps } from '../../store/intervention-follow-up.ts';
import { loadRoutingContext } from '../../store/routing-context-repository.ts';
import { connectorsOf, connectorsSyncing, routingDriverOf, seriesSubjects } from '../../store/series-subject-repository.ts';
import { SpikeWriter } from './spike-writer.ts';
import type { FollowUp } from '../../domain/intervention/follow-up.ts';
import { routeMatch, type Route } from '../../domain/intervention/routing.ts';
import { inTransaction } from '../../store/transaction.ts';

/**
 * The detect stage for one organization (runs after aggregation, as the `detect` job): evaluates
 * the series that changed since its last run (the "series changed" facts it takes) and those with
 * an open episode, over every hour closed since each was last decided, and raises, updates or
 * resolves their spikes — in one transaction with the facts it consumed and the detector states it
 * stores, so a crash repeats the run and a replayed page or a second run raises nothing new.
 *
 * An hour is closed `settleMs` after it ends (tickets created in it are still arriving). Facts
 * about hours not closed yet are handed back for the next run. A series seen for the first time is
 * warmed up over its stored history (up to five weeks) and raises only the episode still open at
 * its end; `frontline detect replay` reports the rest. While a connector syncs (a back-fill brings
 * history older than what would be decided), its series wait — a KPI's event series for every
 * connector the KPI reads; the sync job requests a run when done.
 */
export interface DetectDeps {
  pool: pg.Pool;
  logger: Logger;
  now?: () => number;
  settings?: DetectorSettings;
  settleMs?: number;
  /** Fleet-wide false discovery rate (fleet-control.ts). */
  falseDiscoveryRate?: number;
}

export interface DetectSummary {
  evaluated: number;
  /** Series that changed but wait for their connector's running sync. */
  deferred: number;
  decisions: number;
  /** Spikes raised, updated, resolved. */
  raised: number;
  updated: number;
  resolved: number;
  /** What the raised spikes did to intervention items. */
  interventions: Record<RaiseOutcome['kind'], number>;
  followUps: Record<FollowUp, number>;
}

export const DEFAULT_SETTLE_MS = 10 * 60_000;
export const DEFAULT_FALSE_DISCOVERY_RATE = 0.05;
const LOCK_SPACE = 0x46_4c_44_54; // "FLDT"
export const CHUNK_SERIES = 1000;

export const settingsHash = (settings: DetectorSettings): string => createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);

/**
 * A series' detector settings: the defaults with its driver route's gates (config `routing.drivers[].detection`).
 * Other settings than a state was learned under start it afresh (the hash is stored with it).
 */
export function settingsFor(base: DetectorSettings, route: Route | undefined): { settings: DetectorSettings; hash: string } {
  const settings = { ...base, ...(route?.detection ?? {}) };
  return { settings, hash: settingsHash(settings) };
}

export async function detectOrganization(deps: DetectDeps, organizationId: string): Promise<DetectSummary> {
  const settings = deps.settings ?? DEFAULT_DETECTOR_SETTINGS;
  const nowMs = deps.now?.() ?? Date.now();
  const closedUntil = Math.floor((nowMs - (deps.settleMs ?? DEFAULT_SETTLE_MS)) / HOUR_MS) * HOUR_MS;
  const summary: DetectSummary = {
    evaluated: 0, deferred: 0, decisions: 0, raised: 0, updated: 0, resolved: 0,
    interventions: { raised: 0, joined: 0, reopened: 0, silenced: 0, known: 0 },
    followUps: { escalate: 0, remind: 0, agenda: 0, verify: 0, reopen: 0 },
  };
  await inTransaction(deps.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, organizationId]);
    // Short, index-driven reads: JIT compilation cost more than the queries (bench/detection.ts).
    await client.query('SET LOCAL jit = off');
    const changes = await takeSeriesChanges(client, organizationId);
    const candidates = [...new Set([...changes.map((c) => c.seriesId), ...(await seriesWithOpenEpisodes(client, organizationId))])];
    const subjects = await seriesSubjects(client, organizationId, candidates);
    // Series of a connector still syncing wait (their facts are handed back whole); the others hand
    // back only the facts about hours not closed yet.
    const syncing = await connectorsSyncing(client, organizationId);
    const waits = (id: bigint): boolean => connectorsOf(subjects.get(id)).some((c) => syncing.has(c));
    await recordSeriesChanges(client, organizationId, changes.map((c) => ({ seriesId: c.seriesId, buckets: waits(c.seriesId) ? c.buckets : c.buckets.filter((b) => b >= closedUntil) })));
    // Drivers' series first: a KPI's spike in the same hour as its driver's joins the driver's item
    // (titled by the driver) rather than opening it.
    const ids = candidates.filter((id) => !waits(id)).sort((a, b) => (subjects.get(a)?.kpi ? 1 : 0) - (subjects.get(b)?.kpi ? 1 : 0));
    summary.deferred = candidates.length - ids.length;
    if (ids.length === 0) {
      summary.followUps = await runFollowUps(client, await loadRoutingContext(client, organizationId), nowMs);
      return;
    }
    const routing = await loadRoutingContext(client, organizationId);
    const write = new SpikeWriter(client, routing, subjects, summary, nowMs);
    const fromMs = closedUntil - (settings.seasonWeeks + 1) * WEEK_MS;
    // In chunks, so memory stays bounded however many series changed (five weeks of a series are
    // 7 KB in memory, and more as rows on their way); fleet control still counts every series.
    const buffers: SeriesBuffer[] = [];
    for (let at = 0; at < ids.length; at += CHUNK_SERIES) {
      const chunk = ids.slice(at, at + CHUNK_SERIES);
      const stored = await loadDetectorStates(client, chunk);
      const history = await readSeriesHistory(client, chunk, fromMs, closedUntil);
      const runs: (CycleSeries<bigint> & { fresh: boolean; before: OpenEpisode | null; hash: string })[] = [];
      for (const id of chunk) {
        const values = history.get(id)?.values;
        const subject = subjects.get(id);
        if (!values || !subject || subject.firstPointMs === null) continue;
        const tuned = settingsFor(settings, routeMatch(routingDriverOf(subject), routing.routes));
        const saved = stored.get(id);
        const state = saved?.settingsHash === tuned.hash ? saved.state : undefined;
        const originMs = Math.max(fromMs, Math.floor(subject.firstPointMs / HOUR_MS) * HOUR_MS);
        const own = values.subarray(Math.round((originMs - fromMs) / HOUR_MS));
        // One buffer per slot of the chunk, reused by the next chunk's series in that slot.
        const buffer = (buffers[runs.length] ??= new SeriesBuffer(own.length + 1)).reset(own.length + 1);
        const detector = new SeriesDetector(tuned.settings, originMs, state, buffer);
        const last = state?.lastBucketMs ?? null;
        const next = last === null ? 0 : Math.min(own.length, Math.max(0, Math.floor((last - originMs) / HOUR_MS) + 1));
        detector.prime(own, next);
        runs.push({ id, detector, values: own, next, fresh: state === undefined, before: state === undefined ? (saved?.state.episode ?? null) : null, hash: tuned.hash });
      }
      const decisions = runCycle(runs, deps.falseDiscoveryRate ?? DEFAULT_FALSE_DISCOVERY_RATE, ids.length);
      summary.evaluated += runs.length;
      summary.decisions += decisions.length;
      const fresh = new Set(runs.filter((r) => r.fresh).map((r) => r.id));
      await write.apply(decisions.filter((d) => !fresh.has(d.id)));
      // A series seen for the first time raises only the episode still open after its warm-up; one
      // whose gates changed carries its open spike over to its new decision.
      for (const run of runs) if (run.fresh) await write.redecided(run.id, run.before, run.detector.state.episode);
      const states: StoredDetectorState[] = runs.map((r) => ({ seriesId: r.id, settingsHash: r.hash, state: r.detector.state }));
      await saveDetectorStates(client, organizationId, states);
    }
    summary.followUps = await runFollowUps(client, routing, nowMs);
  });
  if (summary.raised + summary.resolved > 0) deps.logger.info({ organizationId, ...summary }, 'spike detection: episodes raised or resolved');
  return summary;
}
