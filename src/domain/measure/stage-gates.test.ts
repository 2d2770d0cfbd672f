import { describe, expect, it } from 'vitest';
import { confirmationProblems, decideTransition, definitionProblems, gateOrder, type MeasureFacts, type MeasureStage, measureStages, type TransitionRequest } from './stage-gates.ts';

const OWNER = 'p-owner';
const SPONSOR = 'p-sponsor';
const CONTROLLER = 'p-controller';
const STRANGER = 'p-stranger';

/** A measure that meets every gate's criteria (each test takes one away). */
const ready = (stage: MeasureStage, over: Partial<MeasureFacts> = {}): MeasureFacts => ({
  stage, heldFrom: null, ownerId: OWNER, sponsorId: SPONSOR, controllerId: CONTROLLER, businessUnit: 'bu-service', steeringCommittee: 'Service SteerCo',
  plannedEbitda: { amount: 1_200_000, currency: 'EUR', periodStart: '2027-01-01', periodEnd: '2027-12-31' },
  milestones: [{ title: 'Self-service SSO setup live', done: true }, { title: 'Runbook for admins', done: true }],
  ebitda: [{ kind: 'plan', amount: 1_200_000, confirmedBy: null }, { kind: 'actual', amount: 1_150_000, confirmedBy: CONTROLLER }],
  ...over,
});
const DECISION = { committee: 'Service SteerCo', decidedOn: '2027-02-01', reference: 'SC-2027-02 item 4' };
const ask = (to: MeasureStage, over: Partial<TransitionRequest> = {}): TransitionRequest => ({
  to, actorId: to === 'closed' ? CONTROLLER : OWNER, reason: 'gate review passed', ...(to === 'decided' ? { decision: DECISION } : {}), ...over,
});
const messages = (d: ReturnType<typeof decideTransition>): string[] => (d.ok ? [] : d.problems.map((p) => p.message));

describe('stage gates: every move between stages', () => {
  // The whole matrix: from each stage to each stage, with every criterion met and the right person asking.
  const open = gateOrder.filter((s) => s !== 'closed');
  for (const from of measureStages) {
    for (const to of measureStages) {
      const facts = from === 'on_hold' ? ready('on_hold', { heldFrom: 'detailed' }) : ready(from);
      const expected =
        from === 'closed' || from === to ? false
          : to === 'on_hold' ? true
            : from === 'on_hold' ? to === 'detailed'
              : gateOrder.indexOf(to as (typeof gateOrder)[number]) <= gateOrder.indexOf(from as (typeof gateOrder)[number]) + 1;
      it(`${from} → ${to}: ${expected ? 'allowed' : 'refused'}`, () => {
        const d = decideTransition(facts, ask(to));
        expect(d.ok, messages(d).join('; ')).toBe(expected);
        if (!d.ok) expect(d.problems[0]?.code).toBe('FORBIDDEN_MOVE');
      });
    }
  }
  it('names the kind of each allowed move', () => {
    expect(decideTransition(ready('identified'), ask('detailed'))).toMatchObject({ ok: true, kind: 'advance' });
    expect(decideTransition(ready('decided'), ask('identified'))).toMatchObject({ ok: true, kind: 'setback' });
    expect(decideTransition(ready('decided'), ask('on_hold'))).toMatchObject({ ok: true, kind: 'hold' });
    expect(decideTransition(ready('on_hold', { heldFrom: 'decided' }), ask('decided'))).toMatchObject({ ok: true, kind: 'resume' });
    expect(open).toHaveLength(5);
  });
  it('says which gate comes next when one is skipped, and where a held measure resumes', () => {
    expect(messages(decideTransition(ready('identified'), ask('implemented')))).toEqual(['gates are passed one at a time: from identified the next is detailed']);
    expect(messages(decideTransition(ready('on_hold', { heldFrom: 'decided' }), ask('implemented')))).toEqual(['an on-hold measure resumes at the stage it was held from (decided)']);
    expect(messages(decideTransition(ready('closed'), ask('on_hold')))).toEqual(['a closed measure is final']);
  });
});

