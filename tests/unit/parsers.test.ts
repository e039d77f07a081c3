/**
 * Site-file parsers: every fixture in tests/fixtures/parse against what it must give and where
 * GDAL puts its parcels (expected/, made by make-expected.sh), then what a planner checks — where the parcels land,
 * Chinese attributes, holes, detected coordinate system / zone / axis order / encoding,
 * the warnings that must appear, and each failure's message.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import { gaussKrugerToLonLat } from '../../core/gauss-kruger.ts';
import { ParseError, parseCrsParam, parseSiteFile, type ParseOptions, type ParseResult } from '../../server/src/formats/parsers/index.ts';
import { planeArea } from '../../server/src/formats/parsers/boundary-points.ts';
import { crsFromPrj } from '../../server/src/formats/parsers/crs.ts';
import { decodeText, encodingFromLabel } from '../../server/src/formats/encoding.ts';
import { ringMetres, rings, ringsIn } from '../helpers/crs-fixtures.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/parse');
const expectedDir = join(dir, 'expected');
/** The input fixtures (expected/ holds GDAL's readings of them; the scripts make them). */
const fixtureNames = readdirSync(dir).filter((n) => /\.(txt|geojson|zip|kml)$/.test(n)).sort();

const bytesOf = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const parseFixture = (name: string, opts?: ParseOptions) => parseSiteFile({ fileName: name, bytes: bytesOf(name) }, opts);
const gbk = (s: string) => new Uint8Array(iconv.encode(s, 'gbk'));

/** The failure of a parse, or throws if it succeeded. */
async function failure(p: Promise<unknown>): Promise<ParseError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error('expected the parse to fail');
}

type Geom = Polygon | MultiPolygon;
const polygonsOf = (g: Geom) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);
const allPositions = (g: Geom) => polygonsOf(g).flat(2);

/** Same type and ring structure, every position within `tol` degrees. */
function expectSameGeometry(a: Geom, b: Geom, tol = 1e-9): void {
  expect(a.type).toBe(b.type);
  expect(JSON.stringify(polygonsOf(a).map((p) => p.map((r) => r.length)))).toBe(JSON.stringify(polygonsOf(b).map((p) => p.map((r) => r.length))));
  const pa = allPositions(a);
  const pb = allPositions(b);
  pa.forEach((p, i) => {
    expect(Math.abs(p[0]! - pb[i]![0]!)).toBeLessThan(tol);
    expect(Math.abs(p[1]! - pb[i]![1]!)).toBeLessThan(tol);
  });
}

/** Whether the geometry has a vertex within `tol` degrees of [lon, lat]. */
const hasVertexNear = (g: Geom, lon: number, lat: number, tol = 1e-9) =>
  allPositions(g).some((p) => Math.abs(p[0]! - lon) < tol && Math.abs(p[1]! - lat) < tol);

/**
 * What each fixture must give, written by hand from how make-fixtures.ts and make-expected.sh
 * describe it: the detection (format, coordinate system, axis order, encoding), the warnings,
 * and each parcel's shape (geometry type and ring count); or the failure's code. A fixture
 * without an entry fails.
 */
