/**
 * The simulated ticket table as typed arrays indexed by ticket id (slot 0 unused): about 11 bytes per
 * ticket. Everything else about a ticket (subject, requester, tags…) is derived from the seed and the
 * id when a page is rendered.
 */
export const flagDeleted = 1;
export const flagMalformedDate = 2;
export const flagMalformedStatus = 4;
/** Handled by a Zendesk AI agent: exported only with `support_type_scope=ai_agent` or `all`. */
export const flagAiAgent = 8;
/** Poison records seen in real exports: valid JSON and valid for Zendesk, hostile to a database. */
export const flagPoisonNul = 16;
export const flagPoisonEscape = 32;
export const flagPoisonSurrogate = 64;
/** created_at `0000-01-01T00:00:00Z`: a valid ISO-8601 instant that PostgreSQL refuses (it has no year 0). */
export const flagPoisonYearZero = 128;
export const poisonFlags = flagPoisonNul | flagPoisonEscape | flagPoisonSurrogate | flagPoisonYearZero;
/** Records a complete sync cannot store: quarantined, with their reason. */
export const malformedFlags = flagMalformedDate | flagMalformedStatus | flagPoisonYearZero;

/** Ticket ids share a float64 event key with the event time (see event-index.ts). */
export const maxTicketId = 2 ** 24 - 1;

export class TicketStore {
  count = 0;
  /** created_at, unix seconds. Ids are assigned in creation order, so this is non-decreasing. */
  created: Uint32Array;
  /** The one scheduled update after creation (status change or deletion), unix seconds. */
  updated: Uint32Array;
  /** Index into driverCatalog. */
  driver: Uint8Array;
  /** Index into signalKinds. */
  signal: Uint8Array;
  flags: Uint8Array;

  constructor(capacity: number) {
    const slots = Math.max(16, capacity + 1);
    this.created = new Uint32Array(slots);
    this.updated = new Uint32Array(slots);
    this.driver = new Uint8Array(slots);
    this.signal = new Uint8Array(slots);
    this.flags = new Uint8Array(slots);
  }

  append(createdSec: number, updatedSec: number, driver: number, signal: number, flags: number): number {
    const id = this.count + 1;
    if (id > maxTicketId) throw new RangeError(`simulator supports at most ${maxTicketId} tickets`);
    if (id >= this.created.length) this.grow(Math.ceil(this.created.length * 1.5));
    this.created[id] = createdSec;
    this.updated[id] = updatedSec;
    this.driver[id] = driver;
    this.signal[id] = signal;
    this.flags[id] = flags;
    this.count = id;
    return id;
  }

  private grow(slots: number): void {
    const copy = <T extends Uint32Array | Uint8Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.created = copy(this.created, new Uint32Array(slots));
    this.updated = copy(this.updated, new Uint32Array(slots));
    this.driver = copy(this.driver, new Uint8Array(slots));
    this.signal = copy(this.signal, new Uint8Array(slots));
    this.flags = copy(this.flags, new Uint8Array(slots));
  }
}
