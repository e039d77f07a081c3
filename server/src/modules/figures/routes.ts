/**
 * The bureau's yearly figures per county (年度指标): the stock revitalisation rate, as a table
 * and as Excel, for staff (planners and above).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { atLeast } from '../../../../core/access.ts';
import { beijingYear } from '../../../../core/beijing-time.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { FiguresYearQuery, RevitalisationResponse } from '../../../../core/contracts/figures.ts';
import { contentDisposition } from '../../http/download.ts';
import { revitalisationFigures, revitalisationWorkbook } from './revitalisation.ts';

const description =
  '逐县区：年初（1 月 1 日）台账中的存量土地（可供应或已意向的批而未供土地，尚未盘活的闲置土地和低效用地）宗数与面积，其中当年盘活（供应、闲置土地处置、低效用地再开发，每宗按当年第一次计）的宗数与面积，' +
  '盘活率（按 2 位小数的百分数）与 15% 目标的比较和尚差面积（亩）；年初状态由台账变动记录推得。';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/figures/revitalisation',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '存量建设用地盘活率 Stock revitalisation rate', description, tags: ['figures'], querystring: FiguresYearQuery, response: { 200: RevitalisationResponse, 400: ErrorResponse } },
    },
    async (req) => revitalisationFigures(app.db, req.query.year ?? beijingYear()),
  );
  app.get(
    '/api/figures/revitalisation/export.xlsx',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '存量建设用地盘活率导出 Revitalisation rate as Excel', description: '与 /api/figures/revitalisation 相同的表，含全市合计、规则与依据。', tags: ['figures'], querystring: FiguresYearQuery, response: { 400: ErrorResponse } },
    },
    async (req, reply: FastifyReply) => {
      const f = await revitalisationFigures(app.db, (req.query as FiguresYearQuery).year ?? beijingYear());
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', contentDisposition(`存量建设用地盘活率-${f.year}.xlsx`, `revitalisation-${f.year}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(await revitalisationWorkbook(f));
    },
  );
};

export default routes;
