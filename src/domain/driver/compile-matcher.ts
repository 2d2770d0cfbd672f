import type { ClassifiableTicket } from './compile-condition.ts';
import type { Classification, CompiledRule } from './compile-taxonomy.ts';
import { escapeRegExp } from './escape-regexp.ts';

type Matcher = (ticket: ClassifiableTicket) => Classification | null;
type Step = { rule: CompiledRule } | { gate: RegExp; rules: readonly CompiledRule[] };

/**
 * First-match over the ordered rules, with one shortcut: a run of consecutive `subject.contains`
 * rules is guarded by a single alternation regex, so a ticket matching none of the phrases (the
 * common case for subject rules, which come last) costs one scan instead of one per rule. The gate
 * is only a necessary condition; the rules inside still decide in order.
 */
export function compileMatcher(rules: readonly CompiledRule[]): Matcher {
  const steps = planSteps(rules);
  return (ticket) => {
    for (const step of steps) {
      if ('rule' in step) {
        if (step.rule.test(ticket)) return step.rule.result;
        continue;
      }
      if (ticket.subject === null || !step.gate.test(ticket.subject)) continue;
      for (const rule of step.rules) if (rule.test(ticket)) return rule.result;
    }
    return null;
  };
}

function planSteps(rules: readonly CompiledRule[]): Step[] {
  const steps: Step[] = [];
  let run: CompiledRule[] = [];
  const flush = () => {
    if (run.length === 1 && run[0] !== undefined) steps.push({ rule: run[0] });
    if (run.length > 1) steps.push({ gate: new RegExp(run.map((r) => escapeRegExp(r.condition.subject?.contains ?? '')).join('|'), 'i'), rules: run });
    run = [];
  };
  for (const rule of rules) {
    if (rule.condition.subject?.contains !== undefined) {
      run.push(rule);
      continue;
    }
    flush();
    steps.push({ rule });
  }
  flush();
  return steps;
}

