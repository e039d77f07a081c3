/**
 * The two LayerSource implementations agree: PostGIS's ST_AsMVT tiles and the
 * embedded database's Node-encoded tiles carry the same features (ids) with
 * the same attributes and nearly the same geometry. On the PostGIS run this
 * compares the real PostGIS tiles with tiles from an embedded copy of the same
 * dataset; the Node encoder is also checked against ST_AsMVT on one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLayer, layers, type LayerDefinition } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { mvtLayerName, nodeEncodedSource, postgisSource } from '../../server/src/modules/tiles/layer-source.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { openEmbeddedCopy, openTestDatabase } from '../helpers/db.ts';
import { testDatabaseUrl } from '../helpers/backend.ts';
import { clipRingToTile, decodeTile, ringArea, ringPerimeter } from '../helpers/mvt.ts';
import { BASEMAP_MVT_LAYER, nodeEncodedBasemapSource, postgisBasemapSource, type BasemapSource } from '../../server/src/modules/tiles/basemap-source.ts';

/**
 * The base map's tiles (points, lines and polygons in one layer) agree: the same features with
 * the same attributes and types; points on the same unit; lines and polygons drawn about the
 * same — a line's drawn length within its vertex count of units (each vertex snaps by under a
 * unit), a polygon's drawn area as a layer's.
 */
async function compareBasemap(a: BasemapSource, b: BasemapSource) {
  let compared = 0;
  const lineLength = (lines: { x: number; y: number }[][]) =>
    lines.reduce((s, l) => s + l.slice(1).reduce((t, p, i) => t + Math.hypot(p.x - l[i]!.x, p.y - l[i]!.y), 0), 0);
  for (const z of [8, 11, 14, 16]) {
    for (const [lon, lat] of [...places, [114.62, 34.78] as [number, number]]) {
      const { x, y } = lonLatToTile(lon, lat, z);
      const [ta, tb] = [await a.tile(z, x, y), await b.tile(z, x, y)];
      const fa = ta.features ? decodeTile(ta.data)[BASEMAP_MVT_LAYER]! : [];
      const fb = tb.features ? decodeTile(tb.data)[BASEMAP_MVT_LAYER]! : [];
      const where = `basemap ${z}/${x}/${y}`;
      expect(fa.map((f) => f.id).sort(), where).toEqual(fb.map((f) => f.id).sort());
      const byId = new Map(fb.map((f) => [f.id, f]));
      for (const f of fa) {
        const g = byId.get(f.id)!;
        expect(f.properties, `${where} #${f.id}`).toEqual(g.properties);
        expect(f.type, `${where} #${f.id}`).toBe(g.type);
        if (f.type === 1) expect(f.rings, `${where} #${f.id}`).toEqual(g.rings);
        if (f.type === 2) {
          const [la, lb] = [lineLength(f.rings), lineLength(g.rings)];
          const vertices = g.rings.reduce((s, l) => s + l.length, 0);
          expect(Math.abs(la - lb), `${where} #${f.id} line length ${la} vs ${lb}`).toBeLessThanOrEqual(Math.max(vertices, 0.02 * lb));
        }
        if (f.type === 3) {
          const [areaA, areaB] = [f.rings.map(clipRingToTile), g.rings.map(clipRingToTile)].map((rs) => rs.reduce((s, r) => s + ringArea(r), 0));
          const boundary = g.rings.map(clipRingToTile).reduce((s, r) => s + ringPerimeter(r), 0);
          expect(Math.abs(areaA! - areaB!), `${where} #${f.id} drawn area`).toBeLessThanOrEqual(Math.max(0.02 * Math.abs(areaB!), boundary, 16));
          expect(f.rings.reduce((s, r) => s + ringArea(r), 0), `${where} #${f.id} orientation`).toBeGreaterThan(0);
        }
      }
      compared += fa.length;
    }
  }
  return compared;
}

const places: [number, number][] = [
  [114.35, 34.79], // old city
  [114.45, 34.765], // economic development zone
  [114.78, 34.55], // 杞县 seat
  [114.62, 34.45], // farmland
  [114.3, 34.9], // Yellow River red line
];

function tilesToCompare(layer: LayerDefinition): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const z of [Math.max(layer.minZoom, 8), Math.max(layer.minZoom, 12), 15]) {
    for (const [lon, lat] of places) {
      const { x, y } = lonLatToTile(lon, lat, z);
      out.push([z, x, y]);
    }
  }
  return out;
}

/**
 * Width and height, in tile units, of features as stored. A feature under two units both
 * ways (a quarter of a screen pixel) may be kept as a one-unit square by one encoder and
 * dropped by the other, depending on how each snap-rounds; every larger feature must match.
 */
async function extentsInTileUnits(db: Database, layer: LayerDefinition, z: number, ids: number[]) {
  const rows = await db.query<{ id: number; w: number; h: number }>(
    `SELECT id, (ST_XMax(g) - ST_XMin(g)) / $2 AS w, (ST_YMax(g) - ST_YMin(g)) / $2 AS h
       FROM (SELECT id, ST_Transform(geom, 3857) AS g FROM ${layer.table} WHERE id = ANY($1)) s`,
    [ids, (2 * Math.PI * 6378137) / 2 ** z / 4096],
  );
  return new Map(rows.map((r) => [r.id, Math.max(r.w, r.h)]));
}

