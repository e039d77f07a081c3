/**
 * The stock-land ledger's routes (docs/domain.md, "The stock-land ledger"): a parcel's timeline,
 * open to everyone (the stock-land library is public) with the staff's fields — document
 * numbers, contracts, land users, prices, who — for planners and above only; and recording an
 * event, by planners and above (the land-supply staff of a bureau hold the planner role; the
 * access table in tests/fixtures/access/routes.json says so).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { atLeast, ROLES, type Role } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { PublicStockEvent, StockEventRequest, StockEventResponse, StockTimeline, type StockEvent } from '../../../../core/contracts/ledger.ts';
import { StockCodeParams } from '../../../../core/contracts/stock.ts';
import { audit } from '../auth/service.ts';
import { readDataVersions } from '../data-version/service.ts';
import { parcelEvents, parcelNotFound, recordStockEvent } from './service.ts';

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
      return { code: parcel.code, full, recordedOn: parcel.recorded_on, status: parcel.status, category: parcel.category, events: full ? events : events.map(publicEvent) };
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
      const event = await recordStockEvent(app.db, { ...req.body, parcelCode: req.params.code }, { id: user.id, name: user.displayName });
      await audit(app.db, { action: 'stock-event', user, ip: req.ip, target: req.params.code, details: { kind: event.kind, event: event.id, status: event.statusAfter } });
      return { events: [event], dataVersion: (await readDataVersions(app.db)).overall };
    },
  );
};

export default routes;
