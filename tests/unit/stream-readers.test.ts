/**
 * The streaming layer readers (server/src/formats/stream) on files GDAL writes at test time from one
 * hand-written layer: a parcel with a hole, a two-part multipolygon and a triangle, with Chinese
 * attributes — as GeoJSON, as zipped Shapefiles (EPSG:4490, and CGCS2000 GK zone 38 / EPSG:4526,
 * both GBK), and as a GeoPackage. Coordinates are compared with the hand-written lon/lat.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseError } from '../../server/src/formats/parsers/errors.ts';
import { openLayerFile, type LayerRecord } from '../../server/src/formats/stream/index.ts';

const SOURCE = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { DKMC: '开封东区地块', BH: 1, MJ: 12.5 }, geometry: { type: 'Polygon', coordinates: [[[114.3, 34.79], [114.31, 34.79], [114.31, 34.8], [114.3, 34.8], [114.3, 34.79]], [[114.303, 34.793], [114.303, 34.796], [114.306, 34.796], [114.306, 34.793], [114.303, 34.793]]] } },
    { type: 'Feature', properties: { DKMC: '龙亭区农田', BH: 2, MJ: 3.25 }, geometry: { type: 'MultiPolygon', coordinates: [[[[114.32, 34.79], [114.33, 34.79], [114.33, 34.8], [114.32, 34.79]]], [[[114.34, 34.79], [114.35, 34.79], [114.35, 34.8], [114.34, 34.79]]]] } },
    { type: 'Feature', properties: { DKMC: '祥符区', BH: 3, MJ: null }, geometry: { type: 'Polygon', coordinates: [[[114.36, 34.81], [114.37, 34.81], [114.37, 34.82], [114.36, 34.81]]] } },
  ],
};

let dir: string;
const ogr = (...args: string[]) => execFileSync('ogr2ogr', args, { cwd: dir, stdio: 'pipe' });
const zip = (folder: string, out: string) => execFileSync('sh', ['-c', `cd ${folder} && zip -q -X ../${out} *`], { cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-readers-'));
  writeFileSync(join(dir, 'src.geojson'), JSON.stringify(SOURCE));
  ogr('-f', 'GeoJSON', '-a_srs', 'EPSG:4490', 'layer.geojson', 'src.geojson');
  mkdirSync(join(dir, 'shp4490'));
  ogr('-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4490', '-lco', 'ENCODING=GBK', 'shp4490/layer.shp', 'src.geojson');
  zip('shp4490', 'layer-4490.zip');
  mkdirSync(join(dir, 'shpgk'));
  ogr('-f', 'ESRI Shapefile', '-s_srs', 'EPSG:4490', '-t_srs', 'EPSG:4526', '-lco', 'ENCODING=GBK', 'shpgk/layer.shp', 'src.geojson');
  zip('shpgk', 'layer-4526.zip');
  ogr('-f', 'GPKG', '-a_srs', 'EPSG:4490', 'layer.gpkg', 'src.geojson');
  // a .shp cut in the middle of its last record (the .dbf, .shx and header left as GDAL wrote them)
  mkdirSync(join(dir, 'cut'));
  ogr('-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4490', '-lco', 'ENCODING=GBK', 'cut/layer.shp', 'src.geojson');
  truncateSync(join(dir, 'cut/layer.shp'), statSync(join(dir, 'cut/layer.shp')).size - 20);
  zip('cut', 'cut.zip');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(file: string) {
  const reader = await openLayerFile(join(dir, file), file, {});
  const records: LayerRecord[] = [];
  try {
    for await (const r of reader.features()) records.push(r);
  } finally {
    await reader.close();
  }
  return { reader, records };
}

/** Every vertex of `got` within `tol` degrees of the same vertex of `want` (rings compared as sets of points, as winding may differ). */
function expectNear(got: unknown, want: unknown, tol: number) {
  const flat = (g: unknown): number[][] => (Array.isArray(g) && typeof g[0] === 'number' ? [g as number[]] : Array.isArray(g) ? g.flatMap(flat) : []);
  // ordered by position rounded to ~1 m, so that noise far below the tolerance does not reorder them
  const key = (p: number[]) => `${p[0]!.toFixed(5)},${p[1]!.toFixed(5)}`;
  const order = (p: number[], q: number[]) => (key(p) < key(q) ? -1 : key(p) > key(q) ? 1 : 0);
  const a = flat(got).map((p) => p.slice(0, 2)).sort(order);
  const b = flat(want).map((p) => p.slice(0, 2)).sort(order);
  expect(a.length).toBe(b.length);
  a.forEach((p, i) => {
    expect(Math.abs(p[0]! - b[i]![0]!)).toBeLessThan(tol);
    expect(Math.abs(p[1]! - b[i]![1]!)).toBeLessThan(tol);
  });
}

