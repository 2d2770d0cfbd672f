import { z } from 'zod';
import { contactReasonFieldId, driverCatalog, unmatchedDriverKey } from './driver-catalog.ts';
import type { ZendeskSimulator } from './index.ts';

/** Shared by the simulator's tests: a fixed start instant, a strict page schema, paging and the demo rules. */
export const startMs = Date.UTC(2026, 2, 10, 12, 0, 15); // a Tuesday, 15 s into a minute

export const exportedTicketSchema = z.looseObject({
  id: z.number().int().positive(),
  generated_timestamp: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  status: z.string(),
  subject: z.string(),
  tags: z.array(z.string()),
  custom_fields: z.array(z.object({ id: z.number(), value: z.string().nullable() })),
});
export type ExportedTicket = z.infer<typeof exportedTicketSchema>;

export const exportPageSchema = z.strictObject({
  tickets: z.array(exportedTicketSchema),
  after_cursor: z.string().nullable(),
  after_url: z.url().nullable(),
  before_cursor: z.null(),
  before_url: z.null(),
  end_of_stream: z.boolean(),
});
export type ExportPage = z.infer<typeof exportPageSchema>;

export async function fetchPage(sim: ZendeskSimulator, url: string, headers: Record<string, string> = {}): Promise<ExportPage> {
  const response = await sim.app.inject({ url, headers });
  if (response.statusCode !== 200) throw new Error(`GET ${url} → ${response.statusCode} ${response.body}`);
  return exportPageSchema.parse(response.json());
}

/** Pages from `start_time` or a cursor until end_of_stream; every support type unless `query` says otherwise. */
export async function exportAll(
  sim: ZendeskSimulator,
  from: { startTime: number } | { cursor: string },
  query = '&support_type_scope=all',
): Promise<{ tickets: ExportedTicket[]; pages: ExportPage[]; cursor: string }> {
  let url =
    'startTime' in from
      ? `/api/v2/incremental/tickets/cursor.json?start_time=${from.startTime}${query}`
      : `/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(from.cursor)}${query}`;
  const pages: ExportPage[] = [];
  for (;;) {
    const page = await fetchPage(sim, url);
    pages.push(page);
    if (page.end_of_stream) {
      const cursor = page.after_cursor ?? ('cursor' in from ? from.cursor : null);
      if (cursor === null) throw new Error('the export ended without any cursor');
      return { tickets: pages.flatMap((p) => p.tickets), pages, cursor };
    }
    if (page.after_url === null) throw new Error('a page that is not the last has no after_url');
    const next = new URL(page.after_url);
    url = `${next.pathname}${next.search}`;
    if (pages.length > 5000) throw new Error('export did not end');
  }
}

/** The demo configuration's rules: dropdown rules, then tag rules, then case-insensitive subject phrases. */
export function classify(ticket: ExportedTicket): string {
  const dropdown = ticket.custom_fields.find((field) => field.id === contactReasonFieldId)?.value;
  const subject = ticket.subject.toLowerCase();
  const match =
    driverCatalog.find((driver) => driver.dropdownValue === dropdown) ??
    driverCatalog.find((driver) => ticket.tags.includes(driver.tag)) ??
    driverCatalog.find((driver) => subject.includes(driver.subjectPhrase.toLowerCase()));
  return match?.key ?? unmatchedDriverKey;
}

const zendeskStatuses = new Set(['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted']);

/** What a sync cannot store: not a date, not a Zendesk status, or a year PostgreSQL does not have. */
export function isMalformed(ticket: ExportedTicket): boolean {
  return Number.isNaN(Date.parse(ticket.created_at)) || ticket.created_at.startsWith('0000-') || !zendeskStatuses.has(ticket.status);
}

/** Counts a full sync would derive from the exported tickets, in the shape of SimulatorTruth. */
export function countsFromExport(tickets: ExportedTicket[]) {
  const perDay: Record<string, number> = {};
  const perDriver: Record<string, number> = {};
  const deletedIds: string[] = [];
  const malformedIds: string[] = [];
  for (const ticket of tickets) {
    if (isMalformed(ticket)) malformedIds.push(String(ticket.id));
    else if (ticket.status === 'deleted') deletedIds.push(String(ticket.id));
    else {
      const day = ticket.created_at.slice(0, 10);
      perDay[day] = (perDay[day] ?? 0) + 1;
      const driver = classify(ticket);
      perDriver[driver] = (perDriver[driver] ?? 0) + 1;
    }
  }
  const byNumber = (a: string, b: string) => Number(a) - Number(b);
  return { total: tickets.length, perDay, perDriver, deletedIds: deletedIds.sort(byNumber), malformedIds: malformedIds.sort(byNumber) };
}

/** Drops zero counts (the truth lists every driver, an export only those it saw). */
export function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}
