/**
 * Distances from many points to one place (a point or a polygon) in a local plane: lon/lat
 * are scaled by the CGCS2000 (GRS80) meridian and prime-vertical radii at the place's
 * latitude. Within 100 km of the place the error is a few tenths of a percent — enough to
 * rank stock parcels by how far they are, at a few nanoseconds a point.
 *
 * Polygons of more than MAX_EXACT_VERTICES vertices are measured to their convex hull.
 *
 * @example
 *   const d = distanceTo({ type: 'Point', coordinates: [114.35, 34.79] });
 *   d(114.36, 34.79) // ≈ 914 (metres)
 */
const A = 6_378_137;
const F = 1 / 298.257222101;
const E2 = F * (2 - F);
const RAD = Math.PI / 180;
export const MAX_EXACT_VERTICES = 500;

type Place = { type: 'Point'; coordinates: number[] } | { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** Monotone chain convex hull of planar points. */
function hull(points: [number, number][]): [number, number][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: number[], a: number[], b: number[]) => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (const q of p.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  const ring = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  return [...ring, ring[0]!];
}

/** A function giving the distance in metres from (lon, lat) to the place (0 inside a polygon). */
export function distanceTo(place: Place): (lon: number, lat: number) => number {
  const rings: number[][][] =
    place.type === 'Point' ? [] : place.type === 'Polygon' ? place.coordinates : place.coordinates.flat();
  const all = place.type === 'Point' ? [place.coordinates] : rings.flat();
  const lat0 = all.reduce((s, c) => s + c[1]!, 0) / all.length;
  const lon0 = all.reduce((s, c) => s + c[0]!, 0) / all.length;
  const sin = Math.sin(lat0 * RAD);
  const w = Math.sqrt(1 - E2 * sin * sin);
  const kx = ((A / w) * Math.cos(lat0 * RAD)) * RAD; // metres per degree of longitude
  const ky = ((A * (1 - E2)) / (w * w * w)) * RAD; // metres per degree of latitude
  const xy = (c: number[]): [number, number] => [(c[0]! - lon0) * kx, (c[1]! - lat0) * ky];

  if (place.type === 'Point') {
    const [px, py] = xy(place.coordinates);
    return (lon, lat) => {
      const dx = (lon - lon0) * kx - px;
      const dy = (lat - lat0) * ky - py;
      return Math.sqrt(dx * dx + dy * dy);
    };
  }
  const vertices = rings.reduce((s, r) => s + r.length, 0);
  const planar: [number, number][][] = vertices > MAX_EXACT_VERTICES ? [hull(rings.flat().map(xy))] : rings.map((r) => r.map(xy));
  return (lon, lat) => {
    const x = (lon - lon0) * kx;
    const y = (lat - lat0) * ky;
    let inside = false;
    let best = Infinity;
    for (const ring of planar) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]!;
        const [xj, yj] = ring[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        const dx = xj - xi;
        const dy = yj - yi;
        const len = dx * dx + dy * dy;
        const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - xi) * dx + (y - yi) * dy) / len));
        const ex = x - (xi + t * dx);
        const ey = y - (yi + t * dy);
        const d2 = ex * ex + ey * ey;
        if (d2 < best) best = d2;
      }
    }
    // even-odd over every ring: inside an outer ring and not in a hole (or in another part)
    return inside ? 0 : Math.sqrt(best);
  };
}
