/**
 * Townships (乡镇) and villages (村) as administrative units: the seeded ones tile their counties
 * and townships, carry official-style codes under their parent's, and reach the user — each case
 * in the list and on its page names the township holding its largest part, and a site check's
 * report lists the townships the site lies in with the area in each. Expected figures come from
 * PostGIS (geography areas, its own intersections), not from the product.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseDetail, CaseListResponse } from '../../core/contracts/cases.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

/** Geography area with edges straight in lon/lat, as the product measures (edges cut to ≤ 1e-4°). */
const AREA = (g: string) => `ST_Area(ST_Segmentize(${g}, 1e-4)::geography)`;

describe(`townships and villages (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi({ as: 'auditor' }));
  });
  afterAll(async () => {
    await stop?.();
  });

  it('tiles every county with 8–15 townships: their areas add up to the county’s within 0.01 %, nothing left over or outside', async () => {
    const rows = await db.query<{ code: string; n: number; county_m2: number; towns_m2: number; gap_m2: number; out_m2: number }>(`
      SELECT c.code, count(t.id)::int AS n, ${AREA('c.geom')} AS county_m2,
             (SELECT sum(${AREA('x.geom')}) FROM admin_township x WHERE x.county_code = c.code) AS towns_m2,
             ${AREA('ST_Difference(c.geom, ST_Union(t.geom, 1e-7), 1e-7)')} AS gap_m2,
             ${AREA('ST_Difference(ST_Union(t.geom, 1e-7), c.geom, 1e-7)')} AS out_m2
        FROM admin_county c JOIN admin_township t ON t.county_code = c.code
       GROUP BY c.code, c.geom ORDER BY c.code`);
    expect(rows.map((r) => r.code)).toEqual(['410202', '410203', '410204', '410205', '410212', '410221', '410222', '410223', '410225']);
    for (const r of rows) {
      expect(r.n, r.code).toBeGreaterThanOrEqual(8);
      expect(r.n, r.code).toBeLessThanOrEqual(15);
      expect(Math.abs(Number(r.towns_m2) - Number(r.county_m2)) / Number(r.county_m2), r.code).toBeLessThan(1e-4);
      expect(Number(r.gap_m2) / Number(r.county_m2), r.code).toBeLessThan(1e-4);
      expect(Number(r.out_m2) / Number(r.county_m2), r.code).toBeLessThan(1e-4);
    }
  });

  it('tiles every township with 10–30 villages, their areas adding up to the township’s within 0.01 %', async () => {
    const rows = await db.query<{ code: string; n: number; town_m2: number; villages_m2: number }>(`
      SELECT t.code, count(v.id)::int AS n, ${AREA('t.geom')} AS town_m2, sum(${AREA('v.geom')}) AS villages_m2
        FROM admin_township t JOIN admin_village v ON v.township_code = t.code
       GROUP BY t.code, t.geom`);
    const [{ towns } = { towns: 0 }] = await db.query<{ towns: number }>('SELECT count(*)::int AS towns FROM admin_township');
    expect(rows).toHaveLength(towns);
    for (const r of rows) {
      expect(r.n, r.code).toBeGreaterThanOrEqual(10);
      expect(r.n, r.code).toBeLessThanOrEqual(30);
      expect(Math.abs(Number(r.villages_m2) - Number(r.town_m2)) / Number(r.town_m2), r.code).toBeLessThan(1e-4);
    }
  });

  // Shared edges are exact between townships and between the villages of one township; villages
  // of two townships were cut separately, and each side's corners on the line between them are
  // rounded to the 1e-7° grid (up to 0.7e-7° off it, either way): slivers under 1.5e-7° wide.
  it('lets no two townships overlap by more than 1e-7°, nor two villages by more than the grid’s rounding on both sides (1.5e-7°)', async () => {
    for (const [table, width] of [['admin_township', 1e-7], ['admin_village', 1.5e-7]] as const) {
      const [r] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} a JOIN ${table} b ON a.id < b.id AND a.geom && b.geom
          WHERE ST_Area(ST_Intersection(ST_Buffer(a.geom, -${width}), b.geom)) > 0`,
      );
      expect(r!.n, table).toBe(0);
    }
  });

  it('codes townships with 9 digits under their county and villages with 12 under their township', async () => {
    const [t] = await db.query<{ bad: number; kinds: string[] }>(
      `SELECT count(*) FILTER (WHERE code !~ '^[0-9]{9}$' OR left(code, 6) <> county_code
                                  OR NOT EXISTS (SELECT 1 FROM admin_county c WHERE c.code = county_code))::int AS bad,
              array_agg(DISTINCT substr(code, 7, 1) ORDER BY substr(code, 7, 1)) AS kinds
         FROM admin_township`,
    );
    expect(t!.bad).toBe(0);
    // 0 街道 in the city districts, 1 镇 and 2 乡 in the counties (GB/T 10114 style)
    expect(t!.kinds).toEqual(['0', '1', '2']);
    const [v] = await db.query<{ bad: number; kinds: string[] }>(
      `SELECT count(*) FILTER (WHERE v.code !~ '^[0-9]{12}$' OR left(v.code, 9) <> v.township_code
                                  OR t.code IS NULL OR t.county_code <> v.county_code)::int AS bad,
              array_agg(DISTINCT substr(v.code, 10, 1) ORDER BY substr(v.code, 10, 1)) AS kinds
         FROM admin_village v LEFT JOIN admin_township t ON t.code = v.township_code`,
    );
    expect(v!.bad).toBe(0);
    expect(v!.kinds).toEqual(['0', '2']); // 0xx 居委会 (社区), 2xx 村委会
    const names = await db.query<{ dup: number }>(
      'SELECT count(*)::int AS dup FROM (SELECT county_code, name FROM admin_township GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    expect(names[0]!.dup).toBe(0);
  });

  /** The township holding the largest part of each case, as PostGIS finds it. */
  async function expectedTownships(): Promise<Map<string, { code: string; name: string }>> {
    const rows = await db.query<{ case_code: string; code: string; name: string }>(`
      SELECT DISTINCT ON (e.code) e.code AS case_code, t.code, t.name
        FROM encroachment e JOIN admin_township t ON ST_Intersects(t.geom, e.geom)
       ORDER BY e.code, ${AREA('ST_Intersection(t.geom, e.geom)')} DESC, t.code`);
    return new Map(rows.map((r) => [r.case_code, { code: r.code, name: r.name }]));
  }

  it('names each case’s township in the list and on the case page: the one holding its largest part', async () => {
    const expected = await expectedTownships();
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment');
    expect(expected.size).toBe(n); // every case lies in some township
    const res = await app.inject({ method: 'GET', url: '/api/cases?pageSize=100&sort=code' });
    expect(res.statusCode, res.body).toBe(200);
    const page = CaseListResponse.parse(res.json());
    expect(page.items.length).toBeGreaterThan(50);
    for (const c of page.items) expect(c.township, c.code).toEqual(expected.get(c.code));
    // a case crossing a township line, if the data has one, else the first case
    const [crossing] = await db.query<{ id: number }>(
      `SELECT e.id FROM encroachment e WHERE (SELECT count(*) FROM admin_township t WHERE ST_Relate(t.geom, e.geom, '2********')) > 1 ORDER BY e.id LIMIT 1`,
    );
    const id = crossing ? Number(crossing.id) : page.items[0]!.id;
    const one = await app.inject({ method: 'GET', url: `/api/cases/${id}` });
    expect(one.statusCode, one.body).toBe(200);
    const detail = CaseDetail.parse(one.json());
    expect(detail.township).toEqual(expected.get(detail.code));
    expect(detail.township!.code).toMatch(new RegExp(`^${detail.countyCode}\\d{3}$`));
  });

  it('lists in a site-check report the townships the site lies in, with areas that add up to the site’s', async () => {
    // a square of ~700 m round a point on the line between two townships of one county
    const [p] = await db.query<{ lon: number; lat: number; a: string; b: string }>(`
      SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat, a, b FROM (
        SELECT a.code AS a, b.code AS b,
               ST_LineInterpolatePoint(ST_GeometryN(ST_LineMerge(ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)), 1), 0.5) AS pt
          FROM admin_township a JOIN admin_township b ON a.county_code = b.county_code AND a.code < b.code AND a.geom && b.geom
         WHERE a.county_code = '410223'
           AND ST_Length(ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)) > 0.02
         ORDER BY a.code, b.code LIMIT 1) s`);
    expect(p, 'two neighbouring townships in 尉氏县').toBeDefined();
    const d = 0.0035;
    const [lon, lat] = [Number(p!.lon), Number(p!.lat)];
    const site = { type: 'Polygon' as const, coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
    const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '工业', name: '乡镇测试', stockFirst: { reason: 'location' } } });
    expect(res.statusCode, res.body).toBe(201);
    const report = SiteCheckReport.parse(res.json());
    const towns = report.townships!;
    expect(towns.map((t) => t.code)).toEqual(expect.arrayContaining([p!.a, p!.b]));
    const sum = towns.reduce((s, t) => s + t.area.m2, 0);
    expect(Math.abs(sum - report.site.analysedArea.m2) / report.site.analysedArea.m2).toBeLessThan(1e-4);
    const theirs = await db.query<{ code: string; name: string; m2: number }>(
      `SELECT t.code, t.name, ${AREA('ST_Intersection(t.geom, s.g)')} AS m2
         FROM admin_township t, (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g) s
        WHERE ST_Intersects(t.geom, s.g) ORDER BY m2 DESC`,
      [JSON.stringify(site)],
    );
    const big = theirs.filter((t) => Number(t.m2) > 0.01);
    expect(towns.map((t) => [t.code, t.name])).toEqual(big.map((t) => [t.code, t.name]));
    for (const [i, t] of towns.entries()) {
      expect(Math.abs(t.area.m2 - Number(big[i]!.m2))).toBeLessThan(0.01 + 1e-7 * t.area.m2);
      expect(t.area.mu).toBeCloseTo(t.area.m2 / (10_000 / 15), 4);
    }
    // the filed report reads back with them
    const again = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}` });
    expect(again.statusCode, again.body).toBe(200);
    expect(SiteCheckReport.parse(again.json()).townships).toEqual(towns);
  });
});
