import { failureClasses } from '../domain/sync/failure-class.ts';
import { z } from 'zod';
import type { ConnectorStatusRow, SyncRunRow } from '../store/status-repository.ts';
import { connectorHealthValues, deriveHealth } from './connector-health.ts';

/**
 * The connector status shown to ops (API and dashboard). Built from an explicit allow-list of
 * fields: connector settings and secrets are never read, let alone returned; the response schema
 * strips anything else a future change might add.
 */
const isoTime = z.string().describe('ISO 8601 instant (UTC)');

export const syncRunSchema = z
  .object({
    id: z.string(),
    stream: z.string(),
    mode: z.enum(['incremental', 'backfill']),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
    fetched: z.number().int(),
    inserted: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    quarantined: z.number().int(),
    throttled: z.number().int(),
    errorClass: z.enum(failureClasses).nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
  })
  .meta({ id: 'SyncRun' });

export const connectorStatusSchema = z
  .object({
    organization: z.string().describe('Organization key'),
    key: z.string(),
    system: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    baseUrl: z.string(),
    health: z.enum(connectorHealthValues),
    healthReason: z.string().nullable(),
    lastRun: syncRunSchema.nullable(),
    lag: z.object({
      seconds: z.number().int().nullable().describe('now − newest source change stored (or last success when unknown)'),
      sourceHighWater: isoTime.nullable(),
      lastSuccessAt: isoTime.nullable(),
    }),
    rateBudget: z
      .object({ limit: z.number().nullable(), remaining: z.number().nullable(), resetAt: isoTime.nullable(), observedAt: isoTime.nullable() })
      .nullable(),
    cursor: z.object({ present: z.boolean(), updatedAt: isoTime.nullable() }),
    tickets: z.object({ live: z.number().int(), deleted: z.number().int() }),
    quarantined: z.number().int().describe('Unresolved quarantined records'),
  })
  .meta({ id: 'ConnectorStatus' });

export type ConnectorStatus = z.infer<typeof connectorStatusSchema>;
export type SyncRunView = z.infer<typeof syncRunSchema>;

export function toSyncRunView(run: SyncRunRow): SyncRunView {
  return {
    id: run.id.toString(), stream: run.stream, mode: run.mode, status: run.status,
    startedAt: run.startedAt.toISOString(), finishedAt: iso(run.finishedAt),
    fetched: run.fetched, inserted: run.inserted, updated: run.updated, unchanged: run.unchanged,
    quarantined: run.quarantined, throttled: run.throttled,
    errorClass: run.errorClass, errorCode: run.errorCode, errorMessage: run.errorMessage,
  };
}

export function toConnectorStatus(row: ConnectorStatusRow, nowMs: number): ConnectorStatus {
  const state = row.syncState;
  const verdict = deriveHealth({
    runs: row.runs, lastSuccessAt: state?.lastSuccessAt ?? null, syncEverySeconds: row.syncEverySeconds, enabled: row.enabled, nowMs,
  });
  const lastRun = row.runs[0];
  const lagFrom = state?.sourceHighWater ?? state?.lastSuccessAt ?? null;
  return {
    organization: row.organization.key,
    key: row.key,
    system: row.system,
    name: row.name,
    enabled: row.enabled,
    baseUrl: withoutCredentials(row.baseUrl),
    health: verdict.health,
    healthReason: verdict.reason,
    lastRun: lastRun ? toSyncRunView(lastRun) : null,
    lag: {
      seconds: lagFrom === null ? null : Math.max(0, Math.floor((nowMs - lagFrom.getTime()) / 1000)),
      sourceHighWater: iso(state?.sourceHighWater ?? null),
      lastSuccessAt: iso(state?.lastSuccessAt ?? null),
    },
    rateBudget: toRateBudget(state?.rateBudget),
    cursor: { present: state?.cursorPresent ?? false, updatedAt: iso(state?.cursorUpdatedAt ?? null) },
    tickets: row.tickets,
    quarantined: row.quarantinedUnresolved,
  };
}

/** sync_states.rate_budget is written by the connector kit (RateBudgetSnapshot); read it defensively. */
const storedBudgetSchema = z.object({
  limit: z.number().nullish(),
  remaining: z.number().nullish(),
  resetAtMs: z.number().nullish(),
  resetAt: z.union([z.number(), z.string()]).nullish(),
  observedAtMs: z.number().nullish(),
  observedAt: z.union([z.number(), z.string()]).nullish(),
});

function toRateBudget(stored: unknown): ConnectorStatus['rateBudget'] {
  const parsed = storedBudgetSchema.safeParse(stored);
  if (!parsed.success) return null;
  const b = parsed.data;
  return {
    limit: b.limit ?? null,
    remaining: b.remaining ?? null,
    resetAt: instant(b.resetAtMs ?? b.resetAt),
    observedAt: instant(b.observedAtMs ?? b.observedAt),
  };
}

function instant(value: number | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** A base URL is config, not a secret — unless someone put user:password@ in it. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
