/**
 * Placing raw coordinates on the map: decide whether the numbers are lon/lat or
 * Gauss–Krüger metres, which of a pair is which, which zone, and reproject to
 * EPSG:4490 lon/lat. Every parser hands its raw pairs here, so all formats
 * detect and report the same way.
 *
 * Magnitudes tell the systems apart (domain.md, "Coordinates"):
 * - lon/lat: |values| ≤ 180; in China longitude 73–136, latitude 3–54, so a swapped
 *   pair (34.79, 114.35) is recognisable;
 * - Gauss–Krüger: the northing is 1–10 million metres (Kaifeng ≈ 3.85 million); the
 *   easting is below 1 million without zone prefix (≈ 500 000 ± 300 000) or
 *   ≥ 10 million with it (38 512 034 → zone 38).
 *
 * @example placeFeatures(raw, { format: 'coordinates', naturalOrder: { geographic: 'xy', projected: 'yx' }, … })
 */
import proj4 from 'proj4';
import { gaussKrugerProj, type ZoneWidth } from '../gauss-kruger.ts';
import { gaussKrugerName, datumName, type DeclaredCrs } from './crs.ts';
import { ParseError, num, warn } from './errors.ts';
import type {
  AxisOrderOption,
  DetectedAxisOrder,
  ParseOptions,
  ParseWarning,
  RawFeature,
  RawPosition,
  SiteFeature,
  SiteFormat,
} from './types.ts';

const GEOGRAPHIC = '+proj=longlat +ellps=GRS80 +no_defs';

/** China's extent in degrees, for telling a lon/lat pair from a lat/lon one. */
const CHINA = { lon: [73, 136], lat: [3, 54] } as const;

/** The zone assumed when nothing names it: Kaifeng's 3° zone. */
export const DEFAULT_ZONE = 38;

export type CoordinateKind = 'geographic' | 'projected';

export interface PlaceContext {
  format: SiteFormat;
  /** How the format orders a pair, per kind of coordinate (survey files: X = northing first). */
  naturalOrder: Record<CoordinateKind, AxisOrderOption>;
  /** Whether the format fixes the order, so finding it the other way round deserves a warning. */
  orderIsConvention: boolean;
  declared?: DeclaredCrs;
  options: ParseOptions;
  warnings: ParseWarning[];
}

export interface Placement {
  features: SiteFeature[];
  crs: string;
  zone?: number;
  zoneWidth?: ZoneWidth;
  axisOrder: DetectedAxisOrder;
}

/**
 * What kind of coordinate a pair is, by magnitude.
 *
 * @example kindOfPair([114.35, 34.79]) // 'geographic'
 * @example kindOfPair([3853210.512, 38512034.22]) // 'projected'
 */
export function kindOfPair([a, b]: RawPosition): CoordinateKind | undefined {
  const hi = Math.max(Math.abs(a), Math.abs(b));
  const lo = Math.min(Math.abs(a), Math.abs(b));
  if (hi <= 180 && lo <= 90) return 'geographic';
  if (hi >= 1_000_000 && hi < 100_000_000 && lo >= 10_000) return 'projected';
  return undefined;
}

/**
 * Which of a projected pair is the easting: index 0 or 1, or undefined when the magnitudes
 * do not tell (the northing is 1–10 million; the easting is below 1 million or above 10 million).
 *
 * @example eastingIndex([3853210.512, 38512034.22]) // 1
 */
export function eastingIndex([a, b]: RawPosition): 0 | 1 | undefined {
  const isNorthing = (v: number) => v >= 1_000_000 && v < 10_000_000;
  const isEasting = (v: number) => v < 1_000_000 || v >= 10_000_000;
  if (isEasting(a) && isNorthing(b)) return 0;
  if (isNorthing(a) && isEasting(b)) return 1;
  return undefined;
}

function inRange(v: number, [lo, hi]: readonly [number, number]): boolean {
  return v >= lo && v <= hi;
}

function* positionsOf(raw: RawFeature[]): Generator<RawPosition> {
  for (const f of raw) for (const poly of f.polygons) for (const ring of poly) yield* ring;
}

/** Signed shoelace area (positive = counter-clockwise) of a ring in its own units. */
export function signedArea(ring: number[][]): number {
  let sum = 0;
  const n = ring.length;
  if (n < 3) return 0;
  const [x0, y0] = ring[0] as [number, number];
  for (let i = 0; i < n; i++) {
    const p = ring[i] as [number, number];
    const q = ring[(i + 1) % n] as [number, number];
    sum += (p[0] - x0) * (q[1] - y0) - (q[0] - x0) * (p[1] - y0);
  }
  return sum / 2;
}

