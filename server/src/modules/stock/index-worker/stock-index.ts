/**
 * The stock-land index (what the catalogue's worker holds) and the questions asked of it: search
 * filtering and sorting (core/stock-search.ts), ranking of singles and combinations
 * (core/stock-match.ts). Pure: the worker (task.ts) keeps one index and answers with these.
 */
import { matchParcels, usesFor, type IndexedParcel, type MatchOffer, type PlannedUse } from '../../../../../core/stock-match.ts';
import type { StockSearchQuery } from '../../../../../core/contracts/stock.ts';
import { stockComparator, stockFilter, type CatalogueParcel } from '../../../../../core/stock-search.ts';
import { TopK } from '../../../../../core/top-k.ts';
import { distanceTo } from '../../../../../core/planar-distance.ts';
import { haToM2, M2_PER_MU, muToM2 } from '../../../../../core/units.ts';
import { NONE, type LandRequestNeed, type ParcelColumns, type RankedOffers, type Request, type TextColumn } from './protocol.ts';

export interface IndexEntry extends IndexedParcel, CatalogueParcel {
  lon: number;
  lat: number;
}

export interface StockIndex {
  key: string;
  parcels: IndexEntry[];
  byId: Map<number, IndexEntry>;
  neighbours: Map<number, number[]>;
  /** The available parcels clear of farmland and the red line, per use, by latitude (built at the first match within a radius). */
  bands?: Bands;
}

interface Bands {
  available: number;
  byUse: Map<string, { lats: Float64Array; parcels: IndexEntry[]; compatible: number; conflicting: number }>;
}

/**
 * Metres per degree of latitude, less than the meridian's anywhere (110 574 m at the equator):
 * a parcel farther in latitude from a place than (radius + 10 m) ÷ this is surely beyond the
 * radius — its planar distance (core/planar-distance.ts) is at least its northing difference.
 */
const MIN_M_PER_DEGREE_LAT = 110_000;


export function entriesOf(c: ParcelColumns): IndexEntry[] {
  // each dictionary holds one string instance per distinct value: the matcher compares and hashes them per parcel
  const text = (col: TextColumn, i: number): string | null => (col.codes[i] === NONE ? null : col.values[col.codes[i]!]!);
  const num = (a: Float64Array, i: number) => (Number.isNaN(a[i]) ? null : a[i]!);
  const out: IndexEntry[] = new Array(c.length);
  for (let i = 0; i < c.length; i++) {
    out[i] = {
      id: c.id[i]!,
      code: c.code[i]!,
      name: c.name[i]!,
      category: text(c.category, i)!,
      plotRatioMin: num(c.plotRatioMin, i),
      plotRatioMax: num(c.plotRatioMax, i),
      refPrice: num(c.refPrice, i),
      approvalDate: text(c.approvalDate, i),
      countyCode: text(c.countyCode, i)!,
      plannedUse: text(c.plannedUse, i)!,
      status: text(c.status, i)!,
      fourUnStage: text(c.fourUnStage, i),
      areaM2: c.areaM2[i]!,
      urbanBoundaryId: num(c.urbanBoundaryId, i),
      conflict: c.conflict[i] === 1,
      lon: c.lon[i]!,
      lat: c.lat[i]!,
    };
  }
  return out;
}

/** The index of `columns` with the adjacency `pairs` (two ids each). */
export function buildIndex(key: string, columns: ParcelColumns, pairs: Int32Array): StockIndex {
  const parcels = entriesOf(columns);
  const byId = new Map(parcels.map((p) => [p.id, p]));
  const neighbours = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const a = pairs[i]!;
    const b = pairs[i + 1]!;
    // a retired parcel (已注销) keeps its pairs in the derived table but is no neighbour
    if (!byId.has(a) || !byId.has(b)) continue;
    link(a, b);
    link(b, a);
  }
  return { key, parcels, byId, neighbours };
}

