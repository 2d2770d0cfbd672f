import { CliError } from './cli-error.ts';

/** A numeric command-line option, or a usage error naming the flag (exit code 2). */
export function numberOption(flag: string, value: unknown, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new CliError(`--${flag} must be a number ≥ ${min}, got "${String(value)}"`, 2);
  return n;
}
