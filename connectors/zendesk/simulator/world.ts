import type { EventIndex } from './event-index.ts';
import type { LiveGenerator } from './live-generator.ts';
import { unitHash } from './random.ts';
import { salt, statusAfterUpdate, type ZendeskStatus } from './ticket-lifecycle.ts';
import { flagDeleted, type TicketStore } from './ticket-store.ts';

/** The state of one ticket as of one of its change times. */
export interface TicketVersion {
  id: number;
  createdSec: number;
  /** generated_timestamp of this version: every change moves it. */
  versionSec: number;
  /** updated_at of this version: content changes only — a deletion or a scrub leaves it where it was. */
  updatedSec: number;
  status: ZendeskStatus;
  /** A deleted ticket Zendesk has scrubbed: personal data removed (subject SCRUBBED, description X). */
  scrubbed: boolean;
  driver: number;
  signal: number;
  flags: number;
}

/**
 * The simulated account: the ticket table, the ordered change stream, run-time changes (touch/remove)
 * and live arrivals. All queries take a cutoff time: the state they describe is the state as of that
 * second, which is how the export can serve "everything up to a minute ago" and the truth can match it.
 *
 * Deletion as Zendesk exports it (connectors/zendesk/NOTES.md): the deleted ticket comes back with a
 * new generated_timestamp and the old updated_at; `scrubAfterSec` later it comes back once more,
 * scrubbed.
 */
export class SimulatedWorld {
  readonly seed: number;
  readonly store: TicketStore;
  readonly events: EventIndex;
  readonly scrubAfterSec: number;
  /** Share of solved (or closed) tickets that were reopened once before their last solve (ticket-metrics.ts). */
  readonly reopenShare: number;
  private readonly live: LiveGenerator | null;
  /** Run-time touches per ticket, ascending. */
  private readonly touches = new Map<number, number[]>();
  private readonly removals = new Map<number, number>();

  constructor(seed: number, store: TicketStore, events: EventIndex, live: LiveGenerator | null, scrubAfterSec: number, reopenShare: number) {
    this.seed = seed;
    this.reopenShare = reopenShare;
    this.store = store;
    this.events = events;
    this.live = live;
    this.scrubAfterSec = scrubAfterSec;
  }

  materialise(nowSec: number): void {
    this.live?.materialise(nowSec);
  }

  exists(id: number, atSec: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.store.count && (this.store.created[id] ?? Infinity) <= atSec;
  }

  /** When the ticket is (or will be) deleted: a run-time removal, or its scheduled fate. */
  deletedAt(id: number): number | null {
    const removed = this.removals.get(id);
    if (removed !== undefined) return removed;
    return ((this.store.flags[id] ?? 0) & flagDeleted) !== 0 ? (this.store.updated[id] ?? null) : null;
  }

  scrubbedAt(id: number): number | null {
    const deleted = this.deletedAt(id);
    return deleted === null ? null : deleted + this.scrubAfterSec;
  }

  /** Time of the ticket's latest change at or before `cutoffSec` (the ticket must exist by then). */
  latestChange(id: number, cutoffSec: number): number {
    const scrubbed = this.scrubbedAt(id);
    if (scrubbed !== null && scrubbed <= cutoffSec) return scrubbed;
    const deleted = this.deletedAt(id);
    if (deleted !== null && deleted <= cutoffSec) return deleted;
    return this.contentChange(id, cutoffSec);
  }

  /** The latest content change (updated_at) at or before `atSec`, never a deletion or a scrub. */
  contentChange(id: number, atSec: number): number {
    const { store } = this;
    let latest = store.created[id] ?? 0;
    const scheduled = store.updated[id] ?? 0;
    const scheduledIsDeletion = ((store.flags[id] ?? 0) & flagDeleted) !== 0;
    if (!scheduledIsDeletion && scheduled <= atSec && scheduled > latest) latest = scheduled;
    for (const touched of this.touches.get(id) ?? []) {
      if (touched <= atSec && touched > latest) latest = touched;
    }
    return latest;
  }

  /** The first run-time touch at or before `atSec` (null: none). */
  firstTouch(id: number, atSec: number): number | null {
    const first = this.touches.get(id)?.[0];
    return first !== undefined && first <= atSec ? first : null;
  }

  isDeletedAt(id: number, atSec: number): boolean {
    const deleted = this.deletedAt(id);
    return deleted !== null && deleted <= atSec;
  }

  versionAt(id: number, versionSec: number): TicketVersion {
    const { store } = this;
    const createdSec = store.created[id] ?? 0;
    const updatedSec = this.contentChange(id, versionSec);
    const scheduled = store.updated[id] ?? 0;
    const deleted = this.isDeletedAt(id, versionSec);
    const scrubbed = deleted && (this.scrubbedAt(id) ?? Infinity) <= versionSec;
    let status: ZendeskStatus;
    if (deleted) status = 'deleted';
    else if (updatedSec === createdSec && scheduled > versionSec) status = 'new';
    else if (scheduled <= versionSec) status = statusAfterUpdate(scheduled - createdSec, unitHash(this.seed, id, salt.status));
    else status = 'open';
    const driver = store.driver[id] ?? 0;
    return { id, createdSec, versionSec, updatedSec, status, scrubbed, driver, signal: store.signal[id] ?? 0, flags: store.flags[id] ?? 0 };
  }

  /** Changes the tickets at `nowSec` (a new updated_at); deleted or unknown ids are ignored. */
  touch(ids: readonly number[], nowSec: number): void {
    const keys: number[] = [];
    for (const id of ids) {
      if (!this.exists(id, nowSec) || this.isDeletedAt(id, nowSec)) continue;
      const at = Math.max(nowSec, this.latestChange(id, nowSec) + 1);
      const list = this.touches.get(id) ?? [];
      list.push(at);
      this.touches.set(id, list);
      keys.push(this.events.key(at, id));
    }
    this.events.add(keys);
  }

  /** Deletes the tickets at `nowSec`: they reappear in the stream with status "deleted", later scrubbed. */
  remove(ids: readonly number[], nowSec: number): void {
    const keys: number[] = [];
    for (const id of ids) {
      if (!this.exists(id, nowSec) || this.isDeletedAt(id, nowSec) || this.removals.has(id)) continue;
      const at = Math.max(nowSec, this.latestChange(id, nowSec) + 1);
      this.removals.set(id, at);
      keys.push(this.events.key(at, id), this.events.key(at + this.scrubAfterSec, id));
    }
    this.events.add(keys);
  }
}
