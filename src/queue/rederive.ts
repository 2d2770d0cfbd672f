import type pg from 'pg';
import { enabledConnectorIds } from '../store/derive-repository.ts';
import type { Queues } from './queues.ts';

/**
 * After `config apply` activated a new driver taxonomy: a derive job for every enabled connector of
 * the organization, so history is re-classified now rather than when a ticket next changes. Best
 * effort within `timeoutMs` (the config is applied either way): the scheduler finds connectors whose
 * series are behind the active taxonomy on its next reconcile (scheduler.ts reconcileDerives).
 */
export type RederiveOutcome = { requested: number } | { deferred: string };

export async function requestRederive(pool: pg.Pool, queues: () => Queues, organizationId: string, timeoutMs = 5_000): Promise<RederiveOutcome> {
  const ids = await enabledConnectorIds(pool, organizationId);
  if (ids.length === 0) return { requested: 0 };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const q = queues();
    await Promise.race([Promise.all(ids.map((connectorId) => q.enqueue('derive', { v: 1, connectorId }))), timeout]);
    return { requested: ids.length };
  } catch (error) {
    return { deferred: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
