import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';

/** Prometheus scrape endpoint (public, like /healthz; put it behind the network, not a token). */
export const metricsRoutes: FastifyPluginAsyncZod<{ registry: Registry }> = async (app, { registry }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: z.string().describe('Prometheus text format 0.0.4') },
      },
    },
    async (_request, reply) => {
      // A string body with a non-JSON content type is sent as is (no JSON serializer).
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};
