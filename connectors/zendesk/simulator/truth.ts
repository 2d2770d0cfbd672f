import { driverCatalog, type DriverKey, unmatchedDriverKey } from './driver-catalog.ts';
import { type SignalKind, signalKinds } from './ticket-lifecycle.ts';
import { malformedFlags } from './ticket-store.ts';
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
    }
  }
  const perDay: Record<string, number> = {};
  for (const day of [...perDayIndex.keys()].sort((a, b) => a - b)) {
    perDay[new Date(day * 86400000).toISOString().slice(0, 10)] = perDayIndex.get(day) ?? 0;
  }
  return { asOfMs, total, live, perDay, perDriver, deletedIds, malformedIds };
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
