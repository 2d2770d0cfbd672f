import { z } from 'zod';

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
