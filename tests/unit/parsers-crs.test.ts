/**
 * Every coordinate system the site-file parsers meet is honoured or refused, never assumed:
 * files made by GDAL (tests/fixtures/crs, make.sh there) in each supported system land within
 * 1 mm of GDAL's own placement and are labelled with their true EPSG code; Beijing 1954 / Xi'an
 * 1980 files are refused without parameters, shifted with the file's or the bureau's, or placed
 * approximately when the planner accepts it — whatever is overridden; unknown and unsupported
 * codes are refused naming them; zones come from the prefix, the file or the user, never a default.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { CGCS2000_SHIFT_TARGET, ParseError, parseCrsParam, parseSiteFile, type ParseOptions, type ParseResult, type SevenParameters } from '../../server/src/formats/parsers/index.ts';
import { crsFromGeoJsonMember, crsFromPrj } from '../../server/src/formats/parsers/crs.ts';
import { epsgRecord, gkEpsg, knownCrs } from '../../server/src/formats/parsers/crs-registry.ts';
import { placeFeatures } from '../../server/src/formats/parsers/placement.ts';
import type { ParseWarning } from '../../server/src/formats/parsers/types.ts';
import { expected, maxMetres, rings, type Geom } from '../helpers/crs-fixtures.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/crs');
const bytes = (path: string) => new Uint8Array(readFileSync(join(dir, path)));
const text = (path: string) => readFileSync(join(dir, path), 'utf8');
const parse = (path: string, opts?: ParseOptions) => parseSiteFile({ fileName: path.replace(/^.*\//, ''), bytes: bytes(path) }, opts);
const params = (name: string) => text(`${name}-parameters.txt`).trim().split(',').map(Number) as SevenParameters;


const MM = 0.001;

async function failure(p: Promise<unknown>): Promise<ParseError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error('expected the parse to fail');
}

function geometryOf(r: ParseResult): Geom {
  expect(r.features.features).toHaveLength(1);
  return r.features.features[0]!.geometry;
}

/** The file's own coordinates (GeoJSON fixtures): what `source` must keep. */
function fileCoordinates(path: string): Geom {
  return (JSON.parse(text(path)) as { features: { geometry: Geom }[] }).features[0]!.geometry;
}

const NAMES: Record<number, string> = {
  4490: 'China Geodetic Coordinate System 2000',
  4326: 'WGS 84',
  4526: 'CGCS2000 / 3-degree Gauss-Kruger zone 38',
  4547: 'CGCS2000 / 3-degree Gauss-Kruger CM 114E',
  4498: 'CGCS2000 / Gauss-Kruger zone 20',
  4509: 'CGCS2000 / Gauss-Kruger CM 117E',
  32650: 'WGS 84 / UTM zone 50N',
  3857: 'WGS 84 / Pseudo-Mercator',
  2414: 'Beijing 1954 / 3-degree Gauss-Kruger zone 38',
  2362: 'Xian 1980 / 3-degree Gauss-Kruger zone 38',
  4214: 'Beijing 1954',
  4610: 'Xian 1980',
};

