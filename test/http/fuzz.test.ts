import { type AddressInfo, connect } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleFrameworkError, installErrorHandling } from '../../src/http/error-handler.ts';
import { errorCatalogue, type ErrorCode } from '../../src/http/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, type LogCapture, bearer, captureLogs, seedConnector, seedOrganization, testApp, tokenFor } from './http-fixtures.ts';
import {
  SEED,
  enc,
  ROUTES,
  type FuzzCase,
  urlOf,
  entries,
  fuzzCases,
  AUTHORIZATION_VALUES,
  type Failure,
  type FuzzRun,
  contractProblem,
  isRouterAnswer,
  CONTROL_MESSAGE,
  INSTANT_MESSAGE,
  SAFETY_NET_LOG,
} from './fuzz-cases.ts';

/**
 * A seeded fuzzer over every /api/v1 route and every path and query parameter: each request must
 * answer below 500, and every 4xx must carry the coded body `{ error: { code, message, details? },
 * requestId }` (README "HTTP API") with a code from src/http/errors.ts. Values are written as they
 * travel on the wire (already percent-encoded), so invalid UTF-8 and control bytes reach the parsers.
 *
 * Reproduce a run with `FRONTLINE_FUZZ_SEED=<seed> npx vitest run test/http/fuzz.test.ts`.
 */
