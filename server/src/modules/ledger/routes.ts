/**
 * The stock-land ledger's routes (docs/domain.md, "The stock-land ledger"): a parcel's timeline,
 * open to everyone (the stock-land library is public) with the staff's fields — document
 * numbers, contracts, land users, prices, who — for planners and above only; and recording an
 * event, by planners and above (the land-supply staff of a bureau hold the planner role; the
 * access table in tests/fixtures/access/routes.json says so).
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { atLeast, ROLES, type Role } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  PublicStockEvent,
  StockEventRequest,
  StockEventResponse,
  StockMergeRequest,
  StockReshapeResponse,
  StockSplitRequest,
  StockTimeline,
  type StockEvent,
} from '../../../../core/contracts/ledger.ts';
import { StockCodeParams } from '../../../../core/contracts/stock.ts';
import { audit } from '../auth/service.ts';
import { assertInScope } from '../auth/scope.ts';
import { readDataVersions } from '../data-version/service.ts';
import { followStockReshape, parcelEvents, parcelNotFound, recordStockEvent } from './service.ts';
import { mergeParcels, splitParcel } from './reshape.ts';

const LEDGER_STAFF: readonly Role[] = atLeast('planner');

/** What the public sees of an event: its kind, date and the state it left. */
const publicEvent = (e: StockEvent) => PublicStockEvent.parse(e);

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/stock-parcels/:code/events',
    {
      config: { access: ROLES },
      schema: {
        summary: '存量地块台账记录 A stock parcel’s timeline',
        description:
          '一宗存量地块的台账变动记录（由早到晚）：入库日期、当前状态和每次变动（供应、闲置土地处置、低效用地再开发、意向、撤回意向、分割、合并）。' +
          '规划人员及以上可见文号、合同、用地单位、成交价和登记人；公众和企业只见变动类型、日期和变动后的状态。已因分割或合并注销的地块也可查其历史。',
        tags: ['stock'],
        params: StockCodeParams,
        response: { 200: StockTimeline, 404: ErrorResponse },
      },
    },
    async (req) => {
      const [parcel] = await app.db.query<{ code: string; recorded_on: string; status: string; category: string }>(
        'SELECT code, recorded_on::text AS recorded_on, status, category FROM stock_parcel WHERE code = $1',
        [req.params.code],
      );
      if (!parcel) throw parcelNotFound(req.params.code);
      const full = !!req.user && LEDGER_STAFF.includes(req.user.role);
      const events = await parcelEvents(app.db, parcel.code);
      const head = { code: parcel.code, recordedOn: parcel.recorded_on, status: parcel.status, category: parcel.category };
      return full ? { ...head, full: true as const, events } : { ...head, full: false as const, events: events.map(publicEvent) };
    },
  );

  app.post(
    '/api/stock-parcels/:code/events',
    {
      config: { access: LEDGER_STAFF },
      schema: {
        summary: '登记台账变动 Record a ledger event',
        description:
          '在一宗存量地块上登记一次变动，须给出变动日期（eventDate）和文号（docNo）：' +
          'supply 供应（批而未供且可供应或已意向 → 已供应；供应方式 出让/划拨/租赁/先租后让、合同编号、用地单位，划拨以外须给成交价/万元）；' +
          'dispose 闲置土地处置（动工开发、征缴土地闲置费、调整规划条件 → 已盘活；收回、置换 → 批而未供、可供应）；' +
          'redevelop 低效用地再开发（→ 已盘活）；intent 意向（可供应 → 已意向）；intent-withdrawn 撤回意向（已意向 → 可供应）。' +
          '登记人取自登录会话。不允许的变动返回 409 并说明地块现状和原因；变动日期早于入库日期或该地块最近一次变动、或晚于今天时返回 422；台账记录只增不改。地图、查询、套核和导出随即显示新状态。',
        tags: ['stock'],
        params: StockCodeParams,
        body: StockEventRequest,
        response: { 200: StockEventResponse, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await assertParcelsInScope(req, [req.params.code]);
      const event = await recordStockEvent(app.db, { ...req.body, parcelCode: req.params.code }, { id: user.id, name: user.displayName });
      await audit(app.db, { action: 'stock-event', user, ip: req.ip, target: req.params.code, details: { kind: event.kind, event: event.id, status: event.statusAfter } });
      return { events: [event], dataVersion: (await readDataVersions(app.db)).overall };
    },
  );

  /** Staff change the ledger of parcels inside their own scope only (403 naming where the parcel lies); unknown codes are the handlers' 404. */
  const assertParcelsInScope = async (req: FastifyRequest, codes: string[]) => {
    const rows = await app.db.query<{ county_code: string }>('SELECT DISTINCT county_code FROM stock_parcel WHERE code = ANY($1::text[])', [codes]);
    for (const r of rows) await assertInScope(app.db, req, r.county_code, { zh: '该存量地块', en: 'stock parcel' });
  };

  const RESHAPE_RULES =
    '新地块沿用原地块的属性，状态为可供应，入库日期为变动日期；原地块状态改为已注销，只保留历史。每宗涉及的地块都记一条台账记录。';

  app.post(
    '/api/stock-parcels/:code/split',
    {
      config: { access: LEDGER_STAFF },
      schema: {
        summary: '分割存量地块 Split a stock parcel',
        description:
          '把一宗可供应的存量地块分割为至少 2 宗新地块：给出各自的范围（children：GeoJSON，EPSG:4490，可给编号和名称），或给出一条分割线（line：LineString），服务器沿线切分（由西向东编号）；编号缺省为 原编号-1、-2…。' +
          '各新地块须为有效多边形、位于原地块内、互不重叠、合起来覆盖原地块（容差取 1 平方米与面积 0.1% 中的较大者），否则返回 422 并指出哪一宗、差多少。' +
          RESHAPE_RULES +
          '地块不可分割（非可供应）时返回 409；编号被占用时返回 409。',
        tags: ['stock'],
        params: StockCodeParams,
        body: StockSplitRequest,
        response: { 200: StockReshapeResponse, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await assertParcelsInScope(req, [req.params.code]);
      const r = await splitParcel(app.db, req.params.code, req.body, { id: user.id, name: user.displayName });
      await followStockReshape(app.db, r.bbox);
      await audit(app.db, { action: 'stock-split', user, ip: req.ip, target: req.params.code, details: { children: r.children } });
      return { children: r.children, events: r.events, dataVersion: (await readDataVersions(app.db)).overall };
    },
  );

  app.post(
    '/api/stock-parcels/merge',
    {
      config: { access: LEDGER_STAFF },
      schema: {
        summary: '合并存量地块 Merge stock parcels',
        description:
          '把至少 2 宗相邻的可供应存量地块（parents：编号）合并为一宗（编号缺省为 第一宗编号-H）。须同一县区、同一类别、同一规划用途（否则 409），且范围相连（否则 422）。' +
          '参考价格取各地块按面积加权的平均值。' +
          RESHAPE_RULES,
        tags: ['stock'],
        body: StockMergeRequest,
        response: { 200: StockReshapeResponse, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await assertParcelsInScope(req, req.body.parents);
      const r = await mergeParcels(app.db, req.body, { id: user.id, name: user.displayName });
      await followStockReshape(app.db, r.bbox);
      await audit(app.db, { action: 'stock-merge', user, ip: req.ip, target: r.children[0]!, details: { parents: req.body.parents } });
      return { children: r.children, events: r.events, dataVersion: (await readDataVersions(app.db)).overall };
    },
  );
};

export default routes;
