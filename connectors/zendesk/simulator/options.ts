import { z } from 'zod';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import { driverIndexOf } from './driver-catalog.ts';

/**
 * Options of createZendeskSimulator, parsed with zod because `frontline simulate zendesk` and the
 * demo pass user-supplied values. Every field has a production-like default.
 */
const spikeSchema = z.object({
  driverKey: z.string().refine((key) => driverIndexOf(key) >= 0, 'unknown driver key').default('configuration/sso'),
  /** Days before the end of history at which the spike starts. */
  startDaysAgo: z.number().nonnegative().default(7),
  days: z.number().positive().default(7),
  /** Relative increase of the driver's arrival rate: 0.4 = +40 %. */
  lift: z.number().min(-1).default(0.4),
});

const authSchema = z.object({
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
});

export const zendeskSimulatorOptionsSchema = z.object({
  seed: z.number().int().default(1),
  /** Tickets in the generated history (live arrivals come on top). */
  tickets: z.number().int().min(0).max(10_000_000).default(5000),
  historyDays: z.number().positive().max(3650).default(28),
  /** Largest export page; `per_page` may lower it. */
  pageSize: z.number().int().min(1).max(1000).default(1000),
  deletedShare: z.number().min(0).max(1).default(0.01),
  malformed: z.number().int().min(0).default(0),
  scenario: z.enum(['steady', 'release-spike']).default('steady'),
  spike: spikeSchema.prefault({}),
  /** `false` freezes the account; default: arrivals continue at the history's rate. */
  live: z.union([z.literal(false), z.object({ ticketsPerHour: z.number().min(0).optional() })]).default({}),
  auth: authSchema.optional(),
  /** `false` disables limiting and the rate-limit headers (throughput benchmark). */
  rateLimit: z
    .union([
      z.literal(false),
      z.object({
        accountPerMinute: z.number().int().positive().default(700),
        exportPerMinute: z.number().int().positive().default(10),
      }),
    ])
    .prefault({}),
  faults: faultSchema.optional(),
  logger: z.boolean().default(false),
});

export type ZendeskSimulatorOptions = z.input<typeof zendeskSimulatorOptionsSchema> & { clock?: Clock };
export type ResolvedSimulatorOptions = z.output<typeof zendeskSimulatorOptionsSchema>;
export type SimulatorAuthOptions = z.output<typeof authSchema>;
