/**
 * The coordinate systems the site-file parsers know, by EPSG code, from epsg-index (one small
 * JSON file per code under epsg-index/s/, read on demand and cached — never the whole index),
 * and how each is placed on CGCS2000 lon/lat:
 *
 * | family | EPSG | placed |
 * |---|---|---|
 * | CGCS2000 lon/lat | 4490 | as is |
 * | CGCS2000 Gauss–Krüger 3° zones 25–45 | 4513–4533 (prefix), 4534–4554 (CM, no prefix) | inverse TM, GRS80 |
 * | CGCS2000 Gauss–Krüger 6° zones 13–23 | 4491–4501 (prefix), 4502–4512 (CM) | inverse TM, GRS80 |
 * | WGS84 lon/lat, OGC CRS84 | 4326 | as is (CGCS2000 and WGS84 agree within a few cm) |
 * | WGS84 UTM | 32601–32660, 32701–32760 | proj4 |
 * | Web Mercator | 3857, 900913, ESRI 102100 / 102113 | proj4 |
 * | Beijing 1954 (Krassowsky 1940) | 4214; 3° 2401–2421 / 2422–2442; 6° 21413–21423 / 21453–21463 / 21473–21483 | local datum policy |
 * | Xi'an 1980 (IAG 1975) | 4610; 6° 2327–2337 / 2338–2348; 3° 2349–2369 / 2370–2390 | local datum policy |
 *
 * Local datum policy (placement.ts): shifted with seven parameters when the file or the bureau
 * gives them, refused otherwise (DATUM_NEEDS_TRANSFORM) unless the planner accepts an approximate
 * placement. Every other EPSG code is refused naming it (CRS_UNSUPPORTED), a code EPSG does not
 * have as well (CRS_UNKNOWN). See docs/domain.md, "Coordinates".
 *
 * Server only: the parsers run in the server's parse workers, which read epsg-index from disk.
 *
 * @example knownCrs(2414) // { epsg: 2414, name: 'Beijing 1954 / 3-degree Gauss-Kruger zone 38', datum: 'beijing54', kind: 'gauss-kruger', gk: { zone: 38, zoneWidth: 3, zonePrefix: true }, … }
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { DATUM_ELLIPSOID, gaussKrugerEpsg, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { ParseError } from './errors.ts';
import type { SevenParameters } from './types.ts';

/** The datum of a coordinate system; only CGCS2000 and WGS84 are taken as they are. */
export type Datum = 'cgcs2000' | 'wgs84' | 'xian80' | 'beijing54' | 'other';

/** One entry of epsg-index. */
export interface EpsgRecord {
  code: number;
  /** e.g. 'CRS-PROJCRS', 'CRS-GEOGCRS', 'CRS-GEOCENTCRS'. */
  kind: string;
  name: string;
  wkt: string;
  proj4: string;
}

/** A Gauss–Krüger zone: number, width and whether the eastings carry the zone number in front. */
export interface GaussKrugerZone {
  zone: number;
  zoneWidth: ZoneWidth;
  zonePrefix: boolean;
}

/** A coordinate system the parsers can place. */
export interface KnownCrs {
  epsg: number;
  /** EPSG's name: "Beijing 1954 / 3-degree Gauss-Kruger zone 38". */
  name: string;
  datum: Exclude<Datum, 'other'>;
  /** geographic lon/lat; a Gauss–Krüger zone (CGCS2000, Beijing 1954, Xi'an 1980); another projection (UTM, Web Mercator). */
  kind: 'geographic' | 'gauss-kruger' | 'projected';
  gk?: GaussKrugerZone;
  /** proj4 of the coordinates on their own ellipsoid, no datum shift (a UTM's or Web Mercator's as EPSG gives it). */
  proj4: string;
  /** The generic shift EPSG's definition carries (Beijing 1954: 15.8, −154.4, −82.3), for estimating an approximate placement's error. */
  genericTowgs84?: SevenParameters;
}

/** Ellipsoids by datum, as proj4 parameters. */
export const ELLIPSOID: Record<Exclude<Datum, 'other'>, string> = DATUM_ELLIPSOID;

let folder: string | undefined;
/**
 * Records read so far: bounded (codes come from requests, `?crs=`), and a code EPSG does not have
 * is never kept, so a stream of made-up codes neither grows memory nor stays cached.
 */
export const REGISTRY_CACHE_SIZE = 512;
const cache = new LRUCache<number, EpsgRecord>({ max: REGISTRY_CACHE_SIZE });

