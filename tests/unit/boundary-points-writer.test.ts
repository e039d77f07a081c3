/**
 * The 界址点坐标文件 writer: domain.md's example parcel written back exactly (21 827.5 m²
 * plane area → 2.1828 ha), ring order and orientation, holes and parts, zones, field
 * sanitising and GBK encoding.
 */
import { describe, expect, it } from 'vitest';
import { gaussKrugerToLonLat, type GaussKrugerOptions } from '../../core/gauss-kruger.ts';
import { encodeGbk } from '../../server/src/formats/encoding.ts';
import {
  encodeBoundaryPoints,
  fieldText,
  isValidZone,
  planeAreaM2,
  writeBoundaryPoints,
  type LonLatGeometry,
} from '../../server/src/formats/writers/boundary-points.ts';

/** domain.md's example parcel, as the file writes it (northing, easting with the zone prefix). */
const EXAMPLE: [number, number][] = [
  [3853210.512, 38512034.22],
  [3853210.498, 38512180.004],
  [3853060.771, 38512180.016],
  [3853060.79, 38512034.231],
];

const EXAMPLE_FILE = [
  '[属性描述]',
  '坐标系=2000国家大地坐标系',
  '几度分带=3',
  '投影类型=高斯克吕格',
  '计量单位=米',
  '带号=38',
  '精度=0.001',
  '[地块坐标]',
  '5,2.1828,1,示例地块,面,,工业用地,,@',
  'J1,1,3853210.512,38512034.220',
  'J2,1,3853210.498,38512180.004',
  'J3,1,3853060.771,38512180.016',
  'J4,1,3853060.790,38512034.231',
  'J1,1,3853210.512,38512034.220',
];

/** A ring of plane points back to lon/lat, closed. */
function toLonLat(points: [number, number][], opts: GaussKrugerOptions = { zone: 38 }): number[][] {
  const ring = points.map(([n, e]) => {
    const { lon, lat } = gaussKrugerToLonLat(n, e, opts);
    return [lon, lat];
  });
  return [...ring, ring[0]!];
}

/** A square in plane coordinates: [north-west corner, size], clockwise from the north-west. */
const square = (n: number, e: number, size: number): [number, number][] => [
  [n, e],
  [n, e + size],
  [n - size, e + size],
  [n - size, e],
];

const lines = (text: string) => text.split('\r\n');

describe('writeBoundaryPoints', () => {
  it('writes domain.md’s example parcel exactly: 21 827.5 m² plane area → 2.1828 ha', () => {
    const geometry: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(EXAMPLE)] };
    const text = writeBoundaryPoints([{ geometry, name: '示例地块', use: '工业用地' }], { zone: 38, zoneWidth: 3, zonePrefix: true });
    expect(text).toBe(EXAMPLE_FILE.join('\r\n') + '\r\n');
    expect(planeAreaM2([[EXAMPLE]])).toBeCloseTo(21827.5, 1);
  });

  it('writes outer rings clockwise from the north-west point whatever the input’s order and start', () => {
    const anticlockwise = [...EXAMPLE].reverse();
    const rotated = [...anticlockwise.slice(2), ...anticlockwise.slice(0, 2)];
    const text = writeBoundaryPoints([{ geometry: { type: 'Polygon', coordinates: [toLonLat(rotated)] }, name: '示例地块', use: '工业用地' }], { zone: 38 });
    expect(lines(text).slice(8, 14)).toEqual(EXAMPLE_FILE.slice(8));
  });

  it('numbers holes and further parts as further rings, holes anticlockwise, and subtracts holes from the area', () => {
    const outer = square(3853500, 38512000, 300);
    const hole = square(3853400, 38512100, 100);
    const part = square(3853500, 38513000, 50);
    const geometry: LonLatGeometry = {
      type: 'MultiPolygon',
      coordinates: [[toLonLat(outer), toLonLat(hole)], [toLonLat(part)]],
    };
    const out = lines(writeBoundaryPoints([{ geometry, code: 'A-1', name: '多部件' }], { zone: 38 }));
    // 3 rings of 4 points, each closed: 15 points; 300² − 100² + 50² m²
    expect(out[8]).toBe('15,8.2500,A-1,多部件,面,,,,@');
    const points = out.slice(9, -1).map((l) => l.split(','));
    expect(points.map((p) => p[1])).toEqual(['1', '1', '1', '1', '1', '2', '2', '2', '2', '2', '3', '3', '3', '3', '3']);
    expect(points.map((p) => p[0])).toEqual(['J1', 'J2', 'J3', 'J4', 'J1', 'J5', 'J6', 'J7', 'J8', 'J5', 'J9', 'J10', 'J11', 'J12', 'J9']);
    const xy = (p: string[]) => [Number(p[2]), Number(p[3])];
    // outer ring as given (clockwise from NW); the hole turned anticlockwise: NW, SW, SE, NE
    expect(points.slice(0, 4).map(xy)).toEqual(outer);
    expect(points.slice(5, 9).map(xy)).toEqual([hole[0], hole[3], hole[2], hole[1]]);
    expect(points.slice(10, 14).map(xy)).toEqual(part);
    expect(out[out.length - 1]).toBe(''); // ends with a line break
  });

  it('writes eastings without the zone prefix, and other zones and 6° zones, on request', () => {
    const geometry: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(EXAMPLE)] };
    const plain = lines(writeBoundaryPoints([{ geometry }], { zone: 38, zonePrefix: false }));
    expect(plain[9]).toBe('J1,1,3853210.512,512034.220');
    expect(plain[8]).toBe('5,2.1828,1,,面,,,,@');
    const six = lines(writeBoundaryPoints([{ geometry }], { zone: 19, zoneWidth: 6 }));
    expect(six.slice(2, 6)).toEqual(['几度分带=6', '投影类型=高斯克吕格', '计量单位=米', '带号=19']);
    expect(six[9]).toMatch(/^J1,1,\d{7}\.\d{3},19\d{6}\.\d{3}$/);
    // the same parcel is about 0.2 % larger in a zone whose central meridian is 3° away (scale ≈ 1 + (Δλ·cos φ)²/2)
    const far = Number(six[8]!.split(',')[1]);
    expect(far).toBeGreaterThan(2.1828);
    expect(far).toBeLessThan(2.1828 * 1.003);
  });

  it('writes several parcels, each numbered from J1, and drops points that coincide at the millimetre', () => {
    const a: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(EXAMPLE)] };
    const dup = [...EXAMPLE.slice(0, 2), [EXAMPLE[1]![0] + 0.0001, EXAMPLE[1]![1]] as [number, number], ...EXAMPLE.slice(2)];
    const b: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(dup)] };
    const out = lines(writeBoundaryPoints([{ geometry: a }, { geometry: b, code: '7' }], { zone: 38 }));
    const headers = out.filter((l) => l.endsWith('@'));
    expect(headers).toEqual(['5,2.1828,1,,面,,,,@', '5,2.1828,7,,面,,,,@']);
    expect(out.slice(15, 20)).toEqual(EXAMPLE_FILE.slice(9));
  });

  it('keeps commas and line breaks out of the header fields', () => {
    expect(fieldText('开封,新区，一期\r\n二期')).toBe('开封 新区 一期 二期');
    expect(fieldText(null)).toBe('');
    const geometry: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(EXAMPLE)] };
    const header = lines(writeBoundaryPoints([{ geometry, name: 'A,B', use: '工业,仓储' }], { zone: 38 }))[8]!;
    expect(header.split(',')).toHaveLength(9);
  });

  it('knows the zones that exist and refuses others', () => {
    expect([25, 38, 45].every((z) => isValidZone(z, 3))).toBe(true);
    expect([24, 46, 38.5].some((z) => isValidZone(z, 3))).toBe(false);
    expect([13, 19, 23].every((z) => isValidZone(z, 6))).toBe(true);
    expect(isValidZone(38, 6)).toBe(false);
    const geometry: LonLatGeometry = { type: 'Polygon', coordinates: [toLonLat(EXAMPLE)] };
    expect(() => writeBoundaryPoints([{ geometry }], { zone: 50 })).toThrow(RangeError);
  });
});

