import type { Condition } from './condition-schema.ts';
import { type ClassifiableTicket, type TicketPredicate, compileCondition } from './compile-condition.ts';
import { compileMatcher } from './compile-matcher.ts';
import { parseTaxonomy } from './parse-taxonomy.ts';
import { hashDefinition } from './taxonomy-hash.ts';
import type { FunctionArea, TaxonomyDefinition, TaxonomyInput } from './taxonomy-schema.ts';

/** What classifying a ticket yields: the driver and the rule that matched (null: unmatched). */
export interface Classification {
  readonly driverKey: string;
  readonly ruleKey: string;
}

/** A taxonomy's classification as a function (the active taxonomy, bound). */
export type Classifier = (ticket: ClassifiableTicket) => Classification | null;

export interface CompiledDriver {
  readonly key: string;
  readonly name: string;
  /** `configuration` for `configuration/sso`; implied by the path, need not be declared. */
  readonly parentKey: string | null;
  readonly owningFunction: FunctionArea;
  readonly owners: readonly string[];
  readonly description: string | null;
}

export interface CompiledRule {
  readonly key: string;
  readonly driverKey: string;
  readonly position: number;
  readonly condition: Condition;
  readonly test: TicketPredicate;
  /** Returned by `classify` as is: no allocation per ticket. */
  readonly result: Classification;
}

export interface CompiledTaxonomy {
  /** `taxonomyHash` of the definition. */
  readonly hash: string;
  /** The parsed, normalised input (what is stored as a taxonomy version). */
  readonly definition: TaxonomyDefinition;
  readonly drivers: ReadonlyMap<string, CompiledDriver>;
  readonly rules: readonly CompiledRule[];
  /** The ordered rules as one function: what `classify` runs. */
  readonly match: (ticket: ClassifiableTicket) => Classification | null;
}

/**
 * Validates and compiles a taxonomy: shape (zod), unique driver and rule keys, every rule naming a
 * declared driver; then every condition becomes a closure. Throws `TaxonomyError` listing all issues.
 */
export function compileTaxonomy(input: TaxonomyInput): CompiledTaxonomy {
  const definition = parseTaxonomy(input);
  const drivers = new Map<string, CompiledDriver>();
  for (const d of definition.drivers) {
    const slash = d.key.lastIndexOf('/');
    drivers.set(d.key, Object.freeze({
      key: d.key,
      name: d.name,
      parentKey: slash === -1 ? null : d.key.slice(0, slash),
      owningFunction: d.owningFunction,
      owners: Object.freeze([...d.owners]),
      description: d.description ?? null,
    }));
  }
  const rules = definition.rules.map((r, position): CompiledRule => Object.freeze({
    key: r.key,
    driverKey: r.driver,
    position,
    condition: r.when,
    test: compileCondition(r.when),
    result: Object.freeze({ driverKey: r.driver, ruleKey: r.key }),
  }));
  return Object.freeze({ hash: hashDefinition(definition), definition, drivers, rules: Object.freeze(rules), match: compileMatcher(rules) });
}
