import { z } from 'zod';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import { driverIndexOf } from './driver-catalog.ts';

/**
 * Options of createZendeskSimulator, parsed with zod because `frontline simulate zendesk` and the
 * demo pass user-supplied values. Every field has a production-like default.
 */
/**
 * Rate-limit header families (connectors/zendesk/NOTES.md "Rate limits"):
 * - `x-rate-limit`: `X-Rate-Limit` / `X-Rate-Limit-Remaining` (account, no reset);
 * - `ratelimit`: `ratelimit-limit|remaining|reset` (reset in seconds);
 * - `rate-limit`: the older `Rate-Limit-Limit|Remaining|Reset`;
 * - `x-ratelimit`: `X-RateLimit-Limit|Remaining|Reset` with the reset as epoch seconds;
 * - `endpoint`: `Zendesk-RateLimit-incremental-exports: total=…; remaining=…; resets=…` on exports.
 */
export const rateLimitHeaderFamilies = ['x-rate-limit', 'ratelimit', 'rate-limit', 'x-ratelimit', 'endpoint'] as const;
export type RateLimitHeaderFamily = (typeof rateLimitHeaderFamilies)[number];
/** What Zendesk sends today (the documented list-endpoint headers plus the export header). */
export const defaultRateLimitHeaders: readonly RateLimitHeaderFamily[] = ['x-rate-limit', 'ratelimit', 'endpoint'];

const spikeSchema = z.object({
  driverKey: z.string().refine((key) => driverIndexOf(key) >= 0, 'unknown driver key').default('configuration/sso'),
  /** Days before the end of history at which the spike starts. */
  startDaysAgo: z.number().nonnegative().default(7),
  days: z.number().positive().default(7),
  /** Relative increase of the driver's arrival rate: 0.4 = +40 %. */
  lift: z.number().min(-1).default(0.4),
});

const authSchema = z.object({
  /**
   * Role of the user behind the credentials. `agent` (no admin rights) gets Zendesk's 403 on the
   * admin-only endpoints: the incremental export and ticket fields.
   */
  role: z.enum(['admin', 'agent']).default('admin'),
  /** Basic `{email}/token:{token}`. */
  apiToken: z.object({ email: z.string().min(1), token: z.string().min(1) }).optional(),
  /** Bearer `{accessToken}`; POST /oauth/tokens refreshes and rotates. */
  oauth: z
    .object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      accessToken: z.string().min(1),
      refreshToken: z.string().min(1),
      /** Default 172800 s (48 h, the longest Zendesk allows). */
      accessTokenTtlMs: z.number().positive().optional(),
      /** Default 30 days. */
      refreshTokenTtlMs: z.number().positive().optional(),
    })
    .optional(),
});

const faultSchema = z.object({
  seed: z.number().int().default(1),
  errorRate: z.number().min(0).max(1).default(0),
  errorStatuses: z.array(z.union([z.literal(500), z.literal(502), z.literal(503)])).min(1).default([500, 502, 503]),
  truncateRate: z.number().min(0).max(1).default(0),
  slowRate: z.number().min(0).max(1).default(0),
  slowMs: z.number().int().min(0).default(2000),
  edge429WithoutRetryAfter: z.number().min(0).max(1).default(0),
  failRequests: z.array(z.number().int().positive()).default([]),
  /**
   * Account-level 429s ("unusual spike" protection): `text/html`, a `Retry-After` of
   * `accountLimitRetryAfterSec` (above a minute by default) and no budget headers. Hit the 1-based
   * /api/v2 request numbers in `accountLimitRequests`, and a seeded share `accountLimitRate` of the rest.
   */
  accountLimitRequests: z.array(z.number().int().positive()).default([]),
  accountLimitRate: z.number().min(0).max(1).default(0),
  accountLimitRetryAfterSec: z.number().int().positive().default(120),
});

export const zendeskSimulatorOptionsSchema = z.object({
  seed: z.number().int().default(1),
  /** Tickets in the generated history (live arrivals come on top). */
  tickets: z.number().int().min(0).max(10_000_000).default(5000),
  historyDays: z.number().positive().max(3650).default(28),
  /** Largest export page; `per_page` may lower it. */
  pageSize: z.number().int().min(1).max(1000).default(1000),
  deletedShare: z.number().min(0).max(1).default(0.01),
  /** Days after its deletion at which Zendesk scrubs a deleted ticket and exports it once more. */
  scrubAfterDays: z.number().positive().default(30),
  /** Share of tickets handled by Zendesk AI agents (exported only with `support_type_scope=all`). */
  aiAgentShare: z.number().min(0).max(1).default(0.03),
  /** Share of solved (or closed) tickets reopened once before their last solve: `reopens` in their metric set. */
  reopenShare: z.number().min(0).max(1).default(0.06),
  malformed: z.number().int().min(0).default(0),
  /** Poison records (NUL, a literal `\u0000` escape, a lone surrogate, created_at in year 0), in turn. */
  poison: z.number().int().min(0).default(0),
  /** Description sizes: `bytes` typical (0: the short built-in texts), `largeShare` of them `largeBytes`. */
  description: z
    .object({ bytes: z.number().int().min(0).default(0), largeShare: z.number().min(0).max(1).default(0), largeBytes: z.number().int().min(0).default(1_000_000) })
    .prefault({}),
  scenario: z.enum(['steady', 'release-spike']).default('steady'),
  spike: spikeSchema.prefault({}),
  /** `false` freezes the account; default: arrivals continue at the history's rate. */
  live: z.union([z.literal(false), z.object({ ticketsPerHour: z.number().min(0).optional() })]).default({}),
  auth: authSchema.optional(),
  /** `false` disables limiting and the rate-limit headers (throughput benchmark). */
  rateLimit: z
    .union([
      z.literal(false),
      z
        .object({
          /**
           * The High Volume API add-on: 2500 account requests and 30 export requests a minute (each
           * overridable below), advertised in the same headers.
           * https://developer.zendesk.com/api-reference/introduction/rate-limits/
           */
          highVolume: z.boolean().default(false),
          /** Default 700 (Enterprise), 2500 with `highVolume`. */
          accountPerMinute: z.number().int().positive().optional(),
          /** Default 10 (Zendesk's incremental export limit), 30 with `highVolume`. */
          exportPerMinute: z.number().int().positive().optional(),
          /** Which rate-limit header families to send; default: what Zendesk sends today. */
          headers: z.array(z.enum(rateLimitHeaderFamilies)).default([...defaultRateLimitHeaders]),
        })
        .transform(({ highVolume, accountPerMinute, exportPerMinute, headers }) => ({
          highVolume,
          accountPerMinute: accountPerMinute ?? (highVolume ? 2500 : 700),
          exportPerMinute: exportPerMinute ?? (highVolume ? 30 : 10),
          headers,
        })),
    ])
    .prefault({}),
  faults: faultSchema.optional(),
  logger: z.boolean().default(false),
});

export type ZendeskSimulatorOptions = z.input<typeof zendeskSimulatorOptionsSchema> & { clock?: Clock };
export type ResolvedSimulatorOptions = z.output<typeof zendeskSimulatorOptionsSchema>;
export type SimulatorAuthOptions = z.output<typeof authSchema>;
