import { flagDeleted, type TicketStore } from './ticket-store.ts';

/**
 * The export stream's order: every change of every ticket as one float64 key
 * `(timeSec - baseSec) * 2^24 + id`, sorted — Zendesk orders the cursor export by
 * (generated_timestamp, id). History changes sit in one sorted Float64Array (16 bytes per ticket);
 * changes added later (live arrivals, touch, remove) in a second sorted array; reads merge the two
 * (a key present in both is yielded once).
 */
const idSpace = 2 ** 24;

export class EventIndex {
  readonly baseSec: number;
  private readonly staticKeys: Float64Array;
  private dynamicKeys: number[] = [];

  constructor(baseSec: number, staticKeys: Float64Array) {
    this.baseSec = baseSec;
    this.staticKeys = staticKeys;
  }

  key(timeSec: number, id: number): number {
    return (timeSec - this.baseSec) * idSpace + id;
  }

  timeOf(key: number): number {
    return this.baseSec + Math.floor(key / idSpace);
  }

  idOf(key: number): number {
    return key % idSpace;
  }

  /** Adds keys (any order); kept sorted by a linear merge so long live runs stay cheap. */
  add(keys: readonly number[]): void {
    if (keys.length === 0) return;
    const incoming = Float64Array.from(keys).sort();
    const current = this.dynamicKeys;
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < current.length || j < incoming.length) {
      const a = current[i] ?? Infinity;
      const b = incoming[j] ?? Infinity;
      const next = a <= b ? a : b;
      if (a <= b) i++;
      else j++;
      if (merged[merged.length - 1] !== next) merged.push(next);
    }
    this.dynamicKeys = merged;
  }

  /** Keys strictly greater than `afterKey`, ascending. */
  *after(afterKey: number): Generator<number> {
    const dynamic = this.dynamicKeys;
    const statics = this.staticKeys;
    let i = upperBound(statics, afterKey);
    let j = upperBound(dynamic, afterKey);
    while (i < statics.length || j < dynamic.length) {
      const a = i < statics.length ? (statics[i] ?? Infinity) : Infinity;
      const b = j < dynamic.length ? (dynamic[j] ?? Infinity) : Infinity;
      if (a <= b) {
        i++;
        if (a === b) j++;
        yield a;
      } else {
        j++;
        yield b;
      }
    }
  }
}

/** First index whose value is > key. */
function upperBound(sorted: ArrayLike<number>, key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Infinity) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The creation and scheduled-update events of every ticket in the store — and, for tickets whose
 * scheduled update is their deletion, the scrub `scrubAfterSec` later — merged and sorted.
 */
export function buildHistoryEvents(store: TicketStore, baseSec: number, scrubAfterSec: number): EventIndex {
  const index = new EventIndex(baseSec, new Float64Array(0));
  const n = store.count;
  const changes: number[] = [];
  for (let id = 1; id <= n; id++) {
    const updated = store.updated[id] ?? 0;
    changes.push(index.key(updated, id));
    if (((store.flags[id] ?? 0) & flagDeleted) !== 0) changes.push(index.key(updated + scrubAfterSec, id));
  }
  const updates = Float64Array.from(changes).sort();
  const merged = new Float64Array(n + updates.length);
  let created = 1;
  let u = 0;
  for (let k = 0; k < merged.length; k++) {
    const c = created <= n ? index.key(store.created[created] ?? 0, created) : Infinity;
    const next = u < updates.length ? (updates[u] ?? Infinity) : Infinity;
    if (c < next) {
      merged[k] = c;
      created++;
    } else {
      merged[k] = next;
      u++;
    }
  }
  return new EventIndex(baseSec, merged);
}
