import { describe, expect, it } from 'vitest';
import { dualStatus, type StatusInput } from './dual-status.ts';
import { executiveSummary, parsePeriod, type SummaryIntervention, type SummaryMeasure } from './executive-summary.ts';

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
  const sso: SummaryIntervention = { id: 'i-1', title: 'configuration/sso tickets +53 %', status: 'open', owner: 'lena@acme.example', openedAtMs: NOW - 3 * DAY - 1, onAgenda: true, affectedCustomers: 41, measures: ['m-threatened'] };
  const summary = executiveSummary({
    period: parsePeriod('2026-11') ?? { label: '', fromMs: 0, toMs: 0 }, nowMs: NOW, measures: [onTrack, gap, threatened, waiting], interventions: [sso],
    decisions: [
      { measure: 'm-waiting', from: 'identified', to: 'detailed', atMs: Date.parse('2026-11-03T10:00:00Z'), by: 'olga@acme.example', reason: 'plan done' },
      { measure: 'm-gap', from: 'detailed', to: 'decided', atMs: Date.parse('2026-10-03T10:00:00Z'), by: 'olga@acme.example', reason: 'before the period' },
    ],
    raised: 3, resolved: 1,
  });

  it('totals plan, realised and forecast against the goals, per program', () => {
    expect(summary.totals).toMatchObject({ measures: 4, plan: 4_000_000, realised: 1_700_000, forecastAtCompletion: 3_700_000 });
    expect(summary.totals.byState).toMatchObject({ on_track: 3, gap: 1, off_track: 0 });
    expect(summary.goals).toEqual([{ portfolio, program, measures: 4, plan: 4_000_000, realised: 1_700_000, forecastAtCompletion: 3_700_000, forecastShare: 0.925, byState: { on_track: 3, gap: 1 } }]);
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
