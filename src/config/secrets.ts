import type { ConfigIssue } from './config-issue.ts';
import type { ConnectorConfig } from './config-schema.ts';

export type ResolveSecretsResult = { ok: true; secrets: Record<string, string> } | { ok: false; issues: ConfigIssue[] };
type SecretSource = Pick<ConnectorConfig, 'key' | 'secrets' | 'origin'>;

/**
 * Reads a connector's secrets from the environment at apply or run time. A missing (or empty)
 * variable is an issue naming the variable and the secret — never a value.
 */
export function resolveSecrets(connector: SecretSource, env: NodeJS.ProcessEnv = process.env): ResolveSecretsResult {
  const secrets: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, ref] of Object.entries(connector.secrets)) {
    const value = env[ref.env];
    if (value !== undefined && value !== '') secrets[name] = value;
    else issues.push(missingIssue(connector, name, ref.env, 'is not set'));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, secrets };
}

/**
 * Secrets of every connector, keyed by connector key (the shape `applyConfig` takes). Disabled
 * connectors do not need theirs: what is set is stored, what is missing is skipped.
 */
export function resolveAllSecrets(connectors: readonly ConnectorConfig[], env: NodeJS.ProcessEnv = process.env): { ok: true; secrets: Record<string, Record<string, string>> } | { ok: false; issues: ConfigIssue[] } {
  const all: Record<string, Record<string, string>> = {};
  const issues: ConfigIssue[] = [];
  for (const connector of connectors) {
    const result = resolveSecrets(connector, env);
    if (result.ok) all[connector.key] = result.secrets;
    else if (connector.enabled) issues.push(...result.issues);
    else all[connector.key] = Object.fromEntries(Object.entries(connector.secrets).flatMap(([name, ref]) => (env[ref.env] ? [[name, env[ref.env] ?? '']] : [])));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, secrets: all };
}

/** For `config validate`: which enabled connectors would fail to resolve a secret right now. */
export function missingSecretWarnings(connectors: readonly ConnectorConfig[], env: NodeJS.ProcessEnv): ConfigIssue[] {
  return connectors.filter((c) => c.enabled).flatMap((c) => {
    const result = resolveSecrets(c, env);
    return result.ok ? [] : result.issues;
  });
}

function missingIssue(connector: SecretSource, name: string, variable: string, problem: string): ConfigIssue {
  const { file, path, line, column } = connector.origin;
  return {
    file,
    path: `${path}.secrets.${name}`,
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
    message: `environment variable ${variable} ${problem} (secret '${name}' of connector '${connector.key}')`,
    fix: `set ${variable} in the environment of \`frontline config apply\` and of the service`,
  };
}
