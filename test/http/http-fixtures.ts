import type pg from 'pg';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/http/build-app.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import type { PrismaClient } from '../../src/store/database.ts';

/** Shared seeding for the HTTP tests: rows go in through Prisma, requests through app.inject(). */
export const NOW = Date.parse('2026-03-11T12:00:00.000Z');

export interface LogCapture {
  lines: string[];
  text(): string;
}

export function captureLogs(): { stream: Writable; capture: LogCapture } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, capture: { lines, text: () => lines.join('') } };
}

export function testApp(db: { prisma: PrismaClient; pool: pg.Pool }, overrides: Partial<AppDeps> = {}): { app: FastifyInstance; logs: LogCapture } {
  const { stream, capture } = captureLogs();
  const app = buildApp({
    prisma: db.prisma,
    pool: db.pool,
    logger: createLogger({ level: 'info', destination: stream }),
    metrics: createMetrics({ defaultMetrics: false }),
    now: () => NOW,
    ...overrides,
  });
  return { app, logs: capture };
}

export async function seedOrganization(prisma: PrismaClient, key: string, timeZone = 'UTC'): Promise<{ id: string; key: string }> {
  return prisma.organization.create({ data: { key, name: key.toUpperCase(), timeZone }, select: { id: true, key: true } });
}

export async function seedConnector(
  prisma: PrismaClient,
  organizationId: string,
  key: string,
  extra: { settings?: object; enabled?: boolean; baseUrl?: string } = {},
): Promise<{ id: string; key: string }> {
  return prisma.connector.create({
    data: {
      organizationId,
      key,
      system: 'zendesk',
      name: `Zendesk ${key}`,
      baseUrl: extra.baseUrl ?? 'https://acme.zendesk.com',
      enabled: extra.enabled ?? true,
      settings: extra.settings ?? { auth: { type: 'api_token', email: 'ops@acme.example' } },
    },
    select: { id: true, key: true },
  });
}

export interface RunSeed {
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  finishedAt?: string;
  errorClass?: 'config' | 'transient' | 'system';
  errorCode?: string;
  errorMessage?: string;
  inserted?: number;
}

export async function seedRuns(prisma: PrismaClient, connector: { id: string }, organizationId: string, runs: RunSeed[]): Promise<void> {
  for (const run of runs) {
    await prisma.syncRun.create({
      data: {
        organizationId,
        connectorId: connector.id,
        stream: 'tickets',
        mode: 'incremental',
        status: run.status,
        fencingToken: 1n,
        startedAt: new Date(run.startedAt),
        finishedAt: run.finishedAt ? new Date(run.finishedAt) : null,
        fetched: run.inserted ?? 0,
        inserted: run.inserted ?? 0,
        errorClass: run.errorClass ?? null,
        errorCode: run.errorCode ?? null,
        errorMessage: run.errorMessage ?? null,
      },
    });
  }
}

export async function seedTicket(
  prisma: PrismaClient,
  connector: { id: string },
  organizationId: string,
  nativeId: string,
  status: 'open' | 'deleted' = 'open',
): Promise<bigint> {
  const at = new Date(NOW - 3_600_000);
  const row = await prisma.ticket.create({
    data: {
      organizationId, connectorId: connector.id, nativeId, status, sourceCreatedAt: at, sourceUpdatedAt: at,
      contentHash: `hash-${nativeId}`, normaliserVersion: 1,
    },
    select: { id: true },
  });
  return row.id;
}

export async function tokenFor(prisma: PrismaClient, organizationIds: string[], name = 'test'): Promise<string> {
  return (await createApiToken(prisma, { name, role: 'service', organizationIds })).token;
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/**
 * The hierarchy above a measure (business unit `service`; portfolio `cx` > program > project `self-service` >
 * package `sso`), for tests that need measures: the package's and the business unit's ids.
 */
export async function seedMeasurePackage(
  prisma: PrismaClient, organizationId: string, goals: { portfolio?: string; program?: string } = {},
): Promise<{ packageId: string; businessUnitId: string }> {
  const bu = await prisma.businessUnit.create({ data: { organizationId, key: 'service', name: 'Customer Service' } });
  const portfolio = await prisma.portfolio.create({ data: { organizationId, key: 'cx', name: 'CX 2027', goal: goals.portfolio ?? null } });
  const program = await prisma.program.create({ data: { organizationId, portfolioId: portfolio.id, key: 'contact-avoidance', name: 'Contact avoidance', goal: goals.program ?? null } });
  const project = await prisma.project.create({ data: { organizationId, programId: program.id, key: 'self-service', name: 'Self-service' } });
  const pkg = await prisma.measurePackage.create({ data: { organizationId, projectId: project.id, key: 'sso', name: 'SSO self-service' } });
  return { packageId: pkg.id, businessUnitId: bu.id };
}

/**
 * An open intervention item raised by a spike of the SSO driver series 30 h ago (owned by `ownerId`),
 * and a billing silence: the rows the role-matrix and secrets tests drive every route family over.
 */
export async function seedSignalledItem(
  prisma: PrismaClient, at: { organizationId: string; connectorId: string; ownerId: string; fingerprint: string },
): Promise<{ spikeId: string; itemId: string; silenceId: string }> {
  const HOUR = 3_600_000;
  const series = await prisma.series.create({
    data: { organizationId: at.organizationId, key: 'driver_volume/zendesk-main/configuration/sso', kind: 'driver_volume', connectorId: at.connectorId, driverKey: 'configuration/sso' },
  });
  const since = NOW - 30 * HOUR;
  const spike = await prisma.spike.create({
    data: {
      organizationId: at.organizationId, seriesId: series.id, fingerprint: `series/${series.id}/since/${new Date(since).toISOString()}`, windowStart: new Date(since),
      windowEnd: new Date(NOW - 2 * HOUR), startedAt: new Date(since), peakAt: new Date(NOW - 2 * HOUR), observed: 84, expected: 40, pctChange: 110, significance: 1e-6,
      explanation: 'SSO tickets doubled', exampleTickets: [], affectedCustomers: 7, detectedAt: new Date(NOW - 29 * HOUR), horizon: '1d',
    },
    select: { id: true },
  });
  const item = await prisma.interventionItem.create({
    data: {
      organizationId: at.organizationId, fingerprint: at.fingerprint, spikeId: spike.id, title: 'configuration/sso tickets +110 %', narrative: 'SSO tickets doubled',
      severity: 'high', ownerId: at.ownerId, dueAt: new Date(NOW + 24 * HOUR), status: 'open', driverKey: 'configuration/sso', createdAt: new Date(NOW - 29 * HOUR),
    },
    select: { id: true },
  });
  await prisma.interventionSpike.create({ data: { interventionId: item.id, spikeId: spike.id, linkedAt: new Date(NOW - 29 * HOUR) } });
  const silence = await prisma.silence.create({
    data: { organizationId: at.organizationId, driverPrefix: 'billing/', reason: 'billing migration', author: 'api:seed', startsAt: new Date(NOW - HOUR), endsAt: new Date(NOW + 24 * HOUR) },
    select: { id: true },
  });
  return { spikeId: spike.id, itemId: item.id, silenceId: silence.id };
}
