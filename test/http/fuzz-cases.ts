import type { LightMyRequestResponse } from 'fastify';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { errorCatalogue, type ErrorCode } from '../../src/http/errors.ts';

/**
 * The fuzzer's cases for test/http/fuzz.test.ts: nasty values, the routes and their parameters, the
 * seeded generators, and what breaks the API's error contract.
 */
export const SEED = Number(process.env['FRONTLINE_FUZZ_SEED'] ?? 20_260_311);
export const RANDOM_REQUESTS = 300;


export const enc = encodeURIComponent;
export const LONG = 'x'.repeat(10_000);

/** Nasty values for any parameter, percent-encoded as sent. */
export const NASTY: readonly string[] = [
  // NUL and other control characters (C0, DEL, C1), alone and inside a plausible value
  '%00', 'zendesk%00main', '%00%00%00', '%01', '%09', '%0A', '%0D%0A', '%1F', '%7F', '%C2%80', '%C2%9F', 'a%1Bb',
  // invalid UTF-8: lone surrogates (CESU-8), overlong NUL, truncated and stray bytes
  '%ED%A0%80', '%ED%B0%80', '%ED%A0%BD%ED%B8%80', '%C0%80', '%E0%80%80', '%F0%9F%98', '%FF', '%FE%FF', '%80', 'a%C3',
  // broken percent-encoding
  '%', '%2', '%G0', '%%', 'a%', '%25', '%2500',
  // very long values
  LONG, `${'%C3%A9'.repeat(5_000)}`, `zendesk-main${'%20'.repeat(3_000)}`,
  // unicode that PostgreSQL can store (must not crash either)
  enc('Ωmega'), enc('😀'), enc('\u202Eevil'), enc('\uFEFFbom'), enc('\uFFFF'), enc('\u200B'), enc('ｚｅｎｄｅｓｋ'), enc('é'.normalize('NFD')),
  // paths, separators, SQL-ish and JSON-ish
  '..', '../..', '%2E%2E', '%2E%2E%2F%2E%2E', '%2F', '%5C', '.', "'", "'%20OR%20'1'%3D'1", "%27%3B%20DROP%20TABLE%20connectors%3B--", '%22', '%5C%27',
  '%24%31', '%3B', '%2C', '%7B%7D', '%5B%5D', 'null', 'undefined', 'true', '__proto__', 'constructor', '*', '%2A', '%25%25', '_',
  // empty and blank
  '', '%20', '+', '%09%20%0A',
  // numbers out of range and odd number syntax
  '-1', '0', '1e309', '-1e309', '1e2', '0x10', '1.5', 'NaN', 'Infinity', '-0', '9007199254740993', '9223372036854775807',
  '9223372036854775808', '9999999999999999999', '99999999999999999999', '00000000000000000001', '18446744073709551616',
  // dates, valid and not
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '275760-09-13T00:00:00Z', '%2B275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z',
  '1970-01-01T00:00:00Z', '2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '2026-03-10T24:00:00Z', '2026-03-10T00:00:00%2B23:59',
  '2026-03-10T00:00:00.123456789Z', '2026-03-10', '2026-03-10T00:00:00', '2026-03-10T00:00:00Z%00', '4714-11-24T00:00:00Z%20BC',
];

/** Instants at the edges of what zod and PostgreSQL accept, each sent as a one-hour range that passes the range check. */
export const EDGE_RANGES: readonly [string, string][] = [
  ['0000-01-01T00:00:00Z', '0000-01-01T01:00:00Z'],
  ['0000-01-01T00:00:00%2B23:59', '0000-01-01T01:00:00%2B23:59'],
  ['0000-12-31T23:00:00Z', '0001-01-01T00:00:00Z'],
  ['0001-01-01T00:00:00Z', '0001-01-01T01:00:00Z'],
  ['1969-12-31T23:00:00Z', '1970-01-01T00:00:00Z'],
  ['9999-12-31T22:59:59Z', '9999-12-31T23:59:59Z'],
  ['9999-12-31T22:00:00-23:59', '9999-12-31T23:00:00-23:59'],
  ['9999-12-31T23:00:00.999999Z', '9999-12-31T23:59:59.999999999Z'],
  ['2026-03-10T00:00:00.0000001Z', '2026-03-10T00:00:00.0000002Z'],
];

export interface RouteSpec {
  name: string;
  /** `{key}` is replaced by the path parameter. */
  path: string;
  pathParams: Record<string, string>;
  query: Record<string, string>;
}

