import { z } from 'zod';
import type { AuthStrategy } from '../../src/connector-kit/declaration.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';

/**
 * Non-secret settings of a ServiceNow connector: how the integration user authenticates (it needs read
 * ACLs on the table, e.g. the `itil` or `snc_read_only` role) — Basic, or OAuth at `/oauth_token.do`
 * by the password grant (an OAuth API endpoint's client id, and the user) or client credentials
 * (enabled on the instance by `glide.oauth.inbound.client.credential.grant_type.enabled`).
 * Secrets: `password` (Basic, password grant) and `clientSecret` (OAuth).
 */
export const servicenowSettingsSchema = z.object({
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), username: z.string().min(1) }),
    z.object({ type: z.literal('oauth_password'), clientId: z.string().min(1), username: z.string().min(1) }),
    z.object({ type: z.literal('oauth_client_credentials'), clientId: z.string().min(1) }),
  ]),
});
export type ServiceNowSettings = z.infer<typeof servicenowSettingsSchema>;

/** ServiceNow's OAuth token endpoint. https://www.servicenow.com/docs/bundle/latest/page/integrate/authentication/concept/c_OAuthApplications.html */
export const OAUTH_TOKEN_PATH = '/oauth_token.do';

export function secretNamesFor(settings: ServiceNowSettings): string[] {
  switch (settings.auth.type) {
    case 'basic':
      return ['password'];
    case 'oauth_password':
      return ['clientSecret', 'password'];
    case 'oauth_client_credentials':
      return ['clientSecret'];
  }
}

export function servicenowAuth(settings: ServiceNowSettings, secrets: Readonly<Record<string, string>>, connectorKey: string): AuthStrategy {
  const need = (name: string): string => {
    const value = secrets[name];
    if (value === undefined || value === '') {
      throw new ConnectorError(`Connector "${connectorKey}": the secret "${name}" is not set (auth.type ${settings.auth.type})`, { failure: 'config', code: 'MISSING_SECRET', connector: connectorKey });
    }
    return value;
  };
  const a = settings.auth;
  switch (a.type) {
    case 'basic':
      return { type: 'basic', username: a.username, password: need('password') };
    case 'oauth_password':
      return { type: 'oauth_grant', grant: 'password', clientId: a.clientId, clientSecret: need('clientSecret'), user: { username: a.username, password: need('password') }, tokenPath: OAUTH_TOKEN_PATH };
    case 'oauth_client_credentials':
      return { type: 'oauth_grant', grant: 'client_credentials', clientId: a.clientId, clientSecret: need('clientSecret'), tokenPath: OAUTH_TOKEN_PATH };
  }
}

/** The user the connector reads as, for messages. */
export const userOf = (settings: ServiceNowSettings): string => ('username' in settings.auth ? `user ${settings.auth.username}` : `OAuth client ${settings.auth.clientId}`);

/** What an operator must check when ServiceNow answers 401: named by setting and secret source, never by value. */
export function credentialHint(settings: ServiceNowSettings, secretSources: Readonly<Record<string, string>> | undefined): string {
  const where = (name: string): string => secretSources?.[name] ?? `the connector's "${name}" secret`;
  const a = settings.auth;
  if (a.type === 'basic') return `Check auth.username (${a.username}) and the password in ${where('password')}; a locked-out or "web service access only" user is refused too`;
  return `Check auth.clientId (${a.clientId}) and the client secret in ${where('clientSecret')}${a.type === 'oauth_password' ? `, auth.username (${a.username}) and the password in ${where('password')}` : ''}`;
}
