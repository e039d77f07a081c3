/**
 * The `LayerSource` seam: one interface for building a vector tile, two
 * implementations — PostGIS encodes with ST_AsMVT in one statement; the
 * embedded database (no ST_AsMVT) clips and simplifies in SQL and the tile is
 * encoded in Node with @maplibre/vt-pbf. A shared test proves they agree.
 */
import Point from '@mapbox/point-geometry';
import { fromVectorTileJs, type VectorTileFeatureLike, type VectorTileLayerLike } from '@maplibre/vt-pbf';
import type { LayerDefinition } from '../../../../core/layers.ts';
import type { Queryable } from '../../db/database.ts';
import { ident, selectColumns, servedTable, sqlFile } from '../../db/sql-file.ts';

export const TILE_EXTENT = 4096;

export interface TileResult {
  /** Encoded Mapbox Vector Tile; empty when the tile has no feature. */
  data: Uint8Array;
  features: number;
}

export interface LayerSource {
  readonly encoder: 'postgis' | 'node';
  /** Builds a tile from `q` (a request's reader), or from the database the source was made with. */
  tile(layer: LayerDefinition, z: number, x: number, y: number, q?: Queryable): Promise<TileResult>;
}

/** The SQL tokens of a layer's tile query: its table and tile attributes. */
export function tileTokens(layer: LayerDefinition): Record<string, string> {
  return {
    table: servedTable(layer),
    layer: ident(mvtLayerName(layer)),
    select_columns: selectColumns(layer, layer.tileAttributes),
    columns: layer.tileAttributes.map(ident).join(', '),
  };
}

/** The MVT layer name a layer's tiles carry: its id with `_` for `-`. */
export const mvtLayerName = (layer: LayerDefinition): string => layer.id.replace(/-/g, '_');

const tileParams = (layer: LayerDefinition, z: number, x: number, y: number) => [z, x, y, layer.maxFeaturesPerTile];

/** PostGIS: the whole tile in one statement. */
export function postgisSource(db: Queryable): LayerSource {
  return {
    encoder: 'postgis',
    async tile(layer, z, x, y, q = db) {
      const sql = sqlFile(new URL('./sql/tile-mvt.sql', import.meta.url), tileTokens(layer));
      const rows = await q.query<{ tile: Uint8Array | null; features: number }>(sql, tileParams(layer, z, x, y));
      const row = rows[0];
      if (!row) throw new Error(`tile query for ${layer.id} ${z}/${x}/${y} returned no row`);
      return { data: row.features ? new Uint8Array(row.tile ?? new Uint8Array()) : new Uint8Array(), features: row.features };
    },
  };
}

type PolygonCoords = number[][][];

/** One feature of a Node-encoded tile: MVT type 1 (points), 2 (lines) or 3 (polygons), in tile units. */
export class RowFeature implements VectorTileFeatureLike {
  readonly extent = TILE_EXTENT;
  constructor(
    readonly type: 1 | 2 | 3,
    readonly id: number,
    readonly properties: Record<string, number | string | boolean>,
    /** points: one list of all points; lines: one list per line; polygons: each exterior ring followed by its holes */
    private readonly parts: number[][][],
  ) {}
  loadGeometry(): Point[][] {
    return this.parts.map((part) => part.map(([px, py]) => new Point(px!, py!)));
  }
}

/** A tile feature from GeoJSON in tile units (as ST_AsGeoJSON writes the prepared geometry). */
export function rowFeature(id: number, properties: Record<string, number | string | boolean>, geometry: string): RowFeature | null {
  const g = JSON.parse(geometry) as { type: string; coordinates: unknown };
  switch (g.type) {
    case 'Point':
      return new RowFeature(1, id, properties, [[g.coordinates as number[]]]);
    case 'MultiPoint':
      return new RowFeature(1, id, properties, [g.coordinates as number[][]]);
    case 'LineString':
      return new RowFeature(2, id, properties, [g.coordinates as number[][]]);
    case 'MultiLineString':
      return new RowFeature(2, id, properties, g.coordinates as number[][][]);
    case 'Polygon':
      return new RowFeature(3, id, properties, g.coordinates as PolygonCoords);
    case 'MultiPolygon':
      return new RowFeature(3, id, properties, (g.coordinates as PolygonCoords[]).flat());
    default:
      return null;
  }
}

/** The non-null attributes of a row, as a tile carries them. */
export function tileProperties(row: Record<string, unknown>, names: readonly string[]): Record<string, number | string | boolean> {
  const properties: Record<string, number | string | boolean> = {};
  for (const name of names) {
    const v = row[name];
    if (v !== null && v !== undefined) properties[name] = v as number | string | boolean;
  }
  return properties;
}

class RowLayer implements VectorTileLayerLike {
  readonly version = 2;
  readonly extent = TILE_EXTENT;
  constructor(
    readonly name: string,
    private readonly features: RowFeature[],
  ) {}
  get length(): number {
    return this.features.length;
  }
  feature(i: number): VectorTileFeatureLike {
    return this.features[i]!;
  }
}

/** Encodes one MVT layer of features. */
export const encodeTileLayer = (name: string, features: RowFeature[]): Uint8Array =>
  fromVectorTileJs({ layers: { [name]: new RowLayer(name, features) } });

/** MVT polygon rings of a Polygon or MultiPolygon: each exterior ring followed by its holes, all as one list. */
function polygonParts(geometry: string): number[][][] {
  const g = JSON.parse(geometry) as { type: string; coordinates: unknown };
  return g.type === 'Polygon' ? (g.coordinates as PolygonCoords) : (g.coordinates as PolygonCoords[]).flat();
}

/** Embedded database (or any PostGIS): geometry prepared in SQL, tile encoded in Node. */
export function nodeEncodedSource(db: Queryable): LayerSource {
  return {
    encoder: 'node',
    async tile(layer, z, x, y, q = db) {
      const sql = sqlFile(new URL('./sql/tile-geometries.sql', import.meta.url), tileTokens(layer));
      const rows = await q.query<Record<string, unknown> & { id: number; geometry: string }>(sql, tileParams(layer, z, x, y));
      if (!rows.length) return { data: new Uint8Array(), features: 0 };
      const features = rows.map((row) => new RowFeature(3, Number(row.id), tileProperties(row, layer.tileAttributes), polygonParts(row.geometry)));
      const data = encodeTileLayer(mvtLayerName(layer), features);
      return { data, features: features.length };
    },
  };
}

export function layerSourceFor(db: Queryable & { kind: 'postgis' | 'embedded' }): LayerSource {
  return db.kind === 'postgis' ? postgisSource(db) : nodeEncodedSource(db);
}
