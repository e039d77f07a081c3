import { ROLES } from '../../../../core/access.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HealthResponse } from '../../../../core/contracts/health.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { readDataVersions } from '../data-version/service.ts';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/health',
    {
      config: { access: ROLES },
      schema: {
        summary: '服务状态 Health',
        description:
          '200 while the database answers; 503 DATABASE_UNAVAILABLE (with Retry-After) while it cannot be reached — the server stays up and recovers by itself. ' +
          '`replica`: the read replica’s state and lag (null without DATABASE_REPLICA_URL); a replica down or lagging is no failure — reads go to the primary.',
        tags: ['system'],
        response: { 200: HealthResponse, 500: ErrorResponse, 503: ErrorResponse },
      },
    },
    async () => {
      const versions = await readDataVersions(app.db);
      return { status: 'ok' as const, database: app.db.kind, dataVersion: versions.overall, replica: app.reads.status() };
    },
  );
};
export default routes;
