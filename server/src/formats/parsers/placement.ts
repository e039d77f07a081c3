/**
 * Placing raw coordinates on the map: decide whether the numbers are lon/lat or
 * projected metres, which of a pair is which, which coordinate system and zone, bring
 * them to CGCS2000 (EPSG:4490) lon/lat, and keep them as the file gave them. Every parser
 * hands its raw pairs here, so all formats detect, refuse and report the same way.
 *
 * Magnitudes tell the systems apart (domain.md, "Coordinates"):
 * - lon/lat: |values| ≤ 180; in China longitude 73–136, latitude 3–54, so a swapped
 *   pair (34.79, 114.35) is recognisable;
 * - Gauss–Krüger: the northing is 1–10 million metres (Kaifeng ≈ 3.85 million); the
 *   easting is below 1 million without zone prefix (≈ 500 000 ± 350 000) or
 *   ≥ 10 million with it (38 512 034 → zone 38).
 *
 * Zones (China: 6° zones 13–23, 3° zones 25–45 — the ranges do not overlap): a prefix names the
 * zone and so its width (20 → 6° zone 20, CM 117° E; 38 → 3° zone 38, CM 114° E); a declared width
 * that contradicts the prefix is overruled by it with a warning; eastings without prefix need a
 * zone from the file or the user, else the parse is refused naming the choices (ZONE_AMBIGUOUS) —
 * a zone is never assumed.
 *
 * Datums: CGCS2000 and WGS84 are placed as they are. Beijing 1954 and Xi'an 1980 are shifted to
 * CGCS2000 with seven parameters — the file's own (a 界址点 转换参数= line, a WKT TOWGS84) or the
 * bureau's (DATUM_TRANSFORMS) — and say so (DATUM_TRANSFORMED); without parameters they are refused
 * (DATUM_NEEDS_TRANSFORM), unless the planner accepts an approximate placement: then the numbers are
 * read as if they were CGCS2000 (same projection, GRS80 ellipsoid, no shift; EPSG's generic
 * Beijing 1954 shift estimates the error in the message) with DATUM_APPROXIMATE. That generic shift
 * found in a file (an old .prj's TOWGS84) is no survey's own: it is applied only as an accepted
 * approximate placement. The datum comes from the file or the user's choice, whichever names a local
 * datum, so no override (zone, axis order) loses it; a chosen system on another datum than the file
 * declares is refused. Projected numbers from a file that names no system are read as CGCS2000 with
 * CRS_UNDECLARED (lon/lat need none: CGCS2000 and WGS84 agree within a metre).
 *
 * @example placeFeatures(raw, { format: 'coordinates', naturalOrder: { geographic: 'xy', projected: 'yx' }, … })
 */