/** `from` with the parcels of `columns` replaced, under `key`; null when one of them is new to it. */
export function patchIndex(from: StockIndex, key: string, columns: ParcelColumns): StockIndex | null {
  const fresh = entriesOf(columns);
  if (fresh.some((e) => !from.byId.has(e.id))) return null;
  const replaced = new Map(fresh.map((e) => [e.id, e]));
  const parcels = from.parcels.map((p) => replaced.get(p.id) ?? p);
  return { key, parcels, byId: new Map(parcels.map((p) => [p.id, p])), neighbours: from.neighbours };
}

/**
 * The parcels a query selects — all of them in order, or with `first` only the first so
 * many (a page needs no full sort) — with their distances to `near` when given.
 */
export function select(idx: StockIndex, q: StockSearchQuery, first?: number): { total: number; selected: IndexEntry[]; distances: Map<number, number> | null } {
  const keep = stockFilter(q);
  const d = q.near ? distanceTo({ type: 'Point', coordinates: q.near }) : null;
  const distances = d ? new Map<number, number>() : null;
  const distanceOf = distances ? (p: CatalogueParcel) => distances.get(p.id)! : undefined;
  const cmp = stockComparator(q.sort, distanceOf);
  // a deep page is cheaper sorted whole than kept in order one insertion at a time
  const top = first === undefined || first > 5_000 ? null : new TopK<IndexEntry>(first, cmp);
  const all: IndexEntry[] = [];
  let total = 0;
  for (const p of idx.parcels) {
    if (!keep(p)) continue;
    total++;
    if (d) distances!.set(p.id, d(p.lon, p.lat));
    if (top) top.push(p);
    else all.push(p);
  }
  return { total, selected: top ? top.values() : all.sort(cmp), distances };
}

export const withDistances = (ps: IndexEntry[], distances: Map<number, number> | null) => ({
  ids: ps.map((p) => p.id),
  distances: ps.map((p) => distances?.get(p.id) ?? null),
});

export function ranked(idx: StockIndex, offers: readonly MatchOffer[], distance: ((lon: number, lat: number) => number) | null): RankedOffers['offers'] {
  return offers.map((o) => ({
    ...o,
    parcelDistances: o.parcelIds.map((id) => {
      const e = idx.byId.get(id)!;
      return distance ? distance(e.lon, e.lat) : null;
    }),
  }));
}

export function bandsOf(idx: StockIndex): Bands {
  if (idx.bands) return idx.bands;
  const byUse: Bands['byUse'] = new Map();
  let available = 0;
  for (const p of idx.parcels) {
    if (p.status !== '可供应') continue;
    available++;
    let b = byUse.get(p.plannedUse);
    if (!b) byUse.set(p.plannedUse, (b = { lats: new Float64Array(0), parcels: [], compatible: 0, conflicting: 0 }));
    b.compatible++;
    if (p.conflict) b.conflicting++;
    else b.parcels.push(p);
  }
  for (const b of byUse.values()) {
    b.parcels.sort((x, y) => x.lat - y.lat);
    b.lats = Float64Array.from(b.parcels, (p) => p.lat);
  }
  return (idx.bands = { available, byUse });
}

/** The first index whose latitude is at least `lat`. */
export function lowerBound(lats: Float64Array, lat: number): number {
  let lo = 0;
  let hi = lats.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lats[mid]! < lat) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A match within a radius of a place, ranked over the parcels that can be eligible and lie in the
 * band of latitudes the radius can reach, not the whole library: the same offers and, with the
 * counts of the rest (in scope, available, of a compatible use, conflicting; the others of a
 * compatible use are beyond the radius), the same tally as core's matchParcels over every parcel.
 */
