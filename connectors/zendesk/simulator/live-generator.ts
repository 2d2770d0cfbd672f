import type { EventIndex } from './event-index.ts';
import { hash32, mulberry32, poisson } from './random.ts';
import { appendTicket, type TicketDraws } from './ticket-lifecycle.ts';
import { flagDeleted, type TicketStore } from './ticket-store.ts';

export interface LivePlan extends TicketDraws {
  /** Where history ended: live hours are counted from here. */
  startSec: number;
  /** Expected tickets per unit of model hour weight. */
  ticketsPerWeight: number;
  scrubAfterSec: number;
}

/**
 * New tickets keep arriving as the injected clock advances. Arrivals are generated one hour-long chunk
 * at a time (seeded by the chunk number, so the result does not depend on when requests come in),
 * lazily: a chunk is materialised once the clock reaches its start. Its tickets with future created_at
 * exist already but stay invisible — the export and the truth only look at times up to the clock.
 */
export function createLiveGenerator(plan: LivePlan, store: TicketStore, events: EventIndex) {
  let nextChunk = 0;
  function materialiseChunk(chunk: number): void {
    const chunkStart = plan.startSec + chunk * 3600;
    const random = mulberry32(hash32(plan.seed, chunk, 0x11fe));
    const expected = plan.ticketsPerWeight * plan.model.hourWeight(Math.floor((chunkStart + 1800) / 3600));
    const count = poisson(expected, random);
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) times[i] = chunkStart + Math.floor(random() * 3600);
    times.sort();
    const keys: number[] = [];
    for (const created of times) {
      const id = appendTicket(store, plan, created);
      const updated = store.updated[id] ?? created;
      keys.push(events.key(created, id), events.key(updated, id));
      if (((store.flags[id] ?? 0) & flagDeleted) !== 0) keys.push(events.key(updated + plan.scrubAfterSec, id));
    }
    events.add(keys);
  }
  return {
    /** Generates every chunk that has started by `nowSec`. */
    materialise(nowSec: number): void {
      if (!(plan.ticketsPerWeight > 0)) return;
      while (plan.startSec + nextChunk * 3600 <= nowSec) materialiseChunk(nextChunk++);
    },
  };
}
export type LiveGenerator = ReturnType<typeof createLiveGenerator>;
