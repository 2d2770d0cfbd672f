import { unitHash } from './random.ts';
import { salt, statusAfterUpdate, type ZendeskStatus } from './ticket-lifecycle.ts';
import { isoSeconds } from './ticket-render.ts';
import { flagDeleted } from './ticket-store.ts';
import type { SimulatedWorld, TicketVersion } from './world.ts';

/**
 * Ticket metrics (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/), as the
 * incremental export side-loads them with `include=metric_sets`: one metric set per ticket that is not
 * deleted, regenerated from the seed and the ticket's lifecycle like the rest of the render.
 *
 * The lifecycle behind a ticket's one scheduled update (ticket-lifecycle.ts) in detail — everything
 * between creation and that update is carried by the update (the export serves only changes, and this
 * ticket's only change after creation is that one, so no version ever shows a state in between):
 * - created (`new`); assigned half-way to the first public agent reply, which comes after 5–50 % of
 *   the time to the first solve (or to the update, for a ticket not solved);
 * - a seeded 40 % wait for the requester (`pending`) after that reply, then `open` again;
 * - solved at the update (`solved`), or — `closed` — solved four days before the update and closed by
 *   automation at it (Zendesk closes solved tickets after four days by default);
 * - `reopenShare` of the solved or closed tickets were solved once before, reopened by the requester,
 *   and solved again: `reopens` 1, one more reply;
 * - `open`, `pending` and `hold` at the update: replied to, never solved.
 * `solved_at` is the latest solve [unverified: the docs say only "When the ticket was solved"], so
 * `full_resolution_time` = `solved_at` − `created_at` and `first_resolution_time` is to the first solve.
 * No business-hours schedule: business minutes equal calendar minutes. Wait times are null until the
 * ticket is solved (Zendesk records a duration once both of its events happened); on-hold time is 0
 * (no lifecycle puts a ticket on hold before its last status change).
 * Before the update a metric set shows a ticket nobody has answered yet (or, after a run-time touch, one
 * an agent picked up at the first touch).
 */
const daySec = 86_400;
/** Zendesk's default automation closes a solved ticket four days after it was solved. */
export const closeAfterSolvedSec = 4 * daySec;
const metricIdBase = 360500000000;

export interface TicketLifecycle {
  createdSec: number;
  /** The scheduled update: the ticket's final status change. */
  updateSec: number;
  status: ZendeskStatus;
  assignedSec: number;
  firstReplySec: number;
  /** End of the wait for the requester that started with the first reply (null: none). */
  pendingUntilSec: number | null;
  /** First and latest solve (equal unless reopened); null when never solved. */
  firstSolveSec: number | null;
  solvedSec: number | null;
  reopenSec: number | null;
  closedSec: number | null;
  reopens: number;
  replies: number;
  lastReplySec: number;
}

/** The lifecycle of a ticket whose scheduled update (at `updateSec`) is a status change, not a deletion. */
export function ticketLifecycle(seed: number, id: number, createdSec: number, updateSec: number, reopenShare: number): TicketLifecycle {
  const u = (s: number): number => unitHash(seed, id, s);
  const status = statusAfterUpdate(updateSec - createdSec, u(salt.status));
  const solvedSec = status === 'solved' ? updateSec : status === 'closed' ? Math.max(createdSec + 60, updateSec - closeAfterSolvedSec) : null;
  const reopened = solvedSec !== null && u(salt.reopen) < reopenShare;
  let firstSolveSec = solvedSec;
  let reopenSec: number | null = null;
  if (reopened && solvedSec !== null) {
    firstSolveSec = createdSec + Math.floor((solvedSec - createdSec) * (0.25 + 0.25 * u(salt.reopenAt)));
    reopenSec = firstSolveSec + Math.max(1, Math.floor((solvedSec - firstSolveSec) * (0.2 + 0.5 * u(salt.reopenGap))));
  }
  // Every update is at least a minute after creation, so each step below is strictly later than the one before.
  const firstEnd = firstSolveSec ?? updateSec;
  const firstReplySec = createdSec + Math.max(1, Math.floor((firstEnd - createdSec) * (0.05 + 0.45 * u(salt.firstReply))));
  const pendingUntilSec =
    u(salt.pending) < 0.4 ? firstReplySec + Math.max(1, Math.floor((firstEnd - firstReplySec) * (0.2 + 0.4 * u(salt.pendingLength)))) : null;
  const replies = 1 + Math.floor(u(salt.replies) * 3) + (reopened ? 1 : 0);
  return {
    createdSec,
    updateSec,
    status,
    assignedSec: createdSec + Math.floor((firstReplySec - createdSec) / 2),
    firstReplySec,
    pendingUntilSec,
    firstSolveSec,
    solvedSec,
    reopenSec,
    closedSec: status === 'closed' ? updateSec : null,
    reopens: reopened ? 1 : 0,
    replies,
    // The agent's last reply comes with the solve (or the update); a single reply is the first one.
    lastReplySec: replies > 1 ? (solvedSec ?? updateSec) : firstReplySec,
  };
}

