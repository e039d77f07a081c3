/**
 * The offline vector base map's test fixture: a few features in layers named as the protomaps
 * base-map style reads them (water, roads, places) over Kaifeng, tiled by GDAL's MVT driver
 * (`ogr2ogr -f MBTiles`, zoom 10–12; GDAL 3.6 writes no PMTiles) and read back from the MBTiles
 * with better-sqlite3, then packed as PMTiles by pmtiles-writer.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { writePmtiles } from './pmtiles-writer.ts';

const fc = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feature = (properties: object, geometry: object) => ({ type: 'Feature', properties, geometry });

export const FIXTURE_BOUNDS: [number, number, number, number] = [114.2, 34.75, 114.6, 34.95];

/** GDAL's tiles (z/x/y with rows from the top; data gzip-compressed MVT, as MBTiles holds them). */
export function gdalTiles(dir: string): { z: number; x: number; y: number; data: Buffer }[] {
  writeFileSync(join(dir, 'water.geojson'), fc([feature({ kind: 'river', name: '黄河' }, { type: 'Polygon', coordinates: [[[114.2, 34.9], [114.6, 34.9], [114.6, 34.95], [114.2, 34.95], [114.2, 34.9]]] })]));
  writeFileSync(join(dir, 'roads.geojson'), fc([feature({ kind: 'major_road', name: '郑开大道' }, { type: 'LineString', coordinates: [[114.2, 34.75], [114.6, 34.8]] })]));
  writeFileSync(join(dir, 'places.geojson'), fc([feature({ kind: 'locality', name: '开封', min_zoom: 1, population_rank: 10 }, { type: 'Point', coordinates: [114.35, 34.79] })]));
  const gpkg = join(dir, 'base.gpkg');
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, join(dir, 'water.geojson'), '-nln', 'water']);
  for (const l of ['roads', 'places']) execFileSync('ogr2ogr', ['-update', '-f', 'GPKG', gpkg, join(dir, `${l}.geojson`), '-nln', l]);
  const mbtiles = join(dir, 'base.mbtiles');
  execFileSync('ogr2ogr', ['-f', 'MBTiles', mbtiles, gpkg, '-dsco', 'MINZOOM=10', '-dsco', 'MAXZOOM=12']);
  const sqlite = new Sqlite(mbtiles, { readonly: true });
  const rows = sqlite.prepare('SELECT zoom_level AS z, tile_column AS x, tile_row AS row, tile_data AS data FROM tiles').all() as { z: number; x: number; row: number; data: Buffer }[];
  sqlite.close();
  // MBTiles counts rows from the bottom (TMS)
  return rows.map((r) => ({ z: r.z, x: r.x, y: 2 ** r.z - 1 - r.row, data: r.data }));
}

/** Writes `basemap.pmtiles` into dir from GDAL's tiles; returns the file and the tiles. */
export function gdalPmtiles(dir: string): { path: string; file: Buffer; tiles: { z: number; x: number; y: number; data: Buffer }[] } {
  const tiles = gdalTiles(dir);
  const file = writePmtiles({ tiles, tileType: 1, tileCompression: 2, bounds: FIXTURE_BOUNDS, metadata: { vector_layers: [{ id: 'water' }, { id: 'roads' }, { id: 'places' }] } });
  const path = join(dir, 'basemap.pmtiles');
  writeFileSync(path, file);
  return { path, file, tiles };
}
