/**
 * The index worker (server/src/modules/stock/index-worker/stock-index.ts) reads only part of the
 * library for each question — the band of latitudes a radius reaches, the lists of a query's
 * counties, statuses and uses, the parcels whose joined text holds the words searched — and must
 * answer exactly what core's filter, sort and matchParcels give over the whole library.
 */
import { describe, expect, it } from 'vitest';
import type { StockMatchRequest } from '../../core/contracts/stock.ts';
import { matchParcels, PLANNED_USES } from '../../core/stock-match.ts';
import { distanceTo } from '../../core/planar-distance.ts';
import { muToM2 } from '../../core/units.ts';
import { StockSearchQuery } from '../../core/contracts/stock.ts';
import { stockComparator, stockFilter } from '../../core/stock-search.ts';
import { Rng } from '../../seeds/lib/rng.ts';
import { buildIndex, match, neighboursOf, matchRequest, patchIndex, ranked, select, type IndexEntry, type Place } from '../../server/src/modules/stock/index-worker/stock-index.ts';
import { NONE, type ParcelColumns, type TextColumn } from '../../server/src/modules/stock/index-worker/protocol.ts';

const STATUSES = ['可供应', '可供应', '已供应', '已意向'];
const COUNTIES = ['410202', '410203', '410221', '410822'];
const CATEGORIES = ['批而未供', '闲置土地', '低效用地'];
const STAGES = ['征而未供', '批而未征', '供而未用', '用而未尽', null];

/** A library of `n` parcels over ~60 × 60 km, clustered in blocks whose neighbours are adjacent. */
function library(n: number, rng: Rng) {
  const text = (values: (string | null)[]): TextColumn => {
    const dict = [...new Set(values.filter((v): v is string => v !== null))];
    return { values: dict, codes: Uint32Array.from(values, (v) => (v === null ? NONE : dict.indexOf(v))) };
  };
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const blocks = Array.from({ length: n / 10 }, () => [114 + rng.range(0, 0.65), 34.5 + rng.range(0, 0.55)] as const);
  for (let i = 0; i < n; i++) {
    const [x, y] = blocks[Math.floor(i / 10)]!;
    lon[i] = x + rng.range(0, 0.004);
    lat[i] = y + rng.range(0, 0.004);
  }
  // ids with gaps, in no particular order
  const id = Int32Array.from({ length: n }, (_, i) => 3 * i + 1 + rng.int(0, 1)).reverse();
  const columns: ParcelColumns = {
    length: n,
    id,
    areaM2: Float64Array.from({ length: n }, () => muToM2(rng.range(2, 80))),
    lon,
    lat,
    plotRatioMin: Float64Array.from({ length: n }, () => (rng.chance(0.2) ? NaN : rng.range(0.5, 1.5))),
    plotRatioMax: Float64Array.from({ length: n }, () => (rng.chance(0.2) ? NaN : rng.range(1.5, 4))),
    refPrice: Float64Array.from({ length: n }, () => (rng.chance(0.3) ? NaN : rng.range(20, 200))),
    urbanBoundaryId: Float64Array.from({ length: n }, (_, i) => (rng.chance(0.1) ? NaN : Math.floor(i / 40))),
    conflict: Uint8Array.from({ length: n }, () => (rng.chance(0.08) ? 1 : 0)),
    code: Array.from({ length: n }, (_, i) => `CL${COUNTIES[i % 4]}-20${20 + (i % 6)}-${String(i).padStart(5, '0')}`),
    name: Array.from({ length: n }, (_, i) => `${['东区', '西区', 'North'][i % 3]}${i}号地块`),
    approvalDate: text(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `20${20 + (i % 6)}-0${1 + (i % 9)}-1${i % 10}`))),
    category: text(Array.from({ length: n }, (_, i) => CATEGORIES[(i >> 2) % 3]!)),
    countyCode: text(Array.from({ length: n }, (_, i) => COUNTIES[i % 4]!)),
    plannedUse: text(Array.from({ length: n }, () => PLANNED_USES[rng.int(0, PLANNED_USES.length - 1)]!)),
    status: text(Array.from({ length: n }, () => STATUSES[rng.int(0, STATUSES.length - 1)]!)),
    fourUnStage: text(Array.from({ length: n }, () => STAGES[rng.int(0, STAGES.length - 1)]!)),
  };
  // each parcel adjacent to a few others of its block
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < Math.min(n, Math.floor(i / 10) * 10 + 10); j++) if (rng.chance(0.4)) pairs.push(id[i]!, id[j]!);
  return buildIndex('k', columns, Int32Array.from(pairs));
}

