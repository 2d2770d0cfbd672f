/**
 * Degree-of-Implementation stage gates of a measure: Defined → Identified → Detailed → Decided →
 * Implemented → Closed, plus On hold. Pure: the caller reads the measure's facts from the store,
 * asks `decideTransition`, and records the decision (who, when, why, evidence) with the move.
 *
 * - Forward one stage at a time, each gate checking its entry criteria from the facts; back to any
 *   earlier open stage with a reason (a replan); Closed is final.
 * - On hold from any open stage with a reason; resuming returns to the stage it was held from.
 * - Segregation of duties: the controller is neither the owner nor the sponsor; nobody decides a
 *   gate of a measure they control and own at once, and only the measure's controller closes it.
 */
export const measureStages = ['defined', 'identified', 'detailed', 'decided', 'implemented', 'closed', 'on_hold'] as const;
export type MeasureStage = (typeof measureStages)[number];

/** The gates in order (On hold stands beside them). */
export const gateOrder = ['defined', 'identified', 'detailed', 'decided', 'implemented', 'closed'] as const satisfies readonly MeasureStage[];

export interface MilestoneFact {
  title: string;
  done: boolean;
}

export interface EbitdaFact {
  kind: 'plan' | 'forecast' | 'actual';
  amount: number;
  /** Person who confirmed an actual (null while unconfirmed). */
  confirmedBy: string | null;
}

export interface SteeringDecision {
  /** The committee that decided: must be the measure's own. */
  committee: string;
  /** When it decided (ISO date) and its minutes' reference. */
  decidedOn: string;
  reference: string;
}

/** What the gates read of a measure (ids are people's ids). */
export interface MeasureFacts {
  stage: MeasureStage;
  /** While on hold: the stage it was held from. */
  heldFrom: MeasureStage | null;
  ownerId: string | null;
  sponsorId: string | null;
  controllerId: string | null;
  businessUnit: string | null;
  steeringCommittee: string | null;
  plannedEbitda: { amount: number; currency: string; periodStart: string; periodEnd: string } | null;
  milestones: readonly MilestoneFact[];
  ebitda: readonly EbitdaFact[];
}

export interface TransitionRequest {
  to: MeasureStage;
  /** The person asking. */
  actorId: string;
  reason: string;
  /** Required to enter Decided. */
  decision?: SteeringDecision;
}

export type GateProblem =
  | { code: 'FORBIDDEN_MOVE'; message: string }
  | { code: 'CRITERION_MISSING'; criterion: string; message: string }
  | { code: 'SEGREGATION_OF_DUTIES'; message: string }
  | { code: 'REASON_REQUIRED'; message: string };

export type GateDecision =
  | { ok: true; from: MeasureStage; to: MeasureStage; kind: 'advance' | 'setback' | 'hold' | 'resume' }
  | { ok: false; from: MeasureStage; to: MeasureStage; problems: GateProblem[] };

const MIN_REASON = 3;

const indexOf = (stage: MeasureStage): number => (gateOrder as readonly MeasureStage[]).indexOf(stage);

/** What entering `stage` requires, as problems found in `facts` (empty: the gate is open). */
export function entryCriteria(stage: MeasureStage, facts: MeasureFacts, request?: Pick<TransitionRequest, 'decision'>): GateProblem[] {
  const missing = (criterion: string, message: string): GateProblem => ({ code: 'CRITERION_MISSING', criterion, message });
  const problems: GateProblem[] = [];
  switch (stage) {
    case 'defined':
      if (!facts.ownerId) problems.push(missing('owner', 'an owner is needed: the person accountable for delivering the measure'));
      if (!facts.sponsorId) problems.push(missing('sponsor', 'a sponsor is needed: the executive who backs the measure'));
      if (!facts.controllerId) problems.push(missing('controller', 'a controller is needed: the person who confirms the realised EBITDA'));
      if (!facts.businessUnit) problems.push(missing('business_unit', 'a business unit is needed: where the EBITDA is booked'));
      if (!facts.steeringCommittee) problems.push(missing('steering_committee', 'a steering committee is needed: who decides its gates'));
      problems.push(...segregation(facts));
      break;
    case 'identified':
      if (facts.plannedEbitda === null || !(facts.plannedEbitda.amount > 0)) {
        problems.push(missing('planned_ebitda', 'a planned EBITDA (amount, currency, period) is needed to identify the measure'));
      }
      break;
    case 'detailed':
      if (facts.milestones.length === 0) problems.push(missing('milestones', 'at least one milestone is needed to detail the measure'));
      if (!facts.ebitda.some((e) => e.kind === 'plan')) problems.push(missing('ebitda_plan', 'an EBITDA plan per period is needed to detail the measure'));
      break;
    case 'decided':
      if (!request?.decision) {
        problems.push(missing('steering_decision', 'a recorded steering-committee decision (committee, date, reference) is needed'));
      } else if (request.decision.committee !== facts.steeringCommittee) {
        problems.push(missing('steering_decision', `the decision must come from the measure's steering committee (${facts.steeringCommittee ?? 'none set'}), not ${request.decision.committee}`));
      }
      break;
    case 'implemented': {
      const open = facts.milestones.filter((m) => !m.done);
      if (facts.milestones.length === 0) problems.push(missing('milestones', 'the measure has no milestones to have implemented'));
      else if (open.length > 0) problems.push(missing('milestones', `every milestone must be done; still open: ${open.map((m) => m.title).join(', ')}`));
      break;
    }
    case 'closed': {
      const actuals = facts.ebitda.filter((e) => e.kind === 'actual');
      if (actuals.length === 0) problems.push(missing('realised_ebitda', 'a realised EBITDA (actual) is needed to close the measure'));
      else if (!actuals.every((e) => e.confirmedBy !== null && e.confirmedBy === facts.controllerId)) {
        problems.push(missing('controller_confirmation', "the measure's controller must confirm every realised EBITDA entry before it closes"));
      }
      break;
    }
    case 'on_hold':
      break;
  }
  return problems;
}

