import zendesk from 'node-zendesk';
import { z } from 'zod';
import { ConnectorError } from '../../src/connector-kit/failure.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/connector-kit/http-client.ts';
import { API_PREFIX } from './declaration.ts';

/**
 * node-zendesk 6.0.1 on the kit's HTTP layer, through its injectable transport
 * (`transportConfig: { transportFn, responseAdapter }`, see NOTES.md for the exact contract):
 * - `transportFn(uri, options)` gets the assembled URL and `{ method, headers, body, ...clientOptions }`;
 *   we send method + body through the kit client, which applies OUR auth, rules, retries, pacing and
 *   stats, and throws a ConnectorError for anything it does not accept.
 * - `throwOriginalException: true`, or node-zendesk would re-wrap that ConnectorError in a plain Error
 *   ("Request processing failed: …") and lose its class and code.
 * - node-zendesk builds its own Authorization header from `token`; it gets a placeholder and the header
 *   is dropped here, so no secret ever enters node-zendesk (its debug events print options).
 * - The adapter hides `retry-after` (the kit already waited): node-zendesk turns any response carrying
 *   it into a *resolved* 429 Error object.
 */
export type ZendeskClient = ReturnType<typeof zendesk.createClient>;

const transportOptionsSchema = z.looseObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  body: z.string().optional(),
});

/** What node-zendesk's Transporter.sendRequest reads from an adapted response, plus the full body. */
export interface AdaptedResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  /** The parsed body as received: resource clients strip it to one key (jsonAPINames), paging needs the rest. */
  body: unknown;
}

export function adaptResponse(res: HttpResponse<unknown>): AdaptedResponse {
  return {
    status: res.status,
    statusText: '',
    headers: {
      get(name) {
        const lower = name.toLowerCase();
        if (lower === 'retry-after') return null;
        // The kit parsed the body already; node-zendesk only calls json() when it sees JSON here.
        if (lower === 'content-type') return 'application/json';
        return res.headers[lower] ?? null;
      },
    },
    json: async () => res.data,
    body: res.data,
  };
}

export interface TransportOptions {
  /** Added to every request of this client (e.g. `maxResponseBytes` for export pages). */
  request?: Pick<HttpRequest, 'maxResponseBytes'>;
  /** Sees every accepted response (e.g. its size, to size the next page). */
  onResponse?(response: HttpResponse<unknown>): void;
}

export function createZendeskClient(http: HttpClient, transport: TransportOptions = {}): ZendeskClient {
  return zendesk.createClient({
    endpointUri: `${http.baseUrl}${API_PREFIX}`,
    oauth: true,
    token: 'applied-by-connector-kit',
    throwOriginalException: true,
    transportConfig: {
      transportFn: async (uri: string, options: unknown): Promise<AdaptedResponse> => {
        const parsed = transportOptionsSchema.safeParse(options);
        if (!parsed.success) throw unexpected(http.connectorKey, 'node-zendesk passed transport options we do not understand');
        const { method, body } = parsed.data;
        const res = await http.request({
          method,
          url: uri,
          ...transport.request,
          ...(body === undefined ? {} : { data: body, headers: { 'Content-Type': 'application/json' } }),
        });
        transport.onResponse?.(res);
        return adaptResponse(res);
      },
      responseAdapter: (adapted: AdaptedResponse) => adapted,
    },
  });
}

const resultSchema = z.looseObject({ response: z.looseObject({ body: z.unknown() }), result: z.unknown() });

/**
 * GET a full URL verbatim through a node-zendesk resource client: node-zendesk sends a string that
 * contains its endpoint URI as is — the workaround for `exportCursor`, which sends `cursor=undefined`
 * and `page[size]=100` on the first page. Returns the whole parsed body.
 */
export async function getVerbatim(resource: { get(resource: unknown): Promise<unknown> }, url: string, connectorKey: string): Promise<unknown> {
  const parsed = resultSchema.safeParse(await resource.get(url));
  if (!parsed.success) throw unexpected(connectorKey, 'node-zendesk returned a result without the transport response');
  return parsed.data.response.body;
}

function unexpected(connectorKey: string, what: string): ConnectorError {
  return new ConnectorError(`Connector "${connectorKey}": ${what} (node-zendesk upgrade?)`, { failure: 'system', code: 'ZENDESK_CLIENT_CONTRACT', connector: connectorKey });
}
