/**
 * Every failure carries a class (README "Guarantees": failures have a class): `config` stops and tells a human what to fix,
 * `transient` is retried, `system` is our bug and alerts. Retry is a field of the error, never a
 * regex on its message.
 */
export type FailureClass = 'config' | 'transient' | 'system';

export interface ConnectorErrorOptions {
  failure: FailureClass;
  code: string;
  connector?: string;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly failure: FailureClass;
  readonly code: string;
  readonly connector: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.failure = options.failure;
    this.code = options.code;
    this.connector = options.connector;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const isConnectorError = (error: unknown): error is ConnectorError => error instanceof ConnectorError;
