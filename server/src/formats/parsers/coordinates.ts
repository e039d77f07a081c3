/**
 * Pasted coordinates: one point a line, the two numbers separated by a comma,
 * spaces or a tab, optionally after a point name ("J1 3853210.512 38512034.220"),
 * or whole 界址点 point lines ("J1,1,X,Y" — the ring number is used). A blank line
 * starts a new ring: inside the previous parcel it is a hole, otherwise a new parcel.
 * Whether the numbers are lon/lat or northing/easting is decided by magnitude in
 * placement; rings are closed when the last point does not repeat the first.
 *
 * @example readCoordinates('114.35 34.79\n114.36 34.79\n114.36 34.80').features.length // 1
 */
import { ParseError, warn } from './errors.ts';
import { kindOfPair } from './placement.ts';
import { closeRing, groupRings, type RawRead } from './raw.ts';
import type { ParseWarning, RawFeature, RawPosition } from './types.ts';

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Splits a pasted line into its values (commas, semicolons, spaces, tabs, 、 and full-width commas).
 *
 * @example tokens('J1, 3853210.512\t38512034.22') // ['J1', '3853210.512', '38512034.22']
 */
export function tokens(line: string): string[] {
  return line.split(/[\s,;，；、]+/).filter(Boolean);
}

function notNumber(lineNo: number, value: string): ParseError {
  return new ParseError('COORD_NOT_NUMBER', `第 ${lineNo} 行坐标不是数字：“${value}”`, `Line ${lineNo}: the coordinate is not a number: "${value}"`);
}

const isInteger = (t: string) => /^\d+$/.test(t);

/**
 * Reads one line into a position and, for 界址点-style lines, a ring number.
 * Throws a ParseError naming the line when it is not a coordinate line.
 *
 * @example parseLine('J1,1,3853210.512,38512034.220', 7) // { position: [3853210.512, 38512034.22], ring: 1 }
 */
export function parseLine(line: string, lineNo: number): { position: RawPosition; ring?: number } {
  const t = tokens(line);
  const numeric = t.map((v) => NUMBER.test(v));
  const pair = (i: number): RawPosition => {
    const a = t[i]!;
    const b = t[i + 1]!;
    if (!numeric[i]) throw notNumber(lineNo, a);
    if (!numeric[i + 1]) throw notNumber(lineNo, b);
    return [Number(a), Number(b)];
  };
  const fits = (i: number) => numeric[i] && numeric[i + 1] && kindOfPair([Number(t[i]), Number(t[i + 1])]) !== undefined;
  if (t.length === 2) return { position: pair(0) };
  if (t.length === 3) {
    if (!numeric[0]) return { position: pair(1) }; // name x y
    if (isInteger(t[0]!) && fits(1)) return { position: pair(1) }; // number x y
    if (fits(0)) return { position: pair(0) }; // x y z
    return { position: pair(1) };
  }
  if (t.length === 4) {
    if (isInteger(t[1]!) && Number(t[1]) >= 1 && Number(t[1]) <= 999 && fits(2)) return { position: pair(2), ring: Number(t[1]) }; // J1,1,X,Y
    if (fits(1)) return { position: pair(1) }; // name x y z
    return { position: pair(2), ring: Number(t[1]) };
  }
  if (t.length === 1 && !numeric[0]) throw notNumber(lineNo, t[0]!);
  throw new ParseError(
    'COORD_BAD_LINE',
    `第 ${lineNo} 行有 ${t.length} 个值，应为“X Y”“经度 纬度”或“点号 X Y”：“${line.trim().slice(0, 60)}”`,
    `Line ${lineNo} has ${t.length} values; expected "X Y", "lon lat" or "name X Y": "${line.trim().slice(0, 60)}"`,
  );
}

/**
 * Reads pasted coordinate text into raw features, one per parcel.
 *
 * @example readCoordinates('3853210.512 38512034.220\n3853210.498 38512180.004\n3853060.771 38512180.016')
 */
export function readCoordinates(text: string): RawRead {
  const warnings: ParseWarning[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  const rings: { start: number; points: RawPosition[] }[] = [];
  let current: { start: number; points: RawPosition[]; ring?: number } | undefined;
  let seenPoint = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (!line) {
      current = undefined;
      return;
    }
    if (/^(#|\/\/)/.test(line)) return;
    if (!seenPoint && !/\d/.test(line)) return; // a header such as "点号 X Y" or "经度,纬度"
    const { position, ring } = parseLine(line, lineNo);
    seenPoint = true;
    if (!current || (ring !== undefined && current.ring !== undefined && ring !== current.ring)) {
      current = { start: lineNo, points: [], ...(ring !== undefined ? { ring } : {}) };
      rings.push(current);
    }
    current.points.push(position);
  });
  if (rings.length === 0) throw new ParseError('EMPTY_INPUT', '没有读到任何坐标', 'No coordinates were found');
  const closed = rings.map(({ start, points }) => {
    const distinct = new Set(points.map((p) => `${p[0]},${p[1]}`)).size;
    if (distinct < 3) {
      throw new ParseError(
        'COORD_TOO_FEW',
        `第 ${start} 行起的一组坐标只有 ${distinct} 个不同的点，至少需要 3 个点才能围成面`,
        `The ring starting on line ${start} has only ${distinct} distinct points; a polygon needs at least 3`,
      );
    }
    return closeRing(points);
  });
  const polygons = groupRings(closed);
  const features: RawFeature[] = polygons.map((poly) => ({ properties: {}, polygons: [poly] }));
  if (features.length > 1) {
    warnings.push(
      warn('SEVERAL_PARCELS', `空行分隔出 ${features.length} 个地块，已分别读取`, `Blank lines separate ${features.length} parcels; each was read as its own feature`),
    );
  }
  return {
    format: 'coordinates',
    features,
    naturalOrder: { geographic: 'xy', projected: 'yx' },
    orderIsConvention: false,
    warnings,
  };
}