export const ROUTES: readonly RouteSpec[] = [
  { name: 'connectors', path: '/api/v1/connectors', pathParams: {}, query: { organization: 'acme' } },
  { name: 'connector', path: '/api/v1/connectors/{key}', pathParams: { key: 'zendesk-main' }, query: { organization: 'acme' } },
  {
    name: 'quarantine', path: '/api/v1/connectors/{key}/quarantine', pathParams: { key: 'zendesk-main' },
    query: { organization: 'acme', limit: '2', cursor: '0' },
  },
  { name: 'drivers', path: '/api/v1/drivers', pathParams: {}, query: { organization: 'acme', connector: 'zendesk-main' } },
  {
    name: 'series', path: '/api/v1/drivers/series', pathParams: {},
    query: { organization: 'acme', driver: 'configuration%2Fsso', connector: 'zendesk-main', from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z', bucket: 'hour' },
  },
];

export type Query = [string, string][];

export interface FuzzCase {
  label: string;
  url: string;
  headers?: Record<string, string | string[]>;
}

export function urlOf(route: RouteSpec, pathParams: Record<string, string>, query: Query): string {
  let path = route.path;
  for (const [name, value] of Object.entries(pathParams)) path = path.replace(`{${name}}`, value);
  return query.length === 0 ? path : `${path}?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

export const entries = (query: Record<string, string>): Query => Object.entries(query);
export const replaced = (query: Record<string, string>, name: string, value: string): Query =>
  entries(query).map(([k, v]) => [k, k === name ? value : v]);

/** Every parameter of every route with every nasty value, omitted, repeated; then seeded random mixes. */
export function fuzzCases(seed: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const route of ROUTES) {
    const base = entries(route.query);
    cases.push({ label: `${route.name} baseline`, url: urlOf(route, route.pathParams, base) });
    for (const name of Object.keys(route.pathParams)) {
      for (const value of NASTY) cases.push({ label: `${route.name} path ${name}`, url: urlOf(route, { ...route.pathParams, [name]: value }, base) });
    }
    for (const name of Object.keys(route.query)) {
      for (const value of NASTY) cases.push({ label: `${route.name} ${name}`, url: urlOf(route, route.pathParams, replaced(route.query, name, value)) });
      cases.push({ label: `${route.name} ${name} omitted`, url: urlOf(route, route.pathParams, base.filter(([k]) => k !== name)) });
      cases.push({ label: `${route.name} ${name} repeated`, url: urlOf(route, route.pathParams, [...base, [name, route.query[name] ?? '']]) });
      cases.push({ label: `${route.name} ${name} repeated a,b`, url: urlOf(route, route.pathParams, [...base.filter(([k]) => k !== name), [name, 'a'], [name, 'b']]) });
      cases.push({ label: `${route.name} ${name} repeated nul`, url: urlOf(route, route.pathParams, [...base, [name, '%00']]) });
      cases.push({ label: `${route.name} ${name}[]`, url: urlOf(route, route.pathParams, [...base.filter(([k]) => k !== name), [`${name}[]`, 'a']]) });
      cases.push({ label: `${route.name} ${name} without =`, url: `${urlOf(route, route.pathParams, base.filter(([k]) => k !== name))}&${name}` });
    }
    cases.push({ label: `${route.name} unknown parameter`, url: urlOf(route, route.pathParams, [...base, ['__proto__', '%00'], ['x%00', '1']]) });
  }
  const series = ROUTES.find((r) => r.name === 'series');
  if (series) {
    for (const [from, to] of EDGE_RANGES) {
      for (const bucket of ['hour', 'day']) {
        const query = replaced(series.query, 'from', from).map(([k, v]): [string, string] => [k, k === 'to' ? to : k === 'bucket' ? bucket : v]);
        cases.push({ label: `series range ${from}..${to} ${bucket}`, url: urlOf(series, {}, query) });
      }
    }
  }
  cases.push(...randomCases(seed));
  return cases;
}

/** Random values built from pieces that upset parsers and PostgreSQL, 1–3 parameters at a time. */
export function randomCases(seed: number): FuzzCase[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (n: number): string => `%${n.toString(16).toUpperCase().padStart(2, '0')}`;
  const pieces: (() => string)[] = [
    () => enc(String.fromCharCode(0x20 + Math.floor(random() * 95))),
    () => hex(pick([...Array.from({ length: 32 }, (_, i) => i), 0x7f])),
    () => hex(0x80 + Math.floor(random() * 128)),
    () => `%ED${hex(0xa0 + Math.floor(random() * 32))}${hex(0x80 + Math.floor(random() * 64))}`,
    () => enc(String.fromCodePoint(pick([0x80 + Math.floor(random() * 0x780), 0x800 + Math.floor(random() * 0xd000), 0x10000 + Math.floor(random() * 0xfffff)]))),
    () => pick(['%', "'", '..', '%2F', '%00', '%25', '%C0%80']),
    () => pick(NASTY),
  ];
  const value = (): string => {
    const length = pick([0, 1, 2, 5, 20, 199, 200, 201, 1_000]);
    let out = '';
    while (out.length < length) out += pick(pieces)();
    return out;
  };
  const cases: FuzzCase[] = [];
  for (let i = 0; i < RANDOM_REQUESTS; i += 1) {
    const route = pick(ROUTES);
    const names = [...Object.keys(route.pathParams), ...Object.keys(route.query)];
    const chosen = new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(names)));
    const pathParams = { ...route.pathParams };
    const query = { ...route.query };
    for (const name of chosen) {
      if (name in pathParams) pathParams[name] = value();
      else query[name] = value();
    }
    cases.push({ label: `${route.name} random #${i} (${[...chosen].join(', ')})`, url: urlOf(route, pathParams, entries(query)) });
  }
  return cases;
}