describe('the index worker’s match within a radius', () => {
  it('gives exactly the offers, scores, parts and tally of core’s match over the whole library', () => {
    const rng = new Rng(20261203);
    const idx = library(6_000, rng);
    let offered = 0;
    let beyond = 0;
    for (let k = 0; k < 150; k++) {
      const [cx, cy] = [114 + rng.range(-0.05, 0.7), 34.5 + rng.range(-0.05, 0.6)];
      const d = rng.range(0.0005, 0.01);
      const near: Place =
        k % 3 === 0
          ? { type: 'Point', coordinates: [cx, cy] }
          : { type: 'Polygon', coordinates: [[[cx - d, cy - d], [cx + d, cy - d], [cx + d, cy + 2 * d], [cx - d, cy - d]]] };
      const req = { use: PLANNED_USES[k % PLANNED_USES.length]!, areaMu: rng.range(5, 150), near, limit: [5, 10, 50][k % 3]! } as const;
      const km = [0.5, 2, 10, 25][k % 4]!;
      const distance = distanceTo(near);
      const whole = matchParcels(idx.parcels, neighboursOf(idx), {
        need: { use: req.use, areaM2: muToM2(req.areaMu) },
        maxDistanceKm: km,
        limit: req.limit,
        distanceOf: (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat),
      });
      const got = match(idx, { ...req, near: near as StockMatchRequest['near'] }, km);
      expect(got.tally, `request ${k}`).toEqual(whole.tally);
      expect(got.offers, `request ${k}`).toEqual(ranked(idx, whole.offers, distance));
      offered += got.offers.length;
      beyond += got.tally.tooFar;
    }
    // the requests found offers and left parcels beyond their radius (the comparison was not empty)
    expect(offered).toBeGreaterThan(300);
    expect(beyond).toBeGreaterThan(1_000);
  });
});