describe.each([
  ['layer.geojson', 'geojson', 1e-7, undefined],
  ['layer-4490.zip', 'shapefile', 1e-7, 'gbk'],
  ['layer-4526.zip', 'shapefile', 1e-6, 'gbk'],
  ['layer.gpkg', 'geopackage', 1e-7, undefined],
] as const)('%s', (file, format, tol, encoding) => {
  it('reads every feature with its Chinese attributes and its coordinates', async () => {
    const { reader, records } = await readAll(file);
    expect(reader.format).toBe(format);
    expect(reader.detected.crs).toBe(file === 'layer-4526.zip' ? 'EPSG:4526' : 'EPSG:4490');
    if (file === 'layer-4526.zip') expect(reader.detected).toMatchObject({ zone: 38, zoneWidth: 3 });
    if (encoding) expect(reader.detected.encoding).toBe(encoding);
    expect(reader.fieldNames).toEqual(expect.arrayContaining(['DKMC', 'BH', 'MJ']));
    expect(reader.sample.map((p) => p.DKMC)).toEqual(['开封东区地块', '龙亭区农田', '祥符区']);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(records.every((r) => !r.problem)).toBe(true);
    records.forEach((r, i) => {
      const want = SOURCE.features[i]!;
      expect(r.properties.DKMC).toBe(want.properties.DKMC);
      expect(r.properties.BH).toBe(want.properties.BH);
      expect(r.properties.MJ ?? null).toBe(want.properties.MJ);
      expect(r.geometry!.type).toBe(want.geometry.type);
      expectNear(r.geometry!.coordinates, want.geometry.coordinates, tol);
    });
    // the hole stays a hole of the parcel; the multipolygon keeps both parts
    expect(records[0]!.geometry!.coordinates).toHaveLength(2);
    expect(records[1]!.geometry!.coordinates).toHaveLength(2);
    expect(reader.bytesRead()).toBeGreaterThan(0);
    expect(reader.bytesRead()).toBeLessThanOrEqual(reader.bytesTotal);
  });
});

it('a truncated .shp is refused with a clear ParseError naming it, after the records before the cut', async () => {
  const reader = await openLayerFile(join(dir, 'cut.zip'), 'cut.zip', {}).catch((e: unknown) => e);
  if (reader instanceof ParseError) {
    expect(reader.code).toBe('SHP_INCONSISTENT');
    expect(reader.zh).toMatch(/layer\.shp/);
    return;
  }
  throw new Error('expected the truncated .shp to be refused when opened (its header declares more bytes than it has)');
});

it('a GeoJSON that breaks off mid-file is a ParseError naming the byte, not a crash', async () => {
  const text = readFileSync(join(dir, 'layer.geojson'), 'utf8');
  writeFileSync(join(dir, 'broken.geojson'), text.slice(0, text.indexOf('龙亭区农田') + 40));
  // a small file is read whole while its first features are sampled: the error comes from opening it
  const error = await (async () => {
    const reader = await openLayerFile(join(dir, 'broken.geojson'), 'broken.geojson', {});
    for await (const _ of reader.features());
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ParseError);
  expect((error as ParseError).code).toBe('INVALID_JSON');
  expect((error as ParseError).zh).toMatch(/第 \d+ 字节/);
});

it('a feature that is not a polygon is a record with a problem, and the rest is read', async () => {
  const mixed = { ...SOURCE, features: [SOURCE.features[0], { type: 'Feature', properties: { DKMC: '道路' }, geometry: { type: 'LineString', coordinates: [[114.3, 34.79], [114.31, 34.8]] } }, SOURCE.features[2]] };
  writeFileSync(join(dir, 'mixed-src.geojson'), JSON.stringify(mixed));
  ogr('-f', 'GeoJSON', '-a_srs', 'EPSG:4490', 'mixed.geojson', 'mixed-src.geojson');
  const { records } = await readAll('mixed.geojson');
  expect(records.map((r) => [r.row, r.properties.DKMC, r.geometry?.type ?? null, r.problem?.code ?? null])).toEqual([
    [1, '开封东区地块', 'Polygon', null],
    [2, '道路', null, 'NOT_POLYGON'],
    [3, '祥符区', 'Polygon', null],
  ]);
  expect(records[1]!.problem!.zh).toMatch(/第 2 个要素/);
});
