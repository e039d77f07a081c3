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

/** The largest distance in metres between corresponding vertices (same ring structure required; GRS80 radii of curvature). */
export function maxMetres(a: Geom, b: Geom): number {
  const pa = rings(a);
  const pb = rings(b);
  expect(pa.map((p) => p.map((r) => r.length))).toEqual(pb.map((p) => p.map((r) => r.length)));
  let worst = 0;
  pa.forEach((poly, i) =>
    poly.forEach((ring, j) =>
      ring.forEach((p, k) => {
        const q = pb[i]![j]![k]!;
        const lat = ((p[1]! + q[1]!) / 2) * (Math.PI / 180);
        const a0 = 6378137;
        const e2 = 0.0066943800229;
        const w = Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
        const dy = (p[1]! - q[1]!) * (Math.PI / 180) * ((a0 * (1 - e2)) / w ** 3);
        const dx = (p[0]! - q[0]!) * (Math.PI / 180) * (a0 / w) * Math.cos(lat);
        worst = Math.max(worst, Math.hypot(dx, dy));
      }),
    ),
  );
  return worst;
}
