/**
 * NAB's application profiles (config/profiles.json at github.com/numenta/NAB ea702d75). tnWeight is
 * in the file but unused by the scorer: true negatives earn nothing.
 */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fnWeight: number;
  readonly fpWeight: number;
}

export const NAB_PROFILES = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 },
} as const satisfies Record<string, CostMatrix>;

export type ProfileName = keyof typeof NAB_PROFILES;

export const PROFILE_NAMES = Object.keys(NAB_PROFILES) as ProfileName[];

export function costMatrix(profile: ProfileName): CostMatrix {
  const matrix = NAB_PROFILES[profile] as CostMatrix | undefined;
  if (matrix === undefined) throw new RangeError(`unknown NAB profile "${String(profile)}" (known: ${PROFILE_NAMES.join(', ')})`);
  return matrix;
}
