/** A problem with a connector base URL: what is wrong and how to fix it (never echoes credentials). */
export interface BaseUrlProblem {
  message: string;
  fix: string;
}

const simulatorFix = 'use https:// or set allowInsecureBaseUrl: true for a local simulator';

/**
 * README "Configuration": https by default; loopback and private ranges only when explicitly allowed
 * (simulators). Plain http is refused for public hosts even then: a token would cross the internet
 * in clear text. Hostnames that *resolve* to private addresses are not detected here (no DNS).
 */
export function checkBaseUrl(raw: string, allowInsecure: boolean): BaseUrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { message: 'is not a valid absolute URL', fix: 'write the service desk address, e.g. https://acme.zendesk.com' };
  }
  if (url.username !== '' || url.password !== '') {
    return { message: 'must not contain credentials (user:password@)', fix: 'remove them and reference the secret under `secrets:` as { env: NAME }' };
  }
  if (url.search !== '' || url.hash !== '') {
    return { message: `must not have a query or fragment (got ${url.origin}${url.pathname}…)`, fix: 'remove everything from "?" or "#" on' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { message: `must be https (got ${url.protocol}//…)`, fix: 'use https://' };
  }
  const privateHost = isPrivateHost(url.hostname);
  if (url.protocol === 'http:' && !allowInsecure) return { message: `must be https (got ${url.origin})`, fix: simulatorFix };
  if (url.protocol === 'http:' && !privateHost) {
    return { message: `must be https for a public host (got ${url.origin})`, fix: 'use https:// (allowInsecureBaseUrl only permits http on loopback or private addresses)' };
  }
  if (privateHost && !allowInsecure) {
    return { message: `points to a loopback or private address (${url.hostname})`, fix: `use the service desk's public URL, or set allowInsecureBaseUrl: true for a local simulator` };
  }
  return null;
}

/** Loopback, private, link-local, CGNAT and unspecified addresses; localhost and local-only names. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || /\.(localhost|local|internal|lan|home\.arpa)$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (!host.includes(':')) return false;
  // IPv6 (the URL parser has already compressed it): loopback, unspecified, ULA fc00::/7,
  // link-local fe80::/10, and IPv4-mapped ::ffff:… (treated as private: it can hide any v4).
  return host === '::1' || host === '::' || /^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host) || host.startsWith('::ffff:');
}
