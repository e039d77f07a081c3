/**
 * Writes the 界址点坐标文件 (boundary-point coordinate file) of land-approval
 * submissions (domain.md): a `[属性描述]` header naming CGCS2000, the zone width,
 * Gauss–Krüger, metres, the zone and the precision, then `[地块坐标]` with one header
 * line per parcel (`点数,面积(公顷),地块编号,地块名称,面,图幅号,用途,地类编码,@`) and
 * its points (`J1,圈号,X,Y`, X = northing, Y = easting, 3 decimals).
 *
 * Conventions of the written file:
 * - every ring is closed by repeating its first point (counted in 点数);
 * - rings are numbered 1, 2, … through the whole parcel: a polygon's outer ring, then its
 *   holes, then the next polygon's outer ring (readers tell holes by containment);
 * - outer rings run clockwise as seen on a north-up map, holes anticlockwise, each starting
 *   at the point nearest its north-west corner, as surveyors number boundary points;
 * - point names run J1, J2, … through the parcel; a closing point repeats its ring's first name;
 * - the header area is the Gauss–Krüger PLANE area in hectares (4 decimals) of the
 *   coordinates as written (to the millimetre), so a reader recomputing it gets the same;
 * - lines end in CRLF (the files are read by Windows software).
 *
 * `encodeBoundaryPoints` turns the text into GBK bytes (the usual encoding) through
 * iconv-lite (../encoding.ts).
 *
 * @example writeBoundaryPoints([{ geometry, name: '示例地块', use: '工业用地' }], { zone: 38 })
 */
import { gaussKrugerEpsg, lonLatToGaussKruger, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { M2_PER_HA, roundTo } from '../../../../core/units.ts';
import { encodeGbk } from '../encoding.ts';

/** A site polygon in EPSG:4490 lon/lat. */
export type LonLatGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** One parcel to write: its lon/lat geometry and the header line's fields. */
export interface BoundaryParcel {
  geometry: LonLatGeometry;
  /** 地块编号; defaults to the parcel's position, 1, 2, … */
  code?: string | null;
  /** 地块名称 */
  name?: string | null;
  /** 用途 */
  use?: string | null;
  /** 图幅号 */
  mapSheet?: string | null;
  /** 地类编码 */
  landClassCode?: string | null;
}

export interface BoundaryPointsOptions {
  zone: number;
  zoneWidth?: ZoneWidth;
  /** Whether Y (easting) carries the zone number in front (38 512 034.220). Default true. */
  zonePrefix?: boolean;
}

/** A point as the file writes it: northing (X) and easting (Y) in metres, rounded to the millimetre. */
export type PlanePoint = [northing: number, easting: number];

/**
 * Whether a zone exists for CGCS2000 Gauss–Krüger in China: 3° zones 25–45, 6° zones 13–23.
 *
 * @example isValidZone(38, 3) // true
 * @example isValidZone(38, 6) // false
 */
export function isValidZone(zone: number, zoneWidth: ZoneWidth = 3): boolean {
  return Number.isInteger(zone) && gaussKrugerEpsg({ zone, zoneWidth }) !== undefined;
}

/**
 * Twice the signed area of a ring in the (easting, northing) plane: positive anticlockwise.
 * Coordinates are shifted to the first point so 38-million eastings lose no precision.
 */
export function signedArea2(ring: readonly PlanePoint[]): number {
  const first = ring[0];
  if (!first) return 0;
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % ring.length]!;
    s += (p[1] - first[1]) * (q[0] - first[0]) - (q[1] - first[1]) * (p[0] - first[0]);
  }
  return s;
}

/**
 * Plane area in m² of projected polygons (first ring of each the outer, the rest holes).
 *
 * @example planeAreaM2([[[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]]]) // 10000
 */
export function planeAreaM2(polygons: readonly (readonly (readonly PlanePoint[])[])[]): number {
  let total = 0;
  for (const poly of polygons) poly.forEach((ring, i) => (total += (i === 0 ? 1 : -1) * Math.abs(signedArea2(ring) / 2)));
  return total;
}

/** Rounds to the millimetre, the file's precision (精度=0.001). */
export const mm = (v: number) => Math.round(v * 1000) / 1000;

/**
 * A ring of plane points as a 界址点 file writes it: rounded to the millimetre, without repeated
 * points, oriented (clockwise for an outer ring) and started at the point nearest its north-west
 * corner. Open (no closing point); empty when fewer than 3 distinct points are left.
 */
