/**
 * The authoritative site check on whichever backend the suite runs: golden cases
 * (tests/fixtures/site-check/in → out), areas against GeographicLib and PostGIS,
 * verdicts, trimming, refusals, and immutable saved reports.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import geographiclib from 'geographiclib-geodesic';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { RULE_IDS } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { hashReport } from '../../server/src/modules/site-check/service.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { withRollback } from '../helpers/rollback.ts';

const FIXTURES = new URL('../fixtures/site-check/', import.meta.url);
type Geometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`in/${name}.geojson`, FIXTURES), 'utf8')) as { properties: { name: string }; geometry: Geometry };

/**
 * GRS80 area of the polygon whose edges are straight in lon/lat (as GeoJSON and the overlays take
 * them), from GeographicLib — an independent path from core/ellipsoidal-area: every edge is cut
 * into 256 pieces along the lon/lat line, so the geodesics GeographicLib draws between the pieces
 * follow the edge to well under a millimetre.
 */
function geographicLibArea(g: Geometry): number {
  const geod = new geographiclib.Geodesic.Geodesic(6378137, 1 / 298.257222101);
  const ring = (r: number[][]) => {
    const p = geod.Polygon(false);
    for (let i = 0; i < r.length - 1; i++) {
      const [x0, y0] = r[i] as [number, number];
      const [x1, y1] = r[i + 1] as [number, number];
      for (let k = 0; k < 256; k++) p.AddPoint(y0 + ((y1 - y0) * k) / 256, x0 + ((x1 - x0) * k) / 256);
    }
    return Math.abs(p.Compute(false, true).area ?? 0);
  };
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.reduce((s, poly) => s + poly.reduce((t, r, i) => t + (i === 0 ? ring(r) : -ring(r)), 0), 0);
}

/** The figures a golden file records: what a planner reads off the report. */
function summary(r: SiteCheckReport) {
  const m2 = (v: number) => Math.round(v * 100) / 100;
  return {
    siteM2: m2(r.site.area.m2),
    repaired: r.site.repaired,
    layers: Object.fromEntries(
      r.layers.map((l) => [
        l.layerId,
        {
          count: l.count,
          areaM2: m2(l.area.m2),
          codes: l.features.map((f) => f.code).sort(),
          ...(l.outside ? { insideM2: m2(l.inside!.m2), outsideM2: m2(l.outside.m2) } : {}),
        },
      ]),
    ),
    verdicts: Object.fromEntries(r.verdicts.map((v) => [v.rule, v.status])),
    trimmedM2: m2(r.trimmed.area.m2),
  };
}

