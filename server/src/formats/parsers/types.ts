/**
 * Shapes shared by the site-file parsers (用地范围文件解析): what goes in, what
 * comes out, and the options a user may set to override what was detected.
 *
 * Every parser ends in EPSG:4490 lon/lat (CGCS2000, practically WGS84 for
 * mapping), Polygon or MultiPolygon features, attributes decoded to text.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { ZoneWidth } from '../../../../core/gauss-kruger.ts';
import type { ParseLimits } from './limits.ts';

export type { ZoneWidth };

/** The formats a site can be given in. */
export type SiteFormat = 'geojson' | 'shapefile' | 'boundary-points' | 'kml' | 'coordinates';

/**
 * Text encodings a user may force: UTF-8; GBK (code page 936, what most Chinese Windows software
 * writes); GB18030 (its superset, code page 54936 — the WHATWG decoders of the two are the same, the
 * name says which the file is); Big5 (code page 950, traditional Chinese).
 */
export type TextEncoding = 'utf-8' | 'gbk' | 'gb18030' | 'big5';

/** Encodings that can be detected (UTF-16 from a byte-order mark, as Windows Notepad writes it, or a .cpg). */
export type DetectedEncoding = TextEncoding | 'utf-16le' | 'utf-16be';

/**
 * Axis order the user may force: `xy` — the first number of a pair is the east–west one
 * (longitude or easting), as in GIS; `yx` — the first is the north–south one (latitude or
 * northing), as in Chinese survey files where X is the northing.
 */
export type AxisOrderOption = 'xy' | 'yx';

/** Axis order as detected: `lonlat` ↔ `xy`, `northing-easting` ↔ `yx`. */
export type DetectedAxisOrder = 'lonlat' | 'northing-easting';

/**
 * The coordinate system a user chooses (or a file declares):
 * geographic lon/lat (EPSG:4490 CGCS2000, EPSG:4326 WGS84, or 4214/4610 on a local datum),
 * Gauss–Krüger (CGCS2000, or Beijing 1954 / Xi'an 1980 when `epsg` names one of their zones),
 * or another projection EPSG names (`projected`: WGS84 UTM, Web Mercator — crs-registry.ts).
 * For Gauss–Krüger, whether the easting carries the zone prefix is read from the numbers
 * themselves (38 512 034 vs 512 034); `zone` picks the central meridian when given.
 *
 * @example { kind: 'gauss-kruger', zone: 38, zoneWidth: 3 } // EPSG:4526 / EPSG:4547
 */
export type CrsChoice =
  | { kind: 'geographic'; epsg?: number }
  | { kind: 'gauss-kruger'; zone?: number; zoneWidth?: ZoneWidth; epsg?: number }
  | { kind: 'projected'; epsg: number };

/**
 * Seven-parameter (Bursa–Wolf, position-vector) datum shift from a local datum to CGCS2000:
 * dx, dy, dz in metres, rx, ry, rz in arc-seconds, ds in ppm — proj4's `+towgs84` order and units.
 */
export type SevenParameters = [number, number, number, number, number, number, number];

/** Local datums a bureau may give shift parameters for. */
export type LocalDatum = 'beijing54' | 'xian80';

/**
 * How a file on a local datum (Beijing 1954, Xi'an 1980) was brought to CGCS2000:
 * `file-parameters` (the file's own 转换参数), `bureau-parameters` (configured by the bureau),
 * `approximate` (no parameters: placed as if CGCS2000 because the planner accepted it), or
 * `none` (the file is already CGCS2000/WGS84).
 */
export type DatumTransform = 'none' | 'file-parameters' | 'bureau-parameters' | 'approximate';

export interface ParseOptions {
  crs?: CrsChoice;
  /**
   * The planner accepts that a file on a local datum with no shift parameters is placed as if it
   * were CGCS2000 (off by tens of metres); without it such a file is refused (DATUM_NEEDS_TRANSFORM).
   */
  acceptApproximateDatum?: boolean;
  /** Shift parameters the bureau configured per local datum (env DATUM_TRANSFORMS). */
  datumTransforms?: Partial<Record<LocalDatum, SevenParameters>>;
  encoding?: TextEncoding;
  axisOrder?: AxisOrderOption;
  /** Bounds on the file (limits.ts); SITE_FILE_LIMITS when not given. */
  limits?: ParseLimits;
}

/** A message in both languages. */
export interface Message {
  zh: string;
  en: string;
}

/** Something the user should know about but that did not stop the parse. */
export interface ParseWarning extends Message {
  code: string;
}

export type PropertyValue = string | number | boolean | null;
export type SiteProperties = Record<string, PropertyValue>;
export type SiteGeometry = Polygon | MultiPolygon;
export type SiteFeature = Feature<SiteGeometry, SiteProperties>;
export type SiteFeatureCollection = FeatureCollection<SiteGeometry, SiteProperties>;

/** What the parser found, for the user to confirm or override. */
export interface Detected {
  format: SiteFormat;
  /** e.g. 'EPSG:4490', 'EPSG:4326', 'EPSG:4526' (3° zone 38 with prefix), 'EPSG:4547' (without). */
  crs: string;
  zone?: number;
  zoneWidth?: ZoneWidth;
  axisOrder: DetectedAxisOrder;
  encoding?: DetectedEncoding;
  /** The datum of the file's coordinates (before any shift). */
  datum: 'cgcs2000' | 'wgs84' | 'xian80' | 'beijing54' | 'other';
  /** The EPSG code of the file's coordinate system when it has one (2414 for Beijing 1954 GK zone 38). */
  epsg?: number;
  /** A readable name of the file's coordinate system, e.g. "Beijing 1954 / 3-degree Gauss-Kruger zone 38". */
  crsName?: string;
  /** How the coordinates were brought to CGCS2000. */
  datumTransform: DatumTransform;
  /**
   * Present (true) when the file names no coordinate system and its projected numbers were read
   * as CGCS2000: `datum` is then an assumption, and a warning (CRS_UNDECLARED, or HEADER_CRS_ASSUMED
   * for a 界址点 file) says so.
   */
  datumAssumed?: true;
}

/**
 * The site's coordinates as the file gives them, when the file is projected: per feature, the
 * same structure and vertex order as `features` (after rewinding), each position
 * [easting, northing] in the file's units, the easting with its zone prefix if the file had one.
 * `proj4` reproduces the placement (with the datum shift applied, if any).
 */
export interface SourceCoordinates {
  crs: string;
  epsg?: number;
  proj4: string;
  geometries: (SiteGeometry | null)[];
}

export interface ParseResult {
  features: SiteFeatureCollection;
  detected: Detected;
  warnings: ParseWarning[];
  source?: SourceCoordinates;
  /** The project's name as the file gives it ({@link projectNameOf}); absent when it gives none. */
  name?: string;
}

export type ParseInput = { fileName: string; bytes: Uint8Array } | { text: string };

/** A position as a file gives it: two numbers in the file's own order and units. */
export type RawPosition = [number, number];
/** Polygons as rings of raw positions: MultiPolygon-shaped (outer ring first, then holes). */
export type RawPolygons = RawPosition[][][];

/** A feature before it is placed on the map: attributes and raw coordinates. */
export interface RawFeature {
  properties: SiteProperties;
  polygons: RawPolygons;
}
