import type { ClassifiableTicket } from './compile-condition.ts';
import type { Classification, CompiledTaxonomy } from './compile-taxonomy.ts';

/**
 * The first rule (in order) whose condition holds, or null: the ticket is unmatched (coverage is a
 * KPI of the taxonomy). Pure and allocation-free: the rules were compiled to closures once, and
 * results are the rules' precomputed objects.
 */
export function classify(ticket: ClassifiableTicket, taxonomy: CompiledTaxonomy): Classification | null {
  return taxonomy.match(ticket);
}
