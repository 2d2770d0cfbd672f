import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiTokenActor } from '../../store/intervention-queries.ts';
import { addRelease, listReleases, type ReleaseRow } from '../../store/release-repository.ts';
import { principalOf } from '../auth.ts';
import { errorResponses, HttpError } from '../errors.ts';
import { identifierParam, instantParam } from '../params.ts';
import { type ApiContext, organizationParam, resolveOrganization } from '../scope.ts';
import { freeText, requireRole, WRITER_ROLES } from './interventions.ts';

/**
 * Releases (README "Spikes and interventions"): the detect stage names the latest release that went
 * out within the routing's release window before a spike began, and groups the spikes it explains.
 * Releases come from config (`releases:`) and from here (source `api`).
 */
const releaseSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  at: z.string().describe('When it went out'),
  products: z.array(z.string()),
  source: z.string().describe('`config`, `api` or `jira`'),
  createdAt: z.string(),
});

const addBody = z.object({
  key: identifierParam('Release key, unique in the organization (e.g. `4.2`)'),
  name: freeText('Name people know it by', 200).pipe(z.string().min(1, 'a name is required')),
  at: instantParam('When it went out (ISO 8601)'),
  products: z.array(identifierParam('Product')).max(50).default([]).describe('Products it touched'),
});

const common = { tags: ['releases'], security: [{ bearerAuth: [] }] };

export const releaseRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '',
    {
      schema: {
        ...common,
        summary: 'Releases of the organization, latest first',
        querystring: z.object({
          organization: organizationParam,
          since: instantParam('Only releases at or after this instant').optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many (1–500)'),
        }),
        response: { 200: z.object({ organization: z.string(), releases: z.array(releaseSchema) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const org = await resolveOrganization(ctx, principalOf(request), q.organization);
      const rows = await listReleases(ctx.prisma, org.id, { limit: q.limit, ...(q.since === undefined ? {} : { since: new Date(q.since) }) });
      return { organization: org.key, releases: rows.map(toView) };
    },
  );

  app.post(
    '',
    {
      preParsing: requireRole(WRITER_ROLES, 'add releases'),
      schema: {
        ...common,
        summary: 'Record a release (audited); spikes that follow it within the release window name it',
        description: 'Roles admin, analyst and service. 409 FL_RELEASE_EXISTS when the organization has a release with this key.',
        querystring: z.object({ organization: organizationParam }),
        body: addBody,
        response: { 201: releaseSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const org = await resolveOrganization(ctx, principal, request.query.organization);
      const b = request.body;
      const outcome = await addRelease(ctx.prisma, {
        organizationId: org.id, key: b.key, name: b.name, releasedAtMs: Date.parse(b.at), products: [...new Set(b.products)], source: 'api',
        actor: await apiTokenActor(ctx.prisma, principal.id), nowMs: ctx.now(),
      });
      if (!outcome.ok) {
        throw new HttpError('FL_RELEASE_EXISTS', `Organization "${org.key}" has a release "${b.key}" already (${outcome.existing.name}, ${outcome.existing.releasedAt.toISOString()}, from ${outcome.existing.source})`);
      }
      return reply.code(201).send(toView(outcome.release));
    },
  );
};

function toView(r: ReleaseRow): z.infer<typeof releaseSchema> {
  return { id: r.id, key: r.key, name: r.name, at: r.releasedAt.toISOString(), products: r.products, source: r.source, createdAt: r.createdAt.toISOString() };
}