describe('stage gates: entry criteria, checked from the data', () => {
  it('Defined needs owner, sponsor, controller, business unit and steering committee, and names each one missing', () => {
    const problems = definitionProblems(ready('defined', { ownerId: null, sponsorId: null, controllerId: null, businessUnit: null, steeringCommittee: null }));
    expect(problems.map((p) => p.code === 'CRITERION_MISSING' && p.criterion)).toEqual(['owner', 'sponsor', 'controller', 'business_unit', 'steering_committee']);
    expect(problems[2]?.message).toBe('a controller is needed: the person who confirms the realised EBITDA');
    expect(definitionProblems(ready('defined'))).toEqual([]);
  });
  it('Identified needs a planned EBITDA', () => {
    expect(messages(decideTransition(ready('defined', { plannedEbitda: null }), ask('identified')))).toEqual([
      'a planned EBITDA (amount, currency, period) is needed to identify the measure',
    ]);
  });
  it('Detailed needs milestones and an EBITDA plan per period', () => {
    expect(messages(decideTransition(ready('identified', { milestones: [], ebitda: [] }), ask('detailed')))).toEqual([
      'at least one milestone is needed to detail the measure', 'an EBITDA plan per period is needed to detail the measure',
    ]);
  });
  it("Decided needs a recorded decision of the measure's own steering committee", () => {
    const { decision: _, ...without } = ask('decided');
    expect(messages(decideTransition(ready('detailed'), without))).toEqual(['a recorded steering-committee decision (committee, date, reference) is needed']);
    expect(messages(decideTransition(ready('detailed'), ask('decided', { decision: { ...DECISION, committee: 'IT Board' } })))).toEqual([
      "the decision must come from the measure's steering committee (Service SteerCo), not IT Board",
    ]);
    expect(decideTransition(ready('detailed'), ask('decided')).ok).toBe(true);
  });
  it('Implemented needs every milestone done, and lists the open ones', () => {
    const milestones = [{ title: 'SSO wizard', done: true }, { title: 'Admin runbook', done: false }, { title: 'Release notes', done: false }];
    expect(messages(decideTransition(ready('decided', { milestones }), ask('implemented')))).toEqual(['every milestone must be done; still open: Admin runbook, Release notes']);
  });
  it('Closed is refused without the controller confirming the realised EBITDA, and accepted with it', () => {
    expect(messages(decideTransition(ready('implemented', { ebitda: [{ kind: 'plan', amount: 1, confirmedBy: null }] }), ask('closed')))).toEqual([
      'a realised EBITDA (actual) is needed to close the measure',
    ]);
    const unconfirmed = ready('implemented', { ebitda: [{ kind: 'actual', amount: 900_000, confirmedBy: null }, { kind: 'actual', amount: 300_000, confirmedBy: CONTROLLER }] });
    expect(messages(decideTransition(unconfirmed, ask('closed')))).toEqual(["the measure's controller must confirm every realised EBITDA entry before it closes"]);
    // Confirmed by someone else (a former controller) does not count either.
    expect(decideTransition(ready('implemented', { ebitda: [{ kind: 'actual', amount: 1, confirmedBy: STRANGER }] }), ask('closed')).ok).toBe(false);
    expect(decideTransition(ready('implemented'), ask('closed'))).toMatchObject({ ok: true, from: 'implemented', to: 'closed' });
  });
  it('checks criteria only when advancing: a setback, a hold and a resume need a reason, not the next gate', () => {
    const bare = ready('decided', { milestones: [], ebitda: [] });
    expect(decideTransition(bare, ask('identified')).ok).toBe(true);
    expect(decideTransition(bare, ask('on_hold')).ok).toBe(true);
    expect(messages(decideTransition(bare, ask('on_hold', { reason: '' })))).toEqual(['say why (a reason of a few words) — it is recorded with the decision']);
  });
});

describe('stage gates: segregation of duties', () => {
  it('refuses a controller who is also the owner or the sponsor, at definition and at every later move', () => {
    expect(definitionProblems(ready('defined', { controllerId: OWNER })).map((p) => p.message)).toEqual(['the controller cannot also be the owner']);
    expect(definitionProblems(ready('defined', { controllerId: SPONSOR })).map((p) => p.message)).toEqual(['the controller cannot also be the sponsor']);
    expect(messages(decideTransition(ready('identified', { sponsorId: CONTROLLER }), ask('detailed')))).toContain('the controller cannot also be the sponsor');
  });
  it('lets the owner or sponsor move a measure, only the controller close it', () => {
    expect(decideTransition(ready('identified'), ask('detailed', { actorId: SPONSOR })).ok).toBe(true);
    expect(messages(decideTransition(ready('identified'), ask('detailed', { actorId: STRANGER })))).toEqual(["only the measure's owner or sponsor moves it between stages"]);
    expect(messages(decideTransition(ready('implemented'), ask('closed', { actorId: OWNER })))).toEqual(["only the measure's controller closes it, after confirming the realised EBITDA"]);
  });
  it('lets nobody confirm the EBITDA of their own measure', () => {
    expect(confirmationProblems(ready('implemented'), CONTROLLER)).toEqual([]);
    expect(confirmationProblems(ready('implemented'), OWNER).map((p) => p.message)).toEqual(['nobody confirms the EBITDA of a measure they own or sponsor']);
    expect(confirmationProblems(ready('implemented'), SPONSOR).map((p) => p.message)).toEqual(['nobody confirms the EBITDA of a measure they own or sponsor']);
    expect(confirmationProblems(ready('implemented'), STRANGER).map((p) => p.message)).toEqual(["only the measure's controller confirms its realised EBITDA"]);
    expect(confirmationProblems(ready('closed'), CONTROLLER).map((p) => p.message)).toEqual(['a closed measure is final']);
  });
});
