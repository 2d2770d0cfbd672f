import { type BandCounts, bandCounts, type KpiStanding, type LocalBucket, worstFirst } from '../kpi/kpi-standing.ts';
import type { DualStatus, OverallState } from './dual-status.ts';
import type { HierarchyLevel, HierarchyPath } from './hierarchy-path.ts';
import type { MeasureStage } from './stage-gates.ts';

/**
 * The period's picture for executives, from the measures' computed status, the open intervention
 * items against them and the decisions taken in the period. Pure: the store gathers its inputs.
 * - performance vs goals: per program (and its portfolio's goal), plan, realised and forecast EBITDA,
 *   how many measures stand in each overall state and how many of the KPIs below it in each band; and
 *   every active KPI against its target at the period's end, with its buckets in the period by band;
 * - what changed: the gate decisions of the period, and the items raised and resolved in it;
 * - top risks, by business impact: measures whose money is short (plan − forecast at completion) or
 *   that open items threaten (their plan not yet realised), with the customers those items touch,
 *   and measures whose KPI stands red;
 * - decisions asked of the steering committee: gates waiting for its decision, items that outlived
 *   a reporting cadence, gaps to replan, closures waiting for the controller.
 */
export interface SummaryMeasure {
  key: string;
  title: string;
  stage: MeasureStage;
  program: { key: string; name: string; goal: string | null };
  portfolio: { key: string; name: string; goal: string | null };
  owner: string | null;
  sponsor: string | null;
  controller: string | null;
  currency: string;
  status: DualStatus;
}

export interface SummaryIntervention {
  id: string;
  title: string;
  status: string;
  owner: string | null;
  openedAtMs: number;
  onAgenda: boolean;
  affectedCustomers: number;
  /** Keys of the measures it threatens. */
  measures: string[];
  /** Keys of the KPIs it threatens. */
  kpis: string[];
}

export interface SummaryKpi {
  key: string;
  name: string;
  unit: string;
  node: { level: HierarchyLevel; key: string | null };
  /** Where its node sits (its program, its measure). */
  path: HierarchyPath;
  direction: 'up_is_good' | 'down_is_good';
  target: number | null;
  /** At the period's end (or now while it runs), with the period's buckets by band. */
  standing: KpiStanding<LocalBucket>;
}

type KpiCounts = BandCounts & { kpis: number };
type Band = 'green' | 'amber' | 'red';

export interface SummaryDecision {
  measure: string;
  from: MeasureStage;
  to: MeasureStage;
  atMs: number;
  by: string | null;
  reason: string;
}

