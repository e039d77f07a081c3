/**
 * The matcher's pure parts: the score and its parts, the use-compatibility table, the
 * combination search on a small graph, and the planar distance against GeographicLib.
 */
import { describe, expect, it } from 'vitest';
import geodesic from 'geographiclib-geodesic';
import {
  USE_COMPATIBILITY,
  areaFitScore,
  matchParcels,
  scoreOffer,
  useFit,
  usesFor,
  type IndexedParcel,
} from '../../core/stock-match.ts';
import { distanceTo } from '../../core/planar-distance.ts';
import { TopK } from '../../core/top-k.ts';

const MU = 10_000 / 15;

describe('use compatibility', () => {
  it('pairs 工业 with 仓储 and 商业 with 商务, and keeps 住宅 to itself, both ways', () => {
    expect(useFit('工业', '仓储')).toBe('compatible');
    expect(useFit('仓储', '工业')).toBe('compatible');
    expect(useFit('商业', '商务')).toBe('compatible');
    expect(useFit('商务', '商业')).toBe('compatible');
    expect(useFit('住宅', '住宅')).toBe('same');
    expect(useFit('住宅', '商业')).toBe('incompatible');
    expect(useFit('工业', '住宅')).toBe('incompatible');
    expect(usesFor('住宅')).toEqual(['住宅']);
    for (const [a, list] of Object.entries(USE_COMPATIBILITY)) for (const b of list) expect(USE_COMPATIBILITY[b]).toContain(a);
  });
});

describe('score', () => {
  it('gives full marks to a same-use, ready parcel of the right size at the site', () => {
    const r = scoreOffer({ use: '工业', areaM2: 10 * MU }, { uses: ['工业'], areaM2: 10.5 * MU, stages: ['征而未供'], distanceM: 0, parcels: 1 }, 5);
    expect(r.score).toBe(100);
    expect(r.parts.map((p) => p.points)).toEqual([40, 30, 20, 10]);
    expect(r.parts[0]!.detailZh).toBe('提供 10.50 亩（0.7000 公顷），为需求的 105%');
  });

  it('scales the other weights to 100 when no location is given', () => {
    const r = scoreOffer({ use: '工业', areaM2: 10 * MU }, { uses: ['仓储'], areaM2: 10 * MU, stages: ['批而未征'], distanceM: null, parcels: 1 }, 20);
    // (40 + 30 × 0.7 + 10 × 0.7) / 80 × 100
    expect(r.score).toBe(85);
    expect(r.parts.find((p) => p.key === 'distance')).toMatchObject({ value: null, points: 0 });
  });

  it('takes a combination at its weakest use and availability, less 5 % a parcel beyond the first', () => {
    const r = scoreOffer(
      { use: '工业', areaM2: 30 * MU },
      { uses: ['工业', '仓储'], areaM2: 32 * MU, stages: ['征而未供', '供而未用'], distanceM: null, parcels: 2 },
      20,
    );
    expect(r.score).toBeCloseTo(((40 + 21 + 6) / 80) * 100 * 0.95, 2);
  });

  it('rewards a close fit and falls off for parcels too large, refusing outside 0.9–3 times the need', () => {
    expect(areaFitScore(0.89)).toBe(0);
    expect(areaFitScore(0.9)).toBeCloseTo(0.6, 9);
    expect(areaFitScore(1)).toBe(1);
    expect(areaFitScore(1.2)).toBe(1);
    expect(areaFitScore(2.1)).toBeCloseTo(0.5, 9);
    expect(areaFitScore(3.01)).toBe(0);
  });
});