describe('supported coordinate systems land where GDAL puts them (within 1 mm), labelled with their EPSG code', () => {
  it.each([
    ['geojson/epsg-4490.geojson', 4490, 'epsg-4490', 'cgcs2000'],
    ['geojson/epsg-4326.geojson', 4326, 'epsg-4326', 'wgs84'],
    ['geojson/crs84.geojson', 4326, 'epsg-4326', 'wgs84'],
    ['geojson/epsg-4526.geojson', 4526, 'epsg-4526', 'cgcs2000'],
    ['geojson/name-epsg-colon.geojson', 4526, 'epsg-4526', 'cgcs2000'],
    ['geojson/name-ogc-http.geojson', 4526, 'epsg-4526', 'cgcs2000'],
    ['geojson/epsg-4547.geojson', 4547, 'epsg-4547', 'cgcs2000'],
    ['geojson/epsg-4498.geojson', 4498, 'epsg-4498', 'cgcs2000'],
    ['geojson/epsg-4509.geojson', 4509, 'epsg-4509', 'cgcs2000'],
    ['geojson/epsg-32650.geojson', 32650, 'epsg-32650', 'wgs84'],
    ['geojson/epsg-3857.geojson', 3857, 'epsg-3857', 'wgs84'],
    ['shapefile/esri-4490.zip', 4490, 'shp-esri-4490', 'cgcs2000'],
    ['shapefile/esri-4547.zip', 4547, 'shp-esri-4547', 'cgcs2000'],
    ['shapefile/esri-4526.zip', 4526, 'shp-esri-4526', 'cgcs2000'],
    ['shapefile/wkt1-4526.zip', 4526, 'shp-wkt1-4526', 'cgcs2000'],
    ['shapefile/wkt2-4526.zip', 4526, 'shp-wkt2-4526', 'cgcs2000'],
    ['shapefile/esri-32650.zip', 32650, 'shp-esri-32650', 'wgs84'],
    ['shapefile/wkt2-32650.zip', 32650, 'shp-wkt2-32650', 'wgs84'],
    ['shapefile/esri-3857.zip', 3857, 'shp-esri-3857', 'wgs84'],
  ] as const)('%s → EPSG:%i', async (path, epsg, golden, datum) => {
    const r = await parse(path);
    expect(r.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, crsName: NAMES[epsg], datum, datumTransform: 'none' });
    expect(maxMetres(geometryOf(r), expected(golden))).toBeLessThan(MM);
    expect(r.warnings.map((w) => w.code)).not.toContain('DATUM_APPROXIMATE');
    const projected = ![4490, 4326].includes(epsg);
    expect(r.source !== undefined).toBe(projected);
    if (r.source) {
      expect(r.source).toMatchObject({ crs: `EPSG:${epsg}`, epsg });
      // the source keeps the file's own numbers (prefix included) in the placed features' vertex order …
      if (path.endsWith('.geojson')) expect(r.source.geometries[0]).toEqual(fileCoordinates(path));
      // … and its proj4 reproduces the placement
      const back = proj4(r.source.proj4, '+proj=longlat +ellps=GRS80 +no_defs');
      const g = r.source.geometries[0]!;
      const again: Geom = { type: 'Polygon', coordinates: rings(g)[0]!.map((ring) => ring.map((p) => back.forward([p[0]!, p[1]!]) as number[])) };
      expect(maxMetres(again, geometryOf(r))).toBeLessThan(1e-6);
    }
  });

  it('reads KML as EPSG:4326', async () => {
    const r = await parseSiteFile({ fileName: 'site.kml', bytes: new Uint8Array(readFileSync(join(dir, '../parse/site.kml'))) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4326', epsg: 4326, datum: 'wgs84', datumTransform: 'none' });
  });
});

const LOCAL = [
  ['geojson/epsg-2414.geojson', 2414, 'beijing54', 'approx-2414'],
  ['geojson/epsg-2362.geojson', 2362, 'xian80', 'approx-2362'],
  ['geojson/epsg-4214.geojson', 4214, 'beijing54', 'approx-4214'],
  ['geojson/epsg-4610.geojson', 4610, 'xian80', 'approx-4610'],
  ['shapefile/esri-2414.zip', 2414, 'beijing54', 'approx-2414'],
  ['shapefile/wkt1-2414.zip', 2414, 'beijing54', 'approx-2414'],
  ['shapefile/wkt2-2414.zip', 2414, 'beijing54', 'approx-2414'],
  ['shapefile/esri-2362.zip', 2362, 'xian80', 'approx-2362'],
  ['shapefile/esri-4214.zip', 4214, 'beijing54', 'approx-4214'],
  ['shapefile/esri-4610.zip', 4610, 'xian80', 'approx-4610'],
] as const;

describe('Beijing 1954 and Xian 1980 are never placed as CGCS2000 silently', () => {
  it.each(LOCAL)('%s without parameters is refused, naming the datum, the system, the error and the way out', async (path, epsg, datum) => {
    const e = await failure(parse(path));
    expect(e.code).toBe('DATUM_NEEDS_TRANSFORM');
    expect(e.zh).toContain(datum === 'beijing54' ? '1954 北京坐标系' : '1980 西安坐标系');
    expect(e.en).toContain(datum === 'beijing54' ? 'Beijing 1954' : 'Xian 1980');
    expect(e.zh).toContain(`EPSG:${epsg} ${NAMES[epsg]}`);
    expect(e.zh).toContain('数十米');
    expect(e.en).toContain('tens of metres');
    // the three ways out, in words a planner reads (the API's parameter name is not one of them)
    for (const way of ['转换参数', 'DATUM_TRANSFORMS', '确认接受近似位置']) expect(e.zh).toContain(way);
    expect(e.zh).not.toContain('acceptApproximateDatum');
  });

  it.each(LOCAL)('%s with acceptApproximateDatum is placed as its numbers read on CGCS2000, with DATUM_APPROXIMATE', async (path, epsg, datum, golden) => {
    const r = await parse(path, { acceptApproximateDatum: true });
    expect(r.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, crsName: NAMES[epsg], datum, datumTransform: 'approximate' });
    const w = r.warnings.find((x) => x.code === 'DATUM_APPROXIMATE');
    expect(w?.zh).toContain('直接当作 CGCS2000 读取');
    expect(w?.en).toContain('read as CGCS2000');
    expect(maxMetres(geometryOf(r), expected(golden))).toBeLessThan(MM);
  });

  it('states the size of a Beijing 1954 error by EPSG’s generic shift (tens of metres here)', async () => {
    const e = await failure(parse('geojson/epsg-2414.geojson'));
    const m = Number(/约差 (\d+) 米/.exec(e.zh)?.[1]);
    expect(m).toBeGreaterThanOrEqual(20);
    expect(m).toBeLessThan(200);
  });

  it.each([
    ['geojson/epsg-2414.geojson', 2414, 'beijing54', 'bureau-2414', 'bj54'],
    ['geojson/epsg-2362.geojson', 2362, 'xian80', 'bureau-2362', 'xian80'],
  ] as const)('%s is shifted with the bureau’s parameters where GDAL shifts it with them', async (path, epsg, datum, golden, p) => {
    const r = await parse(path, { datumTransforms: { [datum]: params(p) } });
    expect(r.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, datum, datumTransform: 'bureau-parameters' });
    expect(r.warnings.find((w) => w.code === 'DATUM_TRANSFORMED')?.zh).toContain('本局配置的转换参数');
    expect(maxMetres(geometryOf(r), expected(golden))).toBeLessThan(MM);
    expect(r.source?.proj4).toContain(`+towgs84=${params(p).join(',')}`);
    const back = proj4(r.source!.proj4, CGCS2000_SHIFT_TARGET);
    const first = rings(r.source!.geometries[0]!)[0]![0]![0]!;
    const placed = rings(geometryOf(r))[0]![0]![0]!;
    expect(back.forward([first[0]!, first[1]!])).toEqual([placed[0], placed[1]]);
  });

  it.each([
    ['shapefile/towgs84-bj54.zip', 2414, 'beijing54', 'shp-towgs84-bj54'],
    ['shapefile/towgs84-xian80.zip', 2362, 'xian80', 'shp-towgs84-xian80'],
    ['shapefile/wkt2-towgs84-bj54.zip', 2414, 'beijing54', 'shp-wkt2-towgs84-bj54'],
  ] as const)('%s is shifted with the TOWGS84 of its own .prj, before any bureau parameters', async (path, epsg, datum, golden) => {
    const bureau: ParseOptions = { datumTransforms: { beijing54: [1, 2, 3, 0, 0, 0, 0], xian80: [1, 2, 3, 0, 0, 0, 0] } };
    for (const opts of [{}, bureau]) {
      const r = await parse(path, opts);
      expect(r.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, crsName: NAMES[epsg], datum, datumTransform: 'file-parameters' });
      expect(r.warnings.find((w) => w.code === 'DATUM_TRANSFORMED')?.zh).toContain('文件给出的转换参数');
      expect(maxMetres(geometryOf(r), expected(golden))).toBeLessThan(MM);
    }
  });

  it('takes EPSG’s generic Beijing 1954 shift in an old .prj as an approximate placement: refused unless accepted, then applied and said to be rough', async () => {
    const old = epsgRecord(2414)!.wkt; // EPSG's WKT1 with TOWGS84[15.8,-154.4,-82.3,0,0,0,0], as GDAL 2 wrote .prj files
    const d = crsFromPrj(old);
    expect(d).toMatchObject({ epsg: 2414, towgs84: [15.8, -154.4, -82.3, 0, 0, 0, 0] });
    const ring = rings(fileCoordinates('geojson/epsg-2414.geojson'))[0]!.map((r) => r.map((p) => [p[0]!, p[1]!] as [number, number]));
    const place = (options: ParseOptions, warnings: ParseWarning[]) =>
      placeFeatures([{ properties: {}, polygons: [ring] }], { format: 'shapefile', naturalOrder: { geographic: 'xy', projected: 'xy' }, orderIsConvention: true, declared: d, options, warnings });
    let refused: unknown;
    try {
      place({}, []);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ code: 'DATUM_NEEDS_TRANSFORM', zh: expect.stringContaining('EPSG 公布的全国概略参数') });
    const warnings: ParseWarning[] = [];
    const placed = place({ acceptApproximateDatum: true }, warnings);
    expect(placed.datumTransform).toBe('approximate');
    expect(warnings.map((w) => w.code)).toEqual(['DATUM_APPROXIMATE']);
    expect(warnings[0]!.zh).toContain('EPSG 公布的全国概略参数（15.8, -154.4, -82.3, 0, 0, 0, 0）');
    expect(warnings[0]!.zh).toContain('精度数米至数十米');
    // GDAL's placement with +towgs84=15.8,-154.4,-82.3 (make.sh generic)
    expect(maxMetres(placed.features[0]!.geometry, expected('generic-2414'))).toBeLessThan(MM);
  });

  it('keeps the refusal under every override: zone, axis order', async () => {
    for (const opts of [
      { crs: parseCrsParam(undefined, 38) },
      { crs: parseCrsParam('gk', 38, 3) },
      { axisOrder: 'xy' as const },
    ]) {
      expect((await failure(parse('geojson/epsg-2362.geojson', opts))).code).toBe('DATUM_NEEDS_TRANSFORM');
      const r = await parse('geojson/epsg-2362.geojson', { ...opts, acceptApproximateDatum: true });
      expect(r.detected).toMatchObject({ datum: 'xian80', datumTransform: 'approximate' });
      expect(r.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    }
  });

  it('refuses a chosen system whose datum is not the one the file declares, naming both', async () => {
    // a Xian 1980 file forced as CGCS2000 (EPSG:4526), as WGS84 UTM, as Web Mercator, as Beijing 1954
    for (const code of ['EPSG:4526', 'EPSG:32650', 'EPSG:3857', 'EPSG:2414']) {
      for (const accept of [false, true]) {
        const e = await failure(parse('geojson/epsg-2362.geojson', { crs: parseCrsParam(code), acceptApproximateDatum: accept }));
        expect(e.code, code).toBe('INVALID_OPTION');
        expect(e.zh).toContain(code);
        expect(e.zh).toContain('1980 西安坐标系');
        expect(e.en).toContain('Xian 1980');
      }
    }
    // a file with its own Beijing 1954 parameters forced as UTM 50N: no Beijing parameters on a WGS84 projection
    const own = await failure(parse('shapefile/towgs84-bj54.zip', { crs: parseCrsParam('EPSG:32650') }));
    expect(own.code).toBe('INVALID_OPTION');
    expect(own.zh).toContain('EPSG:32650 WGS 84 / UTM zone 50N');
    expect(own.zh).toContain('1954 北京坐标系');
    // … and a CGCS2000 file forced as Beijing 1954
    const e = await failure(parse('geojson/epsg-4526.geojson', { crs: parseCrsParam('EPSG:2414') }));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.zh).toContain('EPSG:2414');
    expect(e.zh).toContain('2000 国家大地坐标系');
    // the file's own system, or only a zone, is no conflict
    expect((await parse('geojson/epsg-2362.geojson', { crs: parseCrsParam('EPSG:2362'), acceptApproximateDatum: true })).detected).toMatchObject({ datum: 'xian80', epsg: 2362 });
  });

  it('applies the same policy to a user who forces a local datum on a file that declares none', async () => {
    const crs = parseCrsParam('EPSG:2414');
    expect(crs).toEqual({ kind: 'gauss-kruger', zone: 38, zoneWidth: 3, epsg: 2414 });
    const coords = fileCoordinates('geojson/epsg-2414.geojson');
    const pasted = rings(coords)[0]![0]!.map((p) => `${p[1]} ${p[0]}`).join('\n');
    expect((await failure(parseSiteFile({ text: pasted }, { crs }))).code).toBe('DATUM_NEEDS_TRANSFORM');
    const r = await parseSiteFile({ text: pasted }, { crs, datumTransforms: { beijing54: params('bj54') } });
    expect(r.detected).toMatchObject({ crs: 'EPSG:2414', epsg: 2414, datum: 'beijing54', datumTransform: 'bureau-parameters' });
  });
});

