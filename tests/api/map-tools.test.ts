/**
 * The map's tools on the server: identify (every layer at a clicked point, the public seeing only
 * public layers) and search (places, codes, coordinates). Expected features, names and places come
 * from SQL on the seeded tables; expected coordinates from PROJ's cs2cs, never from the product.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { IdentifyResponse, SearchResponse } from '../../core/contracts/map-tools.ts';
import { layers } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { buildApp } from '../../server/src/app.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';
import { backend } from '../helpers/backend.ts';

/** cs2cs from a CGCS2000 GK zone (EPSG axis order: X northing, Y easting) to EPSG:4490 (lat, lon). */
function cs2cs(epsg: number, northing: number, easting: number): { lon: number; lat: number } {
  const out = execFileSync('cs2cs', ['-f', '%.10f', `EPSG:${epsg}`, 'EPSG:4490'], { input: `${northing} ${easting}\n` }).toString();
  const [lat, lon] = out.trim().split(/\s+/).map(Number) as [number, number];
  return { lon, lat };
}

const RESTRICTED = layers.filter((l) => l.sensitivity === 'restricted').map((l) => l.id);

describe(`map tools: identify and search (${backend})`, () => {
  let db: Database;
  let close: () => Promise<void>;
  const apps: Record<'public' | 'planner' | 'auditor', FastifyInstance> = {} as never;
  beforeAll(async () => {
    const t = await openTestDatabase();
    db = t.db;
    close = t.close;
    for (const role of ['public', 'planner', 'auditor'] as const) {
      apps[role] = await buildApp({ db });
      await actAs(apps[role], db, role);
    }
  });
  afterAll(async () => {
    for (const app of Object.values(apps)) await app.close();
    await close?.();
  });
  const get = (role: keyof typeof apps, url: string, lang = 'zh') => apps[role].inject({ method: 'GET', url, headers: { 'accept-language': lang } });

  describe('identify', () => {
    /** A permanent farmland field's inner point, with the county it lies in (from SQL). */
    async function fieldPoint() {
      const [r] = await db.query<{ id: number; code: string; lon: number; lat: number; county: string; county_en: string }>(
        `SELECT f.id, f.code, ST_X(ST_PointOnSurface(f.geom)) AS lon, ST_Y(ST_PointOnSurface(f.geom)) AS lat, c.name AS county, c.name_en AS county_en
           FROM permanent_farmland f JOIN admin_county c ON c.code = f.county_code ORDER BY f.area_m2 DESC LIMIT 1`,
      );
      return r!;
    }

    it('gives a planner every layer at the point, topmost first, with key attributes and the county by name', async () => {
      const f = await fieldPoint();
      const res = await get('planner', `/api/identify?lon=${f.lon}&lat=${f.lat}&zoom=16`);
      expect(res.statusCode, res.body).toBe(200);
      const body = IdentifyResponse.parse(res.json());
      const ids = body.layers.map((l) => l.layer);
      // the field, and the administrative units it lies in
      expect(ids).toContain('permanent-farmland');
      expect(ids).toContain('admin-county');
      expect(ids).toContain('township');
      expect(ids).toContain('village');
      // topmost first: the map's draw order reversed
      const order = ids.map((id) => layers.find((l) => l.id === id)!.drawOrder);
      expect(order).toEqual([...order].sort((a, b) => b - a));
      const field = body.layers.find((l) => l.layer === 'permanent-farmland')!.features[0]!;
      expect(field.id).toBe(f.id);
      expect(field.code).toBe(f.code);
      expect(field.distanceM).toBe(0);
      expect(field.countyName).toBe(f.county);
      expect(field.countyNameEn).toBe(f.county_en);
      expect(field.properties).toHaveProperty('land_class_name');
      expect(field.link).toEqual({ kind: 'feature', href: `/api/layers/permanent-farmland/features/${f.id}` });
      const county = body.layers.find((l) => l.layer === 'admin-county')!.features[0]!;
      expect(county.countyName).toBe(f.county);
      expect(body.withheld).toEqual([]);
    });

    it('gives the public only the public layers at the same point, and names the restricted ones withheld', async () => {
      const f = await fieldPoint();
      const res = await get('public', `/api/identify?lon=${f.lon}&lat=${f.lat}&zoom=16`);
      expect(res.statusCode, res.body).toBe(200);
      const body = IdentifyResponse.parse(res.json());
      for (const l of body.layers) expect(RESTRICTED).not.toContain(l.layer);
      expect(body.layers.map((l) => l.layer)).toContain('admin-county');
      expect(res.body).not.toContain(f.code);
      expect(new Set(body.withheld)).toEqual(new Set(RESTRICTED));
      // asking for a restricted layer by name gets nothing of it either
      const asked = IdentifyResponse.parse((await get('public', `/api/identify?lon=${f.lon}&lat=${f.lat}&zoom=16&layers=permanent-farmland`)).json());
      expect(asked.layers).toEqual([]);
    });

    it('links a stock parcel to its page and a case to its page for an auditor (its record for a planner)', async () => {
      const [p] = await db.query<{ id: number; code: string; lon: number; lat: number }>(
        `SELECT id, code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`,
      );
      const parcel = IdentifyResponse.parse((await get('public', `/api/identify?lon=${p!.lon}&lat=${p!.lat}&zoom=17`)).json());
      const hit = parcel.layers.find((l) => l.layer === 'stock-parcel')!.features.find((x) => x.id === p!.id)!;
      expect(hit.link).toEqual({ kind: 'stock-parcel', href: `/stock/${encodeURIComponent(p!.code)}` });
      const [c] = await db.query<{ id: number; lon: number; lat: number }>(
        `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM encroachment ORDER BY area_m2 DESC LIMIT 1`,
      );
      const url = `/api/identify?lon=${c!.lon}&lat=${c!.lat}&zoom=17&layers=encroachment`;
      const asAuditor = IdentifyResponse.parse((await get('auditor', url)).json()).layers[0]!.features.find((x) => x.id === c!.id)!;
      expect(asAuditor.link).toEqual({ kind: 'case', href: `/audit/cases/${c!.id}` });
      const asPlanner = IdentifyResponse.parse((await get('planner', url)).json()).layers[0]!.features.find((x) => x.id === c!.id)!;
      expect(asPlanner.link.kind).toBe('feature');
    });

    it('finds a parcel 10 m off its edge within a tolerance of 4 pixels at zoom 14 (≈ 15 m), not at zoom 18 (≈ 1 m)', async () => {
      // 10 m east of the parcel's easternmost vertex (geography: PostGIS's own projection of the point)
      const [p] = await db.query<{ id: number; lon: number; lat: number; d: number }>(
        `WITH e AS (SELECT id, geom, (SELECT g.geom FROM ST_DumpPoints(s.geom) g ORDER BY ST_X(g.geom) DESC LIMIT 1) AS v FROM stock_parcel s ORDER BY area_m2 DESC LIMIT 1),
              o AS (SELECT id, geom, ST_Project(v::geography, 10, pi() / 2)::geometry AS pt FROM e)
         SELECT id, ST_X(pt) AS lon, ST_Y(pt) AS lat, ST_Distance(geom::geography, ST_SetSRID(pt, 4490)::geography) AS d FROM o`,
      );
      expect(p!.d).toBeGreaterThan(9);
      const at = (zoom: number) => `/api/identify?lon=${p!.lon}&lat=${p!.lat}&zoom=${zoom}&tolerance=4&layers=stock-parcel`;
      const near = IdentifyResponse.parse((await get('public', at(14))).json());
      expect(near.toleranceM).toBeGreaterThan(12);
      const hit = near.layers[0]?.features.find((x) => x.id === p!.id);
      expect(hit, 'found at zoom 14').toBeDefined();
      expect(hit!.distanceM).toBeCloseTo(p!.d, 0);
      const far = IdentifyResponse.parse((await get('public', at(18))).json());
      expect(far.toleranceM).toBeLessThan(2);
      expect(far.layers.flatMap((l) => l.features).some((x) => x.id === p!.id)).toBe(false);
    });

    it.each([
      ['lat=34.8&zoom=14', '经度', 'Longitude'],
      ['lon=114.3&lat=95&zoom=14', '纬度', 'Latitude'],
      ['lon=114.3&lat=34.8&zoom=30', '缩放级别', 'Zoom'],
      ['lon=114.3&lat=34.8&zoom=14&tolerance=100', '容差', 'Tolerance'],
      ['lon=114.3&lat=34.8&zoom=14&layers=nope', 'nope', 'nope'],
    ])('refuses %s with a 400 naming the field in the request’s language', async (query, zh, en) => {
      const res = await get('public', `/api/identify?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain(zh);
      const inEnglish = await get('public', `/api/identify?${query}`, 'en');
      expect(inEnglish.statusCode).toBe(400);
      expect(inEnglish.json().error.message).toContain(en);
      expect(inEnglish.json().error.message).not.toMatch(/[\u3400-\u9fff]/);
    });
  });

  describe('search', () => {
    const search = async (role: keyof typeof apps, q: string, lang = 'zh') => {
      const res = await get(role, `/api/search?q=${encodeURIComponent(q)}`, lang);
      expect(res.statusCode, res.body).toBe(200);
      return SearchResponse.parse(res.json());
    };

    it('finds a stock parcel by its code, for everyone, with its page and a point inside it', async () => {
      const [p] = await db.query<{ id: number; code: string }>(`SELECT id, code FROM stock_parcel ORDER BY id LIMIT 1 OFFSET 17`);
      const body = await search('public', p!.code.toLowerCase());
      const first = body.results[0]!;
      expect(first).toMatchObject({ kind: 'stock-parcel', layer: 'stock-parcel', id: p!.id, code: p!.code, link: { kind: 'stock-parcel', href: `/stock/${encodeURIComponent(p!.code)}` } });
      const [inside] = await db.query<{ ok: boolean }>(`SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490)) AS ok FROM stock_parcel WHERE id = $3`, [...first.point, p!.id]);
      expect(inside!.ok).toBe(true);
    });

    it('finds a case by its code for an auditor (its page), for a planner (its record), never for the public', async () => {
      const [c] = await db.query<{ id: number; code: string }>(`SELECT id, code FROM encroachment ORDER BY id LIMIT 1 OFFSET 5`);
      expect((await search('auditor', c!.code)).results[0]).toMatchObject({ kind: 'case', id: c!.id, link: { kind: 'case', href: `/audit/cases/${c!.id}` } });
      expect((await search('planner', c!.code)).results[0]).toMatchObject({ kind: 'case', id: c!.id, link: { kind: 'feature' } });
      const pub = await search('public', c!.code);
      expect(pub.results).toEqual([]);
    });

    it('finds a farmland field by its 图斑编号 for a planner, not for the public', async () => {
      const [f] = await db.query<{ id: number; code: string }>(`SELECT id, code FROM general_farmland ORDER BY id LIMIT 1 OFFSET 100`);
      expect((await search('planner', f!.code)).results[0]).toMatchObject({ kind: 'field', layer: 'general-farmland', id: f!.id, code: f!.code });
      expect((await search('public', f!.code)).results.some((r) => r.code === f!.code)).toBe(false);
    });

    it('finds a county, a township and a village by name, each with where it lies', async () => {
      const county = await search('public', '祥符区');
      expect(county.results[0]).toMatchObject({ kind: 'county', name: '祥符区', layer: 'admin-county' });
      expect((await search('public', 'xiangfu', 'en')).results[0]).toMatchObject({ kind: 'county', name: '祥符区' });
      const [t] = await db.query<{ id: number; name: string; county: string }>(
        `SELECT t.id, t.name, c.name AS county FROM admin_township t JOIN admin_county c ON c.code = t.county_code ORDER BY t.id LIMIT 1 OFFSET 3`,
      );
      const town = (await search('public', t!.name)).results.find((r) => r.kind === 'township' && r.id === t!.id);
      expect(town, `township ${t!.name}`).toBeDefined();
      expect(town!.contextZh).toContain(t!.county);
      const [v] = await db.query<{ id: number; name: string; township: string }>(
        `SELECT v.id, v.name, w.name AS township FROM admin_village v JOIN admin_township w ON w.code = v.township_code ORDER BY v.id LIMIT 1 OFFSET 40`,
      );
      const village = (await search('public', v!.name)).results.find((r) => r.kind === 'village' && r.id === v!.id);
      expect(village, `village ${v!.name}`).toBeDefined();
      expect(village!.contextZh).toContain(v!.township);
      const [inside] = await db.query<{ ok: boolean }>(`SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490)) AS ok FROM admin_village WHERE id = $3`, [...village!.point, v!.id]);
      expect(inside!.ok).toBe(true);
    });

    it('reads longitude/latitude in decimal degrees (either order) and in degrees, minutes and seconds', async () => {
      for (const q of ['114.358333, 34.786667', '34.786667 114.358333', '114°21′30″E 34°47′12″N', '东经114度21分30秒 北纬34度47分12秒']) {
        const r = (await search('public', q)).results;
        expect(r, q).toHaveLength(1);
        expect(r[0]!.kind).toBe('coordinates');
        expect(r[0]!.point[0], q).toBeCloseTo(114.358333, 5);
        expect(r[0]!.point[1], q).toBeCloseTo(34.786667, 5);
      }
    });

    it.each([
      ['38512345.6 3845678.9', 4526, 38512345.6],
      ['3845678.9, 38512345.6', 4526, 38512345.6],
      ['X=3845678.9 Y=512345.6', 4547, 512345.6],
      ['512345.6 3845678.9', 4547, 512345.6],
    ])('reads Gauss–Krüger %s where cs2cs (EPSG:%i) puts it', async (q, epsg, easting) => {
      const expected = cs2cs(epsg, 3845678.9, easting);
      const [r] = (await search('public', q)).results;
      expect(r!.kind).toBe('coordinates');
      expect(Math.abs(r!.point[0] - expected.lon)).toBeLessThan(1e-8);
      expect(Math.abs(r!.point[1] - expected.lat)).toBeLessThan(1e-8);
      expect(r!.contextZh).toContain('第 38 带');
    });

    it('a GK point of a parcel (projected by cs2cs) lands on that parcel', async () => {
      const [p] = await db.query<{ id: number; lon: number; lat: number }>(`SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`);
      const out = execFileSync('cs2cs', ['-f', '%.4f', 'EPSG:4490', 'EPSG:4526'], { input: `${p!.lat} ${p!.lon}\n` }).toString();
      const [x, y] = out.trim().split(/\s+/).map(Number) as [number, number];
      const [r] = (await search('public', `${y} ${x}`)).results;
      const [inside] = await db.query<{ ok: boolean }>(`SELECT ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490)) AS ok FROM stock_parcel WHERE id = $3`, [...r!.point, p!.id]);
      expect(inside!.ok).toBe(true);
    });

    it.each([
      ['', 400, '检索内容', 'Search text'],
      ['x'.repeat(101), 400, '检索内容', 'Search text'],
      ['99512345.6 3845678.9', 422, '带号 99', 'Zone 99'],
      ['1234567.8 2345678.9', 422, 'X（北坐标）', 'northing'],
      ['200 95', 422, '经度', 'Longitude'],
      ['512345.6 6845678.9', 422, '带号', 'zone prefix'],
    ])('refuses %j with %i in the request’s language', async (q, status, zh, en) => {
      const res = await get('public', `/api/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.message).toContain(zh);
      const inEnglish = await get('public', `/api/search?q=${encodeURIComponent(q)}`, 'en');
      expect(inEnglish.json().error.message).toContain(en);
      expect(inEnglish.json().error.message).not.toMatch(/[\u3400-\u9fff]/);
    });

    it('answers a query that matches nothing with no results, not an error', async () => {
      expect((await search('public', '不存在的地名xyz')).results).toEqual([]);
    });
  });
});
