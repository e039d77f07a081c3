import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { getLayer } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { layerSourceFor } from '../../server/src/modules/tiles/layer-source.ts';
import { TileService } from '../../server/src/modules/tiles/service.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { decodeTile, ringArea } from '../helpers/mvt.ts';
import { withRollback } from '../helpers/rollback.ts';

describe(`vector tiles on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('serves the nine counties in the z8 tile over Kaifeng, with their names', async () => {
    const { x, y } = lonLatToTile(114.5, 34.6, 8);
    const res = await get(`/tiles/admin-county/8/${x}/${y}.mvt`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const features = decodeTile(res.rawPayload).admin_county!;
    const names = Object.fromEntries(features.map((f) => [f.properties.code, f.properties.name]));
    expect(names).toEqual({
      '410202': '龙亭区',
      '410203': '顺河回族区',
      '410204': '鼓楼区',
      '410205': '禹王台区',
      '410212': '祥符区',
      '410221': '杞县',
      '410222': '通许县',
      '410223': '尉氏县',
      '410225': '兰考县',
    });
    // exterior rings have the positive (clockwise, y down) area the MVT spec requires
    for (const f of features) expect(ringArea(f.rings[0]!)).toBeGreaterThan(0);
  });

  it('carries a known stock parcel in its z15 tile with its id and tile attributes', async () => {
    const [parcel] = await db.query<{
      id: number; code: string; name: string; category: string; planned_use: string; status: string; area_m2: number; lon: number; lat: number;
    }>(
      `SELECT id, code, name, category, planned_use, status, area_m2,
              ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
         FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`,
    );
    const { x, y } = lonLatToTile(parcel!.lon, parcel!.lat, 15);
    const res = await get(`/tiles/stock-parcel/15/${x}/${y}.mvt`);
    expect(res.statusCode).toBe(200);
    const found = decodeTile(res.rawPayload).stock_parcel!.find((f) => f.id === parcel!.id);
    expect(found?.properties).toEqual({
      code: parcel!.code,
      category: parcel!.category,
      planned_use: parcel!.planned_use,
      status: parcel!.status,
      area_m2: parcel!.area_m2,
    });
  });

  it('sends dates as text and only the registry’s tile attributes', async () => {
    const [e] = await db.query<{ id: number; detected_on: string; lon: number; lat: number }>(
      `SELECT id, detected_on::text AS detected_on, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
         FROM encroachment ORDER BY id LIMIT 1`,
    );
    const { x, y } = lonLatToTile(e!.lon, e!.lat, 16);
    const res = await get(`/tiles/encroachment/16/${x}/${y}.mvt`);
    const f = decodeTile(res.rawPayload).encroachment!.find((k) => k.id === e!.id)!;
    expect(f.properties.detected_on).toBe(e!.detected_on);
    expect(Object.keys(f.properties).sort()).toEqual([...getLayer('encroachment')!.tileAttributes].sort());
  });

  it('answers 204 below a layer’s minimum zoom and for a tile with no feature', async () => {
    const below = lonLatToTile(114.6, 34.5, 12);
    expect((await get(`/tiles/permanent-farmland/12/${below.x}/${below.y}.mvt`)).statusCode).toBe(204);
    const ocean = lonLatToTile(0, 0, 10);
    const empty = await get(`/tiles/stock-parcel/10/${ocean.x}/${ocean.y}.mvt`);
    expect(empty.statusCode).toBe(204);
    expect(empty.rawPayload.length).toBe(0);
  });

  it('keeps a farmland tile at its minimum zoom under the registry’s feature cap', async () => {
    const z = getLayer('permanent-farmland')!.minZoom;
    const { x, y } = lonLatToTile(114.62, 34.45, z);
    const res = await get(`/tiles/permanent-farmland/${z}/${x}/${y}.mvt`);
    expect(res.statusCode).toBe(200);
    const n = decodeTile(res.rawPayload).permanent_farmland!.length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(getLayer('permanent-farmland')!.maxFeaturesPerTile);
    expect(Number(res.headers['x-tile-features'])).toBe(n);
  });

  it('answers 404 for an unknown layer and 400 for tile coordinates out of range, naming the problem', async () => {
    const unknown = await get('/tiles/farmland/10/0/0.mvt');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('没有名为 “farmland” 的图层');
    for (const bad of ['23/0/0', '3/8/0', '3/0/8', '-1/0/0', 'a/0/0', '3/1.5/0', '99999999999/0/0']) {
      const res = await get(`/tiles/stock-parcel/${bad}.mvt`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBe('INVALID_TILE');
      expect(res.json().error.message).toContain(bad);
    }
  });

  it('sends an ETag from the data version, answers 304 to a matching If-None-Match, and caches', async () => {
    const { x, y } = lonLatToTile(114.5, 34.6, 8);
    const url = `/tiles/admin-county/8/${x}/${y}.mvt`;
    const first = await get(url);
    expect(first.headers.etag).toMatch(/^"admin-county-v\d+-8-\d+-\d+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=60, s-maxage=1');
    const again = await get(url);
    expect(again.headers['x-cache']).toBe('hit');
    const notModified = await get(url, { 'if-none-match': String(first.headers.etag) });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
  });

  it('drops cached tiles and changes the ETag when the layer’s data changes', async () => {
    await withRollback(db, async (tx) => {
      const tiles = new TileService(tx, layerSourceFor({ ...tx, kind: db.kind }), { versionTtlMs: 0 });
      const layer = getLayer('stock-parcel')!;
      const [p] = await tx.query<{ id: number; lon: number; lat: number }>(
        `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY id LIMIT 1`,
      );
      const { x, y } = lonLatToTile(p!.lon, p!.lat, 15);
      const before = await tiles.tile(layer, 15, x, y);
      expect((await tiles.tile(layer, 15, x, y)).cached).toBe(true);
      await tx.query(`UPDATE stock_parcel SET status = '已供应' WHERE id = $1`, [p!.id]);
      const after = await tiles.tile(layer, 15, x, y);
      expect(after.cached).toBe(false);
      expect(after.etag).not.toBe(before.etag);
      const f = decodeTile(after.data).stock_parcel!.find((k) => k.id === p!.id)!;
      expect(f.properties.status).toBe('已供应');
    });
  });
});
