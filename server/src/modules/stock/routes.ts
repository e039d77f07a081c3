import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { StockSearchQuery, StockSearchResponse } from '../../../../core/contracts/stock.ts';
import { searchStock } from './repo.ts';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/stock-parcels',
    {
      schema: {
        summary: '存量土地查询 Stock-land search',
        description:
          '按县区、存量类型、规划用途、面积（亩/公顷/m²）、供应状态（默认可供应）、容积率、参考价格、编号或名称筛选存量地块；可按面积、价格、批准日期或到某点的距离排序，分页返回。',
        tags: ['stock'],
        querystring: StockSearchQuery,
        response: { 200: StockSearchResponse, 400: ErrorResponse },
      },
    },
    async (req) => searchStock(app.db, req.query),
  );
};
export default routes;