describe('fuzzed /api/v1 parameters and headers', () => {
  let db: TestDatabase;
  let token: string;
  let twoOrgToken: string;
  let app: FastifyInstance;
  let logs: LogCapture;
  let fuzz: FuzzRun;

  /** The logged cause of a masked 500 (the body never says), to make a failure readable. */
  const loggedError = (res: LightMyRequestResponse): string => {
    if (res.statusCode < 500) return '';
    const id = String(res.headers['x-request-id']);
    const line = logs.lines.find((l) => l.includes(`"reqId":"${id}"`) && l.includes('"request failed"'));
    const message = line === undefined ? undefined : (JSON.parse(line) as { err?: { message?: string } }).err?.message;
    return message === undefined ? '' : `\n    logged: ${message.replaceAll('\n', ' ').slice(-300)}`;
  };

  const run = async (cases: readonly FuzzCase[], headers: (c: FuzzCase) => Record<string, string | string[]>, into: FuzzRun): Promise<void> => {
    for (const c of cases) {
      const res = await app.inject({ method: 'GET', url: c.url, headers: headers(c) });
      into.total += 1;
      into.statuses.set(res.statusCode, (into.statuses.get(res.statusCode) ?? 0) + 1);
      const problem = contractProblem(res);
      if (!problem) continue;
      const failure = { label: c.label, url: c.url.slice(0, 160), statusCode: res.statusCode, problem, body: res.body.slice(0, 200) + loggedError(res) };
      (res.statusCode < 500 && isRouterAnswer(res) ? into.routerAnswers : into.failures).push(failure);
    }
  };

  const report = (what: string, r: FuzzRun, failures: Failure[]): string =>
    `${what} (seed ${SEED}): ${failures.length} of ${r.total} requests broke the contract; statuses ${JSON.stringify(Object.fromEntries(r.statuses))}\n` +
    failures.map((f) => `  ${f.label}: ${f.problem}\n    GET ${f.url}\n    ${f.body}`).join('\n');

  const get = (url: string, auth = token) => app.inject({ method: 'GET', url, headers: bearer(auth) });

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    const beta = await seedOrganization(db.prisma, 'beta');
    token = await tokenFor(db.prisma, [org.id]);
    twoOrgToken = await tokenFor(db.prisma, [org.id, beta.id], 'two');
    const main = await seedConnector(db.prisma, org.id, 'zendesk-main');
    await seedConnector(db.prisma, beta.id, 'zendesk-main');
    for (const i of [1, 2, 3]) {
      await db.prisma.quarantinedRecord.create({
        data: { connectorId: main.id, stream: 'tickets', nativeId: `q${i}`, reason: 'missing created_at', payload: { id: i }, payloadHash: `h${i}`, firstSeenAt: new Date(NOW) },
      });
    }
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'abc', active: true } });
    await db.prisma.driver.create({ data: { taxonomyId: taxonomy.id, key: 'configuration/sso', name: 'SSO', owningFunction: 'engineering', owners: [] } });
    const series = await db.prisma.series.create({ data: { organizationId: org.id, key: 'driver_volume/zendesk-main/configuration/sso', kind: 'driver_volume' } });
    await db.prisma.seriesPoint.create({ data: { seriesId: series.id, bucketStart: new Date('2026-03-10T08:00:00Z'), value: 4 } });
    ({ app, logs } = testApp(db));
    await app.ready();

    // One fuzz run, asserted from several angles below: with a one-organization token, and the
    // organization cases again with a token that sees two (where `organization` is required).
    const cases = fuzzCases(SEED);
    fuzz = { total: 0, statuses: new Map(), failures: [], routerAnswers: [] };
    await run(cases, () => bearer(token), fuzz);
    await run(cases.filter((c) => /organization|baseline/.test(c.label)), () => bearer(twoOrgToken), fuzz);
    console.info(
      `fuzz (seed ${SEED}): ${fuzz.failures.length} of ${fuzz.total} requests broke the contract and ` +
        `${fuzz.routerAnswers.length} got the router's own 4xx body; statuses ${JSON.stringify(Object.fromEntries(fuzz.statuses))}`,
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers every baseline request with 200, so the fuzzed values are the only thing wrong', async () => {
    for (const route of ROUTES) {
      const res = await get(urlOf(route, route.pathParams, entries(route.query)));
      expect(res.statusCode, `${route.name}: ${res.body}`).toBe(200);
    }
  });

  it('never answers 5xx and always sends the coded error body, whatever the parameters', () => {
    expect(fuzz.total).toBeGreaterThan(2_000);
    expect(fuzz.failures, report('parameters', fuzz, fuzz.failures)).toEqual([]);
    expect([...fuzz.statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  });

  it('refuses bad values in the schemas: PostgreSQL is never handed one it refuses', () => {
    // The error handler's SQLSTATE class 22 mapping is a safety net; the fuzz run must not need it.
    expect(logs.text()).not.toContain(SAFETY_NET_LOG);
    expect(logs.text()).not.toContain('"request failed"');
  });

  // Undecodable path segments (`/connectors/%ED%A0%80`, `/connectors/%`) are answered by Fastify's
  // router before any hook or handler; the `frameworkErrors` server option (build-app.ts, with
  // src/http/error-handler.ts handleFrameworkError) gives them the coded body too.
  it('sends the coded body for paths the router cannot decode', () => {
    expect(fuzz.routerAnswers.every((f) => f.statusCode === 400 || f.statusCode === 414)).toBe(true);
    expect(fuzz.routerAnswers, report('router', fuzz, fuzz.routerAnswers)).toEqual([]);
  });

  it('names the parameter that holds NUL or another control character (400 FL_VALIDATION)', async () => {
    const range = 'from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z';
    const cases: [string, string, string][] = [
      ['/api/v1/connectors/zendesk%00main', 'params', 'key'],
      ['/api/v1/connectors/%00/quarantine', 'params', 'key'],
      ['/api/v1/connectors?organization=ac%00me', 'querystring', 'organization'],
      ['/api/v1/connectors/zendesk-main?organization=%7F', 'querystring', 'organization'],
      ['/api/v1/drivers?connector=%1F', 'querystring', 'connector'],
      ['/api/v1/drivers?organization=%C2%85', 'querystring', 'organization'],
      [`/api/v1/drivers/series?driver=%00&${range}`, 'querystring', 'driver'],
      [`/api/v1/drivers/series?driver=configuration%2Fsso&connector=%00&${range}`, 'querystring', 'connector'],
    ];
    for (const [url, context, path] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({
        error: { code: 'FL_VALIDATION', message: `Invalid ${context}: 1 problem`, details: [{ path, message: CONTROL_MESSAGE }] },
        requestId: res.headers['x-request-id'],
      });
    }
    // Unicode that is not a control character is a key like any other: not found, not refused.
    for (const url of [`/api/v1/connectors/${enc('Ωmega😀')}`, `/api/v1/drivers/series?driver=${enc('Ωmega')}&${range}`]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });

  it('refuses instants PostgreSQL cannot round-trip and cursors beyond bigint (400 FL_VALIDATION)', async () => {
    const series = (from: string, to: string) => get(`/api/v1/drivers/series?driver=configuration%2Fsso&from=${from}&to=${to}&bucket=day`);
    const year0 = await series('0000-01-01T00:00:00Z', '0000-01-01T01:00:00Z');
    expect(year0.statusCode).toBe(400);
    expect(year0.json().error.details).toEqual([{ path: 'from', message: INSTANT_MESSAGE }, { path: 'to', message: INSTANT_MESSAGE }]);
    const year10000 = await series('9999-12-31T22:00:00-23:59', '9999-12-31T23:00:00-23:59');
    expect(year10000.json().error.details).toEqual([{ path: 'from', message: INSTANT_MESSAGE }, { path: 'to', message: INSTANT_MESSAGE }]);
    // Not a date-time at all: one problem, from the format check.
    expect((await series('0000-01-01', '2026-03-10T00:00:00Z')).json().error.details).toEqual([{ path: 'from', message: 'Invalid ISO datetime' }]);
    for (const [from, to] of [['1900-01-01T00:00:00Z', '1900-01-02T00:00:00Z'], ['9999-12-30T23:59:59Z', '9999-12-31T23:59:59Z']] as const) {
      expect((await series(from, to)).statusCode, from).toBe(200);
    }

    const quarantine = (cursor: string) => get(`/api/v1/connectors/zendesk-main/quarantine?cursor=${cursor}`);
    const beyond = await quarantine('9223372036854775808');
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().error.details).toEqual([{ path: 'cursor', message: 'cursor must be a value of nextCursor' }]);
    expect((await quarantine('abc')).json().error.details).toEqual([{ path: 'cursor', message: 'cursor must be a value of nextCursor' }]);
    const last = await quarantine('9223372036854775807');
    expect([last.statusCode, last.json()]).toEqual([200, { items: [], nextCursor: null }]);
  });

  it('answers 401 with the coded body for odd bytes in the Authorization header', async () => {
    const cases = AUTHORIZATION_VALUES.map((value, i): FuzzCase => ({ label: `authorization #${i}`, url: '/api/v1/connectors', headers: { authorization: value } }));
    const auth: FuzzRun = { total: 0, statuses: new Map(), failures: [], routerAnswers: [] };
    await run(cases, (c) => c.headers ?? {}, auth);
    expect(auth.failures, report('authorization', auth, auth.failures)).toEqual([]);
    expect([...auth.statuses.keys()]).toEqual([401]);
  });

  it('answers odd header bytes on a real socket below 500 (401 when Node lets them through)', async () => {
    const { app: served } = testApp(db);
    await served.listen({ host: '127.0.0.1', port: 0 });
    const { port } = served.server.address() as AddressInfo;
    try {
      const send = (authorization: Buffer) => rawRequest(port, authorization);
      // obs-text (0x80–0xFF) is legal in a field value (RFC 9110 §5.5): it reaches the auth hook.
      for (const bytes of [[0xff, 0xfe], [0xc3, 0xa9], [0xed, 0xa0, 0x80], [0x80]]) {
        const res = await send(Buffer.concat([Buffer.from('Bearer fl_'), Buffer.from(bytes), Buffer.from('A'.repeat(40))]));
        expect(res.status, String(bytes)).toBe(401);
        expect(JSON.parse(res.body).error.code).toBe('FL_UNAUTHORIZED');
      }
      // NUL, other controls and DEL are refused by Node's HTTP parser before Fastify sees the request.
      for (const byte of [0x00, 0x01, 0x1f, 0x7f]) {
        const res = await send(Buffer.concat([Buffer.from('Bearer fl_'), Buffer.from([byte]), Buffer.from('A'.repeat(40))]));
        expect(res.status, String(byte)).toBeGreaterThanOrEqual(400);
        expect(res.status, String(byte)).toBeLessThan(500);
      }
    } finally {
      await served.close();
    }
  });
});

