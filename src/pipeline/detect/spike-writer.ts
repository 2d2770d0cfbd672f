import type pg from 'pg';
import { HOUR_MS } from '../../domain/detect/detector-settings.ts';
import type { OpenEpisode } from '../../domain/detect/detector-state.ts';
import { explainEvidence } from '../../domain/detect/explain.ts';
import type { CycleDecision } from '../../domain/detect/fleet-cycle.ts';
import { releaseFor, releaseWords } from '../../domain/intervention/grouping.ts';
import { raiseIntervention } from '../../store/intervention-repository.ts';
import type { RoutingContext } from '../../store/routing-context-repository.ts';
import { kpiEventContext } from '../../store/kpi-event-series.ts';
import { kpiById } from '../../store/kpi-definitions.ts';
import { routingDriverOf, type SeriesSubject } from '../../store/series-subject-repository.ts';
import { eventNoun } from '../../domain/kpi/kpi-events.ts';
import { moveSpikeStart, raiseSpike, resolveSpike, spikeContext, updateSpike } from '../../store/spike-repository.ts';
import type { DetectSummary } from './detect-organization.ts';

/** Writes spike rows for the decisions of one run: raise on open, update to the latest peak, resolve. */
export class SpikeWriter {
  private readonly client: pg.PoolClient;
  private readonly organizationId: string;
  private readonly subjects: Map<bigint, SeriesSubject>;
  private readonly timeZone: string;
  private readonly summary: DetectSummary;
  private readonly nowMs: number;
  private readonly routing: RoutingContext;

  constructor(client: pg.PoolClient, routing: RoutingContext, subjects: Map<bigint, SeriesSubject>, summary: DetectSummary, nowMs: number) {
    this.nowMs = nowMs;
    this.routing = routing;
    const organizationId = routing.organizationId;
    const timeZone = routing.timeZone;
    this.client = client;
    this.organizationId = organizationId;
    this.subjects = subjects;
    this.timeZone = timeZone;
    this.summary = summary;
  }

  async apply(decisions: readonly CycleDecision<bigint>[]): Promise<void> {
    // Updates: only the last of each series' episode matters.
    const lastUpdate = new Map<bigint, OpenEpisode>();
    for (const { id, decision } of decisions) {
      const episode = decision.episode;
      if (episode === null) continue;
      if (decision.action === 'open') await this.raise(id, episode);
      else if (decision.action === 'update') lastUpdate.set(id, episode);
      else if (decision.action === 'resolve') {
        const pending = lastUpdate.get(id);
        if (pending) await this.update(id, pending);
        lastUpdate.delete(id);
        await resolveSpike(this.client, this.organizationId, id, episode.sinceMs, decision.bucketMs + HOUR_MS);
        this.summary.resolved += 1;
      }
    }
    for (const [id, episode] of lastUpdate) await this.update(id, episode);
  }

  /**
   * A series decided afresh from its stored history (first seen, or its gates changed): only the
   * episode still open at the end is news. One that was open before keeps its spike and intervention
   * (moved to where the episode now begins); one the new decision no longer holds open is resolved.
   */
  async redecided(id: bigint, before: OpenEpisode | null, now: OpenEpisode | null): Promise<void> {
    if (before === null) {
      if (now !== null) await this.raise(id, now);
      return;
    }
    if (now === null) {
      await resolveSpike(this.client, this.organizationId, id, before.sinceMs, this.nowMs);
      this.summary.resolved += 1;
      return;
    }
    await moveSpikeStart(this.client, this.organizationId, id, before.sinceMs, now.sinceMs);
    await this.update(id, now);
  }

  async raise(id: bigint, episode: OpenEpisode): Promise<void> {
    const spike = await this.spikeOf(id, episode);
    const spikeId = await raiseSpike(this.client, spike);
    if (spikeId === null) return;
    this.summary.raised += 1;
    const subject = this.subjects.get(id);
    // The peak: what the explanation states.
    const o = episode.peak;
    const outcome = await raiseIntervention(this.client, this.routing, {
      spikeId, seriesId: id, seriesKey: subject?.key ?? String(id), driverKey: routingDriverOf(subject), subject: subjectName(subject),
      kpi: subject?.kpi ? { id: subject.kpi.id, key: subject.kpi.key, measureKey: subject.kpi.measureKey } : null,
      explanation: spike.explanation, pctChange: o.pctChange, extra: o.observed - o.expected, sinceMs: episode.sinceMs,
      exampleTicketIds: spike.exampleTickets, affectedCustomers: spike.affectedCustomers,
    }, this.nowMs);
    this.summary.interventions[outcome.kind] += 1;
  }

  private async update(id: bigint, episode: OpenEpisode): Promise<void> {
    await updateSpike(this.client, await this.spikeOf(id, episode));
    this.summary.updated += 1;
  }

  private async spikeOf(seriesId: bigint, episode: OpenEpisode) {
    const subject = this.subjects.get(seriesId);
    const context = subject?.kpi
      ? await kpiEventContext(this.client, await kpiById(this.client, subject.kpi.id), episode.sinceMs, episode.peak.windowEndMs)
      : await spikeContext(this.client, seriesId, episode.sinceMs, episode.peak.windowEndMs);
    const release = releaseFor(episode.sinceMs, this.routing.releases, this.routing.releaseWindowMs);
    const explanation = explainEvidence({
      subject: subjectName(subject), evidence: episode.peak, sinceMs: episode.sinceMs, timeZone: this.timeZone,
      ...(release ? { context: releaseWords(episode.sinceMs, release) } : {}),
    });
    return { organizationId: this.organizationId, seriesId, episode, explanation, detectedAtMs: this.nowMs, ...context };
  }
}

export const subjectName = (s: SeriesSubject | undefined): string =>
  s === undefined ? 'Unknown series' : s.kpi ? `${eventNoun(s.kpi.metric)} (KPI "${s.kpi.name}")` : s.driverKey === null ? `Unmatched tickets${s.connectorKey ? ` (${s.connectorKey})` : ''}` : (s.driverName ?? s.driverKey);