/** Codes EPSG has retired but files still carry: Beijing 1954 / Gauss-Kruger 13N–23N (no prefix), and ESRI's Web Mercator codes. */
function synthesised(code: number): EpsgRecord | undefined {
  if (code >= 21473 && code <= 21483) {
    const base = epsgRecord(code - 20);
    return base ? { ...base, code, name: `Beijing 1954 / Gauss-Kruger ${code - 21460}N` } : undefined;
  }
  if (code === 102100 || code === 102113) {
    const base = epsgRecord(3857);
    return base ? { ...base, code, name: code === 102100 ? 'WGS_1984_Web_Mercator_Auxiliary_Sphere' : 'WGS_1984_Web_Mercator' } : undefined;
  }
  return undefined;
}

/**
 * The epsg-index entry of a code (plus the retired and ESRI codes above), or undefined when
 * EPSG has no such code.
 *
 * @example epsgRecord(4526)?.name // 'CGCS2000 / 3-degree Gauss-Kruger zone 38'
 */
export function epsgRecord(code: number): EpsgRecord | undefined {
  if (!Number.isInteger(code) || code <= 0 || code > 99_999_999) return undefined;
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  let record: EpsgRecord | undefined = synthesised(code);
  if (!record) {
    folder ??= join(dirname(createRequire(import.meta.url).resolve('epsg-index/package.json')), 's');
    try {
      const json = JSON.parse(readFileSync(join(folder, `${code}.json`), 'utf8')) as { kind: string; name: string; wkt: string; proj4: string };
      record = { code, kind: json.kind, name: json.name, wkt: json.wkt ?? '', proj4: json.proj4 ?? '' };
    } catch {
      record = undefined;
    }
  }
  if (record) cache.set(code, record);
  return record;
}

/** A numeric +key=value of a proj4 string. */
function projParam(proj: string, key: string): number | undefined {
  const m = new RegExp(`\\+${key}=([-+0-9.eE]+)`).exec(proj);
  return m ? Number(m[1]) : undefined;
}

/** The seven +towgs84 numbers of a proj4 string (three padded with zeros), if any. */
export function towgs84Of(proj: string): SevenParameters | undefined {
  const m = /\+towgs84=([-+0-9.eE,]+)/.exec(proj);
  if (!m) return undefined;
  const v = m[1]!.split(',').map(Number);
  if (v.length !== 3 && v.length !== 7) return undefined;
  return [v[0]!, v[1]!, v[2]!, v[3] ?? 0, v[4] ?? 0, v[5] ?? 0, v[6] ?? 0];
}

/** The datum of an EPSG entry, from its WKT's DATUM name. */
function datumOfRecord(r: EpsgRecord): Datum {
  const name = /DATUM\["([^"]+)"/.exec(r.wkt)?.[1] ?? '';
  if (/^China_2000$/i.test(name)) return 'cgcs2000';
  if (/^WGS_1984$/i.test(name)) return 'wgs84';
  if (/^Beijing_1954$/i.test(name)) return 'beijing54';
  if (/^Xian_1980$/i.test(name)) return 'xian80';
  return 'other';
}

/**
 * The Gauss–Krüger zone of a transverse Mercator with China's zone parameters (k = 1, origin on
 * the equator, false easting 500 000 m with or without the zone number in front), or undefined.
 * Without a prefix, the width comes from the name: "3-degree"/"3_Degree" names the 3° series;
 * a central meridian that is not a 6° one is 3°; otherwise 6° when the name says so, else 3°.
 *
 * @example gkZoneOf(114, 38_500_000, 'CGCS2000 / 3-degree Gauss-Kruger zone 38') // { zone: 38, zoneWidth: 3, zonePrefix: true }
 */
export function gkZoneOf(cm: number, falseEasting: number, name: string, k = 1, lat0 = 0, y0 = 0): GaussKrugerZone | undefined {
  if (Math.abs(k - 1) > 1e-12 || Math.abs(lat0) > 1e-12 || Math.abs(y0) > 1e-9) return undefined;
  const rest = falseEasting % 1_000_000;
  if (Math.abs(rest - 500_000) > 1e-6) return undefined;
  const prefix = Math.round((falseEasting - 500_000) / 1_000_000);
  const cmInt = Math.round(cm * 1e9) / 1e9;
  if (!Number.isInteger(cmInt)) return undefined;
  if (prefix > 0) {
    if (cmInt === 3 * prefix) return { zone: prefix, zoneWidth: 3, zonePrefix: true };
    if (cmInt === 6 * prefix - 3) return { zone: prefix, zoneWidth: 6, zonePrefix: true };
    return undefined;
  }
  if (cmInt % 3 !== 0) return undefined;
  const six = (cmInt + 3) % 6 === 0;
  const says3 = /3[_ -]?degree|3度|三度/i.test(name);
  const says6 = /6[_ -]?degree|6度|六度/i.test(name) || (!says3 && /gauss|kruger|krüger|_gk_|\bgk\b/i.test(name));
  const width: ZoneWidth = six && says6 && !says3 ? 6 : 3;
  return { zone: width === 3 ? cmInt / 3 : (cmInt + 3) / 6, zoneWidth: width, zonePrefix: false };
}

