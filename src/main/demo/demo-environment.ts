import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseUrlFor } from '../../store/database.ts';
import { migrate } from '../../store/migrate.ts';

/**
 * The demo's own database and Redis prefix, recreated on every run: the simulator's account is
 * generated afresh relative to "now", so cursors from an earlier demo would not match it.
 */
export async function resetDemoDatabase(databaseUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = databaseUrlFor(databaseUrl, name);
  await migrate(url);
  return url;
}

export async function resetDemoRedis(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
