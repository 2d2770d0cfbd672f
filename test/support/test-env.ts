/** Connection settings for the real servers the tests use (never a user's data: own DBs and prefixes). */
export const adminDatabaseUrl =
  process.env['FRONTLINE_TEST_ADMIN_DATABASE_URL'] ?? 'postgresql://postgres:postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env['FRONTLINE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
