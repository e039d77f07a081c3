/**
 * 城市紫线 end to end, the layer added through the registry recipe: it is on the map for those
 * who may see it (catalog, tiles, features) and refused to the public; a site check judges it
 * by its rule (heritage approval, a warning) without trimming the compliant part by it; the
 * public report says it is touched without giving its outline; the report and its export
 * carry it; an administrator replaces it from a Shapefile made by GDAL, with the bureau's
 * field names read, and restores the seeded version; the database's trigger bumps its data
 * version. Expected areas come from PostGIS (ST_Area on geography), not from the product.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { LayerJob } from '../../core/contracts/layer-admin.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { decodeTile, tileOf } from '../helpers/mvt.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';

type Polygon = { type: 'Polygon'; coordinates: number[][][] };


function multipart(filename: string, content: Buffer) {
  const boundary = '----yizhangtu-purple-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe(`城市紫线 through the registry (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  let admin: SignedIn;
  /** The seeded 宋都御街 protection range. */
  let street: { id: number; code: string; lon: number; lat: number; east: number; south: number; north: number };
  /** A site over the range's eastern edge, partly inside it. */
  let site: Polygon;
  let expectedM2: number;
  let seededCount: number;

  const as = (who: SignedIn | null, o: InjectOptions): InjectOptions => ({
    ...o,
    headers: { ...(o.headers ?? {}), ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken } : {}) },
  });

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db, siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000 }, rateLimitPerMinute: { public: 1_000_000, signedIn: 1_000_000 } });
    planner = await signInAs(app, db, 'planner');
    admin = await signInAs(app, db, 'admin');
    const [s] = await db.query<{ id: number; code: string; lon: number; lat: number; east: number; south: number; north: number }>(
      `SELECT id, code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat,
              ST_XMax(geom) AS east, ST_YMin(geom) AS south, ST_YMax(geom) AS north
         FROM purple_line WHERE name = '宋都御街历史文化街区'`,
    );
    expect(s, 'the demo dataset has 宋都御街').toBeDefined();
    street = { ...s!, id: Number(s!.id) };
    const midLat = (street.south + street.north) / 2;
    const d = 0.0015; // ~140 m
    site = { type: 'Polygon', coordinates: [[[street.east - d, midLat - d], [street.east + d, midLat - d], [street.east + d, midLat + d], [street.east - d, midLat + d], [street.east - d, midLat - d]]] };
    const [e] = await db.query<{ m2: number }>(
      `SELECT sum(ST_Area(ST_Intersection(p.geom, s.g)::geography)) AS m2
         FROM purple_line p, (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g) s WHERE ST_Intersects(p.geom, s.g)`,
      [JSON.stringify(site)],
    );
    expectedM2 = Number(e!.m2);
    expect(expectedM2).toBeGreaterThan(1_000);
    seededCount = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM purple_line'))[0]!.n;
    expect(seededCount).toBeGreaterThan(5);
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('is in the catalog as a restricted planning line, with its count and draw order', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/layers' });
    expect(res.statusCode).toBe(200);
    const l = (res.json() as { id: string; group: string; sensitivity: string; featureCount: number; drawOrder: number; nameZh: string }[]).find((x) => x.id === 'purple-line');
    expect(l).toMatchObject({ nameZh: '城市紫线', group: 'planning', sensitivity: 'restricted', featureCount: seededCount });
    expect(l).not.toHaveProperty('table');
  });

  it('serves its tiles and features to a planner and refuses them to the public', async () => {
    const [z, x, y] = tileOf(street.lon, street.lat, 14);
    const url = `/tiles/purple-line/${z}/${x}/${y}.mvt`;
    const pub = await app.inject({ method: 'GET', url });
    expect(pub.statusCode).toBe(401);
    const tile = await app.inject(as(planner, { method: 'GET', url }));
    expect(tile.statusCode).toBe(200);
    const codes = (decodeTile(new Uint8Array(tile.rawPayload))['purple_line'] ?? []).map((f) => f.properties.code);
    expect(codes).toContain(street.code);

    const one = await app.inject(as(planner, { method: 'GET', url: `/api/layers/purple-line/features/${street.id}` }));
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().properties).toMatchObject({ code: street.code, name: '宋都御街历史文化街区', category: '历史文化街区' });
    expect((await app.inject({ method: 'GET', url: `/api/layers/purple-line/features/${street.id}` })).statusCode).toBe(401);
  });

  let reportId: string;

  it('judges a site touching it by its rule: heritage approval needed, the compliant part not trimmed by it', async () => {
    const res = await app.inject(as(planner, { method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '商业', name: '紫线测试', stockFirst: { reason: 'location' } } }));
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    reportId = r.id;
    const layer = r.layers.find((l: { layerId: string }) => l.layerId === 'purple-line');
    expect(layer).toMatchObject({ nameZh: '城市紫线', intersects: true, count: 1 });
    expect(Math.abs(layer.area.m2 - expectedM2) / expectedM2).toBeLessThan(1e-4);
    expect(layer.features[0]).toMatchObject({ id: street.id, code: street.code, attributes: { name: '宋都御街历史文化街区', category: '历史文化街区' } });
    const v = r.verdicts.find((x: { rule: string }) => x.rule === 'purple-line');
    expect(v.status).toBe('warn');
    expect(v.messageZh).toMatch(/^涉及城市紫线 .+亩.*，须取得历史文化保护审批。$/);
    expect(v.ruleTextZh).toContain('城市紫线范围内不得擅自新建');
    // the rules' layers in report order, the new one last
    expect(r.layers.map((l: { layerId: string }) => l.layerId)).toEqual(['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland', 'purple-line']);
    // the compliant part is the site less farmland and the red line only
    const pfEco = r.layers.filter((l: { layerId: string }) => l.layerId === 'permanent-farmland' || l.layerId === 'eco-redline').reduce((t: number, l: { area: { m2: number } }) => t + l.area.m2, 0);
    expect(r.trimmed.lost.m2).toBeCloseTo(pfEco, 1);
    expect(r.trimmed.area.m2).toBeGreaterThan(r.site.area.m2 - pfEco - 1);
  });

  it('tells the public the site touches it, with a rounded area and no outline or feature', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '商业', stockFirst: { reason: 'location' } } });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    const layer = r.layers.find((l: { layerId: string }) => l.layerId === 'purple-line');
    expect(layer.intersects).toBe(true);
    expect(layer.count).toBeNull();
    expect(layer.features).toEqual([]);
    expect(layer.intersection).toBeNull();
    expect(Math.abs(layer.area.mu - expectedM2 / (10_000 / 15))).toBeLessThanOrEqual(r.coarseAreaMu / 2 + 1e-9);
    expect(r.verdicts.find((x: { rule: string }) => x.rule === 'purple-line').status).toBe('warn');
  });

  it('is in the filed report and its GeoJSON export', async () => {
    const res = await app.inject(as(planner, { method: 'GET', url: `/api/site-checks/${reportId}` }));
    expect(res.statusCode).toBe(200);
    expect(res.json().verdicts.map((v: { rule: string }) => v.rule)).toContain('purple-line');
    const geo = await app.inject(as(planner, { method: 'GET', url: `/api/site-checks/${reportId}/export.geojson` }));
    expect(geo.statusCode, geo.body).toBe(200);
    const hit = geo.json().features.find((f: { properties: { kind: string; layer: string } }) => f.properties.kind === 'intersection' && f.properties.layer === 'purple-line');
    expect(hit).toBeDefined();
    expect(Math.abs(hit.properties.area_m2 - expectedM2) / expectedM2).toBeLessThan(1e-4);
  });

  const job = async (id: string, phases: string[]) => {
    for (let i = 0; i < 6000; i++) {
      const res = await app.inject(as(admin, { method: 'GET', url: `/api/admin/layer-jobs/${id}` }));
      const j = LayerJob.parse(res.json());
      if (phases.includes(j.phase)) return j;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${id} never reached ${phases.join('/')}`);
  };
  const version = async () => (await db.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'purple-line'`))[0]!.version;

  it('is replaced from a bureau Shapefile made by GDAL, its field names read, and restored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yzt-purple-'));
    try {
      const sq = (lon: number, lat: number, d: number) => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];
      const src = {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { ZXBH: 'ZX-TEST-1', BHDX: '包公祠', BHLX: '文物保护单位' }, geometry: { type: 'Polygon', coordinates: sq(street.lon - 0.03, street.lat - 0.03, 0.003) } },
          { type: 'Feature', properties: { ZXBH: 'ZX-TEST-2', BHDX: '相国寺', BHLX: '文物保护单位' }, geometry: { type: 'Polygon', coordinates: sq(street.lon - 0.02, street.lat - 0.03, 0.003) } },
        ],
      };
      writeFileSync(join(dir, 'src.geojson'), JSON.stringify(src));
      // GDAL writes the zipped Shapefile itself (.shp.zip), with the .cpg naming GBK
      execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', '-a_srs', 'EPSG:4490', '-nln', 'purple', join(dir, 'purple.shp.zip'), join(dir, 'src.geojson')]);
      const before = await version();
      const started = await app.inject(as(admin, { method: 'POST', url: '/api/admin/layers/purple-line/imports', ...multipart('城市紫线.zip', readFileSync(join(dir, 'purple.shp.zip'))) }));
      expect(started.statusCode, started.body).toBe(202);
      const ready = await job(started.json().jobId, ['ready', 'failed']);
      expect(ready.phase, JSON.stringify(ready.error)).toBe('ready');
      expect(ready.summary!.fields).toMatchObject({ code: 'ZXBH', name: 'BHDX', category: 'BHLX' });
      expect(ready.summary!.featureCount).toBe(2);
      expect(ready.summary!.replaces.featureCount).toBe(seededCount);
      const commit = await app.inject(as(admin, { method: 'POST', url: `/api/admin/layer-jobs/${started.json().jobId}/commit`, payload: {} }));
      expect(commit.statusCode, commit.body).toBe(202);
      const done = await job(started.json().jobId, ['done', 'failed']);
      expect(done.phase, JSON.stringify(done.error)).toBe('done');
      const rows = await db.query<{ code: string; name: string; category: string }>('SELECT code, name, category FROM purple_line ORDER BY code');
      expect(rows).toEqual([
        { code: 'ZX-TEST-1', name: '包公祠', category: '文物保护单位' },
        { code: 'ZX-TEST-2', name: '相国寺', category: '文物保护单位' },
      ]);
      // the trigger made from the registry bumped the layer's data version
      expect(await version()).toBeGreaterThan(before);

      const restore = await app.inject(as(admin, { method: 'POST', url: '/api/admin/layers/purple-line/versions/1/restore', payload: {} }));
      expect(restore.statusCode, restore.body).toBe(202);
      expect((await job(restore.json().jobId, ['done', 'failed'])).phase).toBe('done');
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM purple_line'))[0]!.n).toBe(seededCount);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not clear a site when the layer holds nothing: the verdict says it was not judged, to the public too', async () => {
    // the database is this file's own, and this is its last test
    await db.query('DELETE FROM purple_line');
    for (const who of [planner, null]) {
      const res = await app.inject(as(who, { method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '商业', stockFirst: { reason: 'location' } } }));
      expect(res.statusCode, res.body).toBe(201);
      const v = res.json().verdicts.find((x: { rule: string }) => x.rule === 'purple-line');
      expect(v.status).toBe('warn');
      expect(v.messageZh).toBe('未载入城市紫线数据，本项未作判定，须另行核实。');
    }
  });
});
