import type { FailureClass } from '../domain/sync/failure-class.ts';

/** A connector's failure, with its class (src/domain/sync/failure-class.ts) and a stable code. */
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