/** The EPSG code of a Gauss–Krüger zone on a Chinese datum, or undefined outside EPSG's ranges. */
export function gkEpsg(datum: Datum, z: GaussKrugerZone): number | undefined {
  const { zone, zoneWidth, zonePrefix } = z;
  const in3 = zone >= 25 && zone <= 45;
  const in6 = zone >= 13 && zone <= 23;
  if (datum === 'cgcs2000') return gaussKrugerEpsg({ zone, zoneWidth, zonePrefix });
  if (datum === 'beijing54') {
    if (zoneWidth === 3 && in3) return (zonePrefix ? 2401 : 2422) + zone - 25;
    if (zoneWidth === 6 && in6) return (zonePrefix ? 21413 : 21453) + zone - 13;
  }
  if (datum === 'xian80') {
    if (zoneWidth === 3 && in3) return (zonePrefix ? 2349 : 2370) + zone - 25;
    if (zoneWidth === 6 && in6) return (zonePrefix ? 2327 : 2338) + zone - 13;
  }
  return undefined;
}

const WEB_MERCATOR = new Set([3857, 900913, 102100, 102113]);

/** What an EPSG entry is, or a reason it cannot be placed. */
function classify(r: EpsgRecord): KnownCrs | { unsupported: string; unsupportedZh: string } {
  const datum = datumOfRecord(r);
  const base = { epsg: r.code, name: r.name };
  if (WEB_MERCATOR.has(r.code)) return { ...base, datum: 'wgs84', kind: 'projected', proj4: r.proj4 };
  if (r.kind !== 'CRS-GEOGCRS' && r.kind !== 'CRS-PROJCRS') {
    const kind = r.kind.replace(/^CRS-/, '').toLowerCase();
    return { unsupported: `it is not a projected or lon/lat system (EPSG kind ${kind})`, unsupportedZh: `它不是平面或经纬度坐标系（EPSG 类型 ${kind}）` };
  }
  if (datum === 'other') return { unsupported: 'its datum is not CGCS2000, WGS84, Beijing 1954 or Xian 1980', unsupportedZh: '其大地基准不是 CGCS2000、WGS84、1954 北京或 1980 西安坐标系' };
  const generic = datum === 'beijing54' || datum === 'xian80' ? towgs84Of(r.proj4) : undefined;
  const extra = generic ? { genericTowgs84: generic } : {};
  if (r.kind === 'CRS-GEOGCRS') {
    if (/\+proj=longlat/.test(r.proj4)) return { ...base, datum, kind: 'geographic', proj4: `+proj=longlat ${ELLIPSOID[datum]} +no_defs`, ...extra };
  }
  if (r.kind === 'CRS-PROJCRS') {
    if (/\+proj=utm/.test(r.proj4) && datum === 'wgs84') return { ...base, datum, kind: 'projected', proj4: r.proj4 };
    if (/\+proj=tmerc/.test(r.proj4) && datum !== 'wgs84') {
      const gk = gkZoneOf(projParam(r.proj4, 'lon_0') ?? NaN, projParam(r.proj4, 'x_0') ?? NaN, r.name, projParam(r.proj4, 'k') ?? 1, projParam(r.proj4, 'lat_0') ?? 0, projParam(r.proj4, 'y_0') ?? 0);
      if (gk && /\+units=m\b/.test(r.proj4)) {
        const proj4 = `+proj=tmerc +lat_0=0 +lon_0=${projParam(r.proj4, 'lon_0')} +k=1 +x_0=${projParam(r.proj4, 'x_0')} +y_0=0 ${ELLIPSOID[datum]} +units=m +no_defs`;
        return { ...base, datum, kind: 'gauss-kruger', gk, proj4, ...extra };
      }
    }
  }
  return {
    unsupported: "only lon/lat, China's Gauss-Kruger zones, WGS84 UTM and Web Mercator are placed",
    unsupportedZh: '只支持经纬度、我国高斯-克吕格分带、WGS84 UTM 与 Web 墨卡托',
  };
}

