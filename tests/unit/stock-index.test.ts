/**
 * The index worker's match within a radius (server/src/modules/stock/index-worker/stock-index.ts)
 * ranks only the parcels in the band of latitudes the radius reaches: its offers, their scores and
 * parts, and its tally must be exactly what core's matchParcels gives over the whole library.
 */
import { describe, expect, it } from 'vitest';
import type { StockMatchRequest } from '../../core/contracts/stock.ts';
import { matchParcels, PLANNED_USES } from '../../core/stock-match.ts';
import { distanceTo } from '../../core/planar-distance.ts';
import { muToM2 } from '../../core/units.ts';
import { Rng } from '../../seeds/lib/rng.ts';
import { buildIndex, match, ranked, type IndexEntry, type Place } from '../../server/src/modules/stock/index-worker/stock-index.ts';
import { NONE, type ParcelColumns, type TextColumn } from '../../server/src/modules/stock/index-worker/protocol.ts';

const STATUSES = ['可供应', '可供应', '已供应', '已意向'];
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
    plotRatioMin: new Float64Array(n).fill(NaN),
    plotRatioMax: new Float64Array(n).fill(NaN),
    refPrice: new Float64Array(n).fill(NaN),
    urbanBoundaryId: Float64Array.from({ length: n }, (_, i) => (rng.chance(0.1) ? NaN : Math.floor(i / 40))),
    conflict: Uint8Array.from({ length: n }, () => (rng.chance(0.08) ? 1 : 0)),
    code: Array.from({ length: n }, (_, i) => `P${i}`),
    name: Array.from({ length: n }, (_, i) => `地块 ${i}`),
    approvalDate: text(Array.from({ length: n }, () => null)),
    category: text(Array.from({ length: n }, () => '批而未供')),
    countyCode: text(Array.from({ length: n }, () => '410202')),
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
      const whole = matchParcels(idx.parcels, (id) => idx.neighbours.get(id) ?? [], {
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
