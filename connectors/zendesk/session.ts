import { z } from 'zod';
import type { ConnectorContext } from '../../src/connector-kit/connector-module.ts';
import type { DeclaredConnector } from '../../src/connector-kit/declared-session.ts';
import { ConnectorError } from '../../src/connector-kit/failure.ts';
import type { HttpClient } from '../../src/connector-kit/http-client.ts';
import type { StreamHooks } from '../../src/connector-kit/declared-stream.ts';
import { Pager } from '../../src/connector-kit/pagination.ts';
import { EXPORT_PAGINATOR, TICKET_FIELDS_PAGINATOR, TICKET_FIELDS_PATH, USERS_ME_PATH, zendeskDefinition, type ZendeskLookups } from './declaration.ts';
import { fieldLabelsFrom, noFieldLabels } from './field-labels.ts';
import { attachMetricSets } from './metric-sets.ts';
import { currentUserSchema, exportPageSchema, ticketFieldsPageSchema, type ZendeskTicket, type ZendeskTicketField } from './raw-schemas.ts';
import { credentialHint, type ZendeskSettings } from './settings.ts';
import { createPageSizer, type PageSizer } from './page-sizer.ts';
import { createZendeskClient, getVerbatim, type ZendeskClient } from './transport.ts';

/** Guards against a provider that keeps answering "more": no real account has this many field pages. */
const MAX_FIELD_PAGES = 200;

/**
 * Zendesk's session: the kit's declared session (declared-session.ts) over zendeskDefinition, with
 * what the declaration cannot say — node-zendesk's transport and the page sizer for export pages, the
 * metric-set join, the ticket_fields look-up and the users/me check.
 */
export const zendeskSession: DeclaredConnector<typeof zendeskDefinition.config, ZendeskTicket, ZendeskLookups> = {
  definition: zendeskDefinition,
  noLookups: ({ http }) => ({ fieldLabels: noFieldLabels, baseUrl: http.baseUrl }),
  messageVars: (settings, ctx) => ({ credentialHint: credentialHint(settings, ctx.secretSources) }),
  prepare: async ({ http }) => ({ fieldLabels: fieldLabelsFrom(await loadTicketFields(createZendeskClient(http), http)), baseUrl: http.baseUrl }),
  async check({ http, settings, ctx }) {
    // https://developer.zendesk.com/api-reference/ticketing/users/users/#show-the-currently-authenticated-user
    const body = await getVerbatim(createZendeskClient(http).users, `${http.baseUrl}${USERS_ME_PATH}`, ctx.key);
    const { user: me } = parseOrFail(z.looseObject({ user: currentUserSchema }), body, ctx.key, 'users/me');
    // Zendesk answers an anonymous user (id null) instead of 401 when no credentials apply.
    if (me.id === null) throw authRejected(ctx, settings);
    return { ok: true, detail: `authenticated as Zendesk user ${me.id}${me.role ? ` (role ${me.role})` : ''}` };
  },
  ticketHooks: ({ http, settings, ctx }) => exportHooks(http, ctx, createPageSizer(http, { maxPerPage: settings.pageSize ?? EXPORT_PAGINATOR.pageSize, pageBytes: settings.pageBytes })),
};

function authRejected(c: ConnectorContext, s: ZendeskSettings): ConnectorError {
  return new ConnectorError(`Zendesk rejected the credentials for connector "${c.key}" (anonymous user). ${credentialHint(s, c.secretSources)}`, {
    failure: 'config',
    code: 'AUTH_REJECTED',
    connector: c.key,
  });
}

/**
 * One walk of the cursor export (zendeskDefinition's tickets stream, walked by the kit:
 * declared-stream.ts): the first request carries `start_time`, every later one only `cursor` — built
 * by the kit from the declaration rather than taken from `after_url`, so the host stays the configured
 * one. Each page is asked at the size the page sizer chose and carries the ticket metrics of its
 * tickets, joined onto them by `ticket_id` (metric-sets.ts).
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based
 */
function exportHooks(http: HttpClient, ctx: ConnectorContext, sizer: PageSizer): StreamHooks {
  const path = zendeskDefinition.streams.tickets.path;
  return {
    fetch: async (request) => {
      const query = new URLSearchParams('params' in request ? request.params : {});
      const body = await sizer.fetch((perPage, client) => {
        query.set(EXPORT_PAGINATOR.pageSizeParam, String(perPage));
        return getVerbatim(client.ticketexport, `${http.baseUrl}${path}?${query.toString()}`, ctx.key);
      });
      return { body };
    },
    page: (body) => {
      const page = parseOrFail(exportPageSchema, body, ctx.key, 'incremental export page');
      sizer.observe(page.tickets.length);
      const join = attachMetricSets(page.tickets, page.metric_sets);
      if (join.unmatched > 0) ctx.logger?.warn({ connector: ctx.key, unmatched: join.unmatched }, 'Zendesk export page: metric sets without a ticket on the page were ignored');
      return page;
    },
  };
}

/**
 * All ticket fields (TICKET_FIELDS_PAGINATOR); an account still on offset pages answers without
 * `meta` and follows `next_page`. Not node-zendesk's `ticketfields.list()`: its getAll follows
 * `links.next`, which Zendesk still sets on the last page.
 */
async function loadTicketFields(zd: ZendeskClient, http: HttpClient): Promise<ZendeskTicketField[]> {
  const fields: ZendeskTicketField[] = [];
  const size = { [TICKET_FIELDS_PAGINATOR.pageSizeParam]: String(TICKET_FIELDS_PAGINATOR.pageSize) };
  const pager = new Pager(TICKET_FIELDS_PAGINATOR, http.connectorKey);
  let url: string | null = `${http.baseUrl}${TICKET_FIELDS_PATH}?${new URLSearchParams(size).toString()}`;
  for (let pages = 0; url !== null; pages += 1) {
    if (pages >= MAX_FIELD_PAGES) throw contractError(http.connectorKey, `ticket_fields did not end after ${MAX_FIELD_PAGES} pages`);
    const body = await getVerbatim(zd.ticketfields, url, http.connectorKey);
    const page = parseOrFail(ticketFieldsPageSchema, body, http.connectorKey, 'ticket_fields page');
    fields.push(...page.ticket_fields);
    if (page.meta === undefined) {
      url = page.next_page ?? null;
      continue;
    }
    const next = pager.step({ records: page.ticket_fields, body: page }).next;
    url = next?.kind === 'params' ? `${http.baseUrl}${TICKET_FIELDS_PATH}?${new URLSearchParams({ ...size, ...next.params }).toString()}` : null;
  }
  return fields;
}

function parseOrFail<S extends z.ZodType>(schema: S, value: unknown, connectorKey: string, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return failParse(connectorKey, what, issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid');
}

function failParse(connectorKey: string, what: string, detail: string): never {
  throw new ConnectorError(`Connector "${connectorKey}": failed to parse Zendesk ${what} — ${detail}`, { failure: 'system', code: 'SCHEMA_MISMATCH', connector: connectorKey });
}

function contractError(connectorKey: string, what: string): ConnectorError {
  return new ConnectorError(`Connector "${connectorKey}": ${what}`, { failure: 'system', code: 'EXPORT_CONTRACT', connector: connectorKey });
}