/** One HTTP/1.1 request written byte for byte (fetch refuses such header values before sending). */
function rawRequest(port: number, authorization: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.end(Buffer.concat([
      Buffer.from('GET /api/v1/connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: ', 'latin1'),
      authorization,
      Buffer.from('\r\n\r\n', 'latin1'),
    ]));
  });
}

describe('error handler: PostgreSQL data exceptions and router errors', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const appThrowing = (errors: Record<string, unknown>): { app: FastifyInstance; logs: LogCapture } => {
    const { stream, capture } = captureLogs();
    const loggerInstance: FastifyBaseLogger = createLogger({ level: 'info', destination: stream });
    const app = Fastify({ loggerInstance, frameworkErrors: handleFrameworkError });
    installErrorHandling(app);
    for (const [name, error] of Object.entries(errors)) {
      app.get(`/${name}`, async () => {
        throw error;
      });
    }
    app.get('/keys/:key', async (request) => request.params);
    return { app, logs: capture };
  };

  it('answers 400 FL_BAD_REQUEST for a value PostgreSQL refuses, keeps other database errors 500, logs both', async () => {
    // Real errors from Prisma through the pg driver adapter, as the routes would see them.
    const nul = await db.prisma.connector.findMany({ where: { key: 'a\u0000b' } }).then(() => null, (e: unknown) => e);
    const bigint = await db.prisma.quarantinedRecord.findMany({ where: { id: { gt: 2n ** 63n } } }).then(() => null, (e: unknown) => e);
    const division = await db.prisma.$queryRaw`SELECT 1 / 0`.then(() => null, (e: unknown) => e);
    const zone = await db.prisma.$queryRaw`SELECT now() AT TIME ZONE ${'Mars/Olympus'}`.then(() => null, (e: unknown) => e);
    const pgError = await db.pool.query('SELECT $1::uuid', ['not-a-uuid']).then(() => null, (e: unknown) => e);
    const { app, logs } = appThrowing({ nul, bigint, division, zone, pgError, plain: Object.assign(new Error('not PostgreSQL'), { code: '22021' }) });
    const answers: Record<string, [number, string]> = {};
    for (const name of ['nul', 'bigint', 'pgError', 'division', 'zone', 'plain']) {
      const res = await app.inject({ method: 'GET', url: `/${name}` });
      if (res.statusCode < 500) expect(contractProblem(res), name).toBeNull();
      answers[name] = [res.statusCode, res.json().error.code];
    }
    expect(answers).toEqual({
      nul: [400, 'FL_BAD_REQUEST'], bigint: [400, 'FL_BAD_REQUEST'], pgError: [400, 'FL_BAD_REQUEST'],
      division: [500, 'FL_INTERNAL'], zone: [500, 'FL_INTERNAL'], plain: [500, 'FL_INTERNAL'],
    });
    const nulBody = (await app.inject({ method: 'GET', url: '/nul' })).json();
    expect(nulBody.error.message).not.toMatch(/UTF8|0x00|prisma/i);
    const refused = logs.lines.map((l) => JSON.parse(l) as { msg: string; level: number; sqlState?: string }).filter((l) => l.msg === SAFETY_NET_LOG);
    expect(refused.map((l) => [l.level, l.sqlState])).toEqual([[40, '22021'], [40, '22003'], [40, '22P02'], [40, '22021']]);
    expect(logs.lines.filter((l) => l.includes('"request failed"'))).toHaveLength(3);
    await app.close();
  });

  it('answers router errors with the coded body when frameworkErrors is handleFrameworkError', async () => {
    const { app } = appThrowing({});
    const badUrl = await app.inject({ method: 'GET', url: '/keys/%ED%A0%80' });
    expect(contractProblem(badUrl)).toBeNull();
    expect([badUrl.statusCode, badUrl.json().error.code]).toEqual([400, 'FL_BAD_REQUEST']);
    const tooLong = await app.inject({ method: 'GET', url: `/keys/${'x'.repeat(101)}` });
    expect(contractProblem(tooLong)).toBeNull();
    expect([tooLong.statusCode, tooLong.json().error.code]).toEqual([414, 'FL_BAD_REQUEST']);
    await app.close();
  });
});