describe('unknown and unsupported systems are refused, naming them', () => {
  it('refuses a GeoJSON whose crs is a code EPSG does not have', async () => {
    const e = await failure(parse('geojson/epsg-99999.geojson'));
    expect(e.code).toBe('CRS_UNKNOWN');
    expect(e.zh).toContain('99999');
    expect(e.en).toContain('99999');
  });

  it('refuses a GeoJSON crs member it cannot read, rather than ignoring it', async () => {
    const e = await failure(parse('geojson/crs-unreadable.geojson'));
    expect(e.code).toBe('CRS_UNKNOWN');
    expect(e.zh).toContain('Kaifeng local grid');
  });

  it('refuses an EPSG system it cannot place, with its code and name', async () => {
    const e = await failure(parse('geojson/epsg-3395.geojson'));
    expect(e.code).toBe('CRS_UNSUPPORTED');
    expect(e.zh).toContain('EPSG:3395');
    expect(e.en).toContain('WGS 84 / World Mercator');
  });

  it('refuses such codes in the request too', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ParseError).code;
      }
      return 'none';
    };
    expect(code(() => parseCrsParam('EPSG:99999'))).toBe('CRS_UNKNOWN');
    expect(code(() => parseCrsParam('EPSG:3395'))).toBe('CRS_UNSUPPORTED');
    expect(code(() => parseCrsParam('urn:ogc:def:crs:EPSG::32650'))).toBe('none');
    expect(parseCrsParam('ESRI:102100')).toEqual({ kind: 'projected', epsg: 102100 });
    expect(parseCrsParam('EPSG:4610')).toEqual({ kind: 'geographic', epsg: 4610 });
  });

  it('reads every spelling of a crs member', () => {
    for (const name of ['urn:ogc:def:crs:EPSG::2414', 'urn:ogc:def:crs:EPSG:9.8.15:2414', 'EPSG:2414', 'http://www.opengis.net/def/crs/EPSG/0/2414', 'urn:x-ogc:def:crs:EPSG:2414']) {
      expect(crsFromGeoJsonMember({ type: 'name', properties: { name } })).toMatchObject({ epsg: 2414, datum: 'beijing54' });
    }
    for (const name of ['urn:ogc:def:crs:OGC:1.3:CRS84', 'urn:ogc:def:crs:OGC::CRS84', 'http://www.opengis.net/def/crs/OGC/1.3/CRS84']) {
      expect(crsFromGeoJsonMember({ type: 'name', properties: { name } })).toMatchObject({ epsg: 4326, datum: 'wgs84' });
    }
    expect(crsFromGeoJsonMember({ type: 'EPSG', properties: { code: 4547 } })).toMatchObject({ epsg: 4547 });
    // Web Mercator by its other names
    for (const [name, epsg] of [['EPSG:900913', 900913], ['ESRI:102100', 102100], ['urn:ogc:def:crs:ESRI::102100', 102100]] as const) {
      expect(crsFromGeoJsonMember({ type: 'name', properties: { name } })).toMatchObject({ epsg, datum: 'wgs84', choice: { kind: 'projected', epsg } });
    }
    expect(crsFromGeoJsonMember(undefined)).toBeUndefined();
    for (const bad of [{ type: 'link', properties: { href: 'http://example.com/crs' } }, 'EPSG:4490', { type: 'name' }]) {
      expect(() => crsFromGeoJsonMember(bad)).toThrow(ParseError);
    }
  });

  it('refuses a .prj that is no WKT, and a datum it does not know', () => {
    expect(() => crsFromPrj('hello')).toThrow(expect.objectContaining({ code: 'PRJ_UNREADABLE' }));
    const pulkovo = 'GEOGCS["Pulkovo 1942",DATUM["Pulkovo_1942",SPHEROID["Krassowsky 1940",6378245,298.3]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]';
    expect(() => crsFromPrj(pulkovo)).toThrow(expect.objectContaining({ code: 'CRS_UNSUPPORTED' }));
  });

  it('labels an ESRI .prj with its EPSG code (Beijing_1954_3_Degree_GK_Zone_38 → 2414, GCS_Xian_1980 → 4610)', () => {
    expect(crsFromPrj(text('shapefile/esri-2414.prj'))).toMatchObject({ epsg: 2414, datum: 'beijing54', name: 'Beijing_1954_3_Degree_GK_Zone_38' });
    expect(crsFromPrj(text('shapefile/esri-4610.prj'))).toMatchObject({ epsg: 4610, datum: 'xian80', name: 'GCS_Xian_1980' });
    expect(crsFromPrj(text('shapefile/esri-3857.prj'))).toMatchObject({ epsg: 3857 });
    expect(crsFromPrj(text('shapefile/towgs84-bj54.prj'))).toMatchObject({ epsg: 2414, towgs84: params('bj54') });
    expect(crsFromPrj(text('shapefile/wkt2-towgs84-bj54.prj'))).toMatchObject({ epsg: 2414, towgs84: params('bj54') });
  });

  it('reads a coordinate frame BOUNDCRS with its rotations reversed, and places it where PROJ\'s coordinate-frame Helmert does', async () => {
    const prj = text('shapefile/wkt2-frame-bj54.prj');
    expect(prj).toContain('Coordinate Frame rotation');
    expect(prj).toContain('"X-axis rotation",-0.35');
    expect(crsFromPrj(prj)).toMatchObject({ epsg: 2414, towgs84: params('bj54') });
    const r = await parse('shapefile/wkt2-frame-bj54.zip');
    expect(r.detected).toMatchObject({ epsg: 2414, datum: 'beijing54', datumTransform: 'file-parameters' });
    // expected/shp-wkt2-frame-bj54: ogr2ogr -ct with +proj=helmert +convention=coordinate_frame (make.sh frame)
    expect(maxMetres(r.features.features[0]!.geometry, expected('shp-wkt2-frame-bj54'))).toBeLessThan(0.001);
  });

  it('reads each WKT2 BOUNDCRS parameter in its own unit (GDAL writes none: metres, arc-seconds, the scale as a factor)', () => {
    const close = (got: SevenParameters | undefined, want: SevenParameters) => {
      expect(got).toBeDefined();
      got!.forEach((v, i) => expect(v, `parameter ${i}`).toBeCloseTo(want[i]!, 9));
    };
    // GDAL's own: no units
    expect(text('shapefile/wkt2-towgs84-bj54.prj')).toContain('"Scale difference",1.0000021,ID');
    close(crsFromPrj(text('shapefile/wkt2-towgs84-bj54.prj')).towgs84, params('bj54'));
    // kilometre, radian, degree, milliarc-second, parts per million
    close(crsFromPrj(text('prj/boundcrs-units-mixed.prj')).towgs84, params('bj54'));
    // metre, arc-second, parts per billion
    close(crsFromPrj(text('prj/boundcrs-units-ppb.prj')).towgs84, params('bj54'));
    // unity
    close(crsFromPrj(text('prj/boundcrs-units-unity.prj')).towgs84, params('bj54'));
    // a rotation in metres is refused, naming the unit
    const e = (() => { try { crsFromPrj(text('prj/boundcrs-units-wrong-kind.prj')); } catch (x) { return x as ParseError; } })();
    expect(e).toBeInstanceOf(ParseError);
    expect(e!.code).toBe('PRJ_UNREADABLE');
    expect(e!.zh).toContain('参数“X-axis rotation”的单位“LENGTHUNIT["metre"]”');
    expect(e!.en).toContain('it should be an ANGLEUNIT');
  });
});

