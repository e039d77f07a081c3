/**
 * POST /api/stock-parcels/match and the parcel page's standing, on a hand-made world
 * (tests/fixtures/stock-match/world.ts) in a fresh database of the suite's backend, where
 * the right order, the combinations and the exclusions are known by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { StockMatchResponse, StockParcelDetail } from '../../core/contracts/stock.ts';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { BOUNDARIES, PERMANENT_FARMLAND, RED_LINE, STOCK, boxPolygon, metresToLonLat, type Box } from '../fixtures/stock-match/world.ts';

const MU = 10_000 / 15;
const COUNTY = '410202';

async function insertWorld(db: Database) {
  const geom = (box: Box) => JSON.stringify(boxPolygon(box));
  for (const b of BOUNDARIES) {
    await db.query(
      `INSERT INTO urban_boundary (code, county_code, name, area_m2, source, vintage, geom)
       SELECT $1, $2, $3, ST_Area(g::geography), '测试', '2026', g FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($4), 4490) AS g) s`,
      [b.code, COUNTY, `${b.code} 城镇开发边界`, geom(b.box)],
    );
  }
  for (const f of PERMANENT_FARMLAND) {
    await db.query(
      `INSERT INTO permanent_farmland (code, county_code, land_class_code, land_class_name, area_m2, source, vintage, geom)
       SELECT $1, $2, '0101', '水田', ST_Area(g::geography), '测试', '2026', g FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($3), 4490) AS g) s`,
      [f.code, COUNTY, geom(f.box)],
    );
  }
  for (const r of RED_LINE) {
    await db.query(
      `INSERT INTO eco_redline (code, county_code, name, category, area_m2, source, vintage, geom)
       SELECT $1, $2, '测试红线', '水源涵养', ST_Area(g::geography), '测试', '2026', g FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($3), 4490) AS g) s`,
      [r.code, COUNTY, geom(r.box)],
    );
  }
  for (const s of STOCK) {
    await db.query(
      `INSERT INTO stock_parcel (code, county_code, name, category, four_un_stage, planned_use, area_m2, status, contact_dept, geom)
       SELECT $1, $2, $3, '批而未供', $4, $5, ST_Area(g::geography), $6, '测试局', g FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($7), 4490) AS g) s`,
      [s.code, COUNTY, `${s.code} 号地块`, s.stage, s.use, s.status, geom(s.box)],
    );
  }
}

describe(`stock-land matching on a hand-made world (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await insertWorld(db);
    app = await buildApp({ db });
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const match = async (body: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: body });
    expect(res.statusCode, res.body).toBe(200);
    return StockMatchResponse.parse(res.json());
  };
  const codes = (r: StockMatchResponse) => r.candidates.map((c) => c.parcels.map((p) => p.code).join('+'));
  const part = (r: StockMatchResponse, i: number, key: string) => r.candidates[i]!.parts.find((p) => p.key === key)!;

  it('ranks single parcels by area fit, use, distance and availability, in the order worked out by hand', async () => {
    const r = await match({ use: '工业', areaMu: 10, near: { type: 'Point', coordinates: metresToLonLat(0, 0) }, maxDistanceKm: 5 });
    // P1 same use, ready, nearest; P3 same use but acquisition to finish (0.7); T farther; P2 仓储 is compatible (0.7)
    expect(codes(r).slice(0, 4)).toEqual(['P1', 'P3', 'T', 'P2']);
    expect(part(r, 0, 'areaFit').value).toBe(1);
    expect(part(r, 0, 'useCompatibility').value).toBe(1);
    expect(part(r, 0, 'availability').value).toBe(1);
    expect(part(r, 1, 'availability').value).toBe(0.7);
    expect(part(r, 3, 'useCompatibility').value).toBe(0.7);
    expect(r.candidates[3]!.parcels[0]!.useFit).toBe('compatible');
    // P1's centre is ~158 m from the point: distance part 1 − 0.158 / 5
    expect(r.candidates[0]!.distanceM!).toBeGreaterThan(140);
    expect(r.candidates[0]!.distanceM!).toBeLessThan(175);
    expect(part(r, 0, 'distance').value!).toBeCloseTo(1 - r.candidates[0]!.distanceM! / 5000, 3);
    // the parts add up to the score (each rounded to 0.01)
    for (const c of r.candidates) expect(c.parts.reduce((s, p) => s + p.points, 0)).toBeCloseTo(c.score, 1);
    const scores = r.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // what was left out, and why
    expect(r.tally).toMatchObject({ inScope: 15, available: 13, compatibleUse: 12, conflicting: 3, tooFar: 0, eligible: 9 });
    expect(r.summaryZh).toContain('排除 3 宗');
  });

  it('never proposes a parcel that is not available or that touches permanent farmland or the red line', async () => {
    const excluded = ['P5', 'C5', 'P6', 'P7', 'C4', 'P8'];
    for (const body of [
      { use: '工业', areaMu: 10, limit: 50 },
      { use: '工业', areaMu: 16, limit: 50 },
      { use: '工业', areaMu: 30, limit: 50 },
      { use: '工业', areaMu: 40, limit: 50 },
      { use: '仓储', areaHa: 1.2, limit: 50 },
    ]) {
      const proposed = (await match(body)).candidates.flatMap((c) => c.parcels.map((p) => p.code));
      expect(proposed.filter((c) => excluded.includes(c)), JSON.stringify(body)).toEqual([]);
    }
  });

  it('offers two adjacent parcels together when no single parcel is large enough, with their union', async () => {
    const r = await match({ use: '工业', areaMu: 30 });
    // C1 + C2 touch (32 亩); C1 + C5 (已供应) and C2 + C4 (farmland) are ruled out; C6 and C3 are 10 m apart but in different boundary polygons
    expect(codes(r)).toEqual(['C1+C2']);
    const c = r.candidates[0]!;
    expect(c.kind).toBe('combination');
    expect(c.totalArea.mu).toBeCloseTo(32, 1);
    expect(part(r, 0, 'useCompatibility').value).toBe(0.7); // C2 is 仓储
    expect(c.geometry?.type).toBe('Polygon'); // touching parcels union into one polygon
    expect(ellipsoidalArea(c.geometry as Parameters<typeof ellipsoidalArea>[0]) / MU).toBeCloseTo(32, 1);
    expect(r.tally.singles).toBe(0);
    expect(r.tally.combinations).toBe(1);
  });

  it('offers three parcels when no two of them are enough', async () => {
    const r = await match({ use: '工业', areaMu: 40 });
    expect(codes(r)).toEqual(['C1+C2+T']);
    expect(r.candidates[0]!.totalArea.mu).toBeCloseTo(42.5, 1);
    // the geometry is a union of parcels 10 m apart: a MultiPolygon holding all three
    const g = r.candidates[0]!.geometry;
    expect(ellipsoidalArea(g as Parameters<typeof ellipsoidalArea>[0]) / MU).toBeCloseTo(42.5, 1);
  });

  it('finds nothing when nothing fits, and says so', async () => {
    const r = await match({ use: '住宅', areaMu: 100 });
    expect(r.candidates).toEqual([]);
    expect(r.summaryZh).toContain('没有符合条件的存量地块');
  });

  it('keeps to the county and the distance asked for', async () => {
    expect((await match({ use: '工业', areaMu: 10, county: '410221' })).candidates).toEqual([]);
    const near = await match({ use: '工业', areaMu: 10, near: { type: 'Point', coordinates: metresToLonLat(0, 0) }, maxDistanceKm: 0.4 });
    expect(codes(near)).toEqual(['P1', 'P2']);
    expect(near.tally.tooFar).toBe(7);
  });

  it('measures distance to a site polygon as 0 inside it', async () => {
    const site = boxPolygon([0, 0, 700, 200]);
    const r = await match({ use: '工业', areaMu: 10, near: { type: 'Polygon', coordinates: site.coordinates[0] } });
    expect(r.candidates.filter((c) => ['P1', 'P2', 'P3'].includes(c.parcels[0]!.code)).map((c) => c.distanceM)).toEqual([0, 0, 0]);
  });

  it('refuses a bad request with the field named', async () => {
    const bad = async (body: object, field: RegExp) => {
      const res = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: body });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(field);
    };
    await bad({ use: '养殖', areaMu: 10 }, /规划用途只能是/);
    await bad({ use: '工业' }, /须给出面积（亩或公顷）之一/);
    await bad({ use: '工业', areaMu: 10, areaHa: 1 }, /须给出面积（亩或公顷）之一/);
    await bad({ use: '工业', areaMu: -1 }, /面积（亩）须大于 0/);
    await bad({ use: '工业', areaMu: 10, maxDistanceKm: 3 }, /给出最大距离时须同时给出位置/);
    await bad({ use: '工业', areaMu: 10, county: '41' }, /县区须为 6 位行政区划代码/);
  });

  it('tells how a parcel stands against the control lines in figures, from the same ellipsoidal areas', async () => {
    const get = async (code: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${code}` });
      expect(res.statusCode, res.body).toBe(200);
      return StockParcelDetail.parse(res.json());
    };
    const p6 = await get('P6');
    // P6 (x 780–885, y 10–76.7) overlaps F1 (x 700–800, y 0–60) over x 780–800, y 10–60
    const overlap = ellipsoidalArea(boxPolygon([780, 10, 20, 50]));
    expect(p6.standing.permanentFarmland.m2 / overlap).toBeCloseTo(1, 6);
    expect(p6.standing.conflict).toBe(true);
    expect(p6.standing.proposable).toBe(false);
    expect(p6.standing.summaryZh).toContain(`占永久基本农田 ${(overlap / MU).toFixed(2)} 亩`);
    const p1 = await get('P1');
    expect(p1.standing).toMatchObject({ conflict: false, proposable: true, urbanBoundary: { inside: true, name: 'U1 城镇开发边界' } });
    expect(p1.standing.summaryZh).toMatch(/^位于城镇开发边界（U1 城镇开发边界）内；占永久基本农田 0\.00 亩/);
    expect((await get('P5')).standing.summaryZh).toContain('供应状态为已供应');
    const missing = await app.inject({ method: 'GET', url: '/api/stock-parcels/NOPE-1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toContain('NOPE-1');
  });

  it('follows a change to the data: a parcel supplied meanwhile is no longer proposed', async () => {
    expect(codes(await match({ use: '工业', areaMu: 30 }))).toEqual(['C1+C2']);
    await db.query(`UPDATE stock_parcel SET status = '已意向' WHERE code = 'C2'`);
    try {
      expect(codes(await match({ use: '工业', areaMu: 30 }))).toEqual([]);
    } finally {
      await db.query(`UPDATE stock_parcel SET status = '可供应' WHERE code = 'C2'`);
    }
  });
});
