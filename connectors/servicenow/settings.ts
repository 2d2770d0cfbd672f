import { z } from 'zod';
import type { AuthStrategy } from '../../src/connector-kit/declaration.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';

/**
 * Non-secret settings of a ServiceNow connector: the integration user (Basic auth; it needs read
 * ACLs on the table, e.g. the `itil` or `snc_read_only` role). The password is the `password` secret.
 */
export const servicenowSettingsSchema = z.object({
  auth: z.object({ type: z.literal('basic'), username: z.string().min(1) }),
});
export type ServiceNowSettings = z.infer<typeof servicenowSettingsSchema>;

export const secretNamesFor = (_settings: ServiceNowSettings): string[] => ['password'];

export function servicenowAuth(settings: ServiceNowSettings, secrets: Readonly<Record<string, string>>, connectorKey: string): AuthStrategy {
  const password = secrets['password'];
  if (password === undefined || password === '') {
    throw new ConnectorError(`Connector "${connectorKey}": the secret "password" is not set (auth.type basic)`, { failure: 'config', code: 'MISSING_SECRET', connector: connectorKey });
  }
  return { type: 'basic', username: settings.auth.username, password };
}

/** What an operator must check when ServiceNow answers 401: named by setting and secret source, never by value. */
export function credentialHint(settings: ServiceNowSettings, secretSources: Readonly<Record<string, string>> | undefined): string {
  const where = secretSources?.['password'] ?? `the connector's "password" secret`;
  return `Check auth.username (${settings.auth.username}) and the password in ${where}; a locked-out or "web service access only" user is refused too`;
}
