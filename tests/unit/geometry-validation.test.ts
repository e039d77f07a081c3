/**
 * Site geometry checks: each reason a planner gets, with the place it points to,
 * and the automatic repair of self-intersections with what it changed.
 */
import { polygon as turfPolygon } from '@turf/helpers';
import { kinks } from '@turf/kinks';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import {
  MAX_VERTICES,
  SiteGeometryReason,
  repairSiteGeometry,
  selfIntersections,
  validateSiteGeometry,
} from '../../core/geometry-validation.ts';

const poly = (...rings: number[][][]): Polygon => ({ type: 'Polygon', coordinates: rings });
const square = (lon: number, lat: number, d: number) => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];
/** A bow-tie: the boundary crosses itself at (114.305, 34.805). */
const bowtie = poly([
  [114.3, 34.8],
  [114.31, 34.81],
  [114.31, 34.8],
  [114.3, 34.81],
  [114.3, 34.8],
]);
const codes = (g: Polygon | MultiPolygon) => validateSiteGeometry(g).problems.map((p) => p.code);

describe('validateSiteGeometry', () => {
  it('accepts a parcel in Kaifeng, with a hole', () => {
    expect(validateSiteGeometry(poly(square(114.3, 34.8, 0.01), square(114.303, 34.803, 0.002).reverse()))).toEqual({ valid: true, problems: [] });
  });

  it('finds a bow-tie and gives the crossing point', () => {
    const v = validateSiteGeometry(bowtie);
    expect(v.valid).toBe(false);
    expect(v.problems).toHaveLength(1);
    const [p] = v.problems;
    expect(p!.code).toBe(SiteGeometryReason.SelfIntersection);
    expect(p!.location![0]).toBeCloseTo(114.305, 9);
    expect(p!.location![1]).toBeCloseTo(34.805, 9);
    expect(p!.zh).toContain('边界自相交（位置：东经 114.305000°，北纬 34.805000°）');
    expect(p!.en).toContain('crosses itself at 114.305000°E, 34.805000°N');
    // the same point Turf's kinks finds
    const k = kinks(turfPolygon(bowtie.coordinates)).features[0]!.geometry.coordinates;
    expect(k[0]).toBeCloseTo(p!.location![0], 9);
    expect(k[1]).toBeCloseTo(p!.location![1], 9);
  });

  it('agrees with Turf kinks on random star-shaped and scrambled polygons', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 40; t++) {
      const n = 5 + Math.floor(rand() * 20);
      const ring = Array.from({ length: n }, (_, i) => {
        const a = t % 2 ? rand() * 2 * Math.PI : (2 * Math.PI * i) / n;
        const r = 0.002 + rand() * 0.008;
        return [114.3 + r * Math.cos(a), 34.8 + r * Math.sin(a)];
      });
      ring.push(ring[0]!);
      const ours = selfIntersections([[ring]]).map((p) => `${p[0]!.toFixed(9)},${p[1]!.toFixed(9)}`);
      const turf = kinks(turfPolygon([ring])).features.map((f) => `${f.geometry.coordinates[0]!.toFixed(9)},${f.geometry.coordinates[1]!.toFixed(9)}`);
      expect(new Set(ours)).toEqual(new Set(turf));
    }
  });

  it('finds a ring touching itself, a spike, a hole crossing the outer ring and overlapping parts; allows a hole touching at one point', () => {
    const selfTouch = poly([[114.3, 34.8], [114.31, 34.8], [114.305, 34.805], [114.31, 34.81], [114.3, 34.81], [114.305, 34.805], [114.3, 34.8]]);
    expect(codes(selfTouch)).toContain(SiteGeometryReason.SelfIntersection);
    const spike = poly([[114.3, 34.8], [114.31, 34.8], [114.31, 34.81], [114.31, 34.805], [114.3, 34.81], [114.3, 34.8]]);
    expect(codes(spike)).toContain(SiteGeometryReason.SelfIntersection);
    const holeOut = poly(square(114.3, 34.8, 0.01), square(114.308, 34.803, 0.004));
    expect(codes(holeOut)).toEqual([SiteGeometryReason.SelfIntersection, SiteGeometryReason.SelfIntersection]);
    const overlap: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(114.3, 34.8, 0.01)], [square(114.305, 34.805, 0.01)]] };
    expect(codes(overlap)).toContain(SiteGeometryReason.SelfIntersection);
    const holeTouch = poly(square(114.3, 34.8, 0.01), [[114.3, 34.8], [114.302, 34.805], [114.305, 34.802], [114.3, 34.8]]);
    expect(validateSiteGeometry(holeTouch).valid).toBe(true);
  });

  it('reports an unclosed ring with its first point', () => {
    const open = poly(square(114.3, 34.8, 0.01).slice(0, 4));
    const v = validateSiteGeometry(open);
    expect(v.problems.map((p) => p.code)).toEqual([SiteGeometryReason.UnclosedRing]);
    expect(v.problems[0]!.zh).toBe('外圈未闭合：首点（东经 114.300000°，北纬 34.800000°）与末点（东经 114.300000°，北纬 34.810000°）不重合');
    expect(v.problems[0]!.location).toEqual([114.3, 34.8]);
  });

  it('reports a ring with fewer than 4 positions', () => {
    const v = validateSiteGeometry(poly(square(114.3, 34.8, 0.01), [[114.301, 34.801], [114.302, 34.801], [114.301, 34.801]]));
    expect(v.problems.map((p) => p.code)).toEqual([SiteGeometryReason.TooFewPositions]);
    expect(v.problems[0]!.zh).toBe('第 1 个内环（洞）只有 3 个坐标，面至少需要 3 个不同的点加首点闭合（4 个坐标）');
  });

  it('reports zero area when all points lie on one line', () => {
    const v = validateSiteGeometry(poly([[114.3, 34.8], [114.31, 34.8], [114.32, 34.8], [114.3, 34.8]]));
    expect(v.problems.map((p) => p.code)).toContain(SiteGeometryReason.ZeroArea);
    expect(v.problems.find((p) => p.code === SiteGeometryReason.ZeroArea)!.zh).toBe('图形面积为零：各点在一条线上或重合');
  });

  it('reports coordinates outside the data extent, suspecting swapped axes or a wrong coordinate system', () => {
    const swapped = validateSiteGeometry(poly(square(34.8, 114.3, 0.01).map(([x, y]) => [x!, y!])));
    const p = swapped.problems.find((x) => x.code === SiteGeometryReason.OutsideExtent)!;
    expect(p.zh).toContain('有 5 个点超出数据范围');
    expect(p.zh).toContain('经纬度颠倒');
    expect(p.location).toEqual([34.8, 114.3]);
    const beijing = validateSiteGeometry(poly(square(116.39, 39.9, 0.01)));
    expect(beijing.problems.map((x) => x.code)).toEqual([SiteGeometryReason.OutsideExtent]);
    expect(beijing.problems[0]!.zh).toContain('可能是坐标系选错');
    expect(beijing.problems[0]!.en).toContain('wrong coordinate system');
  });

  it('reports more than 50 000 vertices', () => {
    const n = MAX_VERTICES + 10;
    const ring = Array.from({ length: n }, (_, i) => [114.3 + 0.01 * Math.cos((2 * Math.PI * i) / n), 34.8 + 0.01 * Math.sin((2 * Math.PI * i) / n)]);
    ring.push(ring[0]!);
    const v = validateSiteGeometry(poly(ring));
    expect(v.problems.map((p) => p.code)).toEqual([SiteGeometryReason.TooManyVertices]);
    expect(v.problems[0]!.zh).toContain(`图形有 ${n + 1} 个顶点，超过上限 50000 个`);
  });

  it('checks a 49 000-vertex parcel completely (it is valid)', () => {
    const n = 49_000;
    const ring = Array.from({ length: n }, (_, i) => [114.3 + 0.01 * Math.cos((2 * Math.PI * i) / n), 34.8 + 0.01 * Math.sin((2 * Math.PI * i) / n)]);
    ring.push(ring[0]!);
    expect(validateSiteGeometry(poly(ring)).valid).toBe(true);
  });

  it('reports a site larger than 100 km² with its area in km² and 公顷', () => {
    const big = poly([[114.2, 34.7], [114.35, 34.7], [114.35, 34.8], [114.2, 34.8], [114.2, 34.7]]);
    const area = ellipsoidalArea(big);
    expect(area).toBeGreaterThan(100e6);
    const v = validateSiteGeometry(big);
    expect(v.problems.map((p) => p.code)).toEqual([SiteGeometryReason.TooLarge]);
    expect(v.problems[0]!.zh).toContain(`面积 ${Math.round(area / 1e4) / 100} 平方公里`);
    expect(v.problems[0]!.zh).toContain('超过单个用地上限 100 平方公里');
  });

  it('reports non-numeric coordinates and a non-polygon without throwing', () => {
    expect(codes(poly([[114.3, 34.8], [Number.NaN, 34.8], [114.31, 34.81], [114.3, 34.8]]))).toEqual([SiteGeometryReason.InvalidCoordinate]);
    expect(codes({ type: 'LineString', coordinates: [[0, 0], [1, 1]] } as unknown as Polygon)).toEqual([SiteGeometryReason.NotPolygon]);
    expect(codes(poly())).toEqual([SiteGeometryReason.Empty]);
  });
});

