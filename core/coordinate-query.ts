/**
 * Coordinates typed into the map's search box (docs/domain.md, Coordinates): longitude/latitude
 * in decimal degrees or in degrees, minutes and seconds (114°21′30″E 34°47′N, 东经114度21分30秒), or
 * CGCS2000 Gauss–Krüger X/Y (X the northing, Y the easting — told apart by their size, so either
 * order is read), the easting with its zone prefix (38 512 345.6: 3° zones 25–45, 6° zones 13–23)
 * or without it. An easting without prefix names no zone: it is read in every 3° zone and kept only
 * where it lands in the data's extent (Kaifeng lies in zone 38 alone), so no zone is assumed; when
 * none or several do, the query is refused naming why.
 *
 * Pure and isomorphic: the server's search reads a query with it; the client could as well.
 *
 * @example parseCoordinateQuery('38512345.6, 3845678.9') // { kind: 'gk', zone: 38, zoneWidth: 3, prefixed: true, lon: ≈114.13, lat: ≈34.74, … }
 * @example parseCoordinateQuery('上海') // null (not coordinates)
 */
import { dataExtent } from './geometry-validation.ts';
import { gaussKrugerToLonLat, type ZoneWidth } from './gauss-kruger.ts';

export type CoordinateReading =
  | { kind: 'lonlat'; lon: number; lat: number; format: 'decimal' | 'dms' }
  | { kind: 'gk'; lon: number; lat: number; northing: number; easting: number; zone: number; zoneWidth: ZoneWidth; prefixed: boolean };

/** Why a query that reads as coordinates cannot be placed: a code and both languages' words. */
export interface CoordinateProblem {
  problem: 'LONLAT_RANGE' | 'GK_ZONE' | 'GK_NO_ZONE' | 'GK_SEVERAL_ZONES' | 'NOT_A_PAIR' | 'DMS_INVALID';
  zh: string;
  en: string;
}

const inExtent = (lon: number, lat: number) => {
  const e = dataExtent();
  return lon >= e.minLon && lon <= e.maxLon && lat >= e.minLat && lat <= e.maxLat;
};

