/**
 * Coordinate systems of site files: what a user asks for (`?crs=EPSG:4526&zone=38`),
 * what a file declares (a Shapefile .prj, a 界址点 file's [属性描述], a legacy GeoJSON
 * `crs` member), and how to name the result (EPSG:4490, EPSG:4526 …).
 *
 * CGCS2000 Gauss–Krüger EPSG codes (domain.md): 3° zones 25–45 are EPSG:4513–4533 with
 * the zone prefix on the easting and EPSG:4534–4554 without; 6° zones 13–23 are
 * EPSG:4491–4501 with and EPSG:4502–4512 without.
 *
 * @example parseCrsParam('EPSG:4526') // { kind: 'gauss-kruger', zone: 38, zoneWidth: 3 }
 */
import { centralMeridian, gaussKrugerEpsg, type ZoneWidth } from '../gauss-kruger.ts';
import { ParseError } from './errors.ts';
import type { CrsChoice, SevenParameters } from './types.ts';

/** The datum a declaration names; only CGCS2000 and WGS84 are taken as-is. */
export type Datum = 'cgcs2000' | 'wgs84' | 'xian80' | 'beijing54' | 'other';

/** A coordinate system a file declares. */
export interface DeclaredCrs {
  /** What the declaration amounts to; `zone` may be missing (then read from the eastings). */
  choice: CrsChoice;
  /** The name as the file writes it, e.g. "CGCS2000_3_Degree_GK_Zone_38" or "2000国家大地坐标系". */
  name: string;
  datum: Datum;
  /** For Gauss–Krüger: whether the declared false easting carries the zone prefix. */
  zonePrefix?: boolean;
  /** A projection that is not CGCS2000 Gauss–Krüger (UTM, Web Mercator …): its WKT, for proj4. */
  wkt?: string;
  /** The EPSG code the declaration names or amounts to (2414, 4526, 32650 …). */
  epsg?: number;
  /** Seven shift parameters to CGCS2000 the file itself gives (a 界址点 file's 转换参数= line). */
  towgs84?: SevenParameters;
}

/**
 * The Gauss–Krüger zone an EPSG code names, or undefined.
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

/**
 * A coordinate system from an EPSG code (4490, 4326, 4513–4554, 4491–4512), or undefined.
 *
 * @example crsFromEpsg(4490) // { kind: 'geographic', epsg: 4490 }
 */
export function crsFromEpsg(code: number): CrsChoice | undefined {
  if (code === 4490 || code === 4326) return { kind: 'geographic', epsg: code };
  const gk = gaussKrugerFromEpsg(code);
  return gk ? { kind: 'gauss-kruger', zone: gk.zone, zoneWidth: gk.zoneWidth } : undefined;
}

/**
 * Reads a user's choice of coordinate system from request parameters.
 * `crs` may be an EPSG code ("EPSG:4526", "4490"), "CRS84", or a word: "lonlat"/"geographic"/"cgcs2000"
 * (EPSG:4490), "wgs84" (EPSG:4326), "gk"/"gauss-kruger". `zone` and `zoneWidth` alone mean Gauss–Krüger
 * and override what `crs` says. Throws a ParseError (INVALID_OPTION) for anything else.
 *
 * @example parseCrsParam(undefined, 38) // { kind: 'gauss-kruger', zone: 38 }
 */
