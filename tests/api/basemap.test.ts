/**
 * The offline base map's tiles (/tiles/basemap/…): the Yellow River, the main roads and the
 * named villages are where the generator put them, drawn from the zoom the map needs them at,
 * as points, lines and polygons; they lie in the farmland's gaps; and the tiles are public and
 * cached with their data version like a layer's. Run on both backends (with and without
 * DATABASE_URL): PostGIS encodes with ST_AsMVT, the embedded database in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { LineString, Point, Polygon } from 'geojson';
import type { Database } from '../../server/src/db/database.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { generateDataset } from '../../seeds/generate.ts';
import type { BasemapFeature } from '../../seeds/lib/basemap.ts';
import { startApi } from '../helpers/api.ts';
import { TEST_SEED, backend } from '../helpers/backend.ts';
import { decodeTile, type DecodedFeature } from '../helpers/mvt.ts';

/** A lon/lat in the tile units (0..4096, y down) of tile z/x/y. */
function toTile(lon: number, lat: number, z: number, x: number, y: number) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  const tx = ((lon + 180) / 360) * n;
  const ty = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
  return { x: (tx - x) * 4096, y: (ty - y) * 4096 };
}

/** Distance in tile units from a point to the nearest segment of a feature's lines. */
function distanceToLines(p: { x: number; y: number }, f: DecodedFeature): number {
  let best = Infinity;
  for (const line of f.rings)
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1]!;
      const b = line[i]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const t = dx || dy ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy))) : 0;
      best = Math.min(best, Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)));
    }
  return best;
}

/** Even–odd point in polygon over all of a feature's rings (tile units). */
function insideRings(p: { x: number; y: number }, f: DecodedFeature): boolean {
  let inside = false;
  for (const ring of f.rings)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i]!;
      const b = ring[j]!;
      if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    }
  return inside;
}

