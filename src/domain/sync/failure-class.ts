/**
 * Every failure carries a class (README "Guarantees": failures have a class): `config` stops and tells
 * a human what to fix, `transient` is retried, `system` is our bug and alerts. Retry is a field of the
 * error, never a regex on its message. The run ledger, the health verdict and the API all use these.
 */
export const failureClasses = ['config', 'transient', 'system'] as const;
export type FailureClass = (typeof failureClasses)[number];
