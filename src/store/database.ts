import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/**
 * The governance store: one `pg` pool shared by Prisma (through its driver adapter, no Rust engine)
 * and by the bulk paths in this folder (COPY, unnest upserts). Only src/store imports Prisma.
 */
export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}


export function openDatabase(
  databaseUrl: string,
  options: { max?: number; applicationName?: string; onIdleError?: (error: Error) => void } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: withUtcSession(databaseUrl),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'frontline',
  });
  // An idle connection the server closes (restart, failover, a dropped database) is an 'error' event on
  // the pool: unhandled, it would crash the process (https://node-postgres.com/apis/pool#error). The pool
  // drops that client and opens a new one on the next query.
  pool.on('error', (error) => options.onIdleError?.(error));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export type { PrismaClient };

/**
 * Every session in UTC, whatever the server's or the database's `timezone` setting: timestamptz
 * arithmetic and text output follow the session zone (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES),
 * and no query of ours should depend on it. Sent as a startup option (no extra round trip), added to
 * any `options` the URL already has.
 */
export function withUtcSession(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', [existing, '-c TimeZone=UTC'].filter((part) => part !== null && part !== '').join(' '));
  return url.toString();
}

/** The same server and credentials, another database (test, demo and benchmark databases; `postgres` for admin). */
export function databaseUrlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
