import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import type { ConnectorContext, SourcePage } from '../../src/connector-kit/connector-module.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { INCIDENT_FIELDS } from './declaration.ts';
import { servicenowConnector } from './index.ts';

/**
 * Contract tests: the ServiceNow connector against Table API v2 responses of the documented shape,
 * through the kit's declared session and HTTP layer (nock standing in for the instance), on a manual clock.
 */
const BASE = 'https://acme.service-now.com';
const PATH = '/api/now/v2/table/incident';
const NOW = Date.parse('2026-03-02T12:00:00Z');
const UPPER = '2026-03-02 11:58:00'; // now less the 120 s safety window
const PASSWORD = 'sn-integration-password-7781';
const json = { 'Content-Type': 'application/json' };
const fixed = { sysparm_fields: INCIDENT_FIELDS.join(','), sysparm_limit: '1000', sysparm_exclude_reference_link: 'true', sysparm_display_value: 'false', sysparm_no_count: 'true' };
const ORDER = '^ORDERBYsys_updated_on^ORDERBYsys_id';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const id = (n: number): string => n.toString(16).padStart(32, 'a');
const row = (n: number, updated: string, over: Record<string, string> = {}) => ({
  sys_id: id(n), number: `INC${String(n).padStart(7, '0')}`, short_description: `incident ${n}`, state: '2', priority: '3', contact_type: 'phone',
  category: 'software', subcategory: 'email', assignment_group: 'a'.repeat(32), business_service: '', cmdb_ci: '', company: 'c'.repeat(32), caller_id: 'd'.repeat(32),
  sys_class_name: 'incident', made_sla: 'true', reopen_count: '0', sys_created_on: '2026-03-01 08:00:00', sys_updated_on: updated, resolved_at: '', closed_at: '', ...over,
});

function open(over: Partial<ConnectorContext> = {}) {
  return servicenowConnector.open({
    key: 'servicenow-itsm', baseUrl: BASE, settings: { auth: { type: 'basic', username: 'frontline.integration' } }, secrets: { password: PASSWORD },
    clock: manualClock(NOW), random: mulberry32(5), secretSources: { password: 'FRONTLINE_SERVICENOW_ITSM_PASSWORD' }, ...over,
  });
}

async function collect(pages: AsyncIterable<SourcePage>): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