/** RFC 7946 orientation: outer rings counter-clockwise, holes clockwise. */
function rewind(rings: number[][][]): number[][][] {
  return rings.map((ring, i) => {
    const ccw = signedArea(ring) > 0;
    return (i === 0) !== ccw ? [...ring].reverse() : ring;
  });
}

/** Decides lon/lat vs projected for the whole file. */
function decideKind(raw: RawFeature[], ctx: PlaceContext): CoordinateKind {
  let geographic = 0;
  let projected = 0;
  let first: Partial<Record<CoordinateKind, RawPosition>> = {};
  for (const p of positionsOf(raw)) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new ParseError('COORD_NOT_NUMBER', `坐标中有不是数字的值：(${p[0]}, ${p[1]})`, `A coordinate is not a number: (${p[0]}, ${p[1]})`);
    }
    const kind = kindOfPair(p);
    if (!kind) {
      throw new ParseError(
        'COORD_UNKNOWN_SYSTEM',
        `坐标 (${num(p[0])}, ${num(p[1])}) 既不像经纬度，也不像高斯-克吕格平面坐标（如 X≈3 850 000、Y≈38 500 000）；可能是独立坐标系或 CAD 坐标，请先转换为 CGCS2000`,
        `Coordinate (${num(p[0])}, ${num(p[1])}) looks neither like lon/lat nor like Gauss–Krüger metres (e.g. X≈3,850,000, Y≈38,500,000); it may be a local or CAD grid — convert it to CGCS2000 first`,
      );
    }
    if (kind === 'geographic') geographic++;
    else projected++;
    first = { [kind]: p, ...first };
  }
  if (geographic > 0 && projected > 0) {
    const g = first.geographic!;
    const q = first.projected!;
    throw new ParseError(
      'COORD_MIXED',
      `坐标中既有经纬度（如 ${num(g[0], 7)}, ${num(g[1], 7)}）又有平面坐标（如 ${num(q[0])}, ${num(q[1])}），请统一为一种坐标系`,
      `The coordinates mix lon/lat (e.g. ${num(g[0], 7)}, ${num(g[1], 7)}) and projected metres (e.g. ${num(q[0])}, ${num(q[1])}); use one system`,
    );
  }
  if (geographic + projected === 0) throw new ParseError('NO_FEATURES', '没有读到任何坐标', 'No coordinates were found');
  const kind: CoordinateKind = projected > 0 ? 'projected' : 'geographic';
  const declared = ctx.options.crs ?? ctx.declared?.choice;
  const declaredKind: CoordinateKind | undefined = declared ? (declared.kind === 'geographic' ? 'geographic' : 'projected') : undefined;
  if (declaredKind && declaredKind !== kind) {
    const by = ctx.options.crs ? { zh: '所选', en: 'The chosen' } : { zh: '文件声明的', en: 'The declared' };
    const sys = declaredKind === 'geographic' ? { zh: '经纬度坐标系', en: 'lon/lat system' } : { zh: '高斯-克吕格投影', en: 'Gauss–Krüger projection' };
    const seen = kind === 'geographic' ? { zh: '经纬度', en: 'lon/lat' } : { zh: '平面坐标（米）', en: 'projected metres' };
    ctx.warnings.push(
      warn(
        'CRS_MISMATCH',
        `${by.zh}${sys.zh}与坐标数值不符：数值像${seen.zh}，已按${seen.zh}处理`,
        `${by.en} ${sys.en} does not fit the numbers, which look like ${seen.en}; read them as ${seen.en}`,
      ),
    );
  }
  return kind;
}