import proj4 from 'proj4';
import type { ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { datumName, gaussKrugerName, type DeclaredCrs } from './crs.ts';
import { ELLIPSOID, epsgRecord, GEOGRAPHIC_EPSG, gkEpsg, knownCrs, type Datum } from './crs-registry.ts';
import { ParseError, num, warn } from './errors.ts';
import type {
  AxisOrderOption,
  CrsChoice,
  DatumTransform,
  DetectedAxisOrder,
  ParseOptions,
  ParseWarning,
  RawFeature,
  RawPosition,
  SevenParameters,
  SiteFeature,
  SiteFormat,
  SiteGeometry,
  SourceCoordinates,
} from './types.ts';

/** CGCS2000 lon/lat, as proj4 sees it with no datum: coordinates on their own ellipsoid are converted without a shift. */
const GEOGRAPHIC = '+proj=longlat +ellps=GRS80 +no_defs';

/**
 * CGCS2000 lon/lat with a (null) datum shift, the target of a seven-parameter shift: a source with
 * +towgs84 is shifted to it (CGCS2000 is taken as WGS84, within a few cm). `source.proj4` of a
 * shifted parse reproduces the placement with proj4(source.proj4, CGCS2000_SHIFT_TARGET).
 */
export const CGCS2000_SHIFT_TARGET = '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs';

/** China's extent in degrees, for telling a lon/lat pair from a lat/lon one. */
const CHINA = { lon: [73, 136], lat: [3, 54] } as const;

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
  datum: Datum;
  epsg?: number;
  crsName?: string;
  datumTransform: DatumTransform;
  /** Projected numbers from a file that names no datum, placed as CGCS2000 (with CRS_UNDECLARED / HEADER_CRS_ASSUMED). */
  datumAssumed?: true;
  source?: SourceCoordinates;
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
    const sys =
      declaredKind === 'geographic'
        ? { zh: '经纬度坐标系', en: 'lon/lat system' }
        : declared?.kind === 'projected'
          ? { zh: '投影坐标系', en: 'projected system' }
          : { zh: '高斯-克吕格投影', en: 'Gauss–Krüger projection' };
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
  if (kind === 'projected' && (ctx.options.crs ?? ctx.declared?.choice)?.kind === 'projected') return natural;
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

/** China's zone numbers: 6° zones 13–23, 3° zones 25–45 (they do not overlap). */
export const CHINA_ZONES: Record<ZoneWidth, readonly [number, number]> = { 6: [13, 23], 3: [25, 45] };

/** Whether a zone of a width lies over China. */
export function isChinaZone(zone: number, width: ZoneWidth): boolean {
  const [lo, hi] = CHINA_ZONES[width];
  return Number.isInteger(zone) && zone >= lo && zone <= hi;
}

/** The width a zone number has in China (13–23 → 6°, 25–45 → 3°), or undefined. */
export function widthOfChinaZone(zone: number): ZoneWidth | undefined {
  return isChinaZone(zone, 6) ? 6 : isChinaZone(zone, 3) ? 3 : undefined;
}

/** An unprefixed easting's plausible range in a zone: 500 000 ± 350 000 m. */
export const EASTING_RANGE = [150_000, 850_000] as const;
/** Northings over China (latitude ≈ 3°–54° N). */
export const NORTHING_RANGE = [300_000, 6_100_000] as const;

const cm = (zone: number, width: ZoneWidth) => (width === 3 ? 3 * zone : 6 * zone - 3);

function zoneChoices(width?: ZoneWidth): { zh: string; en: string } {
  const part = (w: ZoneWidth) => {
    const [lo, hi] = CHINA_ZONES[w];
    return { zh: `${w} 度带 ${lo}–${hi} 带（中央经线 ${cm(lo, w)}°E–${cm(hi, w)}°E）`, en: `${w}° zones ${lo}–${hi} (central meridians ${cm(lo, w)}°–${cm(hi, w)}° E)` };
  };
  const list = width ? [part(width)] : [part(3), part(6)];
  return { zh: list.map((p) => p.zh).join('或 '), en: list.map((p) => p.en).join(' or ') };
}

function ambiguous(zh: string, en: string): ParseError {
  return new ParseError('ZONE_AMBIGUOUS', zh, en);
}

/**
 * The zone and width of Gauss–Krüger eastings: from the user's choice, the prefix, or the file's
 * declaration, in that order; a width that contradicts the zone number is resolved by China's zone
 * ranges with a warning; nothing to go by is refused, naming the choices.
 */
function decideZone(
  prefixZone: number | undefined,
  forced: { zone?: number; zoneWidth?: ZoneWidth } | undefined,
  declared: { zone?: number; zoneWidth?: ZoneWidth } | undefined,
  warnings: ParseWarning[],
): { zone: number; zoneWidth: ZoneWidth } {
  const fileWidth = declared?.zoneWidth;
  if (forced?.zone !== undefined) {
    const zone = forced.zone;
    if (prefixZone !== undefined && prefixZone !== zone) {
      warnings.push(
        warn('ZONE_OVERRIDDEN', `东坐标带号前缀为 ${prefixZone}，但按所选的 ${zone} 带计算`, `The eastings carry zone prefix ${prefixZone}, but the chosen zone ${zone} was used`),
      );
    }
    if (forced.zoneWidth !== undefined && !isChinaZone(zone, forced.zoneWidth)) {
      throw ambiguous(
        `所选的 ${forced.zoneWidth} 度带第 ${zone} 带不在我国境内（中央经线 ${cm(zone, forced.zoneWidth)}°E）：我国的 3 度带为 25–45 带，6 度带为 13–23 带`,
        `The chosen ${forced.zoneWidth}° zone ${zone} is not over China (central meridian ${cm(zone, forced.zoneWidth)}° E): China's 3° zones are 25–45, its 6° zones 13–23`,
      );
    }
    const width = forced.zoneWidth ?? widthOfChinaZone(zone);
    if (!width) {
      throw ambiguous(
        `所选的第 ${zone} 带不是我国的 3 度带（25–45）或 6 度带（13–23），请同时选择几度分带`,
        `The chosen zone ${zone} is neither one of China's 3° zones (25–45) nor its 6° zones (13–23); choose the zone width too`,
      );
    }
    return { zone, zoneWidth: width };
  }
  if (prefixZone !== undefined) {
    if (declared?.zone !== undefined && declared.zone !== prefixZone) {
      warnings.push(
        warn(
          'ZONE_CONFLICT',
          `文件声明的带号为 ${declared.zone}，但东坐标的带号前缀为 ${prefixZone}；已按坐标前缀 ${prefixZone} 带计算`,
          `The file declares zone ${declared.zone} but the eastings carry prefix ${prefixZone}; zone ${prefixZone} was used`,
        ),
      );
    }
    const width = widthOfChinaZone(prefixZone);
    if (forced?.zoneWidth && isChinaZone(prefixZone, forced.zoneWidth)) return { zone: prefixZone, zoneWidth: forced.zoneWidth };
    if (forced?.zoneWidth && !width) {
      // refused as a forced zone outside China is
      throw ambiguous(
        `东坐标的带号前缀 ${prefixZone} 按所选的 ${forced.zoneWidth} 度分带不在我国境内（中央经线 ${cm(prefixZone, forced.zoneWidth)}°E）：我国的 3 度带为 25–45 带，6 度带为 13–23 带；请检查坐标与带号`,
        `The eastings' zone prefix ${prefixZone} is not over China in the chosen ${forced.zoneWidth}° zones (central meridian ${cm(prefixZone, forced.zoneWidth)}° E): China's 3° zones are 25–45, its 6° zones 13–23; check the coordinates and the zone`,
      );
    }
    const statedWidth = forced?.zoneWidth ?? fileWidth;
    if (!width) {
      throw ambiguous(
        `东坐标的带号前缀 ${prefixZone} 不是我国的 3 度带（25–45）或 6 度带（13–23）：3 度带第 ${prefixZone} 带中央经线为 ${cm(prefixZone, 3)}°E，6 度带为 ${cm(prefixZone, 6)}°E；请指定带号与几度分带`,
        `The eastings' zone prefix ${prefixZone} is neither one of China's 3° zones (25–45) nor its 6° zones (13–23): 3° zone ${prefixZone} has its central meridian at ${cm(prefixZone, 3)}° E, 6° zone ${prefixZone} at ${cm(prefixZone, 6)}° E; choose the zone and its width`,
      );
    }
    if (statedWidth !== undefined && statedWidth !== width) {
      const by = forced?.zoneWidth ? { zh: '所选', en: 'The request says' } : { zh: '文件写明', en: 'The file says' };
      warnings.push(
        warn(
          'ZONE_WIDTH_CONFLICT',
          `${by.zh} ${statedWidth} 度分带，但东坐标的带号前缀 ${prefixZone} 只能是 ${width} 度带（${statedWidth} 度带第 ${prefixZone} 带的中央经线为 ${cm(prefixZone, statedWidth)}°E，不在我国境内）；已按 ${width} 度带第 ${prefixZone} 带（中央经线 ${cm(prefixZone, width)}°E）计算`,
          `${by.en} ${statedWidth}° zones, but the eastings' prefix ${prefixZone} can only be a ${width}° zone (${statedWidth}° zone ${prefixZone} has its central meridian at ${cm(prefixZone, statedWidth)}° E, outside China); read as ${width}° zone ${prefixZone} (central meridian ${cm(prefixZone, width)}° E)`,
        ),
      );
    }
    return { zone: prefixZone, zoneWidth: width };
  }
  const width = forced?.zoneWidth ?? fileWidth;
  if (declared?.zone !== undefined) {
    const zone = declared.zone;
    const byRange = widthOfChinaZone(zone);
    if (width !== undefined && isChinaZone(zone, width)) return { zone, zoneWidth: width };
    if (byRange) {
      if (width !== undefined) {
        warnings.push(
          warn(
            'ZONE_WIDTH_CONFLICT',
            `文件写明 ${width} 度分带、第 ${zone} 带，但第 ${zone} 带只能是 ${byRange} 度带（${width} 度带第 ${zone} 带的中央经线为 ${cm(zone, width)}°E，不在我国境内）；已按 ${byRange} 度带第 ${zone} 带（中央经线 ${cm(zone, byRange)}°E）计算`,
            `The file says ${width}° zone ${zone}, but zone ${zone} can only be a ${byRange}° zone in China (${width}° zone ${zone} has its central meridian at ${cm(zone, width)}° E); read as ${byRange}° zone ${zone} (central meridian ${cm(zone, byRange)}° E)`,
          ),
        );
      }
      return { zone, zoneWidth: byRange };
    }
    throw ambiguous(
      `文件声明的第 ${zone} 带不是我国的 3 度带（25–45）或 6 度带（13–23），东坐标也没有带号前缀；请选择带号：${zoneChoices(width).zh}`,
      `The declared zone ${zone} is neither one of China's 3° zones (25–45) nor its 6° zones (13–23), and the eastings carry no zone prefix; choose the zone: ${zoneChoices(width).en}`,
    );
  }
  const choices = zoneChoices(width);
  throw ambiguous(
    `东坐标（Y）不带带号前缀，文件和所选参数也都没有给出带号，无法确定坐标在哪一带：请选择带号——${choices.zh}（开封为 3 度带第 38 带，中央经线 114°E）`,
    `The eastings (Y) carry no zone prefix and neither the file nor the request names the zone, so the zone cannot be known: choose it — ${choices.en} (Kaifeng is 3° zone 38, central meridian 114° E)`,
  );
}

/** The datum a user's choice names (its EPSG code's), if any. */
function datumOfChoice(choice: CrsChoice | undefined): Datum | undefined {
  return choice?.epsg !== undefined ? knownCrs(choice.epsg).datum : undefined;
}

const isLocal = (d: Datum | undefined): d is 'beijing54' | 'xian80' => d === 'beijing54' || d === 'xian80';

/** Why projected numbers whose file names no datum deserve a warning (CRS_UNDECLARED, HEADER_CRS_ASSUMED). */
export const UNDECLARED_RISK = {
  zh: '若为 1954 北京或 1980 西安坐标系，位置可差数十米，请核对坐标系（可在上传时选择坐标系）',
  en: 'if it is in fact Beijing 1954 or Xian 1980, the position may be tens of metres off — check the coordinate system (it can be chosen on upload)',
};

/** The datum the file itself declares, if it does (a 界址点 file without 坐标系= declares none). */
function declaredDatum(ctx: PlaceContext): Datum | undefined {
  return ctx.declared && !ctx.declared.assumed ? ctx.declared.datum : undefined;
}

/**
 * The datum to place by: a local datum named by the user or the file wins, so an override never
 * loses it; a chosen system on another datum than the one the file declares (where either is
 * Beijing 1954 or Xi'an 1980) is refused, naming both — its projection and the file's shift would not belong together.
 */
function decideDatum(ctx: PlaceContext, kind: CoordinateKind): Datum {
  const forced = datumOfChoice(ctx.options.crs);
  const file = declaredDatum(ctx);
  if (forced && file && file !== 'other' && forced !== file && (isLocal(forced) || isLocal(file))) {
    const epsg = ctx.options.crs!.epsg!;
    const chosen = `EPSG:${epsg}${knownCrs(epsg).name ? ` ${knownCrs(epsg).name}` : ''}`;
    const f = datumName(file);
    const c = datumName(forced);
    const fileName = ctx.declared?.name ? `“${ctx.declared.name}”` : '';
    throw new ParseError(
      'INVALID_OPTION',
      `所选坐标系 ${chosen} 属于${c.zh}，而文件声明的坐标系${fileName}属于${f.zh}：两者的基准不同，不能混用。请选择${f.zh}的坐标系，或只选择带号，或先把文件转换为所需坐标系`,
      `The chosen system ${chosen} is on ${c.en}, but the file declares ${ctx.declared?.name ? `"${ctx.declared.name}" ` : ''}on ${f.en}: the datums differ and cannot be mixed. Choose a system on ${f.en}, or only the zone, or convert the file first`,
    );
  }
  if (isLocal(forced)) return forced;
  if (isLocal(file)) return file;
  if (file === 'other' && !forced) return 'other';
  if (forced) return forced;
  if (file && file !== 'other') return file;
  if (kind === 'geographic' && ctx.options.crs?.kind === 'geographic' && ctx.options.crs.epsg === 4326) return 'wgs84';
  return 'cgcs2000';
}

/** A coordinate system resolved for placement, before any datum shift. */
interface System {
  /** proj4 of the numbers on their own ellipsoid (with the prefix in the false easting when the eastings carry it). */
  def: string;
  /** The same projection read as CGCS2000 (GRS80), for an approximate placement. */
  asCgcs2000: string;
  label: string;
  epsg?: number;
  crsName?: string;
  zone?: number;
  zoneWidth?: ZoneWidth;
  projected: boolean;
  /** Gauss–Krüger only: the zone prefix the eastings carry (undefined: none), for checking later features against it. */
  gk?: { prefixZone: number | undefined };
}

/** The Gauss–Krüger definition of a zone on a datum's ellipsoid. */
function tmerc(zone: number, width: ZoneWidth, prefix: boolean, ellipsoid: string): string {
  const x0 = prefix ? zone * 1_000_000 + 500_000 : 500_000;
  return `+proj=tmerc +lat_0=0 +lon_0=${cm(zone, width)} +k=1 +x_0=${x0} +y_0=0 ${ellipsoid} +units=m +no_defs`;
}

function resolveSystem(raw: RawFeature[], kind: CoordinateKind, xy: (p: RawPosition) => [number, number], datum: Datum, ctx: PlaceContext): System {
  const forced = ctx.options.crs;
  const declared = ctx.declared;
  const effective = forced ?? declared?.choice;
  const own = datum === 'other' ? 'cgcs2000' : datum;
  const nameOf = (epsg: number | undefined) => (epsg !== undefined ? epsgRecord(epsg)?.name : undefined);

  if (kind === 'geographic') {
    const epsg = GEOGRAPHIC_EPSG[own];
    const label = datum === 'other' ? declared?.name || `EPSG:${epsg}` : `EPSG:${epsg}`;
    return {
      def: `+proj=longlat ${ELLIPSOID[own]} +no_defs`,
      asCgcs2000: GEOGRAPHIC,
      label,
      ...(datum !== 'other' ? { epsg, crsName: nameOf(epsg) } : {}),
      projected: false,
    };
  }

  if (effective?.kind === 'projected') {
    const k = knownCrs(effective.epsg);
    // ESRI's Web Mercator codes keep their authority in the label; their EPSG code is 3857
    const esri = k.epsg === 102100 || k.epsg === 102113;
    return { def: k.proj4, asCgcs2000: k.proj4, label: `${esri ? 'ESRI' : 'EPSG'}:${k.epsg}`, epsg: esri ? 3857 : k.epsg, crsName: k.name, projected: true };
  }

  // Gauss–Krüger: the prefix is read from the numbers themselves
  const prefixes = new Set<number>();
  let unprefixed = 0;
  for (const f of raw) for (const poly of f.polygons) for (const ring of poly) for (const p of ring) {
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
  const { zone, zoneWidth } = decideZone(prefixZone, forcedGk, declaredGk, ctx.warnings);

  // every easting within its zone, every northing within China
  const shift = prefixZone !== undefined ? prefixZone * 1_000_000 : 0;
  for (const f of raw) for (const poly of f.polygons) for (const ring of poly) for (const p of ring) {
    const [e, n] = xy(p);
    const plain = e - shift;
    if (plain < EASTING_RANGE[0] || plain > EASTING_RANGE[1]) {
      throw new ParseError(
        'COORD_UNKNOWN_SYSTEM',
        `东坐标 ${num(e)}${shift ? `（去掉带号 ${prefixZone} 后为 ${num(plain)}）` : ''} 不在高斯-克吕格分带的范围内（500 000 ± 350 000 米）：请检查坐标顺序、带号和坐标系`,
        `The easting ${num(e)}${shift ? ` (${num(plain)} without the zone prefix ${prefixZone})` : ''} lies outside a Gauss–Krüger zone (500,000 ± 350,000 m): check the axis order, the zone and the coordinate system`,
      );
    }
    if (n < NORTHING_RANGE[0] || n > NORTHING_RANGE[1]) {
      throw new ParseError(
        'COORD_UNKNOWN_SYSTEM',
        `北坐标 ${num(n)} 不在我国范围内（约 300 000–6 100 000 米，北纬 3°–54°）：请检查坐标顺序和坐标系`,
        `The northing ${num(n)} lies outside China (about 300,000–6,100,000 m, latitude 3°–54° N): check the axis order and the coordinate system`,
      );
    }
  }
  const prefix = prefixZone !== undefined;
  // a declaration that says the eastings carry the zone number (EPSG:4526) when they do not (or the reverse): the numbers are read as they are, and the label says so
  const claimed = forced?.kind === 'gauss-kruger' && forced.epsg !== undefined ? knownCrs(forced.epsg).gk?.zonePrefix : declared?.zonePrefix;
  if (claimed !== undefined && claimed !== prefix) {
    const by = forced?.kind === 'gauss-kruger' && forced.epsg !== undefined ? `EPSG:${forced.epsg}` : declared?.epsg !== undefined ? `EPSG:${declared.epsg}` : declared?.name ?? '';
    ctx.warnings.push(
      claimed
        ? warn(
            'ZONE_PREFIX_MISMATCH',
            `坐标系 ${by} 的东坐标应带带号（如 ${zone}500000），但文件中的东坐标不带带号；已按第 ${zone} 带不带带号的坐标读取，请核对`,
            `${by} has the zone number in front of the eastings (e.g. ${zone}500000), but the file's eastings carry none; read as zone ${zone} without prefix — check it`,
          )
        : warn(
            'ZONE_PREFIX_MISMATCH',
            `坐标系 ${by} 的东坐标不带带号，但文件中的东坐标带有带号前缀 ${prefixZone}；已按带号前缀读取，请核对`,
            `${by} has no zone number in front of the eastings, but the file's eastings carry prefix ${prefixZone}; read with the prefix — check it`,
          ),
    );
  }
  const epsg = gkEpsg(own === 'wgs84' ? 'cgcs2000' : own, { zone, zoneWidth, zonePrefix: prefix });
  const ellipsoid = ELLIPSOID[own === 'wgs84' ? 'cgcs2000' : own];
  return {
    def: tmerc(zone, zoneWidth, prefix, ellipsoid),
    asCgcs2000: tmerc(zone, zoneWidth, prefix, ELLIPSOID.cgcs2000),
    // a system the file names but nobody knows keeps its own name: it is not relabelled CGCS2000
    label: datum === 'other' ? `${declared?.name || 'unknown'} (Gauss-Kruger ${zoneWidth}-degree zone ${zone})` : gaussKrugerName(zone, zoneWidth, prefix, own === 'wgs84' ? 'cgcs2000' : own),
    ...(epsg !== undefined && datum !== 'other' ? { epsg, crsName: nameOf(epsg) } : {}),
    zone,
    zoneWidth,
    projected: true,
    gk: { prefixZone },
  };
}

/** Metres between two lon/lat points (spherical, for a message). */
function metresApart(a: [number, number], b: [number, number]): number {
  const r = Math.PI / 180;
  const dy = (b[1] - a[1]) * r;
  const dx = (b[0] - a[0]) * r * Math.cos(((a[1] + b[1]) / 2) * r);
  return 6_371_000 * Math.hypot(dx, dy);
}

/** How the numbers are brought to CGCS2000: the proj4 pair to use, and what was done. */
function datumPolicy(
  system: System,
  datum: Datum,
  sample: [number, number] | undefined,
  ctx: PlaceContext,
): { from: string; to: string; transform: DatumTransform } {
  if (datum === 'cgcs2000' || datum === 'wgs84') return { from: system.def, to: GEOGRAPHIC, transform: 'none' };
  const accept = ctx.options.acceptApproximateDatum === true;
  const label = system.crsName ? `EPSG:${system.epsg} ${system.crsName}` : ctx.declared?.name || system.label;
  if (datum === 'other') {
    const name = ctx.declared?.name ?? system.label;
    if (!accept) {
      throw new ParseError(
        'CRS_UNKNOWN',
        `文件的坐标系“${name}”无法识别，不能确定它与 CGCS2000 的关系：请确认坐标系（如 2000国家大地坐标系、1980西安坐标系、1954北京坐标系）并在文件中写明，或在上传时选择坐标系；如确认按 CGCS2000 近似放置，请选择“接受近似位置”`,
        `The file's coordinate system "${name}" is not known, so how it relates to CGCS2000 cannot be told: state the system in the file (e.g. CGCS2000, Xian 1980, Beijing 1954) or choose it on upload; to place it as CGCS2000 approximately, accept an approximate placement (acceptApproximateDatum=true)`,
      );
    }
    ctx.warnings.push(
      warn(
        'DATUM_APPROXIMATE',
        `文件的坐标系“${name}”无法识别，已按您的确认把坐标数值直接当作 CGCS2000 读取（未作任何基准转换）：位置可能偏差数十米甚至更多，不能作为审批依据`,
        `The file's coordinate system "${name}" is not known; as you accepted, its numbers were read as CGCS2000 (no datum shift): the position may be tens of metres off or more and is no basis for an approval`,
      ),
    );
    return { from: system.asCgcs2000, to: GEOGRAPHIC, transform: 'approximate' };
  }
  const d = datumName(datum);
  const fileParams = ctx.declared?.datum === datum ? ctx.declared.towgs84 : undefined;
  const bureauParams = ctx.options.datumTransforms?.[datum];
  const params: SevenParameters | undefined = fileParams ?? bureauParams;
  // old software writes EPSG's country-wide Beijing 1954 shift (15.8, −154.4, −82.3) into every .prj: that is no survey's own
  // parameters but an approximate placement, accepted like one
  const genericShift = datum === 'beijing54' ? ((system.epsg !== undefined ? knownCrs(system.epsg).genericTowgs84 : undefined) ?? knownCrs(4214).genericTowgs84) : undefined;
  if (fileParams && genericShift && genericShift.every((v, i) => v === fileParams[i])) {
    const list = genericShift.join(', ');
    if (!accept) {
      throw new ParseError(
        'DATUM_NEEDS_TRANSFORM',
        `文件的坐标系为${d.zh}（${label}），其中的转换参数（${list}）是 EPSG 公布的全国概略参数，不是本地实测参数：精度数米至数十米，不能作为审批依据。请任选其一：在文件中给出本地的七参数；请管理员配置本局${d.zh}到 CGCS2000 的转换参数（DATUM_TRANSFORMS）；或确认接受近似位置（报告中会标红注明）`,
        `The file's coordinate system is ${d.en} (${label}); its shift parameters (${list}) are EPSG's country-wide generic ones, not a local survey's: accurate to several metres to tens of metres, no basis for an approval. Either give local seven parameters in the file, have the administrator configure the bureau's ${d.en} to CGCS2000 parameters (DATUM_TRANSFORMS), or accept an approximate placement (acceptApproximateDatum=true; the report marks it in red)`,
      );
    }
    ctx.warnings.push(
      warn(
        'DATUM_APPROXIMATE',
        `文件的坐标系为${d.zh}（${label}），已按您的确认用文件中 EPSG 公布的全国概略参数（${list}）换算到 CGCS2000：精度数米至数十米，仅为近似位置，不能作为审批依据`,
        `The file's coordinate system is ${d.en} (${label}); as you accepted, it was shifted to CGCS2000 with EPSG's country-wide generic parameters the file carries (${list}): accurate to several metres to tens of metres — an approximate placement, no basis for an approval`,
      ),
    );
    return { from: `${system.def} +towgs84=${list.replace(/ /g, '')}`, to: CGCS2000_SHIFT_TARGET, transform: 'approximate' };
  }
  if (params) {
    const whose = fileParams ? { zh: '文件给出的转换参数', en: "the file's own parameters" } : { zh: '本局配置的转换参数', en: 'the parameters the bureau configured' };
    const list = params.join(', ');
    ctx.warnings.push(
      warn(
        'DATUM_TRANSFORMED',
        `文件的坐标系为${d.zh}（${label}），已用${whose.zh}（七参数 ${list}：ΔX、ΔY、ΔZ 米，旋转 秒，尺度 ppm；按布尔沙七参数的位置矢量约定读取，即 proj4 的 +towgs84、EPSG 方法 1033，坐标框架约定（EPSG 方法 1032）的参数须把三个旋转取反号）换算到 CGCS2000，请核对位置`,
        `The file's coordinate system is ${d.en} (${label}); it was shifted to CGCS2000 with ${whose.en} (seven parameters ${list}: dx, dy, dz m, rotations ″, scale ppm; read as position vector — proj4's +towgs84, EPSG method 1033 — so a coordinate frame set, EPSG method 1032, needs its three rotations with their signs reversed) — check the position`,
      ),
    );
    return { from: `${system.def} +towgs84=${params.join(',')}`, to: CGCS2000_SHIFT_TARGET, transform: fileParams ? 'file-parameters' : 'bureau-parameters' };
  }
  // the size of the error: EPSG's generic shift where there is one (Beijing 1954), else tens of metres
  let estimate: { zh: string; en: string } = { zh: '', en: '' };
  const generic = system.epsg !== undefined ? knownCrs(system.epsg).genericTowgs84 : undefined;
  if (generic && sample) {
    try {
      const rough = proj4(`${system.def} +towgs84=${generic.join(',')}`, CGCS2000_SHIFT_TARGET).forward(sample) as [number, number];
      const approx = proj4(system.asCgcs2000, GEOGRAPHIC).forward(sample) as [number, number];
      const m = Math.round(metresApart(rough, approx));
      if (Number.isFinite(m)) estimate = { zh: `（按 EPSG 公布的概略参数估算，本文件约差 ${m} 米）`, en: ` (about ${m} m for this file, by EPSG's generic shift)` };
    } catch {
      // no estimate
    }
  }
  if (!accept) {
    throw new ParseError(
      'DATUM_NEEDS_TRANSFORM',
      `文件的坐标系为${d.zh}（${label}），不是 CGCS2000：两者的坐标相差数十米${estimate.zh}，不能直接当作 CGCS2000 使用。请任选其一：在文件中给出到 CGCS2000 的七参数（界址点文件的“转换参数=”行，或 .prj 中的 TOWGS84）；请管理员配置本局${d.zh}到 CGCS2000 的转换参数（DATUM_TRANSFORMS）；或确认接受近似位置（报告中会标红注明）`,
      `The file's coordinate system is ${d.en} (${label}), not CGCS2000: the two differ by tens of metres${estimate.en}, so it cannot be used as CGCS2000. Either give the seven parameters to CGCS2000 in the file (a 转换参数= line in a boundary-point file, a TOWGS84 in the .prj), have the administrator configure the bureau's ${d.en} to CGCS2000 parameters (DATUM_TRANSFORMS), or accept an approximate placement (acceptApproximateDatum=true; the report marks it in red)`,
    );
  }
  ctx.warnings.push(
    warn(
      'DATUM_APPROXIMATE',
      `文件的坐标系为${d.zh}（${label}），没有转换参数；已按您的确认把坐标数值直接当作 CGCS2000 读取（同一投影、CGCS2000 椭球，未作基准转换）：位置偏差数十米${estimate.zh}，仅为近似位置，不能作为审批依据`,
      `The file's coordinate system is ${d.en} (${label}) and no shift parameters were given; as you accepted, its numbers were read as CGCS2000 (same projection on the CGCS2000 ellipsoid, no datum shift): the position is tens of metres off${estimate.en} — an approximate placement, no basis for an approval`,
    ),
  );
  return { from: system.asCgcs2000, to: GEOGRAPHIC, transform: 'approximate' };
}

/**
 * A placement decided on some features, to apply to them and to others read later: what the file
 * is (`crs`, zone, datum …) and a function placing one feature. A stream decides it on its first
 * features and places every later one with the same transform (formats/stream/).
 */
export interface PlacementPlan extends Omit<Placement, 'features' | 'source'> {
  /** The system of a projected file's own numbers (the `source` of a whole-file parse, without geometries). */
  sourceSystem?: Omit<SourceCoordinates, 'geometries'>;
  /**
   * One feature placed: its EPSG:4490 geometry (rings RFC 7946-wound) and, with `keepSource`, its own
   * coordinates in the same vertex order. A ParseError (COORD_UNKNOWN_SYSTEM) for a vertex that does
   * not convert to a valid lon/lat.
   */
  place(feature: RawFeature, keepSource?: boolean): { geometry: SiteGeometry; source?: SiteGeometry };
  /**
   * Whether a feature read after the decision fits it, else a ParseError naming the vertex: numbers of
   * the same kind (lon/lat or metres), and for Gauss–Krüger the same zone prefix and eastings and
   * northings within the zone — what the whole-file parse checks on every feature before deciding.
   */
  check(feature: RawFeature): void;
}

/**
 * Decides how to place raw features (EPSG:4490 lon/lat) — the coordinate system, zone, axis order and
 * datum shift — from `raw`, adding warnings to `ctx.warnings` and refusing with a ParseError naming
 * the problem, as {@link placeFeatures} does; the plan then places any feature the same way.
 *
 * @example const plan = planPlacement(sample, ctx); plan.check(f); plan.place(f).geometry
 */
export function planPlacement(raw: RawFeature[], ctx: PlaceContext): PlacementPlan {
  const kind = decideKind(raw, ctx);
  const order = decideOrder(raw, kind, ctx);
  const axisOrder: DetectedAxisOrder = order === 'xy' ? 'lonlat' : 'northing-easting';
  const xy = (p: RawPosition): [number, number] => (order === 'xy' ? [p[0], p[1]] : [p[1], p[0]]);
  const datum = decideDatum(ctx, kind);
  // lon/lat without a declaration is CGCS2000 or WGS84, which agree within a metre; projected metres could be on any datum
  const datumAssumed = kind === 'projected' && datum === 'cgcs2000' && datumOfChoice(ctx.options.crs) === undefined && declaredDatum(ctx) === undefined;
  if (datumAssumed && !ctx.declared?.assumed) {
    ctx.warnings.push(
      warn(
        'CRS_UNDECLARED',
        `文件未声明坐标系，已按 2000 国家大地坐标系（CGCS2000）处理；${UNDECLARED_RISK.zh}`,
        `The file declares no coordinate system; it was read as CGCS2000. ${UNDECLARED_RISK.en[0]!.toUpperCase()}${UNDECLARED_RISK.en.slice(1)}`,
      ),
    );
  }
  const system = resolveSystem(raw, kind, xy, datum, ctx);
  const firstRaw = raw[0]?.polygons[0]?.[0]?.[0];
  const policy = datumPolicy(system, datum, firstRaw ? xy(firstRaw) : undefined, ctx);

  let forward: (p: [number, number]) => [number, number];
  if (policy.from === policy.to || (!system.projected && policy.to !== CGCS2000_SHIFT_TARGET)) {
    forward = (p) => p;
  } else {
    const converter = proj4(policy.from, policy.to);
    forward = (p) => converter.forward(p) as [number, number];
  }

  const place = (f: RawFeature, keepSource = true): { geometry: SiteGeometry; source?: SiteGeometry } => {
    const placed: number[][][][] = [];
    const kept: number[][][][] = [];
    for (const poly of f.polygons) {
      const rings: number[][][] = [];
      const own: number[][][] = [];
      poly.forEach((ring, i) => {
        const source = ring.map((p) => xy(p));
        let lonlat = source.map((q, k) => {
          const ll = forward(q);
          if (!Number.isFinite(ll[0]) || !Number.isFinite(ll[1]) || Math.abs(ll[0]) > 180 || Math.abs(ll[1]) > 90) {
            const p = ring[k]!;
            throw new ParseError(
              'COORD_UNKNOWN_SYSTEM',
              `坐标 (${num(p[0])}, ${num(p[1])}) 换算为经纬度后无效，请检查坐标系、带号与坐标顺序`,
              `Coordinate (${num(p[0])}, ${num(p[1])}) does not convert to a valid lon/lat; check the coordinate system, zone and axis order`,
            );
          }
          return [ll[0], ll[1]];
        });
        // RFC 7946 orientation: outer rings counter-clockwise, holes clockwise; the source keeps the same vertex order
        let src: number[][] = source;
        const ccw = signedArea(lonlat) > 0;
        if ((i === 0) !== ccw) {
          lonlat = [...lonlat].reverse();
          if (keepSource) src = [...source].reverse();
        }
        rings.push(lonlat);
        if (keepSource) own.push(src);
      });
      placed.push(rings);
      if (keepSource) kept.push(own);
    }
    const geometry: SiteGeometry = placed.length === 1 ? { type: 'Polygon', coordinates: placed[0]! } : { type: 'MultiPolygon', coordinates: placed };
    if (!keepSource) return { geometry };
    return { geometry, source: kept.length === 1 ? { type: 'Polygon', coordinates: kept[0]! } : { type: 'MultiPolygon', coordinates: kept } };
  };

  const check = (f: RawFeature): void => {
    const prefixZone = system.gk?.prefixZone;
    const shift = prefixZone !== undefined ? prefixZone * 1_000_000 : 0;
    for (const poly of f.polygons) for (const ring of poly) for (const p of ring) {
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new ParseError('COORD_NOT_NUMBER', `坐标中有不是数字的值：(${p[0]}, ${p[1]})`, `A coordinate is not a number: (${p[0]}, ${p[1]})`);
      }
      if (kindOfPair(p) !== kind) {
        throw new ParseError(
          kind === 'geographic' ? 'COORD_MIXED' : 'COORD_UNKNOWN_SYSTEM',
          `坐标 (${num(p[0], 7)}, ${num(p[1], 7)}) 与文件其余坐标不是同一种坐标（文件为${kind === 'geographic' ? '经纬度' : '平面坐标（米）'}）`,
          `Coordinate (${num(p[0], 7)}, ${num(p[1], 7)}) is not of the same kind as the file's others (${kind === 'geographic' ? 'lon/lat' : 'projected metres'})`,
        );
      }
      if (!system.gk) continue;
      const [e, n] = xy(p);
      const zoneOf = e >= 10_000_000 ? Math.floor(e / 1_000_000) : undefined;
      if (zoneOf !== prefixZone) {
        throw new ParseError(
          'COORD_MIXED_ZONES',
          `东坐标 ${num(e)} 的带号前缀（${zoneOf ?? '无'}）与文件其余坐标（${prefixZone ?? '无'}）不一致，请检查是否混入了其他带的坐标`,
          `The easting ${num(e)} carries zone prefix ${zoneOf ?? 'none'}, unlike the file's others (${prefixZone ?? 'none'}); check for coordinates from another zone`,
        );
      }
      const plain = e - shift;
      if (plain < EASTING_RANGE[0] || plain > EASTING_RANGE[1] || n < NORTHING_RANGE[0] || n > NORTHING_RANGE[1]) {
        throw new ParseError(
          'COORD_UNKNOWN_SYSTEM',
          `坐标（东 ${num(e)}，北 ${num(n)}）不在第 ${system.zone} 带高斯-克吕格坐标的范围内：请检查坐标顺序、带号和坐标系`,
          `Coordinate (easting ${num(e)}, northing ${num(n)}) lies outside Gauss–Krüger zone ${system.zone}: check the axis order, the zone and the coordinate system`,
        );
      }
    }
  };

  return {
    crs: system.label,
    ...(system.zone !== undefined ? { zone: system.zone, zoneWidth: system.zoneWidth } : {}),
    axisOrder,
    datum,
    ...(system.epsg !== undefined ? { epsg: system.epsg } : {}),
    ...(system.crsName ? { crsName: system.crsName } : {}),
    datumTransform: policy.transform,
    ...(datumAssumed ? { datumAssumed: true as const } : {}),
    ...(system.projected ? { sourceSystem: { crs: system.label, ...(system.epsg !== undefined ? { epsg: system.epsg } : {}), proj4: policy.from } } : {}),
    place,
    check,
  };
}

/**
 * Places raw features on the map (EPSG:4490 lon/lat), deciding and reporting the coordinate
 * system, zone, axis order and datum shift, and keeps a projected file's own coordinates
 * (`source`). Adds warnings to `ctx.warnings`; refuses with a ParseError naming the problem.
 * No coordinate is rounded.
 *
 * @example placeFeatures([{ properties: {}, polygons: [[[[3853210.512, 38512034.22], …]]] }], ctx).crs // 'EPSG:4526'
 */
export function placeFeatures(raw: RawFeature[], ctx: PlaceContext): Placement {
  const { place, check: _check, sourceSystem, ...meta } = planPlacement(raw, ctx);
  const sources: SiteGeometry[] = [];
  const features: SiteFeature[] = raw.map((f) => {
    const { geometry, source } = place(f, true);
    sources.push(source!);
    return { type: 'Feature', properties: f.properties, geometry };
  });
  return { features, ...meta, ...(sourceSystem ? { source: { ...sourceSystem, geometries: sources } } : {}) };
}