export interface PeriodBounds {
  label: string;
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export interface ExecutiveSummary {
  period: { label: string; from: string; to: string };
  totals: { measures: number; plan: number; realised: number; forecastAtCompletion: number; byState: Record<OverallState, number>; kpis: KpiCounts };
  goals: {
    portfolio: { key: string; name: string; goal: string | null };
    program: { key: string; name: string; goal: string | null };
    measures: number;
    plan: number;
    realised: number;
    forecastAtCompletion: number;
    forecastShare: number | null;
    byState: Partial<Record<OverallState, number>>;
    /** The KPIs on the program and below it, by the band of their last complete bucket. */
    kpis: KpiCounts;
  }[];
  /** Every active KPI against its target, worst first. */
  kpis: {
    key: string;
    name: string;
    unit: string;
    node: { level: HierarchyLevel; key: string | null };
    program: string | null;
    measure: string | null;
    direction: 'up_is_good' | 'down_is_good';
    target: number | null;
    lastComplete: { start: string; local: string; value: number | null; band: Band | null } | null;
    betterThanTargetBy: number | null;
    period: (BandCounts & { buckets: number }) | null;
    openInterventions: { id: string; title: string; owner: string | null; ageDays: number }[];
  }[];
  changes: {
    decisions: { measure: string; title: string; from: MeasureStage; to: MeasureStage; at: string; by: string | null; reason: string }[];
    interventionsRaised: number;
    interventionsResolved: number;
  };
  risks: {
    measure: string;
    title: string;
    owner: string | null;
    state: OverallState;
    /** plan − forecast at completion, when positive. */
    ebitdaShortfall: number;
    /** Plan not yet realised of a measure open items threaten. */
    ebitdaThreatened: number;
    ebitdaAtRisk: number;
    currency: string;
    customersAffected: number;
    openInterventions: { id: string; title: string; owner: string | null; ageDays: number }[];
    /** KPIs on the measure standing amber or red. */
    kpisOffTarget: { key: string; name: string; value: number | null; target: number | null; unit: string; band: 'amber' | 'red' }[];
    reasons: string[];
  }[];
  decisionsAsked: { kind: 'gate_decision' | 'overdue_intervention' | 'value_gap' | 'closure'; subject: string; ask: string; ebitdaAtRisk: number }[];
}

const STATES: readonly OverallState[] = ['on_track', 'at_risk', 'off_track', 'gap', 'on_hold', 'closed'];
const DAY_MS = 86_400_000;

export function executiveSummary(
  input: {
    period: PeriodBounds; nowMs: number; measures: readonly SummaryMeasure[]; interventions: readonly SummaryIntervention[]; kpis?: readonly SummaryKpi[];
    decisions: readonly SummaryDecision[]; raised: number; resolved: number; topRisks?: number;
  },
): ExecutiveSummary {
  const { measures, interventions } = input;
  const kpis = input.kpis ?? [];
  const ageDays = (i: SummaryIntervention): number => Math.floor((input.nowMs - i.openedAtMs) / DAY_MS);
  const byState = (list: readonly SummaryMeasure[]) => {
    const out: Partial<Record<OverallState, number>> = {};
    for (const m of list) out[m.status.overall] = (out[m.status.overall] ?? 0) + 1;
    return out;
  };
  const sum = (list: readonly SummaryMeasure[], pick: (m: SummaryMeasure) => number) => list.reduce((total, m) => total + pick(m), 0);
  const counted = byState(measures);
  const allStates = Object.fromEntries(STATES.map((s) => [s, counted[s] ?? 0])) as Record<OverallState, number>;

  const programs = new Map<string, SummaryMeasure[]>();
  for (const m of measures) programs.set(m.program.key, [...(programs.get(m.program.key) ?? []), m]);
  const goals = [...programs.values()].map((list) => {
    const first = list[0] as SummaryMeasure;
    const plan = sum(list, (m) => m.status.value.plan);
    const forecast = sum(list, (m) => m.status.value.forecastAtCompletion);
    return {
      portfolio: first.portfolio, program: first.program, measures: list.length, plan, realised: sum(list, (m) => m.status.value.realised),
      forecastAtCompletion: forecast, forecastShare: plan > 0 ? forecast / plan : null, byState: byState(list),
      kpis: bandCounts(kpis.filter((k) => k.path.program === first.program.key).map((k) => k.standing)),
    };
  }).sort((a, b) => a.portfolio.key.localeCompare(b.portfolio.key) || a.program.key.localeCompare(b.program.key));

  const titles = new Map(measures.map((m) => [m.key, m.title]));
  const decisions = input.decisions
    .filter((d) => d.atMs >= input.period.fromMs && d.atMs < input.period.toMs)
    .sort((a, b) => a.atMs - b.atMs)
    .map((d) => ({ measure: d.measure, title: titles.get(d.measure) ?? d.measure, from: d.from, to: d.to, at: new Date(d.atMs).toISOString(), by: d.by, reason: d.reason }));

  const against = (key: string) => interventions.filter((i) => i.measures.includes(key));
  const risks = measures
    .filter((m) => m.stage !== 'closed')
    .map((m) => {
      const open = against(m.key);
      const v = m.status.value;
      const shortfall = v.state === 'amber' || v.state === 'red' ? Math.max(0, v.plan - v.forecastAtCompletion) : 0;
      const threatened = open.length > 0 ? Math.max(0, v.plan - v.realised) : 0;
      const offTarget = kpis
        .filter((k) => k.path.measure === m.key && (k.standing.lastComplete?.band === 'red' || k.standing.lastComplete?.band === 'amber'))
        .sort((a, b) => worstFirst(a.standing, b.standing) || a.key.localeCompare(b.key))
        .map((k) => ({ key: k.key, name: k.name, value: k.standing.lastComplete?.value ?? null, target: k.target, unit: k.unit, band: k.standing.lastComplete?.band as 'amber' | 'red' }));
      return {
        measure: m.key, title: m.title, owner: m.owner, state: m.status.overall, ebitdaShortfall: shortfall, ebitdaThreatened: threatened,
        ebitdaAtRisk: Math.max(shortfall, threatened), currency: m.currency, customersAffected: open.reduce((total, i) => total + i.affectedCustomers, 0),
        openInterventions: open.map((i) => ({ id: i.id, title: i.title, owner: i.owner, ageDays: ageDays(i) })),
        kpisOffTarget: offTarget,
        reasons: [...m.status.reasons, ...offTarget.map((k) => `KPI "${k.name}" ${k.band}: ${valueWords(k.value, k.unit)}${k.target === null ? '' : ` against a target of ${valueWords(k.target, k.unit)}`}`)],
      };
    })
    .filter((r) => r.ebitdaAtRisk > 0 || r.openInterventions.length > 0 || r.state === 'off_track' || r.state === 'at_risk' || r.kpisOffTarget.some((k) => k.band === 'red'))
    .sort((a, b) => b.ebitdaAtRisk - a.ebitdaAtRisk || b.customersAffected - a.customersAffected || a.measure.localeCompare(b.measure))
    .slice(0, input.topRisks ?? 10);

  const atRisk = new Map(risks.map((r) => [r.measure, r.ebitdaAtRisk]));
  const asked: ExecutiveSummary['decisionsAsked'] = [];
  for (const m of measures) {
    if (m.stage === 'detailed') asked.push({ kind: 'gate_decision', subject: m.key, ask: `Decide "${m.title}": the Decided gate needs the steering committee's decision`, ebitdaAtRisk: atRisk.get(m.key) ?? 0 });
    if (m.status.gap) {
      asked.push({ kind: 'value_gap', subject: m.key, ask: `"${m.title}": milestones on track but the money is missing — replan the value, or stop the measure`, ebitdaAtRisk: atRisk.get(m.key) ?? 0 });
    }
    if (m.stage === 'implemented' && m.status.value.awaitingConfirmation > 0) {
      asked.push({ kind: 'closure', subject: m.key, ask: `"${m.title}": ${m.controller ?? 'the controller'} to confirm the realised EBITDA so it can close`, ebitdaAtRisk: 0 });
    }
  }
  for (const i of interventions.filter((x) => x.onAgenda)) {
    asked.push({ kind: 'overdue_intervention', subject: i.id, ask: `"${i.title}" outlived a reporting cadence (owner ${i.owner ?? 'none'}): unblock it or change its owner`, ebitdaAtRisk: Math.max(0, ...i.measures.map((k) => atRisk.get(k) ?? 0)) });
  }
  asked.sort((a, b) => b.ebitdaAtRisk - a.ebitdaAtRisk);

  const kpiViews = [...kpis].sort((a, b) => worstFirst(a.standing, b.standing) || a.key.localeCompare(b.key)).map((k) => {
    const last = k.standing.lastComplete;
    return {
      key: k.key, name: k.name, unit: k.unit, node: k.node, program: k.path.program, measure: k.path.measure, direction: k.direction, target: k.target,
      lastComplete: last ? { start: new Date(last.startMs).toISOString(), local: last.local, value: last.value, band: last.band } : null,
      betterThanTargetBy: k.standing.betterThanTargetBy, period: k.standing.period,
      openInterventions: interventions.filter((i) => i.kpis.includes(k.key)).map((i) => ({ id: i.id, title: i.title, owner: i.owner, ageDays: ageDays(i) })),
    };
  });

  return {
    period: { label: input.period.label, from: new Date(input.period.fromMs).toISOString(), to: new Date(input.period.toMs).toISOString() },
    totals: {
      measures: measures.length, plan: sum(measures, (m) => m.status.value.plan), realised: sum(measures, (m) => m.status.value.realised),
      forecastAtCompletion: sum(measures, (m) => m.status.value.forecastAtCompletion), byState: allStates, kpis: bandCounts(kpis.map((k) => k.standing)),
    },
    goals,
    kpis: kpiViews,
    changes: { decisions, interventionsRaised: input.raised, interventionsResolved: input.resolved },
    risks,
    decisionsAsked: asked,
  };
}

/** A KPI value as people read it: shares in per cent, hours and ticket counts to one decimal. */
export function valueWords(value: number | null, unit: string): string {
  if (value === null) return 'no value';
  if (unit === 'share') return `${(value * 100).toFixed(1)} %`;
  const rounded = Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toLocaleString('en-GB', { maximumFractionDigits: 1 });
  return `${rounded} ${unit === 'hours' ? 'h' : unit}`;
}

/**
 * `2026-11` (a month), `2026-Q4` (a quarter) or `2026-W48` (an ISO week), in UTC: the bounds, or
 * null for anything else.
 */
export function parsePeriod(text: string): PeriodBounds | null {
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (month) {
    const y = Number(month[1]);
    const m = Number(month[2]);
    return { label: text, fromMs: Date.UTC(y, m - 1, 1), toMs: Date.UTC(y, m, 1) };
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(text);
  if (quarter) {
    const y = Number(quarter[1]);
    const q = Number(quarter[2]);
    return { label: text, fromMs: Date.UTC(y, 3 * (q - 1), 1), toMs: Date.UTC(y, 3 * q, 1) };
  }
  const week = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/.exec(text);
  if (week) {
    const y = Number(week[1]);
    const w = Number(week[2]);
    // ISO week 1 holds the year's first Thursday; its Monday is the week's start.
    const jan4 = Date.UTC(y, 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
    const fromMs = monday1 + (w - 1) * 7 * DAY_MS;
    // Week 53 exists only in years whose ISO calendar has it.
    const next = Date.UTC(y + 1, 0, 4);
    const nextMonday1 = next - ((new Date(next).getUTCDay() + 6) % 7) * DAY_MS;
    if (fromMs >= nextMonday1) return null;
    return { label: text, fromMs, toMs: fromMs + 7 * DAY_MS };
  }
  return null;
}

/** The month containing `nowMs` (the default period). */
export function currentMonth(nowMs: number): PeriodBounds {
  const d = new Date(nowMs);
  const label = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return parsePeriod(label) as PeriodBounds;
}