describe(`the offline base map's tiles on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  let generated: BasemapFeature[];
  beforeAll(async () => {
    ({ app, db, stop } = await startApi({ as: 'public' }));
    generated = generateDataset({ scale: 'demo', seed: TEST_SEED }).basemap();
  }, 120_000);
  afterAll(async () => {
    await stop?.();
  });

  const tileAt = async (lon: number, lat: number, z: number) => {
    const { x, y } = lonLatToTile(lon, lat, z);
    const res = await app.inject({ method: 'GET', url: `/tiles/basemap/${z}/${x}/${y}.mvt` });
    const features = res.statusCode === 200 ? decodeTile(res.rawPayload).basemap ?? [] : [];
    return { res, features, at: toTile(lon, lat, z, x, y) };
  };
  const one = (pred: (f: BasemapFeature) => boolean) => {
    const f = generated.find(pred);
    expect(f, 'the generator made it').toBeDefined();
    return f!;
  };

  it('draws the Yellow River as water along the northern edge, from the city view on', async () => {
    const river = one((f) => f.kind === 'waterway' && f.name === '黄河');
    const coords = (river.geometry as LineString).coordinates;
    for (const z of [8, 12, 15]) {
      const [lon, lat] = coords[Math.floor(coords.length * 0.4)]!;
      const { features, at } = await tileAt(lon!, lat!, z);
      const water = features.filter((f) => f.properties.kind === 'water' && f.properties.name === '黄河');
      expect(water, `z${z}`).toHaveLength(1);
      expect(water[0]!.type).toBe(3);
      expect(water[0]!.properties).toMatchObject({ class: 'river', name_en: 'Yellow River' });
      expect(insideRings(at, water[0]!), `z${z}: the river's centre is in the water polygon`).toBe(true);
    }
    // north of Kaifeng: the water's centre line lies north of every county's interior at its longitude
    const [{ n }] = (await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM basemap_feature b, admin_county c
        WHERE b.kind = 'waterway' AND b.name = '黄河' AND ST_Intersects(ST_PointN(b.geom, 100), c.geom)`,
    )) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('carries the smaller rivers as lines from z8', async () => {
    for (const name of ['惠济河', '涡河', '贾鲁河']) {
      const r = one((f) => f.kind === 'waterway' && f.name === name);
      const [lon, lat] = (r.geometry as LineString).coordinates[1]!;
      const { features, at } = await tileAt(lon!, lat!, 10);
      const line = features.find((f) => f.properties.kind === 'waterway' && f.properties.name === name);
      expect(line?.type, name).toBe(2);
      expect(distanceToLines(at, line!), name).toBeLessThanOrEqual(2);
    }
  });

  it('carries the main roads by class and name, each from its zoom, where the generator ran them', async () => {
    const cases: { name: string; cls: string; zooms: number[]; hiddenAt?: number }[] = [
      { name: '连霍高速', cls: 'expressway', zooms: [7, 10, 15] },
      { name: 'G310', cls: 'national', zooms: [8, 12, 16] },
      { name: 'S219', cls: 'provincial', zooms: [9, 13], hiddenAt: 6 },
      { name: 'X001', cls: 'county', zooms: [11, 15], hiddenAt: 8 },
    ];
    for (const c of cases) {
      const road = one((f) => f.kind === 'road' && f.name === c.name);
      expect(road.class).toBe(c.cls);
      const coords = (road.geometry as LineString).coordinates;
      const [lon, lat] = coords[Math.floor(coords.length / 2)]!;
      for (const z of c.zooms) {
        const { features, at } = await tileAt(lon!, lat!, z);
        const line = features.find((f) => f.properties.kind === 'road' && f.properties.name === c.name);
        expect(line, `${c.name} at z${z}`).toBeDefined();
        expect(line!.type).toBe(2);
        expect(line!.properties.class).toBe(c.cls);
        expect(distanceToLines(at, line!), `${c.name} at z${z}`).toBeLessThanOrEqual(2);
      }
      if (c.hiddenAt !== undefined) {
        const { features } = await tileAt(lon!, lat!, c.hiddenAt);
        expect(features.some((f) => f.properties.name === c.name), `${c.name} not yet at z${c.hiddenAt}`).toBe(false);
      }
    }
  });

  it('names villages, town seats and county seats at their places, in Chinese and English', async () => {
    const villages = generated.filter((f) => f.kind === 'place' && f.class === 'village').slice(0, 40).filter((_, i) => i % 8 === 0);
    const towns = generated.filter((f) => f.kind === 'place' && f.class === 'town').slice(0, 3);
    const seats = generated.filter((f) => f.kind === 'place' && f.class === 'county_seat');
    expect(villages.length).toBeGreaterThanOrEqual(5);
    for (const [places, z] of [[villages, 14], [towns, 11], [seats, 8]] as const) {
      for (const p of places) {
        const [lon, lat] = (p.geometry as Point).coordinates as [number, number];
        const { features, at } = await tileAt(lon, lat, z);
        const label = features.find((f) => f.properties.kind === 'place' && f.properties.name === p.name);
        expect(label, `${p.name} at z${z}`).toBeDefined();
        expect(label!.type).toBe(1);
        expect(label!.properties).toMatchObject({ class: p.class, name_en: p.nameEn });
        expect(Math.hypot(label!.rings[0]![0]!.x - at.x, label!.rings[0]![0]!.y - at.y)).toBeLessThanOrEqual(1);
      }
    }
    // every village is named in the township the database holds for that place
    const v = villages[0]!;
    const [lon, lat] = (v.geometry as Point).coordinates as [number, number];
    const [unit] = await db.query<{ name: string }>(
      `SELECT name FROM admin_village WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490))`,
      [lon, lat],
    );
    expect(unit?.name).toBe(v.name);
    expect(v.nameEn).toMatch(/^[A-Z][a-z']+ (Village|Community)$/);
    // a village's name is not in the city view's tiles
    const { features } = await tileAt(lon, lat, 9);
    expect(features.some((f) => f.properties.name === v.name)).toBe(false);
  });

  it('draws the built-up village areas from z10, as polygons round the named points', async () => {
    const v = generated.find((f) => f.kind === 'place' && f.class === 'village')!;
    const [lon, lat] = (v.geometry as Point).coordinates as [number, number];
    const { features, at } = await tileAt(lon, lat, 15);
    const built = features.filter((f) => f.properties.kind === 'builtup' && f.properties.class === 'village');
    expect(built.some((f) => f.type === 3 && insideRings(at, f))).toBe(true);
  });

  it('runs roads and villages in the gaps the farmland leaves, never across a field', async () => {
    for (const table of ['permanent_farmland', 'general_farmland']) {
      const rows = await db.query<{ kind: string; n: number }>(
        `SELECT b.kind, count(*)::int AS n FROM basemap_feature b JOIN ${table} f ON b.geom && f.geom AND ST_Intersects(b.geom, f.geom)
          WHERE b.kind IN ('road', 'waterway', 'builtup', 'place') AND b.class <> 'urban' GROUP BY b.kind`,
      );
      expect(rows, table).toEqual([]);
    }
    const [{ water }] = (await db.query<{ water: number }>(
      `SELECT count(*)::int AS water FROM basemap_feature b JOIN permanent_farmland f ON b.geom && f.geom AND ST_Intersects(b.geom, f.geom) WHERE b.kind = 'water'`,
    )) as [{ water: number }];
    expect(water).toBe(0);
  });

  it('is public and cached with its data version, like a layer’s tiles', async () => {
    const { x, y } = lonLatToTile(114.35, 34.79, 12);
    const url = `/tiles/basemap/12/${x}/${y}.mvt`;
    const first = await app.inject({ method: 'GET', url });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(first.headers['cache-control']).toBe('public, max-age=60, s-maxage=1');
    expect(first.headers.vary ?? '').not.toMatch(/cookie/i);
    const [{ version }] = (await db.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'basemap'`)) as [{ version: number }];
    expect(version).toBeGreaterThan(0);
    expect(first.headers.etag).toBe(`"basemap-v${version}-12-${x}-${y}"`);
    const again = await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    // out of the pyramid: a clear 400 in the caller's language
    const bad = await app.inject({ method: 'GET', url: '/tiles/basemap/23/0/0.mvt', headers: { 'accept-language': 'en' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^Invalid tile/);
  });
});
