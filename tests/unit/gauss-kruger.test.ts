import { describe, expect, it } from 'vitest';
import {
  centralMeridian,
  gaussKrugerEpsg,
  gaussKrugerToLonLat,
  lonLatToGaussKruger,
  zoneOf,
} from '../../core/gauss-kruger.ts';

/** Meridian arc length on GRS80 from the equator (Helmert's series), an independent reference. */
function meridianArc(latDeg: number): number {
  const a = 6378137;
  const f = 1 / 298.257222101;
  const n = f / (2 - f);
  const phi = (latDeg * Math.PI) / 180;
  const A = (a / (1 + n)) * (1 + n ** 2 / 4 + n ** 4 / 64);
  return (
    A *
    (phi -
      ((3 * n) / 2 - (9 * n ** 3) / 16) * Math.sin(2 * phi) +
      ((15 * n ** 2) / 16 - (15 * n ** 4) / 32) * Math.sin(4 * phi) -
      ((35 * n ** 3) / 48) * Math.sin(6 * phi) +
      ((315 * n ** 4) / 512) * Math.sin(8 * phi))
  );
}

describe('CGCS2000 Gauss–Krüger', () => {
  it('puts Kaifeng in 3° zone 38 (central meridian 114° E) and 6° zone 20', () => {
    expect(zoneOf(114.35, 3)).toBe(38);
    expect(centralMeridian(38, 3)).toBe(114);
    expect(zoneOf(114.35, 6)).toBe(20);
    expect(centralMeridian(20, 6)).toBe(117);
  });

  it('names the EPSG codes of the zones', () => {
    expect(gaussKrugerEpsg({ zone: 38 })).toBe(4526);
    expect(gaussKrugerEpsg({ zone: 38, zonePrefix: false })).toBe(4547);
    expect(gaussKrugerEpsg({ zone: 20, zoneWidth: 6 })).toBe(4498);
  });

  it('on the central meridian gives the false easting and the meridian arc as northing (to 1 mm)', () => {
    const p = lonLatToGaussKruger(114, 34.8, { zone: 38 });
    expect(p.easting).toBeCloseTo(38_500_000, 3);
    expect(p.northing).toBeCloseTo(meridianArc(34.8), 3);
    const noPrefix = lonLatToGaussKruger(114, 34.8, { zone: 38, zonePrefix: false });
    expect(noPrefix.easting).toBeCloseTo(500_000, 3);
  });

  it('reads the boundary-point file example (X = northing, Y = easting) back to Kaifeng, and round-trips to 1 mm', () => {
    const ll = gaussKrugerToLonLat(3853210.512, 38512034.22, { zone: 38 });
    expect(ll.lon).toBeGreaterThan(114.1);
    expect(ll.lon).toBeLessThan(114.15);
    expect(ll.lat).toBeGreaterThan(34.8);
    expect(ll.lat).toBeLessThan(34.83);
    const back = lonLatToGaussKruger(ll.lon, ll.lat, { zone: 38 });
    expect(back.northing).toBeCloseTo(3853210.512, 3);
    expect(back.easting).toBeCloseTo(38512034.22, 3);
  });

  it('grows eastings east of the central meridian and shrinks them west of it', () => {
    const east = lonLatToGaussKruger(114.5, 34.8, { zone: 38 });
    const west = lonLatToGaussKruger(113.5, 34.8, { zone: 38 });
    expect(east.easting - 38_500_000).toBeCloseTo(38_500_000 - west.easting, 3);
    expect(east.easting - 38_500_000).toBeGreaterThan(45_000);
    expect(east.easting - 38_500_000).toBeLessThan(46_000);
  });
});