/** Equal to the golden record, areas within 0.01 m² (GEOS versions differ in the last digits). */
function expectMatchesGolden(got: ReturnType<typeof summary>, want: ReturnType<typeof summary>) {
  const close = (a: unknown, b: unknown, path: string) => {
    if (typeof a === 'number' && typeof b === 'number') expect(Math.abs(a - b), path).toBeLessThanOrEqual(0.011);
    else if (Array.isArray(a)) expect(a, path).toEqual(b);
    else if (a && typeof a === 'object') {
      expect(Object.keys(a).sort(), path).toEqual(Object.keys(b as object).sort());
      for (const k of Object.keys(a)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    } else expect(a, path).toEqual(b);
  };
  close(got, want, 'report');
}

describe(`site check on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });
  // every check carries the stock-first step (tests/api/site-check-stock-first.test.ts); these
  // are about the overlays, so they give a use and a reason that stand whatever the match finds
  const check = (body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/site-checks', payload: { use: '工业', stockFirst: { reason: 'location' }, ...body }, headers });

  const goldenCases = readdirSync(new URL('in/', FIXTURES))
    .filter((f) => f.endsWith('.geojson') && f !== 'bow-tie.geojson')
    .map((f) => f.replace('.geojson', ''));

  it.each(goldenCases)('%s: matches its golden report (UPDATE=1 rewrites)', async (name) => {
    const res = await check({ geometry: fixture(name).geometry, name });
    expect(res.statusCode).toBe(201);
    const got = summary(SiteCheckReport.parse(res.json()));
    const file = new URL(`out/${name}.json`, FIXTURES);
    // a golden record is written only on purpose (UPDATE=1); a missing one fails
    if (process.env.UPDATE === '1') writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
    expect(existsSync(file), `golden record out/${name}.json is missing`).toBe(true);
    expectMatchesGolden(got, JSON.parse(readFileSync(file, 'utf8')));
  });

  it('gives a site fully inside the boundary a clean bill', async () => {
    const r = SiteCheckReport.parse((await check({ geometry: fixture('inside-boundary').geometry })).json());
    expect(r.verdicts.map((v) => [v.rule, v.status])).toEqual(RULE_IDS.map((id) => [id, 'pass']));
    const udb = r.layers.find((l) => l.layerId === 'urban-boundary')!;
    expect(udb.outside!.m2).toBe(0);
    expect(udb.inside!.m2).toBeCloseTo(r.site.area.m2, 2);
  });

  it('finds a conflict with permanent farmland and prices it in 亩', async () => {
    const r = SiteCheckReport.parse((await check({ geometry: fixture('crossing-farmland').geometry, use: '工业' })).json());
    const pf = r.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(pf.count).toBeGreaterThan(1);
    const v = r.verdicts.find((x) => x.rule === 'permanent-farmland')!;
    expect(v.status).toBe('conflict');
    expect(v.messageZh).toContain(`${pf.area.mu.toFixed(2)} 亩`);
    expect(v.ruleTextZh).toContain('永久基本农田');
    expect(r.verdicts.find((x) => x.rule === 'urban-boundary')!.status).toBe('warn');
  });

  it('flags the red line with the assessment it needs', async () => {
    const r = SiteCheckReport.parse((await check({ geometry: fixture('touching-red-line').geometry })).json());
    const red = r.layers.find((l) => l.layerId === 'eco-redline')!;
    expect(red.area.m2).toBeGreaterThan(0);
    expect(red.area.m2).toBeLessThan(r.site.area.m2);
    const v = r.verdicts.find((x) => x.rule === 'eco-redline')!;
    expect(v.status).toBe('warn');
    expect(v.messageZh).toContain('有限人为活动论证');
  });

  it('does not count a shared edge as an overlap', async () => {
    const r = SiteCheckReport.parse((await check({ geometry: fixture('shared-edge').geometry })).json());
    expect(r.layers.find((l) => l.layerId === 'permanent-farmland')!.count).toBe(0);
    expect(r.verdicts.find((v) => v.rule === 'permanent-farmland')!.status).toBe('pass');
  });

  it('measures the site on the CGCS2000 ellipsoid: GeographicLib within 1e-9, holes subtracted', async () => {
    for (const name of ['crossing-farmland', 'multipolygon-with-hole', 'touching-red-line']) {
      const g = fixture(name).geometry;
      const r = SiteCheckReport.parse((await check({ geometry: g })).json());
      const want = geographicLibArea(g);
      expect(Math.abs(r.site.area.m2 - want) / want, name).toBeLessThan(1e-9);
      expect(r.site.area.ha).toBeCloseTo(r.site.area.m2 / 10_000, 9);
      expect(r.site.area.mu).toBeCloseTo((r.site.area.m2 * 15) / 10_000, 9);
    }
  });

  it('agrees with PostGIS’s own ellipsoidal overlap areas, and the parts add up', async () => {
    const g = fixture('multipolygon-with-hole').geometry;
    const r = SiteCheckReport.parse((await check({ geometry: g })).json());
    const pf = r.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(pf.features.reduce((s, f) => s + f.overlapArea.m2, 0)).toBeCloseTo(pf.area.m2, 4);
    const rows = await db.query<{ code: string; a: number }>(
      `SELECT code, ST_Area(ST_Intersection(geom, ST_SetSRID(ST_GeomFromGeoJSON($1), 4490))::geography) AS a
         FROM permanent_farmland WHERE ST_Intersects(geom, ST_SetSRID(ST_GeomFromGeoJSON($1), 4490))`,
      [JSON.stringify(g)],
    );
    for (const f of pf.features) {
      const pg = rows.find((x) => x.code === f.code)!;
      expect(Math.abs(f.overlapArea.m2 - pg.a), f.code).toBeLessThan(0.01 + 1e-6 * pg.a);
    }
    const udb = r.layers.find((l) => l.layerId === 'urban-boundary')!;
    expect(Math.abs(udb.inside!.m2 + udb.outside!.m2 - r.site.area.m2) / r.site.area.m2).toBeLessThan(1e-6);
    for (const l of r.layers) expect(l.shareOfSite).toBeCloseTo(l.area.m2 / r.site.analysedArea.m2, 12);
  });

  it('trims the site to what is compliant, and the trimmed site passes the farmland and red-line rules', async () => {
    const r = SiteCheckReport.parse((await check({ geometry: fixture('crossing-farmland').geometry })).json());
    const pf = r.layers.find((l) => l.layerId === 'permanent-farmland')!;
    const red = r.layers.find((l) => l.layerId === 'eco-redline')!;
    // what trimming removed is printed from the same number as the overlaps it is made of, so
    // "removed" and "farmland + red line" can never round apart (1.4871 ha beside 1.4872 ha)
    expect(pf.area.m2).toBeGreaterThan(0);
    expect(r.trimmed.lost.m2).toBe(pf.area.m2 + red.area.m2);
    expect(r.trimmed.area.m2 + r.trimmed.lost.m2).toBeCloseTo(r.site.area.m2, 6);
    // and the trimmed geometry the planner checks again measures what the report says is left
    expect(Math.abs(geographicLibArea(r.trimmed.geometry as Geometry) - r.trimmed.area.m2) / r.site.area.m2).toBeLessThan(1e-6);
    const again = SiteCheckReport.parse((await check({ geometry: r.trimmed.geometry })).json());
    expect(again.verdicts.find((v) => v.rule === 'permanent-farmland')!.status).toBe('pass');
    expect(again.verdicts.find((v) => v.rule === 'eco-redline')!.status).toBe('pass');
  });

  it('adds up on a long thin strip: inside + outside, farmland + red line + trimmed, each the whole within 1e-6', async () => {
    // 55 km east–west, 33 m wide, across the urban boundary and many farmland fields: along such
    // edges a geodesic bows 41 m from the parallel, so only areas of the polygon the overlays cut
    // (edges straight in lon/lat) add up
    const g: Geometry = { type: 'Polygon', coordinates: [[[114.2, 34.6], [114.8, 34.6], [114.8, 34.6003], [114.2, 34.6003], [114.2, 34.6]]] };
    const r = SiteCheckReport.parse((await check({ geometry: g })).json());
    const site = r.site.area.m2;
    expect(Math.abs(site - geographicLibArea(g)) / site).toBeLessThan(1e-9);
    const layer = (id: string) => r.layers.find((l) => l.layerId === id)!;
    const pf = layer('permanent-farmland');
    const red = layer('eco-redline');
    const udb = layer('urban-boundary');
    expect(pf.count).toBeGreaterThan(10);
    expect(udb.inside!.m2).toBeGreaterThan(0);
    expect(udb.outside!.m2).toBeGreaterThan(0);
    const rel = (a: number) => Math.abs(a) / site;
    expect(rel(udb.inside!.m2 + udb.outside!.m2 - site)).toBeLessThan(1e-6);
    expect(rel(pf.area.m2 + red.area.m2 + r.trimmed.area.m2 - site)).toBeLessThan(1e-6);
    expect(r.trimmed.lost.m2).toBe(pf.area.m2 + red.area.m2);
    for (const l of r.layers) expect(rel(l.features.reduce((s, f) => s + f.overlapArea.m2, 0) - l.area.m2)).toBeLessThan(1e-9);
  });

  it('widens the analysed area by bufferMeters and reports both areas', async () => {
    const g = fixture('inside-boundary').geometry;
    const r = SiteCheckReport.parse((await check({ geometry: g, bufferMeters: 50 })).json());
    expect(r.bufferMeters).toBe(50);
    // a 150 m square grown by 50 m: about 250 × 250 m less the rounded corners
    expect(r.site.analysedArea.m2).toBeGreaterThan(150 * 150 + 4 * 150 * 50);
    expect(r.site.analysedArea.m2).toBeLessThan(250 * 250);
    expect(r.site.area.m2).toBeCloseTo(geographicLibArea(g), 2);
  });

  it('refuses a bow-tie with a 422 that says where it crosses, and repairs it when asked', async () => {
    const bow = fixture('bow-tie').geometry;
    const refused = await check({ geometry: bow });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('SELF_INTERSECTION');
    expect(refused.json().error.message).toMatch(/^选址几何无效：边界自相交（位置：东经 114\.\d{6}°，北纬 34\.\d{6}°）/);
    const repaired = await check({ geometry: bow, repair: true });
    expect(repaired.statusCode).toBe(201);
    const r = SiteCheckReport.parse(repaired.json());
    expect(r.site.repaired).toBe(true);
    expect(r.site.repairNoteZh).toContain('已自动修复');
    // GEOS's own words ("Self-intersection[114.42 34.64]") stay out of the note, in either language
    expect(r.site.repairNoteZh).toMatch(/^原几何无效（边界自相交（位置：东经 114\.\d{6}°，北纬 34\.\d{6}°））/);
    expect(r.site.repairNoteZh).not.toMatch(/[A-Za-z]/);
    expect(r.site.repairNoteEn).toMatch(/^The geometry as drawn was not valid \(the boundary crosses itself at 114\.\d{6}°E, 34\.\d{6}°N\)/);
    expect(r.site.area.m2).toBeGreaterThan(0);
    // a bow-tie's two triangles: together half its bounding box
    const [x0, y0] = bow.coordinates[0]![0]! as [number, number];
    const box = geographicLibArea({ type: 'Polygon', coordinates: [[[x0, y0], [x0 + 0.004, y0], [x0 + 0.004, y0 + 0.003], [x0, y0 + 0.003], [x0, y0]]] });
    expect(r.site.area.m2 / box).toBeCloseTo(0.5, 3);
  });

  it.each([
    ['an unclosed ring', { type: 'Polygon', coordinates: [[[114.3, 34.7], [114.31, 34.7], [114.31, 34.71], [114.3, 34.71]]] }, 'RING_NOT_CLOSED', '未闭合'],
    ['a ring of three positions', { type: 'Polygon', coordinates: [[[114.3, 34.7], [114.31, 34.7], [114.3, 34.7]]] }, 'RING_TOO_SHORT', '至少需要 4 个'],
    ['swapped lon/lat', { type: 'Polygon', coordinates: [[[34.7, 114.3], [34.71, 114.3], [34.71, 114.31], [34.7, 114.3]]] }, 'OUTSIDE_DATA_EXTENT', '经纬度可能颠倒'],
    ['projected metres given as degrees', { type: 'Polygon', coordinates: [[[38512034, 3853210], [38512134, 3853210], [38512134, 3853310], [38512034, 3853210]]] }, 'OUTSIDE_DATA_EXTENT', '坐标系不对'],
    ['collinear points', { type: 'Polygon', coordinates: [[[114.3, 34.7], [114.31, 34.7], [114.32, 34.7], [114.3, 34.7]]] }, 'ZERO_AREA', '面积为零'],
    ['a site over 100 km²', { type: 'Polygon', coordinates: [[[114.2, 34.5], [114.35, 34.5], [114.35, 34.62], [114.2, 34.62], [114.2, 34.5]]] }, 'SITE_TOO_LARGE', '超过上限 100 平方千米'],
  ])('refuses %s with a 422 naming the problem', async (_what, geometry, code, text) => {
    const res = await check({ geometry });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toContain(text);
  });

  it('refuses more than 50 000 vertices', async () => {
    const ring: number[][] = [];
    for (let i = 0; i < 50_001; i++) {
      const t = (i / 50_001) * 2 * Math.PI;
      ring.push([114.3 + 0.01 * Math.cos(t), 34.7 + 0.01 * Math.sin(t)]);
    }
    ring.push(ring[0]!);
    const res = await check({ geometry: { type: 'Polygon', coordinates: [ring] } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('TOO_MANY_VERTICES');
  });

  it('answers a body that is not a polygon with a 400 naming the field, in English on request', async () => {
    const res = await check({ geometry: { type: 'Point', coordinates: [114.3, 34.7] } }, { 'accept-language': 'en' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain('geometry.type');
    expect(res.json().error.message).toMatch(/^Invalid request body/);
    const neg = await check({ geometry: fixture('inside-boundary').geometry, bufferMeters: -5 });
    expect(neg.statusCode).toBe(400);
    expect(neg.json().error.message).toContain('缓冲距离不能为负');
  });

  it('files the report: GET returns it unchanged, its hash covers its content, and it cannot be altered', async () => {
    const posted = await check({ geometry: fixture('crossing-farmland').geometry, name: '某工业项目' });
    expect(posted.headers.location).toBe(`/api/site-checks/${posted.json().id}`);
    const report = SiteCheckReport.parse(posted.json());
    const got = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(posted.json());
    expect(hashReport(report)).toBe(report.contentHash);
    expect(hashReport({ ...report, name: '另一个项目' })).not.toBe(report.contentHash);
    const health = (await app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(report.dataVersion).toBe(health.dataVersion);
    await withRollback(db, async (tx) => {
      await expect(tx.query(`UPDATE site_check SET name = 'x' WHERE id = $1`, [report.id])).rejects.toThrow(/不可修改|immutable/);
    });
    await withRollback(db, async (tx) => {
      await expect(tx.query(`DELETE FROM site_check WHERE id = $1`, [report.id])).rejects.toThrow(/不可修改|immutable/);
    });
  });

  it('answers 404 for an unknown report and 400 for a malformed id', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/site-checks/00000000-0000-4000-8000-000000000000' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toContain('没有编号为');
    expect((await app.inject({ method: 'GET', url: '/api/site-checks/abc' })).statusCode).toBe(400);
  });
});
