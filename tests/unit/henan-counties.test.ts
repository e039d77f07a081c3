import { readFileSync } from 'node:fs';
import { area } from '@turf/area';
import { featureCollection, multiPolygon } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import { union } from '@turf/union';
import { describe, expect, it } from 'vitest';
import { HENAN_CITIES, cityOf } from '../../core/divisions.ts';

// The province scale's counties (data/henan-counties.geojson, made by seeds/tools/prepare-counties.ts
// from the package's published polygons): they must tile the province as the real ones do.
interface CountyFeature {
  properties: { code: string; name: string; name_en: string; center: [number, number]; city_code: string; city_name: string };
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] };
}
const counties = (JSON.parse(readFileSync(new URL('../../data/henan-counties.geojson', import.meta.url), 'utf8')) as { features: CountyFeature[] }).features;

const bbox = (f: CountyFeature) => {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of f.geometry.coordinates) for (const [x, y] of p[0]!) (b[0] = Math.min(b[0]!, x!)), (b[1] = Math.min(b[1]!, y!)), (b[2] = Math.max(b[2]!, x!)), (b[3] = Math.max(b[3]!, y!));
  return b as [number, number, number, number];
};

describe('Henan counties (the province scale)', () => {
  it('holds every city of core/divisions.ts, each county once and inside its own city', () => {
    const codes = counties.map((f) => f.properties.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const f of counties) {
      const city = cityOf(f.properties.code);
      expect(city, f.properties.code).toBeDefined();
      expect(f.properties.city_code, f.properties.name).toBe(city!.code);
      expect(f.properties.city_name).toBe(city!.name);
      expect(f.properties.name_en, f.properties.name).toMatch(/^[A-Z][a-z']+ (Hui )?(District|County|City)$/);
    }
    expect(new Set(counties.map((f) => f.properties.city_code))).toEqual(new Set(HENAN_CITIES.map((c) => c.code)));
    // Kaifeng's nine are among them, as the demo and city scales know them
    expect(counties.filter((f) => f.properties.city_code === '410200').map((f) => f.properties.name)).toEqual([
      '龙亭区', '顺河回族区', '鼓楼区', '禹王台区', '祥符区', '杞县', '通许县', '尉氏县', '兰考县',
    ]);
  });

  it('tiles the province: the counties overlap by less than 0.01 km² in all, within cities or across them', () => {
    // the sum of the counties' areas against the area of their union: what two counties share counts twice
    const sum = counties.reduce((s, f) => s + area(multiPolygon(f.geometry.coordinates)), 0);
    const all = union(featureCollection(counties.map((f) => multiPolygon(f.geometry.coordinates))));
    const sharedM2 = sum - area(all!);
    if (sharedM2 >= 10_000) {
      // name the pairs that overlap, to say where
      const boxes = counties.map(bbox);
      const pairs: string[] = [];
      for (let i = 0; i < counties.length; i++)
        for (let j = i + 1; j < counties.length; j++) {
          const [a, b] = [boxes[i]!, boxes[j]!];
          if (a[0] > b[2] || b[0] > a[2] || a[1] > b[3] || b[1] > a[3]) continue;
          const both = intersect(featureCollection([multiPolygon(counties[i]!.geometry.coordinates), multiPolygon(counties[j]!.geometry.coordinates)]));
          if (both && area(both) > 100) pairs.push(`${counties[i]!.properties.name} × ${counties[j]!.properties.name}: ${area(both).toFixed(0)} m²`);
        }
      expect(pairs).toEqual([]);
    }
    expect(sharedM2).toBeLessThan(10_000);
  });

  it("covers about the province's official 167 000 km²", () => {
    const km2 = counties.reduce((s, f) => s + area(multiPolygon(f.geometry.coordinates)), 0) / 1e6;
    expect(km2).toBeGreaterThan(167_000 * 0.98);
    expect(km2).toBeLessThan(167_000 * 1.02);
  });
});
