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
        tags: ['system'],
        response: { 200: HealthResponse, 500: ErrorResponse },
      },
    },
    async () => {
      const versions = await readDataVersions(app.db);
      return { status: 'ok' as const, database: app.db.kind, dataVersion: versions.overall };
    },
  );
};
export default routes;
