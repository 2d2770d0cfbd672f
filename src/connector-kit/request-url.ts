import { ConnectorError } from './failure.ts';

export type QueryParams = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * Connector base URLs are validated once (README "Configuration"): https only, unless the connector is
 * explicitly allowed to talk plain http (simulators on loopback). No credentials, query or fragment.
 */
export function validateBaseUrl(raw: string, options: { connectorKey: string; allowInsecure: boolean }): URL {
  const fail = (why: string, code: string): ConnectorError =>
    new ConnectorError(`Connector "${options.connectorKey}": baseUrl ${why}`, { failure: 'config', code, connector: options.connectorKey });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('is not an absolute URL (expected e.g. https://acme.zendesk.com)', 'BASE_URL_INVALID');
  }
  if (url.username !== '' || url.password !== '') throw fail('must not contain credentials: put them in the connector secrets', 'BASE_URL_INVALID');
  if (url.search !== '' || url.hash !== '') throw fail('must not contain a query string or fragment', 'BASE_URL_INVALID');
  if (url.protocol === 'http:' && !options.allowInsecure) {
    throw fail(`must use https (got ${url.origin}); plain http is only for simulators, where the config allows it explicitly`, 'BASE_URL_INSECURE');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(`must use https (got ${url.protocol})`, 'BASE_URL_INVALID');
  return url;
}

/**
 * A request URL: relative to the base URL (its path prefix kept), or absolute — then it must stay
 * under the base URL, so credentials are never sent to a host a response pointed us at. Parameters
 * that are null or undefined are left out (no `cursor=undefined`).
 */
export function resolveRequestUrl(base: URL, url: string, params: QueryParams | undefined, connectorKey: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const resolved = /^https?:\/\//i.test(url) ? new URL(url) : new URL(`${prefix}${url.startsWith('/') ? '' : '/'}${url}`, base.origin);
  // Also catches relative inputs like `//evil.example/x` that would change the host.
  if (resolved.origin !== base.origin || !(resolved.pathname === prefix || resolved.pathname.startsWith(`${prefix}/`))) {
    throw new ConnectorError(`Connector "${connectorKey}": refusing to send a request outside the base URL (${resolved.origin}${resolved.pathname})`, {
      failure: 'system',
      code: 'FOREIGN_URL',
      connector: connectorKey,
    });
  }
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== null && value !== undefined) resolved.searchParams.set(name, String(value));
  }
  return resolved;
}

/** Method and path for messages: never the query string (cursors, possibly secrets). */
export function describeRequest(method: string, url: URL): string {
  return `${method.toUpperCase()} ${url.pathname}`;
}
