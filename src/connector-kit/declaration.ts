import type { z } from 'zod';
import type { NormaliseResult } from './connector-module.ts';
import type { FailureClass } from '../domain/sync/failure-class.ts';
import type { SourceSystem } from '../domain/sync/source-system.ts';

/**
 * What a connector is written against (README "Adding a connector", after Airbyte's declarative manifests
 * and Nango's createSync): base paths, auth, paging, cursor and ordered error rules are data; code is
 * the named escape hatch (a pure `normalise()`, a custom request where the provider needs one).
 */

export interface ResponseRuleMatch {
  /** Any of these HTTP statuses (absent: any status). */
  status?: readonly number[];
  /** Case-sensitive substring of the raw response body. */
  bodyIncludes?: string;
  /** A response header that must be present (lower-case name), e.g. `retry-after`. */
  headerPresent?: string;
}

export type ResponseAction = 'retry' | 'rate_limited' | 'ignore' | 'fail';

/** Ordered, first match wins; applied before the kit's default status handling (retry-decision.ts). */
export interface ResponseRule {
  match: ResponseRuleMatch;
  action: ResponseAction;
  /** Class when the rule stops the request (`fail`), or when a `retry` rule runs out of attempts. */
  failure?: FailureClass;
  /** Stable error code; defaults to RULE_FAIL / RULE_RETRY. */
  code?: string;
  /**
   * Operator-facing text: what to fix. `{connector}`, `{status}`, `{path}` and any key of the client's
   * `messageVars` are filled in. Never put a secret here.
   */
  message?: string;
}

/**
 * How a stream pages (src/connector-kit/pagination.ts interprets it). Paths are dotted paths into the
 * page's JSON body (`meta.after_cursor`).
 */
export type Paginator =
  /**
   * The page carries the next cursor (`cursorPath`) and says whether it is the last: `donePath` true,
   * or `morePath` false (without either, a missing cursor ends it). The next request carries only the
   * cursor (`cursorParam`).
   */
  | { type: 'cursor'; cursorPath: string; cursorParam: string; donePath?: string; morePath?: string; pageSize: number; pageSizeParam?: string }
  /** The page (`nextUrlPath`) or its `Link: <…>; rel="next"` header carries the next page's URL. */
  | { type: 'link'; nextUrlPath?: string; pageSize: number }
  /**
   * Ordered by `keys`; the last record's values of them are the bookmark for the next page
   * (ServiceNow). Only an empty page ends it: a short page may be short because of ACLs.
   */
  | { type: 'keyset'; keys: readonly string[]; pageSize: number }
  /**
   * The page carries an opaque token for the next (`tokenPath`, Jira's `nextPageToken`). A missing
   * token or an empty page ends it; a token seen before is a loop; records are deduplicated by `idPath`.
   */
  | { type: 'token'; tokenPath: string; tokenParam: string; idPath: string; pageSize: number; pageSizeParam?: string };

/** Resolved credentials (secrets included): built at run time from settings + secrets, never logged. */
export type AuthStrategy =
  /** Zendesk API token: Basic base64(`{email}/token:{token}`). */
  | { type: 'api_token'; email: string; token: string }
  /** Plain Basic `username:password` (ServiceNow; Jira `email:api_token`). */
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  /**
   * OAuth bearer with refresh-token rotation: on a 401 (or without an access token) the kit calls the
   * token endpoint once, hands the rotated pair to `onSecretsRotated`, then retries.
   */
  | {
      type: 'oauth';
      clientId: string;
      clientSecret: string;
      accessToken: string | null;
      refreshToken: string | null;
      /** Token endpoint relative to the base URL; default `/oauth/tokens` (Zendesk). */
      tokenPath?: string;
    }
  /**
   * OAuth by a grant the kit makes before the first request and again on a 401 (the token expired):
   * the resource-owner password grant, or client credentials. Nothing rotates, nothing is persisted.
   * The token endpoint takes a form body (ServiceNow's `/oauth_token.do`).
   */
  | {
      type: 'oauth_grant';
      grant: 'password' | 'client_credentials';
      clientId: string;
      clientSecret: string;
      /** The password grant's user. */
      user?: { username: string; password: string };
      tokenPath: string;
    }
  | { type: 'none' };

export interface IncrementalSpec {
  /** Source change time of a record in epoch ms (drives the high-water mark), null when unknown. */
  changedAtMs(record: unknown): number | null;
  /** Query parameters of a run's first request from a time (clamped to now − minAge). */
  toRequest(sinceMs: number, nowMs: number): Record<string, string>;
  /** Records younger than this are not served yet (Zendesk: 60 s). */
  minAgeMs: number;
  /** How far before a time checkpoint a run re-reads (safe because writes are upserts). */
  lookbackMs: number;
  /**
   * The checkpoint of a page read from a time, before the source gave anything to resume from (a
   * first page with no cursor, every page of a token walk: its newest change time less lookbackMs),
   * and its inverse: the time a stored checkpoint of that form starts from (null: not of that form).
   */
  timeCheckpoint(sinceMs: number): string;
  timeOf(checkpoint: string): number | null;
}

export interface StreamDefinition<Raw, Lookups = undefined> {
  /** Path relative to the base URL, e.g. `/api/v2/incremental/tickets/cursor.json`. */
  path: string;
  /** Where the records sit in a page, e.g. `tickets`. */
  recordsPath: string;
  /** Query parameters of every request of the stream. */
  params?: Readonly<Record<string, string>>;
  raw: z.ZodType<Raw>;
  paginator: Paginator;
  incremental: IncrementalSpec;
  /** A keyset paginator's next request from the bookmark (the last record's key values). */
  bookmarkRequest?(values: readonly string[], nowMs: number): Record<string, string>;
  /** Stream-specific rules, tried before the connector's. */
  rules?: readonly ResponseRule[];
  /** Pure; `lookups` are what `prepare()` loaded (e.g. dropdown labels). Never throws. */
  normalise(raw: unknown, lookups: Lookups): NormaliseResult;
}

export interface ConnectorDefinition<Config extends z.ZodType, Raw, Lookups = undefined> {
  system: SourceSystem;
  /** The desk's name as operators read it in messages ("Zendesk"). */
  name: string;
  /** Non-secret settings. */
  config: Config;
  /** Names of the secrets these settings need. */
  secrets(config: z.infer<Config>): string[];
  /** Throws a config ConnectorError naming a missing secret. */
  auth(config: z.infer<Config>, secrets: Readonly<Record<string, string>>, connectorKey: string): AuthStrategy;
  /** Connector-wide rules, tried after a stream's own. */
  rules: readonly ResponseRule[];
  streams: { tickets: StreamDefinition<Raw, Lookups> };
}
