import type { SourceSystem } from '../domain/sync/source-system.ts';
import type { PrismaClient } from './database.ts';

/** Connector rows as the pipeline needs them: no secrets here (see config-repository's secret helpers). */
export interface ConnectorRecord {
  id: string;
  organizationId: string;
  organizationKey: string;
  key: string;
  system: SourceSystem;
  name: string;
  enabled: boolean;
  baseUrl: string;
  allowInsecureBaseUrl: boolean;
  settings: unknown;
  syncEverySeconds: number;
}

const select = {
  id: true, organizationId: true, key: true, system: true, name: true, enabled: true, baseUrl: true,
  allowInsecureBaseUrl: true, settings: true, syncEverySeconds: true, organization: { select: { key: true } },
} as const;

type Row = { organization: { key: string } } & Omit<ConnectorRecord, 'organizationKey'>;

const toRecord = ({ organization, ...row }: Row): ConnectorRecord => ({ ...row, organizationKey: organization.key });

export async function listConnectors(prisma: PrismaClient, filter: { enabledOnly?: boolean } = {}): Promise<ConnectorRecord[]> {
  const rows = await prisma.connector.findMany({
    where: filter.enabledOnly ? { enabled: true } : {},
    select,
    orderBy: [{ organizationId: 'asc' }, { key: 'asc' }],
  });
  return rows.map(toRecord);
}

export async function getConnectorById(prisma: PrismaClient, id: string): Promise<ConnectorRecord | null> {
  const row = await prisma.connector.findUnique({ where: { id }, select });
  return row ? toRecord(row) : null;
}

/**
 * Finds a connector by its config key. Keys are unique per organization; with several organizations
 * the caller names one (`acme/zendesk-main` or `--org acme`).
 */
export async function findConnectorsByKey(prisma: PrismaClient, key: string, organizationKey?: string): Promise<ConnectorRecord[]> {
  const rows = await prisma.connector.findMany({
    where: { key, ...(organizationKey ? { organization: { key: organizationKey } } : {}) },
    select,
  });
  return rows.map(toRecord);
}
