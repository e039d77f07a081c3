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
import { decodeTile, ringArea } from '../helpers/mvt.ts';

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
        const areaA = f.rings.reduce((s, r) => s + ringArea(r), 0);
        const areaB = g.rings.reduce((s, r) => s + ringArea(r), 0);
        // same shape within snapping to the 4096 grid: 2 % or a few tile units²
        expect(Math.abs(areaA - areaB), `${where} #${f.id} area ${areaA} vs ${areaB}`).toBeLessThanOrEqual(Math.max(0.02 * Math.abs(areaB), 16));
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

  it('are cut from the same selection: the feature cap keeps the largest features on both', async () => {
    const layer = { ...getLayer('permanent-farmland')!, maxFeaturesPerTile: 5 };
    const { x, y } = lonLatToTile(114.62, 34.45, 13);
    const a = decodeTile((await postgisSource(pg).tile(layer, 13, x, y)).data).permanent_farmland!;
    const b = decodeTile((await nodeEncodedSource(embedded).tile(layer, 13, x, y)).data).permanent_farmland!;
    expect(a).toHaveLength(5);
    expect(a.map((f) => f.id).sort()).toEqual(b.map((f) => f.id).sort());
  });
});
