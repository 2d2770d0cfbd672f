import type pg from 'pg';
import { storedSecretSources } from '../../config/apply-plan.ts';
import type { Clock } from '../../connector-kit/clock.ts';
import type { ConnectorModule } from '../../connector-kit/connector-module.ts';
import { ConnectorError, isConnectorError } from '../../connector-kit/failure.ts';
import { runStream, type NormalisedPage, type StreamTotals } from '../../connector-kit/stream-runner.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ActiveTaxonomy } from '../../domain/driver/index.ts';
import type { ConnectorRecord } from '../../store/connector-repository.ts';
import type { FailureClass } from '../../domain/sync/failure-class.ts';
import { beginRun, DEFAULT_HEARTBEAT_MS, finishRun, startHeartbeat, type SyncMode } from '../../store/sync-run-repository.ts';
import { FencedOutError, writeTicketPage, type PageOutcome } from '../../store/ticket-page-writer.ts';

/**
 * One sync run of a connector's ticket stream: the pull stage. Used by the queue worker and by
 * `frontline connectors sync` alike, so both behave the same.
 */
export interface SecretStore {
  load(connectorId: string): Promise<Record<string, string>>;
  save(connectorId: string, secrets: Record<string, string>): Promise<void>;
  /** Serialises OAuth refreshes of one connector (src/store/connector-secret-store.ts). */
  withRefreshLock?<T>(connectorId: string, fn: (readStored: () => Promise<Record<string, string>>) => Promise<T>): Promise<T>;
}

export interface PullDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  secrets: SecretStore;
  modules: Partial<Record<ConnectorRecord['system'], ConnectorModule>>;
  /** Classify at ingest under the organization's active taxonomy (the derive stage converges the rest). */
  activeTaxonomy?: (organizationId: string) => Promise<ActiveTaxonomy | null>;
  /** How often a running run proves it is alive (real ms; default 60 s, a tenth of the takeover threshold). */
  heartbeatEveryMs?: number;
}

export interface SyncRequest {
  connector: ConnectorRecord;
  mode: SyncMode;
  /** Back-fill start; for an incremental stream without a cursor, where history starts. */
  sinceMs?: number;
  jobId?: string | null;
  signal?: AbortSignal;
  /** Rate-limit waits longer than this (real ms) end the run with RATE_LIMIT_WAIT instead (queue workers). */
  deferRateLimitWaitsOverMs?: number;
  onPage?: (progress: SyncProgress) => void | Promise<void>;
}

export interface SyncProgress {
  runId: bigint;
  totals: StreamTotals;
  page: NormalisedPage;
  outcome: PageOutcome;
  /** Source time reached and the time we sync towards: the back-fill progress bar. */
  progressAtMs: number | null;
  startMs: number;
  targetMs: number;
}

export interface SyncResult {
  runId: bigint;
  stream: string;
  totals: StreamTotals;
  maxChangeSeq: bigint | null;
  abandonedRuns: number;
  /** Time spent inside page transactions (the rest is fetching, parsing and normalising). */
  storeMs: number;
}

/** Where a first incremental sync starts when the config sets no `backfillSince`. */
export const DEFAULT_HISTORY_MS = 90 * 24 * 3600 * 1000;

