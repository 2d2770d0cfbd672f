import type { DualStatus, OverallState } from './dual-status.ts';

/** What a hierarchy node holds of its measures: how many in each overall state, and their EBITDA against plan. */
export interface Rollup {
  measures: number;
  byState: Partial<Record<OverallState, number>>;
  plan: number;
  realised: number;
  forecastAtCompletion: number;
  /** forecastAtCompletion / plan (null without a plan). */
  forecastShare: number | null;
  /** Measures in the gap state: milestones on track, money missing. */
  gaps: number;
}

export function rollup(statuses: readonly DualStatus[]): Rollup {
  const byState: Partial<Record<OverallState, number>> = {};
  let plan = 0;
  let realised = 0;
  let forecast = 0;
  for (const s of statuses) {
    byState[s.overall] = (byState[s.overall] ?? 0) + 1;
    plan += s.value.plan;
    realised += s.value.realised;
    forecast += s.value.forecastAtCompletion;
  }
  return { measures: statuses.length, byState, plan, realised, forecastAtCompletion: forecast, forecastShare: plan > 0 ? forecast / plan : null, gaps: byState.gap ?? 0 };
}
