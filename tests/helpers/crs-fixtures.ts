/**
 * Reading the coordinate-system fixtures (tests/fixtures/crs, made by GDAL) and comparing a
 * placement with GDAL's: shared by the parser and the parse-route tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MultiPolygon, Polygon } from 'geojson';
import { expect } from 'vitest';

export const CRS_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/crs');

export type Geom = Polygon | MultiPolygon;
export const rings = (g: Geom) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Twice the signed area of a ring (positive: counter-clockwise). */
const signed = (ring: number[][]) =>
  ring.reduce((s, p, i) => {
    const q = ring[(i + 1) % ring.length]!;
    return s + p[0]! * q[1]! - q[0]! * p[1]!;
  }, 0);

/**
 * GDAL's placement of a fixture (expected/<name>.geojson): its one feature's geometry, in RFC 7946
 * orientation like ours (a Shapefile's outer rings are clockwise and GDAL keeps them so). A missing
 * file fails.
 */
export function expected(name: string): Geom {
  const g = (JSON.parse(readFileSync(join(CRS_FIXTURES, `expected/${name}.geojson`), 'utf8')) as { features: { geometry: Geom }[] }).features[0]!.geometry;
  const orient = (poly: number[][][]) => poly.map((ring, i) => ((i === 0) !== signed(ring) > 0 ? [...ring].reverse() : ring));
  return g.type === 'Polygon' ? { type: 'Polygon', coordinates: orient(g.coordinates) } : { type: 'MultiPolygon', coordinates: g.coordinates.map(orient) };
}

/** The distance in metres between two nearby lon/lat positions (GRS80 radii of curvature at their mean latitude). */
export function metresBetween(p: number[], q: number[]): number {
  const lat = ((p[1]! + q[1]!) / 2) * (Math.PI / 180);
  const a0 = 6378137;
  const e2 = 0.0066943800229;
  const w = Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  const dy = (p[1]! - q[1]!) * (Math.PI / 180) * ((a0 * (1 - e2)) / w ** 3);
  const dx = (p[0]! - q[0]!) * (Math.PI / 180) * (a0 / w) * Math.cos(lat);
  return Math.hypot(dx, dy);
}

/** The largest distance in metres between corresponding vertices (same ring structure required). */
export function maxMetres(a: Geom, b: Geom): number {
  const pa = rings(a);
  const pb = rings(b);
  expect(pa.map((p) => p.map((r) => r.length))).toEqual(pb.map((p) => p.map((r) => r.length)));
  let worst = 0;
  pa.forEach((poly, i) => poly.forEach((ring, j) => ring.forEach((p, k) => (worst = Math.max(worst, metresBetween(p, pb[i]![j]![k]!))))));
  return worst;
}

/** Every ring of the geometries in order: each polygon's outer ring then its holes, polygon after polygon. */
export const ringsIn = (geoms: Geom[]): number[][][] => geoms.flatMap((g) => rings(g).flat());

/**
 * The largest distance in metres between the vertices of two closed rings taken as the same ring:
 * either way round and from any vertex (readers may reorient a ring), so the best such match;
 * Infinity if their vertex counts differ.
 */
export function ringMetres(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Infinity;
  const open = b.slice(0, -1);
  let best = Infinity;
  for (const cand of [open, [...open].reverse()]) {
    for (let shift = 0; shift < cand.length; shift++) {
      let worst = 0;
      for (let k = 0; k < a.length - 1 && worst < best; k++) worst = Math.max(worst, metresBetween(a[k]!, cand[(k + shift) % cand.length]!));
      best = Math.min(best, worst);
    }
  }
  return best;
}
