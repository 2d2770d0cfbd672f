import { flagAiAgent } from './ticket-store.ts';
import type { SimulatedWorld } from './world.ts';

/**
 * One page of the cursor-based incremental ticket export
 * (https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#cursor-based-incremental-exports).
 * The stream is every ticket change ordered by (generated_timestamp, id); a ticket is served at its
 * latest change up to the cutoff (now − 60 s) and nowhere else, so a ticket changed after it was
 * exported reappears later in the stream. Changes after the cutoff are not served yet: the page ends
 * there with end_of_stream, and the cursor lets the next run continue from it.
 */
export interface StreamPosition {
  timeSec: number;
  id: number;
}

/** `support_type_scope`: Zendesk serves only tickets handled by agents unless asked for more. */
export type SupportTypeScope = 'agent' | 'ai_agent' | 'all';

export interface ExportSliceRequest {
  after: StreamPosition;
  limit: number;
  excludeDeleted: boolean;
  scope: SupportTypeScope;
  cutoffSec: number;
}

export interface ExportSlice {
  entries: { id: number; versionSec: number }[];
  /** Position after the last change consumed (served or skipped). */
  position: StreamPosition;
  endOfStream: boolean;
}

export function sliceExport(world: SimulatedWorld, request: ExportSliceRequest): ExportSlice {
  const { events } = world;
  const { cutoffSec } = request;
  const afterTime = Math.max(request.after.timeSec, events.baseSec - 1);
  const afterKey = events.key(afterTime, afterTime === request.after.timeSec ? request.after.id : 0);
  const entries: ExportSlice['entries'] = [];
  let position = request.after;
  const inScope = (id: number): boolean => {
    if (request.scope === 'all') return true;
    const ai = ((world.store.flags[id] ?? 0) & flagAiAgent) !== 0;
    return request.scope === 'ai_agent' ? ai : !ai;
  };
  const served = (id: number, timeSec: number): boolean =>
    world.latestChange(id, cutoffSec) === timeSec && !(request.excludeDeleted && world.isDeletedAt(id, timeSec)) && inScope(id);
  for (const key of events.after(afterKey)) {
    const timeSec = events.timeOf(key);
    if (timeSec > cutoffSec) break;
    const id = events.idOf(key);
    if (entries.length >= request.limit) {
      if (served(id, timeSec)) return { entries, position, endOfStream: false };
      continue;
    }
    position = { timeSec, id };
    if (served(id, timeSec)) entries.push({ id, versionSec: timeSec });
  }
  return { entries, position, endOfStream: true };
}

/** Opaque cursor in the shape Zendesk's look like: base64 of `{timestamp}.0||{id}|`. */
export function encodeCursor(position: StreamPosition): string {
  return Buffer.from(`${position.timeSec}.0||${position.id}|`, 'utf8').toString('base64');
}

export function decodeCursor(cursor: string): StreamPosition | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(cursor)) return null;
  const match = /^(\d{1,12})\.0\|\|(\d{1,9})\|$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) return null;
  const timeSec = Number(match[1]);
  const id = Number(match[2]);
  return id < 2 ** 24 ? { timeSec, id } : null;
}