describe('.prj in every flavour GDAL writes (ESRI, OGC WKT1, WKT2) over the Chinese ranges', () => {
  const codes = [
    4490, 4326, 4214, 4610, 4513, 4526, 4533, 4534, 4547, 4554, 4491, 4498, 4501, 4502, 4509, 4512, 2401, 2414, 2421, 2422, 2435, 2442, 21413, 21420, 21423, 21453, 21460,
    21463, 2327, 2334, 2337, 2338, 2345, 2348, 2349, 2362, 2369, 2370, 2383, 2390, 32601, 32650, 32660, 32750, 3857,
  ];
  it.each(codes.flatMap((c) => ['wkt_esri', 'wkt1', 'wkt2'].map((o) => [o, c] as const)))('%s of EPSG:%i is labelled with its code', (flavour, code) => {
    const d = crsFromPrj(text(`prj/${flavour}-${code}.prj`));
    expect(d.epsg).toBe(code);
    expect(d.datum).toBe(knownCrs(code).datum);
    expect(d.towgs84).toBeUndefined();
  });
});

describe('the registry', () => {
  it('names every Beijing 1954 and Xian 1980 Gauss–Krüger code by its own zone, with or without prefix', () => {
    const ranges: [number, number][] = [
      [2401, 2442],
      [21413, 21423],
      [21453, 21463],
      [21473, 21483],
      [2327, 2390],
      [4491, 4554],
    ];
    for (const [lo, hi] of ranges) {
      for (let code = lo; code <= hi; code++) {
        const k = knownCrs(code);
        expect(k.kind).toBe('gauss-kruger');
        const back = gkEpsg(k.datum, k.gk!);
        // the retired 21473–21483 are the same zones as 21453–21463
        expect(back).toBe(code >= 21473 && code <= 21483 ? code - 20 : code);
        expect(k.name).toBe(epsgRecord(code)!.name);
      }
    }
    expect(knownCrs(2362).datum).toBe('xian80');
    expect(knownCrs(21413).datum).toBe('beijing54');
  });
});

