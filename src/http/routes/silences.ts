import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseDurationSeconds } from '../../config/duration.ts';
import { inTransaction } from '../../store/transaction.ts';
import { z } from 'zod';
import { apiTokenActor } from '../../store/intervention-queries.ts';
import { addSilence, expireSilence, listSilences, type SilenceRow } from '../../store/silence-repository.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, notFound, validationFailed } from '../errors.ts';
import { identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';
import { freeText, requireRole, WRITER_ROLES } from './interventions.ts';
import { uuidParam } from './spikes.ts';

/**
 * Silences (README "Spikes and interventions"): while one is active, spikes of the drivers it
 * matches raise no intervention item. Each has a reason, an author (the token) and an end at most
 * 90 days ahead; expiring one early is recorded too.
 */
export const MAX_SILENCE_DAYS = 90;
const DAY_MS = 86_400_000;

/** How long a silence lasts, in ms: `30m`, `2h`, `3d`, `1w` (the durations config uses); null when it is none. */
export function durationMs(text: string): number | null {
  const seconds = parseDurationSeconds(text);
  return seconds === null ? null : seconds * 1000;
}

/** The end of a silence from `endsAt` or `duration`, or why it cannot be one (in the past, too far). */
export function silenceEnd(input: { endsAt?: string | undefined; duration?: string | undefined }, nowMs: number): { ok: true; endsAtMs: number } | { ok: false; path: string; message: string } {
  const path = input.endsAt !== undefined ? 'endsAt' : 'duration';
  const endsAtMs = input.endsAt !== undefined ? Date.parse(input.endsAt) : nowMs + (durationMs(input.duration ?? '') ?? 0);
  if (!(endsAtMs > nowMs)) return { ok: false, path, message: 'must be in the future' };
  if (endsAtMs - nowMs > MAX_SILENCE_DAYS * DAY_MS) return { ok: false, path, message: `must be at most ${MAX_SILENCE_DAYS} days ahead` };
  return { ok: true, endsAtMs };
}

const silenceSchema = z.object({
  id: z.string(),
  driver: z.string().describe('Driver key, or a family prefix ending in "/"'),
  reason: z.string(),
  author: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  expiredAt: z.string().nullable().describe('When it was ended early'),
  active: z.boolean(),
});

const addBody = z
  .object({
    driver: identifierParam('Driver key (`billing/refund`), or a family prefix ending in "/" (`billing/`)'),
    reason: freeText('Why these spikes are expected (required)').pipe(z.string().min(1, 'a reason is required')),
    endsAt: instantParam('When the silence ends (ISO 8601); at most 90 days ahead').optional(),
    duration: z.string().refine((text) => durationMs(text) !== null, 'a duration like 30m, 2h, 3d or 1w').optional().describe('How long from now, e.g. `2h`, `3d` (instead of endsAt)'),
  })
  .superRefine((b, issues) => {
    if (b.endsAt === undefined && b.duration === undefined) issues.addIssue({ code: 'custom', path: ['endsAt'], message: 'give endsAt or duration' });
    if (b.endsAt !== undefined && b.duration !== undefined) issues.addIssue({ code: 'custom', path: ['duration'], message: 'give endsAt or duration, not both' });
  });

const common = { tags: ['silences'], security: [{ bearerAuth: [] }] };
const orgQuery = z.object({ organization: organizationParam });

export const silenceRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: 'Silences of the organization (active ones, or all)',
        querystring: z.object({
          organization: organizationParam,
          state: z.enum(['active', 'all']).default('active').describe('`all` adds ended and expired silences'),
        }),
        response: { 200: z.object({ organization: z.string(), silences: z.array(silenceSchema) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const org = await resolveOrganization(ctx, principalOf(request), request.query.organization);
      const nowMs = ctx.now();
      const rows = await inTransaction(ctx.pool, (client) => listSilences(client, org.id, nowMs));
      return { organization: org.key, silences: rows.filter((s) => request.query.state === 'all' || s.active).map(toView) };
    },
  );

  app.post(
    '',
    {
      preParsing: requireRole(WRITER_ROLES, 'add silences'),
      schema: {
        ...common,
        summary: 'Silence the spikes of a driver or driver family for a while (audited)',
        description: 'Roles admin, analyst and service. `reason` and one of `endsAt` or `duration` are required; the end must be in the future and at most 90 days ahead.',
        querystring: orgQuery,
        body: addBody,
        response: { 201: silenceSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const org = await resolveOrganization(ctx, principal, request.query.organization);
      const nowMs = ctx.now();
      const end = silenceEnd(request.body, nowMs);
      if (!end.ok) throw validationFailed('Invalid body: 1 problem', [{ path: end.path, message: end.message }]);
      const author = await apiTokenActor(ctx.prisma, principal.id);
      const row = await inTransaction(ctx.pool, (client) =>
        addSilence(client, { organizationId: org.id, driverPrefix: request.body.driver, reason: request.body.reason, author, endsAtMs: end.endsAtMs, nowMs }));
      return reply.code(201).send(toView(row));
    },
  );

  app.post(
    '/:id/expire',
    {
      preParsing: requireRole(WRITER_ROLES, 'expire silences'),
      schema: {
        ...common,
        summary: 'End an active silence now (audited)',
        description: 'Roles admin, analyst and service. 404 when there is no such silence or it has already ended.',
        params: z.object({ id: uuidParam('Silence id') }),
        querystring: orgQuery,
        body: z.object({ reason: freeText('Why it ends early (recorded in the audit log)').optional() }).nullish().describe('Optional: may be left out'),
        response: { 200: silenceSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const org = await resolveOrganization(ctx, principal, request.query.organization);
      const actor = await apiTokenActor(ctx.prisma, principal.id);
      const reason = request.body?.reason === undefined || request.body.reason === '' ? null : request.body.reason;
      const nowMs = ctx.now();
      const row = await inTransaction(ctx.pool, async (client) => {
        if (!(await expireSilence(client, org.id, request.params.id, actor, reason, nowMs))) return null;
        return (await listSilences(client, org.id, nowMs, request.params.id))[0] ?? null;
      });
      if (!row) throw notFound(`No active silence ${request.params.id} in organization "${org.key}"`);
      return toView(row);
    },
  );
};

function toView(s: SilenceRow): z.infer<typeof silenceSchema> {
  return { id: s.id, driver: s.driverPrefix, reason: s.reason, author: s.author, startsAt: s.startsAt, endsAt: s.endsAt, expiredAt: s.expiredAt, active: s.active };
}
