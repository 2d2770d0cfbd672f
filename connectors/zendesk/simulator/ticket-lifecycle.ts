import type { ArrivalModel } from './arrival-model.ts';
import { pickIndex, unitHash } from './random.ts';
import { flagAiAgent, flagDeleted, type TicketStore } from './ticket-store.ts';

/**
 * A ticket's life in the simulator: created (status `new`), then one scheduled update after a seeded
 * delay — minutes for quick answers, days for slow ones — whose status fits the delay (pending/open
 * early, solved after a day, closed after four). A `deletedShare` of tickets are deleted at that time
 * instead — a deletion moves only generated_timestamp, never updated_at — and scrubbed `scrubAfterDays`
 * later (world.ts). `touch()`/`remove()` add further changes at run time. What happened in between —
 * replies, waits, solves, a reopen (`reopenShare` of solved tickets) — is carried by that update and
 * shows in the ticket's metric set (ticket-metrics.ts).
 */
export const signalKinds = ['dropdown', 'tag', 'subject', 'none'] as const;
export type SignalKind = (typeof signalKinds)[number];

export const zendeskStatuses = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'] as const;
export type ZendeskStatus = (typeof zendeskStatuses)[number];

/** Salts for unitHash(seed, id, salt): one independent stream per attribute. */
export const salt = {
  driver: 1,
  signal: 2,
  delayKind: 3,
  delay: 4,
  deleted: 5,
  status: 6,
  priority: 7,
  channel: 8,
  type: 9,
  group: 10,
  requester: 11,
  organization: 12,
  organizationId: 13,
  assignee: 14,
  subject: 15,
  description: 16,
  noiseTags: 17,
  orderReference: 18,
  satisfaction: 19,
  aiAgent: 20,
  descriptionSize: 21,
  // Ticket metrics (ticket-metrics.ts).
  reopen: 22,
  reopenAt: 23,
  reopenGap: 24,
  firstReply: 25,
  pending: 26,
  pendingLength: 27,
  replies: 28,
} as const;

const hourSec = 3600;
const daySec = 86400;

/** Signal mix (what the demo rules see): 70 % dropdown, 18 % tag only, 8 % subject only, 4 % none. */
export function drawSignal(u: number): number {
  if (u < 0.7) return 0;
  if (u < 0.88) return 1;
  if (u < 0.96) return 2;
  return 3;
}

export function updateDelaySec(kind: number, u: number): number {
  if (kind < 0.1) return 60 + Math.floor(u * 59 * 60);
  if (kind < 0.55) return hourSec + Math.floor(u * 23 * hourSec);
  if (kind < 0.85) return daySec + Math.floor(u * 3 * daySec);
  return 4 * daySec + Math.floor(u * 6 * daySec);
}

export function statusAfterUpdate(delaySec: number, u: number): ZendeskStatus {
  if (delaySec < hourSec) return u < 0.6 ? 'open' : 'pending';
  if (delaySec < daySec) return u < 0.3 ? 'pending' : u < 0.35 ? 'hold' : 'solved';
  if (delaySec < 4 * daySec) return 'solved';
  return 'closed';
}

export interface TicketDraws {
  seed: number;
  model: ArrivalModel;
  deletedShare: number;
  /** Share of tickets handled by Zendesk AI agents (support_type `ai_agent`). */
  aiAgentShare: number;
}

/** Appends a ticket created at `createdSec` with its seeded driver, signal, update delay and fate. */
export function appendTicket(store: TicketStore, draws: TicketDraws, createdSec: number): number {
  const { seed } = draws;
  const id = store.count + 1;
  const driver = pickIndex(draws.model.driverCumulative(createdSec), unitHash(seed, id, salt.driver));
  const signal = drawSignal(unitHash(seed, id, salt.signal));
  const delay = updateDelaySec(unitHash(seed, id, salt.delayKind), unitHash(seed, id, salt.delay));
  const deleted = unitHash(seed, id, salt.deleted) < draws.deletedShare ? flagDeleted : 0;
  const aiAgent = unitHash(seed, id, salt.aiAgent) < draws.aiAgentShare ? flagAiAgent : 0;
  return store.append(createdSec, createdSec + delay, driver, signal, deleted | aiAgent);
}
