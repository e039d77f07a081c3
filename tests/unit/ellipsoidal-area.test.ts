import { describe, expect, it } from 'vitest';
import geographiclib from 'geographiclib-geodesic';
import { CGCS2000_A, CGCS2000_F, ellipsoidalArea, ringArea } from '../../core/ellipsoidal-area.ts';

/**
 * Independent reference: the area of an ellipsoidal quadrangle bounded by two
 * meridians and two parallels, from the authalic-latitude closed form. For
 * quadrangles ~100 m across, geodesic edges differ from parallels by far less
 * than 1e-6 of the area.
 */
function quadrangleArea(lat1: number, lat2: number, dLon: number): number {
  const a = CGCS2000_A;
  const f = CGCS2000_F;
  const b = a * (1 - f);
  const e = Math.sqrt(f * (2 - f));
  const q = (phi: number) => {
    const s = Math.sin(phi);
    return s / (1 - e * e * s * s) + (1 / (2 * e)) * Math.log((1 + e * s) / (1 - e * s));
  };
  const rad = Math.PI / 180;
  return ((b * b * dLon * rad) / 2) * (q(lat2 * rad) - q(lat1 * rad));
}

const square = (lon: number, lat: number, d: number) => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];

describe('ellipsoidal area on CGCS2000', () => {
  it.each([
    [114.3, 34.8],
    [114.0, 34.2],
    [115.2, 35.0],
  ])('a 0.001° cell at (%f, %f) matches the closed-form quadrangle area within 1e-6', (lon, lat) => {
    const expected = quadrangleArea(lat, lat + 0.001, 0.001);
    const got = ringArea(square(lon, lat, 0.001));
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-6);
  });

  it.each([
    [0.5, 1e-5], // ≈ 1 m across: ~1.2 m²
    [0.5, 0.1], // ≈ 11 km across: ~120 km²
    [34.8, 1e-5],
    [34.8, 0.01],
    [34.8, 0.09], // ≈ 8 × 10 km: ~82 km²
    [60, 1e-5],
    [60, 0.05],
  ])('at latitude %f a cell of %f° matches the closed form within 1e-6 (1 m² to 100 km²)', (lat, d) => {
    const expected = quadrangleArea(lat, lat + d, d);
    const got = ringArea(square(114, lat, d));
    // geodesic edges bulge from parallels by ~L²·tanφ/8R: negligible below 1e-6 at these sizes
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-6);
  });

  it('is independent of ring orientation and of the closing vertex', () => {
    const ring = square(114.3, 34.8, 0.002);
    const open = ring.slice(0, -1);
    const reversed = [...ring].reverse();
    expect(ringArea(open)).toBeCloseTo(ringArea(ring), 6);
    expect(ringArea(reversed)).toBeCloseTo(ringArea(ring), 6);
  });

  it('subtracts holes and adds multipolygon parts', () => {
    const outer = square(114.3, 34.8, 0.004);
    const hole = square(114.301, 34.801, 0.001);
    const part2 = square(114.31, 34.81, 0.001);
    const poly = ellipsoidalArea({ type: 'Polygon', coordinates: [outer, hole] });
    expect(poly).toBeCloseTo(ringArea(outer) - ringArea(hole), 6);
    const multi = ellipsoidalArea({ type: 'MultiPolygon', coordinates: [[outer, hole], [part2]] });
    expect(multi).toBeCloseTo(poly + ringArea(part2), 6);
  });

  it('a degenerate ring has no area', () => {
    expect(ringArea([[114, 34], [114.1, 34], [114, 34]])).toBe(0);
  });

  /** GeographicLib over the ring with every edge cut into `pieces` along its lon/lat line. */
  const geodesicArea = (ring: number[][], pieces: number) => {
    const p = new geographiclib.Geodesic.Geodesic(CGCS2000_A, CGCS2000_F).Polygon(false);
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i] as [number, number];
      const [x1, y1] = ring[i + 1] as [number, number];
      for (let k = 0; k < pieces; k++) p.AddPoint(y0 + ((y1 - y0) * k) / pieces, x0 + ((x1 - x0) * k) / pieces);
    }
    return Math.abs(p.Compute(false, true).area ?? 0);
  };

  it('takes an edge as the straight line in lon/lat: sloped edges match GeographicLib on the densified ring within 1e-9', () => {
    const rings = [
      [[114.3, 34.8], [114.31, 34.8], [114.313, 34.811], [114.298, 34.809], [114.3, 34.8]],
      [[114.2, 34.6], [114.8, 34.62], [114.79, 34.7], [114.25, 34.65], [114.2, 34.6]], // 55 km edges
    ];
    for (const ring of rings) {
      const want = geodesicArea(ring, 2048);
      expect(Math.abs(ringArea(ring) - want) / want).toBeLessThan(1e-9);
    }
  });

  it('differs from the geodesic polygon of a parcel by less than 1e-6 (the bow of 100 m edges)', () => {
    const parcel = [[114.3, 34.8], [114.301, 34.8], [114.3013, 34.8011], [114.2998, 34.8009], [114.3, 34.8]];
    expect(Math.abs(ringArea(parcel) - geodesicArea(parcel, 1)) / ringArea(parcel)).toBeLessThan(1e-6);
  });

  it('adds up: a long strip cut by oblique lines into pieces has the area of the whole within 1e-12', () => {
    // 55 km east–west, 33 m wide: along its edges a geodesic bows 41 m north of the parallel, so
    // geodesic-edged pieces of it do not add up (GeographicLib on the undensified rings is off by
    // ~12 m² for one cut); the overlay engine cuts along the lon/lat lines
    const [w, e, s, n] = [114.2, 114.8, 34.6, 34.6003];
    const cuts = [114.31, 114.5, 114.64];
    const slant = 0.0015;
    const xs = [w, ...cuts, e];
    const pieces = xs.slice(0, -1).map((x, i) => {
      const x1 = xs[i + 1]!;
      const top0 = i === 0 ? x : x + slant;
      const top1 = i === xs.length - 2 ? x1 : x1 + slant;
      return [[x, s], [x1, s], [top1, n], [top0, n], [x, s]];
    });
    const whole = ringArea([[w, s], [e, s], [e, n], [w, n], [w, s]]);
    const sum = pieces.reduce((t, r) => t + ringArea(r), 0);
    expect(Math.abs(sum - whole) / whole).toBeLessThan(1e-12);
    expect(whole).toBeCloseTo(quadrangleArea(s, n, e - w), 3);
    const geoSum = pieces.reduce((t, r) => t + geodesicArea(r, 1), 0);
    expect(Math.abs(geoSum - geodesicArea([[w, s], [e, s], [e, n], [w, n], [w, s]], 1))).toBeGreaterThan(1);
  });
});
