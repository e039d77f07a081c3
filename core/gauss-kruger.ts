/**
 * CGCS2000 Gauss–Krüger projections (transverse Mercator on the GRS80 ellipsoid),
 * as Chinese survey files use them: 3° zones (EPSG:4513–4533 with the zone number
 * prefixed to the easting, EPSG:4534–4554 without) and 6° zones (EPSG:4491–4512).
 * Kaifeng lies in 3° zone 38 (central meridian 114° E).
 *
 * Survey habit: X is the northing and Y the easting. These functions name them
 * `northing` and `easting` to avoid the ambiguity.
 *
 * @example lonLatToGaussKruger(114, 34.8, { zone: 38 }) // { northing: ≈3 852 5xx, easting: 38 500 000 }
 */
import proj4 from 'proj4';

export type ZoneWidth = 3 | 6;

/** The ellipsoid of each datum the product knows, as proj4 parameters. */
export const DATUM_ELLIPSOID: Record<'cgcs2000' | 'wgs84' | 'beijing54' | 'xian80', string> = {
  cgcs2000: '+ellps=GRS80',
  wgs84: '+ellps=WGS84',
  beijing54: '+ellps=krass', // Krassowsky 1940
  xian80: '+a=6378140 +rf=298.257', // IAG 1975
};

export interface GaussKrugerOptions {
  zone: number;
  zoneWidth?: ZoneWidth;
  /** Whether the easting carries the zone number in front (38 500 000 rather than 500 000). Default true. */
  zonePrefix?: boolean;
}

/** The central meridian of a zone: 3n for 3° zones, 6n − 3 for 6° zones. */
export function centralMeridian(zone: number, zoneWidth: ZoneWidth = 3): number {
  return zoneWidth === 3 ? 3 * zone : 6 * zone - 3;
}

/** The zone a longitude falls in. */
export function zoneOf(lon: number, zoneWidth: ZoneWidth = 3): number {
  return zoneWidth === 3 ? Math.round(lon / 3) : Math.floor(lon / 6) + 1;
}

/** The proj4 definition of a CGCS2000 Gauss–Krüger zone. */
export function gaussKrugerProj(opts: GaussKrugerOptions): string {
  const width = opts.zoneWidth ?? 3;
  const falseEasting = (opts.zonePrefix ?? true) ? opts.zone * 1_000_000 + 500_000 : 500_000;
  return `+proj=tmerc +lat_0=0 +lon_0=${centralMeridian(opts.zone, width)} +k=1 +x_0=${falseEasting} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
}

const CGCS2000 = '+proj=longlat +ellps=GRS80 +no_defs';

export function lonLatToGaussKruger(lon: number, lat: number, opts: GaussKrugerOptions): { northing: number; easting: number } {
  const [easting, northing] = proj4(CGCS2000, gaussKrugerProj(opts), [lon, lat]) as [number, number];
  return { northing, easting };
}

export function gaussKrugerToLonLat(northing: number, easting: number, opts: GaussKrugerOptions): { lon: number; lat: number } {
  const [lon, lat] = proj4(gaussKrugerProj(opts), CGCS2000, [easting, northing]) as [number, number];
  return { lon, lat };
}

/** EPSG code of a CGCS2000 Gauss–Krüger zone, or undefined outside the defined range. */
export function gaussKrugerEpsg(opts: GaussKrugerOptions): number | undefined {
  const width = opts.zoneWidth ?? 3;
  const prefix = opts.zonePrefix ?? true;
  if (width === 3 && opts.zone >= 25 && opts.zone <= 45) return (prefix ? 4513 : 4534) + opts.zone - 25;
  if (width === 6 && opts.zone >= 13 && opts.zone <= 23) return (prefix ? 4491 : 4502) + opts.zone - 13;
  return undefined;
}
