import { driverCatalog, type DriverKey, unmatchedDriverKey } from './driver-catalog.ts';
import { unitHash } from './random.ts';
import { salt, type SignalKind, signalKinds, statusAfterUpdate } from './ticket-lifecycle.ts';
import { type TrueResolution, trueResolutionOf } from './ticket-metrics.ts';
import { flagDeleted, malformedFlags } from './ticket-store.ts';
import type { SimulatedWorld } from './world.ts';

export interface SimulatorTruth {
  asOfMs: number;
  /** Ticket ids ever created up to asOf (incl. deleted and malformed). */
  total: number;
  /** Not deleted, not malformed. */
  live: number;
  /** 'YYYY-MM-DD' (UTC, by created_at) → live count. */
  perDay: Record<string, number>;
  /** Driver key or 'unmatched' → live count. */
  perDriver: Record<string, number>;
  perHourDriver?: never;
  /** Live tickets solved or closed (their metric set has `solved_at`). */
  resolved: number;
  /** Live tickets reopened at least once (`reopens` > 0): all of them resolved again since. */
  reopened: number;
  deletedIds: string[];
  malformedIds: string[];
}

/**
 * Ground truth as of `asOfMs`: exactly what a complete sync that finished after that instant has
 * stored, because the export serves each ticket's state as of the same cutoff (export-stream.ts).
 * perDriver counts what the demo rules can see: tickets without any signal are 'unmatched'.
 */
export function computeTruth(world: SimulatedWorld, asOfMs: number): SimulatorTruth {
  const cutoffSec = Math.floor(asOfMs / 1000);
  const { store } = world;
  const perDayIndex = new Map<number, number>();
  const perDriver: Record<string, number> = {};
  for (const driver of driverCatalog) perDriver[driver.key] = 0;
  perDriver[unmatchedDriverKey] = 0;
  const deletedIds: string[] = [];
  const malformedIds: string[] = [];
  let total = 0;
  let live = 0;
  let resolved = 0;
  let reopened = 0;
  for (let id = 1; id <= store.count; id++) {
    const created = store.created[id] ?? Infinity;
    if (created > cutoffSec) break; // ids follow creation time
    total++;
    if ((store.flags[id] ?? 0) & malformedFlags) malformedIds.push(String(id));
    else if (world.isDeletedAt(id, cutoffSec)) deletedIds.push(String(id));
    else {
      live++;
      const day = Math.floor(created / 86400);
      perDayIndex.set(day, (perDayIndex.get(day) ?? 0) + 1);
      const key = expectedDriverKey(store.driver[id] ?? 0, store.signal[id] ?? 0);
      perDriver[key] = (perDriver[key] ?? 0) + 1;
      // What ticketLifecycle() decides, without building it: the scheduled update has happened and is a status change.
      const updated = store.updated[id] ?? Infinity;
      if (((store.flags[id] ?? 0) & flagDeleted) === 0 && updated <= cutoffSec) {
        const status = statusAfterUpdate(updated - created, unitHash(world.seed, id, salt.status));
        if (status === 'solved' || status === 'closed') {
          resolved++;
          if (unitHash(world.seed, id, salt.reopen) < world.reopenShare) reopened++;
        }
      }
    }
  }
  const perDay: Record<string, number> = {};
  for (const day of [...perDayIndex.keys()].sort((a, b) => a - b)) {
    perDay[new Date(day * 86400000).toISOString().slice(0, 10)] = perDayIndex.get(day) ?? 0;
  }
  return { asOfMs, total, live, perDay, perDriver, resolved, reopened, deletedIds, malformedIds };
}

/** One ticket's true metrics as of the export's cutoff, for tests that compare every stored row. */
export interface TicketResolutionTruth extends TrueResolution {
  id: string;
}

/**
 * Every ticket a complete sync stores as of `asOfMs` (malformed ones, which it quarantines, left out),
 * with when it was resolved and closed and how often it was reopened — from the lifecycle, not from
 * the rendered metric sets, so a test comparing against this checks the whole way through.
 */
export function computeResolutionTruth(world: SimulatedWorld, asOfMs: number): TicketResolutionTruth[] {
  const cutoffSec = Math.floor(asOfMs / 1000);
  const { store } = world;
  const out: TicketResolutionTruth[] = [];
  for (let id = 1; id <= store.count && world.exists(id, cutoffSec); id++) {
    if ((store.flags[id] ?? 0) & malformedFlags) continue;
    out.push({ id: String(id), ...trueResolutionOf(world, world.versionAt(id, world.latestChange(id, cutoffSec))) });
  }
  return out;
}

export interface TrueDriver {
  /** The driver the ticket is really about. */
  driverKey: DriverKey;
  signal: SignalKind;
  /** What the demo rules should classify it as: the driver, or 'unmatched' without a signal. */
  expected: string;
  createdAtMs: number;
}

export function expectedDriverKey(driver: number, signal: number): string {
  return signalKinds[signal] === 'none' ? unmatchedDriverKey : (driverCatalog[driver]?.key ?? unmatchedDriverKey);
}

export function trueDriverOfTicket(world: SimulatedWorld, id: number): TrueDriver | null {
  if (!Number.isInteger(id) || id < 1 || id > world.store.count) return null;
  const driver = world.store.driver[id] ?? 0;
  const signal = world.store.signal[id] ?? 0;
  return {
    driverKey: driverCatalog[driver]?.key ?? driverCatalog[0].key,
    signal: signalKinds[signal] ?? 'none',
    expected: expectedDriverKey(driver, signal),
    createdAtMs: (world.store.created[id] ?? 0) * 1000,
  };
}
