import { z } from 'zod';
import { parseDurationSeconds } from './duration.ts';

/**
 * Process environment, parsed once at boot and frozen (README "Configuration", environment table).
 * Secrets read here are never logged: see `redactPaths` in src/observability/logger.ts.
 */
const envSchema = z.object({
  DATABASE_URL: z.url().default('postgresql://postgres:postgres@127.0.0.1:5432/frontline'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** Key prefix for every Redis key; `{…}` hash tag keeps one deployment on one Redis Cluster slot. */
  FRONTLINE_REDIS_PREFIX: z.string().min(1).default('{frontline}'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * Connector-secret encryption keys: `keyId:base64key[,keyId:base64key…]`; the first encrypts, all
   * decrypt (rotation). 32-byte keys (AES-256-GCM).
   */
  FRONTLINE_SECRET_KEYS: z.string().optional(),
  /** Requests one API token (without a token: one client address) may make to /api/v1 per window, per API process. */
  API_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  /** The rate-limit window, in seconds after parsing: whole seconds (`60`) or a duration (`30s`, `1m`, `1h`). */
  API_RATE_LIMIT_WINDOW: z.string().default('1m').transform((text, issues) => {
    const seconds = parseDurationSeconds(text);
    if (seconds === null) {
      issues.addIssue({ code: 'custom', message: 'must be seconds or a duration like 30s, 1m or 1h' });
      return z.NEVER;
    }
    return seconds;
  }),
});

export type Env = Readonly<z.infer<typeof envSchema>>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}\nFix the variables above (see README "Configuration").`);
  }
  return Object.freeze(result.data);
}
