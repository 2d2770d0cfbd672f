import pg from 'pg';
import { databaseUrlFor } from '../../src/store/database.ts';

/** The maintenance database of a server (to create and drop scratch databases). */
export const adminUrl = (databaseUrl: string): string => databaseUrlFor(databaseUrl, 'postgres');

/** One connection for the length of `fn`. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