type Want = { detected: Partial<ParseResult['detected']>; warnings: string[]; shapes: string[] } | { error: string };
const GK38 = { crs: 'EPSG:4526', epsg: 4526, zone: 38, zoneWidth: 3, datum: 'cgcs2000', datumTransform: 'none' } as const;
const CGCS = { crs: 'EPSG:4490', epsg: 4490, datum: 'cgcs2000', datumTransform: 'none' } as const;
const ABC = ['Polygon 2', 'Polygon 1', 'MultiPolygon 2'];
const WANT: Record<string, Want> = {
  'boundary-gbk.txt': { detected: { format: 'boundary-points', ...GK38, axisOrder: 'northing-easting', encoding: 'gbk' }, warnings: [], shapes: ['Polygon 2', 'Polygon 1'] },
  'boundary-utf8.txt': { detected: { format: 'boundary-points', ...GK38, axisOrder: 'northing-easting', encoding: 'utf-8' }, warnings: [], shapes: ['Polygon 2', 'Polygon 1'] },
  'boundary-bad-area.txt': { detected: { format: 'boundary-points', ...GK38, encoding: 'utf-8' }, warnings: ['AREA_MISMATCH'], shapes: ['Polygon 2', 'Polygon 1'] },
  'boundary-noprefix-multipart.txt': {
    detected: { format: 'boundary-points', crs: 'EPSG:4547', epsg: 4547, zone: 38, zoneWidth: 3, axisOrder: 'northing-easting' },
    warnings: [],
    shapes: ['Polygon 1', 'MultiPolygon 2'],
  },
  'coords-gk-noprefix.txt': { error: 'ZONE_AMBIGUOUS' },
  'coords-gk-prefix.txt': { detected: { format: 'coordinates', ...GK38, axisOrder: 'northing-easting', datumAssumed: true }, warnings: ['SEVERAL_PARCELS', 'CRS_UNDECLARED'], shapes: ['Polygon 1', 'Polygon 2'] },
  'coords-lonlat.txt': { detected: { format: 'coordinates', ...CGCS, axisOrder: 'lonlat' }, warnings: [], shapes: ['Polygon 1'] },
  'coords-swapped.txt': { detected: { format: 'coordinates', ...CGCS, axisOrder: 'northing-easting' }, warnings: ['AXES_SWAPPED'], shapes: ['Polygon 1'] },
  'geojson-collection.geojson': { detected: { format: 'geojson', ...CGCS, axisOrder: 'lonlat' }, warnings: [], shapes: ABC },
  'geojson-crs-4547.geojson': { detected: { format: 'geojson', crs: 'EPSG:4547', epsg: 4547, zone: 38 }, warnings: [], shapes: ['Polygon 1'] },
  'geojson-feature.geojson': { detected: { format: 'geojson', ...CGCS }, warnings: [], shapes: ['Polygon 1'] },
  'geojson-lines.geojson': { error: 'GEOJSON_NOT_POLYGON' },
  'geojson-polygon.geojson': { detected: { format: 'geojson', ...CGCS }, warnings: [], shapes: ['Polygon 2'] },
  'geojson-projected.geojson': { detected: { format: 'geojson', ...GK38, datumAssumed: true }, warnings: ['CRS_UNDECLARED'], shapes: ['Polygon 2'] },
  'geojson-swapped.geojson': { detected: { format: 'geojson', ...CGCS, axisOrder: 'northing-easting' }, warnings: ['AXES_SWAPPED'], shapes: ['Polygon 1'] },
  'shapefile-gbk-4526.zip': { detected: { format: 'shapefile', ...GK38, encoding: 'gbk' }, warnings: [], shapes: ABC },
  'shapefile-utf8-4490.zip': { detected: { format: 'shapefile', ...CGCS, encoding: 'utf-8' }, warnings: [], shapes: ABC },
  'shapefile-noprj-cpg936.zip': { detected: { format: 'shapefile', ...GK38, encoding: 'gbk' }, warnings: ['PRJ_MISSING', 'CRS_UNDECLARED'], shapes: ['Polygon 1'] },
  'shapefile-points.zip': { error: 'SHP_NOT_POLYGON' },
  'site.kml': { detected: { format: 'kml', crs: 'EPSG:4326', epsg: 4326, datum: 'wgs84' }, warnings: ['SKIPPED_NON_POLYGON'], shapes: ['Polygon 2'] },
};

/** GDAL's reading of a fixture (expected/<name>.geojson, made by make-expected.sh), or null where there is none. */
function gdalReading(name: string): { properties: Record<string, unknown>; geometry: Geom }[] | null {
  const file = join(expectedDir, name.replace(/\.[^.]+$/, '') + '.geojson');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { features: { properties: Record<string, unknown>; geometry: Geom }[] }).features : null;
}

/** GDAL's KML attributes under the names the KML reader gives them (the placemark's name and description). */
const kmlNames: Record<string, string> = { Name: 'name', description: 'description' };

describe('every fixture against GDAL’s reading of it', () => {
  it('has an expectation for every fixture, and GDAL’s reading for every one that parses', () => {
    expect(fixtureNames).toEqual(Object.keys(WANT).sort());
    for (const [name, want] of Object.entries(WANT)) expect(gdalReading(name) !== null, name).toBe(!('error' in want));
  });

  it.each(fixtureNames)('%s', async (name) => {
    const want = WANT[name];
    expect(want, `no expectation for ${name}`).toBeDefined();
    if ('error' in want!) {
      expect((await failure(parseFixture(name))).code).toBe(want.error);
      return;
    }
    const r = await parseFixture(name);
    expect(r.detected).toMatchObject(want!.detected);
    expect(r.warnings.map((w) => w.code)).toEqual(want!.warnings);
    const features = r.features.features;
    expect(features.map((f) => `${f.geometry.type} ${rings(f.geometry).flat().length}`)).toEqual(want!.shapes);

    // every ring where GDAL puts it, within 1 mm, in the file's order
    const gdal = gdalReading(name)!;
    const ours = ringsIn(features.map((f) => f.geometry));
    const theirs = ringsIn(gdal.map((f) => f.geometry));
    expect(ours.length).toBe(theirs.length);
    ours.forEach((ring, i) => expect(ringMetres(ring, theirs[i]!), `${name} ring ${i + 1}`).toBeLessThan(0.001));

    // the attributes as GDAL read them, where the format has its own (the rings of text files are GDAL's only)
    if (/\.(geojson|zip)$/.test(name)) expect(features.map((f) => f.properties)).toEqual(gdal.map((f) => f.properties));
    if (name.endsWith('.kml')) {
      gdal.forEach((g, i) => {
        for (const [k, v] of Object.entries(g.properties)) expect(features[i]!.properties[kmlNames[k] ?? k], k).toBe(v);
      });
    }
  });
});

