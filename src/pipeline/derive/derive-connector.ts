import type pg from 'pg';
import type { Logger } from '../../observability/logger.ts';
import type { ConnectorRecord } from '../../store/connector-repository.ts';
import { deriveAll } from '../../store/derive-repository.ts';
import type { ActiveTaxonomy } from '../../domain/driver/index.ts';

/** The derive stage (classify + aggregate) for one connector, until caught up with its tickets. */
export interface DeriveDeps {
  pool: pg.Pool;
  logger: Logger;
  activeTaxonomy(organizationId: string): Promise<ActiveTaxonomy | null>;
}

export interface DeriveSummary {
  taxonomyVersion: number | null;
  processed: number;
  pointsWritten: number;
  batches: number;
}

export async function deriveConnector(deps: DeriveDeps, connector: ConnectorRecord): Promise<DeriveSummary> {
  const taxonomy = await deps.activeTaxonomy(connector.organizationId);
  if (!taxonomy) {
    deps.logger.warn({ connector: connector.key }, 'no driver taxonomy applied yet: tickets are stored but not classified (run `frontline config apply`)');
    return { taxonomyVersion: null, processed: 0, pointsWritten: 0, batches: 0 };
  }
  const result = await deriveAll(
    deps.pool,
    { organizationId: connector.organizationId, connectorId: connector.id, connectorKey: connector.key, taxonomyId: taxonomy.id },
    taxonomy.classify,
  );
  if (result.processed > 0) {
    deps.logger.info({ connector: connector.key, taxonomy: taxonomy.version, ...result }, 'derived driver classifications and series');
  }
  return { taxonomyVersion: taxonomy.version, ...result };
}
