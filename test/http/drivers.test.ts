import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/store/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { bearer, seedConnector, seedOrganization, seedTicket, testApp, tokenFor } from './http-fixtures.ts';

async function seedSeries(
  prisma: PrismaClient,
  organizationId: string,
  key: string,
  kind: 'driver_volume' | 'unmatched_volume',
  points: [string, number][],
): Promise<void> {
  const series = await prisma.series.create({ data: { organizationId, key, kind } });
  await prisma.seriesPoint.createMany({ data: points.map(([at, value]) => ({ seriesId: series.id, bucketStart: new Date(at), value })) });
}

describe('drivers and driver series', () => {
  let db: TestDatabase;
  let token: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Berlin is UTC+1 in March before the DST switch (29 March 2026).
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    token = await tokenFor(db.prisma, [org.id]);
    const demo = await seedConnector(db.prisma, org.id, 'zendesk-demo');
    const other = await seedConnector(db.prisma, org.id, 'zendesk-eu');
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 2, contentHash: 'abc123', active: true } });
    await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'old', active: false } });
    await db.prisma.driver.createMany({
      data: [
        { taxonomyId: taxonomy.id, key: 'configuration/sso', name: 'SSO configuration', owningFunction: 'engineering', owners: ['platform-team'] },
        { taxonomyId: taxonomy.id, key: 'billing/refund', name: 'Refunds', owningFunction: 'finance', owners: [] },
      ],
    });
    const classify = async (connector: { id: string }, nativeId: string, driverKey: string | null, status: 'open' | 'deleted' = 'open') => {
      const ticketId = await seedTicket(db.prisma, connector, org.id, nativeId, status);
      await db.prisma.ticketClassification.create({ data: { ticketId, taxonomyId: taxonomy.id, driverKey, ruleKey: driverKey && `rule-${driverKey}`, ticketHash: 'h' } });
    };
    await classify(demo, '1', 'configuration/sso');
    await classify(demo, '2', 'configuration/sso');
    await classify(other, '3', 'configuration/sso');
    await classify(demo, '4', null);
    await classify(demo, '5', 'configuration/sso', 'deleted');

    // 22:00Z is 23:00 in Berlin (10 March); 23:00Z is 00:00 in Berlin (11 March): same UTC day, different local days.
    await seedSeries(db.prisma, org.id, 'driver_volume/zendesk-demo/configuration/sso', 'driver_volume', [
      ['2026-03-10T21:00:00Z', 1],
      ['2026-03-10T22:00:00Z', 2],
      ['2026-03-10T23:00:00Z', 5],
    ]);
    await seedSeries(db.prisma, org.id, 'driver_volume/zendesk-eu/configuration/sso', 'driver_volume', [['2026-03-10T23:00:00Z', 10]]);
    await seedSeries(db.prisma, org.id, 'unmatched_volume/zendesk-demo', 'unmatched_volume', [['2026-03-11T08:00:00Z', 3]]);
  });
  afterAll(async () => {
    await db.drop();
  });

  const get = async (url: string) => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url, headers: bearer(token) });
    await app.close();
    return res;
  };

  it('lists drivers of the active taxonomy with live classified counts and coverage', async () => {
    const res = await get('/api/v1/drivers');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      organization: 'acme',
      taxonomy: { version: 2, contentHash: 'abc123', createdAt: expect.any(String) },
      drivers: [
        { key: 'billing/refund', name: 'Refunds', parentKey: null, owningFunction: 'finance', owners: [], description: null, tickets: 0 },
        { key: 'configuration/sso', name: 'SSO configuration', parentKey: null, owningFunction: 'engineering', owners: ['platform-team'], description: null, tickets: 3 },
      ],
      unmatched: 1,
      classified: 4,
      coveragePct: 75,
    });
    const onlyDemo = (await get('/api/v1/drivers?connector=zendesk-demo')).json();
    expect([onlyDemo.drivers[1].tickets, onlyDemo.unmatched, onlyDemo.coveragePct]).toEqual([2, 1, 66.7]);
  });

  it("aggregates days in the organization's time zone", async () => {
    const res = await get('/api/v1/drivers/series?driver=configuration/sso&connector=zendesk-demo&from=2026-03-09T23:00:00Z&to=2026-03-11T23:00:00Z&bucket=day');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ organization: 'acme', driver: 'configuration/sso', connector: 'zendesk-demo', bucket: 'day', timeZone: 'Europe/Berlin' });
    expect(body.series).toEqual(['driver_volume/zendesk-demo/configuration/sso']);
    expect(body.points).toEqual([
      { start: '2026-03-09T23:00:00.000Z', date: '2026-03-10', value: 3 },
      { start: '2026-03-10T23:00:00.000Z', date: '2026-03-11', value: 5 },
    ]);
  });

  it('aggregates ISO weeks (from Monday) in the organization\'s time zone', async () => {
    // 2026-03-09 is a Monday; Berlin's Monday midnight is 23:00Z on the Sunday.
    const res = await get('/api/v1/drivers/series?driver=configuration/sso&connector=zendesk-demo&from=2026-03-08T23:00:00Z&to=2026-03-22T23:00:00Z&bucket=week');
    expect(res.statusCode).toBe(200);
    expect(res.json().points).toEqual([
      { start: '2026-03-08T23:00:00.000Z', date: '2026-03-09', value: 8 },
      { start: '2026-03-15T23:00:00.000Z', date: '2026-03-16', value: 0 },
    ]);
  });

  it('returns dense hour buckets and sums across connectors when none is named', async () => {
    const res = await get('/api/v1/drivers/series?driver=configuration/sso&from=2026-03-10T21:00:00Z&to=2026-03-11T01:00:00Z&bucket=hour');
    expect(res.statusCode).toBe(200);
    expect(res.json().series).toEqual(['driver_volume/zendesk-demo/configuration/sso', 'driver_volume/zendesk-eu/configuration/sso']);
    expect(res.json().points.map((p: { start: string; value: number }) => [p.start.slice(11, 13), p.value])).toEqual([
      ['21', 1], ['22', 2], ['23', 15], ['00', 0],
    ]);
    const days = await get('/api/v1/drivers/series?driver=configuration/sso&from=2026-03-09T23:00:00Z&to=2026-03-11T23:00:00Z');
    expect(days.json().points.map((p: { value: number }) => p.value)).toEqual([3, 15]);
  });

  it('serves the unmatched series under driver=unmatched', async () => {
    const res = await get('/api/v1/drivers/series?driver=unmatched&connector=zendesk-demo&from=2026-03-10T23:00:00Z&to=2026-03-11T23:00:00Z');
    expect(res.json().series).toEqual(['unmatched_volume/zendesk-demo']);
    expect(res.json().points).toEqual([{ start: '2026-03-10T23:00:00.000Z', date: '2026-03-11', value: 3 }]);
  });

  it('validates the range and the bucket', async () => {
    const backwards = await get('/api/v1/drivers/series?driver=configuration/sso&from=2026-03-11T00:00:00Z&to=2026-03-10T00:00:00Z');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error).toEqual({
      code: 'FL_VALIDATION', message: 'Invalid querystring: 1 problem', details: [{ path: 'to', message: '`to` must be after `from`' }],
    });
    const tooLong = await get('/api/v1/drivers/series?driver=configuration/sso&from=2025-01-01T00:00:00Z&to=2026-03-10T00:00:00Z');
    expect(tooLong.json().error.details).toEqual([{ path: 'to', message: 'range must be at most 400 days' }]);
    const bad = await get('/api/v1/drivers/series?driver=configuration/sso&from=yesterday&to=2026-03-10T00:00:00Z&bucket=month');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['bucket', 'from']);
  });

  it('answers 404 for an unknown driver or connector', async () => {
    const range = 'from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    const driver = await get(`/api/v1/drivers/series?driver=nope/none&${range}`);
    expect(driver.statusCode).toBe(404);
    expect(driver.json().error.message).toBe('No driver "nope/none" in organization "acme"');
    const connector = await get(`/api/v1/drivers/series?driver=configuration/sso&connector=jira-x&${range}`);
    expect(connector.json().error).toEqual({ code: 'FL_NOT_FOUND', message: 'No connector "jira-x" in your organizations' });
    const known = await get(`/api/v1/drivers/series?driver=billing/refund&${range}&bucket=day`);
    expect(known.statusCode).toBe(200);
    expect(known.json().series).toEqual([]);
    expect(known.json().points.every((p: { value: number }) => p.value === 0)).toBe(true);
  });
});