describe('GBK encoding', () => {
  const text = lines(EXAMPLE_FILE.join('\r\n')).join('\r\n') + '，（一期）·—€';

  it('round-trips through the platform’s GBK decoder', () => {
    const { bytes, unmappable } = encodeGbk(text);
    expect(unmappable).toEqual([]);
    expect(new TextDecoder('gbk').decode(bytes)).toBe(text);
    expect([...encodeGbk('中').bytes]).toEqual([0xd6, 0xd0]);
  });

  it('writes GBK characters that Node’s ICU GBK decoder lacks, with their code page 936 codes', () => {
    // the bytes glibc's `iconv -f UTF-8 -t GB18030` gives (GBK's two-byte codes are GB18030's)
    expect([...encodeGbk('ǹḿ⺁').bytes]).toEqual([0xa8, 0xbf, 0xa8, 0xbc, 0xfe, 0x50]);
  });

  it('writes only codes the GB18030 decoder reads back as the same character', () => {
    // every character of the Basic Multilingual Plane outside the private use area: what is written
    // decodes back (WHATWG's GB18030 decoder, which reads every GBK code), what is not is listed
    const decoder = new TextDecoder('gb18030', { fatal: true });
    let written = 0;
    for (let cp = 0x80; cp <= 0xffff; cp++) {
      if ((cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xe000 && cp <= 0xf8ff)) continue;
      const ch = String.fromCodePoint(cp);
      const { bytes, unmappable } = encodeGbk(ch);
      if (unmappable.length) {
        expect(unmappable).toEqual([ch]);
        expect([...bytes]).toEqual([0x3f]);
        continue;
      }
      expect(decoder.decode(bytes), `U+${cp.toString(16)}`).toBe(ch);
      written++;
    }
    // GBK holds 21 886 characters and symbols
    expect(written).toBeGreaterThan(21_800);
  });

  it('replaces what GBK cannot hold with ? and lists it', () => {
    const { bytes, unmappable } = encodeGbk('地块𠮷😀');
    expect(unmappable).toEqual(['𠮷', '😀']);
    expect(new TextDecoder('gbk').decode(bytes)).toBe('地块??');
  });

  it('encodes UTF-8 on request', () => {
    expect(new TextDecoder().decode(encodeBoundaryPoints('示例', 'utf-8'))).toBe('示例');
    expect([...encodeBoundaryPoints('示例')]).toEqual([...encodeGbk('示例').bytes]);
  });
});
