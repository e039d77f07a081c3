/**
 * Ellipsoidal area of lon/lat polygons on the CGCS2000 ellipsoid, the figure
 * official land areas are stated in (Third National Land Survey rules).
 *
 * CGCS2000 uses the GRS80 axes: a = 6 378 137 m, f = 1 / 298.257222101.
 * Computed with GeographicLib's geodesic polygon area (Karney 2013), accurate
 * to a few mm² for parcel-sized polygons.
 *
 * @example ellipsoidalArea({ type: 'Polygon', coordinates: [[[114,34],[114.001,34],[114.001,34.001],[114,34.001],[114,34]]] })
 *   // ≈ 10 247.5 m²
 */
import geographiclib from 'geographiclib-geodesic';

const { Geodesic } = geographiclib; // a UMD bundle: no named ESM exports

export const CGCS2000_A = 6_378_137;
export const CGCS2000_F = 1 / 298.257222101;

const cgcs2000 = new Geodesic.Geodesic(CGCS2000_A, CGCS2000_F);

export type Position = number[];
export type PolygonCoords = Position[][];
export type AreaGeometry =
  | { type: 'Polygon'; coordinates: PolygonCoords }
  | { type: 'MultiPolygon'; coordinates: PolygonCoords[] };

/** Unsigned area in m² of one closed ring (the closing vertex may be repeated or not). */
export function ringArea(ring: Position[]): number {
  const poly = cgcs2000.Polygon(false);
  const n = ring.length;
  const closed = n > 1 && ring[0]![0] === ring[n - 1]![0] && ring[0]![1] === ring[n - 1]![1];
  const count = closed ? n - 1 : n;
  if (count < 3) return 0;
  for (let i = 0; i < count; i++) poly.AddPoint(ring[i]![1]!, ring[i]![0]!);
  return Math.abs(poly.Compute(false, true).area ?? 0);
}

/** Area in m² of a polygon: outer ring minus its holes. */
export function polygonArea(rings: PolygonCoords): number {
  let total = 0;
  rings.forEach((ring, i) => {
    total += i === 0 ? ringArea(ring) : -ringArea(ring);
  });
  return total;
}

/** Area in m² of a Polygon or MultiPolygon (parts assumed not to overlap, as in valid geometry). */
export function ellipsoidalArea(geometry: AreaGeometry): number {
  if (geometry.type === 'Polygon') return polygonArea(geometry.coordinates);
  return geometry.coordinates.reduce((sum, p) => sum + polygonArea(p), 0);
}