describe('repairSiteGeometry', () => {
  it('splits a bow-tie into its two triangles and says how the area changed', () => {
    const r = repairSiteGeometry(bowtie);
    expect(r.changed).toBe(true);
    expect(r.geometry.type).toBe('MultiPolygon');
    expect((r.geometry as MultiPolygon).coordinates).toHaveLength(2);
    expect(validateSiteGeometry(r.geometry).valid).toBe(true);
    // two triangles, each a quarter of the 0.01° square
    const squareArea = ellipsoidalArea(poly(square(114.3, 34.8, 0.01)));
    expect(r.areaAfter / squareArea).toBeCloseTo(0.5, 3);
    expect(r.areaBefore).toBeLessThan(r.areaAfter * 0.01); // the crossing halves cancel
    expect(r.note.zh).toContain('已修复边界自相交（1 处）：修复后为 2 个部分');
    expect(r.note.zh).toContain('公顷');
  });

  it('merges a loop that folds back over the parcel', () => {
    const loop = poly([[114.3, 34.8], [114.34, 34.8], [114.34, 34.84], [114.31, 34.84], [114.31, 34.81], [114.33, 34.81], [114.33, 34.83], [114.3, 34.83], [114.3, 34.8]]);
    expect(codes(loop)).toContain(SiteGeometryReason.SelfIntersection);
    const r = repairSiteGeometry(loop);
    expect(r.changed).toBe(true);
    expect(r.geometry.type).toBe('Polygon');
    expect(validateSiteGeometry(r.geometry).valid).toBe(true);
  });

  it('closes an open ring and drops repeated points', () => {
    const ring = square(114.3, 34.8, 0.01).slice(0, 4);
    ring.splice(1, 0, [114.3, 34.8]);
    const r = repairSiteGeometry(poly(ring));
    expect(r.changed).toBe(true);
    expect((r.geometry as Polygon).coordinates[0]).toEqual(square(114.3, 34.8, 0.01));
    expect(r.areaAfter).toBeCloseTo(r.areaBefore, 6);
    expect(r.note.zh).toContain('闭合未闭合的环');
    expect(validateSiteGeometry(r.geometry).valid).toBe(true);
  });

  it('leaves a valid parcel alone', () => {
    const g = poly(square(114.3, 34.8, 0.01));
    const r = repairSiteGeometry(g);
    expect(r).toMatchObject({ changed: false, note: { zh: '图形无需修复' } });
    expect(r.geometry).toBe(g);
  });

  it('says so when nothing can be repaired', () => {
    const r = repairSiteGeometry(poly([[114.3, 34.8], [114.31, 34.8], [114.3, 34.8]]));
    expect(r.changed).toBe(false);
    expect(r.note.zh).toContain('无法修复');
  });
});
