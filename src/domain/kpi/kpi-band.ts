/**
 * Where a KPI value stands: its band (green / amber / red by the KPI's own thresholds, in its unit)
 * and its distance to target. Without bands, the target alone decides: met is green, missed is red.
 * Without either, a value has no band.
 */
export type KpiDirection = 'up_is_good' | 'down_is_good';
export type KpiBand = 'green' | 'amber' | 'red';

export interface KpiGoal {
  direction: KpiDirection;
  target: number | null;
  bands: { green: number; amber: number } | null;
}

/** Whether `value` is at least as good as `threshold` for the direction. */
const asGood = (value: number, threshold: number, direction: KpiDirection): boolean => (direction === 'down_is_good' ? value <= threshold : value >= threshold);

export function kpiBand(value: number | null, goal: KpiGoal): KpiBand | null {
  if (value === null) return null;
  if (goal.bands !== null) {
    if (asGood(value, goal.bands.green, goal.direction)) return 'green';
    return asGood(value, goal.bands.amber, goal.direction) ? 'amber' : 'red';
  }
  if (goal.target !== null) return asGood(value, goal.target, goal.direction) ? 'green' : 'red';
  return null;
}

/** How far a value is from target, signed so that positive is better (null without value or target). */
export function betterThanTargetBy(value: number | null, goal: KpiGoal): number | null {
  if (value === null || goal.target === null) return null;
  return goal.direction === 'down_is_good' ? goal.target - value : value - goal.target;
}