/** Full-width digits and punctuation as ASCII, primes and 度分秒 as ° ' ". */
function normalise(q: string): string {
  return q
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/[、；;]/g, ',')
    .replace(/[′’‘`´]/g, "'")
    .replace(/[″“”]/g, '"')
    .replace(/''/g, '"')
    .replace(/度/g, '°')
    .replace(/分/g, "'")
    .replace(/秒/g, '"')
    .replace(/东经|東經/g, 'E')
    .replace(/西经/g, 'W')
    .replace(/北纬|北緯/g, 'N')
    .replace(/南纬/g, 'S')
    .trim();
}

const NUMBER = /[-+]?\d+(?:\.\d+)?/g;

/** One angle in degrees, minutes and seconds with an optional hemisphere letter. */
interface Angle {
  value: number;
  hemisphere: 'N' | 'S' | 'E' | 'W' | null;
}

function parseDms(text: string): Angle[] | CoordinateProblem {
  const re = /([NSEW]?)\s*([-+]?\d+(?:\.\d+)?)\s*°\s*(?:(\d+(?:\.\d+)?)\s*'\s*)?(?:(\d+(?:\.\d+)?)\s*"\s*)?([NSEW]?)/gi;
  const angles: Angle[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const [, pre, d, mi, s, post] = m;
    const deg = Number(d);
    const min = mi === undefined ? 0 : Number(mi);
    const sec = s === undefined ? 0 : Number(s);
    if (min >= 60 || sec >= 60) {
      return { problem: 'DMS_INVALID', zh: '度分秒中的分、秒须小于 60', en: 'Minutes and seconds must be less than 60' };
    }
    const hemi = ((pre || post || '').toUpperCase() || null) as Angle['hemisphere'];
    const sign = deg < 0 || hemi === 'S' || hemi === 'W' ? -1 : 1;
    angles.push({ value: sign * (Math.abs(deg) + min / 60 + sec / 3600), hemisphere: hemi });
  }
  const rest = text.replace(re, '').replace(/[\s,]/g, '');
  if (angles.length !== 2 || rest !== '') {
    return { problem: 'DMS_INVALID', zh: '度分秒坐标须为两个角度（经度和纬度），如 114°21′30″E 34°47′12″N', en: 'Degrees, minutes and seconds need two angles (longitude and latitude), e.g. 114°21′30″E 34°47′12″N' };
  }
  return angles;
}

/** Longitude and latitude from two values in either order: hemisphere letters decide, else their size (China: lon 73–136, lat 3–54). */
function orderLonLat(a: Angle, b: Angle, format: 'decimal' | 'dms'): CoordinateReading | CoordinateProblem {
  const isLat = (x: Angle) => x.hemisphere === 'N' || x.hemisphere === 'S';
  const isLon = (x: Angle) => x.hemisphere === 'E' || x.hemisphere === 'W';
  let lon: number;
  let lat: number;
  if (isLat(a) || isLon(b)) [lat, lon] = [a.value, b.value];
  else if (isLon(a) || isLat(b)) [lon, lat] = [a.value, b.value];
  else if (Math.abs(a.value) > 90 && Math.abs(b.value) <= 90) [lon, lat] = [a.value, b.value];
  else if (Math.abs(b.value) > 90 && Math.abs(a.value) <= 90) [lat, lon] = [a.value, b.value];
  // both could be either: the pair that lands in the data extent, else longitude first (GIS habit)
  else if (inExtent(b.value, a.value) && !inExtent(a.value, b.value)) [lat, lon] = [a.value, b.value];
  else [lon, lat] = [a.value, b.value];
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    return { problem: 'LONLAT_RANGE', zh: '经度须在 −180…180 之间，纬度须在 −90…90 之间', en: 'Longitude must be between −180 and 180 and latitude between −90 and 90' };
  }
  return { kind: 'lonlat', lon, lat, format };
}

function readGaussKruger(n1: number, n2: number): CoordinateReading | CoordinateProblem {
  // the northing lies between 1 and 10 million metres; an easting below 1 million (no prefix) or above 10 million (prefix)
  const isNorthing = (v: number) => v >= 1e6 && v < 1e7;
  let northing: number;
  let easting: number;
  if (isNorthing(n1) && !isNorthing(n2)) [northing, easting] = [n1, n2];
  else if (isNorthing(n2) && !isNorthing(n1)) [northing, easting] = [n2, n1];
  else {
    return {
      problem: 'NOT_A_PAIR',
      zh: '无法识别的坐标：高斯–克吕格坐标的 X（北坐标）应在 1 000 000–10 000 000 米之间，Y（东坐标）不带带号时小于 1 000 000，带带号时大于 10 000 000',
      en: 'These numbers are not coordinates: a Gauss–Krüger X (northing) lies between 1,000,000 and 10,000,000 m, a Y (easting) below 1,000,000 without the zone prefix or above 10,000,000 with it',
    };
  }
  if (easting >= 1e7) {
    const zone = Math.floor(easting / 1e6);
    const zoneWidth: ZoneWidth | null = zone >= 25 && zone <= 45 ? 3 : zone >= 13 && zone <= 23 ? 6 : null;
    if (!zoneWidth) {
      return {
        problem: 'GK_ZONE',
        zh: `Y 坐标的带号 ${zone} 不是我国的投影带（3° 带 25–45，6° 带 13–23）`,
        en: `Zone ${zone} in front of Y is no zone of China (3° zones 25–45, 6° zones 13–23)`,
      };
    }
    const { lon, lat } = gaussKrugerToLonLat(northing, easting, { zone, zoneWidth, zonePrefix: true });
    return { kind: 'gk', lon, lat, northing, easting, zone, zoneWidth, prefixed: true };
  }
  const fits: CoordinateReading[] = [];
  for (let zone = 25; zone <= 45; zone++) {
    const { lon, lat } = gaussKrugerToLonLat(northing, easting, { zone, zoneWidth: 3, zonePrefix: false });
    if (inExtent(lon, lat)) fits.push({ kind: 'gk', lon, lat, northing, easting, zone, zoneWidth: 3, prefixed: false });
  }
  if (fits.length === 1) return fits[0]!;
  if (fits.length === 0) {
    return {
      problem: 'GK_NO_ZONE',
      zh: '这组不带带号的高斯–克吕格坐标在任何 3° 带中都不落在数据范围内，请在 Y 坐标前写上带号（如 38512345.6）',
      en: 'Without a zone prefix these Gauss–Krüger coordinates fall outside the data in every 3° zone: write the zone in front of Y (e.g. 38512345.6)',
    };
  }
  const zones = fits.map((f) => (f as { zone: number }).zone).join('、');
  return {
    problem: 'GK_SEVERAL_ZONES',
    zh: `这组不带带号的坐标在第 ${zones} 带都落在数据范围内，请在 Y 坐标前写上带号`,
    en: `Without a zone prefix these coordinates fall inside the data in zones ${zones.replace(/、/g, ', ')}: write the zone in front of Y`,
  };
}

/**
 * Reads a query as coordinates: a reading, a problem when it looks like coordinates but cannot be
 * placed, or null when it is not coordinates at all (a name or a code).
 */
export function parseCoordinateQuery(query: string): CoordinateReading | CoordinateProblem | null {
  const q = normalise(query);
  if (/°/.test(q)) {
    const angles = parseDms(q);
    if (!Array.isArray(angles)) return angles;
    return orderLonLat(angles[0]!, angles[1]!, 'dms');
  }
  // labels X= / Y= / lon / lat are allowed around the numbers; letters otherwise make it no coordinate query
  const stripped = q.replace(/\b(?:x|y|lon|lng|lat)\s*[=:：]?/gi, ' ').replace(/[NSEW]\b/gi, (h) => ` ${h.toUpperCase()} `);
  if (/[^\d\s.,+\-NSEW]/i.test(stripped) || !/\d/.test(stripped)) return null;
  const numbers = stripped.match(NUMBER)?.map(Number) ?? [];
  const hemis = stripped.match(/[NSEW]/g) ?? [];
  // one number only (a code of digits, a year) is not coordinates
  if (numbers.length !== 2) {
    if (numbers.length > 2 && numbers.length <= 6) {
      return { problem: 'NOT_A_PAIR', zh: '坐标须为两个数：经度和纬度，或 X 和 Y', en: 'Coordinates are two numbers: longitude and latitude, or X and Y' };
    }
    return null;
  }
  const [a, b] = numbers as [number, number];
  if (Math.abs(a) <= 180 && Math.abs(b) <= 180) {
    const hemi = (i: number) => (hemis.length === 2 ? (hemis[i] as Angle['hemisphere']) : null);
    const sa = hemi(0) === 'S' || hemi(0) === 'W' ? -1 : 1;
    const sb = hemi(1) === 'S' || hemi(1) === 'W' ? -1 : 1;
    return orderLonLat({ value: sa * a, hemisphere: hemi(0) }, { value: sb * b, hemisphere: hemi(1) }, 'decimal');
  }
  if (Math.max(Math.abs(a), Math.abs(b)) < 1000) {
    return { problem: 'LONLAT_RANGE', zh: '经度须在 −180…180 之间，纬度须在 −90…90 之间', en: 'Longitude must be between −180 and 180 and latitude between −90 and 90' };
  }
  if (a < 0 || b < 0) return { problem: 'NOT_A_PAIR', zh: '高斯–克吕格坐标不能为负数', en: 'Gauss–Krüger coordinates cannot be negative' };
  return readGaussKruger(a, b);
}

export const isCoordinateProblem = (r: CoordinateReading | CoordinateProblem): r is CoordinateProblem => 'problem' in r;