export function matchWithin(idx: StockIndex, need: { use: PlannedUse; areaM2: number }, near: Place, maxDistanceKm: number, limit: number) {
  const bands = bandsOf(idx);
  const lats = (near.type === 'Point' ? [near.coordinates] : near.type === 'Polygon' ? near.coordinates.flat() : near.coordinates.flat(2)).map((c) => c[1]!);
  const reach = (maxDistanceKm * 1000 + 10) / MIN_M_PER_DEGREE_LAT;
  const from = Math.min(...lats) - reach;
  const to = Math.max(...lats) + reach;
  const subset: IndexEntry[] = [];
  let compatible = 0;
  let conflicting = 0;
  for (const use of usesFor(need.use)) {
    const b = bands.byUse.get(use);
    if (!b) continue;
    compatible += b.compatible;
    conflicting += b.conflicting;
    for (let i = lowerBound(b.lats, from); i < b.parcels.length && b.lats[i]! <= to; i++) subset.push(b.parcels[i]!);
  }
  const distance = distanceTo(near);
  const result = matchParcels(subset, (id) => idx.neighbours.get(id) ?? [], {
    need,
    maxDistanceKm,
    limit,
    distanceOf: (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat),
  });
  const t = result.tally;
  result.tally = { ...t, inScope: idx.parcels.length, available: bands.available, compatibleUse: compatible, conflicting, tooFar: compatible - conflicting - t.eligible };
  return { result, distance };
}

export type Place = Parameters<typeof distanceTo>[0];

export function match(idx: StockIndex, req: Extract<Request, { op: 'match' }>['req'], maxDistanceKm: number | undefined): RankedOffers {
  const areaM2 = req.areaMu !== undefined ? muToM2(req.areaMu) : haToM2(req.areaHa!);
  if (req.near && maxDistanceKm !== undefined && req.county === undefined) {
    const { result, distance } = matchWithin(idx, { use: req.use, areaM2 }, req.near as Place, maxDistanceKm, req.limit);
    return { tally: result.tally, offers: ranked(idx, result.offers, distance) };
  }
  const distance = req.near ? distanceTo(req.near as Place) : null;
  const result = matchParcels(idx.parcels, (id) => idx.neighbours.get(id) ?? [], {
    need: { use: req.use, areaM2 },
    county: req.county,
    maxDistanceKm,
    limit: req.limit,
    distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
  });
  return { tally: result.tally, offers: ranked(idx, result.offers, distance) };
}

/** StockCatalogue.matchRequest's ranking: an area range, plot ratios, a budget. */
export function matchRequest(idx: StockIndex, r: LandRequestNeed, limit: number): RankedOffers {
  const distance = r.near ? distanceTo({ type: 'Point', coordinates: r.near }) : null;
  const budget = r.budgetWan ?? null;
  const priceOf = (p: IndexEntry) => (p.refPrice === null ? 0 : p.refPrice * (p.areaM2 / M2_PER_MU));
  const admit = (q: IndexedParcel) => {
    const p = q as IndexEntry;
    if (r.plotRatioMin != null && p.plotRatioMax !== null && p.plotRatioMax < r.plotRatioMin) return false;
    if (r.plotRatioMax != null && p.plotRatioMin !== null && p.plotRatioMin > r.plotRatioMax) return false;
    return budget === null || priceOf(p) <= budget;
  };
  const result = matchParcels(idx.parcels, (id) => idx.neighbours.get(id) ?? [], {
    need: { use: r.use, areaM2: muToM2(r.areaMinMu) },
    areaRangeM2: [muToM2(r.areaMinMu), muToM2(r.areaMaxMu)],
    county: r.county ?? undefined,
    maxDistanceKm: r.radiusKm ?? undefined,
    admit,
    // a combination's summed price may pass the budget: ask for more, keep those within it
    limit: budget === null ? limit : limit * 3,
    distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
  });
  const offers = result.offers.filter((o) => budget === null || o.parcelIds.reduce((sum, id) => sum + priceOf(idx.byId.get(id)!), 0) <= budget).slice(0, limit);
  return { tally: result.tally, offers: ranked(idx, offers, distance) };
}

