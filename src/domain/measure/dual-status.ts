import type { MeasureStage } from './stage-gates.ts';

/**
 * A measure's dual status, computed (never typed in) from its stage, milestones and EBITDA entries:
 * - implementation: how far it is and whether its milestones keep their dates;
 * - value: realised EBITDA (controller-confirmed actuals only) and the forecast at completion
 *   against plan, in bands;
 * - the gap: milestones on track (or done) while the money is not — its own state, so that
 *   "green milestones, missing money" is flagged, never averaged away.
 *
 * The forecast at completion takes, per period, the confirmed actual, else the forecast, else — only
 * for a period not yet ended — its plan; a period that ended with neither contributes nothing. Without
 * plan entries per period, the measure's planned EBITDA is the plan of its whole period.
 */
export interface StatusBands {
  /** Forecast (and realised to date) at or above this share of plan: green; at or above `amber`: amber; below: red. */
  green: number;
  amber: number;
  /** Share of milestones overdue up to which implementation is at risk rather than off track. */
  lateAtRisk: number;
}

export const DEFAULT_STATUS_BANDS: StatusBands = { green: 0.95, amber: 0.8, lateAtRisk: 0.34 };

export interface MilestoneInput {
  title: string;
  /** ISO date (yyyy-mm-dd). */
  dueDate: string;
  done: boolean;
}

export interface EbitdaInput {
  kind: 'plan' | 'forecast' | 'actual';
  /** ISO dates of the period. */
  periodStart: string;
  periodEnd: string;
  amount: number;
  confirmed: boolean;
}

export interface StatusInput {
  stage: MeasureStage;
  /** The measure's planned EBITDA over its period: the plan when no plan entries per period exist. */
  plannedEbitda: { amount: number; periodStart: string; periodEnd: string } | null;
  milestones: readonly MilestoneInput[];
  ebitda: readonly EbitdaInput[];
  /** The day the status is for (ISO date). */
  asOf: string;
  bands?: StatusBands;
}

export type ImplementationState = 'not_started' | 'on_track' | 'at_risk' | 'off_track' | 'done' | 'on_hold';
export type ValueState = 'no_plan' | 'green' | 'amber' | 'red';
export type OverallState = 'on_track' | 'at_risk' | 'off_track' | 'gap' | 'on_hold' | 'closed';

export interface DualStatus {
  implementation: {
    state: ImplementationState;
    stage: MeasureStage;
    milestonesDone: number;
    milestonesTotal: number;
    overdue: string[];
  };
  value: {
    state: ValueState;
    plan: number;
    planToDate: number;
    realised: number;
    /** Actuals entered but not yet confirmed by the controller (not counted as realised). */
    awaitingConfirmation: number;
    forecastAtCompletion: number;
    /** forecastAtCompletion / plan (null without a plan). */
    forecastShare: number | null;
    /** realised / planToDate (null before any planned period has ended). */
    realisedShareToDate: number | null;
  };
  /** Milestones on track or done while the value is amber or red. */
  gap: boolean;
  overall: OverallState;
  /** Plain words for a person: why the state is what it is. */
  reasons: string[];
}

export function dualStatus(input: StatusInput): DualStatus {
  const bands = input.bands ?? DEFAULT_STATUS_BANDS;
  const implementation = implementationOf(input, bands);
  const value = valueOf(input, bands);
  const reasons: string[] = [];
  if (implementation.overdue.length > 0) reasons.push(`${implementation.overdue.length} milestone${implementation.overdue.length === 1 ? '' : 's'} overdue: ${implementation.overdue.join(', ')}`);
  if (value.state === 'amber' || value.state === 'red') {
    reasons.push(`EBITDA forecast ${pct(value.forecastShare)} of plan${value.realisedShareToDate === null ? '' : `, realised ${pct(value.realisedShareToDate)} of plan to date`}`);
  }
  if (value.awaitingConfirmation > 0) reasons.push(`${money(value.awaitingConfirmation)} of actuals await the controller's confirmation`);
  if (value.state === 'no_plan') reasons.push('no EBITDA plan');
  const implementationGreen = implementation.state === 'on_track' || implementation.state === 'done';
  const gap = implementationGreen && (value.state === 'amber' || value.state === 'red');
  if (gap) reasons.unshift('milestones on track but the money is missing');
  const overall: OverallState =
    input.stage === 'closed' ? 'closed'
      : input.stage === 'on_hold' ? 'on_hold'
        : gap ? 'gap'
          : implementation.state === 'off_track' || value.state === 'red' ? 'off_track'
            : implementation.state === 'at_risk' || value.state === 'amber' ? 'at_risk'
              : 'on_track';
  return { implementation, value, gap, overall, reasons };
}

