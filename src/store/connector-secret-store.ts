import type pg from 'pg';
import { loadConnectorSecrets, saveConnectorSecrets } from './config-repository.ts';
import type { PrismaClient } from './database.ts';
import type { SecretBox } from './secret-box.ts';

/**
 * The connector secrets the pull stage reads and writes (`PullDeps.secrets`), and the lock under
 * which a run refreshes OAuth tokens. Zendesk rotates the refresh token on every refresh and revokes
 * the old pair (connectors/zendesk/NOTES.md "Authentication"): two runs of one connector refreshing at
 * once would leave one of them with a revoked token. The lock is a PostgreSQL advisory lock held on one
 * connection for the duration of the refresh, so it holds across streams, workers and machines.
 */
const REFRESH_LOCK_SPACE = 0x46_4c_4f_41; // "FLOA"

export interface ConnectorSecretStore {
  load(connectorId: string): Promise<Record<string, string>>;
  save(connectorId: string, secrets: Record<string, string>): Promise<void>;
  withRefreshLock<T>(connectorId: string, fn: (readStored: () => Promise<Record<string, string>>) => Promise<T>): Promise<T>;
}

export function connectorSecretStore(prisma: PrismaClient, pool: pg.Pool, secretBox: SecretBox): ConnectorSecretStore {
  const load = (connectorId: string): Promise<Record<string, string>> => loadConnectorSecrets(prisma, connectorId, secretBox);
  return {
    load,
    save: (connectorId, secrets) => saveConnectorSecrets(prisma, connectorId, secrets, secretBox),
    async withRefreshLock(connectorId, fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [REFRESH_LOCK_SPACE, connectorId]);
        try {
          return await fn(() => load(connectorId));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REFRESH_LOCK_SPACE, connectorId]).catch((error: unknown) => {
            // Closing the connection releases the lock too.
            broken = error instanceof Error ? error : new Error(String(error));
          });
        }
      } finally {
        client.release(broken);
      }
    },
  };
}