/** A 界址点 file around the fixture parcel's outer ring, with the given header lines and coordinates. */
function boundaryFile(header: string, ring: number[][]): string {
  const points = ring.map((p, i) => `J${i + 1},1,${p[1]},${p[0]}`).join('\n');
  return `[属性描述]\n坐标系=2000国家大地坐标系\n${header}\n[地块坐标]\n${ring.length},0.1,1,示例地块,面,,工业用地,,@\n${points}\n`;
}

describe('zones: from the prefix, the file or the user — never assumed', () => {
  const prefixed = rings(fileCoordinates('geojson/epsg-4498.geojson'))[0]![0]!;
  const plain = rings(fileCoordinates('geojson/epsg-4509.geojson'))[0]![0]!;
  const outer = (g: Geom): Geom => ({ type: 'Polygon', coordinates: [rings(g)[0]![0]!] });

  it('reads prefix 20 as 6° zone 20 (central meridian 117° E), where GDAL puts EPSG:4498', async () => {
    const r = await parseSiteFile({ text: prefixed.map((p) => `${p[1]} ${p[0]}`).join('\n') });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4498', epsg: 4498, zone: 20, zoneWidth: 6 });
    expect(maxMetres(geometryOf(r), outer(expected('epsg-4498')))).toBeLessThan(MM);
  });

  it('follows the prefix over a 几度分带=3 that contradicts it, with a warning', async () => {
    const r = await parseSiteFile({ text: boundaryFile('几度分带=3', prefixed) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4498', zone: 20, zoneWidth: 6 });
    expect(r.warnings.find((w) => w.code === 'ZONE_WIDTH_CONFLICT')?.zh).toContain('117°E');
    expect(maxMetres(geometryOf(r), outer(expected('epsg-4498')))).toBeLessThan(MM);
  });

  it('resolves a requested width that contradicts the prefix by the prefix, and refuses a requested zone outside China', async () => {
    const pasted = prefixed.map((p) => `${p[1]} ${p[0]}`).join('\n');
    const r = await parseSiteFile({ text: pasted }, { crs: parseCrsParam(undefined, undefined, 3) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4498', zone: 20, zoneWidth: 6 });
    expect(r.warnings.find((w) => w.code === 'ZONE_WIDTH_CONFLICT')?.zh).toContain('所选 3 度分带');
    const e = await failure(parseSiteFile({ text: pasted }, { crs: parseCrsParam(undefined, 20, 3) }));
    expect(e.code).toBe('ZONE_AMBIGUOUS');
    expect(e.zh).toContain('中央经线 60°E');
  });

  it('refuses eastings without prefix and without a zone, naming the choices', async () => {
    const e = await failure(parseSiteFile({ text: plain.map((p) => `${p[1]} ${p[0]}`).join('\n') }));
    expect(e.code).toBe('ZONE_AMBIGUOUS');
    expect(e.zh).toContain('3 度带 25–45 带');
    expect(e.zh).toContain('6 度带 13–23 带');
  });

  it('refuses 几度分带=6 with no zone and no prefix, naming the 6° choices only', async () => {
    const e = await failure(parseSiteFile({ text: boundaryFile('几度分带=6', plain) }));
    expect(e.code).toBe('ZONE_AMBIGUOUS');
    expect(e.zh).toContain('6 度带 13–23 带（中央经线 75°E–135°E）');
    expect(e.zh).not.toContain('3 度带 25–45');
  });

  it('places them once the user names the zone', async () => {
    const r = await parseSiteFile({ text: plain.map((p) => `${p[1]} ${p[0]}`).join('\n') }, { crs: parseCrsParam(undefined, 20) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4509', zone: 20, zoneWidth: 6 });
    expect(maxMetres(geometryOf(r), outer(expected('epsg-4509')))).toBeLessThan(MM);
  });

  it('reads eastings without prefix under a code that says they have one, and says so', async () => {
    const t = text('geojson/epsg-4547.geojson').replace('EPSG::4547', 'EPSG::4526');
    const r = await parseSiteFile({ text: t });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4547', epsg: 4547 });
    expect(r.warnings.map((w) => w.code)).toEqual(['ZONE_PREFIX_MISMATCH']);
    expect(maxMetres(geometryOf(r), expected('epsg-4547'))).toBeLessThan(MM);
  });

  it('refuses an easting outside any zone (500 000 ± 350 000 m) and a northing outside China', async () => {
    const e = await failure(parseSiteFile({ text: '3852432.8 950000\n3852437.7 950300\n3852685.6 950300\n' }, { crs: parseCrsParam(undefined, 38) }));
    expect(e.code).toBe('COORD_UNKNOWN_SYSTEM');
    expect(e.zh).toContain('500 000 ± 350 000');
    const n = await failure(parseSiteFile({ text: '7852432.8 38527565.9\n7852437.7 38527891.2\n7852685.6 38527921.0\n' }));
    expect(n.code).toBe('COORD_UNKNOWN_SYSTEM');
    expect(n.zh).toContain('北坐标');
  });
});

describe('what the 界址点 reader hands over: its 坐标系, 转换参数 and (maybe no) 几度分带', () => {
  /** The fixture's rings as a 界址点 file has them: X = northing first. */
  const surveyRings = (path: string) => rings(fileCoordinates(path))[0]!.map((ring) => ring.map((p) => [p[1]!, p[0]!] as [number, number]));
  const place = (path: string, declared: Parameters<typeof placeFeatures>[1]['declared'], options: ParseOptions = {}) => {
    const warnings: ParseWarning[] = [];
    const placed = placeFeatures([{ properties: {}, polygons: [surveyRings(path)] }], {
      format: 'boundary-points',
      naturalOrder: { geographic: 'yx', projected: 'yx' },
      orderIsConvention: true,
      ...(declared ? { declared } : {}),
      options,
      warnings,
    });
    return { placed, warnings };
  };

  it('shifts a Xian 1980 file with its own 转换参数 where GDAL shifts it with them', () => {
    const { placed, warnings } = place('geojson/epsg-2362.geojson', {
      choice: { kind: 'gauss-kruger', zoneWidth: 3, zone: 38 },
      name: '1980西安坐标系',
      datum: 'xian80',
      towgs84: params('xian80'),
    });
    expect(placed).toMatchObject({ crs: 'EPSG:2362', epsg: 2362, datum: 'xian80', datumTransform: 'file-parameters', zone: 38, zoneWidth: 3 });
    expect(warnings.map((w) => w.code)).toEqual(['DATUM_TRANSFORMED']);
    expect(maxMetres(placed.features[0]!.geometry, expected('bureau-2362'))).toBeLessThan(MM);
  });

  it('decides the width from the prefix when the file states none (prefix 20 → 6° zone 20)', () => {
    const { placed, warnings } = place('geojson/epsg-4498.geojson', { choice: { kind: 'gauss-kruger' }, name: '2000国家大地坐标系', datum: 'cgcs2000' });
    expect(placed).toMatchObject({ crs: 'EPSG:4498', zone: 20, zoneWidth: 6, datumTransform: 'none' });
    expect(warnings).toEqual([]);
    expect(maxMetres(placed.features[0]!.geometry, expected('epsg-4498'))).toBeLessThan(MM);
    // the source keeps the file's numbers as [easting, northing], prefix included
    expect(placed.source?.geometries[0]).toEqual(fileCoordinates('geojson/epsg-4498.geojson'));
  });

  it('refuses a 坐标系 it does not know unless an approximate placement is accepted', () => {
    const declared = { choice: { kind: 'gauss-kruger' as const, zone: 38, zoneWidth: 3 as const }, name: '开封城建坐标系', datum: 'other' as const };
    expect(() => place('geojson/epsg-4526.geojson', declared)).toThrow(expect.objectContaining({ code: 'CRS_UNKNOWN', zh: expect.stringContaining('开封城建坐标系') }));
    const { placed, warnings } = place('geojson/epsg-4526.geojson', declared, { acceptApproximateDatum: true });
    expect(placed).toMatchObject({ datum: 'other', datumTransform: 'approximate', crs: '开封城建坐标系 (Gauss-Kruger 3-degree zone 38)' });
    expect(placed.epsg).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(['DATUM_APPROXIMATE']);
    expect(maxMetres(placed.features[0]!.geometry, expected('epsg-4526'))).toBeLessThan(MM);
  });
});


describe('Web Mercator under its other codes is placed like EPSG:3857', () => {
  it.each([900913, 102100])('EPSG:3857 numbers declared as %i land where GDAL puts EPSG:3857', async (code) => {
    const t = text('geojson/epsg-3857.geojson').replace('urn:ogc:def:crs:EPSG::3857', code === 102100 ? 'ESRI:102100' : `EPSG:${code}`);
    const r = await parseSiteFile({ text: t });
    expect(r.detected).toMatchObject(code === 102100 ? { crs: 'ESRI:102100', epsg: 3857, datum: 'wgs84' } : { crs: `EPSG:${code}`, epsg: code, datum: 'wgs84' });
    expect(maxMetres(geometryOf(r), expected('epsg-3857'))).toBeLessThan(MM);
  });
});

describe('projected numbers in a file that names no coordinate system are placed as CGCS2000 with a warning', () => {
  const undeclared = (r: ParseResult) => r.warnings.filter((w) => w.code === 'CRS_UNDECLARED');

  it('a GeoJSON without a crs member (GDAL, -a_srs None): CRS_UNDECLARED naming the Beijing / Xian risk, datumAssumed', async () => {
    const r = await parse('geojson/nocrs-4526.geojson');
    expect(r.detected).toMatchObject({ crs: 'EPSG:4526', datum: 'cgcs2000', datumTransform: 'none', datumAssumed: true });
    expect(undeclared(r)).toHaveLength(1);
    expect(undeclared(r)[0]!.zh).toContain('文件未声明坐标系，已按 2000 国家大地坐标系（CGCS2000）处理');
    expect(undeclared(r)[0]!.zh).toContain('1954 北京或 1980 西安坐标系，位置可差数十米');
    expect(undeclared(r)[0]!.en).toContain('Beijing 1954 or Xian 1980');
    expect(maxMetres(r.features.features[0]!.geometry, expected('epsg-4526'))).toBeLessThan(0.001);
  });

  it('pasted Gauss–Krüger numbers, and a Shapefile without .prj, warn the same way', async () => {
    const coords = fileCoordinates('geojson/epsg-4526.geojson');
    const pasted = rings(coords)[0]![0]!.map((p) => `${p[1]} ${p[0]}`).join('\n');
    const r = await parseSiteFile({ text: pasted });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4526', datum: 'cgcs2000', datumAssumed: true });
    expect(undeclared(r)).toHaveLength(1);
    // a zone chosen without a system leaves the datum assumed
    const zoned = await parseSiteFile({ text: pasted }, { crs: parseCrsParam(undefined, 38) });
    expect(undeclared(zoned)).toHaveLength(1);
    const shp = await parse('shapefile/noprj-4526.zip');
    expect(shp.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['PRJ_MISSING', 'CRS_UNDECLARED']));
    expect(shp.detected.datumAssumed).toBe(true);
    expect(maxMetres(shp.features.features[0]!.geometry, expected('epsg-4526'))).toBeLessThan(0.001);
  });

  it('a 界址点 file without 坐标系= says it once (HEADER_CRS_ASSUMED, with the same risk)', async () => {
    const body = '[地块坐标]\n5,2.1828,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    const r = await parseSiteFile({ text: body });
    expect(r.detected).toMatchObject({ format: 'boundary-points', datum: 'cgcs2000', datumAssumed: true });
    expect(r.warnings.map((w) => w.code)).toEqual(['HEADER_CRS_ASSUMED']);
    expect(r.warnings[0]!.zh).toContain('1954 北京或 1980 西安坐标系，位置可差数十米');
  });

  it('no warning when the system is declared or chosen, nor for lon/lat (CGCS2000 and WGS84 agree within a metre)', async () => {
    const declared = await parse('geojson/epsg-4526.geojson');
    expect(undeclared(declared)).toEqual([]);
    expect(declared.detected.datumAssumed).toBeUndefined();
    const coords = fileCoordinates('geojson/epsg-4526.geojson');
    const pasted = rings(coords)[0]![0]!.map((p) => `${p[1]} ${p[0]}`).join('\n');
    const chosen = await parseSiteFile({ text: pasted }, { crs: parseCrsParam('EPSG:4526') });
    expect(undeclared(chosen)).toEqual([]);
    expect(chosen.detected.datumAssumed).toBeUndefined();
    const lonlat = await parseSiteFile({ text: '114.35 34.79\n114.36 34.79\n114.36 34.80\n' });
    expect(undeclared(lonlat)).toEqual([]);
    expect(lonlat.detected).toMatchObject({ datum: 'cgcs2000' });
    expect(lonlat.detected.datumAssumed).toBeUndefined();
  });
});

describe("a file's own seven parameters are held to the bounds of DATUM_TRANSFORMS", () => {
  it('refuses a .prj TOWGS84 with a 1000 km shift, or a scale written as a factor, naming the parameter and the bound', () => {
    const far = (() => { try { crsFromPrj(text('prj/towgs84-bj54-far.prj')); } catch (e) { return e as ParseError; } })();
    expect(far).toBeInstanceOf(ParseError);
    expect(far!.code).toBe('DATUM_PARAMETERS_INVALID');
    expect(far!.zh).toContain('ΔX = 1000000 米超出合理范围（绝对值 ≤ 1000 米');
    expect(far!.en).toContain('dx = 1000000 m is out of range');
    const factor = (() => { try { crsFromPrj(text('prj/towgs84-bj54-factor.prj')); } catch (e) { return e as ParseError; } })();
    expect(factor!.code).toBe('DATUM_PARAMETERS_INVALID');
    expect(factor!.zh).toContain('尺度 1.0000021 像是比例因子');
    expect(factor!.zh).toContain('应写作 2.1');
    expect(factor!.en).toContain('as a factor it should be written 2.1');
  });

  it('refuses a 界址点 转换参数= line out of bounds (API answer 4xx through the parse)', async () => {
    const body = '[地块坐标]\n5,2.1828,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    for (const [line, what] of [
      ['1e6,0,0,0,0,0,0', 'ΔX = 1000000 米'],
      ['0,0,0,0,0,75,0', 'Z 旋转 = 75 秒'],
      ['-12.6,-149.8,-77.9,0.35,-0.41,0.62,250', '尺度 = 250 ppm'],
      ['-12.6,-149.8,-77.9,0.35,-0.41,0.62,1.0000011', '尺度 1.0000011 像是比例因子'],
    ] as const) {
      const e = await failure(parseSiteFile({ text: `[属性描述]\n坐标系=1954北京坐标系\n转换参数=${line}\n${body}` }));
      expect(e.code, line).toBe('DATUM_PARAMETERS_INVALID');
      expect(e.zh).toContain(what);
      expect(e.zh).toContain('第 3 行');
    }
    // within the bounds: applied as the file's own
    const ok = await parseSiteFile({ text: `[属性描述]\n坐标系=1954北京坐标系\n转换参数=${params('bj54').join(',')}\n${body}` });
    expect(ok.detected).toMatchObject({ datum: 'beijing54', datumTransform: 'file-parameters' });
  });
});

describe('a zone prefix outside China is refused when a zone width is chosen, as a chosen zone outside China is', () => {
  const pasted = (prefix: number) => [[3852432.8, 527565.9], [3852437.7, 527891.2], [3852685.6, 527921.0], [3852804.1, 527725.2]].map(([n, e]) => `${n} ${prefix * 1_000_000 + e!}`).join('\n');
  it.each([
    [50, 3, '150°E'],
    [12, 6, '69°E'],
    [24, 6, '141°E'],
  ] as const)('prefix %i with zoneWidth=%i', async (prefix, width, meridian) => {
    const e = await failure(parseSiteFile({ text: pasted(prefix) }, { crs: parseCrsParam(undefined, undefined, width) }));
    expect(e.code).toBe('ZONE_AMBIGUOUS');
    expect(e.zh).toContain(`带号前缀 ${prefix}`);
    expect(e.zh).toContain(meridian);
    // the same zone chosen outright is refused the same way
    expect((await failure(parseSiteFile({ text: pasted(prefix) }, { crs: parseCrsParam(undefined, prefix, width) }))).code).toBe('ZONE_AMBIGUOUS');
  });
  it('a prefix in China with the width chosen is placed', async () => {
    const r = await parseSiteFile({ text: pasted(38) }, { crs: parseCrsParam(undefined, undefined, 3) });
    expect(r.detected).toMatchObject({ crs: 'EPSG:4526', zone: 38, zoneWidth: 3 });
  });
});

describe('the registry caches stay bounded whatever codes requests name', () => {
  it('keeps no code EPSG does not have, and at most REGISTRY_CACHE_SIZE of those it has', async () => {
    const { REGISTRY_CACHE_SIZE, registryCacheSizes } = await import('../../server/src/formats/parsers/crs-registry.ts');
    const before = registryCacheSizes();
    for (let i = 0; i < 2000; i++) {
      expect(epsgRecord(90_000_000 + i)).toBeUndefined();
      expect(() => parseCrsParam(`EPSG:${91_000_000 + i}`)).toThrow(expect.objectContaining({ code: 'CRS_UNKNOWN' }));
    }
    expect(registryCacheSizes()).toEqual(before);
    // real codes (2000–2999 and 3000–3999 hold hundreds): never more than the bound
    for (let code = 2000; code < 4000; code++) {
      try {
        knownCrs(code);
      } catch {
        // unknown or unsupported: refused, as they should be
      }
    }
    expect(registryCacheSizes().records).toBeLessThanOrEqual(REGISTRY_CACHE_SIZE);
    expect(registryCacheSizes().systems).toBeLessThanOrEqual(REGISTRY_CACHE_SIZE);
    expect(registryCacheSizes().records).toBeGreaterThan(100);
    // still answers after eviction
    expect(knownCrs(4526).gk).toMatchObject({ zone: 38, zoneWidth: 3 });
  });
});

describe('the rotation convention of seven parameters is stated where they are applied', () => {
  it('DATUM_TRANSFORMED says the parameters are read as position vector and what a coordinate frame set needs', async () => {
    const r = await parse('geojson/epsg-2414.geojson', { datumTransforms: { beijing54: params('bj54') } });
    const w = r.warnings.find((x) => x.code === 'DATUM_TRANSFORMED')!;
    expect(w.zh).toContain('按布尔沙七参数的位置矢量约定读取，即 proj4 的 +towgs84、EPSG 方法 1033');
    expect(w.zh).toContain('坐标框架约定（EPSG 方法 1032）的参数须把三个旋转取反号');
    expect(w.en).toContain('read as position vector');
    expect(w.en).toContain('coordinate frame set, EPSG method 1032, needs its three rotations with their signs reversed');
  });
});

describe('the word "lonlat" says what the numbers are, not their datum', () => {
  it('a Beijing 1954 lon/lat file sent with crs=lonlat stays Beijing 1954; with crs=cgcs2000 or EPSG:4490 it is refused naming both', async () => {
    expect(parseCrsParam('lonlat')).toEqual({ kind: 'geographic' });
    expect(parseCrsParam('cgcs2000')).toEqual({ kind: 'geographic', epsg: 4490 });
    expect((await failure(parse('geojson/epsg-4214.geojson', { crs: parseCrsParam('lonlat') }))).code).toBe('DATUM_NEEDS_TRANSFORM');
    const r = await parse('geojson/epsg-4214.geojson', { crs: parseCrsParam('lonlat'), acceptApproximateDatum: true });
    expect(r.detected).toMatchObject({ datum: 'beijing54', datumTransform: 'approximate' });
    for (const crs of ['cgcs2000', 'EPSG:4490']) {
      const e = await failure(parse('geojson/epsg-4214.geojson', { crs: parseCrsParam(crs) }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.zh).toContain('1954 北京坐标系');
    }
    // a lon/lat file that declares nothing, sent with crs=lonlat: CGCS2000
    expect((await parseSiteFile({ text: '114.35 34.79\n114.36 34.79\n114.36 34.80\n' }, { crs: parseCrsParam('lonlat') })).detected).toMatchObject({ crs: 'EPSG:4490', datum: 'cgcs2000' });
  });
});

describe('a 界址点 file on Beijing 1954 with its own 转换参数 forced into a system of another datum', () => {
  it('is refused naming both, even with the approximate placement accepted', async () => {
    const body = '[地块坐标]\n5,2.1828,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    const file = `[属性描述]\n坐标系=北京54\n转换参数=${params('bj54').join(',')}\n${body}`;
    for (const [crs, name] of [['EPSG:32650', 'WGS 84 / UTM zone 50N'], ['EPSG:3857', 'WGS 84 / Pseudo-Mercator'], ['EPSG:2362', 'Xian 1980']] as const) {
      const e = await failure(parseSiteFile({ text: file }, { crs: parseCrsParam(crs), acceptApproximateDatum: true }));
      expect(e.code, crs).toBe('INVALID_OPTION');
      expect(e.zh).toContain(crs);
      expect(e.en).toContain(name);
      expect(e.zh).toContain('“北京54”属于1954 北京坐标系');
    }
    // its own system, or a zone alone, keeps the file's parameters
    const r = await parseSiteFile({ text: file }, { crs: parseCrsParam(undefined, 38) });
    expect(r.detected).toMatchObject({ datum: 'beijing54', datumTransform: 'file-parameters', zone: 38 });
  });
});
