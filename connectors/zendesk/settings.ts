import { z } from 'zod';
import type { AuthStrategy } from '../../src/connector-kit/declaration.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';

/**
 * Non-secret settings of a Zendesk connector. API tokens are retired on 2027-04-30 (NOTES.md), so
 * OAuth is first-class; `api_token` stays for existing accounts.
 */
export const zendeskSettingsSchema = z.object({
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('api_token'), email: z.email() }),
    z.object({ type: z.literal('oauth'), clientId: z.string().min(1) }),
  ]),
  /** Most tickets per export page (Zendesk: up to 1000; its default is 1000). */
  pageSize: z.number().int().min(1).max(1000).optional(),
  /**
   * Bytes an export page should have: pages are sized from the tickets seen so far, so large ticket
   * bodies mean fewer tickets a page and memory stays flat (session.ts "page sizing").
   */
  pageBytes: z.number().int().min(64 * 1024).max(64 * 1024 * 1024).optional(),
});
export type ZendeskSettings = z.infer<typeof zendeskSettingsSchema>;

export function secretNamesFor(settings: ZendeskSettings): string[] {
  return settings.auth.type === 'api_token' ? ['token'] : ['clientSecret', 'accessToken', 'refreshToken'];
}

export function zendeskAuth(settings: ZendeskSettings, secrets: Readonly<Record<string, string>>, connectorKey: string): AuthStrategy {
  const need = (name: string): string => {
    const value = secrets[name];
    if (value === undefined || value === '') {
      throw new ConnectorError(`Connector "${connectorKey}": the secret "${name}" is not set (auth.type ${settings.auth.type})`, {
        failure: 'config',
        code: 'MISSING_SECRET',
        connector: connectorKey,
      });
    }
    return value;
  };
  if (settings.auth.type === 'api_token') return { type: 'api_token', email: settings.auth.email, token: need('token') };
  return {
    type: 'oauth',
    clientId: settings.auth.clientId,
    clientSecret: need('clientSecret'),
    // An empty access token just means "refresh first"; the refresh token is what we cannot do without.
    accessToken: secrets['accessToken'] || null,
    refreshToken: need('refreshToken'),
  };
}

/** What an operator must check when Zendesk answers 401: named by setting and secret source, never by value. */
export function credentialHint(settings: ZendeskSettings, secretSources: Readonly<Record<string, string>> | undefined): string {
  const where = (name: string): string => (secretSources?.[name] ? `${secretSources[name]}` : `the connector's "${name}" secret`);
  if (settings.auth.type === 'api_token') {
    return `Check auth.email (${settings.auth.email}) and the API token in ${where('token')}; Zendesk retires API tokens on 2027-04-30 — switch to auth.type oauth`;
  }
  return `Check auth.clientId (${settings.auth.clientId}), the client secret in ${where('clientSecret')} and the OAuth grant: if the refresh token was revoked, authorise the connector again`;
}
