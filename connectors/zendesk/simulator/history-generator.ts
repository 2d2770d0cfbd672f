import type { ArrivalModel } from './arrival-model.ts';
import { mulberry32 } from './random.ts';
import { appendTicket, type TicketDraws } from './ticket-lifecycle.ts';
import {
  flagDeleted, flagMalformedDate, flagMalformedStatus, flagPoisonEscape, flagPoisonNul, flagPoisonSurrogate, flagPoisonYearZero,
  malformedFlags, poisonFlags, type TicketStore,
} from './ticket-store.ts';

export interface HistoryPlan extends TicketDraws {
  tickets: number;
  startSec: number;
  endSec: number;
  malformed: number;
  /** Poison records, cycling through NUL, a literal `\u0000` escape, a lone surrogate and year 0. */
  poison: number;
}

interface HourSegments {
  start: Float64Array;
  length: Float64Array;
  weight: Float64Array;
  /** cumulative[h] = sum of weights before segment h; one extra entry for the total. */
  cumulative: Float64Array;
}

function hourSegments(model: ArrivalModel, startSec: number, endSec: number): HourSegments {
  const firstHour = Math.floor(startSec / 3600);
  const count = Math.max(1, Math.ceil(endSec / 3600) - firstHour);
  const segments: HourSegments = {
    start: new Float64Array(count),
    length: new Float64Array(count),
    weight: new Float64Array(count),
    cumulative: new Float64Array(count + 1),
  };
  for (let h = 0; h < count; h++) {
    const from = Math.max((firstHour + h) * 3600, startSec);
    const to = Math.min((firstHour + h + 1) * 3600, endSec);
    const length = Math.max(0, to - from);
    const weight = (model.hourWeight(firstHour + h) * length) / 3600;
    segments.start[h] = from;
    segments.length[h] = length;
    segments.weight[h] = weight;
    segments.cumulative[h + 1] = (segments.cumulative[h] ?? 0) + weight;
  }
  return segments;
}

/**
 * Generates `tickets` creation times over [startSec, endSec) following the arrival model, in creation
 * order, by stratified sampling of the model's cumulative intensity: the total is exact, and hours
 * follow seasonality and noise. Returns the summed model weight (tickets per unit weight = the rate
 * live arrivals continue with).
 */
export function generateHistory(plan: HistoryPlan, store: TicketStore): { weightSum: number } {
  const segments = hourSegments(plan.model, plan.startSec, plan.endSec);
  const hours = segments.weight.length;
  const total = segments.cumulative[hours] ?? 0;
  const random = mulberry32(plan.seed ^ 0x5eed1e55);
  let h = 0;
  for (let i = 0; i < plan.tickets && total > 0; i++) {
    const target = ((i + random()) / plan.tickets) * total;
    while (h < hours - 1 && (segments.cumulative[h + 1] ?? 0) <= target) h++;
    const weight = segments.weight[h] ?? 0;
    const fraction = weight > 0 ? (target - (segments.cumulative[h] ?? 0)) / weight : 0;
    const created = Math.floor((segments.start[h] ?? 0) + fraction * (segments.length[h] ?? 0));
    appendTicket(store, plan, Math.min(created, plan.endSec - 1));
  }
  markSpecial(store, plan.malformed, plan.seed ^ 0x0bad0bad, [flagMalformedDate, flagMalformedStatus]);
  markSpecial(store, plan.poison, plan.seed ^ 0x9015011, [flagPoisonNul, flagPoisonEscape, flagPoisonSurrogate, flagPoisonYearZero]);
  return { weightSum: total };
}

/** Marks `count` seeded tickets with the given flags in turn (malformed records, poison records). */
function markSpecial(store: TicketStore, count: number, seed: number, kinds: readonly number[]): void {
  const wanted = Math.min(count, Math.floor(store.count / 4));
  const random = mulberry32(seed);
  let marked = 0;
  while (marked < wanted) {
    const id = 1 + Math.floor(random() * store.count);
    const flags = store.flags[id] ?? 0;
    // Already special, or deleted (a tombstone must stay parseable).
    if ((flags & (flagDeleted | malformedFlags | poisonFlags)) !== 0) continue;
    store.flags[id] = flags | (kinds[marked % kinds.length] ?? 0);
    marked++;
  }
}
