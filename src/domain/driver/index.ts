export type { ActiveTaxonomy } from './active-taxonomy.ts';
export { classify } from './classify.ts';
export { canonicalJson, sha256Hex } from './canonical-json.ts';
export { closestMatch } from './closest-match.ts';
export type { ClassifiableTicket, TicketPredicate } from './compile-condition.ts';
export {
  type Classification,
  type Classifier,
  type CompiledDriver,
  type CompiledRule,
  type CompiledTaxonomy,
  compileTaxonomy,
} from './compile-taxonomy.ts';
export { crossReferenceIssues, parseTaxonomy } from './parse-taxonomy.ts';
export { type Condition, type ConditionInput, conditionKinds, conditionSchema } from './condition-schema.ts';
export { formatPath, type IssuePath, TaxonomyError, type TaxonomyIssue } from './taxonomy-error.ts';
export { hashDefinition, taxonomyHash } from './taxonomy-hash.ts';
export {
  type DriverDefinition,
  type DriverInput,
  driverKeyPattern,
  driverSchema,
  type FunctionArea,
  functionAreas,
  type RuleDefinition,
  type RuleInput,
  ruleKeyPattern,
  ruleSchema,
  type TaxonomyDefinition,
  type TaxonomyInput,
  taxonomyInputSchema,
} from './taxonomy-schema.ts';