/** Decides the axis order; returns 'xy' (first = east–west) or 'yx'. */
function decideOrder(raw: RawFeature[], kind: CoordinateKind, ctx: PlaceContext): AxisOrderOption {
  const natural = ctx.naturalOrder[kind];
  if (ctx.options.axisOrder) return ctx.options.axisOrder;
  if (ctx.declared?.wkt && kind === 'projected') return natural;
  let asXy = 0;
  let asYx = 0;
  for (const [a, b] of positionsOf(raw)) {
    if (kind === 'geographic') {
      if (inRange(a, CHINA.lon) && inRange(b, CHINA.lat)) asXy++;
      else if (inRange(b, CHINA.lon) && inRange(a, CHINA.lat)) asYx++;
    } else {
      const e = eastingIndex([a, b]);
      if (e === 0) asXy++;
      else if (e === 1) asYx++;
    }
  }
  const found: AxisOrderOption = asXy === asYx ? natural : asXy > asYx ? 'xy' : 'yx';
  if (found !== natural && (kind === 'geographic' || ctx.orderIsConvention)) {
    if (kind === 'geographic') {
      ctx.warnings.push(
        found === 'yx'
          ? warn(
              'AXES_SWAPPED',
              '经纬度顺序颠倒（先纬度后经度），已自动交换为“经度 纬度”',
              'Longitude and latitude were swapped (latitude first); they have been exchanged',
            )
          : warn(
              'AXES_SWAPPED',
              '坐标为“经度 纬度”顺序，与文件约定（先 X/纬度）不同，已按数值判断',
              'The coordinates are in lon/lat order, unlike the file’s convention (X/latitude first); read by magnitude',
            ),
      );
    } else {
      ctx.warnings.push(
        natural === 'yx'
          ? warn(
              'AXES_SWAPPED',
              'X、Y 列似乎颠倒（X 应为北坐标、Y 应为东坐标），已按数值大小自动交换',
              'The X and Y columns seem swapped (X should be the northing, Y the easting); exchanged by magnitude',
            )
          : warn(
              'AXES_SWAPPED',
              '坐标顺序为“北坐标、东坐标”，已按数值大小自动交换为“东、北”',
              'Coordinates are in northing, easting order; exchanged by magnitude',
            ),
      );
    }
  }
  return found;
}

/**
 * Places raw features on the map (EPSG:4490 lon/lat), deciding and reporting the
 * coordinate system, zone and axis order. Adds warnings to `ctx.warnings`.
 *
 * @example placeFeatures([{ properties: {}, polygons: [[[[3853210.512, 38512034.22], …]]] }], ctx).crs // 'EPSG:4526'
 */
