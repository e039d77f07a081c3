/**
 * Coordinate systems of site files: what a user asks for (`?crs=EPSG:4526&zone=38`),
 * what a file declares (a Shapefile .prj, a 界址点 file's [属性描述], a GeoJSON `crs`
 * member, a GeoPackage's spatial reference), and how to name the result (EPSG:4490,
 * EPSG:4526, EPSG:2414 …). Codes are looked up in crs-registry.ts; a code or WKT that names
 * a system the parsers cannot place is refused here, naming it.
 *
 * CGCS2000 Gauss–Krüger EPSG codes (domain.md): 3° zones 25–45 are EPSG:4513–4533 with
 * the zone prefix on the easting and EPSG:4534–4554 without; 6° zones 13–23 are
 * EPSG:4491–4501 with and EPSG:4502–4512 without.
 *
 * @example parseCrsParam('EPSG:4526') // { kind: 'gauss-kruger', zone: 38, zoneWidth: 3, epsg: 4526 }
 */
import parseWkt from 'wkt-parser';
import { gaussKrugerEpsg, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { GEOGRAPHIC_EPSG, gkEpsg, gkZoneOf, knownCrs, utmEpsg, type Datum, type KnownCrs } from './crs-registry.ts';
import { ParseError } from './errors.ts';
import { sevenParametersProblem } from './seven-parameters.ts';
import type { CrsChoice, SevenParameters } from './types.ts';

export type { Datum } from './crs-registry.ts';

/** A coordinate system a file declares. */
export interface DeclaredCrs {
  /** What the declaration amounts to; `zone` may be missing (then read from the eastings). */
  choice: CrsChoice;
  /** The name as the file writes it, e.g. "CGCS2000_3_Degree_GK_Zone_38" or "2000国家大地坐标系". */
  name: string;
  datum: Datum;
  /** For Gauss–Krüger: whether the declared false easting carries the zone prefix. */
  zonePrefix?: boolean;
  /** The WKT the declaration was read from (a .prj, a GeoPackage definition), for messages. */
  wkt?: string;
  /** The EPSG code the declaration names or amounts to (2414, 4526, 32650 …). */
  epsg?: number;
  /** Seven shift parameters to CGCS2000 the file itself gives (a 界址点 file's 转换参数= line, a WKT TOWGS84). */
  towgs84?: SevenParameters;
  /** The file does not name its datum (a 界址点 file without 坐标系=): CGCS2000 is assumed, and said so. */
  assumed?: boolean;
}

/**
 * The CGCS2000 Gauss–Krüger zone an EPSG code names, or undefined.
 *
 * @example gaussKrugerFromEpsg(4547) // { zone: 38, zoneWidth: 3, zonePrefix: false }
 */
export function gaussKrugerFromEpsg(code: number): { zone: number; zoneWidth: ZoneWidth; zonePrefix: boolean } | undefined {
  if (code >= 4513 && code <= 4533) return { zone: code - 4513 + 25, zoneWidth: 3, zonePrefix: true };
  if (code >= 4534 && code <= 4554) return { zone: code - 4534 + 25, zoneWidth: 3, zonePrefix: false };
  if (code >= 4491 && code <= 4501) return { zone: code - 4491 + 13, zoneWidth: 6, zonePrefix: true };
  if (code >= 4502 && code <= 4512) return { zone: code - 4502 + 13, zoneWidth: 6, zonePrefix: false };
  return undefined;
}

/** The choice a known system amounts to. */
function choiceOf(k: KnownCrs): CrsChoice {
  if (k.kind === 'geographic') return { kind: 'geographic', epsg: k.epsg };
  if (k.kind === 'gauss-kruger' && k.gk) return { kind: 'gauss-kruger', zone: k.gk.zone, zoneWidth: k.gk.zoneWidth, epsg: k.epsg };
  return { kind: 'projected', epsg: k.epsg };
}

/**
 * A coordinate system from an EPSG code, or a ParseError naming it (CRS_UNKNOWN, CRS_UNSUPPORTED).
 *
 * @example crsFromEpsg(4490) // { kind: 'geographic', epsg: 4490 }
 * @example crsFromEpsg(2414) // { kind: 'gauss-kruger', zone: 38, zoneWidth: 3, epsg: 2414 }
 */
export function crsFromEpsg(code: number, asWritten?: string): CrsChoice {
  return choiceOf(knownCrs(code, asWritten));
}

/**
 * The EPSG code a CRS identifier names, in any spelling files and requests use:
 * `EPSG:4526`, `4526`, `urn:ogc:def:crs:EPSG::4526`, `urn:ogc:def:crs:EPSG:9.9.1:4526`,
 * `urn:x-ogc:def:crs:EPSG:4526`, `http://www.opengis.net/def/crs/EPSG/0/4526`, `ESRI:102100`;
 * 4326 for OGC CRS84 (`urn:ogc:def:crs:OGC:1.3:CRS84`, `http://www.opengis.net/def/crs/OGC/1.3/CRS84`,
 * `CRS84`); undefined when the text is no such identifier.
 *
 * @example epsgOfIdentifier('http://www.opengis.net/def/crs/EPSG/0/2414') // 2414
 */
export function epsgOfIdentifier(text: string): number | undefined {
  const t = text.replace(/\s/g, '');
  if (/^(urn:(x-)?ogc:def:crs:ogc:[\d.]*:crs84|https?:\/\/www\.opengis\.net\/def\/crs\/ogc\/[\d.]+\/crs84|(ogc:)?crs84)$/i.test(t)) return 4326;
  const m =
    /^(?:epsg:?|esri:|urn:(?:x-)?ogc:def:crs:(?:epsg|esri):(?:[\d.]*:)?|https?:\/\/www\.opengis\.net\/def\/crs\/(?:epsg|esri)\/[\d.]+\/)?(\d{1,8})$/i.exec(t);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a user's choice of coordinate system from request parameters.
 * `crs` may be any EPSG code the parsers place ("EPSG:4526", "4490", "EPSG:2414", "EPSG:32650" —
 * crs-registry.ts), "CRS84", or a word: "lonlat"/"geographic" (lon/lat on the file's datum, else
 * CGCS2000), "cgcs2000" (EPSG:4490), "wgs84" (EPSG:4326), "gk"/"gauss-kruger". `zone` and `zoneWidth` alone mean Gauss–Krüger and override
 * what `crs` says (keeping its datum). Throws a ParseError: INVALID_OPTION for a word it does not
 * know, CRS_UNKNOWN / CRS_UNSUPPORTED for a code, naming it.
 *
 * @example parseCrsParam(undefined, 38) // { kind: 'gauss-kruger', zone: 38 }
 */
export function parseCrsParam(crs?: string, zone?: number, zoneWidth?: ZoneWidth): CrsChoice | undefined {
  let choice: CrsChoice | undefined;
  const text = (crs ?? '').trim();
  if (text) {
    const word = text.toLowerCase().replace(/[\s_]/g, '');
    const code = epsgOfIdentifier(text);
    if (code !== undefined) choice = crsFromEpsg(code, text);
    // "lonlat" says what the numbers are, not their datum (a Beijing 1954 lon/lat file stays Beijing 1954); "cgcs2000" names it
    else if (['lonlat', 'geographic', '经纬度'].includes(word)) choice = { kind: 'geographic' };
    else if (['cgcs2000'].includes(word)) choice = { kind: 'geographic', epsg: 4490 };
    else if (['wgs84'].includes(word)) choice = { kind: 'geographic', epsg: 4326 };
    else if (['gk', 'gauss-kruger', 'gausskruger', '高斯克吕格', '高斯-克吕格'].includes(word)) choice = { kind: 'gauss-kruger' };
    if (!choice) {
      throw new ParseError(
        'INVALID_OPTION',
        `不认识的坐标系“${text}”：可选 EPSG:4490（CGCS2000 经纬度）、EPSG:4326、EPSG:4513–4554（3 度带高斯-克吕格）、EPSG:4491–4512（6 度带）等 EPSG 代码`,
        `Unknown coordinate system "${text}": use an EPSG code such as EPSG:4490 (CGCS2000 lon/lat), EPSG:4326, EPSG:4513–4554 (3° Gauss–Krüger) or EPSG:4491–4512 (6°)`,
      );
    }
  }
  if (zone !== undefined || zoneWidth !== undefined) {
    if (choice?.kind === 'geographic' || choice?.kind === 'projected') return choice;
    const base: CrsChoice = choice?.kind === 'gauss-kruger' ? choice : { kind: 'gauss-kruger' };
    // a zone without a width takes its width from China's zone numbers (6°: 13–23, 3°: 25–45), not from what `crs` said
    const width = zoneWidth ?? (zone !== undefined ? undefined : base.zoneWidth);
    choice = {
      kind: 'gauss-kruger',
      ...(zone !== undefined ? { zone } : base.zone !== undefined ? { zone: base.zone } : {}),
      ...(width !== undefined ? { zoneWidth: width } : {}),
      ...(base.epsg !== undefined ? { epsg: base.epsg } : {}),
    };
  }
  if (choice?.kind === 'gauss-kruger' && choice.zone !== undefined) {
    const width = choice.zoneWidth ?? (choice.zone <= 23 ? 6 : 3);
    const ok = Number.isInteger(choice.zone) && (width === 3 ? choice.zone >= 1 && choice.zone <= 120 : choice.zone >= 1 && choice.zone <= 60);
    if (!ok) {
      throw new ParseError('INVALID_OPTION', `带号 ${choice.zone} 无效（${width} 度带）`, `Zone ${choice.zone} is not a valid ${width}° zone`);
    }
  }
  return choice;
}

/**
 * The datum a coordinate-system text names.
 *
 * @example datumOf('2000国家大地坐标系') // 'cgcs2000'
 */
export function datumOf(text: string): Datum {
  if (/china[_ ]?(geodetic[_ ]coordinate[_ ]system[_ ])?2000|china[_ ]2000|cgcs[_ ]?2000|2000国家大地|国家2000|2000坐标/i.test(text)) return 'cgcs2000';
  if (/xian[_ ]?1980|xian[_ ]?80|西安\s*80|80国家大地|1980西安/i.test(text)) return 'xian80';
  if (/beijing[_ ]?1954|beijing[_ ]?54|北京\s*54|54北京|1954北京/i.test(text)) return 'beijing54';
  if (/wgs[_ ]?(19)?84/i.test(text)) return 'wgs84';
  return 'other';
}

/** Chinese and English name of a datum, for messages. */
export function datumName(datum: Datum): { zh: string; en: string } {
  const names: Record<Datum, { zh: string; en: string }> = {
    cgcs2000: { zh: '2000 国家大地坐标系（CGCS2000）', en: 'CGCS2000' },
    wgs84: { zh: 'WGS84', en: 'WGS84' },
    xian80: { zh: '1980 西安坐标系', en: 'Xian 1980' },
    beijing54: { zh: '1954 北京坐标系', en: 'Beijing 1954' },
    other: { zh: '未知坐标系', en: 'an unknown datum' },
  };
  return names[datum];
}

/** Ellipsoids of the datums, by semi-major axis and inverse flattening. */
const ELLIPSOIDS: { datum: Exclude<Datum, 'other'>; a: number; rf: number }[] = [
  { datum: 'cgcs2000', a: 6378137, rf: 298.257222101 },
  { datum: 'wgs84', a: 6378137, rf: 298.257223563 },
  { datum: 'beijing54', a: 6378245, rf: 298.3 },
  { datum: 'xian80', a: 6378140, rf: 298.257 },
];

/** The datum of an ellipsoid, when it is one of China's. */
function datumOfEllipsoid(a: unknown, rf: unknown): Datum {
  if (typeof a !== 'number' || typeof rf !== 'number') return 'other';
  return ELLIPSOIDS.find((e) => Math.abs(e.a - a) < 1e-3 && Math.abs(e.rf - rf) < 1e-8)?.datum ?? 'other';
}

const RAD = 180 / Math.PI;

function unreadable(text: string, detail?: string): ParseError {
  const head = text.replace(/\s+/g, ' ').slice(0, 80);
  return new ParseError(
    'PRJ_UNREADABLE',
    `坐标系定义（.prj / WKT）无法读取${detail ? `（${detail}）` : ''}：“${head}”`,
    `The coordinate system definition (.prj / WKT) cannot be read${detail ? ` (${detail})` : ''}: "${head}"`,
  );
}

function unsupportedWkt(name: string, why: { zh: string; en: string }): ParseError {
  return new ParseError(
    'CRS_UNSUPPORTED',
    `不支持坐标系“${name}”：${why.zh}；请导出为 CGCS2000（EPSG:4490 或高斯-克吕格分带）后再上传`,
    `The coordinate system "${name}" is not supported: ${why.en}; export as CGCS2000 (EPSG:4490 or a Gauss-Kruger zone) and upload again`,
  );
}

const ARC_SECOND = Math.PI / 648_000;

/** Which of the seven a BOUNDCRS parameter is, by its EPSG id (8605–8611) or its name. */
function parameterIndex(name: string, id: number | undefined): number | undefined {
  if (id !== undefined && id >= 8605 && id <= 8611) return id - 8605;
  const n = name.toLowerCase();
  const axis = /^([xyz])[-\s]?axis/.exec(n)?.[1];
  if (axis && /translation/.test(n)) return 'xyz'.indexOf(axis);
  if (axis && /rotation/.test(n)) return 3 + 'xyz'.indexOf(axis);
  if (/scale/.test(n)) return 6;
  return undefined;
}

/**
 * The seven parameters (metres, arc-seconds, ppm, position vector) of a WKT2 BOUNDCRS's
 * ABRIDGEDTRANSFORMATION, each PARAMETER read in its own unit: LENGTHUNIT / ANGLEUNIT / SCALEUNIT
 * (or UNIT) with its conversion factor (metre, kilometre; arc-second, radian, degree; parts per
 * million, parts per billion, unity …). A parameter without a unit is read as GDAL and PROJ write it:
 * metres, arc-seconds, and the scale as a factor (1.0000021 = 2.1 ppm). A coordinate frame rotation
 * has its rotations' signs reversed. Refused, naming it: a method that is no Helmert shift, a unit of
 * the wrong kind or without a factor, a unitless scale that is no factor.
 */
function abridgedParameters(text: string): number[] {
  const at = text.search(/ABRIDGEDTRANSFORMATION\s*\[/i);
  if (at < 0) throw unreadable(text, 'BOUNDCRS without ABRIDGEDTRANSFORMATION');
  const body = text.slice(at);
  const method = /^ABRIDGEDTRANSFORMATION\s*\[\s*"[^"]*"\s*,\s*METHOD\s*\[\s*"([^"]*)"/i.exec(body)?.[1] ?? '';
  const frame = /coordinate frame/i.test(method);
  if (!frame && !/position vector|geocentric translation/i.test(method)) throw unreadable(text, `BOUNDCRS ${method}`);
  const values = [0, 0, 0, 0, 0, 0, 0];
  const re = /PARAMETER\s*\[\s*"([^"]*)"\s*,\s*([-+0-9.eE]+)\s*(?:,\s*(LENGTHUNIT|ANGLEUNIT|SCALEUNIT|UNIT)\s*\[\s*"([^"]*)"\s*(?:,\s*([-+0-9.eE]+))?[^\]]*\])?\s*(?:,\s*ID\s*\[\s*"EPSG"\s*,\s*(\d+))?/gi;
  const kinds = ['length', 'length', 'length', 'angle', 'angle', 'angle', 'scale'] as const;
  const keyword = { length: 'LENGTHUNIT', angle: 'ANGLEUNIT', scale: 'SCALEUNIT' } as const;
  const badUnit = (param: string, unit: string, why: { zh: string; en: string }) =>
    new ParseError(
      'PRJ_UNREADABLE',
      `坐标系定义（WKT2 BOUNDCRS）中参数“${param}”的单位“${unit}”无法使用：${why.zh}`,
      `The unit "${unit}" of the parameter "${param}" in the coordinate system definition (WKT2 BOUNDCRS) cannot be used: ${why.en}`,
    );
  for (const m of body.matchAll(re)) {
    const [, name = '', raw = '', kw, unit, factorText, idText] = m;
    const i = parameterIndex(name, idText ? Number(idText) : undefined);
    const v = Number(raw);
    if (i === undefined || !Number.isFinite(v)) throw unreadable(text, `BOUNDCRS PARAMETER "${name}"`);
    const kind = kinds[i]!;
    let converted: number;
    if (!kw) {
      if (kind !== 'scale') converted = v;
      else if (v >= 0.99 && v <= 1.01) converted = (v - 1) * 1e6;
      else {
        throw badUnit(name, '—', {
          zh: `尺度 ${v} 没有写单位，且不是比例因子（GDAL/PROJ 写作 1 + 尺度，如 1.0000021）；请写明 SCALEUNIT（如 SCALEUNIT["parts per million",1E-06]）`,
          en: `the scale ${v} has no unit and is no factor (GDAL/PROJ write 1 + scale, e.g. 1.0000021); give its SCALEUNIT (e.g. SCALEUNIT["parts per million",1E-06])`,
        });
      }
    } else {
      const k = kw.toUpperCase();
      const factor = factorText !== undefined ? Number(factorText) : NaN;
      if (k !== 'UNIT' && k !== keyword[kind]) {
        throw badUnit(name, `${kw}["${unit}"]`, { zh: `应为 ${keyword[kind]}`, en: `it should be an ${keyword[kind]}` });
      }
      if (!Number.isFinite(factor) || factor <= 0) {
        throw badUnit(name, unit ?? kw, { zh: '没有换算系数，无法识别', en: 'it has no conversion factor and is not known' });
      }
      if (kind === 'length') converted = v * factor;
      else if (kind === 'angle') converted = (v * factor) / ARC_SECOND;
      // a scale in "unity" near 1 is a factor, as PROJ reads it; otherwise a difference in its unit
      else converted = factor === 1 && v >= 0.99 && v <= 1.01 ? (v - 1) * 1e6 : v * factor * 1e6;
    }
    values[i] = Number(converted.toPrecision(10));
  }
  return frame ? values.map((v, i) => (i >= 3 && i <= 5 && v !== 0 ? -v : v)) : values;
}

/** A DeclaredCrs for a known EPSG system, as a file names it. */
function declaredOf(k: KnownCrs, name: string, extra: Partial<DeclaredCrs> = {}): DeclaredCrs {
  return {
    choice: choiceOf(k),
    name,
    datum: k.datum,
    epsg: k.epsg,
    ...(k.gk ? { zonePrefix: k.gk.zonePrefix } : {}),
    ...extra,
  };
}

/**
 * Reads a WKT coordinate system definition — a Shapefile .prj (ESRI or OGC WKT1), WKT2 as far
 * as wkt-parser reads it, a GeoPackage definition — with wkt-parser. The datum comes from the
 * DATUM/SPHEROID names and, for a datum named "unknown", from the ellipsoid's parameters
 * (GRS80 → CGCS2000, WGS84, Krassowsky 1940 → Beijing 1954, IAG 1975 → Xi'an 1980); the system
 * is matched to its EPSG code (its AUTHORITY/ID, else by datum and projection parameters). A
 * TOWGS84 in the WKT is kept as the file's own shift parameters. Refused, naming it: WKT that
 * cannot be read (PRJ_UNREADABLE), a system the parsers cannot place (CRS_UNSUPPORTED).
 *
 * @example crsFromPrj('PROJCS["Beijing_1954_3_Degree_GK_Zone_38",GEOGCS["GCS_Beijing_1954",…]]').epsg // 2414
 */
export function crsFromPrj(wkt: string): DeclaredCrs {
  const text = wkt.replace(/^\uFEFF/, '').trim();
  if (!/^[A-Z_]+\s*\[/i.test(text)) throw unreadable(text);
  const top = /^([A-Z_]+)\s*\[/i.exec(text)![1]!.toUpperCase();
  if (['GEOCCS', 'GEOCCRS', 'VERTCS', 'VERTCRS', 'COMPD_CS', 'COMPOUNDCRS', 'ENGCRS', 'ENGINEERINGCRS', 'LOCAL_CS'].includes(top)) {
    const name = /^\w+\s*\[\s*"([^"]*)"/.exec(text)?.[1] ?? top;
    throw unsupportedWkt(name, { zh: '不是平面或经纬度坐标系', en: 'it is not a projected or lon/lat system' });
  }
  let p: Record<string, unknown>;
  try {
    p = parseWkt(text);
  } catch (e) {
    throw unreadable(text, e instanceof Error ? e.message.slice(0, 60) : undefined);
  }
  if (!p || typeof p !== 'object') throw unreadable(text);
  const name = typeof p.name === 'string' ? p.name : (/^\w+\s*\[\s*"([^"]*)"/.exec(text)?.[1] ?? '');
  // a WKT2 BOUNDCRS is its SOURCECRS plus a shift to WGS84 (ABRIDGEDTRANSFORMATION)
  const inner = top === 'BOUNDCRS' ? (/SOURCECRS\s*\[\s*([A-Z_]+)\s*\[/i.exec(text)?.[1]?.toUpperCase() ?? '') : top;
  const projected = /^(PROJCS|PROJCRS|PROJECTEDCRS)$/.test(inner);
  const geographic = /^(GEOGCS|GEOGCRS|GEODCRS|GEOGRAPHICCRS|GEODETICCRS)$/.test(inner);
  if (!projected && !geographic) throw unreadable(text, inner || top);
  let towgs = Array.isArray(p.datum_params) ? [...(p.datum_params as number[])] : undefined;
  if (top === 'BOUNDCRS') towgs = abridgedParameters(text);
  const towgs84: SevenParameters | undefined =
    towgs && (towgs.length === 3 || towgs.length === 7) && towgs.every((v) => typeof v === 'number' && Number.isFinite(v))
      ? [towgs[0]!, towgs[1]!, towgs[2]!, towgs[3] ?? 0, towgs[4] ?? 0, towgs[5] ?? 0, towgs[6] ?? 0]
      : undefined;

  // the datum: by its names, else (a datum called "unknown …") by the ellipsoid
  const datumNameText = /DATUM\s*\[\s*"([^"]*)"/i.exec(text)?.[1] ?? '';
  const geogName = /(GEOGCS|GEOGCRS|BASEGEOGCRS|BASEGEODCRS)\s*\[\s*"([^"]*)"/i.exec(text)?.[2] ?? '';
  // GDAL names a datum it cannot identify "Unknown based on Krassovsky, 1942 ellipsoid using towgs84=…"
  const unnamed = (t: string) => !t || /unknown|based on|not[_ ]specified|^d_?$|^none$/i.test(t);
  const byName = [datumNameText, geogName, name].filter((t) => !unnamed(t)).map(datumOf).find((d) => d !== 'other') ?? 'other';
  const byEllipsoid = datumOfEllipsoid(p.a, p.rf);
  let datum: Datum = byName !== 'other' ? byName : unnamed(datumNameText) ? byEllipsoid : 'other';
  // a name that says CGCS2000 on the WGS84 ellipsoid (or the reverse) is still read by its name; a Beijing/Xi'an name must sit on its ellipsoid
  if ((datum === 'beijing54' || datum === 'xian80') && byEllipsoid !== datum && byEllipsoid !== 'other') datum = 'other';
  if (datum === 'other') {
    throw unsupportedWkt(name || datumNameText, {
      zh: `其大地基准“${datumNameText || '未命名'}”不是 CGCS2000、WGS84、1954 北京或 1980 西安坐标系`,
      en: `its datum "${datumNameText || 'unnamed'}" is not CGCS2000, WGS84, Beijing 1954 or Xian 1980`,
    });
  }
  const shift = towgs84 && (datum === 'beijing54' || datum === 'xian80') && towgs84.some((v) => v !== 0) ? { towgs84 } : {};
  const problem = shift.towgs84 ? sevenParametersProblem(shift.towgs84) : undefined;
  if (problem) {
    throw new ParseError(
      'DATUM_PARAMETERS_INVALID',
      `坐标系定义（.prj / WKT）“${name}”中的七参数（TOWGS84 ${shift.towgs84!.join(', ')}）无效：${problem.zh}`,
      `The seven parameters in the coordinate system definition (.prj / WKT) "${name}" (TOWGS84 ${shift.towgs84!.join(', ')}) are invalid: ${problem.en}`,
    );
  }
  const extra: Partial<DeclaredCrs> = { wkt: text, ...shift };

  // the EPSG code the WKT carries (WKT1 AUTHORITY, WKT2 ID) — believed when its datum agrees
  const title = typeof p.title === 'string' ? /^EPSG:(\d+)$/i.exec(p.title)?.[1] : undefined;
  if (title) {
    let k: KnownCrs | undefined;
    try {
      k = knownCrs(Number(title));
    } catch (e) {
      if (!(e instanceof ParseError) || e.code === 'CRS_UNSUPPORTED') throw e;
    }
    if (k && k.datum === datum) return declaredOf(k, name, extra);
  }

  if (geographic) {
    const unit = typeof p.units === 'string' ? p.units : 'degree';
    if (!/^deg/i.test(unit)) throw unsupportedWkt(name, { zh: `其角度单位为“${unit}”`, en: `its angle unit is "${unit}"` });
    return declaredOf(knownCrs(GEOGRAPHIC_EPSG[datum]), name, extra);
  }

  const method = String(p.projName ?? '').toLowerCase().replace(/[\s_-]/g, '');
  const toMeter = typeof p.to_meter === 'number' ? p.to_meter : 1;
  if (Math.abs(toMeter - 1) > 1e-12) throw unsupportedWkt(name, { zh: `其长度单位不是米（${String(p.units ?? '')}）`, en: `its unit is not the metre (${String(p.units ?? '')})` });
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const cm = num(p.long0, NaN) * RAD;
  const lat0 = num(p.lat0, 0) * RAD;
  const k0 = num(p.k0, 1);
  const x0 = num(p.x0, 0);
  const y0 = num(p.y0, 0);
  if (/pseudomercator|auxiliarysphere|popularvisualisation/.test(method) || (/mercator/.test(method) && /\+a=6378137 \+b=6378137/.test(text))) {
    if (Math.abs(x0) < 1e-6 && Math.abs(y0) < 1e-6 && Math.abs(num(p.long0, 0)) < 1e-12) return declaredOf(knownCrs(3857), name, extra);
  }
  if (/transversemercator|gausskruger|tmerc|^utm$/.test(method) && Number.isFinite(cm)) {
    if (datum === 'wgs84') {
      const utm = utmEpsg(cm, k0, x0, y0, lat0);
      if (utm) return declaredOf(knownCrs(utm), name, extra);
    } else {
      const gk = gkZoneOf(cm, x0, name, k0, lat0, y0);
      const code = gk ? gkEpsg(datum, gk) : undefined;
      if (gk && code) return declaredOf(knownCrs(code), name, extra);
      if (gk) {
        // a zone outside EPSG's ranges (zone 24 …): placed by its parameters, named by the file
        return { choice: { kind: 'gauss-kruger', zone: gk.zone, zoneWidth: gk.zoneWidth }, name, datum, zonePrefix: gk.zonePrefix, ...extra };
      }
    }
  }
  throw unsupportedWkt(name, {
    zh: `投影“${String(p.projName ?? '')}”的参数不是我国高斯-克吕格分带、WGS84 UTM 或 Web 墨卡托`,
    en: `the projection "${String(p.projName ?? '')}" with these parameters is not a Chinese Gauss-Kruger zone, WGS84 UTM or Web Mercator`,
  });
}

/**
 * Reads a GeoJSON `crs` member (GeoJSON 2008; RFC 7946 dropped it, GDAL still writes it):
 * `{ type: 'name', properties: { name: <any identifier epsgOfIdentifier reads, or a WKT> } }`,
 * or `{ type: 'EPSG', properties: { code: 4526 } }`. Undefined when absent (or null: "no CRS").
 * Anything else is refused, naming it — an unknown member is never ignored: CRS_UNKNOWN for a
 * member or code that cannot be read, CRS_UNSUPPORTED for a system the parsers cannot place.
 *
 * @example crsFromGeoJsonMember({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2414' } }).epsg // 2414
 */
export function crsFromGeoJsonMember(member: unknown): DeclaredCrs | undefined {
  if (member === undefined || member === null) return undefined;
  const shown = JSON.stringify(member)?.slice(0, 120) ?? String(member);
  const unknown = () =>
    new ParseError(
      'CRS_UNKNOWN',
      `GeoJSON 的坐标系声明无法识别：${shown}；应为 EPSG 代码，如 {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}}`,
      `The GeoJSON's coordinate system member (crs) is not understood: ${shown}; it should name an EPSG code, e.g. {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}}`,
    );
  if (typeof member !== 'object' || Array.isArray(member)) throw unknown();
  const { type, properties } = member as { type?: unknown; properties?: Record<string, unknown> };
  const props = properties && typeof properties === 'object' ? properties : {};
  if (typeof type === 'string' && type.toUpperCase() === 'EPSG' && (typeof props.code === 'number' || typeof props.code === 'string')) {
    const code = Number(props.code);
    if (!Number.isInteger(code)) throw unknown();
    return declaredOf(knownCrs(code, `EPSG:${props.code}`), `EPSG:${code}`);
  }
  if (type !== 'name' || typeof props.name !== 'string') throw unknown();
  const name = props.name.trim();
  if (/^[A-Z_]+\s*\[/i.test(name)) {
    const d = crsFromPrj(name);
    return { ...d, name: d.name || name.slice(0, 60) };
  }
  const code = epsgOfIdentifier(name);
  if (code === undefined) throw unknown();
  return declaredOf(knownCrs(code, name), name);
}

/**
 * The name the result reports for a CGCS2000 Gauss–Krüger zone: its EPSG code, or a description
 * outside the EPSG range.
 *
 * @example gaussKrugerName(38, 3, true) // 'EPSG:4526'
 */
export function gaussKrugerName(zone: number, zoneWidth: ZoneWidth, zonePrefix: boolean, datum: Datum = 'cgcs2000'): string {
  const epsg = datum === 'cgcs2000' ? gaussKrugerEpsg({ zone, zoneWidth, zonePrefix }) : gkEpsg(datum, { zone, zoneWidth, zonePrefix });
  const d = datumName(datum).en;
  return epsg ? `EPSG:${epsg}` : `${d} Gauss-Kruger ${zoneWidth}-degree zone ${zone}${zonePrefix ? '' : ' (no prefix)'}`;
}