describe('combinations on a graph', () => {
  const parcel = (id: number, mu: number, extra: Partial<IndexedParcel> = {}): IndexedParcel => ({
    id,
    countyCode: '410202',
    plannedUse: '工业',
    status: '可供应',
    fourUnStage: '征而未供',
    areaM2: mu * MU,
    urbanBoundaryId: 1,
    conflict: false,
    ...extra,
  });
  // a path 1 – 2 – 3 – 4 and a triangle 5 – 6 – 7
  const edges: [number, number][] = [[1, 2], [2, 3], [3, 4], [5, 6], [6, 7], [5, 7]];
  const neighbours = (id: number) => edges.flatMap(([a, b]) => (a === id ? [b] : b === id ? [a] : []));

  it('finds each connected set once, and only minimal ones', () => {
    const parcels = [parcel(1, 8), parcel(2, 8), parcel(3, 8), parcel(4, 8), parcel(5, 8), parcel(6, 8), parcel(7, 8)];
    const pairs = matchParcels(parcels, neighbours, { need: { use: '工业', areaM2: 16 * MU }, limit: 50 });
    expect(pairs.offers.map((o) => o.parcelIds.join('+')).sort()).toEqual(['1+2', '2+3', '3+4', '5+6', '5+7', '6+7']);
    const triples = matchParcels(parcels, neighbours, { need: { use: '工业', areaM2: 24 * MU }, limit: 50 });
    // pairs give 16 亩 < 21.6: connected triples only, the triangle once
    expect(triples.offers.map((o) => o.parcelIds.join('+')).sort()).toEqual(['1+2+3', '2+3+4', '5+6+7']);
  });

  it('keeps combinations inside one boundary polygon and leaves out unavailable or conflicting parts', () => {
    const parcels = [parcel(1, 8), parcel(2, 8, { urbanBoundaryId: 2 }), parcel(3, 8), parcel(4, 8, { status: '已供应' }), parcel(5, 8, { conflict: true }), parcel(6, 8), parcel(7, 8)];
    const r = matchParcels(parcels, neighbours, { need: { use: '工业', areaM2: 16 * MU }, limit: 50 });
    expect(r.offers.map((o) => o.parcelIds.join('+')).sort()).toEqual(['6+7']);
    expect(r.tally).toMatchObject({ inScope: 7, available: 6, conflicting: 1, eligible: 5, singles: 0, combinations: 1 });
  });
});

describe('planar distance', () => {
  const geod = geodesic.Geodesic.WGS84;
  it('agrees with the geodesic within 0.3 % out to 50 km', () => {
    const d = distanceTo({ type: 'Point', coordinates: [114.35, 34.79] });
    for (const [lon, lat] of [[114.36, 34.79], [114.35, 34.9], [114.7, 35.1], [114.0, 34.5], [113.9, 35.0]] as const) {
      const want = geod.Inverse(34.79, 114.35, lat, lon).s12!;
      expect(Math.abs(d(lon, lat) - want) / want).toBeLessThan(0.003);
    }
  });
  it('is 0 inside a polygon, not in its hole, and measures to the nearest edge outside', () => {
    const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    const d = distanceTo({ type: 'Polygon', coordinates: [ring(114.3, 34.8, 114.32, 34.82), ring(114.305, 34.805, 114.315, 34.815)] });
    expect(d(114.301, 34.801)).toBe(0);
    // in the middle of the hole: 0.005° of longitude from its east and west edges
    const inHole = geod.Inverse(34.81, 114.31, 34.81, 114.315).s12!;
    expect(Math.abs(d(114.31, 34.81) - inHole) / inHole).toBeLessThan(0.003);
    const east = d(114.33, 34.81);
    const want = geod.Inverse(34.81, 114.32, 34.81, 114.33).s12!;
    expect(Math.abs(east - want) / want).toBeLessThan(0.003);
  });
});

describe('top k', () => {
  it('keeps the k first items of a stream in order, as a full sort would', () => {
    const xs = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1009);
    const top = new TopK<number>(25, (a, b) => b - a);
    xs.forEach((x) => top.push(x));
    expect(top.values()).toEqual([...xs].sort((a, b) => b - a).slice(0, 25));
  });
});
