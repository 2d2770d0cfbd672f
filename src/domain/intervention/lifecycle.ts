/**
 * The life of an intervention item: Open → Acknowledged → In progress → Resolved → Effect verified,
 * or Reopened when the series did not go back to normal (or spiked again) — then worked on again.
 * People acknowledge, start and resolve; the detect stage verifies and reopens. Every transition is
 * an audit record with who, when and why (intervention-repository.ts).
 */
export const interventionStatuses = ['open', 'acknowledged', 'in_progress', 'resolved', 'effect_verified', 'reopened'] as const;
export type InterventionStatus = (typeof interventionStatuses)[number];

export const userActions = ['ack', 'start', 'resolve'] as const;
export type UserAction = (typeof userActions)[number];
export type SystemAction = 'verify' | 'reopen';
export type InterventionAction = UserAction | SystemAction;

const TARGET: Record<InterventionAction, InterventionStatus> = {
  ack: 'acknowledged', start: 'in_progress', resolve: 'resolved', verify: 'effect_verified', reopen: 'reopened',
};

const ALLOWED: Record<InterventionAction, readonly InterventionStatus[]> = {
  ack: ['open', 'reopened'],
  start: ['open', 'acknowledged', 'reopened'],
  resolve: ['open', 'acknowledged', 'in_progress', 'reopened'],
  verify: ['resolved'],
  reopen: ['resolved', 'effect_verified'],
};

export type TransitionResult =
  | { ok: true; from: InterventionStatus; to: InterventionStatus }
  | { ok: false; code: 'INVALID_TRANSITION'; message: string; allowed: UserAction[] };

export function transition(from: InterventionStatus, action: InterventionAction): TransitionResult {
  if (ALLOWED[action].includes(from)) return { ok: true, from, to: TARGET[action] };
  const allowed = userActions.filter((a) => ALLOWED[a].includes(from));
  return {
    ok: false, code: 'INVALID_TRANSITION', allowed,
    message: `cannot ${action} an item that is ${from.replace('_', ' ')}${allowed.length > 0 ? ` (possible: ${allowed.join(', ')})` : ' (nothing left to do by hand)'}`,
  };
}

/** Still asks something of people (not resolved, not verified). */
export const isActive = (status: InterventionStatus): boolean => status === 'open' || status === 'acknowledged' || status === 'in_progress' || status === 'reopened';
