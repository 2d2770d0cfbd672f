import type { FastifyPluginAsync } from 'fastify';
import { installAuth, type VerifyToken } from '../auth.ts';
import type { ApiContext } from '../scope.ts';
import { connectorRoutes } from './connectors.ts';
import { driverRoutes } from './drivers.ts';
import { interventionRoutes } from './interventions.ts';
import { measureRoutes } from './measures.ts';
import { releaseRoutes } from './releases.ts';
import { silenceRoutes } from './silences.ts';
import { spikeRoutes } from './spikes.ts';

/**
 * The authenticated /api/v1 scope: the auth hook is installed here, so it runs for every route
 * registered below and for none outside (fastify docs/Reference/Encapsulation.md).
 */
export const apiV1Routes: FastifyPluginAsync<{ ctx: ApiContext; verify: VerifyToken }> = async (app, { ctx, verify }) => {
  installAuth(app, verify);
  await app.register(connectorRoutes, { prefix: '/connectors', ctx });
  await app.register(driverRoutes, { prefix: '/drivers', ctx });
  await app.register(spikeRoutes, { prefix: '/spikes', ctx });
  await app.register(interventionRoutes, { prefix: '/interventions', ctx });
  await app.register(silenceRoutes, { prefix: '/silences', ctx });
  await app.register(releaseRoutes, { prefix: '/releases', ctx });
  await app.register(measureRoutes, { prefix: '/measures', ctx });
};
