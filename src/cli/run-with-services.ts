import { parseEnv } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { openServices, type ServiceOverrides, type Services } from '../main/services.ts';

/** Opens the services for one command and always closes them (pools, Redis) afterwards. */
export async function withServices<T>(fn: (services: Services) => Promise<T>, overrides: ServiceOverrides = {}): Promise<T> {
  const env = parseEnv();
  const services = openServices(env, {
    logger: createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', pretty: Boolean(process.stderr.isTTY) }),
    applicationName: 'frontline-cli',
    ...overrides,
  });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}