export function placeFeatures(raw: RawFeature[], ctx: PlaceContext): Placement {
  const kind = decideKind(raw, ctx);
  const order = decideOrder(raw, kind, ctx);
  const axisOrder: DetectedAxisOrder = order === 'xy' ? 'lonlat' : 'northing-easting';
  const xy = (p: RawPosition): [number, number] => (order === 'xy' ? [p[0], p[1]] : [p[1], p[0]]);
  const declared = ctx.declared;
  const forced = ctx.options.crs;

  if (declared && declared.datum !== 'cgcs2000' && declared.datum !== 'wgs84' && !forced) {
    const d = datumName(declared.datum);
    ctx.warnings.push(
      warn(
        'DATUM_NOT_CGCS2000',
        `文件的坐标系为${d.zh}（${declared.name}），已按 CGCS2000 处理；两者相差可达数十米至上百米，请先在专业软件中转换`,
        `The file's coordinate system is ${d.en} (${declared.name}); it was read as CGCS2000, which can be tens to a hundred metres off — convert it first`,
      ),
    );
  }

  const build = (toLonLat: (x: number, y: number) => [number, number]): SiteFeature[] =>
    raw.map((f) => {
      const polygons = f.polygons.map((poly) =>
        rewind(
          poly.map((ring) =>
            ring.map((p) => {
              const [x, y] = xy(p);
              const ll = toLonLat(x, y);
              if (!Number.isFinite(ll[0]) || !Number.isFinite(ll[1]) || Math.abs(ll[0]) > 180 || Math.abs(ll[1]) > 90) {
                throw new ParseError(
                  'COORD_UNKNOWN_SYSTEM',
                  `坐标 (${num(p[0])}, ${num(p[1])}) 换算为经纬度后无效，请检查坐标系、带号与坐标顺序`,
                  `Coordinate (${num(p[0])}, ${num(p[1])}) does not convert to a valid lon/lat; check the coordinate system, zone and axis order`,
                );
              }
              return ll;
            }),
          ),
        ),
      );
      const geometry =
        polygons.length === 1 ? { type: 'Polygon' as const, coordinates: polygons[0]! } : { type: 'MultiPolygon' as const, coordinates: polygons };
      return { type: 'Feature' as const, properties: f.properties, geometry };
    });

  if (kind === 'geographic') {
    const epsg = forced?.kind === 'geographic' ? (forced.epsg ?? 4490) : declared?.choice.kind === 'geographic' ? (declared.choice.epsg ?? 4490) : 4490;
    return { features: build((x, y) => [x, y]), crs: `EPSG:${epsg}`, axisOrder };
  }

  if (declared?.wkt && !forced) {
    let forward: (p: [number, number]) => [number, number];
    try {
      const converter = proj4(declared.wkt, GEOGRAPHIC);
      forward = (p) => converter.forward(p) as [number, number];
      forward([500_000, 3_000_000]);
    } catch {
      throw new ParseError('PRJ_UNREADABLE', `无法识别 .prj 中的投影“${declared.name}”`, `The projection "${declared.name}" in the .prj file is not supported`);
    }
    ctx.warnings.push(
      warn(
        'CRS_NOT_GAUSS_KRUGER',
        `坐标系“${declared.name}”不是 CGCS2000 高斯-克吕格投影，已按 .prj 定义转换为经纬度，请核对位置`,
        `"${declared.name}" is not a CGCS2000 Gauss–Krüger projection; converted with the .prj definition — check the position`,
      ),
    );
    return { features: build((x, y) => forward([x, y])), crs: declared.name || 'WKT', axisOrder };
  }

  // Gauss–Krüger: the prefix is read from the numbers themselves
  const prefixes = new Set<number>();
  let unprefixed = 0;
  for (const p of positionsOf(raw)) {
    const [e] = xy(p);
    if (e >= 10_000_000) prefixes.add(Math.floor(e / 1_000_000));
    else unprefixed++;
  }
  if (prefixes.size > 1 || (prefixes.size === 1 && unprefixed > 0)) {
    const zones = [...prefixes].sort((a, b) => a - b);
    throw new ParseError(
      'COORD_MIXED_ZONES',
      `东坐标（Y）的带号前缀不一致（${zones.join('、')}${unprefixed ? '，以及不带带号的坐标' : ''}），请检查是否混入了其他带的坐标`,
      `The eastings (Y) carry different zone prefixes (${zones.join(', ')}${unprefixed ? ', and some none' : ''}); check for coordinates from another zone`,
    );
  }
  const prefixZone = prefixes.size === 1 ? [...prefixes][0] : undefined;
  const forcedGk = forced?.kind === 'gauss-kruger' ? forced : undefined;
  const declaredGk = declared?.choice.kind === 'gauss-kruger' ? declared.choice : undefined;
  let zone: number;
  if (forcedGk?.zone !== undefined) {
    zone = forcedGk.zone;
    if (prefixZone !== undefined && prefixZone !== zone) {
      ctx.warnings.push(
        warn(
          'ZONE_OVERRIDDEN',
          `东坐标带号前缀为 ${prefixZone}，但按所选的 ${zone} 带计算`,
          `The eastings carry zone prefix ${prefixZone}, but the chosen zone ${zone} was used`,
        ),
      );
    }
  } else if (prefixZone !== undefined) {
    zone = prefixZone;
    if (declaredGk?.zone !== undefined && declaredGk.zone !== prefixZone) {
      ctx.warnings.push(
        warn(
          'ZONE_CONFLICT',
          `文件声明的带号为 ${declaredGk.zone}，但东坐标的带号前缀为 ${prefixZone}；已按坐标前缀 ${prefixZone} 带计算`,
          `The file declares zone ${declaredGk.zone} but the eastings carry prefix ${prefixZone}; zone ${prefixZone} was used`,
        ),
      );
    }
  } else if (declaredGk?.zone !== undefined) {
    zone = declaredGk.zone;
  } else {
    zone = DEFAULT_ZONE;
    ctx.warnings.push(
      warn(
        'ZONE_ASSUMED',
        `东坐标不带带号，也未指定带号，已按开封所在的 3 度带第 ${DEFAULT_ZONE} 带（中央经线 114°E）计算；如不对请指定带号`,
        `The eastings carry no zone prefix and no zone was given; 3° zone ${DEFAULT_ZONE} (central meridian 114° E, Kaifeng) was assumed — set the zone if that is wrong`,
      ),
    );
  }
  const zoneWidth: ZoneWidth = forcedGk?.zoneWidth ?? declaredGk?.zoneWidth ?? (zone >= 13 && zone <= 23 ? 6 : 3);
  const converter = proj4(gaussKrugerProj({ zone, zoneWidth, zonePrefix: false }), GEOGRAPHIC);
  const shift = prefixZone !== undefined ? prefixZone * 1_000_000 : 0;
  const features = build((e, n) => converter.forward([e - shift, n]) as [number, number]);
  return { features, crs: gaussKrugerName(zone, zoneWidth, prefixZone !== undefined), zone, zoneWidth, axisOrder };
}
