import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RunningApi {
  /** e.g. `http://127.0.0.1:3000` (the real port when 0 was asked). */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, runs onClose hooks. Idempotent. */
  close(): Promise<void>;
}

/** The only place that listens (buildApp never does). */
export async function startApi(options: { app: FastifyInstance; host: string; port: number }): Promise<RunningApi> {
  const { app } = options;
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const url = typeof address === 'object' && address !== null ? urlOf(address) : `http://${options.host}:${options.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
