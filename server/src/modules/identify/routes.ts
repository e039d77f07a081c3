import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ROLES } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { IdentifyQuery, IdentifyResponse } from '../../../../core/contracts/map-tools.ts';
import { roleOf } from '../../plugins/auth.ts';
import { identify } from './repo.ts';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/identify',
    {
      config: { access: ROLES },
      schema: {
        summary: '识别 Identify',
        description:
          '点击点处每个图层的要素（容差以屏幕像素计，按缩放级别换算为米），各带主要属性、所在县区名称和链接。公众只得到公开图层；受限图层列于 withheld。',
        tags: ['layers'],
        querystring: IdentifyQuery,
        response: { 200: IdentifyResponse, 400: ErrorResponse },
      },
    },
    async (req) => identify(req.reader, req.query, roleOf(req)),
  );
};
export default routes;
