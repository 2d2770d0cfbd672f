import type { z } from 'zod';
import type { RefreshLock } from './auth-state.ts';
import type { ConnectorContext, ConnectorModule, ConnectorSession } from './connector-module.ts';
import type { ConnectorDefinition } from './declaration.ts';
import { declaredPages, type StreamHooks } from './declared-stream.ts';
import { ConnectorError } from './failure.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';

/**
 * A connector session built from its declaration (README "Adding a connector"): the settings parsed
 * once, typed, by the declaration's schema; the kit's HTTP client with the declared auth and rules
 * (OAuth refreshes serialised and rotated secrets handed back); the tickets stream walked from its
 * declaration (declared-stream.ts); records normalised by the stream's pure `normalise()` with the
 * look-ups `prepare()` loaded. What stays connector code: `prepare()`, `check()`, and — where the
 * provider needs them — the fetch of one walk (a vendor SDK's transport, page sizing) and a page
 * adjustment.
 */
export interface SessionIo<Settings> {
  http: HttpClient;
  settings: Settings;
  ctx: ConnectorContext;
}

export interface DeclaredConnector<Config extends z.ZodType, Raw, Lookups> {
  definition: ConnectorDefinition<Config, Raw, Lookups>;
  /** Look-ups before `prepare()` has run. */
  noLookups(io: SessionIo<z.infer<Config>>): Lookups;
  /** What `normalise()` needs, loaded once per run (Zendesk: dropdown labels). */
  prepare(io: SessionIo<z.infer<Config>>): Promise<Lookups>;
  /** A cheap authenticated call for `connectors test`; throws a ConnectorError saying what to fix. */
  check(io: SessionIo<z.infer<Config>>): Promise<{ ok: true; detail: string }>;
  /** `{placeholders}` of the rules' messages (which setting, which secret source to check); never a secret. */
  messageVars?(settings: z.infer<Config>, ctx: ConnectorContext): Record<string, string>;
  /** The fetch and page adjustment of one walk of the tickets stream (default: a GET of its path). */
  ticketHooks?(io: SessionIo<z.infer<Config>>): StreamHooks;
}

export function openDeclaredSession<Config extends z.ZodType, Raw, Lookups>(connector: DeclaredConnector<Config, Raw, Lookups>, ctx: ConnectorContext): ConnectorSession {
  const { definition } = connector;
  const settings = parseSettings(definition, ctx.settings, ctx.key);
  let secrets: Record<string, string> = { ...ctx.secrets };
  const http = createHttpClient({
    connectorKey: ctx.key,
    baseUrl: ctx.baseUrl,
    allowInsecure: ctx.allowInsecureBaseUrl ?? false,
    auth: definition.auth(settings, ctx.secrets, ctx.key),
    rules: definition.rules,
    clock: ctx.clock,
    messageVars: connector.messageVars?.(settings, ctx) ?? {},
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.random ? { random: ctx.random } : {}),
    ...(ctx.deferRateLimitWaitsOverMs === undefined ? {} : { deferRateLimitWaitsOverMs: ctx.deferRateLimitWaitsOverMs }),
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(ctx.withRefreshLock ? { withRefreshLock: refreshLockOf(ctx.withRefreshLock, (stored) => {
      secrets = { ...secrets, ...stored };
    }) } : {}),
    onSecretsRotated: async (rotated) => {
      // The provider may have revoked the old pair already: hand the whole new secret set over before retrying.
      secrets = { ...secrets, ...rotated };
      if (ctx.onSecretsRotated) await ctx.onSecretsRotated(secrets);
      else ctx.logger?.warn({ connector: ctx.key }, 'OAuth tokens rotated but nothing persists them: the next run will need a new grant');
    },
  });
  const io: SessionIo<z.infer<Config>> = { http, settings, ctx };
  const stream = definition.streams.tickets;
  let lookups = connector.noLookups(io);
  return {
    async prepare() {
      lookups = await connector.prepare(io);
    },
    ticketPages: (from) =>
      declaredPages(stream, { connectorKey: ctx.key, nowMs: ctx.clock.now(), from }, connector.ticketHooks?.(io) ?? {
        fetch: async (request) => {
          const res = await http.request('url' in request ? { url: request.url } : { url: stream.path, params: request.params, ...(stream.rules ? { rules: stream.rules } : {}) });
          return { body: res.data, headers: res.headers };
        },
      }),
    normalise: (raw) => stream.normalise(raw, lookups),
    check: () => connector.check(io),
    stats: () => http.stats(),
    budget: () => http.budget(),
  };
}

/** The module the registry holds for a declared connector (`normaliserVersion`: bump when normalise() maps differently). */
export function declaredModule<Config extends z.ZodType, Raw, Lookups>(connector: DeclaredConnector<Config, Raw, Lookups>, normaliserVersion: number): ConnectorModule {
  const { definition } = connector;
  return {
    system: definition.system,
    settingsSchema: definition.config,
    secretNames(settings) {
      const parsed = definition.config.safeParse(settings);
      return parsed.success ? definition.secrets(parsed.data) : [];
    },
    normaliserVersion,
    open: (ctx) => openDeclaredSession(connector, ctx),
  };
}

/** The settings by the declaration's schema; an invalid one is a config error naming the path. */
export function parseSettings<Config extends z.ZodType>(definition: Pick<ConnectorDefinition<Config, unknown, unknown>, 'config' | 'name'>, raw: unknown, connectorKey: string): z.infer<Config> {
  const parsed = definition.config.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConnectorError(
    `Connector "${connectorKey}": invalid ${definition.name} settings at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    { failure: 'config', code: 'INVALID_SETTINGS', connector: connectorKey },
  );
}

/** The kit's refresh lock over the connector's stored secrets (OAuth names: accessToken, refreshToken). */
function refreshLockOf(lock: NonNullable<ConnectorContext['withRefreshLock']>, onRead: (stored: Record<string, string>) => void): RefreshLock {
  return (refresh) =>
    lock((readStored) =>
      refresh(async () => {
        const stored = await readStored();
        onRead(stored);
        return { accessToken: stored['accessToken'] || null, refreshToken: stored['refreshToken'] || null };
      }),
    );
}
