import type { Decision } from './detector-state.ts';
import { admitByFalseDiscoveryRate } from './fleet-control.ts';
import type { SeriesDetector } from './series-detector.ts';

/**
 * One detection cycle over many series, bucket by bucket in time order: every series that has the
 * bucket is assessed, the proposed openings of that bucket pass the fleet-wide control together
 * (fleet-control.ts), and each series commits. Pure: the caller rebuilt the detectors from stored
 * state and history, and stores what comes back.
 */
export interface CycleSeries<Id> {
  id: Id;
  detector: SeriesDetector;
  /** The series' values from the detector's origin; those before `next` were primed already. */
  values: ArrayLike<number>;
  next: number;
}

export interface CycleDecision<Id> {
  id: Id;
  decision: Decision;
}

/** `fleetSize`: how many series the whole cycle evaluates, when this call holds only some of them. */
export function runCycle<Id>(series: readonly CycleSeries<Id>[], falseDiscoveryRate: number, fleetSize = 0): CycleDecision<Id>[] {
  const out: CycleDecision<Id>[] = [];
  const pending = series.filter((s) => s.next < s.values.length);
  const timeOf = (s: CycleSeries<Id>): number => s.detector.msOf(s.next);
  while (pending.length > 0) {
    const t = pending.reduce((min, s) => Math.min(min, timeOf(s)), Number.POSITIVE_INFINITY);
    const active = pending.filter((s) => timeOf(s) === t);
    const assessments = active.map((s) => s.detector.assess(s.values[s.next] ?? 0));
    const proposals = assessments.map((a, j) => (a.candidate !== null && active[j]?.detector.state.episode === null ? a.candidate.pValue : null));
    const tested = Math.max(fleetSize, assessments.filter((a) => !a.warming).length);
    const admitted = admitByFalseDiscoveryRate(proposals, tested, falseDiscoveryRate);
    active.forEach((s, j) => {
      const a = assessments[j];
      if (a === undefined) return;
      out.push({ id: s.id, decision: s.detector.commit(a, admitted[j] === true) });
      s.next += 1;
    });
    for (let k = pending.length - 1; k >= 0; k--) if ((pending[k]?.next ?? 0) >= (pending[k]?.values.length ?? 0)) pending.splice(k, 1);
  }
  return out;
}
