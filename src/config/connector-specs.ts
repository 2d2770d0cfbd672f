import { z } from 'zod';
import type { SourceSystem } from '../domain/sync/source-system.ts';

/**
 * What config needs from a connector module, without importing connectors: its settings schema and
 * (optionally) which secrets given settings require. A `ConnectorModule` satisfies this shape, so
 * the caller may pass `{ zendesk: zendeskConnector }` or just `{ zendesk: zendeskConnector.settingsSchema }`.
 */
export interface ConnectorSpec {
  settingsSchema: z.ZodType;
  secretNames?(settings: unknown): string[];
}

export type ConnectorSpecs = Partial<Record<SourceSystem, z.ZodType | ConnectorSpec>>;

export function specFor(specs: ConnectorSpecs | undefined, system: SourceSystem): ConnectorSpec | null {
  const entry = specs?.[system];
  if (entry === undefined) return null;
  return entry instanceof z.ZodType ? { settingsSchema: entry } : entry;
}
