import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { getLayer, layers } from '../../core/layers.ts';
import { FeatureCollectionResponse, FeatureDetailResponse } from '../../core/contracts/features.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

describe(`feature queries, TileJSON and counties on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi({
      basemaps: [{ id: 'osm', name: 'OpenStreetMap', tiles: ['https://tile.example/{z}/{x}/{y}.png'], attribution: '© OSM', maxzoom: 19 }],
    }));
  });
  afterAll(async () => {
    await stop?.();
  });
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('returns the features intersecting a box as GeoJSON with every registry attribute', async () => {
    const bbox = [114.33, 34.77, 114.37, 34.8];
    const res = await get(`/api/layers/stock-parcel/features?bbox=${bbox.join(',')}&limit=5000`);
    expect(res.statusCode).toBe(200);
    const body = FeatureCollectionResponse.parse(res.json());
    const [{ n }] = (await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stock_parcel WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4490))`,
      bbox,
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    expect(body.features).toHaveLength(n);
    expect(body.truncated).toBe(false);
    const names = getLayer('stock-parcel')!.attributes.map((a) => a.name).sort();
    for (const f of body.features) {
      expect(Object.keys(f.properties).sort()).toEqual(names);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    }
  });

  it('caps the answer at limit and says it was truncated', async () => {
    const res = await get('/api/layers/permanent-farmland/features?bbox=113.8,34.1,115.3,35.1&limit=7');
    const body = FeatureCollectionResponse.parse(res.json());
    expect(body.features).toHaveLength(7);
    expect(body.truncated).toBe(true);
    expect(body.limit).toBe(7);
  });

  it.each([
    ['bbox=114,34,115&limit=10', 'bbox'],
    ['bbox=115,34,114,35', 'bbox'],
    ['bbox=114,34,115,95', 'bbox'],
    ['bbox=a,b,c,d', 'bbox'],
    ['limit=10', 'bbox'],
    ['bbox=114,34,115,35&limit=5001', 'limit'],
    ['bbox=114,34,115,35&limit=0', 'limit'],
    ['bbox=114,34,115,35&limit=2.5', 'limit'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/layers/stock-parcel/features?${query}`);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(body.error.message).toMatch(/^查询参数无效/);
  });

  it('returns one feature with all attributes and its area in m², 公顷 and 亩', async () => {
    const [row] = await db.query<{ id: number; code: string; area_m2: number }>(
      `SELECT id, code, area_m2 FROM permanent_farmland ORDER BY id LIMIT 1`,
    );
    const res = await get(`/api/layers/permanent-farmland/features/${row!.id}`);
    expect(res.statusCode).toBe(200);
    const f = FeatureDetailResponse.parse(res.json());
    expect(f.id).toBe(row!.id);
    expect(f.layer).toBe('permanent-farmland');
    expect(f.properties.code).toBe(row!.code);
    expect(f.area.m2).toBe(row!.area_m2);
    expect(f.area.ha).toBeCloseTo(row!.area_m2 / 10_000, 9);
    expect(f.area.mu).toBeCloseTo((row!.area_m2 * 15) / 10_000, 9);
  });

  it('answers 404 for a missing feature or layer and 400 for a malformed id', async () => {
    const missing = await get('/api/layers/stock-parcel/features/99999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('图层“存量土地”中没有编号为 99999999 的要素');
    expect((await get('/api/layers/nope/features/1')).statusCode).toBe(404);
    expect((await get('/api/layers/nope/features?bbox=114,34,115,35')).statusCode).toBe(404);
    const bad = await get('/api/layers/stock-parcel/features/abc', { 'accept-language': 'en' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('Invalid path parameter: Feature number must be a number');
    const beyond = await get('/api/layers/stock-parcel/features/2147483648');
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().error.message).toBe('路径参数无效：要素编号须为 1–2147483647 的整数');
  });

  it('describes every layer as TileJSON generated from the registry', async () => {
    for (const layer of layers) {
      const res = await get(`/api/layers/${layer.id}/tilejson`, { host: 'gis.example.cn' });
      expect(res.statusCode).toBe(200);
      const tj = res.json();
      expect(tj.tiles).toEqual([`http://gis.example.cn/tiles/${layer.id}/{z}/{x}/{y}.mvt`]);
      expect(tj.minzoom).toBe(layer.minZoom);
      expect(tj.vector_layers[0].id).toBe(layer.id.replace(/-/g, '_'));
      expect(Object.keys(tj.vector_layers[0].fields)).toEqual(layer.tileAttributes);
      expect(tj.bounds).toHaveLength(4);
    }
    expect((await get('/api/layers/nope/tilejson')).statusCode).toBe(404);
  });

  it('lists the counties with extents that hold their label points', async () => {
    const res = await get('/api/counties');
    expect(res.statusCode).toBe(200);
    const counties = res.json() as { code: string; name: string; bbox: number[]; labelPoint: number[]; areaM2: number }[];
    expect(counties.map((c) => c.name)).toEqual(['龙亭区', '顺河回族区', '鼓楼区', '禹王台区', '祥符区', '杞县', '通许县', '尉氏县', '兰考县']);
    for (const c of counties) {
      const [a, b, cc, d] = c.bbox as [number, number, number, number];
      expect(c.labelPoint[0]).toBeGreaterThan(a);
      expect(c.labelPoint[0]).toBeLessThan(cc);
      expect(c.labelPoint[1]).toBeGreaterThan(b);
      expect(c.labelPoint[1]).toBeLessThan(d);
      expect(c.areaM2).toBeGreaterThan(50e6);
    }
  });

  it("offers the configured external base maps and the demo's extent (Kaifeng's) to the client", async () => {
    const res = await get('/api/config');
    expect(res.json()).toEqual({
      basemaps: [{ id: 'osm', name: 'OpenStreetMap', tiles: ['https://tile.example/{z}/{x}/{y}.png'], attribution: '© OSM', maxzoom: 19 }],
      maxTileZoom: 16,
      dataExtent: { minLon: 113.5, minLat: 33.9, maxLon: 115.6, maxLat: 35.4, zh: '开封市一带', en: 'around Kaifeng' },
    });
  });
});
