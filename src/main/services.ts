import { connectorModules } from '../../connectors/registry.ts';
import { systemClock, type Clock } from '../connector-kit/clock.ts';
import type { Env } from '../config/env.ts';
import { classify } from '../domain/driver/index.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type FrontlineMetrics } from '../observability/metrics.ts';
import type { ActiveTaxonomy } from '../domain/driver/index.ts';
import type { DeriveDeps } from '../pipeline/derive/derive-connector.ts';
import type { KpiDeps } from '../pipeline/kpi/refresh-organization-kpis.ts';
import type { DetectDeps } from '../pipeline/detect/detect-organization.ts';
import type { PullDeps } from '../pipeline/pull/run-sync.ts';
import { createQueues, type Queues } from '../queue/queues.ts';
import { activeTaxonomyId, loadActiveTaxonomy } from '../store/config-repository.ts';
import { connectorSecretStore } from '../store/connector-secret-store.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { secretBoxFromEnv, type SecretBox } from '../store/secret-box.ts';

/**
 * The composition root: every process (API, worker, scheduler, CLI, demo) builds its dependencies
 * here, with production defaults, and tests or the demo override what they must (clock, secret key).
 */
export interface Services {
  env: Env;
  logger: Logger;
  clock: Clock;
  db: Database;
  secretBox: SecretBox;
  metrics: FrontlineMetrics;
  pull: PullDeps;
  derive: DeriveDeps;
  kpi: KpiDeps;
  detect: DetectDeps;
  /** Created on first use: commands that never touch Redis never connect to it. */
  queues(): Queues;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  clock?: Clock;
  secretBox?: SecretBox;
  applicationName?: string;
  poolSize?: number;
}

export function openServices(env: Env, overrides: ServiceOverrides = {}): Services {
  const logger = overrides.logger ?? createLogger({ level: env.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const db = openDatabase(env.DATABASE_URL, {
    max: overrides.poolSize ?? 10,
    applicationName: overrides.applicationName ?? 'frontline',
    onIdleError: (error) => logger.warn({ err: error.message }, 'an idle PostgreSQL connection was closed by the server; the pool reconnects'),
  });
  // The key is only needed when secrets are read or written; fail then, with the key error, not at boot.
  const secretBox = overrides.secretBox ?? lazySecretBox(env);
  const metrics = createMetrics();
  let queues: Queues | undefined;
  const activeTaxonomy = taxonomyCache(db);
  return {
    env,
    logger,
    clock,
    db,
    secretBox,
    metrics,
    pull: { pool: db.pool, clock, logger, secrets: connectorSecretStore(db.prisma, db.pool, secretBox), modules: connectorModules, activeTaxonomy },
    derive: { pool: db.pool, logger, activeTaxonomy },
    kpi: { pool: db.pool, logger, now: () => clock.now() },
    detect: { pool: db.pool, logger, now: () => clock.now() },
    queues() {
      queues ??= createQueues({ redisUrl: env.REDIS_URL, prefix: env.FRONTLINE_REDIS_PREFIX });
      return queues;
    },
    async close() {
      await queues?.close();
      await db.close();
    },
  };
}

function lazySecretBox(env: Env): SecretBox {
  let box: SecretBox | undefined;
  const get = (): SecretBox => (box ??= secretBoxFromEnv({ FRONTLINE_SECRET_KEYS: env.FRONTLINE_SECRET_KEYS }));
  return {
    get keyId() {
      return get().keyId;
    },
    encrypt: (plaintext, context) => get().encrypt(plaintext, context),
    decrypt: (sealed, context) => get().decrypt(sealed, context),
    hasKey: (keyId) => get().hasKey(keyId),
  };
}

/** Compiled taxonomies by id (immutable once written): a new version is picked up on the next job. */
function taxonomyCache(db: Database): (organizationId: string) => Promise<ActiveTaxonomy | null> {
  const compiled = new Map<string, ActiveTaxonomy>();
  return async (organizationId) => {
    const id = await activeTaxonomyId(db.prisma, organizationId);
    const cached = id === null ? undefined : compiled.get(id);
    if (cached) return cached;
    const active = await loadActiveTaxonomy(db.prisma, organizationId);
    if (!active) return null;
    let entry = compiled.get(active.id);
    if (!entry) {
      const taxonomy = active.compiled;
      entry = { id: active.id, version: active.version, driverKeys: [...taxonomy.drivers.keys()], classify: (ticket) => classify(ticket, taxonomy) };
      compiled.set(active.id, entry);
    }
    return entry;
  };
}