async function compare(
  db: Database,
  a: { tile: ReturnType<typeof postgisSource>['tile'] },
  b: { tile: ReturnType<typeof postgisSource>['tile'] },
) {
  let compared = 0;
  for (const layer of layers) {
    for (const [z, x, y] of tilesToCompare(layer)) {
      const [ta, tb] = [await a.tile(layer, z, x, y), await b.tile(layer, z, x, y)];
      const fa = ta.features ? decodeTile(ta.data)[mvtLayerName(layer)]! : [];
      const fb = tb.features ? decodeTile(tb.data)[mvtLayerName(layer)]! : [];
      const where = `${layer.id} ${z}/${x}/${y}`;
      const idsA = new Set(fa.map((f) => f.id));
      const idsB = new Set(fb.map((f) => f.id));
      const differing = [...idsA].filter((id) => !idsB.has(id)).concat([...idsB].filter((id) => !idsA.has(id)));
      if (differing.length) {
        const size = await extentsInTileUnits(db, layer, z, differing);
        const visible = differing.filter((id) => (size.get(id) ?? Infinity) >= 2);
        expect(visible, `${where}: features in one tile only (extent ≥ 2 tile units)`).toEqual([]);
      }
      const byId = new Map(fb.map((f) => [f.id, f]));
      for (const f of fa) {
        const g = byId.get(f.id);
        if (!g) continue;
        expect(f.properties, `${where} #${f.id}`).toEqual(g.properties);
        // what is drawn: the part inside the tile square (the buffer around it only keeps
        // seams closed, and there the two clip a sliver at a corner a unit or two apart)
        const drawnA = f.rings.map(clipRingToTile);
        const drawnB = g.rings.map(clipRingToTile);
        const areaDrawnA = drawnA.reduce((s, r) => s + ringArea(r), 0);
        const areaDrawnB = drawnB.reduce((s, r) => s + ringArea(r), 0);
        // Same shape within snapping to the 4096 grid: snapping (and where an edge is cut, the
        // cut point's rounding) moves the boundary by up to about a unit, so the areas may
        // differ by the boundary's length in units, or 2 % of a large shape.
        const boundary = drawnB.reduce((s, r) => s + ringPerimeter(r), 0);
        expect(Math.abs(areaDrawnA - areaDrawnB), `${where} #${f.id} drawn area ${areaDrawnA} vs ${areaDrawnB}`).toBeLessThanOrEqual(
          Math.max(0.02 * Math.abs(areaDrawnB), boundary, 16),
        );
        const areaA = f.rings.reduce((s, r) => s + ringArea(r), 0);
        expect(areaA, `${where} #${f.id} orientation`).toBeGreaterThan(0);
      }
      compared += fa.length;
    }
  }
  return compared;
}

describe.runIf(testDatabaseUrl)('tiles from PostGIS (ST_AsMVT) and from the embedded database (Node encoder)', () => {
  let pg: Database;
  let embedded: Database;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    const a = await openTestDatabase();
    const b = await openEmbeddedCopy();
    pg = a.db;
    embedded = b.db;
    closers.push(a.close, b.close);
  });
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('carry the same features with the same attributes and shapes, across both backends', async () => {
    expect(pg.kind).toBe('postgis');
    expect(embedded.kind).toBe('embedded');
    const n = await compare(pg, postgisSource(pg), nodeEncodedSource(embedded));
    expect(n).toBeGreaterThan(100);
  });

  it('agree on one database too: the Node encoder against ST_AsMVT', async () => {
    const n = await compare(pg, postgisSource(pg), nodeEncodedSource(pg));
    expect(n).toBeGreaterThan(100);
  });

  it('carry the same base-map points, lines and polygons: ST_AsMVT, the Node encoder on PostGIS and on the embedded copy', async () => {
    expect(await compareBasemap(postgisBasemapSource(pg), nodeEncodedBasemapSource(embedded))).toBeGreaterThan(100);
    expect(await compareBasemap(postgisBasemapSource(pg), nodeEncodedBasemapSource(pg))).toBeGreaterThan(100);
  });

  it('are cut from the same selection: the feature cap keeps the largest features on both', async () => {
    const layer = { ...getLayer('permanent-farmland')!, maxFeaturesPerTile: 5 };
    const { x, y } = lonLatToTile(114.62, 34.45, 13);
    const a = decodeTile((await postgisSource(pg).tile(layer, 13, x, y)).data).permanent_farmland!;
    const b = decodeTile((await nodeEncodedSource(embedded).tile(layer, 13, x, y)).data).permanent_farmland!;
    expect(a).toHaveLength(5);
    expect(a.map((f) => f.id).sort()).toEqual(b.map((f) => f.id).sort());
  });
});
