/**
 * Splits and merges of stock parcels through the API, on a hand-made world (one county, parcels
 * laid out in metres): a split's pieces are checked against the parcel — inside it, not
 * overlapping, covering it, each a valid polygon — within the tolerance and not beyond it; the
 * parcel is retired and the pieces enter the ledger on the event's date with its attributes; a
 * merge needs adjacent available parcels of one county, category and use; every parcel touched
 * has its event; the search and the match serve the new parcels and not the retired ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { StockReshapeResponse, StockTimeline } from '../../core/contracts/ledger.ts';
import { StockMatchResponse, StockParcelDetail, StockSearchResponse } from '../../core/contracts/stock.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';
import { areaOf, layerSql, rect, type Rect } from '../fixtures/cases/world.ts';

const COUNTY = '410221';
const PARCELS: { code: string; category: string; status: string; use: string; price: number | null; box: Rect }[] = [
  { code: 'S-1', category: '批而未供', status: '可供应', use: '工业', price: 20, box: [100, 100, 200, 100] },
  { code: 'S-LINE', category: '批而未供', status: '可供应', use: '工业', price: 20, box: [100, 900, 200, 100] },
  { code: 'S-SUPPLIED', category: '批而未供', status: '已供应', use: '工业', price: 20, box: [100, 300, 200, 100] },
  { code: 'M-A', category: '批而未供', status: '可供应', use: '仓储', price: 10, box: [100, 600, 100, 100] },
  { code: 'M-B', category: '批而未供', status: '可供应', use: '仓储', price: 40, box: [200, 600, 300, 100] },
  { code: 'M-FAR', category: '批而未供', status: '可供应', use: '仓储', price: 10, box: [900, 600, 100, 100] },
  { code: 'M-IDLE', category: '闲置土地', status: '可供应', use: '仓储', price: 10, box: [200, 700, 100, 100] },
  { code: 'M-SHOP', category: '批而未供', status: '可供应', use: '商业', price: 10, box: [500, 600, 100, 100] },
];
const AT = { eventDate: '2025-08-08', docNo: '汴自然资〔2025〕88号' };
const halves = (a: Rect, b: Rect) => ({ ...AT, children: [{ geometry: rect(a) }, { geometry: rect(b) }] });

describe(`splits and merges of stock parcels through the API (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  let enterprise: SignedIn;

  const as = (who: SignedIn | null, lang = 'zh-CN') =>
    who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken, 'accept-language': lang } : { 'accept-language': lang };
  const split = (code: string, body: object, who: SignedIn | null = planner, lang?: string) =>
    app.inject({ method: 'POST', url: `/api/stock-parcels/${code}/split`, payload: body, headers: as(who, lang) });
  const merge = (body: object, who: SignedIn | null = planner, lang?: string) =>
    app.inject({ method: 'POST', url: '/api/stock-parcels/merge', payload: body, headers: as(who, lang) });
  const parcel = async (code: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${code}` });
    return res.statusCode === 200 ? StockParcelDetail.parse(res.json()) : null;
  };
  const timeline = async (code: string) => {
    const t = StockTimeline.parse((await app.inject({ method: 'GET', url: `/api/stock-parcels/${code}/events`, headers: as(planner) })).json());
    if (!t.full) throw new Error('a planner sees the whole timeline');
    return t;
  };
  const state = async (code: string) =>
    (await db.query<{ status: string; recorded_on: string; area_m2: number; ref_price: number | null }>(
      'SELECT status, recorded_on::text AS recorded_on, area_m2, ref_price FROM stock_parcel WHERE code = $1',
      [code],
    ))[0];
  const eventCount = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_event'))[0]!.n);

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await db.query(layerSql.county, [COUNTY, '测试县', JSON.stringify(rect([0, 0, 2000, 2000]))]);
    for (const p of PARCELS) {
      await db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, ref_price, contact_dept, recorded_on, geom)
         SELECT $1, $2, '测试地块', $3, $4, ST_Area(g::geography), $5, $6, '测试局', '2021-05-01', g
           FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($7), 4490)) AS g) s`,
        [p.code, COUNTY, p.category, p.use, p.status, p.price, JSON.stringify(rect(p.box))],
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

  it('refuses pieces that reach outside the parcel, overlap, leave part of it uncovered or are not polygons, naming the piece and the area', async () => {
    const before = await eventCount();
    const outside = await split('S-1', halves([100, 100, 100, 100], [200, 100, 110, 100]));
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error.message).toMatch(/第 2 宗新地块有 (99\d|100\d)\.\d 平方米超出原地块 S-1/);
    const overlap = await split('S-1', halves([100, 100, 110, 100], [200, 100, 100, 100]), planner, 'en');
    expect(overlap.statusCode).toBe(422);
    expect(overlap.json().error.message).toMatch(/New parcels 1 and 2 overlap by (99\d|100\d)\.\d m²/);
    const gap = await split('S-1', halves([100, 100, 90, 100], [200, 100, 100, 100]));
    expect(gap.statusCode).toBe(422);
    expect(gap.json().error.message).toMatch(/未覆盖原地块 S-1：有 (99\d|100\d)\.\d 平方米不在任何新地块内/);
    const bowtie = { type: 'Polygon', coordinates: [[[114.3, 34.8], [114.301, 34.801], [114.301, 34.8], [114.3, 34.801], [114.3, 34.8]]] };
    const invalid = await split('S-1', { ...AT, children: [{ geometry: bowtie }, { geometry: rect([200, 100, 100, 100]) }] });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.message).toContain('第 1 宗新地块的范围无效');
    const one = await split('S-1', { ...AT, children: [{ geometry: rect([100, 100, 200, 100]) }] });
    expect(one.statusCode).toBe(400);
    expect(one.body).toContain('至少 2 宗');
    // nothing was written by any refusal
    expect(await eventCount()).toBe(before);
    expect((await state('S-1'))!.status).toBe('可供应');
  });

  it('refuses to split a supplied parcel, a code another parcel holds, an early date, and anyone but land-supply staff', async () => {
    const supplied = await split('S-SUPPLIED', halves([100, 300, 100, 100], [200, 300, 100, 100]));
    expect(supplied.statusCode).toBe(409);
    expect(supplied.json().error.message).toContain('只有可供应的地块可以分割或合并');
    const taken = await split('S-1', { ...AT, children: [{ code: 'M-A', geometry: rect([100, 100, 100, 100]) }, { geometry: rect([200, 100, 100, 100]) }] });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.message).toContain('M-A');
    const early = await split('S-1', { ...halves([100, 100, 100, 100], [200, 100, 100, 100]), eventDate: '2020-01-01' });
    expect(early.statusCode).toBe(422);
    expect(early.json().error.message).toContain('早于入库日期 2021-05-01');
    expect((await split('S-1', halves([100, 100, 100, 100], [200, 100, 100, 100]), enterprise)).statusCode).toBe(403);
    expect([401, 403]).toContain((await split('S-1', halves([100, 100, 100, 100], [200, 100, 100, 100]), null)).statusCode);
    expect((await split('NO-SUCH', halves([100, 100, 100, 100], [200, 100, 100, 100]))).statusCode).toBe(404);
  });

  it('splits a parcel into pieces within the tolerance: the parcel retired with its history, the pieces available from the event’s date', async () => {
    // the dividing line redrawn 5 mm apart: the pieces overlap by 0.5 m², within the tolerance
    const res = await split('S-1', {
      ...AT,
      note: '按规划道路分割',
      children: [{ geometry: rect([100, 100, 100.005, 100]), name: '东块' }, { geometry: rect([200, 100, 100, 100]) }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = StockReshapeResponse.parse(res.json());
    expect(r.children).toEqual(['S-1-1', 'S-1-2']);
    expect(r.events.map((e) => [e.parcelCode, e.kind, e.statusBefore, e.statusAfter])).toEqual([
      ['S-1', 'split', '可供应', '已注销'],
      ['S-1-1', 'split', null, '可供应'],
      ['S-1-2', 'split', null, '可供应'],
    ]);
    expect(r.events[0]!.details).toMatchObject({ children: ['S-1-1', 'S-1-2'], note: '按规划道路分割' });
    expect(r.events[1]!.details).toMatchObject({ parent: 'S-1' });

    expect((await state('S-1'))!.status).toBe('已注销');
    const a = (await state('S-1-1'))!;
    const b = (await state('S-1-2'))!;
    expect(a).toMatchObject({ status: '可供应', recorded_on: AT.eventDate, ref_price: 20 });
    expect(a.area_m2).toBeCloseTo(areaOf(rect([100, 100, 100.005, 100])), 3);
    expect(b.area_m2).toBeCloseTo(areaOf(rect([200, 100, 100, 100])), 3);
    expect((await parcel('S-1-1'))!.name).toBe('东块');
    expect((await parcel('S-1-2'))!).toMatchObject({ name: '测试地块', category: '批而未供', plannedUse: '工业', countyCode: COUNTY });

    // the retired parcel keeps its history and is served nowhere
    expect((await timeline('S-1')).events.map((e) => e.kind)).toEqual(['split']);
    expect((await timeline('S-1-2')).events.map((e) => [e.kind, e.statusBefore, e.statusAfter])).toEqual([['split', null, '可供应']]);
    const search = StockSearchResponse.parse((await app.inject({ method: 'GET', url: '/api/stock-parcels?q=S-1' })).json());
    expect(search.items.map((i) => i.code).sort()).toEqual(['S-1-1', 'S-1-2']);
    const match = StockMatchResponse.parse(
      (await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use: '工业', areaMu: 15, county: COUNTY, limit: 50 } })).json(),
    );
    const offered = new Set(match.candidates.flatMap((c) => c.parcels.map((p) => p.code)));
    expect(offered.has('S-1')).toBe(false);
    expect(offered.has('S-1-1') && offered.has('S-1-2')).toBe(true);
    // a retired parcel cannot be split again
    expect((await split('S-1', halves([100, 100, 100, 100], [200, 100, 100, 100]))).statusCode).toBe(409);
  });

  it('cuts a parcel along a dividing line drawn across it, west piece first; a line that misses it is refused', async () => {
    // the line x = 150 m, from below the parcel to above it (the corners of a zero-width box)
    const edge = rect([150, 880, 0, 140]).coordinates[0]!;
    const line = { type: 'LineString', coordinates: [edge[0], edge[3]] };
    const both = await split('S-LINE', { ...AT, line, children: [{ geometry: rect([100, 900, 50, 100]) }, { geometry: rect([150, 900, 150, 100]) }] });
    expect(both.statusCode).toBe(400);
    const away = rect([150, 1200, 0, 50]).coordinates[0]!;
    const miss = await split('S-LINE', { ...AT, line: { type: 'LineString', coordinates: [away[0], away[3]] } });
    expect(miss.statusCode).toBe(422);
    expect(miss.json().error.message).toContain('分割线没有把地块 S-LINE 分成两块以上');

    const res = await split('S-LINE', { ...AT, line });
    expect(res.statusCode, res.body).toBe(200);
    expect(StockReshapeResponse.parse(res.json()).children).toEqual(['S-LINE-1', 'S-LINE-2']);
    expect((await state('S-LINE-1'))!.area_m2).toBeCloseTo(areaOf(rect([100, 900, 50, 100])), 0);
    expect((await state('S-LINE-2'))!.area_m2).toBeCloseTo(areaOf(rect([150, 900, 150, 100])), 0);
    expect((await state('S-LINE'))!.status).toBe('已注销');
  });

  it('refuses to merge parcels that do not touch, of another category or use, or not available', async () => {
    const before = await eventCount();
    const far = await merge({ ...AT, parents: ['M-A', 'M-FAR'] });
    expect(far.statusCode).toBe(422);
    expect(far.json().error.message).toContain('互不相连');
    const idle = await merge({ ...AT, parents: ['M-B', 'M-IDLE'] });
    expect(idle.statusCode).toBe(409);
    expect(idle.json().error.message).toContain('不同类别');
    const shop = await merge({ ...AT, parents: ['M-B', 'M-SHOP'] }, planner, 'en');
    expect(shop.statusCode).toBe(409);
    expect(shop.json().error.message).toContain('different planned uses');
    const supplied = await merge({ ...AT, parents: ['M-A', 'S-SUPPLIED'] });
    expect(supplied.statusCode).toBe(409);
    const twice = await merge({ ...AT, parents: ['M-A', 'M-A'] });
    expect(twice.statusCode).toBe(400);
    expect((await merge({ ...AT, parents: ['M-A', 'M-B'] }, enterprise)).statusCode).toBe(403);
    expect(await eventCount()).toBe(before);
  });

  it('merges adjacent parcels into one: their union, the area-weighted price, every parcel’s event', async () => {
    const res = await merge({ ...AT, parents: ['M-A', 'M-B'], name: '合并地块' });
    expect(res.statusCode, res.body).toBe(200);
    const r = StockReshapeResponse.parse(res.json());
    expect(r.children).toEqual(['M-A-H']);
    expect(r.events.map((e) => [e.parcelCode, e.kind, e.statusBefore, e.statusAfter])).toEqual([
      ['M-A', 'merge', '可供应', '已注销'],
      ['M-B', 'merge', '可供应', '已注销'],
      ['M-A-H', 'merge', null, '可供应'],
    ]);
    const areaA = areaOf(rect([100, 600, 100, 100]));
    const areaB = areaOf(rect([200, 600, 300, 100]));
    const merged = (await state('M-A-H'))!;
    expect(merged.status).toBe('可供应');
    expect(merged.recorded_on).toBe(AT.eventDate);
    expect(merged.area_m2).toBeCloseTo(areaA + areaB, 1);
    expect(merged.ref_price).toBeCloseTo((10 * areaA + 40 * areaB) / (areaA + areaB), 6);
    expect((await state('M-A'))!.status).toBe('已注销');
    expect((await parcel('M-A-H'))!).toMatchObject({ name: '合并地块', plannedUse: '仓储', category: '批而未供' });
    const audit = await db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_log WHERE action IN ('stock-split', 'stock-merge') ORDER BY id`);
    expect(audit).toEqual([
      { action: 'stock-split', target: 'S-1' },
      { action: 'stock-split', target: 'S-LINE' },
      { action: 'stock-merge', target: 'M-A-H' },
    ]);
  });
});