/** The lifecycle as of `version`, or null while the scheduled update has not happened (or is the deletion). */
export function lifecycleOfVersion(world: SimulatedWorld, version: TicketVersion): TicketLifecycle | null {
  const updateSec = world.store.updated[version.id] ?? 0;
  if ((version.flags & flagDeleted) !== 0 || updateSec > version.versionSec) return null;
  return ticketLifecycle(world.seed, version.id, version.createdSec, updateSec, world.reopenShare);
}

type Minutes = { calendar: number | null; business: number | null };
const minutes = (sec: number | null): Minutes => {
  const value = sec === null ? null : Math.floor(sec / 60);
  return { calendar: value, business: value };
};
const isoOrNull = (sec: number | null): string | null => (sec === null ? null : isoSeconds(sec));

/** The metric set of a ticket version as the export side-loads it; null for a deleted ticket (Zendesk has none). */
export function renderMetricSet(world: SimulatedWorld, version: TicketVersion, baseUrl: string): Record<string, unknown> | null {
  if (version.status === 'deleted') return null;
  const metricId = metricIdBase + version.id;
  const head = {
    url: `${baseUrl}/api/v2/ticket_metrics/${metricId}.json`,
    id: metricId,
    ticket_id: version.id,
    created_at: isoSeconds(version.createdSec),
    updated_at: isoSeconds(version.updatedSec),
  };
  const life = lifecycleOfVersion(world, version);
  if (life === null) {
    // Not answered yet; after a run-time touch (status open) an agent picked it up at the first touch.
    const pickedUp = version.status === 'new' ? null : world.firstTouch(version.id, version.versionSec);
    return {
      ...head,
      group_stations: pickedUp === null ? 0 : 1,
      assignee_stations: pickedUp === null ? 0 : 1,
      reopens: 0,
      replies: 0,
      assignee_updated_at: pickedUp === null ? null : isoSeconds(version.updatedSec),
      requester_updated_at: isoSeconds(version.createdSec),
      status_updated_at: isoSeconds(pickedUp ?? version.createdSec),
      custom_status_updated_at: isoSeconds(pickedUp ?? version.createdSec),
      initially_assigned_at: isoOrNull(pickedUp),
      assigned_at: isoOrNull(pickedUp),
      solved_at: null,
      latest_comment_added_at: isoSeconds(version.createdSec),
      reply_time_in_minutes: minutes(null),
      first_resolution_time_in_minutes: minutes(null),
      full_resolution_time_in_minutes: minutes(null),
      agent_wait_time_in_minutes: minutes(null),
      requester_wait_time_in_minutes: minutes(null),
      on_hold_time_in_minutes: minutes(null),
    };
  }
  const { createdSec, solvedSec, firstSolveSec, reopenSec, pendingUntilSec, firstReplySec } = life;
  const pendingSec = pendingUntilSec === null ? 0 : pendingUntilSec - firstReplySec;
  const solvedSpellSec = reopenSec === null || firstSolveSec === null ? 0 : reopenSec - firstSolveSec;
  const agentLastSec = Math.max(solvedSec ?? life.updateSec, version.updatedSec > life.updateSec ? version.updatedSec : 0);
  return {
    ...head,
    group_stations: 1,
    assignee_stations: 1,
    reopens: life.reopens,
    replies: life.replies,
    assignee_updated_at: isoSeconds(agentLastSec),
    requester_updated_at: isoSeconds(Math.max(createdSec, pendingUntilSec ?? 0, reopenSec ?? 0)),
    status_updated_at: isoSeconds(life.updateSec),
    custom_status_updated_at: isoSeconds(life.updateSec),
    initially_assigned_at: isoSeconds(life.assignedSec),
    assigned_at: isoSeconds(life.assignedSec),
    solved_at: isoOrNull(solvedSec),
    latest_comment_added_at: isoSeconds(Math.max(life.lastReplySec, pendingUntilSec ?? 0, reopenSec ?? 0)),
    reply_time_in_minutes: minutes(firstReplySec - createdSec),
    first_resolution_time_in_minutes: minutes(firstSolveSec === null ? null : firstSolveSec - createdSec),
    full_resolution_time_in_minutes: minutes(solvedSec === null ? null : solvedSec - createdSec),
    agent_wait_time_in_minutes: minutes(solvedSec === null ? null : pendingSec),
    requester_wait_time_in_minutes: minutes(solvedSec === null ? null : solvedSec - createdSec - pendingSec - solvedSpellSec),
    on_hold_time_in_minutes: minutes(solvedSec === null ? null : 0),
  };
}

/** What a ticket's metrics truly are as of a version: resolution and close times, reopens. */
export interface TrueResolution {
  /** Whether the export side-loads a metric set for it (not for deleted tickets). */
  hasMetricSet: boolean;
  /** When it was (last) solved, if it is solved or closed now. */
  resolvedAt: string | null;
  closedAt: string | null;
  reopens: number;
}

export function trueResolutionOf(world: SimulatedWorld, version: TicketVersion): TrueResolution {
  if (version.status === 'deleted') return { hasMetricSet: false, resolvedAt: null, closedAt: null, reopens: 0 };
  const life = lifecycleOfVersion(world, version);
  if (life === null) return { hasMetricSet: true, resolvedAt: null, closedAt: null, reopens: 0 };
  return { hasMetricSet: true, resolvedAt: isoOrNull(life.solvedSec), closedAt: isoOrNull(life.closedSec), reopens: life.reopens };
}
