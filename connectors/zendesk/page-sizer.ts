import { ConnectorError, isConnectorError } from '../../src/connector-kit/failure.ts';
import type { HttpClient } from '../../src/connector-kit/http-client.ts';
import { createZendeskClient, type ZendeskClient } from './transport.ts';

/**
 * Export pages sized by bytes, not by ticket count. Zendesk serves up to 1000 tickets a page; with
 * 20 KB descriptions that is 20 MB of JSON, several times that once parsed, and twice that with the
 * next page prefetched — more than the heap the CLI and workers run with (README "Operating it"). So
 * each page asks for as many tickets as the last page's bytes per ticket fit into `pageBytes`, and a
 * response larger than a few pages' worth is refused before it is read and asked for again with fewer
 * tickets: a page can never crash the process (and crash it again on every retry).
 */
export const DEFAULT_PAGE_BYTES = 4 * 1024 * 1024;
/** A response may be this many times `pageBytes` before it is refused (ticket sizes vary within a page). */
const PAGE_CAP_FACTOR = 3;
/** One ticket alone may be this large (Zendesk caps comments, not tickets; 1 MB descriptions are real). */
const SINGLE_TICKET_CAP = 32 * 1024 * 1024;

export interface PageSizing {
  maxPerPage: number;
  pageBytes?: number | undefined;
}

export interface PageSizer {
  /** Fetches one page: asks `request` with a per_page and the client to use; smaller again if refused. */
  fetch<T>(request: (perPage: number, client: ZendeskClient) => Promise<T>): Promise<T>;
  /** How many tickets the page just fetched held: sizes the next one. */
  observe(tickets: number): void;
  perPage(): number;
}

/** The next per_page from the last page's size: pure, so the sizing rule is tested without HTTP. */
export function nextPerPage(last: { chars: number; tickets: number }, current: number, sizing: { maxPerPage: number; pageBytes: number }): number {
  if (last.tickets === 0) return current;
  const fit = Math.floor(sizing.pageBytes / Math.max(1, last.chars / last.tickets));
  // Grow at most twofold a page: the next tickets may be larger than the last ones.
  return Math.max(1, Math.min(sizing.maxPerPage, fit, current * 2));
}

export function createPageSizer(http: HttpClient, options: PageSizing): PageSizer {
  const sizing = { maxPerPage: options.maxPerPage, pageBytes: options.pageBytes ?? DEFAULT_PAGE_BYTES };
  let perPage = sizing.maxPerPage;
  let lastChars = 0;
  const onResponse = (response: { size: number }): void => {
    lastChars = response.size;
  };
  const pageClient = createZendeskClient(http, { request: { maxResponseBytes: sizing.pageBytes * PAGE_CAP_FACTOR }, onResponse });
  const singleClient = createZendeskClient(http, { request: { maxResponseBytes: Math.max(SINGLE_TICKET_CAP, sizing.pageBytes * PAGE_CAP_FACTOR) }, onResponse });
  return {
    async fetch(request) {
      for (;;) {
        try {
          return await request(perPage, perPage === 1 ? singleClient : pageClient);
        } catch (error) {
          if (!isConnectorError(error) || error.code !== 'RESPONSE_TOO_LARGE') throw error;
          if (perPage === 1) {
            throw new ConnectorError(
              `Connector "${http.connectorKey}": a single ticket's export record is larger than ${SINGLE_TICKET_CAP} bytes; it cannot be stored`,
              { failure: 'system', code: 'TICKET_TOO_LARGE', connector: http.connectorKey },
            );
          }
          perPage = Math.max(1, Math.floor(perPage / 4));
        }
      }
    },
    observe(tickets) {
      perPage = nextPerPage({ chars: lastChars, tickets }, perPage, sizing);
    },
    perPage: () => perPage,
  };
}
