import { databaseUrlFor as databaseUrlOn } from '../../src/store/database.ts';

/** Connection settings for the real servers the tests use (never a user's data: own DBs and prefixes). */
export const adminDatabaseUrl =
  process.env['FRONTLINE_TEST_ADMIN_DATABASE_URL'] ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env['FRONTLINE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export const databaseUrlFor = (name: string): string => databaseUrlOn(adminDatabaseUrl, name);
