import { createArrivalModel, type SpikeWindow } from './arrival-model.ts';
import { driverIndexOf } from './driver-catalog.ts';
import { buildHistoryEvents } from './event-index.ts';
import { generateHistory } from './history-generator.ts';
import { createLiveGenerator } from './live-generator.ts';
import type { ResolvedSimulatorOptions } from './options.ts';
import { TicketStore } from './ticket-store.ts';
import { SimulatedWorld } from './world.ts';

const daySec = 86400;

/**
 * Builds the simulated account at `nowMs`: history over `historyDays` ending two minutes before now,
 * the optional release spike, and live arrivals continuing the same rate model from there.
 */
export function buildWorld(options: ResolvedSimulatorOptions, nowMs: number): SimulatedWorld {
  const endSec = Math.floor(nowMs / 1000) - 120;
  const startSec = endSec - Math.round(options.historyDays * daySec);
  const spike: SpikeWindow | null =
    options.scenario === 'release-spike'
      ? {
          driverIndex: driverIndexOf(options.spike.driverKey),
          startSec: endSec - Math.round(options.spike.startDaysAgo * daySec),
          endSec: endSec - Math.round(options.spike.startDaysAgo * daySec) + Math.round(options.spike.days * daySec),
          lift: options.spike.lift,
        }
      : null;
  const model = createArrivalModel(options.seed, spike);
  const draws = { seed: options.seed, model, deletedShare: options.deletedShare, aiAgentShare: options.aiAgentShare };
  const scrubAfterSec = Math.round(options.scrubAfterDays * daySec);
  const store = new TicketStore(options.tickets + 1024);
  const { weightSum } = generateHistory(
    { ...draws, tickets: options.tickets, startSec, endSec, malformed: options.malformed, poison: options.poison },
    store,
  );
  const events = buildHistoryEvents(store, startSec - 1, scrubAfterSec);
  let ticketsPerWeight = 0;
  if (options.live !== false) {
    const perHour = options.live.ticketsPerHour;
    ticketsPerWeight = perHour !== undefined ? perHour / model.meanHourWeight() : weightSum > 0 ? options.tickets / weightSum : 0;
  }
  const live = ticketsPerWeight > 0 ? createLiveGenerator({ ...draws, startSec: endSec, ticketsPerWeight, scrubAfterSec }, store, events) : null;
  return new SimulatedWorld(options.seed, store, events, live, scrubAfterSec, options.reopenShare);
}
