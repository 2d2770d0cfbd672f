import { describe, expect, it } from 'vitest';
import { dualStatus, type StatusInput } from './dual-status.ts';
import { kpiStanding } from '../kpi/kpi-standing.ts';
import { executiveSummary, parsePeriod, type SummaryIntervention, type SummaryKpi, type SummaryMeasure } from './executive-summary.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const program = { key: 'contact-avoidance', name: 'Contact avoidance', goal: '25 % fewer contacts' };
const portfolio = { key: 'cx', name: 'CX 2027', goal: 'Cut cost-to-serve 15 %' };
const halfYear = (kind: 'plan' | 'forecast' | 'actual', h: 1 | 2, amount: number, confirmed = false) => ({
  kind, periodStart: h === 1 ? '2026-01-01' : '2026-07-01', periodEnd: h === 1 ? '2026-06-30' : '2026-12-31', amount, confirmed,
});
const measure = (key: string, over: Partial<StatusInput> & { title?: string } = {}): SummaryMeasure => {
  const input: StatusInput = {
    stage: 'decided', plannedEbitda: null, milestones: [{ title: 'Live', dueDate: '2026-12-01', done: false }],
    ebitda: [halfYear('plan', 1, 500_000), halfYear('plan', 2, 500_000), halfYear('actual', 1, 500_000, true)], asOf: '2026-11-20', ...over,
  };
  return { key, title: over.title ?? key, stage: input.stage, program, portfolio, owner: 'olga@acme.example', sponsor: 'sven@acme.example', controller: 'clara@acme.example', currency: 'EUR', status: dualStatus(input) };
};

