/**
 * The stock-land ledger through the API, on a hand-made world of five parcels (one county):
 * every single-parcel transition and its refusals (a supplied parcel cannot be supplied
 * again; a disposal needs its method; only available land is reserved), who may record (land
 * supply staff = planners and above; enterprises and the public are refused), the timeline
 * as staff and as the public (no contracts, prices or land users for the public), the history
 * unalterable by direct SQL, and the new state served at once by the parcel page, the search,
 * the match and the tiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { StockEventResponse, StockTimeline } from '../../core/contracts/ledger.ts';
import { StockMatchResponse, StockParcelDetail, StockSearchResponse } from '../../core/contracts/stock.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';
import { layerSql, rect, type Rect } from '../fixtures/cases/world.ts';
import { decodeTile, tileOf } from '../helpers/mvt.ts';

const COUNTY = '410221';
const PARCELS: { code: string; category: string; status: string; box: Rect }[] = [
  { code: 'L-SUPPLY', category: '批而未供', status: '可供应', box: [100, 100, 200, 150] },
  { code: 'L-IDLE-BACK', category: '闲置土地', status: '可供应', box: [400, 100, 150, 150] },
  { code: 'L-IDLE-FEE', category: '闲置土地', status: '可供应', box: [700, 100, 150, 150] },
  { code: 'L-LOW', category: '低效用地', status: '可供应', box: [100, 400, 150, 150] },
  { code: 'L-INTENT', category: '批而未供', status: '可供应', box: [400, 400, 150, 150] },
];
const SUPPLY = {
  kind: 'supply',
  eventDate: '2025-03-18',
  docNo: '汴自然资供〔2025〕12号',
  details: { method: '出让', contractNo: 'HT-410221-2025-007', landUser: '开封某新材料有限公司', priceWan: 1860 },
};

describe(`the stock-land ledger through the API (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  let enterprise: SignedIn;

  const as = (who: SignedIn | null, lang = 'zh-CN') =>
    who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken, 'accept-language': lang } : { 'accept-language': lang };
  const record = (code: string, body: object, who: SignedIn | null = planner, lang?: string) =>
    app.inject({ method: 'POST', url: `/api/stock-parcels/${encodeURIComponent(code)}/events`, payload: body, headers: as(who, lang) });
  const recordOk = async (code: string, body: object) => {
    const res = await record(code, body);
    expect(res.statusCode, res.body).toBe(200);
    return StockEventResponse.parse(res.json()).events[0]!;
  };
  const timeline = async (code: string, who: SignedIn | null) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${code}/events`, headers: as(who) });
    expect(res.statusCode, res.body).toBe(200);
    return { body: res.body, t: StockTimeline.parse(res.json()) };
  };
  const parcel = async (code: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${code}` });
    expect(res.statusCode, res.body).toBe(200);
    return StockParcelDetail.parse(res.json());
  };

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await db.query(layerSql.county, [COUNTY, '测试县', JSON.stringify(rect([0, 0, 2000, 2000]))]);
    for (const p of PARCELS) {
      await db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, recorded_on, geom)
         SELECT $1, $2, '测试地块', $3, '工业', ST_Area(g::geography), $4, '测试局', '2021-05-01', g
           FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4490)) AS g) s`,
        [p.code, COUNTY, p.category, p.status, JSON.stringify(rect(p.box))],
      );
    }
    app = await buildApp({ db });
    planner = await signInAs(app, db, 'planner', '供地科张三');
    enterprise = await signInAs(app, db, 'enterprise', '某企业');
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('supplies an approved-not-supplied parcel once, and refuses a second supply naming why, in both languages', async () => {
    const e = await recordOk('L-SUPPLY', SUPPLY);
    expect(e).toMatchObject({ kind: 'supply', statusBefore: '可供应', statusAfter: '已供应', categoryAfter: '批而未供', actorName: '供地科张三', docNo: SUPPLY.docNo });
    expect(e.details).toMatchObject({ method: '出让', contractNo: 'HT-410221-2025-007', priceWan: 1860 });
    expect((await parcel('L-SUPPLY')).status).toBe('已供应');

    const again = await record('L-SUPPLY', { ...SUPPLY, eventDate: '2025-04-01' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('STOCK_TRANSITION_REFUSED');
    expect(again.json().error.message).toContain('已经供应，不能再次供应');
    const en = await record('L-SUPPLY', SUPPLY, planner, 'en');
    expect(en.statusCode).toBe(409);
    expect(en.json().error.message).toMatch(/supplied already/);
    // nothing written by the refusals
    expect((await timeline('L-SUPPLY', planner)).t.events).toHaveLength(1);
  });

  it('refuses a supply without its price (except an allocation), and idle land cannot be supplied', async () => {
    const noPrice = await record('L-INTENT', { ...SUPPLY, details: { ...SUPPLY.details, priceWan: undefined } });
    expect(noPrice.statusCode).toBe(400);
    expect(noPrice.body).toContain('成交价');
    const idle = await record('L-IDLE-FEE', SUPPLY);
    expect(idle.statusCode).toBe(409);
    expect(idle.json().error.message).toContain('只有批而未供的地块可以供应');
  });

  it('refuses a disposal without its method; 收回 gives the land back to supply, 征缴土地闲置费 revitalises it', async () => {
    const noMethod = await record('L-IDLE-BACK', { kind: 'dispose', eventDate: '2024-09-01', docNo: '汴闲置〔2024〕3号', details: {} });
    expect(noMethod.statusCode).toBe(400);
    expect(noMethod.body).toContain('处置方式');
    const badMethod = await record('L-IDLE-BACK', { kind: 'dispose', eventDate: '2024-09-01', docNo: '汴闲置〔2024〕3号', details: { method: '拍卖' } });
    expect(badMethod.statusCode).toBe(400);
    expect(badMethod.body).toContain('处置方式只能是');

    const back = await recordOk('L-IDLE-BACK', { kind: 'dispose', eventDate: '2024-09-01', docNo: '汴闲置〔2024〕3号', details: { method: '收回' } });
    expect(back).toMatchObject({ categoryBefore: '闲置土地', categoryAfter: '批而未供', statusAfter: '可供应' });
    // taken back, it is approved-not-supplied land again: it can be supplied
    await recordOk('L-IDLE-BACK', { ...SUPPLY, eventDate: '2025-06-30', details: { method: '划拨', contractNo: 'HB-2025-1', landUser: '某学校' } });
    expect((await parcel('L-IDLE-BACK')).status).toBe('已供应');

    const fee = await recordOk('L-IDLE-FEE', { kind: 'dispose', eventDate: '2025-01-10', docNo: '汴闲置〔2025〕1号', details: { method: '征缴土地闲置费' } });
    expect(fee).toMatchObject({ categoryAfter: '闲置土地', statusAfter: '已盘活' });
    const twice = await record('L-IDLE-FEE', { kind: 'dispose', eventDate: '2025-02-10', docNo: '汴闲置〔2025〕2号', details: { method: '动工开发' } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('已经盘活');
  });

  it('redevelops inefficiently used land once; only low-efficiency land is redeveloped', async () => {
    const body = { kind: 'redevelop', eventDate: '2026-02-01', docNo: '汴低效〔2026〕5号', details: { project: '老厂房改造' } };
    expect(await recordOk('L-LOW', body)).toMatchObject({ statusAfter: '已盘活' });
    expect((await record('L-LOW', body)).statusCode).toBe(409);
    const wrong = await record('L-INTENT', body);
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.message).toContain('只有低效用地可以登记再开发');
  });

  it('reserves available land for an enterprise and withdraws it; a supplied parcel cannot be reserved', async () => {
    const intent = { kind: 'intent', eventDate: '2026-03-01', docNo: '意向〔2026〕1号', details: { enterprise: '某企业' } };
    expect(await recordOk('L-INTENT', intent)).toMatchObject({ statusAfter: '已意向' });
    expect((await record('L-INTENT', intent)).statusCode).toBe(409);
    expect(await recordOk('L-INTENT', { kind: 'intent-withdrawn', eventDate: '2026-03-20', docNo: '意向〔2026〕1号', details: { reason: '企业放弃' } })).toMatchObject({ statusAfter: '可供应' });
    expect((await record('L-INTENT', { kind: 'intent-withdrawn', eventDate: '2026-03-21', docNo: 'x', details: {} })).statusCode).toBe(409);
    expect((await record('L-SUPPLY', intent)).statusCode).toBe(409);
  });

  it('keeps the history in date order: a date before the latest change, before entering the ledger or after today is refused, naming it', async () => {
    const body = (eventDate: string) => ({ kind: 'intent', eventDate, docNo: '意向〔2026〕3号', details: { enterprise: '某企业' } });
    // L-INTENT's latest change is the withdrawal of 2026-03-20
    const before = await record('L-INTENT', body('2026-03-10'));
    expect(before.statusCode).toBe(422);
    expect(before.json().error.message).toContain('2026-03-20');
    const early = await record('L-INTENT', body('2020-01-01'));
    expect(early.statusCode).toBe(422);
    expect(early.json().error.message).toContain('早于入库日期 2021-05-01');
    const yearZero = await record('L-INTENT', body('0000-01-01'));
    expect(yearZero.statusCode).toBe(422);
    const future = await record('L-INTENT', body('2999-01-01'), planner, 'en');
    expect(future.statusCode).toBe(422);
    expect(future.json().error.message).toContain('after today');
    expect((await parcel('L-INTENT')).status).toBe('可供应');
  });

  it('names the field of a bad request in English too', async () => {
    const res = await record('L-INTENT', { kind: 'intent', eventDate: '2026-04-01', docNo: '', details: { enterprise: '某企业' } }, planner, 'en');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('Document number');
  });

  it('lets only land-supply staff record: enterprises and the public are refused, and an unknown parcel is 404', async () => {
    const intent = { kind: 'intent', eventDate: '2026-03-01', docNo: '意向〔2026〕2号', details: { enterprise: '某企业' } };
    expect((await record('L-INTENT', intent, enterprise)).statusCode).toBe(403);
    expect([401, 403]).toContain((await record('L-INTENT', intent, null)).statusCode);
    expect((await parcel('L-INTENT')).status).toBe('可供应');
    const unknown = await record('NO-SUCH', intent);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('NO-SUCH');
    const audit = await db.query<{ username: string; target: string }>(`SELECT username, target FROM audit_log WHERE action = 'stock-event' ORDER BY id`);
    expect(audit.length).toBeGreaterThanOrEqual(6);
    expect(audit.every((a) => a.username === planner.username)).toBe(true);
  });

  it('shows staff the whole timeline oldest first, and the public only kinds, dates and states', async () => {
    const staff = await timeline('L-IDLE-BACK', planner);
    expect(staff.t.full).toBe(true);
    expect(staff.t.recordedOn).toBe('2021-05-01');
    expect(staff.t.events.map((e) => [e.kind, e.eventDate, e.statusAfter])).toEqual([
      ['dispose', '2024-09-01', '可供应'],
      ['supply', '2025-06-30', '已供应'],
    ]);
    expect(staff.body).toContain('某学校');

    const pub = await timeline('L-SUPPLY', null);
    expect(pub.t.full).toBe(false);
    expect(pub.t.events.map((e) => [e.kind, e.eventDate, e.statusAfter])).toEqual([['supply', '2025-03-18', '已供应']]);
    for (const secret of ['开封某新材料有限公司', 'HT-410221-2025-007', '1860', SUPPLY.docNo, '供地科张三']) expect(pub.body).not.toContain(secret);
    const ent = await timeline('L-SUPPLY', enterprise);
    expect(ent.t.full).toBe(false);
    expect(ent.body).not.toContain('开封某新材料有限公司');
    expect((await app.inject({ method: 'GET', url: '/api/stock-parcels/NO-SUCH/events' })).statusCode).toBe(404);
  });

  it('keeps the history unalterable: UPDATE, DELETE and TRUNCATE of an event are refused by the database', async () => {
    await expect(db.query(`UPDATE stock_event SET doc_no = '改' WHERE parcel_code = 'L-SUPPLY'`)).rejects.toThrow();
    await expect(db.query(`DELETE FROM stock_event WHERE parcel_code = 'L-SUPPLY'`)).rejects.toThrow();
    await expect(db.query(`TRUNCATE stock_event`)).rejects.toThrow();
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_event WHERE parcel_code = 'L-SUPPLY'`);
    expect(n!.n).toBe(1);
  });

  it('serves the new state at once in search, match and tiles', async () => {
    const search = StockSearchResponse.parse((await app.inject({ method: 'GET', url: `/api/stock-parcels?county=${COUNTY}` })).json());
    const codes = search.items.map((i) => i.code).sort();
    // the default search lists available land: the supplied, revitalised ones are gone
    expect(codes).toEqual(['L-INTENT']);
    const supplied = StockSearchResponse.parse((await app.inject({ method: 'GET', url: `/api/stock-parcels?county=${COUNTY}&status=已供应` })).json());
    expect(supplied.items.map((i) => i.code).sort()).toEqual(['L-IDLE-BACK', 'L-SUPPLY']);

    const match = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use: '工业', areaMu: 30, county: COUNTY } });
    expect(match.statusCode, match.body).toBe(200);
    const proposed = StockMatchResponse.parse(match.json()).candidates.flatMap((c) => c.parcels.map((p) => p.code));
    expect(proposed).not.toContain('L-SUPPLY');
    expect(proposed).not.toContain('L-LOW');

    const [z, x, y] = tileOf(114.503, 34.603, 14);
    const tile = await app.inject({ method: 'GET', url: `/tiles/stock-parcel/${z}/${x}/${y}.mvt` });
    expect(tile.statusCode, tile.body).toBe(200);
    const features = decodeTile(tile.rawPayload).stock_parcel ?? [];
    const status = Object.fromEntries(features.map((f) => [f.properties.code, f.properties.status]));
    expect(status['L-SUPPLY']).toBe('已供应');
    expect(status['L-INTENT']).toBe('可供应');
  });
});
