/**
 * An enterprise's own things (/api/me/…) on a database no other file shares: saved stock-land
 * searches whose "new since the last visit" lists a parcel added to the library and a parcel
 * that changed to match (and nothing else), marking as seen, rename and delete, one account
 * never reaching another's, refusals that name the field; and the site checks an account filed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SavedSearch, SavedSearchList, SavedSearchNew, MySiteChecks } from '../../core/contracts/me.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { actAs, signInAs, type SignedIn } from '../helpers/session.ts';

describe(`saved searches and own site checks (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let other: SignedIn;
  const QUERY = { use: '工业', minArea: '20', maxArea: '80', sort: 'area' };
  let savedId: number;

  /** As the second enterprise (its own cookie). */
  const asOther = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, ...(payload ? { payload } : {}), headers: { cookie: other.cookie, 'x-csrf-token': other.csrfToken } });
  const asPublic = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, ...(payload ? { payload } : {}), headers: { cookie: '' } });
  /** What the public search answers for the saved query: the codes, all pages. */
  const searchCodes = async () => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels?${new URLSearchParams({ ...QUERY, pageSize: '200' })}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { total: number; items: { code: string }[] };
    expect(body.total).toBeLessThanOrEqual(200);
    return body.items.map((i) => i.code);
  };

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db });
    await actAs(app, db, 'enterprise', '开封某制造有限公司');
    other = await signInAs(app, db, 'enterprise', '另一家企业');
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('saves a search and counts what matches it, with nothing new yet', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/me/saved-searches', payload: { name: '工业用地 20–80 亩', query: { ...QUERY, page: '3' } } });
    expect(res.statusCode, res.body).toBe(201);
    const s = SavedSearch.parse(res.json());
    savedId = s.id;
    expect(s).toMatchObject({ name: '工业用地 20–80 亩', query: QUERY, newCount: 0 });
    expect(s.total).toBe((await searchCodes()).length);
    expect(s.total).toBeGreaterThan(0);
  });

  it('refuses a search that is not one, naming the field, and the public', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/me/saved-searches', payload: { name: 'x', query: { use: '农业' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('检索条件无效：规划用途只能是：工业、仓储、商业、商务、住宅、公共管理与公共服务');
    const unknown = await app.inject({ method: 'POST', url: '/api/me/saved-searches', payload: { name: 'x', query: { ...QUERY, colour: 'red' } } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toBe('检索条件中有未知参数：“colour”');
    const noName = await app.inject({ method: 'POST', url: '/api/me/saved-searches', payload: { name: ' ', query: QUERY } });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.message).toContain('名称不能为空');
    expect((await asPublic('GET', '/api/me/saved-searches')).statusCode).toBe(401);
    expect((await asPublic('POST', '/api/me/saved-searches', { name: 'x', query: QUERY })).statusCode).toBe(401);
  });

  it('lists as new a parcel added to the library and one that changed to match, then nothing after the visit', async () => {
    const before = await searchCodes();
    // a parcel of the right use and size that is 已供应 (not matching: the search asks for 可供应)
    const [changed] = await db.query<{ id: number; code: string }>(
      `SELECT id, code FROM stock_parcel WHERE planned_use = '工业' AND status = '已供应' AND area_m2 BETWEEN $1 AND $2 ORDER BY id LIMIT 1`,
      [21 * 666.6667, 79 * 666.6667],
    );
    expect(changed).toBeDefined();
    await db.query(`UPDATE stock_parcel SET status = '可供应' WHERE id = $1`, [changed!.id]);
    // a new parcel, a copy of a matching one moved a little, 50 亩
    await db.query(
      `INSERT INTO stock_parcel (code, county_code, name, category, four_un_stage, planned_use, area_m2, plot_ratio_min, plot_ratio_max, approval_no, approval_date, status, ref_price, zone_name, contact_dept, geom)
       SELECT 'NEW-2026-0001', county_code, '新入库工业地块', category, four_un_stage, '工业', 50 * 666.6667, plot_ratio_min, plot_ratio_max, approval_no, approval_date, '可供应', ref_price, zone_name, contact_dept, ST_Translate(geom, 0.0005, 0)
         FROM stock_parcel WHERE code = $1`,
      [before[0]],
    );
    const after = await searchCodes();
    expect(after.filter((c) => !before.includes(c)).sort()).toEqual(['NEW-2026-0001', changed!.code].sort());

    const list = SavedSearchList.parse((await app.inject({ method: 'GET', url: '/api/me/saved-searches' })).json());
    expect(list.searches).toHaveLength(1);
    expect(list.searches[0]).toMatchObject({ id: savedId, total: after.length, newCount: 2 });
    const fresh = SavedSearchNew.parse((await app.inject({ method: 'GET', url: `/api/me/saved-searches/${savedId}/new` })).json());
    expect(fresh.items.map((i) => i.code).sort()).toEqual(['NEW-2026-0001', changed!.code].sort());
    // in the search's order (area, ascending)
    expect(fresh.items.map((i) => i.area.m2)).toEqual([...fresh.items.map((i) => i.area.m2)].sort((a, b) => a - b));
    // looking at the list does not mark it seen
    expect((await app.inject({ method: 'GET', url: '/api/me/saved-searches' })).json().searches[0].newCount).toBe(2);

    const visit = await app.inject({ method: 'POST', url: `/api/me/saved-searches/${savedId}/visit` });
    expect(visit.statusCode, visit.body).toBe(200);
    expect(visit.json()).toMatchObject({ newCount: 0, total: after.length });
    expect(SavedSearchNew.parse((await app.inject({ method: 'GET', url: `/api/me/saved-searches/${savedId}/new` })).json()).items).toEqual([]);

    // a parcel that stops matching is not "new"; one that comes back after the visit is
    await db.query(`UPDATE stock_parcel SET status = '已意向' WHERE id = $1`, [changed!.id]);
    expect((await app.inject({ method: 'GET', url: '/api/me/saved-searches' })).json().searches[0]).toMatchObject({ newCount: 0, total: after.length - 1 });
  });

  it('keeps one account out of another’s searches', async () => {
    expect(SavedSearchList.parse((await asOther('GET', '/api/me/saved-searches')).json()).searches).toEqual([]);
    expect((await asOther('GET', `/api/me/saved-searches/${savedId}/new`)).statusCode).toBe(404);
    expect((await asOther('POST', `/api/me/saved-searches/${savedId}/visit`)).statusCode).toBe(404);
    expect((await asOther('PATCH', `/api/me/saved-searches/${savedId}`, { name: '抢来的' })).statusCode).toBe(404);
    expect((await asOther('DELETE', `/api/me/saved-searches/${savedId}`)).statusCode).toBe(404);
    const mine = (await app.inject({ method: 'GET', url: '/api/me/saved-searches' })).json().searches;
    expect(mine.map((s: { name: string }) => s.name)).toEqual(['工业用地 20–80 亩']);
  });

  it('renames and deletes', async () => {
    const renamed = await app.inject({ method: 'PATCH', url: `/api/me/saved-searches/${savedId}`, payload: { name: '园区工业地' } });
    expect(renamed.json().name).toBe('园区工业地');
    expect((await app.inject({ method: 'DELETE', url: `/api/me/saved-searches/${savedId}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/me/saved-searches' })).json().searches).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: `/api/me/saved-searches/${savedId}` })).statusCode).toBe(404);
  });

  it('lists the site checks an account filed, and only those', async () => {
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    const [lon, lat] = [Number(p!.lon), Number(p!.lat)];
    const site = { type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.002], [lon, lat + 0.002], [lon, lat]]] };
    const body = (name: string) => ({ geometry: site, name, use: '工业', stockFirst: { reason: 'location', note: '需临近铁路专用线' } });
    const mine = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body('我的新厂区') });
    expect(mine.statusCode, mine.body).toBe(201);
    const theirs = await asOther('POST', '/api/site-checks', body('别家的厂区'));
    expect(theirs.statusCode).toBe(201);
    const anon = await asPublic('POST', '/api/site-checks', body('匿名'));
    expect(anon.statusCode).toBe(201);

    const list = MySiteChecks.parse((await app.inject({ method: 'GET', url: '/api/me/site-checks' })).json());
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ id: mine.json().id, name: '我的新厂区', plannedUse: '工业' });
    expect(list.items[0]!.area.m2).toBeCloseTo(mine.json().site.area.m2, 6);
    const verdicts = mine.json().verdicts as { status: string }[];
    expect(list.items[0]!.conflicts).toBe(verdicts.filter((v) => v.status === 'conflict').length);
    expect(list.items[0]!.warnings).toBe(verdicts.filter((v) => v.status === 'warn').length);
    const otherList = MySiteChecks.parse((await asOther('GET', '/api/me/site-checks')).json());
    expect(otherList.items.map((i) => i.name)).toEqual(['别家的厂区']);
    const [owner] = await db.query<{ owner_id: number | null }>('SELECT owner_id FROM site_check WHERE id = $1', [anon.json().id]);
    expect(owner!.owner_id).toBeNull();
    expect((await asPublic('GET', '/api/me/site-checks')).statusCode).toBe(401);
  });
});
