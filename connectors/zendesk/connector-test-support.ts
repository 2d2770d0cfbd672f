import { inspect } from 'node:util';
import type { SourcePage } from '../../src/connector-kit/connector-module.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';

/** Shared by the Zendesk connector's tests: drain a page stream, and expect a ConnectorError. */
export async function collect(pages: AsyncIterable<SourcePage>): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${inspect(error)}`);
  return error;
}
