import { DEFAULT_DETECTOR_SETTINGS, HOUR_MS, WEEK_MS } from '../../domain/detect/detector-settings.ts';
import { explainEvidence } from '../../domain/detect/explain.ts';
import { type CycleSeries, runCycle } from '../../domain/detect/fleet-cycle.ts';
import { SeriesBuffer } from '../../domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../domain/detect/series-detector.ts';
import { releaseFor, releaseWords } from '../../domain/intervention/grouping.ts';
import { routeMatch } from '../../domain/intervention/routing.ts';
import { loadRoutingContext } from '../../store/routing-context-repository.ts';
import { readSeriesHistory } from '../../store/series-history-repository.ts';
import { organizationSeriesIds, routingDriverOf, seriesSubjects } from '../../store/series-subject-repository.ts';
import { inTransaction } from '../../store/transaction.ts';
import { DEFAULT_FALSE_DISCOVERY_RATE, DEFAULT_SETTLE_MS, type DetectDeps, type DetectSummary, settingsFor } from './detect-organization.ts';
import { SpikeWriter, subjectName } from './spike-writer.ts';

/**
 * `frontline detect replay --since <date>`: the detector, from scratch, over the stored history of
 * every series of an organization (warmed up on the weeks before `since`), reporting each episode it
 * would have opened from `since` on — with the explanation it would have given — and, only when
 * asked (`raise`), raising their spikes and items. Stored detector states are not touched.
 */
export interface ReplayedEpisode {
  seriesKey: string;
  subject: string;
  openedAt: string;
  since: string;
  resolvedAt: string | null;
  explanation: string;
}

export interface ReplayReport {
  from: string;
  until: string;
  series: number;
  episodes: ReplayedEpisode[];
  raised: DetectSummary | null;
}

export async function replayDetection(deps: DetectDeps, organizationId: string, options: { sinceMs: number; raise: boolean }): Promise<ReplayReport> {
  const settings = deps.settings ?? DEFAULT_DETECTOR_SETTINGS;
  const nowMs = deps.now?.() ?? Date.now();
  const until = Math.floor((nowMs - (deps.settleMs ?? DEFAULT_SETTLE_MS)) / HOUR_MS) * HOUR_MS;
  const since = Math.floor(options.sinceMs / HOUR_MS) * HOUR_MS;
  return inTransaction(deps.pool, async (client) => {
    const ids = await organizationSeriesIds(client, organizationId);
    const subjects = await seriesSubjects(client, organizationId, ids);
    const fromMs = since - (settings.seasonWeeks + 1) * WEEK_MS;
    const history = await readSeriesHistory(client, ids, fromMs, until);
    const routing = await loadRoutingContext(client, organizationId);
    const runs: CycleSeries<bigint>[] = [];
    for (const id of ids) {
      const first = subjects.get(id)?.firstPointMs;
      const values = history.get(id)?.values;
      if (first === null || first === undefined || !values) continue;
      const originMs = Math.max(fromMs, Math.floor(first / HOUR_MS) * HOUR_MS);
      const own = values.subarray(Math.round((originMs - fromMs) / HOUR_MS));
      const tuned = settingsFor(settings, routeMatch(routingDriverOf(subjects.get(id)), routing.routes)).settings;
      runs.push({ id, detector: new SeriesDetector(tuned, originMs, undefined, new SeriesBuffer(own.length + 1)), values: own, next: 0 });
    }
    const decisions = runCycle(runs, deps.falseDiscoveryRate ?? DEFAULT_FALSE_DISCOVERY_RATE).filter((d) => d.decision.bucketMs >= since);
    const episodes = new Map<string, ReplayedEpisode>();
    for (const { id, decision } of decisions) {
      const episode = decision.episode;
      if (episode === null) continue;
      const key = `${id}/${episode.sinceMs}`;
      if (decision.action === 'open') {
        const subject = subjects.get(id);
        const release = releaseFor(episode.sinceMs, routing.releases, routing.releaseWindowMs);
        episodes.set(key, {
          seriesKey: subject?.key ?? String(id), subject: subjectName(subject), openedAt: iso(decision.bucketMs + HOUR_MS), since: iso(episode.sinceMs), resolvedAt: null,
          explanation: explainEvidence({ subject: subjectName(subject), evidence: episode.opening, sinceMs: episode.sinceMs, timeZone: routing.timeZone, ...(release ? { context: releaseWords(episode.sinceMs, release) } : {}) }),
        });
      } else if (decision.action === 'resolve') {
        const known = episodes.get(key);
        if (known) known.resolvedAt = iso(decision.bucketMs + HOUR_MS);
      }
    }
    let raised: DetectSummary | null = null;
    if (options.raise) {
      raised = {
        evaluated: runs.length, deferred: 0, decisions: decisions.length, raised: 0, updated: 0, resolved: 0,
        interventions: { raised: 0, joined: 0, reopened: 0, silenced: 0, known: 0 }, followUps: { escalate: 0, remind: 0, agenda: 0, verify: 0, reopen: 0 },
      };
      await new SpikeWriter(client, routing, subjects, raised, nowMs).apply(decisions);
    }
    return { from: iso(since), until: iso(until), series: runs.length, episodes: [...episodes.values()], raised };
  });
}

const iso = (ms: number): string => new Date(ms).toISOString();