describe('servicenow connector: incident table by keyset', () => {
  it('pages by (sys_updated_on, sys_id): rows sharing a second across a page boundary are neither lost nor doubled; a short page is not the end', async () => {
    const auth = `Basic ${Buffer.from(`frontline.integration:${PASSWORD}`).toString('base64')}`;
    const scope = nock(BASE, { reqheaders: { authorization: auth } })
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>=2026-03-01 00:00:00^sys_updated_on<${UPPER}${ORDER}` })
      .reply(200, { result: [row(1, '2026-03-01 10:00:00'), row(2, '2026-03-01 10:00:00')] }, json)
      // The same second continues after the last id; ACLs hid rows of this page, so it is short.
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>2026-03-01 10:00:00^sys_updated_on<${UPPER}^NQsys_updated_on=2026-03-01 10:00:00^sys_id>${id(2)}${ORDER}` })
      .reply(200, { result: [row(3, '2026-03-01 10:00:00')] }, json)
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>2026-03-01 10:00:00^sys_updated_on<${UPPER}^NQsys_updated_on=2026-03-01 10:00:00^sys_id>${id(3)}${ORDER}` })
      .reply(200, { result: [row(4, '2026-03-01 10:00:01')] }, json)
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>2026-03-01 10:00:01^sys_updated_on<${UPPER}^NQsys_updated_on=2026-03-01 10:00:01^sys_id>${id(4)}${ORDER}` })
      .reply(200, { result: [] }, json);
    const session = open();
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: Date.parse('2026-03-01T00:00:00Z') }));
    expect(scope.isDone()).toBe(true);
    expect(pages.flatMap((p) => p.records.map((r) => (r as { number: string }).number))).toEqual(['INC0000001', 'INC0000002', 'INC0000003', 'INC0000004']);
    // Mid-walk the bookmark; finished, the newest change less the safety window (late writes into that second are read next run).
    expect(pages.map((p) => [p.nextCursor, p.done])).toEqual([
      [`["2026-03-01 10:00:00","${id(2)}"]`, false], [`["2026-03-01 10:00:00","${id(3)}"]`, false], [`["2026-03-01 10:00:01","${id(4)}"]`, false],
      ['sys_updated_on>=2026-03-01 09:58:01', true],
    ]);
  });

  it('resumes a walk cut short from its bookmark, and the next run from its time checkpoint less the safety window', async () => {
    const scope = nock(BASE)
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>2026-03-01 10:00:00^sys_updated_on<${UPPER}^NQsys_updated_on=2026-03-01 10:00:00^sys_id>${id(2)}${ORDER}` })
      .reply(200, { result: [] }, json)
      .get(PATH).query({ ...fixed, sysparm_query: `sys_updated_on>=2026-03-01 09:56:01^sys_updated_on<${UPPER}${ORDER}` })
      .reply(200, { result: [] }, json);
    await collect(open().ticketPages({ cursor: `["2026-03-01 10:00:00","${id(2)}"]`, sinceMs: 0 }));
    const [page] = await collect(open().ticketPages({ cursor: 'sys_updated_on>=2026-03-01 09:58:01', sinceMs: 0 }));
    expect(scope.isDone()).toBe(true);
    // Nothing new: the checkpoint stays where the run started.
    expect(page?.nextCursor).toBe('sys_updated_on>=2026-03-01 09:58:01');
  });

  it('401 and 403 fail fast with what to fix, never the password; the rate-limit headers feed the budget', async () => {
    nock(BASE).get(PATH).query(true).reply(401, { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' }, json);
    const rejected = await failure(collect(open().ticketPages({ cursor: null, sinceMs: NOW - 86_400_000 })));
    expect([rejected.code, rejected.failure]).toEqual(['AUTH_REJECTED', 'config']);
    expect(rejected.message).toContain('Check auth.username (frontline.integration) and the password in FRONTLINE_SERVICENOW_ITSM_PASSWORD');
    expect(rejected.message).not.toContain(PASSWORD);
    nock(BASE).get(PATH).query(true).reply(403, { error: { message: 'Insufficient rights' }, status: 'failure' }, json);
    const denied = await failure(collect(open().ticketPages({ cursor: null, sinceMs: NOW - 86_400_000 })));
    expect([denied.code, denied.message]).toEqual(['FORBIDDEN', expect.stringContaining('read ACLs on the incident table')]);
    const reset = Math.floor(NOW / 1000) + 1800;
    nock(BASE).get(PATH).query(true).reply(200, { result: [] }, { ...json, 'X-RateLimit-Limit': '5000', 'X-RateLimit-Remaining': '4321', 'X-RateLimit-Reset': String(reset) });
    const session = open();
    await collect(session.ticketPages({ cursor: null, sinceMs: NOW - 86_400_000 }));
    expect(session.budget()).toMatchObject({ limit: 5000, remaining: 4321, resetAtMs: reset * 1000 });
  });

  it('check() proves the credentials and the read ACL, names the fields ACLs hide, and refuses when paging fields are hidden', async () => {
    const one = (body: Record<string, unknown>) => nock(BASE).get(PATH).query({ ...fixed, sysparm_limit: '1' }).reply(200, body, json);
    one({ result: [row(9, '2026-03-01 10:00:00')] });
    expect(await open().check()).toEqual({ ok: true, detail: 'authenticated as ServiceNow user frontline.integration; incident table and every field read' });
    const { made_sla: _sla, business_service: _service, ...partial } = row(9, '2026-03-01 10:00:00');
    one({ result: [partial] });
    expect((await open().check()).detail).toBe('authenticated as ServiceNow user frontline.integration; incident table readable, but its ACLs hide business_service, made_sla (tickets will lack them)');
    one({ result: [] });
    expect((await open().check()).detail).toContain('no incident is visible to the user');
    const { sys_updated_on: _updated, ...unpageable } = row(9, '2026-03-01 10:00:00');
    one({ result: [unpageable] });
    const refused = await failure(open().check());
    expect([refused.code, refused.failure, refused.message]).toEqual(['FIELDS_HIDDEN', 'config', 'Connector "servicenow-itsm": the ServiceNow user frontline.integration cannot read sys_updated_on of incidents, which paging needs — grant read ACLs on those fields']);
  });
});

describe('servicenow connector: OAuth at /oauth_token.do', () => {
  const CLIENT_SECRET = 'sn-client-secret-55aa';
  const oauth = (auth: Record<string, string>, secrets: Record<string, string>) =>
    open({ settings: { auth }, secrets, secretSources: { clientSecret: 'SN_CLIENT_SECRET', password: 'SN_PASSWORD' } });
  const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

  it('makes the password grant with a form body before the first request, reads with the bearer token, and grants again once on a 401', async () => {
    const grants: Record<string, string>[] = [];
    const scope = nock(BASE)
      .post('/oauth_token.do', (body: string) => (grants.push(form(body)), true)).matchHeader('content-type', 'application/x-www-form-urlencoded')
      .reply(200, { access_token: 'at-1', refresh_token: 'rt-1', token_type: 'Bearer', expires_in: 1799 }, json)
      .get(PATH).query(true).matchHeader('authorization', 'Bearer at-1').reply(200, { result: [row(1, '2026-03-01 10:00:00')] }, json)
      // The token expired mid-walk: one new grant, and the page is asked again.
      .get(PATH).query(true).matchHeader('authorization', 'Bearer at-1').reply(401, { error: { message: 'User Not Authenticated' }, status: 'failure' }, json)
      .post('/oauth_token.do', (body: string) => (grants.push(form(body)), true))
      .reply(200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 1799 }, json)
      .get(PATH).query(true).matchHeader('authorization', 'Bearer at-2').reply(200, { result: [] }, json);
    const session = oauth({ type: 'oauth_password', clientId: 'frontline-client', username: 'frontline.integration' }, { clientSecret: CLIENT_SECRET, password: PASSWORD });
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: Date.parse('2026-03-01T00:00:00Z') }));
    expect(scope.isDone()).toBe(true);
    expect(pages.flatMap((p) => p.records)).toHaveLength(1);
    const grant = { grant_type: 'password', client_id: 'frontline-client', client_secret: CLIENT_SECRET, username: 'frontline.integration', password: PASSWORD };
    expect(grants).toEqual([grant, grant]);
  });

  it('client credentials: a grant without a user; a refused grant is a config error naming what to check, never a secret', async () => {
    const grants: Record<string, string>[] = [];
    nock(BASE).post('/oauth_token.do', (body: string) => (grants.push(form(body)), true)).reply(401, { error: 'access_denied', error_description: 'access_denied' }, json);
    const refused = await failure(oauth({ type: 'oauth_client_credentials', clientId: 'frontline-client' }, { clientSecret: CLIENT_SECRET }).check());
    expect(grants).toEqual([{ grant_type: 'client_credentials', client_id: 'frontline-client', client_secret: CLIENT_SECRET }]);
    expect([refused.code, refused.failure]).toEqual(['OAUTH_GRANT_REJECTED', 'config']);
    expect(refused.message).toContain('the OAuth token endpoint refused the client credentials grant of connector "servicenow-itsm": check the client id and secret');
    expect(refused.message).not.toContain(CLIENT_SECRET);
    // A missing secret is named before any request.
    expect(() => oauth({ type: 'oauth_password', clientId: 'c', username: 'u' }, { clientSecret: CLIENT_SECRET })).toThrow('the secret "password" is not set (auth.type oauth_password)');
    expect(servicenowConnector.secretNames({ auth: { type: 'oauth_password', clientId: 'c', username: 'u' } })).toEqual(['clientSecret', 'password']);
  });
});

describe('servicenow incident normalisation', () => {
  const session = open();

  it("maps the Table API's sample incident (strings everywhere, UTC date-times) to a canonical ticket", () => {
    // The sample of the Table API documentation, with reference links excluded.
    const sample = {
      sys_id: 'a9e30c7dc61122760116894de7bcc7bd', number: 'INC0000046', sys_created_on: '2015-11-01 22:05:30', sys_updated_on: '2015-11-01 22:37:27', active: 'true', state: '1',
      category: 'software', subcategory: '', contact_type: 'phone', priority: '3', impact: '1', urgency: '3', short_description: "Can't access SFA software", close_code: '',
      sys_class_name: 'incident', assignment_group: '8a4dde73c6112278017a6a4baf547aa7',
    };
    expect(session.normalise(sample)).toEqual({
      ok: true, changedAt: '2015-11-01T22:37:27.000Z', erasedBySource: false,
      ticket: {
        nativeId: 'a9e30c7dc61122760116894de7bcc7bd', key: 'INC0000046', url: `${BASE}/nav_to.do?uri=incident.do%3Fsys_id%3Da9e30c7dc61122760116894de7bcc7bd`,
        subject: "Can't access SFA software", status: 'new', priority: 'normal', channel: 'phone', type: 'incident', customerAccount: null, requesterRef: null,
        group: '8a4dde73c6112278017a6a4baf547aa7', product: null, component: null, service: null, category: 'software', subcategory: null, tags: [], formId: null,
        customFields: {}, csat: null, slaBreached: null, reopenCount: 0, createdAt: '2015-11-01T22:05:30.000Z', updatedAt: '2015-11-01T22:37:27.000Z',
        resolvedAt: null, closedAt: null, supportType: null,
      },
    });
  });

  it('reads states, priorities, a missed SLA, reopens and resolution times; quarantines what is not an incident row', () => {
    const resolved = session.normalise(row(5, '2026-03-01 12:00:00', { state: '6', priority: '1', made_sla: 'false', reopen_count: '2', resolved_at: '2026-03-01 11:30:00', u_product: 'Billing' }));
    expect(resolved).toMatchObject({ ok: true, ticket: { status: 'resolved', priority: 'urgent', slaBreached: true, reopenCount: 2, resolvedAt: '2026-03-01T11:30:00.000Z', customFields: { u_product: 'Billing' } } });
    expect(session.normalise(row(6, '2026-03-01 12:00:00', { state: '8', priority: '5' }))).toMatchObject({ ok: true, ticket: { status: 'closed', priority: 'low' } });
    expect(session.normalise({ sys_id: 'not-a-sys-id', sys_created_on: 'x', sys_updated_on: 'y' })).toEqual({ ok: false, nativeId: 'not-a-sys-id', reason: 'not an incident row: sys_id is not a sys_id' });
    expect(session.normalise(row(7, 'yesterday'))).toMatchObject({ ok: false, nativeId: id(7) });
  });
});
