import { ROLES } from '../../../../core/access.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LayersResponse } from '../../../../core/contracts/layers.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { LayerCatalog } from './service.ts';

const routes: FastifyPluginAsyncZod = async (app) => {
  const catalog = new LayerCatalog(app.db);
  app.get(
    '/api/layers',
    {
      config: { access: ROLES },
      schema: {
        summary: '图层目录 Layer registry',
        description: '图层注册表中的全部图层（不含表名），附要素数量、范围与数据版本。',
        tags: ['layers'],
        response: { 200: LayersResponse, 500: ErrorResponse },
      },
    },
    async () => catalog.list(),
  );
};
export default routes;
