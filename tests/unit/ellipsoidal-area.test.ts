import { describe, expect, it } from 'vitest';
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
});
