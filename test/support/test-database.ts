import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { adminDatabaseUrl, databaseUrlFor } from './test-env.ts';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Drops the database (also done for the whole run at teardown). */
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runId = inject('frontlineTestRun');
  const template = inject('frontlineTestTemplate');
  const name = `frontline_t_${runId}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = databaseUrlFor(name);
  const db = openDatabase(url, { max: 5, applicationName: 'frontline-test' });
  return {
    ...db,
    url,
    name,
    async drop() {
      await db.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A Redis key prefix (with a hash tag) unique to this test file and run. */
export function testRedisPrefix(): string {
  return `{fl-test-${inject('frontlineTestRun')}-${randomBytes(3).toString('hex')}}`;
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