describe('界址点坐标文件 (boundary-point file)', () => {
  it('reads the GBK file: two parcels in 3° zone 38 with prefix, names in Chinese, one hole', async () => {
    const r = await parseFixture('boundary-gbk.txt');
    expect(r.detected).toEqual({ format: 'boundary-points', crs: 'EPSG:4526', zone: 38, zoneWidth: 3, axisOrder: 'northing-easting', encoding: 'gbk', datum: 'cgcs2000', epsg: 4526, crsName: 'CGCS2000 / 3-degree Gauss-Kruger zone 38', datumTransform: 'none' });
    expect(r.warnings).toEqual([]);
    const [a, b] = r.features.features;
    expect(a!.properties).toMatchObject({ code: 'KF-2026-001', name: '开封东区工业地块', use: '工业用地', land_class_code: '0601', header_area_ha: 11.9494 });
    expect(b!.properties).toMatchObject({ code: 'KF-2026-002', name: '城西示例地块', header_area_ha: 2.1828, plane_area_ha: 2.1828, point_count: 5 });
    expect(a!.geometry.type).toBe('Polygon');
    expect((a!.geometry as Polygon).coordinates).toHaveLength(2); // outer ring + one hole
    expect((b!.geometry as Polygon).coordinates).toHaveLength(1);
  });

  it('puts the example point X=3853210.512 Y=38512034.22 at about 114.13 E, 34.81 N', async () => {
    const r = await parseFixture('boundary-gbk.txt');
    const b = r.features.features[1]!;
    const { lon, lat } = gaussKrugerToLonLat(3853210.512, 38512034.22, { zone: 38 });
    expect(lon).toBeCloseTo(114.1315, 3);
    expect(lat).toBeCloseTo(34.8072, 3);
    expect(hasVertexNear(b.geometry, lon, lat)).toBe(true);
    for (const [x, y] of allPositions(b.geometry)) {
      expect(x).toBeGreaterThan(114.13);
      expect(x).toBeLessThan(114.135);
      expect(y).toBeGreaterThan(34.805);
      expect(y).toBeLessThan(34.81);
    }
  });

  it('computes the example parcel plane area as 21 827.5 m² (2.1828 公顷) and the ellipsoidal area agrees within 0.01 %', async () => {
    const ring: [number, number][] = [
      [3853210.512, 38512034.22],
      [3853210.498, 38512180.004],
      [3853060.771, 38512180.016],
      [3853060.79, 38512034.231],
      [3853210.512, 38512034.22],
    ];
    expect(planeArea([[ring]])).toBeCloseTo(21827.5, 0);
    const r = await parseFixture('boundary-gbk.txt');
    const ellipsoidal = ellipsoidalArea(r.features.features[1]!.geometry);
    expect(Math.abs(ellipsoidal - 21827.5) / 21827.5).toBeLessThan(1e-4);
  });

  it('reads the UTF-8 variant to the same features', async () => {
    const g = await parseFixture('boundary-gbk.txt');
    const u = await parseFixture('boundary-utf8.txt');
    expect(u.detected.encoding).toBe('utf-8');
    expect(u.features).toEqual(g.features);
  });

  it('warns when the header area differs from the plane area by more than 1 %, naming both in 公顷', async () => {
    const r = await parseFixture('boundary-bad-area.txt');
    const w = r.warnings.filter((x) => x.code === 'AREA_MISMATCH');
    expect(w).toHaveLength(1);
    expect(w[0]!.zh).toContain('开封东区工业地块');
    expect(w[0]!.zh).toContain('9.8765 公顷');
    expect(w[0]!.zh).toContain('11.9494 公顷');
    expect(w[0]!.en).toContain('ha');
  });

  it('reads eastings without prefix with the declared 带号, and a parcel of two rings as a MultiPolygon', async () => {
    const r = await parseFixture('boundary-noprefix-multipart.txt');
    expect(r.detected).toMatchObject({ crs: 'EPSG:4547', zone: 38, zoneWidth: 3 });
    expect(r.warnings.map((w) => w.code)).not.toContain('ZONE_ASSUMED');
    const [b, c] = r.features.features;
    const g = await parseFixture('boundary-gbk.txt');
    expectSameGeometry(b!.geometry, g.features.features[1]!.geometry);
    expect(c!.geometry.type).toBe('MultiPolygon');
    expect((c!.geometry as MultiPolygon).coordinates).toHaveLength(2);
    expect(c!.properties.plane_area_ha).toBe(4.5);
  });

  it('uses the 6° zone the header names', async () => {
    const text = bytesText('boundary-utf8.txt').replace('几度分带=3', '几度分带=6').replace('带号=38', '带号=20');
    const r = await parseSiteFile({ text: text.replace(/,38(\d{6}\.\d{3})/g, ',20$1') });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4498', zone: 20, zoneWidth: 6 });
    // 6° zone 20 has its central meridian at 117° E
    expect(allPositions(r.features.features[0]!.geometry)[0]![0]).toBeGreaterThan(116.5);
  });

  it('warns when the header 带号 and the easting prefix disagree, and follows the prefix', async () => {
    const r = await parseSiteFile({ text: bytesText('boundary-utf8.txt').replace('带号=38', '带号=39') });
    expect(r.detected.zone).toBe(38);
    expect(r.warnings.find((w) => w.code === 'ZONE_CONFLICT')?.zh).toContain('39');
  });

  it('refuses a Xian 1980 file without shift parameters; accepted as approximate, it warns, also of a point count that does not match the header', async () => {
    const text = bytesText('boundary-utf8.txt').replace('2000国家大地坐标系', '1980西安坐标系').replace('5,2.1828', '6,2.1828');
    const e = await failure(parseSiteFile({ text }));
    expect(e.code).toBe('DATUM_NEEDS_TRANSFORM');
    expect(e.zh).toContain('1980 西安坐标系（EPSG:2362 Xian 1980 / 3-degree Gauss-Kruger zone 38）');
    const r = await parseSiteFile({ text }, { acceptApproximateDatum: true });
    expect(r.detected).toMatchObject({ crs: 'EPSG:2362', epsg: 2362, datum: 'xian80', datumTransform: 'approximate' });
    const codes = r.warnings.map((w) => w.code);
    expect(codes).toContain('DATUM_APPROXIMATE');
    expect(r.warnings.find((w) => w.code === 'POINT_COUNT_MISMATCH')?.zh).toBe('地块“城西示例地块”的头行写有 6 个界址点，实际读到 5 个');
  });

  it('closes an unclosed ring with a warning', async () => {
    const text = bytesText('boundary-utf8.txt').replace(/J1,1,3853210\.512,38512034\.220\r\n$/, '').replace('5,2.1828', '4,2.1828');
    const r = await parseSiteFile({ text });
    expect(r.warnings.map((w) => w.code)).toEqual(['RING_CLOSED']);
    const ring = (r.features.features[1]!.geometry as Polygon).coordinates[0]!;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
  });

  it.each([
    ['[属性描述]\n坐标系=2000国家大地坐标系\n带号=38\n', 'BOUNDARY_NO_SECTION', '界址点文件缺少 [地块坐标] 段'],
    ['[地块坐标]\n', 'BOUNDARY_NO_POINTS', '[地块坐标] 段中没有地块（地块头行以 @ 结尾）'],
    ['[地块坐标]\nJ1,1,3853210.512,38512034.220\n', 'BOUNDARY_BAD_LINE', '第 2 行：界址点前没有地块头行（如“5,2.1828,1,示例地块,面,,工业用地,,@”）'],
    ['[地块坐标]\n5,2.1828,1,示例地块,面,,工业用地,,@\nJ1,1,3853210.512,38512034.2a0\n', 'COORD_NOT_NUMBER', '第 3 行坐标不是数字：“38512034.2a0”'],
    ['[地块坐标]\n5,2.1828,1,示例地块,面,,工业用地,,@\nJ1,x,3853210.512,38512034.220\n', 'BOUNDARY_BAD_LINE', '第 3 行的圈号“x”不是正整数'],
    ['[地块坐标]\n5,2.1828,1,示例地块,面,,工业用地,,@\n5,1,1,地块二,面,,,,@\nJ1,1,3853210.512,38512034.220\n', 'BOUNDARY_NO_POINTS', '第 2 行的地块“示例地块”没有界址点'],
    ['[地块坐标]\n五,2.1828,1,示例地块,面,,工业用地,,@\n', 'BOUNDARY_BAD_LINE', '第 2 行地块头的界址点数“五”不是整数'],
  ])('refuses a broken file with a planner’s message (%#)', async (text, code, zh) => {
    const e = await failure(parseSiteFile({ text }));
    expect(e.code).toBe(code);
    expect(e.zh).toBe(zh);
    expect(e.en.length).toBeGreaterThan(10);
  });

  it('names the line of a bad coordinate in the GBK file', async () => {
    const text = iconv.decode(Buffer.from(bytesOf('boundary-gbk.txt')), 'gbk').split('\r\n');
    text[13] = 'J1,1,3852800.125,三八五三零零零零';
    const e = await failure(parseSiteFile({ fileName: '界址点.txt', bytes: gbk(text.join('\r\n')) }));
    expect(e.zh).toBe('第 14 行坐标不是数字：“三八五三零零零零”');
  });
});