describe('the index worker’s search', () => {
  it('selects, counts and orders exactly what core’s filter and sort give over the whole library', () => {
    const rng = new Rng(20261204);
    const idx = library(4_000, rng);
    const queries = [
      '',
      'county=410203',
      'county=410202,410221&sort=-date',
      'use=工业,仓储&minArea=6&maxArea=30&sort=-area',
      'category=闲置土地,低效用地&county=410202&sort=-date',
      'q=CL410202-2020',
      'q=cl410203',
      'q=00123',
      'q=号地块&status=all&sort=area',
      'q=north1&use=住宅',
      'q=东区1',
      'q=x&status=已供应',
      'status=all&sort=-price&minPrice=50',
      'minPlotRatio=1&maxPlotRatio=2&sort=price',
      'sort=distance&near=114.3,34.8&use=工业',
      'sort=distance&near=114.2,34.9&county=410822&status=all&page=3',
      'status=已意向,已供应&page=2&pageSize=50',
    ];
    let nonEmpty = 0;
    for (const s of queries) {
      const q = StockSearchQuery.parse(Object.fromEntries(new URLSearchParams(s)));
      const keep = stockFilter(q);
      const d = q.near ? distanceTo({ type: 'Point', coordinates: q.near }) : null;
      const want = idx.parcels.filter(keep).sort(stockComparator(q.sort, d ? (p) => d((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined));
      const first = q.page * q.pageSize;
      const got = select(idx, q, first);
      expect(got.total, s).toBe(want.length);
      expect(got.selected.map((p) => p.id), s).toEqual(want.slice(0, first).map((p) => p.id));
      if (d) expect(got.selected.map((p) => got.distances!(p)), s).toEqual(want.slice(0, first).map((p) => d(p.lon, p.lat)));
      const whole = select(idx, q);
      expect(whole.selected.map((p) => p.id), s).toEqual(want.map((p) => p.id));
      if (want.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(14);
  });

  it('finds a patched parcel by its new text and no longer by its old', () => {
    const idx = library(400, new Rng(5));
    const q = StockSearchQuery.parse({ q: 'north8号', status: 'all' });
    const before = select(idx, q, 20);
    expect(before.total).toBeGreaterThan(0);
    const changed = before.selected[0]!;
    const cols: ParcelColumns = {
      length: 1,
      id: Int32Array.of(changed.id),
      areaM2: Float64Array.of(changed.areaM2),
      lon: Float64Array.of(changed.lon),
      lat: Float64Array.of(changed.lat),
      plotRatioMin: Float64Array.of(NaN),
      plotRatioMax: Float64Array.of(NaN),
      refPrice: Float64Array.of(NaN),
      urbanBoundaryId: Float64Array.of(NaN),
      conflict: Uint8Array.of(0),
      code: [changed.code],
      name: ['南关改造地块'],
      approvalDate: { values: [], codes: Uint32Array.of(NONE) },
      category: { values: [changed.category], codes: Uint32Array.of(0) },
      countyCode: { values: [changed.countyCode], codes: Uint32Array.of(0) },
      plannedUse: { values: [changed.plannedUse], codes: Uint32Array.of(0) },
      status: { values: ['已供应'], codes: Uint32Array.of(0) },
      fourUnStage: { values: [], codes: Uint32Array.of(NONE) },
    };
    const patched = patchIndex(idx, 'k2', cols)!;
    expect(select(patched, q, 20).total).toBe(before.total - 1);
    const found = select(patched, StockSearchQuery.parse({ q: '南关', status: '已供应' }), 20);
    expect(found.selected.map((p) => p.id)).toEqual([changed.id]);
  });
});

describe('the index worker’s match over the library or a county', () => {
  it('gives exactly the offers and tally of core’s match over every parcel', () => {
    const rng = new Rng(20261205);
    const idx = library(5_000, rng);
    let offered = 0;
    for (let k = 0; k < 60; k++) {
      const use = PLANNED_USES[k % PLANNED_USES.length]!;
      const areaMu = rng.range(5, 150);
      const county = k % 3 === 0 ? COUNTIES[k % 4] : undefined;
      const near: Place | undefined = k % 2 === 0 ? { type: "Point", coordinates: [114 + rng.range(0, 0.6), 34.5 + rng.range(0, 0.5)] } : undefined;
      const km = near && k % 4 === 0 ? 15 : undefined;
      const distance = near ? distanceTo(near) : null;
      const whole = matchParcels(idx.parcels, neighboursOf(idx), {
        need: { use, areaM2: muToM2(areaMu) },
        county,
        maxDistanceKm: km,
        limit: 10,
        distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
      });
      const got = match(idx, { use, areaMu, county, near: near as StockMatchRequest['near'], limit: 10 } as Extract<Parameters<typeof match>[1], object>, km);
      expect(got.tally, `request ${k}`).toEqual(whole.tally);
      expect(got.offers, `request ${k}`).toEqual(ranked(idx, whole.offers, distance));
      offered += got.offers.length;
    }
    expect(offered).toBeGreaterThan(300);
  });

  it('ranks an enterprise’s request (area range, plot ratio, budget) as over every parcel', () => {
    const idx = library(3_000, new Rng(11));
    const r = { use: '工业', areaMinMu: 10, areaMaxMu: 40, county: '410221', plotRatioMin: 1.2, budgetWan: 4_000 } as const;
    const got = matchRequest(idx, r, 10);
    const whole = matchParcels(idx.parcels, neighboursOf(idx), {
      need: { use: r.use, areaM2: muToM2(r.areaMinMu) },
      areaRangeM2: [muToM2(r.areaMinMu), muToM2(r.areaMaxMu)],
      county: r.county,
      admit: (p) => {
        const e = p as IndexEntry;
        return !(e.plotRatioMax !== null && e.plotRatioMax < r.plotRatioMin) && (e.refPrice === null ? 0 : e.refPrice * (e.areaM2 / 666.6666666666666)) <= r.budgetWan;
      },
      limit: 30,
    });
    expect(got.tally).toEqual(whole.tally);
    expect(got.offers.length).toBeGreaterThan(0);
  });
});
