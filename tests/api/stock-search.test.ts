/**
 * GET /api/stock-parcels on whichever backend the suite runs: every filter against the
 * same question asked of the table directly, paging, sorting, and 400s that name the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { StockSearchResponse } from '../../core/contracts/stock.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

const MU = 10_000 / 15;

describe(`stock-land search on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });
  const search = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return StockSearchResponse.parse(res.json());
  };
  const count = async (where: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_parcel WHERE ${where}`, params))[0]!.n;

  it('lists parcels available for supply (可供应) by default, largest first, with areas in 亩 and 公顷', async () => {
    const r = await search('');
    expect(r.total).toBe(await count(`status = '可供应'`));
    expect(r.items).toHaveLength(20);
    expect(r.items.every((p) => p.status === '可供应')).toBe(true);
    const areas = r.items.map((p) => p.area.m2);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    const p = r.items[0]!;
    expect(p.area.mu).toBeCloseTo(p.area.m2 / MU, 9);
    expect(p.area.ha).toBeCloseTo(p.area.m2 / 10_000, 9);
    expect(p.countyName).toMatch(/[区县]$/);
  });

  it.each([
    ['county=410221', `county_code = '410221' AND status = '可供应'`],
    ['category=闲置土地', `category = '闲置土地' AND status = '可供应'`],
    ['use=工业,仓储', `planned_use IN ('工业', '仓储') AND status = '可供应'`],
    ['status=已供应', `status = '已供应'`],
    ['status=all', `true`],
    ['minArea=20&maxArea=50', `area_m2 BETWEEN 20 * ${MU} AND 50 * ${MU} AND status = '可供应'`],
    ['minArea=2&maxArea=5&areaUnit=ha', `area_m2 BETWEEN 20000 AND 50000 AND status = '可供应'`],
    ['minPlotRatio=2.5', `plot_ratio_max >= 2.5 AND status = '可供应'`],
    ['minPrice=100&maxPrice=200', `ref_price BETWEEN 100 AND 200 AND status = '可供应'`],
    ['q=杞县', `(code ILIKE '%杞县%' OR name ILIKE '%杞县%') AND status = '可供应'`],
    ['q=CL410221', `(code ILIKE '%CL410221%' OR name ILIKE '%CL410221%') AND status = '可供应'`],
  ])('filters %s exactly as the table answers', async (query, where) => {
    const want = await count(where);
    expect(want, `the fixture should exercise ${query}`).toBeGreaterThan(0);
    const r = await search(`${query}&pageSize=200`);
    expect(r.total).toBe(want);
    expect(r.items.length).toBe(Math.min(200, want));
  });

  it('pages through the whole list without repeats', async () => {
    const all = await search('county=410221&pageSize=200&sort=area');
    const seen: number[] = [];
    for (let page = 1; page <= Math.ceil(all.total / 7); page++) seen.push(...(await search(`county=410221&pageSize=7&page=${page}&sort=area`)).items.map((p) => p.id));
    expect(seen).toHaveLength(all.total);
    expect(new Set(seen).size).toBe(all.total);
  });

  it('sorts by price, date and distance to a point', async () => {
    const byPrice = (await search('sort=price&pageSize=50&minPrice=0')).items.map((p) => p.refPrice!);
    expect(byPrice).toEqual([...byPrice].sort((a, b) => a - b));
    const byDate = (await search('sort=-date&pageSize=50')).items.map((p) => p.approvalDate!);
    expect(byDate).toEqual([...byDate].sort().reverse());
    const near = await search('sort=distance&near=114.35,34.79&pageSize=30');
    const d = near.items.map((p) => p.distanceM!);
    expect(d.every((x) => x >= 0)).toBe(true);
    expect(d).toEqual([...d].sort((a, b) => a - b));
  });

  it.each([
    ['status=卖了', 'status'],
    ['use=养猪', 'use'],
    ['minArea=50&maxArea=20', 'minArea'],
    ['minArea=abc', 'minArea'],
    ['areaUnit=acre', 'areaUnit'],
    ['sort=distance', 'near'],
    ['near=114.3', 'near'],
    ['pageSize=500', 'pageSize'],
    ['county=4102', 'county'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels?${query}` });
    expect(res.statusCode).toBe(400);
    const fields: string[] = res.json().error.details.map((x: { field: string }) => x.field);
    // a bad item of a list is named with its position (use.0)
    expect(fields.some((f) => f === field || f.startsWith(`${field}.`)), fields.join()).toBe(true);
    expect(res.json().error.message).toMatch(/^查询参数无效/);
  });
});