function implementationOf(input: StatusInput, bands: StatusBands): DualStatus['implementation'] {
  const total = input.milestones.length;
  const done = input.milestones.filter((m) => m.done).length;
  const overdue = input.milestones.filter((m) => !m.done && m.dueDate < input.asOf).map((m) => m.title);
  const state: ImplementationState =
    input.stage === 'on_hold' ? 'on_hold'
      : input.stage === 'implemented' || input.stage === 'closed' || (total > 0 && done === total) ? 'done'
        : total === 0 ? 'not_started'
          : overdue.length === 0 ? 'on_track'
            : overdue.length / total <= bands.lateAtRisk ? 'at_risk'
              : 'off_track';
  return { state, stage: input.stage, milestonesDone: done, milestonesTotal: total, overdue };
}

function valueOf(input: StatusInput, bands: StatusBands): DualStatus['value'] {
  const periods = new Map<string, { end: string; plan: number | null; forecast: number | null; confirmed: number | null; unconfirmed: number }>();
  const planned = input.plannedEbitda;
  const entries: EbitdaInput[] = [...input.ebitda];
  if (planned !== null && !entries.some((e) => e.kind === 'plan')) entries.push({ kind: 'plan', ...planned, confirmed: false });
  for (const e of entries) {
    const p = periods.get(e.periodStart) ?? { end: e.periodEnd, plan: null, forecast: null, confirmed: null, unconfirmed: 0 };
    if (e.kind === 'plan') p.plan = (p.plan ?? 0) + e.amount;
    else if (e.kind === 'forecast') p.forecast = (p.forecast ?? 0) + e.amount;
    else if (e.confirmed) p.confirmed = (p.confirmed ?? 0) + e.amount;
    else p.unconfirmed += e.amount;
    periods.set(e.periodStart, p);
  }
  let plan = 0;
  let planToDate = 0;
  let realised = 0;
  let awaiting = 0;
  let forecast = 0;
  for (const p of periods.values()) {
    const ended = p.end < input.asOf;
    plan += p.plan ?? 0;
    if (ended) planToDate += p.plan ?? 0;
    realised += p.confirmed ?? 0;
    awaiting += p.unconfirmed;
    forecast += p.confirmed ?? p.forecast ?? (ended ? 0 : (p.plan ?? 0));
  }
  const forecastShare = plan > 0 ? forecast / plan : null;
  const realisedShareToDate = planToDate > 0 ? realised / planToDate : null;
  const band = (share: number): ValueState => (share >= bands.green ? 'green' : share >= bands.amber ? 'amber' : 'red');
  const worst = (a: ValueState, b: ValueState): ValueState => (rank(a) >= rank(b) ? a : b);
  const state: ValueState = forecastShare === null ? 'no_plan' : worst(band(forecastShare), realisedShareToDate === null ? 'green' : band(realisedShareToDate));
  return { state, plan, planToDate, realised, awaitingConfirmation: awaiting, forecastAtCompletion: forecast, forecastShare, realisedShareToDate };
}

const rank = (s: ValueState): number => ({ no_plan: 0, green: 1, amber: 2, red: 3 })[s];
const pct = (share: number | null): string => (share === null ? 'n/a' : `${Math.round(share * 100)} %`);
const money = (amount: number): string => amount.toLocaleString('en-US', { maximumFractionDigits: 0 });
