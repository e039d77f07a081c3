/**
 * The stock parcel page's API and the list export, on the seeded dataset of whichever
 * backend the suite runs: standing in figures against an independent overlay, no
 * restricted geometry in the answer, export row counts equal to the filtered count, and
 * the match never proposing a parcel the table says is unavailable or in conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { StockMatchResponse, StockParcelDetail, StockSearchResponse } from '../../core/contracts/stock.ts';
import { PLANNED_USES } from '../../core/stock-match.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

describe(`stock parcel page and export on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  const detail = async (code: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${encodeURIComponent(code)}` });
    expect(res.statusCode, res.body).toBe(200);
    return { body: res.body, parcel: StockParcelDetail.parse(res.json()) };
  };
  /** Overlap of a parcel with a layer, straight from the tables. */
  const overlapM2 = async (code: string, table: string) =>
    Number(
      (
        await db.query<{ m2: number | null }>(
          `SELECT sum(ST_Area(ST_Intersection(t.geom, s.geom)::geography)) AS m2
             FROM stock_parcel s JOIN ${table} t ON t.geom && s.geom AND ST_Intersects(t.geom, s.geom) WHERE s.code = $1`,
          [code],
        )
      )[0]?.m2 ?? 0,
    );

  it('shows a parcel that conflicts with permanent farmland as such, with the overlap in 亩, and no farmland geometry', async () => {
    // the seeded dataset holds stock parcels approved before the farmland was delineated
    const [row] = await db.query<{ code: string }>(
      `SELECT s.code FROM stock_parcel s WHERE EXISTS (
         SELECT 1 FROM permanent_farmland f WHERE f.geom && s.geom AND ST_Area(ST_Intersection(f.geom, s.geom)::geography) > 1)
       ORDER BY s.code LIMIT 1`,
    );
    expect(row, 'the demo dataset has conflicting stock parcels').toBeDefined();
    const { body, parcel } = await detail(row!.code);
    const want = await overlapM2(row!.code, 'permanent_farmland');
    expect(parcel.standing.permanentFarmland.m2 / want).toBeCloseTo(1, 6);
    expect(parcel.standing.permanentFarmland.mu).toBeCloseTo(want / (10_000 / 15), 6);
    expect(parcel.standing.conflict).toBe(true);
    expect(parcel.standing.proposable).toBe(false);
    expect(parcel.standing.summaryZh).toContain('不作为供地推荐');
    // one geometry only, the parcel's own: nothing of the farmland's shape
    expect(body.match(/"coordinates"/g)).toHaveLength(1);
    const [{ same } = { same: false }] = await db.query<{ same: boolean }>(
      'SELECT ST_Equals(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), geom) AS same FROM stock_parcel WHERE code = $2',
      [JSON.stringify(parcel.geometry), row!.code],
    );
    expect(same).toBe(true);
  });

  it('shows an ordinary parcel inside the boundary with 0 亩 of every restricted layer', async () => {
    const [row] = await db.query<{ code: string; name: string }>(
      `SELECT s.code, u.name FROM stock_parcel s JOIN urban_boundary u ON ST_Covers(u.geom, s.geom)
        WHERE s.status = '可供应' AND NOT EXISTS (SELECT 1 FROM permanent_farmland f WHERE f.geom && s.geom AND ST_Intersects(f.geom, s.geom))
          AND NOT EXISTS (SELECT 1 FROM eco_redline r WHERE r.geom && s.geom AND ST_Intersects(r.geom, s.geom))
        ORDER BY s.code LIMIT 1`,
    );
    const { parcel } = await detail(row!.code);
    expect(parcel.standing.urbanBoundary).toEqual({ share: 1, inside: true, name: row!.name });
    expect(parcel.standing.permanentFarmland.m2).toBe(0);
    expect(parcel.standing.ecoRedline.m2).toBe(0);
    expect(parcel.standing.proposable).toBe(true);
    expect(parcel.standing.summaryZh).toBe(
      `位于城镇开发边界（${row!.name}）内；占永久基本农田 0.00 亩，一般耕地 ${parcel.standing.generalFarmland.mu.toFixed(2)} 亩，生态保护红线 0.00 亩；可作为供地推荐。`,
    );
    expect(parcel.area.mu).toBeCloseTo(parcel.area.m2 / (10_000 / 15), 9);
  });

  it.each([
    ['', '默认：可供应'],
    ['county=410221&category=闲置土地,低效用地', '县区与类型'],
    ['use=工业&minArea=10&maxArea=40&sort=-price', '用途、面积、价格排序'],
    ['status=all&q=CL4102', '全部状态与编号'],
  ])('exports every row the filters select as CSV and Excel (%s: %s)', async (query) => {
    const page = await app.inject({ method: 'GET', url: `/api/stock-parcels?${query}&pageSize=5` });
    const { total, items } = StockSearchResponse.parse(page.json());
    expect(total).toBeGreaterThan(5); // more than one page: the export is not the page

    const csv = await app.inject({ method: 'GET', url: `/api/stock-parcels/export.csv?${query}` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="stock-parcels-\d{8}\.csv"; filename\*=UTF-8''/);
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.body.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^地块编号,地块名称,县区,/);
    expect(lines.length - 1).toBe(total);
    // the same order as the list
    expect(lines.slice(1, 6).map((l) => l.split(',')[0])).toEqual(items.map((p) => p.code));

    const xlsx = await app.inject({ method: 'GET', url: `/api/stock-parcels/export.xlsx?${query}` });
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('存量地块')!;
    expect(ws.getRow(1).getCell(1).value).toBe('地块编号');
    expect(ws.actualRowCount - 1).toBe(total);
    expect(ws.getRow(2).getCell(1).value).toBe(items[0]!.code);
    expect(Number(ws.getRow(2).getCell(8).value)).toBeCloseTo(items[0]!.area.mu, 2);
  });

  it('refuses a bad export filter with a 400 naming it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/stock-parcels/export.csv?minPrice=abc' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain('minPrice');
  });

  it('never proposes a parcel that the tables show unavailable or overlapping permanent farmland or the red line', async () => {
    const proposed = new Set<string>();
    for (const use of PLANNED_USES) {
      for (const areaMu of [8, 30, 120]) {
        const res = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use, areaMu, limit: 50 } });
        expect(res.statusCode, res.body).toBe(200);
        for (const c of StockMatchResponse.parse(res.json()).candidates) for (const p of c.parcels) proposed.add(p.code);
      }
    }
    expect(proposed.size).toBeGreaterThan(50);
    const bad = await db.query<{ code: string }>(
      `SELECT s.code FROM stock_parcel s WHERE s.code = ANY($1::text[]) AND (
         s.status <> '可供应'
         OR EXISTS (SELECT 1 FROM permanent_farmland f WHERE f.geom && s.geom AND ST_Area(ST_Intersection(f.geom, s.geom)::geography) > 0.01)
         OR EXISTS (SELECT 1 FROM eco_redline r WHERE r.geom && s.geom AND ST_Area(ST_Intersection(r.geom, s.geom)::geography) > 0.01))`,
      [[...proposed]],
    );
    expect(bad.map((r) => r.code)).toEqual([]);
    // and the seeded conflicting parcels are there to be left out
    const conflicting = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stock_parcel s WHERE s.status = '可供应' AND EXISTS (
         SELECT 1 FROM permanent_farmland f WHERE f.geom && s.geom AND ST_Area(ST_Intersection(f.geom, s.geom)::geography) > 0.01)`,
    );
    expect(conflicting[0]!.n).toBeGreaterThan(0);
  });

  it('finds a combination in the seeded city blocks for a need larger than any single parcel of that use nearby', async () => {
    // the largest available industrial parcel in a county, and a need 1.5 times it
    const [row] = await db.query<{ county: string; mu: number }>(
      `SELECT county_code AS county, max(area_m2) / (10000 / 15.0) AS mu FROM stock_parcel
        WHERE status = '可供应' AND planned_use IN ('工业', '仓储') GROUP BY county_code ORDER BY count(*) DESC LIMIT 1`,
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/stock-parcels/match',
      payload: { use: '工业', areaMu: Math.ceil(row!.mu * 1.5), county: row!.county, limit: 20 },
    });
    const r = StockMatchResponse.parse(res.json());
    expect(r.tally.singles).toBe(0);
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) {
      expect(c.kind).toBe('combination');
      expect(c.parcels.length).toBeGreaterThanOrEqual(2);
      expect(c.totalArea.mu).toBeGreaterThanOrEqual(Math.ceil(row!.mu * 1.5) * 0.9);
      // adjacent: every part within 30 m of another part
      const [{ ok } = { ok: false }] = await db.query<{ ok: boolean }>(
        `SELECT bool_and(EXISTS (SELECT 1 FROM stock_parcel b WHERE b.code = ANY($1::text[]) AND b.code <> a.code
                                  AND ST_DWithin(a.geom::geography, b.geom::geography, 30))) AS ok
           FROM stock_parcel a WHERE a.code = ANY($1::text[])`,
        [c.parcels.map((p) => p.code)],
      );
      expect(ok).toBe(true);
    }
  });
});
