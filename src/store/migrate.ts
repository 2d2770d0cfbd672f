import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Applies prisma/migrations/* with the same bookkeeping as `prisma migrate deploy`, so a machine
 * without Prisma's engines can migrate and either tool can be used later (shared notes:
 * prisma-offline.md). Each file runs as one simple-protocol query: one implicit transaction.
 */
export const defaultMigrationsDir = new URL('../../prisma/migrations/', import.meta.url).pathname;

const PRISMA_ADVISORY_LOCK = 72707369;

export interface MigrationReport {
  applied: string[];
  skipped: string[];
  checksumMismatches: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export async function migrate(databaseUrl: string, migrationsDir = defaultMigrationsDir): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK})`);
    await ensureLedger(client);
    return await applyPending(client, await readMigrations(migrationsDir));
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK})`).catch(() => undefined);
    await client.end();
  }
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql, 'utf8').digest('hex') };
    }),
  );
}

async function ensureLedger(client: pg.Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
}

async function applyPending(client: pg.Client, files: MigrationFile[]): Promise<MigrationReport> {
  const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const failed = rows.rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} failed earlier and was not rolled back (like Prisma's P3009). ` +
        'Inspect the database, then mark it with `prisma migrate resolve` before migrating again.',
    );
  }
  const done = new Map(rows.rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  const report: MigrationReport = { applied: [], skipped: [], checksumMismatches: [] };
  for (const file of files) {
    const applied = done.get(file.name);
    if (applied !== undefined) {
      report.skipped.push(file.name);
      if (applied !== file.checksum) report.checksumMismatches.push(file.name);
      continue;
    }
    await applyOne(client, file);
    report.applied.push(file.name);
  }
  return report;
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, applied_steps_count) VALUES ($1, $2, $3, 0)',
    [id, file.checksum, file.name],
  );
  try {
    await client.query(file.sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
    throw new MigrationError(`Migration ${file.name} failed: ${message}`);
  }
  await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
}
