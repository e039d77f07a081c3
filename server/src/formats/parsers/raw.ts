/**
 * What a format reader hands to placement: features with raw coordinates, the
 * coordinate system the file declares, and how the format orders a pair.
 * Plus the small helpers several readers share.
 */
import type { DeclaredCrs } from './crs.ts';
import type { CoordinateKind } from './placement.ts';
import type { AxisOrderOption, DetectedEncoding, ParseWarning, PropertyValue, RawFeature, RawPosition, SiteFormat, SiteProperties } from './types.ts';

export interface RawRead {
  format: SiteFormat;
  features: RawFeature[];
  declared?: DeclaredCrs;
  encoding?: DetectedEncoding;
  naturalOrder: Record<CoordinateKind, AxisOrderOption>;
  orderIsConvention: boolean;
  warnings: ParseWarning[];
  /** The name the file gives itself (a GeoJSON FeatureCollection's or Feature's `name`). */
  name?: string;
}

/** GIS formats (GeoJSON, Shapefile, KML): x first, and that is the rule. */
export const GIS_ORDER: Record<CoordinateKind, AxisOrderOption> = { geographic: 'xy', projected: 'xy' };

/**
 * A property value as JSON can carry it: dates as YYYY-MM-DD, objects as JSON text.
 *
 * @example toPropertyValue(new Date(2024, 0, 5)) // '2024-01-05'
 */
export function toPropertyValue(value: unknown): PropertyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const p = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${p(value.getMonth() + 1)}-${p(value.getDate())}`;
  }
  return JSON.stringify(value);
}

/** Properties of any object, each made a PropertyValue. */
export function toProperties(value: unknown, skip: (key: string) => boolean = () => false): SiteProperties {
  const out: SiteProperties = {};
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) if (!skip(k)) out[k] = toPropertyValue(v);
  return out;
}

/**
 * Whether a ring's first and last positions are the same point.
 *
 * @example isClosed([[0, 0], [1, 0], [1, 1], [0, 0]]) // true
 */
export function isClosed(ring: readonly RawPosition[]): boolean {
  const a = ring[0];
  const b = ring[ring.length - 1];
  return !!a && !!b && ring.length > 1 && a[0] === b[0] && a[1] === b[1];
}

/** A ring closed by repeating its first position when needed. */
export function closeRing(ring: RawPosition[]): RawPosition[] {
  return ring.length > 0 && !isClosed(ring) ? [...ring, [ring[0]![0], ring[0]![1]]] : ring;
}

/**
 * Whether a point lies inside a ring (even–odd rule; works in any planar units and axis order).
 *
 * @example pointInRing([0.5, 0.5], [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]) // true
 */
export function pointInRing([x, y]: RawPosition, ring: readonly RawPosition[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether most of ring `inner`'s points lie inside ring `outer` (so it is a hole of it). */
export function ringInside(inner: readonly RawPosition[], outer: readonly RawPosition[]): boolean {
  const pts = isClosed(inner) ? inner.slice(0, -1) : inner;
  if (pts.length === 0) return false;
  const inside = pts.filter((p) => pointInRing(p, outer)).length;
  return inside * 2 > pts.length;
}

/**
 * Groups rings into polygons: a ring lying inside an earlier outer ring becomes its hole,
 * any other ring starts a new polygon. Rings keep their given order otherwise.
 *
 * @example groupRings([outer, hole, other]) // [[outer, hole], [other]]
 */
export function groupRings(rings: RawPosition[][]): RawPosition[][][] {
  const polygons: RawPosition[][][] = [];
  for (const ring of rings) {
    const host = polygons.find((poly) => ringInside(ring, poly[0]!));
    if (host) host.push(ring);
    else polygons.push([ring]);
  }
  return polygons;
}