const known = new LRUCache<number, KnownCrs | { unsupported: string; unsupportedZh: string }>({ max: REGISTRY_CACHE_SIZE });

/** What a code is, cached; undefined when EPSG has no such code. */
function lookup(code: number): KnownCrs | { unsupported: string; unsupportedZh: string } | undefined {
  const hit = known.get(code);
  if (hit) return hit;
  const r = epsgRecord(code);
  if (!r) return undefined;
  const c = classify(r);
  known.set(code, c);
  return c;
}

/** How many codes the registry's caches hold now (records read, systems classified). */
export function registryCacheSizes(): { records: number; systems: number } {
  return { records: cache.size, systems: known.size };
}

/**
 * A coordinate system by EPSG code, or a ParseError naming the code: CRS_UNKNOWN when EPSG has
 * no such code, CRS_UNSUPPORTED (with EPSG's name) when it is not one the parsers place.
 * `asWritten` is how the file or request wrote it, for the message.
 *
 * @example knownCrs(32650).proj4 // '+proj=utm +zone=50 +datum=WGS84 …'
 * @example knownCrs(99999) // throws CRS_UNKNOWN "EPSG:99999 不是已知的坐标系代码"
 */
export function knownCrs(code: number, asWritten = `EPSG:${code}`): KnownCrs {
  const c = lookup(code);
  if (!c) {
    throw new ParseError(
      'CRS_UNKNOWN',
      `坐标系“${asWritten}”无法识别：EPSG 中没有代码 ${code}；请确认坐标系，或导出为 CGCS2000（EPSG:4490 或 3 度带 EPSG:4513–4554）`,
      `The coordinate system "${asWritten}" is not known: EPSG has no code ${code}; check it, or export as CGCS2000 (EPSG:4490 or a 3° zone EPSG:4513–4554)`,
    );
  }
  if ('unsupported' in c) {
    const name = epsgRecord(code)?.name ?? '';
    throw new ParseError(
      'CRS_UNSUPPORTED',
      `不支持坐标系 EPSG:${code}（${name}）：${c.unsupportedZh}；请导出为 CGCS2000（EPSG:4490 或高斯-克吕格分带）后再上传`,
      `The coordinate system EPSG:${code} (${name}) is not supported: ${c.unsupported}; export as CGCS2000 (EPSG:4490 or a Gauss-Kruger zone) and upload again`,
    );
  }
  return c;
}

/**
 * Whether a code is one the parsers place (no error).
 *
 * @example isKnownCrs(4547) // true
 */
export function isKnownCrs(code: number): boolean {
  const c = lookup(code);
  return !!c && !('unsupported' in c);
}

/**
 * The Gauss–Krüger zone an EPSG code stands for on any Chinese datum, with its datum.
 *
 * @example gkOfEpsg(2362) // { datum: 'xian80', zone: 38, zoneWidth: 3, zonePrefix: true }
 */
export function gkOfEpsg(code: number): (GaussKrugerZone & { datum: Datum }) | undefined {
  const c = lookup(code);
  return c && !('unsupported' in c) && c.gk ? { ...c.gk, datum: c.datum } : undefined;
}

/** The EPSG code and name of a geographic system by datum. */
export const GEOGRAPHIC_EPSG: Record<Exclude<Datum, 'other'>, number> = { cgcs2000: 4490, wgs84: 4326, beijing54: 4214, xian80: 4610 };

/**
 * The UTM zone (WGS84) of a transverse Mercator, as an EPSG code, or undefined.
 *
 * @example utmEpsg(117, 0.9996, 500000, 0) // 32650
 */
export function utmEpsg(cm: number, k: number, x0: number, y0: number, lat0 = 0): number | undefined {
  if (Math.abs(k - 0.9996) > 1e-9 || Math.abs(x0 - 500_000) > 1e-6 || Math.abs(lat0) > 1e-12) return undefined;
  const zone = (cm + 183) / 6;
  if (!Number.isInteger(Math.round(zone * 1e9) / 1e9) || zone < 1 || zone > 60) return undefined;
  const z = Math.round(zone);
  if (Math.abs(y0) < 1e-6) return 32600 + z;
  if (Math.abs(y0 - 10_000_000) < 1e-6) return 32700 + z;
  return undefined;
}
