import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/http/listen.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testApp } from './http-fixtures.ts';

describe('startApi', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('listens on the asked host (real port when 0), serves, and closes once', async () => {
    const { app } = testApp(db);
    const api = await startApi({ app, host: '127.0.0.1', port: 0 });
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    await Promise.all([api.close(), api.close()]);
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