export function parseCrsParam(crs?: string, zone?: number, zoneWidth?: ZoneWidth): CrsChoice | undefined {
  let choice: CrsChoice | undefined;
  const text = (crs ?? '').trim();
  if (text) {
    const word = text.toLowerCase().replace(/[\s_]/g, '');
    const code = /^(?:epsg:?|urn:ogc:def:crs:epsg::?)?(\d{4,5})$/i.exec(text.replace(/\s/g, ''))?.[1];
    if (code) choice = crsFromEpsg(Number(code));
    else if (['lonlat', 'geographic', 'cgcs2000', '经纬度'].includes(word)) choice = { kind: 'geographic', epsg: 4490 };
    else if (['wgs84', 'crs84', 'urn:ogc:def:crs:ogc:1.3:crs84', 'urn:ogc:def:crs:ogc::crs84'].includes(word)) choice = { kind: 'geographic', epsg: 4326 };
    else if (['gk', 'gauss-kruger', 'gausskruger', '高斯克吕格', '高斯-克吕格'].includes(word)) choice = { kind: 'gauss-kruger' };
    if (!choice) {
      throw new ParseError(
        'INVALID_OPTION',
        `不认识的坐标系“${text}”：可选 EPSG:4490（CGCS2000 经纬度）、EPSG:4326、EPSG:4513–4554（3 度带高斯-克吕格）、EPSG:4491–4512（6 度带）`,
        `Unknown coordinate system "${text}": use EPSG:4490 (CGCS2000 lon/lat), EPSG:4326, EPSG:4513–4554 (3° Gauss–Krüger) or EPSG:4491–4512 (6°)`,
      );
    }
  }
  if (zone !== undefined || zoneWidth !== undefined) {
    if (choice?.kind === 'geographic') return choice;
    const base = choice?.kind === 'gauss-kruger' ? choice : { kind: 'gauss-kruger' as const };
    choice = { ...base, ...(zone !== undefined ? { zone } : {}), ...(zoneWidth !== undefined ? { zoneWidth } : {}) };
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
  if (/china[_ ]?(geodetic[_ ]coordinate[_ ]system[_ ])?2000|cgcs[_ ]?2000|2000国家大地|国家2000|2000坐标/i.test(text)) return 'cgcs2000';
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

/** The numeric value of a WKT PARAMETER, by any of its names (WKT1 ESRI/OGC and WKT2 spellings). */
function wktParameter(wkt: string, names: string[]): number | undefined {
  for (const m of wkt.matchAll(/PARAMETER\s*\[\s*"([^"]+)"\s*,\s*([-+0-9.eE]+)/gi)) {
    const key = (m[1] ?? '').toLowerCase().replace(/[\s_]/g, '');
    if (names.includes(key)) return Number(m[2]);
  }
  return undefined;
}

/**
 * Reads the coordinate system of a Shapefile .prj (WKT1, ESRI or OGC flavour; WKT2 works too).
 * CGCS2000 Gauss–Krüger zones are recognised by their name ("CGCS2000_3_Degree_GK_Zone_38",
 * "CGCS2000 / 3-degree Gauss-Kruger CM 114E") and/or their central meridian and false easting;
 * other projections keep their WKT for proj4.
 *
 * @example crsFromPrj('PROJCS["CGCS2000_3_Degree_GK_Zone_38",…PARAMETER["Central_Meridian",114.0]…]')
 *   // { choice: { kind: 'gauss-kruger', zone: 38, zoneWidth: 3 }, zonePrefix: true, datum: 'cgcs2000', … }
 */
export function crsFromPrj(wkt: string): DeclaredCrs {
  const text = wkt.trim();
  const projected = /^\s*(PROJCS|PROJCRS|PROJECTEDCRS)\s*\[/i.test(text);
  const geographic = /^\s*(GEOGCS|GEOGCRS|GEODCRS|GEOGRAPHICCRS)\s*\[/i.test(text);
  if (!projected && !geographic) {
    throw new ParseError('PRJ_UNREADABLE', `.prj 文件内容无法识别为坐标系定义：“${text.slice(0, 60)}”`, `The .prj file is not a coordinate system definition: "${text.slice(0, 60)}"`);
  }
  const name = /^\s*\w+\s*\[\s*"([^"]*)"/.exec(text)?.[1] ?? '';
  const datumName = /DATUM\s*\[\s*"([^"]*)"/i.exec(text)?.[1];
  const geogName = /(GEOGCS|GEOGCRS|BASEGEOGCRS|BASEGEODCRS)\s*\[\s*"([^"]*)"/i.exec(text)?.[2];
  const datum = [datumName, geogName, name, text].map((t) => (t ? datumOf(t) : 'other')).find((d) => d !== 'other') ?? 'other';
  if (!projected) {
    return { choice: { kind: 'geographic', epsg: datum === 'wgs84' ? 4326 : 4490 }, name, datum };
  }
  const isTm = /gauss|kruger|krüger|transverse[_ ]?mercator/i.test(text);
  const cm = wktParameter(text, ['centralmeridian', 'longitudeofnaturalorigin', 'longitudeoforigin']);
  const fe = wktParameter(text, ['falseeasting']) ?? 0;
  const k = wktParameter(text, ['scalefactor', 'scalefactoratnaturalorigin']) ?? 1;
  const lat0 = wktParameter(text, ['latitudeoforigin', 'latitudeofnaturalorigin']) ?? 0;
  if (isTm && cm !== undefined && Math.abs(k - 1) < 1e-9 && lat0 === 0 && Math.abs((fe % 1_000_000) - 500_000) < 1e-6) {
    const prefixZone = fe >= 1_000_000 ? Math.round((fe - 500_000) / 1_000_000) : undefined;
    const named3 = /3[_ -]?degree|3度|三度/i.test(name);
    const named6 = !named3 && /gauss|gk/i.test(name) && datum === 'cgcs2000';
    let zoneWidth: ZoneWidth | undefined;
    if (named3) zoneWidth = 3;
    else if (prefixZone !== undefined && centralMeridian(prefixZone, 3) === cm) zoneWidth = 3;
    else if (prefixZone !== undefined && centralMeridian(prefixZone, 6) === cm) zoneWidth = 6;
    else if (named6 && (cm + 3) % 6 === 0) zoneWidth = 6;
    else if (cm % 3 === 0) zoneWidth = 3;
    if (zoneWidth !== undefined) {
      const zone = zoneWidth === 3 ? cm / 3 : (cm + 3) / 6;
      if (Number.isInteger(zone) && (prefixZone === undefined || prefixZone === zone)) {
        return { choice: { kind: 'gauss-kruger', zone, zoneWidth }, name, datum, zonePrefix: prefixZone !== undefined };
      }
    }
  }
  return { choice: { kind: 'gauss-kruger' }, name, datum, wkt: text };
}

/**
 * Reads a legacy GeoJSON `crs` member ({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4526' } }).
 * Undefined when absent or not one we know.
 *
 * @example crsFromGeoJsonMember({ type: 'name', properties: { name: 'EPSG:4547' } }) // 3° zone 38
 */
export function crsFromGeoJsonMember(member: unknown): DeclaredCrs | undefined {
  if (!member || typeof member !== 'object') return undefined;
  const name = (member as { properties?: { name?: unknown } }).properties?.name;
  if (typeof name !== 'string') return undefined;
  if (/crs84$/i.test(name)) return { choice: { kind: 'geographic', epsg: 4326 }, name, datum: 'wgs84' };
  const code = /(\d{4,5})\s*$/.exec(name)?.[1];
  const choice = code ? crsFromEpsg(Number(code)) : undefined;
  if (!choice || !code) return undefined;
  const gk = gaussKrugerFromEpsg(Number(code));
  return {
    choice,
    name,
    datum: Number(code) === 4326 ? 'wgs84' : 'cgcs2000',
    ...(gk ? { zonePrefix: gk.zonePrefix } : {}),
  };
}

/**
 * The name the result reports for a Gauss–Krüger zone: its EPSG code, or a description
 * outside the EPSG range.
 *
 * @example gaussKrugerName(38, 3, true) // 'EPSG:4526'
 */
export function gaussKrugerName(zone: number, zoneWidth: ZoneWidth, zonePrefix: boolean): string {
  const epsg = gaussKrugerEpsg({ zone, zoneWidth, zonePrefix });
  return epsg ? `EPSG:${epsg}` : `CGCS2000 Gauss-Kruger ${zoneWidth}-degree zone ${zone}${zonePrefix ? '' : ' (no prefix)'}`;
}
