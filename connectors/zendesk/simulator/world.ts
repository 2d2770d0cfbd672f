import type { EventIndex } from './event-index.ts';
import type { LiveGenerator } from './live-generator.ts';
import { unitHash } from './random.ts';
import { salt, statusAfterUpdate, type ZendeskStatus } from './ticket-lifecycle.ts';
import { flagDeleted, type TicketStore } from './ticket-store.ts';

/** The state of one ticket as of one of its change times. */
export interface TicketVersion {
  id: number;
  createdSec: number;
  /** generated_timestamp and updated_at of this version. */
  versionSec: number;
  status: ZendeskStatus;
  driver: number;
  signal: number;
  flags: number;
}

/**
 * The simulated account: the ticket table, the ordered change stream, run-time changes (touch/remove)
 * and live arrivals. All queries take a cutoff time: the state they describe is the state as of that
 * second, which is how the export can serve "everything up to a minute ago" and the truth can match it.
 */
export class SimulatedWorld {
  readonly seed: number;
  readonly store: TicketStore;
  readonly events: EventIndex;
  private readonly live: LiveGenerator | null;
  /** Run-time touches per ticket, ascending. */
  private readonly touches = new Map<number, number[]>();
  private readonly removals = new Map<number, number>();

  constructor(seed: number, store: TicketStore, events: EventIndex, live: LiveGenerator | null) {
    this.seed = seed;
    this.store = store;
    this.events = events;
    this.live = live;
  }

  materialise(nowSec: number): void {
    this.live?.materialise(nowSec);
  }

  exists(id: number, atSec: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.store.count && (this.store.created[id] ?? Infinity) <= atSec;
  }

  /** Time of the ticket's latest change at or before `cutoffSec` (the ticket must exist by then). */
  latestChange(id: number, cutoffSec: number): number {
    const removed = this.removals.get(id);
    if (removed !== undefined && removed <= cutoffSec) return removed;
    let latest = this.store.created[id] ?? 0;
    const updated = this.store.updated[id] ?? 0;
    if (updated <= cutoffSec && updated > latest) latest = updated;
    for (const touched of this.touches.get(id) ?? []) {
      if (touched <= cutoffSec && touched > latest) latest = touched;
    }
    return latest;
  }

  isDeletedAt(id: number, atSec: number): boolean {
    const removed = this.removals.get(id);
    if (removed !== undefined && removed <= atSec) return true;
    return ((this.store.flags[id] ?? 0) & flagDeleted) !== 0 && (this.store.updated[id] ?? Infinity) <= atSec;
  }

  versionAt(id: number, versionSec: number): TicketVersion {
    const { store } = this;
    const createdSec = store.created[id] ?? 0;
    const updatedSec = store.updated[id] ?? 0;
    let status: ZendeskStatus;
    if (this.isDeletedAt(id, versionSec)) status = 'deleted';
    else if (versionSec === createdSec) status = 'new';
    else if (updatedSec <= versionSec) status = statusAfterUpdate(updatedSec - createdSec, unitHash(this.seed, id, salt.status));
    else status = 'open';
    const driver = store.driver[id] ?? 0;
    return { id, createdSec, versionSec, status, driver, signal: store.signal[id] ?? 0, flags: store.flags[id] ?? 0 };
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

  /** Deletes the tickets at `nowSec`: they reappear in the stream with status "deleted". */
  remove(ids: readonly number[], nowSec: number): void {
    const keys: number[] = [];
    for (const id of ids) {
      if (!this.exists(id, nowSec) || this.isDeletedAt(id, nowSec) || this.removals.has(id)) continue;
      const at = Math.max(nowSec, this.latestChange(id, nowSec) + 1);
      this.removals.set(id, at);
      keys.push(this.events.key(at, id));
    }
    this.events.add(keys);
  }
}
