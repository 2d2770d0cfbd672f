import { z } from 'zod';

/**
 * The queue's contract (README "Architecture"): job name → zod payload, attempts, backoff. Payloads
 * carry ids, never secrets or ticket bodies, and carry a version: changes are additive only, so
 * workers of two releases can overlap during a rolling deploy.
 */
export const syncPayload = z.object({
  v: z.literal(1),
  connectorId: z.uuid(),
  mode: z.enum(['incremental', 'backfill']),
  /** Back-fill start (ISO instant). */
  since: z.iso.datetime({ offset: true }).optional(),
  reason: z.enum(['schedule', 'manual', 'demo']).default('schedule'),
});
export type SyncPayload = z.infer<typeof syncPayload>;

export const derivePayload = z.object({
  v: z.literal(1),
  connectorId: z.uuid(),
  /** The pull run's highest change_seq: only for the job id and logs, the derive reads its own state. */
  upToSeq: z.string().regex(/^\d+$/).optional(),
});
export type DerivePayload = z.infer<typeof derivePayload>;

export const jobCatalog = {
  sync: {
    queue: 'pull',
    payload: syncPayload,
    /** Transient failures (5xx storms, lost stream) retry with backoff; config failures never retry. */
    attempts: 6,
    backoff: { type: 'exponential', delay: 15_000, jitter: 0.3 },
  },
  derive: {
    queue: 'derive',
    payload: derivePayload,
    attempts: 10,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.3 },
  },
} as const;

export type JobName = keyof typeof jobCatalog;
export const queueNames = ['pull', 'derive'] as const;
export type QueueName = (typeof queueNames)[number];

/** BullMQ job ids must not contain ':' (it separates Redis key parts). */
export const jobId = (...parts: string[]): string => parts.join('-').replace(/:/g, '_');
