import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ROLES } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { SearchQuery, SearchResponse } from '../../../../core/contracts/map-tools.ts';
import { roleOf } from '../../plugins/auth.ts';
import { search } from './repo.ts';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/search',
    {
      config: { access: ROLES },
      schema: {
        summary: '检索 Search',
        description:
          '按地名（县区、乡镇、村）、编号（存量地块、违法图斑、耕地图斑编号等，受限图层仅对规划及以上人员检索）或坐标（经纬度、度分秒、CGCS2000 高斯–克吕格 X/Y，Y 可带或不带带号）检索。无法定位的坐标答 422。',
        tags: ['layers'],
        querystring: SearchQuery,
        response: { 200: SearchResponse, 400: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => search(req.reader, req.query, roleOf(req)),
  );
};
export default routes;
