import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { zendeskConnector } from '../../connectors/zendesk/index.ts';
import { systemClock } from '../../src/connector-kit/clock.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { copyRow } from '../../src/store/copy-text.ts';
import { STAGE_COLUMNS, STAGE_TABLE_COLUMNS, stageValues } from '../../src/store/ticket-page-sql.ts';
import { withClient } from './bench-database.ts';

/**
 * The two references Frontline's end-to-end rate is compared with: (a) how fast the raw export can
 * be fetched and parsed at all, (b) how fast PostgreSQL takes the same rows by COPY into a bare table.
 */
export interface Timed {
  tickets: number;
  seconds: number;
  perSecond: number;
}

const timed = (tickets: number, startNs: bigint): Timed => {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return { tickets, seconds, perSecond: tickets / seconds };
};

const authHeader = (token: string): string => `Basic ${Buffer.from(`demo@acme.example/token:${token}`).toString('base64')}`;

/** (a) Plain fetch + JSON.parse over the whole cursor export: no normalising, no storing. */
export async function measureFetchParse(url: string, token: string, sinceMs: number, keepPages: boolean): Promise<Timed & { pages: string[] }> {
  const pages: string[] = [];
  let tickets = 0;
  let next: string | null = `${url}/api/v2/incremental/tickets/cursor.json?start_time=${Math.floor(sinceMs / 1000)}`;
  const start = process.hrtime.bigint();
  while (next) {
    const response = await fetch(next, { headers: { authorization: authHeader(token) } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text) as { tickets: unknown[]; after_url: string | null; end_of_stream: boolean };
    tickets += page.tickets.length;
    if (keepPages) pages.push(text);
    next = page.end_of_stream ? null : page.after_url;
  }
  return { ...timed(tickets, start), pages };
}

/** Normalises the fetched pages with the Zendesk connector and encodes them as COPY text (untimed preparation for (b)). */
export async function prepareCopyChunks(url: string, token: string, pages: string[]): Promise<{ chunks: string[]; rows: number; normaliseSeconds: number }> {
  const session = zendeskConnector.open({
    key: 'bench', baseUrl: url, allowInsecureBaseUrl: true, settings: { auth: { type: 'api_token', email: 'demo@acme.example' } }, secrets: { token }, clock: systemClock,
  });
  await session.prepare();
  const chunks: string[] = [];
  let rows = 0;
  const start = process.hrtime.bigint();
  for (const text of pages) {
    const page = JSON.parse(text) as { tickets: unknown[] };
    let chunk = '';
    for (const raw of page.tickets) {
      const result = session.normalise(raw);
      if (!result.ok) continue;
      chunk += copyRow(stageValues({ ticket: result.ticket, contentHash: ticketContentHash(result.ticket), changedAt: result.changedAt, erasedBySource: result.erasedBySource, raw }));
      rows += 1;
    }
    chunks.push(chunk);
  }
  return { chunks, rows, normaliseSeconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** (b) COPY of the same rows into a bare (logged, index-free) table: PostgreSQL's own ingest ceiling here. */
export async function measureCopy(databaseUrl: string, chunks: string[], rows: number): Promise<Timed> {
  return withClient(databaseUrl, async (client) => {
    await client.query(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (${STAGE_TABLE_COLUMNS})`);
    const columns = STAGE_COLUMNS.map((c) => `"${c}"`).join(', ');
    const start = process.hrtime.bigint();
    await pipeline(Readable.from(chunks), client.query(copyStreams.from(`COPY bench_copy (${columns}) FROM STDIN`)));
    const result = timed(rows, start);
    await client.query('DROP TABLE bench_copy');
    return result;
  });
}
