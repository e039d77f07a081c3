/**
 * Measuring on the map (量算): lengths along the CGCS2000 ellipsoid (GRS80 axes) as geodesics
 * between the clicked vertices (GeographicLib), areas as the product states every official area —
 * the exact ellipsoidal area of the polygon whose edges are straight in lon/lat
 * (core/ellipsoidal-area.ts; docs/domain.md, Units and areas). For the short edges one clicks
 * on a map the two edge readings differ by far less than the figures' last digit.
 *
 * @example lineLength([[114, 34.8], [114.01, 34.8]]) // ≈ 914.9 m
 */
import geodesic from 'geographiclib-geodesic';
import { CGCS2000_A, CGCS2000_F, ellipsoidalArea } from './ellipsoidal-area.ts';

const GRS80 = new geodesic.Geodesic.Geodesic(CGCS2000_A, CGCS2000_F);

/** Geodesic distance in metres between two lon/lat points on GRS80. */
export function geodesicDistance(a: readonly number[], b: readonly number[]): number {
  return GRS80.Inverse(a[1]!, a[0]!, b[1]!, b[0]!, geodesic.Geodesic.DISTANCE).s12 ?? 0;
}

/** Length in metres of a line through lon/lat vertices, each leg a geodesic. */
export function lineLength(coords: readonly (readonly number[])[]): number {
  let s = 0;
  for (let i = 1; i < coords.length; i++) s += geodesicDistance(coords[i - 1]!, coords[i]!);
  return s;
}

/** Area in m² of the ring through lon/lat vertices (closed for you), ellipsoidal, edges straight in lon/lat. */
export function ringAreaM2(coords: readonly (readonly number[])[]): number {
  if (coords.length < 3) return 0;
  const ring = [...coords.map((c) => [c[0]!, c[1]!]), [coords[0]![0]!, coords[0]![1]!]];
  return ellipsoidalArea({ type: 'Polygon', coordinates: [ring] });
}
