import type { z } from 'zod';
import type { SourceSystem } from '../domain/sync/source-system.ts';
import type { CanonicalTicket } from '../domain/ticket/canonical-ticket.ts';
import type { Clock } from './clock.ts';
import type { RandomSource } from './random.ts';

/**
 * The contract between a connector and the stream runner (README "Adding a connector"). Fields
 * marked "added" are optional extensions of that contract.
 */
export interface ConnectorContext {
  key: string;                       // connector config key, e.g. 'zendesk-main' (appears in errors)
  baseUrl: string;
  settings: unknown;                 // non-secret settings from config (parsed by the module's zod schema)
  secrets: Record<string, string>;   // resolved secrets (e.g. { token } or { clientSecret, refreshToken, accessToken })
  clock: Clock;
  signal?: AbortSignal;
  onSecretsRotated?(secrets: Record<string, string>): Promise<void>; // OAuth refresh-token rotation → persisted by caller
  /**
   * (added) Runs `fn` holding the connector's OAuth refresh lock, with a reader of the secrets stored
   * now: refreshes of two streams (or two workers) of one connector must not race (auth-state.ts).
   */
  withRefreshLock?<T>(fn: (readStored: () => Promise<Record<string, string>>) => Promise<T>): Promise<T>;
  logger?: { debug(o: object, m?: string): void; info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** (added) Allow an `http:` base URL — only for simulators on loopback; https otherwise. */
  allowInsecureBaseUrl?: boolean;
  /** (added) Where each secret comes from, e.g. { token: 'FRONTLINE_ZENDESK_MAIN_TOKEN' }: named in config errors. */
  secretSources?: Record<string, string>;
  /** (added) Jitter source for backoff; tests pass a seeded one. */
  random?: RandomSource;
  /** (added) Longer rate-limit waits (real ms) fail with RATE_LIMIT_WAIT instead (http-client.ts). */
  deferRateLimitWaitsOverMs?: number;
}

export interface SourcePage {
  records: unknown[];                // raw records as parsed JSON (not yet validated)
  nextCursor: string;                // opaque cursor to persist with this page
  done: boolean;                     // end_of_stream
  sourceHighWaterMs: number | null;  // highest source change time in this page
}

export type NormaliseResult =
  | {
      ok: true;
      ticket: CanonicalTicket;                        // deleted tickets: status 'deleted'
      /** The source's change time of this version (ISO), see NormalisedTicket.changedAt. */
      changedAt: string | null;
      /** The source erased the ticket's personal data (see NormalisedTicket.erasedBySource). */
      erasedBySource: boolean;
    }
  | { ok: false; nativeId: string | null; reason: string };   // quarantined

export interface HttpStats { requests: number; throttled: number; retried: number; waitedMs: number }

export interface RateBudgetSnapshot { limit: number | null; remaining: number | null; resetAtMs: number | null; observedAtMs: number | null }

export interface ConnectorSession {
  /** Pages of the ticket stream from a checkpoint: resume from `cursor` when set, else from `sinceMs`. */
  ticketPages(from: { cursor: string | null; sinceMs: number }): AsyncIterable<SourcePage>;
  /** Loads what normalise needs (e.g. ticket_fields dropdown labels); call once per run. */
  prepare(): Promise<void>;
  normalise(raw: unknown): NormaliseResult;   // pure after prepare()
  /** Cheap authenticated call for `connectors test`; throws ConnectorError (config on 401/403). */
  check(): Promise<{ ok: true; detail: string }>;
  stats(): HttpStats;
  budget(): RateBudgetSnapshot;
}

export interface ConnectorModule {
  system: SourceSystem;
  settingsSchema: z.ZodType;          // non-secret settings, e.g. { auth: { type: 'api_token', email } | { type: 'oauth', clientId } }
  secretNames(settings: unknown): string[];  // which secrets the settings require, e.g. ['token']
  normaliserVersion: number;
  open(ctx: ConnectorContext): ConnectorSession;
}