export function fileRing(points: Iterable<PlanePoint>, outer: boolean): PlanePoint[] {
  const pts: PlanePoint[] = [];
  for (const [n, e] of points) {
    const p: PlanePoint = [mm(n), mm(e)];
    const last = pts[pts.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
  }
  while (pts.length > 1 && pts[0]![0] === pts[pts.length - 1]![0] && pts[0]![1] === pts[pts.length - 1]![1]) pts.pop();
  if (pts.length < 3) return [];
  const clockwise = signedArea2(pts) < 0;
  if (clockwise !== outer) pts.reverse();
  const maxN = Math.max(...pts.map((p) => p[0]));
  const minE = Math.min(...pts.map((p) => p[1]));
  let start = 0;
  let best = Infinity;
  pts.forEach((p, i) => {
    const d = (maxN - p[0]) ** 2 + (p[1] - minE) ** 2;
    if (d < best) [best, start] = [d, i];
  });
  return [...pts.slice(start), ...pts.slice(0, start)];
}

/** One lon/lat ring projected to the zone and written as {@link fileRing} does. */
export function planeRing(ring: readonly number[][], outer: boolean, opts: BoundaryPointsOptions): PlanePoint[] {
  return fileRing(
    ring.map((pos): PlanePoint => {
      const { northing, easting } = lonLatToGaussKruger(pos[0]!, pos[1]!, opts);
      return [northing, easting];
    }),
    outer,
  );
}

/**
 * A parcel's geometry as the file writes it: polygons of open rings in northing/easting.
 * Degenerate rings are dropped (a polygon whose outer ring is degenerate entirely).
 */
export function planePolygons(geometry: LonLatGeometry, opts: BoundaryPointsOptions): PlanePoint[][][] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out: PlanePoint[][][] = [];
  for (const poly of polys) {
    const rings = poly.map((r, i) => planeRing(r, i === 0, opts));
    if (!rings[0]?.length) continue;
    out.push(rings.filter((r) => r.length > 0));
  }
  return out;
}

/**
 * A header field as the format allows it: no commas (either width — readers split on both),
 * no line breaks, trimmed.
 *
 * @example fieldText('开封，新区\n一期') // '开封 新区 一期'
 */
export function fieldText(value: string | null | undefined): string {
  return (value ?? '').replace(/[,，\r\n]+/g, ' ').replace(/\s+/g, ' ').trim();
}

const coord = (v: number) => v.toFixed(3);

/** The `[属性描述]` section for a zone. */
export function attributeSection(opts: BoundaryPointsOptions): string[] {
  return [
    '[属性描述]',
    '坐标系=2000国家大地坐标系',
    `几度分带=${opts.zoneWidth ?? 3}`,
    '投影类型=高斯克吕格',
    '计量单位=米',
    `带号=${opts.zone}`,
    '精度=0.001',
  ];
}

/**
 * One parcel's lines: the header line, then the point lines ring by ring.
 * Empty when nothing of the geometry is left at millimetre precision.
 */
export function parcelLines(parcel: BoundaryParcel, index: number, opts: BoundaryPointsOptions): string[] {
  const polygons = planePolygons(parcel.geometry, opts);
  if (polygons.length === 0) return [];
  const closed = polygons.flat().map((r) => [...r, r[0]!]);
  const pointCount = closed.reduce((n, r) => n + r.length, 0);
  const ha = roundTo(planeAreaM2(polygons) / M2_PER_HA, 4).toFixed(4);
  const header = [
    pointCount,
    ha,
    fieldText(parcel.code) || String(index + 1),
    fieldText(parcel.name),
    '面',
    fieldText(parcel.mapSheet),
    fieldText(parcel.use),
    fieldText(parcel.landClassCode),
    '@',
  ].join(',');
  const lines = [header];
  let n = 0;
  closed.forEach((ring, r) => {
    const firstName = n + 1;
    ring.forEach((p, i) => {
      const name = i === ring.length - 1 ? firstName : ++n;
      lines.push(`J${name},${r + 1},${coord(p[0])},${coord(p[1])}`);
    });
  });
  return lines;
}

/**
 * The whole file as text (CRLF line ends, ending in one).
 *
 * @throws RangeError for a zone that does not exist (3° zones 25–45, 6° zones 13–23)
 */
export function writeBoundaryPoints(parcels: readonly BoundaryParcel[], opts: BoundaryPointsOptions): string {
  const o: BoundaryPointsOptions = { zone: opts.zone, zoneWidth: opts.zoneWidth ?? 3, zonePrefix: opts.zonePrefix ?? true };
  if (!isValidZone(o.zone, o.zoneWidth)) throw new RangeError(`no ${o.zoneWidth}° Gauss–Krüger zone ${o.zone}`);
  const lines = [...attributeSection(o), '[地块坐标]', ...parcels.flatMap((p, i) => parcelLines(p, i, o))];
  return lines.join('\r\n') + '\r\n';
}

/**
 * The file's bytes in the chosen encoding (GBK by default, as submission systems expect).
 *
 * @example encodeBoundaryPoints(text, 'utf-8')
 */
export function encodeBoundaryPoints(text: string, encoding: 'gbk' | 'utf-8' = 'gbk'): Uint8Array {
  return encoding === 'utf-8' ? new TextEncoder().encode(text) : encodeGbk(text).bytes;
}
