import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { defaultMigrationsDir, migrate } from '../../src/store/migrate.ts';
import { adminDatabaseUrl, databaseUrlFor, testRedisUrl } from './test-env.ts';

/**
 * Once per test run: a template database migrated with the current migrations (named by their hash,
 * so it is rebuilt only when they change), a run id for per-file databases and Redis prefixes, and a
 * sweep of leftovers from earlier runs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const template = `frontline_tpl_${await migrationsHash()}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await sweepStaleDatabases(admin);
    await ensureTemplate(admin, template);
  } finally {
    await admin.end();
  }
  project.provide('frontlineTestRun', runId);
  project.provide('frontlineTestTemplate', template);
  return async () => {
    await dropRunDatabases(runId);
    await deleteRunRedisKeys(runId);
  };
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(defaultMigrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of names) hash.update(name).update(await readFile(join(defaultMigrationsDir, name, 'migration.sql')));
  return hash.digest('hex').slice(0, 12);
}

async function ensureTemplate(admin: pg.Client, template: string): Promise<void> {
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
  if (exists.rowCount) return;
  const building = `${template}_build_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
  await admin.query(`CREATE DATABASE "${building}"`);
  await migrate(databaseUrlFor(building));
  await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`).catch(async (error: unknown) => {
    // Another run built it first: keep theirs.
    await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
    if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount) throw error;
  });
}

/** Test databases are named frontline_t_<runId>_…; templates frontline_tpl_<hash>. Drop old ones. */
async function sweepStaleDatabases(admin: pg.Client): Promise<void> {
  const rows = await admin.query<{ datname: string }>(
    `SELECT d.datname FROM pg_database d
      WHERE (d.datname LIKE 'frontline\\_t\\_%' OR d.datname LIKE 'frontline\\_tpl\\_%')
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
        AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '2 hours'`,
  );
  for (const { datname } of rows.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}"`);
}

async function dropRunDatabases(runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    const rows = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`frontline_t_${runId}_%`]);
    for (const { datname } of rows.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function deleteRunRedisKeys(runId: string): Promise<void> {
  const redis = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{fl-test-${runId}-*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    frontlineTestRun: string;
    frontlineTestTemplate: string;
  }
}