export async function runSync(deps: PullDeps, request: SyncRequest): Promise<SyncResult> {
  const { connector } = request;
  const module = deps.modules[connector.system];
  if (!module) {
    throw new ConnectorError(`connector "${connector.key}": system ${connector.system} is not supported by this version`, {
      failure: 'config', code: 'UNSUPPORTED_SYSTEM', connector: connector.key,
    });
  }
  if (!connector.enabled) {
    throw new ConnectorError(`connector "${connector.key}" is disabled in the applied config`, { failure: 'config', code: 'CONNECTOR_DISABLED', connector: connector.key });
  }
  const settings = parseSettings(module, connector);
  const secrets = await loadSecrets(deps, module, connector, settings);
  const session = module.open({
    key: connector.key,
    baseUrl: connector.baseUrl,
    allowInsecureBaseUrl: connector.allowInsecureBaseUrl,
    settings,
    secrets,
    clock: deps.clock,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.deferRateLimitWaitsOverMs === undefined ? {} : { deferRateLimitWaitsOverMs: request.deferRateLimitWaitsOverMs }),
    secretSources: storedSecretSources(connector.settings),
    onSecretsRotated: (rotated) => deps.secrets.save(connector.id, { ...secrets, ...rotated }),
    ...(deps.secrets.withRefreshLock ? { withRefreshLock: <T>(fn: (read: () => Promise<Record<string, string>>) => Promise<T>) => deps.secrets.withRefreshLock!(connector.id, fn) } : {}),
    logger: deps.logger.child({ connector: connector.key }),
  });
  const stream = request.mode === 'backfill' ? 'tickets:backfill' : 'tickets';
  const startMs = deps.clock.now();
  const sinceMs = request.sinceMs ?? backfillSince(connector.settings) ?? startMs - DEFAULT_HISTORY_MS;
  const run = await beginRun(deps.pool, {
    organizationId: connector.organizationId, connectorId: connector.id, stream, mode: request.mode,
    jobId: request.jobId ?? null, sinceAt: new Date(sinceMs), restartIfComplete: request.mode === 'backfill',
  });
  const log = deps.logger.child({ connector: connector.key, runId: run.runId.toString(), stream });
  // Pages heartbeat too, but one request may wait minutes on a rate limit: the run must stay alive then.
  const stopHeartbeat = startHeartbeat(deps.pool, run.runId, deps.heartbeatEveryMs ?? DEFAULT_HEARTBEAT_MS, (error) =>
    log.warn({ err: error.message }, 'could not record the run heartbeat'),
  );
  log.info({ mode: request.mode, resumed: run.cursor !== null, abandonedRuns: run.abandonedRuns }, 'sync run started');
  const taxonomy = (await deps.activeTaxonomy?.(connector.organizationId)) ?? null;
  const target = {
    organizationId: connector.organizationId, connectorId: connector.id, stream, runId: run.runId,
    fencingToken: run.fencingToken, normaliserVersion: module.normaliserVersion, taxonomyId: taxonomy?.id ?? null,
    driverKeys: taxonomy?.driverKeys ?? [], connectorKey: connector.key,
  };
  let maxChangeSeq: bigint | null = null;
  let storeMs = 0;
  const store = async (page: NormalisedPage): Promise<PageOutcome> => {
    const started = performance.now();
    try {
      return await writeTicketPage(deps.pool, target, page);
    } finally {
      storeMs += performance.now() - started;
    }
  };
  try {
    await session.prepare();
    const totals = await runStream<PageOutcome>({
      session,
      from: { cursor: run.cursor, sinceMs },
      sink: store,
      ...(taxonomy ? { classify: taxonomy.classify } : {}),
      onPage: async (page, outcome, totals) => {
        if (outcome.maxChangeSeq !== null && (maxChangeSeq === null || outcome.maxChangeSeq > maxChangeSeq)) maxChangeSeq = outcome.maxChangeSeq;
        await request.onPage?.({ runId: run.runId, totals, page, outcome, progressAtMs: page.progressAtMs, startMs: sinceMs, targetMs: deps.clock.now() });
      },
      ...(request.signal ? { signal: request.signal } : {}),
    });
    await finishRun(deps.pool, { runId: run.runId, connectorId: connector.id, stream, fencingToken: run.fencingToken, status: 'succeeded', rateBudget: session.budget() });
    log.info({ ...totals, cursor: undefined, requests: session.stats().requests, throttled: session.stats().throttled, storeMs: Math.round(storeMs) }, 'sync run succeeded');
    return { runId: run.runId, stream, totals, maxChangeSeq, abandonedRuns: run.abandonedRuns, storeMs };
  } catch (error) {
    const failure = describeFailure(error, connector.key, request.signal);
    // A deferred rate-limit wait is not a failure: the run stops at a page boundary and its job comes back.
    const deferred = failure.code === 'RATE_LIMIT_WAIT';
    await finishRun(deps.pool, {
      runId: run.runId, connectorId: connector.id, stream, fencingToken: run.fencingToken,
      status: failure.code === 'CANCELLED' || deferred ? 'cancelled' : 'failed', rateBudget: session.budget(), error: failure, streamError: !deferred,
    }).catch((e: unknown) => log.error({ err: e }, 'could not record the failed run'));
    if (deferred) log.info({ code: failure.code, err: failure.message }, 'sync run paused for the rate limit');
    else log.warn({ failure: failure.failure, code: failure.code, err: failure.message }, 'sync run failed');
    throw error;
  } finally {
    stopHeartbeat();
  }
}

function parseSettings(module: ConnectorModule, connector: ConnectorRecord): unknown {
  const parsed = module.settingsSchema.safeParse(connector.settings);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConnectorError(
    `connector "${connector.key}": stored settings are invalid at ${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? 'invalid'} — fix the config file and run \`frontline config apply\``,
    { failure: 'config', code: 'INVALID_SETTINGS', connector: connector.key },
  );
}

async function loadSecrets(deps: PullDeps, module: ConnectorModule, connector: ConnectorRecord, settings: unknown): Promise<Record<string, string>> {
  const secrets = await deps.secrets.load(connector.id);
  const missing = module.secretNames(settings).filter((name) => !secrets[name]);
  if (missing.length > 0) {
    throw new ConnectorError(
      `connector "${connector.key}" has no stored secret ${missing.join(', ')} — set the environment variable the config references and run \`frontline config apply\``,
      { failure: 'config', code: 'MISSING_SECRET', connector: connector.key },
    );
  }
  return secrets;
}

function backfillSince(settings: unknown): number | null {
  if (typeof settings !== 'object' || settings === null || !('backfillSince' in settings)) return null;
  const value = Date.parse(String(settings.backfillSince));
  return Number.isFinite(value) ? value : null;
}

export function describeFailure(error: unknown, connectorKey: string, signal?: AbortSignal): { failure: FailureClass; code: string; message: string } {
  if (signal?.aborted) return { failure: 'transient', code: 'CANCELLED', message: 'run cancelled (shutdown or user request)' };
  if (isConnectorError(error)) return { failure: error.failure, code: error.code, message: error.message };
  if (error instanceof FencedOutError) return { failure: 'transient', code: 'FENCED_OUT', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { failure: 'system', code: 'UNEXPECTED', message: `connector "${connectorKey}": ${message}` };
}
