import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { contactReasonFieldId, driverCatalog } from './driver-catalog.ts';
import { createZendeskSimulator } from './index.ts';
import { startMs } from './simulator-test-support.ts';

const fieldsPageSchema = z.object({
  ticket_fields: z.array(
    z.looseObject({
      id: z.number(),
      type: z.string(),
      title: z.string(),
      custom_field_options: z.array(z.object({ id: z.number(), name: z.string(), value: z.string() }).loose()).optional(),
    }),
  ),
  meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullable(), before_cursor: z.string().nullable() }),
  links: z.object({ next: z.string().nullable(), prev: z.string().nullable() }),
});

describe('ticket fields and helper endpoints', () => {
  const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 500, rateLimit: false, malformed: 3 });

  it('pages ticket fields with page[size] / page[after] and lists the Contact reason options', async () => {
    const fields: z.infer<typeof fieldsPageSchema>['ticket_fields'] = [];
    let url: string | null = '/api/v2/ticket_fields.json?page[size]=2';
    let pages = 0;
    while (url) {
      const page = fieldsPageSchema.parse((await sim.app.inject({ url })).json());
      fields.push(...page.ticket_fields);
      // Like Zendesk, every non-empty page links a next page: only has_more says whether to follow it.
      expect(page.links.next).not.toBeNull();
      url = page.meta.has_more && page.links.next ? `${new URL(page.links.next).pathname}${new URL(page.links.next).search}` : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(fields.map((f) => f.type)).toEqual(['subject', 'description', 'status', 'priority', 'tagger', 'text']);
    const contactReason = fields.find((f) => f.id === contactReasonFieldId);
    expect(contactReason?.title).toBe('Contact reason');
    expect(contactReason?.custom_field_options?.map((o) => [o.name, o.value])).toEqual(
      driverCatalog.map((d) => [d.name, d.dropdownValue]),
    );
    const unpaged = (await sim.app.inject({ url: '/api/v2/ticket_fields.json' })).json();
    expect(unpaged).toMatchObject({ count: 6, next_page: null });
    const invalid = await sim.app.inject({ url: '/api/v2/ticket_fields.json?page[size]=2&page[after]=bogus' });
    expect(invalid.statusCode).toBe(400);
  });

  it('keeps links.next on the last cursor page while meta.has_more is false, as Zendesk does', async () => {
    const first = fieldsPageSchema.parse((await sim.app.inject({ url: '/api/v2/ticket_fields.json?page[size]=100' })).json());
    expect(first.ticket_fields).toHaveLength(6);
    expect(first.meta.has_more).toBe(false);
    expect(first.meta.after_cursor).not.toBeNull();
    expect(first.links.next).toMatch(/\/api\/v2\/ticket_fields\.json\?page%5Bsize%5D=100&page%5Bafter%5D=/);
    // Following it anyway (what node-zendesk's getAll does) yields an empty page that ends the list.
    const next = new URL(first.links.next ?? '');
    const after = fieldsPageSchema.parse((await sim.app.inject({ url: `${next.pathname}${next.search}` })).json());
    expect(after).toMatchObject({ ticket_fields: [], meta: { has_more: false, after_cursor: null }, links: { next: null } });
  });

  it('serves truth, stats, a ticket count, and Zendesk-shaped 404s', async () => {
    const truth = (await sim.app.inject({ url: '/__simulator/truth' })).json();
    expect(truth).toEqual(sim.truth());
    const count = (await sim.app.inject({ url: '/api/v2/tickets/count.json' })).json();
    expect(count.count.value).toBe(truth.live + truth.malformedIds.length);
    const missing = await sim.app.inject({ url: '/api/v2/nope.json' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'InvalidEndpoint', description: 'Not found' });
    const stats = (await sim.app.inject({ url: '/__simulator/stats' })).json();
    expect(stats).toEqual(sim.stats());
    expect(stats.byStatus['404']).toBe(1);
  });

  it('listens on 127.0.0.1 and builds after_url from the Host header', async () => {
    const served = createZendeskSimulator({ clock: manualClock(startMs), tickets: 20 });
    const baseUrl = await served.listen();
    try {
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${baseUrl}/api/v2/incremental/tickets/cursor.json?start_time=0`);
      const body = z.object({ after_url: z.string() }).parse(await response.json());
      expect(body.after_url.startsWith(`${baseUrl}/api/v2/incremental/tickets/cursor.json?cursor=`)).toBe(true);
    } finally {
      await served.close();
    }
  });
});
