import { describe, expect, it } from 'vitest';
import { dualStatus, type EbitdaInput, type StatusInput } from './dual-status.ts';

const quarter = (q: number, kind: EbitdaInput['kind'], amount: number, confirmed = false): EbitdaInput => {
  const start = ['2027-01-01', '2027-04-01', '2027-07-01', '2027-10-01'][q - 1] ?? '2027-01-01';
  const end = ['2027-03-31', '2027-06-30', '2027-09-30', '2027-12-31'][q - 1] ?? '2027-03-31';
  return { kind, periodStart: start, periodEnd: end, amount, confirmed };
};
const plan = [1, 2, 3, 4].map((q) => quarter(q, 'plan', 300_000));
const base = (over: Partial<StatusInput> = {}): StatusInput => ({
  stage: 'decided', plannedEbitda: { amount: 1_200_000, periodStart: '2027-01-01', periodEnd: '2027-12-31' },
  milestones: [{ title: 'SSO wizard', dueDate: '2027-03-01', done: true }, { title: 'Admin runbook', dueDate: '2027-09-01', done: false }],
  ebitda: plan, asOf: '2027-07-15', ...over,
});

describe('dual status', () => {
  it('is on track when milestones keep their dates and realised plus forecast meet the plan', () => {
    const s = dualStatus(base({ ebitda: [...plan, quarter(1, 'actual', 310_000, true), quarter(2, 'actual', 295_000, true)] }));
    expect(s.implementation).toMatchObject({ state: 'on_track', milestonesDone: 1, milestonesTotal: 2, overdue: [] });
    expect(s.value).toMatchObject({ state: 'green', plan: 1_200_000, planToDate: 600_000, realised: 605_000, forecastAtCompletion: 1_205_000 });
    expect(s.overall).toBe('on_track');
    expect(s.gap).toBe(false);
  });

  it('flags green milestones with missing money as its own state, and says so first', () => {
    // Both quarters so far ended without a confirmed actual: nothing realised, and the past plan is not assumed.
    const s = dualStatus(base({ stage: 'implemented', milestones: [{ title: 'SSO wizard', dueDate: '2027-03-01', done: true }] }));
    expect(s.implementation.state).toBe('done');
    expect(s.value).toMatchObject({ state: 'red', realised: 0, forecastAtCompletion: 600_000, forecastShare: 0.5, realisedShareToDate: 0 });
    expect(s.gap).toBe(true);
    expect(s.overall).toBe('gap');
    expect(s.reasons[0]).toBe('milestones on track but the money is missing');
    expect(s.reasons).toContain('EBITDA forecast 50 % of plan, realised 0 % of plan to date');
  });

  it("counts only the controller's confirmed actuals as realised, and shows the rest as awaiting confirmation", () => {
    const s = dualStatus(base({ ebitda: [...plan, quarter(1, 'actual', 300_000, true), quarter(2, 'actual', 300_000, false)] }));
    expect(s.value).toMatchObject({ realised: 300_000, awaitingConfirmation: 300_000, realisedShareToDate: 0.5, state: 'red' });
    expect(s.reasons).toContain("300,000 of actuals await the controller's confirmation");
  });

  it('uses a forecast for a period without an actual, and bands the worse of forecast and realised to date', () => {
    const low = dualStatus(base({ ebitda: [...plan, quarter(1, 'actual', 300_000, true), quarter(2, 'actual', 300_000, true), quarter(3, 'forecast', 150_000), quarter(4, 'forecast', 150_000)] }));
    expect(low.value).toMatchObject({ forecastAtCompletion: 900_000, forecastShare: 0.75, realisedShareToDate: 1, state: 'red' });
    const slightly = dualStatus(base({ ebitda: [...plan, quarter(1, 'actual', 300_000, true), quarter(2, 'actual', 300_000, true), quarter(3, 'forecast', 240_000)] }));
    expect(slightly.value.forecastShare).toBeCloseTo(1_140_000 / 1_200_000, 9);
    expect(slightly.value.state).toBe('green');
    const belowGreen = dualStatus(base({ ebitda: [...plan, quarter(1, 'actual', 300_000, true), quarter(2, 'actual', 200_000, true)] }));
    expect(belowGreen.value).toMatchObject({ state: 'amber', realisedShareToDate: 500_000 / 600_000 });
    expect(belowGreen.overall).toBe('gap');
  });

  it('takes the planned EBITDA as the plan of its whole period when no plan per period exists', () => {
    const s = dualStatus(base({ ebitda: [], asOf: '2027-02-01' }));
    expect(s.value).toMatchObject({ plan: 1_200_000, planToDate: 0, forecastAtCompletion: 1_200_000, realisedShareToDate: null, state: 'green' });
    const after = dualStatus(base({ ebitda: [], asOf: '2028-01-15' }));
    expect(after.value).toMatchObject({ planToDate: 1_200_000, forecastAtCompletion: 0, state: 'red' });
  });

  it('has no value state without a plan, and says so', () => {
    const s = dualStatus(base({ plannedEbitda: null, ebitda: [] }));
    expect(s.value.state).toBe('no_plan');
    expect(s.reasons).toContain('no EBITDA plan');
  });

  it('puts implementation at risk with an overdue milestone, off track when a third or more are overdue', () => {
    const milestones = [
      { title: 'A', dueDate: '2027-05-01', done: false }, { title: 'B', dueDate: '2027-09-01', done: false }, { title: 'C', dueDate: '2027-10-01', done: false },
    ];
    const one = dualStatus(base({ milestones, ebitda: [...plan, quarter(1, 'actual', 300_000, true), quarter(2, 'actual', 300_000, true)] }));
    expect(one.implementation).toMatchObject({ state: 'at_risk', overdue: ['A'] });
    expect(one.overall).toBe('at_risk');
    expect(one.reasons).toContain('1 milestone overdue: A');
    const two = dualStatus(base({ milestones: milestones.map((m) => ({ ...m, dueDate: m.title === 'C' ? m.dueDate : '2027-05-01' })) }));
    expect(two.implementation.state).toBe('off_track');
  });

  it('reports on hold and closed measures as such', () => {
    expect(dualStatus(base({ stage: 'on_hold' })).overall).toBe('on_hold');
    expect(dualStatus(base({ stage: 'closed' })).overall).toBe('closed');
  });
});
