/**
 * Why a site file could not be read, in the words a planner uses
 * ("第 12 行坐标不是数字", "压缩包中没有 .shp 文件"), in Chinese and English.
 *
 * @example throw new ParseError('ZIP_NO_SHP', '压缩包中没有 .shp 文件', 'The ZIP archive holds no .shp file')
 */
import type { ParseWarning } from './types.ts';

/** Machine codes of parse failures; the API answers them as `error.code`. */
export type ParseErrorCode =
  | 'EMPTY_INPUT'
  | 'UNREADABLE'
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_OPTION'
  | 'INVALID_JSON'
  | 'GEOJSON_NOT_POLYGON'
  | 'GEOJSON_INVALID'
  | 'NO_FEATURES'
  | 'INVALID_ZIP'
  | 'ZIP_UNSAFE_PATH'
  | 'ZIP_TOO_LARGE'
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_RATIO'
  | 'TOO_MANY_FEATURES'
  | 'TOO_MANY_VERTICES'
  | 'SHP_INCONSISTENT'
  | 'GPKG_NOT_A_TABLE'
  | 'ZIP_NO_SHP'
  | 'SHP_NOT_POLYGON'
  | 'SHP_UNREADABLE'
  | 'SHP_INCONSISTENT'
  | 'PRJ_UNREADABLE'
  | 'BOUNDARY_NO_SECTION'
  | 'BOUNDARY_BAD_LINE'
  | 'BOUNDARY_NO_POINTS'
  | 'COORD_NOT_NUMBER'
  | 'COORD_BAD_LINE'
  | 'COORD_TOO_FEW'
  | 'COORD_MIXED'
  | 'COORD_UNKNOWN_SYSTEM'
  | 'COORD_MIXED_ZONES'
  | 'KML_INVALID'
  | 'KML_NOT_POLYGON'
  /** An EPSG code, WKT or name the parsers do not know: named in the message. */
  | 'CRS_UNKNOWN'
  /** A known coordinate system the product cannot place (geocentric, a non-Chinese datum …). */
  | 'CRS_UNSUPPORTED'
  /** Beijing 1954 / Xi'an 1980 with no shift parameters, and the planner has not accepted an approximate placement. */
  | 'DATUM_NEEDS_TRANSFORM'
  /** Seven shift parameters a file gives itself that are out of bounds (a 转换参数= line, a TOWGS84): the parameter and the bound named. */
  | 'DATUM_PARAMETERS_INVALID'
  /** Coordinates that fit more than one zone (3° and 6°), with the choices named. */
  | 'ZONE_AMBIGUOUS';

/** A failure to read a site file, with the problem named in both languages. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly code: ParseErrorCode,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/**
 * A warning in both languages.
 *
 * @example warn('ZONE_CONFLICT', '文件声明的带号为 39，但东坐标的带号前缀为 38', 'The file declares zone 39 but the eastings carry prefix 38')
 */
export function warn(code: string, zh: string, en: string): ParseWarning {
  return { code, zh, en };
}

/**
 * Formats a number for a message without float noise.
 *
 * @example num(3853210.5120000003) // "3853210.512"
 */
export function num(value: number, digits = 3): string {
  return String(Number(value.toFixed(digits)));
}
