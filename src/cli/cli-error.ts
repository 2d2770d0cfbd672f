import { isConnectorError } from '../connector-kit/failure.ts';

/** A user-facing failure: printed as-is (no stack), with an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** What the user sees for an error: their mistakes and the source's answers plainly, our bugs with a stack. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof CliError) {
    stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (isConnectorError(error)) {
    stderr.write(`error [${error.failure}/${error.code}]: ${error.message}\n`);
    return error.failure === 'config' ? 2 : 1;
  }
  if (error instanceof Error && /ECONNREFUSED/.test(`${error.message} ${String((error as { code?: unknown }).code ?? '')}`)) {
    stderr.write(`cannot reach a required service (${error.message}).\nStart PostgreSQL and Redis: \`bash src/main/ensure-services.sh\` or \`docker compose up -d\`.\n`);
    return 3;
  }
  stderr.write(`unexpected error (a bug — please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
