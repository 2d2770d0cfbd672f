import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectorModules } from '../../connectors/registry.ts';
import type { Clock } from '../../src/connector-kit/clock.ts';
import { parseEnv } from '../../src/config/env.ts';
import { loadConfig, resolveAllSecrets } from '../../src/config/index.ts';
import { demoConfigPath } from '../../src/main/demo/demo-config-path.ts';
import { openServices, type Services } from '../../src/main/services.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { applyConfig } from '../../src/store/config-repository.ts';
import { adminUrl, withClient } from './pg-client.ts';

export { adminUrl, withClient } from './pg-client.ts';
import { findConnectorsByKey, type ConnectorRecord } from '../../src/store/connector-repository.ts';
import { databaseUrlFor } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { devSecretBox } from '../../src/store/secret-box.ts';

/** A throw-away, migrated database with the demo config applied, pointed at a simulator. */
export interface BenchStore {
  url: string;
  services: Services;
  connector: ConnectorRecord;
  drop(): Promise<void>;
}

/** `settings` are merged into the demo connector's (e.g. `{ pageBytes }`). */
export async function createBenchStore(simulatorUrl: string, token: string, clock: Clock, settings: Record<string, unknown> = {}): Promise<BenchStore> {
  const base = parseEnv();
  const name = `frontline_bench_${randomBytes(4).toString('hex')}`;
  const admin = adminUrl(base.DATABASE_URL);
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(base.DATABASE_URL, name);
  await migrate(url);
  const env = Object.freeze({ ...base, DATABASE_URL: url, FRONTLINE_REDIS_PREFIX: `{frontline-bench-${name}}` });
  const services = openServices(env, { clock, secretBox: devSecretBox(), logger: createLogger({ level: 'warn' }), applicationName: 'frontline-bench' });
  const configEnv = { FRONTLINE_DEMO_ZENDESK_TOKEN: token };
  const loaded = await loadConfig([demoConfigPath], configEnv, { connectors: connectorModules });
  if (!loaded.ok) throw new Error('demo config invalid');
  const config = {
    ...loaded.config,
    connectors: loaded.config.connectors.map((c) => ({ ...c, baseUrl: simulatorUrl, settings: { ...Object(c.settings), ...settings } })),
  };
  const secrets = resolveAllSecrets(config.connectors, configEnv);
  if (!secrets.ok) throw new Error('demo secrets unresolved');
  const applied = await applyConfig(services.db.prisma, config, { secrets: secrets.secrets, secretBox: services.secretBox, actor: 'bench', source: ['bench'] });
  if (!applied.ok) throw new Error('apply failed');
  const [connector] = await findConnectorsByKey(services.db.prisma, 'zendesk-demo');
  if (!connector) throw new Error('connector missing');
  return {
    url,
    services,
    connector,
    async drop() {
      await services.close();
      await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

