/**
 * The bureau's yearly figures per county (年度指标): the stock revitalisation rate and the farmland
 * share of new construction land (占耕比), each as a table and as Excel, for staff (planners and
 * above).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { atLeast } from '../../../../core/access.ts';
import { beijingYear } from '../../../../core/beijing-time.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { FarmlandShareResponse, FiguresYearQuery, RevitalisationResponse } from '../../../../core/contracts/figures.ts';
import { DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT } from '../../../../core/farmland-share.ts';
import { contentDisposition } from '../../http/download.ts';
import { scopeOf } from '../auth/scope.ts';
import { revitalisationFigures, revitalisationWorkbook } from './revitalisation.ts';
import { farmlandShareFigures, farmlandShareWorkbook } from './farmland-share.ts';

const description =
  '逐县区：年初（1 月 1 日）台账中的存量土地（可供应或已意向的批而未供土地，尚未盘活的闲置土地和低效用地）宗数与面积，其中当年盘活（供应、闲置土地处置、低效用地再开发，每宗按当年第一次计）的宗数与面积，' +
  '盘活率（按 2 位小数的百分数）与 15% 目标的比较和尚差面积（亩）；年初状态由台账变动记录推得。';

const farmlandDescription =
  '逐县区：当年（按批准日期，北京时间）批准的选址套核即新增建设用地，按选址最大部分所在的县区计；其面积、占用耕地（永久基本农田与一般耕地，取自各套核报告的椭球面积）、' +
  '占耕比（按 2 位小数的百分数）与全省平均（服务器设置 FARMLAND_SHARE_PROVINCIAL_PCT）的比较，低于平均奖励下一年度指标 200 亩、高于扣减 100 亩、相等不奖不扣；当年没有批准的县区无占耕比。另列当年计入的批准选址。';

const routes: FastifyPluginAsyncZod<{ farmlandShareAveragePct?: number }> = async (app, opts) => {
  const averagePct = opts.farmlandShareAveragePct ?? DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT;
  app.get(
    '/api/figures/revitalisation',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '存量建设用地盘活率 Stock revitalisation rate', description, tags: ['figures'], querystring: FiguresYearQuery, response: { 200: RevitalisationResponse, 400: ErrorResponse } },
    },
    async (req) => revitalisationFigures(req.reader, req.query.year ?? beijingYear(), scopeOf(req)),
  );
  app.get(
    '/api/figures/revitalisation/export.xlsx',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '存量建设用地盘活率导出 Revitalisation rate as Excel', description: '与 /api/figures/revitalisation 相同的表，含全市合计、规则与依据。', tags: ['figures'], querystring: FiguresYearQuery, response: { 400: ErrorResponse } },
    },
    async (req, reply: FastifyReply) => {
      const f = await revitalisationFigures(req.reader, (req.query as FiguresYearQuery).year ?? beijingYear(), scopeOf(req));
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', contentDisposition(`存量建设用地盘活率-${f.year}.xlsx`, `revitalisation-${f.year}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(await revitalisationWorkbook(f));
    },
  );

  app.get(
    '/api/figures/farmland-share',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '新增建设用地占耕比 Farmland share of new construction land', description: farmlandDescription, tags: ['figures'], querystring: FiguresYearQuery, response: { 200: FarmlandShareResponse, 400: ErrorResponse } },
    },
    async (req) => farmlandShareFigures(req.reader, req.query.year ?? beijingYear(), averagePct, scopeOf(req)),
  );
  app.get(
    '/api/figures/farmland-share/export.xlsx',
    {
      config: { access: atLeast('planner') },
      schema: { summary: '新增建设用地占耕比导出 Farmland share as Excel', description: '与 /api/figures/farmland-share 相同的表，含全市合计、规则与依据、全省平均；另一工作表列出计入的批准选址。', tags: ['figures'], querystring: FiguresYearQuery, response: { 400: ErrorResponse } },
    },
    async (req, reply: FastifyReply) => {
      const f = await farmlandShareFigures(req.reader, (req.query as FiguresYearQuery).year ?? beijingYear(), averagePct, scopeOf(req));
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', contentDisposition(`新增建设用地占耕比-${f.year}.xlsx`, `farmland-share-${f.year}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(await farmlandShareWorkbook(f));
    },
  );
};

export default routes;
