import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { testRedisUrl } from '../support/test-env.ts';
import { testApp } from './http-fixtures.ts';
import { closedPort } from '../support/closed-port.ts';


describe('public endpoints and the error contract', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers /healthz without a token', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
  });

  it('is ready with the real PostgreSQL and Redis', async () => {
    const redis = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const { app } = testApp(db, { redis });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    await app.close();
    redis.disconnect();
  });

  it('is not ready (503, naming Redis) when Redis is unreachable', async () => {
    const port = await closedPort();
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 200, retryStrategy: () => null });
    redis.on('error', () => undefined);
    const { app, logs } = testApp(db, { redis, readinessTimeoutMs: 500 });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.error.code).toBe('FL_UNAVAILABLE');
    expect(body.error.message).toBe('Not ready: redis unavailable');
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(['redis']);
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect(logs.text()).toContain('readiness check failed');
    await app.close();
    redis.disconnect();
  });

  it('serves Prometheus text with the frontline metrics', async () => {
    const metrics = createMetrics();
    metrics.syncTickets.inc({ connector: 'zendesk-main', outcome: 'inserted' }, 7);
    metrics.jobDuration.observe({ queue: 'pull', job: 'sync' }, 0.3);
    const { app } = testApp(db, { metrics });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    for (const name of [
      'frontline_sync_tickets_total', 'frontline_sync_requests_total', 'frontline_sync_throttled_total', 'frontline_sync_lag_seconds',
      'frontline_rate_budget_remaining', 'frontline_derive_tickets_total', 'frontline_job_duration_seconds', 'process_cpu_user_seconds_total',
    ]) {
      expect(res.body).toContain(`# TYPE ${name}`);
    }
    expect(res.body).toContain('frontline_sync_tickets_total{connector="zendesk-main",outcome="inserted"} 7');
    await app.close();
  });

  it('publishes an OpenAPI 3 document generated from the zod schemas at /docs', async () => {
    const { app } = testApp(db);
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/api/v1/connectors', '/api/v1/connectors/{key}', '/api/v1/connectors/{key}/quarantine', '/api/v1/drivers', '/api/v1/drivers/series']),
    );
    const seriesParams = spec.paths['/api/v1/drivers/series'].get.parameters.map((p: { name: string }) => p.name);
    expect(seriesParams).toEqual(expect.arrayContaining(['driver', 'connector', 'from', 'to', 'bucket']));
    expect(spec.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    await app.close();
  });

  it('answers unknown routes with the coded not-found body', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'FL_NOT_FOUND', message: 'Route GET /nope not found' }, requestId: res.headers['x-request-id'] });
    await app.close();
  });

  it('masks an unexpected error as 500 FL_INTERNAL and logs the real one', async () => {
    const { app, logs } = testApp(db);
    app.get('/boom', async () => {
      throw new Error('database password is hunter2 at db.internal:5432');
    });
    const res = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'trace-123' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'FL_INTERNAL', message: 'Internal error' }, requestId: 'trace-123' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('stack');
    expect(logs.text()).toContain('hunter2');
    expect(logs.text()).toContain('"reqId":"trace-123"');
    await app.close();
  });
});
