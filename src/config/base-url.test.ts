import { describe, expect, it } from 'vitest';
import { checkBaseUrl, isPrivateHost } from './base-url.ts';

describe('checkBaseUrl', () => {
  it('accepts https on public hosts, and http or private hosts only when insecure is allowed', () => {
    expect(checkBaseUrl('https://acme.zendesk.com', false)).toBeNull();
    expect(checkBaseUrl('https://acme.service-now.com/base', false)).toBeNull();
    expect(checkBaseUrl('http://127.0.0.1:4010', true)).toBeNull();
    expect(checkBaseUrl('http://localhost:4010', true)).toBeNull();
    expect(checkBaseUrl('http://127.0.0.1:4010', false)?.message).toBe('must be https (got http://127.0.0.1:4010)');
    expect(checkBaseUrl('https://127.0.0.1:4010', false)?.message).toBe('points to a loopback or private address (127.0.0.1)');
    expect(checkBaseUrl('http://acme.zendesk.com', true)?.message).toBe('must be https for a public host (got http://acme.zendesk.com)');
  });

  it('refuses other schemes, queries and credentials without echoing the credentials', () => {
    expect(checkBaseUrl('ftp://acme.example', false)?.message).toBe('must be https (got ftp://…)');
    expect(checkBaseUrl('https://acme.zendesk.com/?x=1', false)?.message).toContain('must not have a query or fragment');
    const creds = checkBaseUrl('https://me:p4ss@acme.zendesk.com', false);
    expect(creds?.message).toBe('must not contain credentials (user:password@)');
    expect(JSON.stringify(creds)).not.toContain('p4ss');
    expect(checkBaseUrl('not a url', false)?.message).toBe('is not a valid absolute URL');
  });
});

describe('isPrivateHost', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.0.10', true],
    ['169.254.169.254', true], ['100.64.0.1', true], ['0.0.0.0', true], ['8.8.8.8', false],
    ['[::1]', true], ['[fd00::1]', true], ['[fe80::1]', true], ['[::ffff:7f00:1]', true], ['[2001:db8::1]', false],
    ['localhost', true], ['api.localhost', true], ['printer.local', true], ['acme.zendesk.com', false],
  ])('%s → %s', (host, expected) => {
    expect(isPrivateHost(host)).toBe(expected);
  });

  it('sees through the URL parser’s normalisation of numeric hosts', () => {
    expect(isPrivateHost(new URL('http://2130706433/').hostname)).toBe(true);
    expect(isPrivateHost(new URL('http://[::ffff:127.0.0.1]/').hostname)).toBe(true);
  });
});
