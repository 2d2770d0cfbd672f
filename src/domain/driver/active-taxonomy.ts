import type { Classifier } from './compile-taxonomy.ts';

/**
 * The organization's active taxonomy as the pipeline uses it: which version (tickets are classified
 * and series counted per version), its driver keys (one series each), and its classifier.
 */
export interface ActiveTaxonomy {
  id: string;
  version: number;
  driverKeys: readonly string[];
  classify: Classifier;
}
