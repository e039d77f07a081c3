/**
 * Reading coordinates typed into the map's search (core/coordinate-query.ts) and the measuring
 * figures (core/measure.ts). Expected positions come from PROJ's cs2cs, expected lengths from
 * GeographicLib's own geodesic, not from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import geodesic from 'geographiclib-geodesic';
import { isCoordinateProblem, parseCoordinateQuery } from '../../core/coordinate-query.ts';
import { lineLength, ringAreaM2 } from '../../core/measure.ts';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';

const cs2cs = (epsg: number, x: number, y: number) => {
  const [lat, lon] = execFileSync('cs2cs', ['-f', '%.10f', `EPSG:${epsg}`, 'EPSG:4490'], { input: `${x} ${y}\n` }).toString().trim().split(/\s+/).map(Number) as [number, number];
  return { lon, lat };
};

describe('coordinates typed into the search', () => {
  it.each([
    ['114.358333, 34.786667'],
    ['34.786667,114.358333'],
    ['１１４．３５８３３３，３４．７８６６６７'],
    ['114°21′30″E, 34°47′12″N'],
    ["N34°47'12\" E114°21'30\""],
    ['东经114度21分30秒，北纬34度47分12秒'],
  ])('reads %s as lon 114.358333, lat 34.786667', (q) => {
    const r = parseCoordinateQuery(q);
    expect(r && !isCoordinateProblem(r) && r.kind).toBe('lonlat');
    if (!r || isCoordinateProblem(r)) return;
    expect(r.lon).toBeCloseTo(114.358333, 5);
    expect(r.lat).toBeCloseTo(34.786667, 5);
  });

  it.each([
    ['3859012.3 38467890.1', 4526, 3859012.3, 38467890.1, true],
    ['Y=467890.1 X=3859012.3', 4547, 3859012.3, 467890.1, false],
    ['3859012.3 20467890.1', 4498, 3859012.3, 20467890.1, true],
  ])('reads GK %s where cs2cs (EPSG:%i) puts it', (q, epsg, x, y, prefixed) => {
    const r = parseCoordinateQuery(q);
    if (!r || isCoordinateProblem(r) || r.kind !== 'gk') throw new Error(`not read: ${JSON.stringify(r)}`);
    const e = cs2cs(epsg, x, y);
    expect(Math.abs(r.lon - e.lon)).toBeLessThan(1e-9);
    expect(Math.abs(r.lat - e.lat)).toBeLessThan(1e-9);
    expect(r.prefixed).toBe(prefixed);
  });

  it('does not take names or codes for coordinates', () => {
    for (const q of ['祥符区', 'CL410212-2024-00012', 'WP2025410202-00003', '410212']) expect(parseCoordinateQuery(q), q).toBeNull();
  });

  it('names why coordinates cannot be placed', () => {
    const problem = (q: string) => {
      const r = parseCoordinateQuery(q);
      return r && isCoordinateProblem(r) ? r.problem : null;
    };
    expect(problem('99512345.6 3845678.9')).toBe('GK_ZONE');
    expect(problem('512345.6 6845678.9')).toBe('GK_NO_ZONE');
    expect(problem('200 95')).toBe('LONLAT_RANGE');
    expect(problem("114°75' 34°47'")).toBe('DMS_INVALID');
  });
});

describe('measuring', () => {
  const g = new geodesic.Geodesic.Geodesic(6_378_137, 1 / 298.257222101);
  it('sums geodesic legs on GRS80', () => {
    const pts = [[114.3, 34.8], [114.35, 34.82], [114.36, 34.79]];
    const expected = g.Inverse(34.8, 114.3, 34.82, 114.35).s12! + g.Inverse(34.82, 114.35, 34.79, 114.36).s12!;
    expect(Math.abs(lineLength(pts) - expected)).toBeLessThan(1e-6);
  });
  it('takes the area of the closed ring as the product states areas', () => {
    const ring = [[114.3, 34.8], [114.31, 34.8], [114.31, 34.81], [114.3, 34.81]];
    expect(ringAreaM2(ring)).toBe(ellipsoidalArea({ type: 'Polygon', coordinates: [[...ring, ring[0]!]] }));
    expect(ringAreaM2(ring.slice(0, 2))).toBe(0);
  });
});