describe('executive summary', () => {
  const onTrack = measure('m-on-track');
  // H1 realised only 200k of 500k: the money is short while milestones are on track.
  const gap = measure('m-gap', { ebitda: [halfYear('plan', 1, 500_000), halfYear('plan', 2, 500_000), halfYear('actual', 1, 200_000, true)] });
  const threatened = measure('m-threatened', { title: 'SSO self-service' });
  const waiting = measure('m-waiting', { stage: 'detailed' });
  const sso: SummaryIntervention = { id: 'i-1', title: 'configuration/sso tickets +53 %', status: 'open', owner: 'lena@acme.example', openedAtMs: NOW - 3 * DAY - 1, onAgenda: true, affectedCustomers: 41, measures: ['m-threatened'], kpis: ['sso-tickets'] };
  // Weekly KPIs over November: the SSO one red in its last complete week, a program one green, one at the organization without a target.
  const weeks = (values: number[]) => values.map((value, i) => {
    const startMs = Date.parse('2026-10-26T00:00:00Z') + i * 7 * DAY;
    return { startMs, endMs: startMs + 7 * DAY, local: new Date(startMs).toISOString().slice(0, 10), value };
  });
  const path = (program: string | null, measureKey: string | null) => ({ portfolio: 'cx', program, project: null, package: null, measure: measureKey });
  const kpi = (key: string, values: number[], at: SummaryKpi['node'], p: SummaryKpi['path'], target: number | null): SummaryKpi => {
    const goal = { direction: 'down_is_good' as const, target, bands: target === null ? null : { green: target, amber: target * 1.2 } };
    return { key, name: key, unit: 'tickets', node: at, path: p, direction: 'down_is_good', target, standing: kpiStanding(weeks(values), goal, NOW, parsePeriod('2026-11') ?? undefined) };
  };
  const kpis = [
    kpi('sso-tickets', [700, 990, 1240, 300], { level: 'measure', key: 'm-threatened' }, path('contact-avoidance', 'm-threatened'), 800),
    kpi('contacts-per-1k', [30, 29, 27, 10], { level: 'program', key: 'contact-avoidance' }, path('contact-avoidance', null), 40),
    kpi('all-tickets', [9000, 9100, 9300, 2000], { level: 'organization', key: null }, { portfolio: null, program: null, project: null, package: null, measure: null }, null),
  ];
  const summary = executiveSummary({
    period: parsePeriod('2026-11') ?? { label: '', fromMs: 0, toMs: 0 }, nowMs: NOW, measures: [onTrack, gap, threatened, waiting], interventions: [sso], kpis,
    decisions: [
      { measure: 'm-waiting', from: 'identified', to: 'detailed', atMs: Date.parse('2026-11-03T10:00:00Z'), by: 'olga@acme.example', reason: 'plan done' },
      { measure: 'm-gap', from: 'detailed', to: 'decided', atMs: Date.parse('2026-10-03T10:00:00Z'), by: 'olga@acme.example', reason: 'before the period' },
    ],
    raised: 3, resolved: 1,
  });

  it('totals plan, realised and forecast against the goals, per program', () => {
    expect(summary.totals).toMatchObject({ measures: 4, plan: 4_000_000, realised: 1_700_000, forecastAtCompletion: 3_700_000 });
    expect(summary.totals.byState).toMatchObject({ on_track: 3, gap: 1, off_track: 0 });
    expect(summary.goals).toEqual([{
      portfolio, program, measures: 4, plan: 4_000_000, realised: 1_700_000, forecastAtCompletion: 3_700_000, forecastShare: 0.925, byState: { on_track: 3, gap: 1 },
      kpis: { kpis: 2, green: 1, amber: 0, red: 1, none: 0 },
    }]);
    expect(summary.totals.kpis).toEqual({ kpis: 3, green: 1, amber: 0, red: 1, none: 1 });
  });

  it('shows every KPI against its target at the period\'s end, worst first, with its weeks in the period by band and the items threatening it', () => {
    // NOW is Fri 20 Nov: the weeks starting 2, 9 Nov are complete in the period; 16 Nov runs.
    expect(summary.kpis.map((k) => [k.key, k.lastComplete?.local, k.lastComplete?.value, k.lastComplete?.band, k.betterThanTargetBy])).toEqual([
      ['sso-tickets', '2026-11-09', 1240, 'red', -440],
      ['contacts-per-1k', '2026-11-09', 27, 'green', 13],
      ['all-tickets', '2026-11-09', 9300, null, null],
    ]);
    expect(summary.kpis[0]).toMatchObject({ program: 'contact-avoidance', measure: 'm-threatened', period: { buckets: 2, green: 0, amber: 0, red: 2, none: 0 } });
    expect(summary.kpis[0]?.openInterventions).toEqual([{ id: 'i-1', title: 'configuration/sso tickets +53 %', owner: 'lena@acme.example', ageDays: 3 }]);
    expect(summary.kpis[1]?.openInterventions).toEqual([]);
  });

  it('names a measure\'s KPIs off target among its risks, and counts a measure whose KPI is red as a risk', () => {
    expect(summary.risks[0]?.kpisOffTarget).toEqual([{ key: 'sso-tickets', name: 'sso-tickets', value: 1240, target: 800, unit: 'tickets', band: 'red' }]);
    expect(summary.risks[0]?.reasons).toContain('KPI "sso-tickets" red: 1,240 tickets against a target of 800 tickets');
    const quiet = measure('m-quiet');
    const red = kpi('quiet-kpi', [700, 990, 1240, 300], { level: 'measure', key: 'm-quiet' }, path('contact-avoidance', 'm-quiet'), 800);
    const alone = executiveSummary({ period: parsePeriod('2026-11') ?? { label: '', fromMs: 0, toMs: 0 }, nowMs: NOW, measures: [quiet], interventions: [], kpis: [red], decisions: [], raised: 0, resolved: 0 });
    expect(alone.risks.map((r) => [r.measure, r.ebitdaAtRisk, r.kpisOffTarget.map((k) => k.key)])).toEqual([['m-quiet', 0, ['quiet-kpi']]]);
  });

  it('ranks the risks by EBITDA at risk: the short money, then the plan open items threaten, with the customers they touch', () => {
    expect(summary.risks.map((r) => [r.measure, r.ebitdaShortfall, r.ebitdaThreatened, r.ebitdaAtRisk, r.customersAffected])).toEqual([
      ['m-threatened', 0, 500_000, 500_000, 41],
      ['m-gap', 300_000, 0, 300_000, 0],
    ]);
    expect(summary.risks[1]?.reasons[0]).toBe('milestones on track but the money is missing');
  });

  it("lists the period's decisions only, and what it asks of the steering committee", () => {
    expect(summary.changes).toEqual({
      decisions: [{ measure: 'm-waiting', title: 'm-waiting', from: 'identified', to: 'detailed', at: '2026-11-03T10:00:00.000Z', by: 'olga@acme.example', reason: 'plan done' }],
      interventionsRaised: 3, interventionsResolved: 1,
    });
    expect(summary.decisionsAsked.map((d) => [d.kind, d.subject, d.ebitdaAtRisk])).toEqual([
      ['overdue_intervention', 'i-1', 500_000], ['value_gap', 'm-gap', 300_000], ['gate_decision', 'm-waiting', 0],
    ]);
    expect(summary.risks[0]?.openInterventions).toEqual([{ id: 'i-1', title: 'configuration/sso tickets +53 %', owner: 'lena@acme.example', ageDays: 3 }]);
  });

  it('asks the controller to confirm an implemented measure\'s actuals that wait for it, even when some are confirmed', () => {
    const waitingForController = measure('m-closing', { stage: 'implemented', ebitda: [halfYear('plan', 1, 500_000), halfYear('actual', 1, 300_000, true), halfYear('actual', 2, 200_000)] });
    const s = executiveSummary({ period: parsePeriod('2026-11') ?? { label: '', fromMs: 0, toMs: 0 }, nowMs: NOW, measures: [waitingForController], interventions: [], decisions: [], raised: 0, resolved: 0 });
    expect(s.decisionsAsked.map((d) => [d.kind, d.subject, d.ask])).toContainEqual(['closure', 'm-closing', '"m-closing": clara@acme.example to confirm the realised EBITDA so it can close']);
  });

  it('reads months, quarters and ISO weeks, and nothing else', () => {
    expect(parsePeriod('2026-11')).toEqual({ label: '2026-11', fromMs: Date.parse('2026-11-01T00:00:00Z'), toMs: Date.parse('2026-12-01T00:00:00Z') });
    expect(parsePeriod('2026-Q4')).toEqual({ label: '2026-Q4', fromMs: Date.parse('2026-10-01T00:00:00Z'), toMs: Date.parse('2027-01-01T00:00:00Z') });
    expect(parsePeriod('2026-W01')?.fromMs).toBe(Date.parse('2025-12-29T00:00:00Z'));
    expect(parsePeriod('2026-W53')?.fromMs).toBe(Date.parse('2026-12-28T00:00:00Z'));
    expect(parsePeriod('2027-W53')).toBeNull();
    for (const bad of ['2026-13', '2026-Q5', '26-11', 'november', '2026-W54', '']) expect(parsePeriod(bad), bad).toBeNull();
  });
});