function bytesText(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

describe('zipped Shapefile', () => {
  it('reads GBK attributes without a .cpg, the .prj as CGCS2000 3° zone 38 (EPSG:4526), from a subfolder', async () => {
    const r = await parseFixture('shapefile-gbk-4526.zip');
    expect(r.detected).toEqual({ format: 'shapefile', crs: 'EPSG:4526', zone: 38, zoneWidth: 3, axisOrder: 'lonlat', encoding: 'gbk', datum: 'cgcs2000', epsg: 4526, crsName: 'CGCS2000 / 3-degree Gauss-Kruger zone 38', datumTransform: 'none' });
    expect(r.warnings).toEqual([]);
    const [a, b, c] = r.features.features;
    expect(a!.properties).toEqual({ 地块编号: 'KF-2026-001', 地块名称: '开封东区工业地块', 用途: '工业用地', 面积公顷: 11.9494, 批准日期: '2025-01-01' });
    expect(c!.properties.地块名称).toBe('城北两片地块');
    expect((a!.geometry as Polygon).coordinates).toHaveLength(2);
    expect(c!.geometry.type).toBe('MultiPolygon');
    // the same places as the boundary-point file
    const bp = await parseFixture('boundary-gbk.txt');
    for (const [lon, lat] of allPositions(bp.features.features[1]!.geometry)) expect(hasVertexNear(b!.geometry, lon!, lat!)).toBe(true);
  });

  it('reads UTF-8 attributes named by .cpg and EPSG:4490 lon/lat', async () => {
    const r = await parseFixture('shapefile-utf8-4490.zip');
    expect(r.detected).toEqual({ format: 'shapefile', crs: 'EPSG:4490', axisOrder: 'lonlat', encoding: 'utf-8', datum: 'cgcs2000', epsg: 4490, crsName: 'China Geodetic Coordinate System 2000', datumTransform: 'none' });
    expect(r.features.features.map((f) => f.properties.名称)).toEqual(['开封东区工业地块', '城西示例地块', '城北两片地块']);
    const gk = await parseFixture('shapefile-gbk-4526.zip');
    for (const [lon, lat] of allPositions(gk.features.features[0]!.geometry)) expect(hasVertexNear(r.features.features[0]!.geometry, lon!, lat!, 1e-8)).toBe(true);
  });

  it('lets the user force the encoding, and warns when the choice looks wrong', async () => {
    const r = await parseFixture('shapefile-gbk-4526.zip', { encoding: 'utf-8' });
    expect(r.detected.encoding).toBe('utf-8');
    expect(r.warnings.map((w) => w.code)).toContain('ENCODING_DOUBT');
    expect(r.features.features[0]!.properties['地块名称']).toBeUndefined();
  });

  async function zipWith(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
    const zip = new JSZip();
    for (const [n, d] of Object.entries(files)) zip.file(n, d);
    return zip.generateAsync({ type: 'uint8array' });
  }
  it('honours a .cpg of "936" and judges the CRS from the numbers when the .prj is missing', async () => {
    // ogr2ogr's GBK Shapefile in zone-38 numbers, its .prj removed and its .cpg set to 936 (make-expected.sh)
    const r = await parseFixture('shapefile-noprj-cpg936.zip');
    expect(r.detected).toMatchObject({ crs: 'EPSG:4526', zone: 38, encoding: 'gbk' });
    expect(r.features.features[0]!.properties).toEqual({ 名称: '城西示例地块' });
    expect(r.warnings.map((w) => w.code)).toEqual(['PRJ_MISSING', 'CRS_UNDECLARED']);
  });

  it.each([
    [{ 'readme.txt': 'x', 'site.dwg': 'x' }, 'ZIP_NO_SHP', '压缩包中没有 .shp 文件；包内文件：readme.txt、site.dwg'],
    [{ 'a.dbf': 'x', 'a.prj': 'x' }, 'ZIP_NO_SHP', '压缩包中没有 .shp 文件（只有 .dbf/.shx/.prj，缺少 .shp 本身）；包内文件：a.dbf、a.prj'],
    [{ 'a.shp': 'not a shapefile' }, 'SHP_UNREADABLE', '“a.shp”不是有效的 .shp 文件（文件头不对或不完整）'],
  ])('refuses a zip without a usable .shp (%#)', async (files, code, zh) => {
    const e = await failure(parseSiteFile({ fileName: 'a.zip', bytes: await zipWith(files) }));
    expect(e.code).toBe(code);
    expect(e.zh).toBe(zh);
  });

  it('refuses a point Shapefile', async () => {
    const e = await failure(parseSiteFile({ fileName: '界桩.zip', bytes: bytesOf('shapefile-points.zip') }));
    expect(e.code).toBe('SHP_NOT_POLYGON');
    expect(e.zh).toBe('Shapefile“界桩.shp”是点图层（Point），用地范围须为面图层（Polygon）');
  });

  it('refuses a damaged zip, a lone .shp, and a CAD file with what to do instead', async () => {
    expect((await failure(parseSiteFile({ fileName: 'a.zip', bytes: Uint8Array.of(0x50, 0x4b, 3, 4, 1, 2, 3) }))).zh).toBe(
      '“a.zip”不是有效的 ZIP 压缩包（可能已损坏，或是 RAR/7z 格式）',
    );
    expect((await failure(parseSiteFile({ fileName: '用地.shp', bytes: Uint8Array.of(1, 2, 3) }))).zh).toContain('一起打包成 .zip 上传');
    expect((await failure(parseSiteFile({ fileName: '红线.dwg', bytes: Uint8Array.of(1, 2, 3) }))).code).toBe('UNSUPPORTED_FORMAT');
    expect((await failure(parseSiteFile({ fileName: 'x.bin', bytes: Uint8Array.of(0, 1, 2, 0, 0) }))).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('reads the coordinate system of .prj files in their usual spellings', () => {
    expect(crsFromPrj(readPrj('CGCS2000 / 3-degree Gauss-Kruger CM 114E', 500000, 114))).toMatchObject({
      choice: { kind: 'gauss-kruger', zone: 38, zoneWidth: 3 },
      zonePrefix: false,
      datum: 'cgcs2000',
    });
    expect(crsFromPrj(readPrj('CGCS2000_GK_Zone_20', 20500000, 117))).toMatchObject({ choice: { kind: 'gauss-kruger', zone: 20, zoneWidth: 6 }, zonePrefix: true });
    expect(crsFromPrj(readPrj('CGCS2000_3_Degree_GK_Zone_39', 39500000, 117))).toMatchObject({ choice: { zone: 39, zoneWidth: 3 } });
    expect(crsFromPrj(readPrj('Xian_1980_3_Degree_GK_Zone_38', 38500000, 114, 'xian80'))).toMatchObject({ datum: 'xian80', choice: { zone: 38 } });
    expect(crsFromPrj('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')).toMatchObject({
      choice: { kind: 'geographic', epsg: 4326 },
    });
    const utm = crsFromPrj(
      'PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]',
    );
    expect(utm.wkt).toBeDefined();
    expect(() => crsFromPrj('hello')).toThrow(ParseError);
  });
});

function readPrj(name: string, falseEasting: number, cm: number, datum: 'cgcs2000' | 'xian80' = 'cgcs2000'): string {
  const geog =
    datum === 'cgcs2000'
      ? 'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]]'
      : 'GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]]';
  return `PROJCS["${name}",${geog},PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",${falseEasting}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",${cm}],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`;
}

describe('GeoJSON', () => {
  it('reads a FeatureCollection with Chinese properties, holes and a MultiPolygon', async () => {
    const r = await parseFixture('geojson-collection.geojson');
    expect(r.detected).toEqual({ format: 'geojson', crs: 'EPSG:4490', axisOrder: 'lonlat', encoding: 'utf-8', datum: 'cgcs2000', epsg: 4490, crsName: 'China Geodetic Coordinate System 2000', datumTransform: 'none' });
    expect(r.features.features.map((f) => f.properties.地块名称)).toEqual(['开封东区工业地块', '城西示例地块', '城北两片地块']);
    expect((r.features.features[0]!.geometry as Polygon).coordinates).toHaveLength(2);
    expect(r.features.features[2]!.geometry.type).toBe('MultiPolygon');
  });

  it('reads a single Feature and a bare Polygon', async () => {
    expect((await parseFixture('geojson-feature.geojson')).features.features).toHaveLength(1);
    const bare = await parseFixture('geojson-polygon.geojson');
    expect(bare.features.features[0]!.properties).toEqual({});
    expect((bare.features.features[0]!.geometry as Polygon).coordinates).toHaveLength(2);
  });

  it('treats projected coordinates as Gauss–Krüger (prefix → EPSG:4526) and honours a legacy crs member (EPSG:4547)', async () => {
    const projected = await parseFixture('geojson-projected.geojson');
    expect(projected.detected).toMatchObject({ crs: 'EPSG:4526', zone: 38, axisOrder: 'lonlat' });
    const ll = await parseFixture('geojson-collection.geojson');
    for (const [lon, lat] of allPositions(ll.features.features[0]!.geometry)) expect(hasVertexNear(projected.features.features[0]!.geometry, lon!, lat!, 1e-8)).toBe(true);
    const declared = await parseFixture('geojson-crs-4547.geojson');
    expect(declared.detected).toMatchObject({ crs: 'EPSG:4547', zone: 38 });
    expect(declared.warnings).toEqual([]);
  });

  it('swaps lat/lon back with a warning', async () => {
    const r = await parseFixture('geojson-swapped.geojson');
    expect(r.detected.axisOrder).toBe('northing-easting');
    expect(r.warnings.map((w) => w.code)).toEqual(['AXES_SWAPPED']);
    expect(allPositions(r.features.features[0]!.geometry)[0]![0]).toBeGreaterThan(114);
  });

  it('refuses points and lines, naming what it found', async () => {
    const e = await failure(parseFixture('geojson-lines.geojson'));
    expect(e.code).toBe('GEOJSON_NOT_POLYGON');
    expect(e.zh).toBe('GeoJSON 中只有点或线要素（1 个线（LineString）、1 个点（Point）），用地范围须为面（Polygon / MultiPolygon）');
  });

  it('skips a point among polygons with a warning', async () => {
    const fc = JSON.parse(bytesText('geojson-collection.geojson'));
    fc.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [114.3, 34.8] } });
    const r = await parseSiteFile({ text: JSON.stringify(fc) });
    expect(r.features.features).toHaveLength(3);
    expect(r.warnings.find((w) => w.code === 'SKIPPED_NON_POLYGON')?.zh).toBe('已忽略不是面的要素：1 个点（Point）');
  });

  it.each([
    ['{"type":"FeatureCollection",\n"features":[\n{"type":"Feature",}\n]}', 'INVALID_JSON', 'GeoJSON 文件不是有效的 JSON（第 3 行附近）'],
    ['{"type":"FeatureCollection","features":[]}', 'NO_FEATURES', 'GeoJSON 中没有要素（要素列表为空）'],
    ['{"features":[]}', 'GEOJSON_INVALID', '不是 GeoJSON：缺少 "type"'],
    ['{"type":"Polygon","coordinates":[[[114.3,34.8],[114.31,"34.8"],[114.31,34.81],[114.3,34.8]]]}', 'COORD_NOT_NUMBER', '第 1 个要素的坐标不是数字：[114.31,"34.8"]'],
    ['{"type":"Polygon","coordinates":[114.3,34.8]}', 'GEOJSON_INVALID', '第 1 个要素的坐标格式不对：面的坐标应为 [[[经度, 纬度], …]]'],
  ])('refuses broken GeoJSON (%#)', async (text, code, zh) => {
    const e = await failure(parseSiteFile({ fileName: 'site.geojson', bytes: new TextEncoder().encode(text) }));
    expect(e.code).toBe(code);
    expect(e.zh).toBe(zh);
  });
});

describe('KML', () => {
  it('reads the placemark polygon with its hole, name and ExtendedData, skipping the point', async () => {
    const r = await parseFixture('site.kml');
    expect(r.detected).toEqual({ format: 'kml', crs: 'EPSG:4326', axisOrder: 'lonlat', encoding: 'utf-8', datum: 'wgs84', epsg: 4326, crsName: 'WGS 84', datumTransform: 'none' });
    expect(r.features.features).toHaveLength(1);
    expect(r.features.features[0]!.properties).toEqual({ name: '开封东区工业地块', description: '东区工业项目用地范围', 地块编号: 'KF-2026-001', 用途: '工业用地' });
    expect((r.features.features[0]!.geometry as Polygon).coordinates).toHaveLength(2);
    expect(r.warnings.map((w) => w.code)).toEqual(['SKIPPED_NON_POLYGON']);
  });

  it('reads a KMZ', async () => {
    const zip = new JSZip();
    zip.file('doc.kml', bytesOf('site.kml'));
    const r = await parseSiteFile({ fileName: '用地.kmz', bytes: await zip.generateAsync({ type: 'uint8array' }) });
    expect(r.detected.format).toBe('kml');
    expect(r.features.features[0]!.properties.name).toBe('开封东区工业地块');
  });

  it('refuses broken XML and a non-KML document', async () => {
    expect((await failure(parseSiteFile({ fileName: 'a.kml', bytes: new TextEncoder().encode('<kml><Placemark>') }))).code).toBe('KML_INVALID');
    expect((await failure(parseSiteFile({ text: '<gpx></gpx>' }))).zh).toBe('不是 KML 文件：根元素为 <gpx>，应为 <kml>');
  });
});

describe('pasted coordinates', () => {
  it('reads lon/lat pairs after a header line and closes the ring', async () => {
    const r = await parseFixture('coords-lonlat.txt');
    expect(r.detected).toEqual({ format: 'coordinates', crs: 'EPSG:4490', axisOrder: 'lonlat', encoding: 'utf-8', datum: 'cgcs2000', epsg: 4490, crsName: 'China Geodetic Coordinate System 2000', datumTransform: 'none' });
    expect(r.warnings).toEqual([]);
    const ring = (r.features.features[0]!.geometry as Polygon).coordinates[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
  });

  it('detects swapped lat/lon ("34.79 114.35"), fixes it and says so', async () => {
    const r = await parseFixture('coords-swapped.txt');
    expect(r.detected.axisOrder).toBe('northing-easting');
    expect(r.warnings).toEqual([
      { code: 'AXES_SWAPPED', zh: '经纬度顺序颠倒（先纬度后经度），已自动交换为“经度 纬度”', en: 'Longitude and latitude were swapped (latitude first); they have been exchanged' },
    ]);
    const straight = await parseFixture('coords-lonlat.txt');
    expectSameGeometry(r.features.features[0]!.geometry, straight.features.features[0]!.geometry);
  });

  it('reads named northing/easting rows with zone prefix; blank lines separate parcels and holes', async () => {
    const r = await parseFixture('coords-gk-prefix.txt');
    expect(r.detected).toMatchObject({ crs: 'EPSG:4526', zone: 38, axisOrder: 'northing-easting' });
    expect(r.features.features).toHaveLength(2);
    expect((r.features.features[1]!.geometry as Polygon).coordinates).toHaveLength(2); // the third block is a hole of the second
    const bp = await parseFixture('boundary-gbk.txt');
    expectSameGeometry(r.features.features[1]!.geometry, bp.features.features[0]!.geometry);
  });

  it('refuses eastings without prefix and without a zone, naming the choices (no zone is assumed); a given zone places them', async () => {
    const e = await failure(parseFixture('coords-gk-noprefix.txt'));
    expect(e.code).toBe('ZONE_AMBIGUOUS');
    expect(e.zh).toContain('3 度带 25–45 带');
    const r = await parseFixture('coords-gk-noprefix.txt', { crs: parseCrsParam(undefined, 38) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4547', zone: 38, zoneWidth: 3 });
    // a zone chosen without a system: the datum is still an assumption, and said to be
    expect(r.warnings.map((w) => w.code)).toEqual(['CRS_UNDECLARED']);
    const z39 = await parseFixture('coords-gk-noprefix.txt', { crs: parseCrsParam(undefined, 39) });
    expect(z39.detected).toMatchObject({ crs: 'EPSG:4548', zone: 39 });
    expect(z39.warnings.map((w) => w.code)).toEqual(['CRS_UNDECLARED']);
    expect(allPositions(z39.features.features[0]!.geometry)[0]![0]).toBeCloseTo(117.1315, 3);
  });

  it('reads easting-first rows and 界址点 point lines ("J1,1,X,Y")', async () => {
    const swapped = await parseSiteFile({ text: '38512034.220 3853210.512\n38512180.004 3853210.498\n38512180.016 3853060.771\n' });
    expect(swapped.detected.axisOrder).toBe('lonlat');
    expect(swapped.warnings.map((w) => w.code)).toEqual(['CRS_UNDECLARED']);
    const points = await parseSiteFile({ text: 'J1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\n' });
    expect(points.detected).toMatchObject({ crs: 'EPSG:4526', axisOrder: 'northing-easting' });
    expect(hasVertexNear(points.features.features[0]!.geometry, 114.1315189, 34.8071885, 1e-6)).toBe(true);
  });

  it('follows a forced axis order, and says so when it makes impossible coordinates', async () => {
    const r = await parseSiteFile({ text: '10 20\n11 20\n11 21\n' }, { axisOrder: 'yx' });
    expect(r.detected.axisOrder).toBe('northing-easting');
    expect(allPositions(r.features.features[0]!.geometry)[0]).toEqual([20, 10]);
    const e = await failure(parseFixture('coords-swapped.txt', { axisOrder: 'xy' }));
    expect(e.code).toBe('COORD_UNKNOWN_SYSTEM');
    expect(e.zh).toContain('换算为经纬度后无效');
  });

  it.each([
    ['114.35 34.79\n114.36 34.79\n114.3a 34.80\n', 'COORD_NOT_NUMBER', '第 3 行坐标不是数字：“114.3a”'],
    ['114.35 34.79\n114.36 34.79\n', 'COORD_TOO_FEW', '第 1 行起的一组坐标只有 2 个不同的点，至少需要 3 个点才能围成面'],
    ['114.35 34.79 1 2 3\n', 'COORD_BAD_LINE', '第 1 行有 5 个值，应为“X Y”“经度 纬度”或“点号 X Y”：“114.35 34.79 1 2 3”'],
    ['1234.5 5678.9\n1300 5678.9\n1300 5700\n', 'COORD_UNKNOWN_SYSTEM', undefined],
    ['114.35 34.79\n3853210.512 38512034.220\n114.36 34.80\n', 'COORD_MIXED', undefined],
    ['3853210.512 38512034.220\n3853210.498 39512180.004\n3853060.771 38512180.016\n', 'COORD_MIXED_ZONES', undefined],
    ['  \n\n', 'EMPTY_INPUT', '内容为空'],
  ])('refuses bad pasted text (%#)', async (text, code, zh) => {
    const e = await failure(parseSiteFile({ text }));
    expect(e.code).toBe(code);
    if (zh) expect(e.zh).toBe(zh);
    expect(e.zh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('options and helpers', () => {
  it('reads a crs choice from request parameters', () => {
    expect(parseCrsParam('EPSG:4526')).toEqual({ kind: 'gauss-kruger', zone: 38, zoneWidth: 3, epsg: 4526 });
    expect(parseCrsParam('4547')).toEqual({ kind: 'gauss-kruger', zone: 38, zoneWidth: 3, epsg: 4547 });
    expect(parseCrsParam('EPSG:4498')).toEqual({ kind: 'gauss-kruger', zone: 20, zoneWidth: 6, epsg: 4498 });
    expect(parseCrsParam('EPSG:4490')).toEqual({ kind: 'geographic', epsg: 4490 });
    expect(parseCrsParam('wgs84')).toEqual({ kind: 'geographic', epsg: 4326 });
    expect(parseCrsParam('gk', 39, 3)).toEqual({ kind: 'gauss-kruger', zone: 39, zoneWidth: 3 });
    expect(parseCrsParam(undefined)).toBeUndefined();
    // Web Mercator is placed now; a word nobody knows is still an invalid option
    expect(parseCrsParam('EPSG:3857')).toEqual({ kind: 'projected', epsg: 3857 });
    expect(() => parseCrsParam('mercator')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', zh: expect.stringContaining('不认识的坐标系“mercator”') }));
    expect(() => parseCrsParam('gk', 200)).toThrow(expect.objectContaining({ zh: '带号 200 无效（3 度带）' }));
  });

  it('maps .cpg labels and detects GBK text', () => {
    expect(['GBK', '936', 'CP936', 'gb2312', 'ANSI 936'].map(encodingFromLabel)).toEqual(['gbk', 'gbk', 'gbk', 'gbk', 'gbk']);
    expect(['UTF-8', 'utf8', '65001'].map(encodingFromLabel)).toEqual(['utf-8', 'utf-8', 'utf-8']);
    expect(encodingFromLabel('ISO-8859-1')).toBeUndefined();
    expect(decodeText(gbk('开封市'))).toMatchObject({ text: '开封市', encoding: 'gbk' });
    expect(decodeText(new TextEncoder().encode('开封市'))).toMatchObject({ text: '开封市', encoding: 'utf-8' });
    const utf16 = Uint8Array.of(0xff, 0xfe, ...new Uint8Array(new Uint16Array([...'开封'].map((c) => c.charCodeAt(0))).buffer));
    expect(decodeText(utf16)).toMatchObject({ text: '开封', encoding: 'utf-16le' });
  });

  it('reads a GBK 界址点 text forced as GBK; forced as UTF-8 it fails and says the encoding may be wrong', async () => {
    const forced = await parseFixture('boundary-gbk.txt', { encoding: 'gbk' });
    expect(forced.features.features[0]!.properties.name).toBe('开封东区工业地块');
    const e = await failure(parseFixture('boundary-gbk.txt', { encoding: 'utf-8' }));
    expect(e.zh).toContain('所选编码 UTF-8 可能不对');
  });
});