function segregation(facts: MeasureFacts): GateProblem[] {
  const problems: GateProblem[] = [];
  if (facts.controllerId && facts.controllerId === facts.ownerId) problems.push({ code: 'SEGREGATION_OF_DUTIES', message: 'the controller cannot also be the owner' });
  if (facts.controllerId && facts.controllerId === facts.sponsorId) problems.push({ code: 'SEGREGATION_OF_DUTIES', message: 'the controller cannot also be the sponsor' });
  return problems;
}

/** Who may ask for a move: the owner and sponsor steer it; only the controller closes it (and never their own). */
function actorProblems(facts: MeasureFacts, request: TransitionRequest): GateProblem[] {
  const { actorId, to } = request;
  if (to === 'closed') {
    if (actorId !== facts.controllerId) return [{ code: 'SEGREGATION_OF_DUTIES', message: "only the measure's controller closes it, after confirming the realised EBITDA" }];
    return [];
  }
  if (actorId !== facts.ownerId && actorId !== facts.sponsorId) {
    return [{ code: 'SEGREGATION_OF_DUTIES', message: "only the measure's owner or sponsor moves it between stages" }];
  }
  return [];
}

export function decideTransition(facts: MeasureFacts, request: TransitionRequest): GateDecision {
  const from = facts.stage;
  const to = request.to;
  const refuse = (...problems: GateProblem[]): GateDecision => ({ ok: false, from, to, problems });
  if (from === 'closed') return refuse({ code: 'FORBIDDEN_MOVE', message: 'a closed measure is final' });
  if (to === from) return refuse({ code: 'FORBIDDEN_MOVE', message: `the measure is already ${label(from)}` });
  const reasonProblems: GateProblem[] = request.reason.trim().length >= MIN_REASON ? [] : [{ code: 'REASON_REQUIRED', message: 'say why (a reason of a few words) — it is recorded with the decision' }];

  let kind: 'advance' | 'setback' | 'hold' | 'resume';
  if (to === 'on_hold') kind = 'hold';
  else if (from === 'on_hold') {
    if (to !== facts.heldFrom) return refuse({ code: 'FORBIDDEN_MOVE', message: `an on-hold measure resumes at the stage it was held from (${facts.heldFrom ? label(facts.heldFrom) : 'unknown'})` });
    kind = 'resume';
  } else {
    const step = indexOf(to) - indexOf(from);
    if (step > 1) return refuse({ code: 'FORBIDDEN_MOVE', message: `gates are passed one at a time: from ${label(from)} the next is ${label(gateOrder[indexOf(from) + 1] ?? from)}` });
    kind = step === 1 ? 'advance' : 'setback';
  }
  const problems = [
    ...reasonProblems,
    ...actorProblems(facts, request),
    // People may have changed since the measure was defined: duties stay apart at every move.
    ...segregation(facts),
    ...(kind === 'advance' ? entryCriteria(to, facts, request) : []),
  ];
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i);
  return unique.length > 0 ? refuse(...unique) : { ok: true, from, to, kind };
}

/** The problems a new measure has against the Defined gate (it is created there or not at all). */
export const definitionProblems = (facts: MeasureFacts): GateProblem[] => entryCriteria('defined', facts);

/**
 * Confirming a realised EBITDA entry: only the measure's controller, who (segregation of duties) is
 * neither its owner nor its sponsor — nobody confirms the money of their own measure.
 */
export function confirmationProblems(facts: MeasureFacts, actorId: string): GateProblem[] {
  if (actorId === facts.ownerId || actorId === facts.sponsorId) return [{ code: 'SEGREGATION_OF_DUTIES', message: 'nobody confirms the EBITDA of a measure they own or sponsor' }];
  if (actorId !== facts.controllerId) return [{ code: 'SEGREGATION_OF_DUTIES', message: "only the measure's controller confirms its realised EBITDA" }];
  if (facts.stage === 'closed') return [{ code: 'FORBIDDEN_MOVE', message: 'a closed measure is final' }];
  return segregation(facts);
}

export const label = (stage: MeasureStage): string => (stage === 'on_hold' ? 'on hold' : stage);
