/**
 * 界址点坐标文件 header variants and text encodings, against the fixtures in
 * tests/fixtures/boundary-points (written by its make.py: coordinates from PROJ's cs2cs, areas from
 * the written coordinates, encodings from iconv) and their expectations in expected.json.
 *
 * What a planner cares about: the names read as written, the areas converted right, the datum,
 * zone and EPSG code the header names, the file's own shift parameters, the right reason for a
 * refusal, and no warning that is not true.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { datumOfHeader, parseArea, readBoundaryPoints, transformParametersOf, zoneNumberOf, zoneWidthOf } from '../../server/src/formats/parsers/boundary-points.ts';
import { decodeText } from '../../server/src/formats/encoding.ts';
import { ParseError, parseSiteFile } from '../../server/src/formats/parsers/index.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/boundary-points');

interface Expect {
  error?: { code: string; zh: string[] };
  encoding?: string;
  names?: string[];
  codes?: string[];
  uses?: string[];
  map_sheet?: string;
  plane_area_m2?: number[];
  header_area_ha?: (number | null)[];
  lonlat?: number[][][][];
  warnings?: string[];
  warning_text?: string;
  datum?: string;
  epsg?: number | null;
  zoneWidth?: number | null;
  zone?: number | null;
  towgs84?: number[] | null;
  extras?: Record<string, string[]>;
  placed?: { zoneWidth: number; zone: number; crs: string };
}

// a missing expected.json fails here, before any test; it is written by make.py, never by a test
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expect>;
const files = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort();

const bytesOf = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
function readFixture(name: string) {
  const { text, encoding, warnings } = decodeText(bytesOf(name));
  const read = readBoundaryPoints(text.replace(/^\uFEFF/, ''), encoding);
  return { read, encoding, decodeWarnings: warnings };
}

type Geom = Polygon | MultiPolygon;
const positionsOf = (g: Geom) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flat(2);

describe('fixtures and expectations', () => {
  it('every fixture has its expectation and every expectation its fixture', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(Object.keys(expected).sort()).toEqual(files);
  });
});

describe.each(files)('%s', (name) => {
  const e = expected[name]!;

  if (e.error) {
    it(`is refused with ${e.error.code}, naming the problem`, () => {
      let caught: unknown;
      try {
        readFixture(name);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ParseError);
      const pe = caught as ParseError;
      expect(pe.code).toBe(e.error!.code);
      for (const part of e.error!.zh) expect(pe.zh).toContain(part);
      expect(pe.en.length).toBeGreaterThan(20);
    });
    return;
  }

  it('decodes in its encoding and reads every name, code and use as written', () => {
    const { read, encoding, decodeWarnings } = readFixture(name);
    expect(encoding).toBe(e.encoding ?? 'utf-8');
    expect(decodeWarnings).toEqual([]);
    expect(read.features.map((f) => f.properties.name)).toEqual(e.names);
    expect(read.features.map((f) => f.properties.code)).toEqual(e.codes);
    if (e.uses) expect(read.features.map((f) => f.properties.use)).toEqual(e.uses);
    if (e.map_sheet) expect(read.features.map((f) => f.properties.map_sheet)).toEqual(e.names!.map(() => e.map_sheet));
    for (const [key, values] of Object.entries(e.extras ?? {})) expect(read.features.map((f) => f.properties[key])).toEqual(values);
  });

  it('converts the header area to hectares and finds it equal to the plane area', () => {
    const { read } = readFixture(name);
    read.features.forEach((f, i) => {
      const want = e.header_area_ha![i];
      if (want === null) expect(f.properties.header_area_ha).toBeNull();
      else expect(Math.abs((f.properties.header_area_ha as number) - want!)).toBeLessThan(1e-7);
      expect(Math.abs((f.properties.plane_area_ha as number) - e.plane_area_m2![i]! / 10_000)).toBeLessThanOrEqual(0.00005 + 1e-12);
    });
  });

  it('warns exactly what is true', () => {
    const { read } = readFixture(name);
    expect(read.warnings.map((w) => w.code)).toEqual(e.warnings);
    if (e.warning_text) expect(read.warnings[0]!.zh).toContain(e.warning_text);
  });

  it(`declares datum ${e.datum}, zone width ${e.zoneWidth ?? 'unstated'}, zone ${e.zone ?? 'unstated'}, EPSG ${e.epsg ?? 'left to placement'}`, () => {
    const d = readFixture(name).read.declared!;
    expect(d.datum).toBe(e.datum);
    expect(d.epsg).toBe(e.epsg ?? undefined);
    expect(d.choice.kind).toBe('gauss-kruger');
    if (d.choice.kind !== 'gauss-kruger') return;
    expect(d.choice.zoneWidth).toBe(e.zoneWidth ?? undefined);
    expect(d.choice.zone).toBe(e.zone ?? undefined);
    expect(d.towgs84).toEqual(e.towgs84 ?? undefined);
  });

  if (e.datum === 'cgcs2000') {
    it('is placed where PROJ puts its coordinates (within 1e-8°), with no warning', async () => {
      const r = await parseSiteFile({ fileName: name, bytes: bytesOf(name) });
      expect(r.warnings.map((w) => w.code)).toEqual(e.warnings);
      expect(r.detected.encoding).toBe(e.encoding ?? 'utf-8');
      if (e.placed) expect(r.detected).toMatchObject(e.placed);
      r.features.features.forEach((f, i) => {
        const got = positionsOf(f.geometry);
        const want = e.lonlat![i]!.flat();
        expect(got).toHaveLength(want.length);
        for (const [lon, lat] of want) expect(got.some((p) => Math.abs(p[0]! - lon!) < 1e-8 && Math.abs(p[1]! - lat!) < 1e-8), `${lon} ${lat}`).toBe(true);
      });
    });
  }
});

describe('header values one by one', () => {
  it.each([
    ['3', 3], ['6', 6], ['3度', 3], ['3度带', 3], ['三度带', 3], ['6度带', 6], ['六度带', 6], ['3°', 3], ['3 度', 3], ['３', 3], ['3度分带', 3], ['幾度分帶', null], ['', undefined], ['1.5', null],
  ])('几度分带 %j → %j', (text, width) => {
    expect(zoneWidthOf(text as string)).toBe(width);
  });

  it.each([['38', 38], ['38带', 38], ['第38带', 38], ['３８', 38], ['', undefined], ['三十八', null]])('带号 %j → %j', (text, zone) => {
    expect(zoneNumberOf(text as string)).toBe(zone);
  });

  it.each([
    ['2000国家大地坐标系', 'cgcs2000'], ['CGCS2000', 'cgcs2000'], ['国家2000', 'cgcs2000'], ['2000國家大地坐標系', 'cgcs2000'],
    ['1980西安坐标系', 'xian80'], ['西安80', 'xian80'], ['西安1980', 'xian80'], ['Xian80', 'xian80'], ["Xi'an 1980", 'xian80'], ['80国家大地坐标系', 'xian80'], ['1980年国家大地坐标系', 'xian80'],
    ['1954北京坐标系', 'beijing54'], ['北京54', 'beijing54'], ['北京1954', 'beijing54'], ['1954年北京坐标系', 'beijing54'],
    ['WGS84', 'wgs84'], ['WGS-84', 'wgs84'], ['新1954北京坐标系', 'newbeijing54'], ['新北京54', 'newbeijing54'], ['地方坐标系', 'other'],
  ])('坐标系 %j → %s', (text, datum) => {
    expect(datumOfHeader(text)).toBe(datum);
  });

  it.each([
    ['9.3317公顷', 9.3317], ['139.98亩', 139.98 / 15], ['93317平方米', 9.3317], ['93317m2', 9.3317], ['93317㎡', 9.3317], ['93317 m²', 9.3317], ['9.3317', 9.3317], ['９.３３１７公顷', 9.3317],
  ])('面积 %j → %f 公顷', (text, ha) => {
    expect(parseArea(text)!.ha).toBeCloseTo(ha, 8);
  });

  it('an area without a number or with an unknown unit is not an area', () => {
    expect(parseArea('约9公顷')).toBeUndefined();
    expect(parseArea('9.3英亩')).toBeUndefined();
  });

  it('转换参数: empty, commas only and seven zeros are no parameters; seven numbers are read in order', () => {
    expect(transformParametersOf('', 11)).toBeUndefined();
    expect(transformParametersOf(',,,,,,', 11)).toBeUndefined();
    expect(transformParametersOf('0,0,0,0,0,0,0', 11)).toBeUndefined();
    expect(transformParametersOf('1;2;3;4;5;6;7', 11)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => transformParametersOf('1,2,3', 11)).toThrow(expect.objectContaining({ zh: expect.stringContaining('三参数请写成七参数') }));
  });

  it('an unrecognised 坐标系 and an empty one are named in a warning', () => {
    const body = '[地块坐标]\n5,2.1828,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    const other = readBoundaryPoints(`[属性描述]\n坐标系=地方独立坐标系\n${body}`);
    expect(other.declared!.datum).toBe('other');
    expect(other.warnings.map((w) => w.zh)).toEqual(['坐标系“地方独立坐标系”无法识别（应为 2000国家大地坐标系、1980西安坐标系、1954北京坐标系或 WGS84）']);
    const none = readBoundaryPoints(body);
    expect(none.warnings.map((w) => w.code)).toEqual(['HEADER_CRS_ASSUMED']);
    expect(none.declared!.choice).toEqual({ kind: 'gauss-kruger' });
  });

  it('a 坐标系 value that names its zone fills an unstated 几度分带 and 带号', () => {
    const body = '[地块坐标]\n5,2.1828,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    for (const name of ['CGCS2000_3_Degree_GK_Zone_38', 'CGCS2000 / 3-degree Gauss-Kruger zone 38', '2000国家大地坐标系 3度带 38带']) {
      const d = readBoundaryPoints(`[属性描述]\n坐标系=${name}\n${body}`).declared!;
      expect(d, name).toMatchObject({ datum: 'cgcs2000', epsg: 4526, choice: { kind: 'gauss-kruger', zoneWidth: 3, zone: 38 } });
    }
    expect(readBoundaryPoints(`[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n中央子午线=114°\n${body}`).declared!.choice).toEqual({ kind: 'gauss-kruger', zoneWidth: 3, zone: 38 });
    expect(readBoundaryPoints(`[属性描述]\n坐标系=2000国家大地坐标系\n中央子午线=117\n${body}`).declared!.choice).toEqual({ kind: 'gauss-kruger' });
    expect(readBoundaryPoints(`[属性描述]\n坐标系=2000国家大地坐标系\n计量单位=米（m）\n${body}`).warnings).toEqual([]);
    // the lines win over the name
    const d = readBoundaryPoints(`[属性描述]\n坐标系=CGCS2000_3_Degree_GK_Zone_39\n几度分带=3\n带号=38\n${body}`).declared!;
    expect(d.choice).toEqual({ kind: 'gauss-kruger', zoneWidth: 3, zone: 38 });
  });

  it('a header line whose "@" sticks to its last field is a header line', () => {
    const text = '[地块坐标]\n5,2.1828,1,示例地块,面,,工业用地,0601@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    expect(readBoundaryPoints(text).features[0]!.properties).toMatchObject({ name: '示例地块', land_class_code: '0601', header_area_ha: 2.1828, plane_area_ha: 2.1828 });
  });

  it('a plain area that matches in 平方米 says so in its warning', () => {
    const text = '[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n5,21827.5,1,示例地块,面,,,,@\nJ1,1,3853210.512,38512034.220\nJ2,1,3853210.498,38512180.004\nJ3,1,3853060.771,38512180.016\nJ4,1,3853060.790,38512034.231\nJ1,1,3853210.512,38512034.220\n';
    const w = readBoundaryPoints(text).warnings;
    expect(w.map((x) => x.code)).toEqual(['AREA_MISMATCH']);
    expect(w[0]!.zh).toContain('若面积单位为平方米则相符');
  });
});
