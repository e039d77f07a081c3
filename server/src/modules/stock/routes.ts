import { ROLES } from '../../../../core/access.ts';
import type { FastifyReply } from 'fastify';
import { beijingStamp } from '../../../../core/beijing-time.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  StockCodeParams,
  StockExportQuery,
  StockMatchRequest,
  StockMatchResponse,
  StockParcelDetail,
  StockSearchQuery,
  StockSearchResponse,
} from '../../../../core/contracts/stock.ts';
import { stockStanding } from '../../../../core/stock-standing.ts';
import { contentDisposition } from '../../http/download.ts';
import { AppError } from '../../plugins/errors.ts';
import { readDataVersions } from '../data-version/service.ts';
import { refreshStockDerived } from './derived.ts';
import { stockCsv, stockWorkbook } from './export.ts';
import { parcelByCode } from './repo.ts';

/** "存量地块-20261122" in Beijing time. */
const exportName = (ext: string) => {
  const d = beijingStamp();
  return { zh: `存量地块-${d}${ext}`, ascii: `stock-parcels-${d}${ext}` };
};

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/stock-parcels',
    {
      config: { access: ROLES },
      schema: {
        summary: '存量土地查询 Stock-land search',
        description:
          '按县区、存量类型、规划用途、面积（亩/公顷/m²）、供应状态（默认可供应）、容积率、参考价格、编号或名称筛选存量地块；可按面积、价格、批准日期或到某点的距离排序，分页返回。',
        tags: ['stock'],
        querystring: StockSearchQuery,
        response: { 200: StockSearchResponse, 400: ErrorResponse },
      },
    },
    async (req) => app.stockCatalogue.search(req.query, req.reader),
  );

  for (const format of ['xlsx', 'csv'] as const) {
    app.get(
      `/api/stock-parcels/export.${format}`,
      {
        config: { access: ROLES },
        schema: {
          summary: `存量地块清单导出 Stock-parcel list as ${format === 'xlsx' ? 'Excel' : 'CSV'}`,
          description: '与 /api/stock-parcels 相同的筛选与排序，导出全部符合条件的地块（不分页）。',
          tags: ['stock'],
          querystring: StockExportQuery,
          response: { 400: ErrorResponse },
        },
      },
      async (req, reply: FastifyReply) => {
        const rows = await app.stockCatalogue.list(req.query as StockExportQuery, req.reader);
        const name = exportName(`.${format}`);
        reply
          .header('content-disposition', contentDisposition(name.zh, name.ascii))
          .header('x-total-count', String(rows.length))
          .header('cache-control', 'no-store');
        if (format === 'csv') reply.header('content-type', 'text/csv; charset=utf-8');
        else reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        return reply.send(format === 'csv' ? stockCsv(rows) : stockWorkbook(rows, '存量土地清单'));
      },
    );
  }

  app.get(
    '/api/stock-parcels/:code',
    {
      config: { access: ROLES },
      schema: {
        summary: '存量地块详情 Stock parcel',
        description:
          '一宗存量地块的全部属性、范围（存量土地为公开数据）和与管控线的关系（仅面积与文字，不含受限图层的几何）。',
        tags: ['stock'],
        params: StockCodeParams,
        response: { 200: StockParcelDetail, 404: ErrorResponse },
      },
    },
    async (req) => {
      // the standing is current on the primary; rebuilt just now, the replica has it a moment later
      const q = (await refreshStockDerived(app.db)).rebuilt ? app.db : req.reader;
      const found = await parcelByCode(q, req.params.code);
      if (!found) throw new AppError(404, 'STOCK_PARCEL_NOT_FOUND', `没有编号为“${req.params.code}”的存量地块`, `No stock parcel has the code "${req.params.code}"`);
      const { summary, geometry, standing } = found;
      return {
        ...summary,
        geometry,
        standing: stockStanding({
          areaM2: summary.area.m2,
          status: summary.status,
          urbanBoundaryShare: Number(standing.urban_boundary_share),
          urbanBoundaryName: standing.urban_boundary_name,
          permanentFarmlandM2: Number(standing.permanent_farmland_m2),
          generalFarmlandM2: Number(standing.general_farmland_m2),
          ecoRedlineM2: Number(standing.eco_redline_m2),
        }),
        dataVersion: (await readDataVersions(q)).overall,
      };
    },
  );

  app.post(
    '/api/stock-parcels/match',
    {
      // ranks and reads, changes nothing: its reads may go to the replica
      config: { access: ROLES, readOnly: true },
      schema: {
        summary: '存量土地套核 Stock-land matching',
        description:
          '按项目用途与面积（亩或公顷）、可选的位置（点或选址范围）、距离上限和县区，在可供应且不占永久基本农田、生态保护红线的存量地块中' +
          '排序推荐单宗地块和相邻 2–3 宗的组合供应方案；每个候选给出总分及面积匹配、用途兼容、区位、供应条件各项得分。',
        tags: ['stock'],
        body: StockMatchRequest,
        response: { 200: StockMatchResponse, 400: ErrorResponse },
      },
    },
    async (req) => app.stockCatalogue.match(req.body, { reader: req.reader }),
  );
};
export default routes;