/** Odd bytes in the Authorization header: always 401, never 500. */
export const AUTHORIZATION_VALUES: readonly (string | string[])[] = [
  '', ' ', 'Bearer', 'Bearer ', 'Bearer \u0000', `Bearer fl_${'A'.repeat(42)}\u0000`, `Bearer fl_\u0000${'A'.repeat(43)}`, 'Bearer fl_\u00ff\u00fe',
  `Bearer fl_${'\u00e9'.repeat(43)}`, `Bearer fl_${'\ud800'.repeat(43)}`, `Bearer fl_${'A'.repeat(10_000)}`, `Bearer ${'fl_'.repeat(5_000)}`,
  'Bearer\tfl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer  fl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA  ', "Bearer ' OR '1'='1",
  'bearer fl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Basic dXNlcjpwYXNz', 'Bearer fl_AAAA fl_BBBB', '\u0000', '\u007f\u0001',
  ['Bearer fl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer fl_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'],
];

export interface Failure {
  label: string;
  url: string;
  statusCode: number;
  problem: string;
  body: string;
}

export interface FuzzRun {
  total: number;
  statuses: Map<number, number>;
  /** Responses that break the contract, except the router's own (below). */
  failures: Failure[];
  /** Answered by Fastify's router before any hook or handler: FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH. */
  routerAnswers: Failure[];
}

export const codes = new Set(Object.keys(errorCatalogue));
export const ROUTER_CODES = new Set(['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH']);

/** Why a response breaks the contract, or null when it keeps it. */
export function contractProblem(res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`;
  if (res.statusCode < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'error body is not JSON';
  }
  if (typeof body !== 'object' || body === null) return 'error body is not an object';
  const { error, requestId, ...rest } = body as { error?: unknown; requestId?: unknown };
  if (Object.keys(rest).length > 0) return `unexpected keys ${Object.keys(rest).join(', ')}`;
  if (typeof requestId !== 'string' || requestId !== res.headers['x-request-id']) return 'requestId missing or not the x-request-id header';
  if (typeof error !== 'object' || error === null) return 'no error object';
  const { code, message, details, ...extra } = error as { code?: unknown; message?: unknown; details?: unknown };
  if (Object.keys(extra).length > 0) return `unexpected error keys ${Object.keys(extra).join(', ')}`;
  if (typeof code !== 'string' || !codes.has(code)) return `code ${String(code)} is not in the catalogue`;
  // Fastify's own client errors keep their status as FL_BAD_REQUEST (src/http/error-handler.ts).
  if (code !== 'FL_BAD_REQUEST' && errorCatalogue[code as ErrorCode].statusCode !== res.statusCode) return `code ${code} with status ${res.statusCode}`;
  if (typeof message !== 'string' || message === '') return 'no message';
  if (details !== undefined) {
    const ok = Array.isArray(details) && details.every((d) => typeof d === 'object' && d !== null && typeof d.path === 'string' && typeof d.message === 'string');
    if (!ok) return 'details are not [{ path, message }]';
  }
  return null;
}

export function isRouterAnswer(res: LightMyRequestResponse): boolean {
  try {
    const code: unknown = (JSON.parse(res.body) as { code?: unknown }).code;
    return typeof code === 'string' && ROUTER_CODES.has(code);
  } catch {
    return false;
  }
}

export const CONTROL_MESSAGE = 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)';
export const INSTANT_MESSAGE = 'must be between 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z';
export const SAFETY_NET_LOG = 'PostgreSQL refused a request value';
