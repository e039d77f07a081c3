/**
 * The offline base map's tiles (basemap_feature, seeds/lib/basemap.ts): one MVT layer,
 * `basemap`, of points, lines and polygons with `kind`, `class`, `name`, `name_en` and `rank`.
 * Like a layer's tiles (layer-source.ts): PostGIS encodes with ST_AsMVT, the embedded database
 * prepares the geometry in SQL and Node encodes it.
 */
import type { Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { encodeTileLayer, rowFeature, tileProperties, type RowFeature, type TileResult } from './layer-source.ts';

export const BASEMAP = 'basemap';
/** The MVT layer name of the base map's tiles. */
export const BASEMAP_MVT_LAYER = 'basemap';
/** Features kept in one tile at most (the most important first). */
export const BASEMAP_TILE_CAP = 20_000;
const ATTRIBUTES = ['kind', 'class', 'name', 'name_en', 'rank'] as const;

export interface BasemapSource {
  readonly encoder: 'postgis' | 'node';
  /** Builds a tile from `q` (a request's reader), or from the database the source was made with. */
  tile(z: number, x: number, y: number, q?: Queryable): Promise<TileResult>;
}

export function postgisBasemapSource(db: Queryable): BasemapSource {
  return {
    encoder: 'postgis',
    async tile(z, x, y, q = db) {
      const sql = sqlFile(new URL('./sql/basemap-mvt.sql', import.meta.url), {});
      const [row] = await q.query<{ tile: Uint8Array | null; features: number }>(sql, [z, x, y, BASEMAP_TILE_CAP]);
      if (!row) throw new Error(`base-map tile query ${z}/${x}/${y} returned no row`);
      return { data: row.features ? new Uint8Array(row.tile ?? new Uint8Array()) : new Uint8Array(), features: row.features };
    },
  };
}

export function nodeEncodedBasemapSource(db: Queryable): BasemapSource {
  return {
    encoder: 'node',
    async tile(z, x, y, q = db) {
      const sql = sqlFile(new URL('./sql/basemap-geometries.sql', import.meta.url), {});
      const rows = await q.query<Record<string, unknown> & { id: number; geometry: string }>(sql, [z, x, y, BASEMAP_TILE_CAP]);
      const features = rows
        .map((row) => rowFeature(Number(row.id), tileProperties(row, ATTRIBUTES), row.geometry))
        .filter((f): f is RowFeature => f !== null);
      if (!features.length) return { data: new Uint8Array(), features: 0 };
      return { data: encodeTileLayer(BASEMAP_MVT_LAYER, features), features: features.length };
    },
  };
}

export function basemapSourceFor(db: Queryable & { kind: 'postgis' | 'embedded' }): BasemapSource {
  return db.kind === 'postgis' ? postgisBasemapSource(db) : nodeEncodedBasemapSource(db);
}
