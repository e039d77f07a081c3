import { describe, expect, it } from 'vitest';
import { area as sphericalArea } from '@turf/area';
import { polygon } from '@turf/helpers';
import { CGCS2000_A, CGCS2000_F, ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import { bboxContains, bboxOf, bufferSite, expandBbox, measureSite, previewSite, siteProblem, type PreviewLayerInput, type SiteShape } from '../../core/preview.ts';

/**
 * Hand computation, independent of GeographicLib and Turf: the area of an ellipsoidal
 * quadrangle bounded by two meridians and two parallels (authalic-latitude closed form).
 * For boxes ~100 m across the geodesic edges of a polygon differ from the parallels by far
 * less than 1e-6 of the area.
 */
function quadrangle(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const b = CGCS2000_A * (1 - CGCS2000_F);
  const e = Math.sqrt(CGCS2000_F * (2 - CGCS2000_F));
  const q = (phi: number) => {
    const s = Math.sin(phi);
    return s / (1 - e * e * s * s) + (1 / (2 * e)) * Math.log((1 + e * s) / (1 - e * s));
  };
  const rad = Math.PI / 180;
  return ((b * b * (lon2 - lon1) * rad) / 2) * (q(lat2 * rad) - q(lat1 * rad));
}

const box = (lon1: number, lat1: number, lon2: number, lat2: number) => [
  [lon1, lat1],
  [lon2, lat1],
  [lon2, lat2],
  [lon1, lat2],
  [lon1, lat1],
];
const poly = (...rings: number[][][]): SiteShape => ({ type: 'Polygon', coordinates: rings });
const layer = (layerId: string, geometries: SiteShape[], truncated = false): PreviewLayerInput => ({
  layerId,
  features: geometries.map((geometry) => ({ geometry })),
  truncated,
});

/** Relative agreement with the hand-computed area (GeographicLib is good to far better than 1e-6). */
const close = (got: number, expected: number) => expect(Math.abs(got - expected) / expected).toBeLessThan(1e-6);

// A site of 0.002° × 0.002° (~183 m × 222 m) in Kaifeng.
const X = 114.3;
const Y = 34.8;
const site = poly(box(X, Y, X + 0.002, Y + 0.002));

describe('site-check preview (core/preview.ts)', () => {
  it('gives the site’s and each overlap’s ellipsoidal area, equal to the hand-computed quadrangles', () => {
    const farmland = [
      // straddles the east edge: overlap is the box X+0.0015…X+0.002 × Y…Y+0.001
      poly(box(X + 0.0015, Y, X + 0.003, Y + 0.001)),
      // entirely inside
      poly(box(X + 0.0002, Y + 0.0012, X + 0.0008, Y + 0.0018)),
      // far away: not an overlap
      poly(box(X + 0.01, Y + 0.01, X + 0.011, Y + 0.011)),
    ];
    const p = previewSite(site, [layer('permanent-farmland', farmland), layer('eco-redline', [])]);
    close(p.siteM2, quadrangle(X, Y, X + 0.002, Y + 0.002));
    expect(p.analysedM2).toBe(p.siteM2);
    const pf = p.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(pf.count).toBe(2);
    close(pf.m2, quadrangle(X + 0.0015, Y, X + 0.002, Y + 0.001) + quadrangle(X + 0.0002, Y + 0.0012, X + 0.0008, Y + 0.0018));
    expect(pf.truncated).toBe(false);
    expect(p.layers.find((l) => l.layerId === 'eco-redline')).toEqual({ layerId: 'eco-redline', count: 0, m2: 0, truncated: false });
    expect(p.boundary).toBeNull();
    expect(p.truncated).toBe(false);
  });

  it('is ellipsoidal, not spherical: Turf’s spherical area of the same site is off by far more than the preview’s error', () => {
    const p = previewSite(site, []);
    const spherical = sphericalArea(polygon(site.coordinates as number[][][]));
    // ~1e-4 at Kaifeng's latitude, a hundred times the 1e-6 the preview is held to above
    expect(Math.abs(spherical - p.siteM2) / p.siteM2).toBeGreaterThan(5e-5);
  });

  it('does not count a shared edge or a shared corner as an overlap', () => {
    const neighbours = [
      poly(box(X + 0.002, Y, X + 0.003, Y + 0.002)), // shares the east edge
      poly(box(X - 0.001, Y - 0.001, X, Y)), // shares the south-west corner
      poly(box(X, Y + 0.002, X + 0.002, Y + 0.003)), // shares the north edge
    ];
    const p = previewSite(site, [layer('general-farmland', neighbours)]);
    expect(p.layers[0]).toEqual({ layerId: 'general-farmland', count: 0, m2: 0, truncated: false });
  });

  it('subtracts a feature’s hole from the overlap', () => {
    // a feature covering the whole site, with a hole inside the site
    const holed = poly(box(X - 0.001, Y - 0.001, X + 0.003, Y + 0.003), box(X + 0.0005, Y + 0.0005, X + 0.0015, Y + 0.0015).reverse());
    const p = previewSite(site, [layer('eco-redline', [holed])]);
    expect(p.layers[0]!.count).toBe(1);
    close(p.layers[0]!.m2, quadrangle(X, Y, X + 0.002, Y + 0.002) - quadrangle(X + 0.0005, Y + 0.0005, X + 0.0015, Y + 0.0015));
  });

  it('subtracts the site’s own hole too', () => {
    const holedSite = poly(box(X, Y, X + 0.002, Y + 0.002), box(X + 0.0005, Y + 0.0005, X + 0.0015, Y + 0.0015).reverse());
    const p = previewSite(holedSite, [layer('general-farmland', [poly(box(X - 0.001, Y - 0.001, X + 0.003, Y + 0.003))])]);
    const expected = quadrangle(X, Y, X + 0.002, Y + 0.002) - quadrangle(X + 0.0005, Y + 0.0005, X + 0.0015, Y + 0.0015);
    close(p.siteM2, expected);
    close(p.layers[0]!.m2, expected);
  });

  it('splits the site inside and outside the urban development boundary', () => {
    // two boundary features covering the west half of the site between them, touching each other
    const boundary = [poly(box(X - 0.01, Y - 0.01, X + 0.001, Y + 0.001)), poly(box(X - 0.01, Y + 0.001, X + 0.001, Y + 0.01))];
    const p = previewSite(site, [layer('urban-boundary', boundary)]);
    const inside = quadrangle(X, Y, X + 0.001, Y + 0.002);
    expect(p.layers[0]!.count).toBe(2);
    close(p.boundary!.insideM2, inside);
    close(p.boundary!.outsideM2, quadrangle(X + 0.001, Y, X + 0.002, Y + 0.002));
  });

  it('adds the parts of a multipolygon site', () => {
    const multi: SiteShape = {
      type: 'MultiPolygon',
      coordinates: [[box(X, Y, X + 0.001, Y + 0.001)], [box(X + 0.002, Y, X + 0.003, Y + 0.001)]],
    };
    const p = previewSite(multi, [layer('permanent-farmland', [poly(box(X + 0.0005, Y, X + 0.0025, Y + 0.001))])]);
    close(p.siteM2, 2 * quadrangle(X, Y, X + 0.001, Y + 0.001));
    close(p.layers[0]!.m2, quadrangle(X + 0.0005, Y, X + 0.001, Y + 0.001) + quadrangle(X + 0.002, Y, X + 0.0025, Y + 0.001));
  });

  it('passes a truncated layer on as an incomplete preview', () => {
    const p = previewSite(site, [layer('permanent-farmland', [], true), layer('eco-redline', [])]);
    expect(p.truncated).toBe(true);
    expect(p.layers.map((l) => l.truncated)).toEqual([true, false]);
  });

  it('widens the analysed area by the buffer', () => {
    const r = 50;
    const p = previewSite(site, [], { analysed: bufferSite(site, r) });
    // a rectangle of sides a, b widened by r: ab + 2r(a + b) + the corner arcs, a 32-gon of
    // radius r (as PostGIS draws them): (32/2)·r²·sin(2π/32)
    const a = quadrangle(X, Y, X + 0.002, Y + 0.001) / (0.001 * 110_950); // width from the area of a 0.001° strip
    const b = quadrangle(X, Y, X + 0.001, Y + 0.002) / (0.001 * 111_320 * Math.cos((Y + 0.001) * (Math.PI / 180)));
    const expected = p.siteM2 + 2 * r * (a + b) + 16 * r * r * Math.sin((2 * Math.PI) / 32);
    expect(Math.abs(p.analysedM2 - expected) / expected).toBeLessThan(0.002);
    // overlaps are taken with the widened site: a feature 30 m east of the site is reached
    const east = X + 0.002 + 30 / (111_320 * Math.cos(Y * (Math.PI / 180)));
    const near = poly(box(east, Y, east + 0.001, Y + 0.001));
    expect(previewSite(site, [layer('general-farmland', [near])]).layers[0]!.count).toBe(0);
    expect(previewSite(site, [layer('general-farmland', [near])], { analysed: bufferSite(site, r) }).layers[0]!.count).toBe(1);
  });

  it('names a self-intersecting (bow-tie) site and where it crosses, and accepts a valid one with a hole touching its outer ring', () => {
    const bowtie = poly([
      [X, Y],
      [X + 0.002, Y + 0.002],
      [X + 0.002, Y],
      [X, Y + 0.002],
      [X, Y],
    ]);
    const problem = siteProblem(bowtie)!;
    expect(problem.code).toBe('SELF_INTERSECTION');
    expect(problem.at![0]).toBeCloseTo(X + 0.001, 9);
    expect(problem.at![1]).toBeCloseTo(Y + 0.001, 9);
    expect(siteProblem(site)).toBeNull();
    const touching = poly(box(X, Y, X + 0.004, Y + 0.004), [
      [X, Y + 0.002],
      [X + 0.001, Y + 0.001],
      [X + 0.001, Y + 0.003],
      [X, Y + 0.002],
    ]);
    expect(siteProblem(touching)).toBeNull();
    const repeated = poly([[X, Y], [X + 0.001, Y], [X + 0.001, Y], [X + 0.001, Y + 0.001], [X, Y + 0.001], [X, Y], [X, Y]]);
    expect(siteProblem(repeated)).toBeNull();
    expect(siteProblem(poly([[X, Y], [X + 0.001, Y], [X, Y], [X + 0.001, Y]]))!.code).toBe('TOO_FEW_POINTS');
  });

  it('computes and widens boxes', () => {
    const b = bboxOf(site);
    expect(b).toEqual([X, Y, X + 0.002, Y + 0.002]);
    const wide = expandBbox(b, 100);
    expect(bboxContains(wide, b)).toBe(true);
    expect(bboxContains(b, wide)).toBe(false);
    expect((wide[3] - b[3]) * 111_132).toBeCloseTo(100, 6);
  });

  it('measures a site crossing itself by the area it covers, not by its signed area', () => {
    // an uneven bow-tie A(0,0) B(3,3) C(3,0) D(0,1.5) in units of 0.001°: AB and CD cross at (1,1),
    // leaving the triangles A-(1,1)-D and (1,1)-B-C; its signed area nearly cancels them
    const u = (x: number, y: number) => [X + x / 1000, Y + y / 1000];
    const bowtie = poly([u(0, 0), u(3, 3), u(3, 0), u(0, 1.5), u(0, 0)]);
    const lobes = ellipsoidalArea(poly([u(0, 0), u(1, 1), u(0, 1.5), u(0, 0)])) + ellipsoidalArea(poly([u(1, 1), u(3, 0), u(3, 3), u(1, 1)]));
    const m = measureSite(bowtie)!;
    expect(m.repaired).toBe(true);
    expect(Math.abs(m.areaM2 - lobes) / lobes).toBeLessThan(1e-6);
    expect(Math.abs(ellipsoidalArea(bowtie)) / lobes).toBeLessThan(0.7);
    const square = poly(box(X, Y, X + 0.001, Y + 0.001));
    expect(measureSite(square)).toEqual({ near: square, areaM2: ellipsoidalArea(square), repaired: false });
  });
});
