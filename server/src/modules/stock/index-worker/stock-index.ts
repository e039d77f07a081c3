/**
 * The stock-land index (what the catalogue's worker holds) and the questions asked of it: search
 * filtering and sorting (core/stock-search.ts), ranking of singles and combinations
 * (core/stock-match.ts). Pure: the worker (task.ts) keeps one index and answers with these.
 */
import { matchParcels, usesFor, type IndexedParcel, type MatchOffer, type MatchOptions, type MatchResult, type PlannedUse } from '../../../../../core/stock-match.ts';
import type { StockSearchQuery } from '../../../../../core/contracts/stock.ts';
import { stockComparator, stockDimensions, stockFilter, type CatalogueParcel } from '../../../../../core/stock-search.ts';
import { TopK } from '../../../../../core/top-k.ts';
import { distanceTo } from '../../../../../core/planar-distance.ts';
import { haToM2, M2_PER_MU, muToM2 } from '../../../../../core/units.ts';
import { NONE, type LandRequestNeed, type ParcelColumns, type RankedOffers, type Request, type TextColumn } from './protocol.ts';

export interface IndexEntry extends IndexedParcel, CatalogueParcel {
  lon: number;
  lat: number;
  /** Its position in the index's parcels (the row of per-question scratch arrays). */
  slot: number;
  /** Code and name in lower case, for the text search. */
  lowered: readonly [string, string];
}

export interface StockIndex {
  key: string;
  parcels: IndexEntry[];
  byId: Map<number, IndexEntry>;
  /** Adjacent parcels' ids, by parcel id (an array: read for every small parcel of a match). */
  neighbours: (number[] | undefined)[];
  /** The available parcels clear of farmland and the red line, per use, by latitude (built at the first match within a radius). */
  bands?: Bands;
  /** The parcels by county, status and use (built at the first search or match that needs them). */
  groups?: Groups;
  /** Distances by slot, written by each question that measures them (the worker answers one at a time). */
  scratch?: Float64Array;
}

/** The parcels partitioned by county × status × use, and the values each of the three takes. */
interface Groups {
  lists: Map<string, IndexEntry[]>;
  counties: string[];
  statuses: string[];
  uses: string[];
  /** Parcels per county, and of them 可供应. */
  perCounty: Map<string, { inScope: number; available: number }>;
}

const groupKey = (county: string, status: string, use: string) => `${county}\u0001${status}\u0001${use}`;

export function groupsOf(idx: StockIndex): Groups {
  if (idx.groups) return idx.groups;
  const lists = new Map<string, IndexEntry[]>();
  const counties = new Set<string>();
  const statuses = new Set<string>();
  const uses = new Set<string>();
  const perCounty = new Map<string, { inScope: number; available: number }>();
  for (const p of idx.parcels) {
    const key = groupKey(p.countyCode, p.status, p.plannedUse);
    const list = lists.get(key);
    if (list) list.push(p);
    else lists.set(key, [p]);
    counties.add(p.countyCode);
    statuses.add(p.status);
    uses.add(p.plannedUse);
    let c = perCounty.get(p.countyCode);
    if (!c) perCounty.set(p.countyCode, (c = { inScope: 0, available: 0 }));
    c.inScope++;
    if (p.status === '可供应') c.available++;
  }
  return (idx.groups = { lists, counties: [...counties], statuses: [...statuses], uses: [...uses], perCounty });
}

/** The lists holding every parcel of the given counties, statuses and uses (undefined: any). */
function listsFor(idx: StockIndex, d: { counties?: readonly string[]; statuses?: readonly string[]; uses?: readonly string[] }): IndexEntry[][] {
  const g = groupsOf(idx);
  const out: IndexEntry[][] = [];
  for (const c of d.counties ?? g.counties)
    for (const s of d.statuses ?? g.statuses)
      for (const u of d.uses ?? g.uses) {
        const list = g.lists.get(groupKey(c, s, u));
        if (list) out.push(list);
      }
  return out;
}

/** A list's codes and names in lower case, each run joined by a line break, and where each parcel's starts. */
interface TextRuns {
  codes: string;
  codeStarts: Int32Array;
  names: string;
  nameStarts: Int32Array;
}
const SEPARATOR = '\n';
const textRuns = new WeakMap<IndexEntry[], TextRuns>();

function runsOf(list: IndexEntry[]): TextRuns {
  let runs = textRuns.get(list);
  if (runs) return runs;
  const join = (k: 0 | 1) => {
    const starts = new Int32Array(list.length);
    let at = 0;
    const parts = list.map((p, i) => {
      starts[i] = at;
      at += p.lowered[k].length + 1;
      return p.lowered[k];
    });
    return [parts.join(SEPARATOR), starts] as const;
  };
  const [codes, codeStarts] = join(0);
  const [names, nameStarts] = join(1);
  textRuns.set(list, (runs = { codes, codeStarts, names, nameStarts }));
  return runs;
}

/**
 * The parcels of `list` whose code or name holds `text` (lower case, no line break): the string
 * search runs over the list's joined codes and names (V8 skips ahead through a long string, where
 * one search per parcel starts afresh each time), each parcel once.
 */
function textHits(list: IndexEntry[], text: string): IndexEntry[] {
  const runs = runsOf(list);
  const hit = new Set<number>();
  const out: IndexEntry[] = [];
  for (const [joined, starts] of [[runs.codes, runs.codeStarts], [runs.names, runs.nameStarts]] as const) {
    let at = joined.indexOf(text);
    while (at !== -1) {
      // the parcel whose text holds position `at`: the last start at or before it
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (starts[mid]! <= at) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      if (!hit.has(i)) {
        hit.add(i);
        out.push(list[i]!);
      }
      at = i + 1 < starts.length ? joined.indexOf(text, starts[i + 1]!) : -1;
    }
  }
  return out;
}

const NO_NEIGHBOURS: readonly number[] = [];
export const neighboursOf = (idx: StockIndex) => (id: number): readonly number[] => idx.neighbours[id] ?? NO_NEIGHBOURS;

const scratchOf = (idx: StockIndex) => (idx.scratch ??= new Float64Array(idx.parcels.length));

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
      slot: i,
      lowered: [c.code[i]!.toLowerCase(), c.name[i]!.toLowerCase()],
    };
  }
  return out;
}

/**
 * `idx` with what its questions read built now — the partition by county, status and use, each
 * list's joined text, the latitude bands of the match within a radius — so that no request pays
 * for it (at a province's size about a second, in this worker, at each load or patch).
 */
function prepared(idx: StockIndex): StockIndex {
  for (const list of groupsOf(idx).lists.values()) runsOf(list);
  bandsOf(idx);
  scratchOf(idx);
  return idx;
}

/** The index of `columns` with the adjacency `pairs` (two ids each). */
export function buildIndex(key: string, columns: ParcelColumns, pairs: Int32Array): StockIndex {
  const parcels = entriesOf(columns);
  const byId = new Map(parcels.map((p) => [p.id, p]));
  let maxId = 0;
  for (const p of parcels) if (p.id > maxId) maxId = p.id;
  const neighbours: (number[] | undefined)[] = new Array(maxId + 1);
  const link = (a: number, b: number) => {
    const list = neighbours[a];
    if (list) list.push(b);
    else neighbours[a] = [b];
  };
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const a = pairs[i]!;
    const b = pairs[i + 1]!;
    // a retired parcel (已注销) keeps its pairs in the derived table but is no neighbour
    if (!byId.has(a) || !byId.has(b)) continue;
    link(a, b);
    link(b, a);
  }
  return prepared({ key, parcels, byId, neighbours });
}

/** `from` with the parcels of `columns` replaced, under `key`; null when one of them is new to it. */
export function patchIndex(from: StockIndex, key: string, columns: ParcelColumns): StockIndex | null {
  const fresh = entriesOf(columns);
  if (fresh.some((e) => !from.byId.has(e.id))) return null;
  const replaced = new Map(fresh.map((e) => [e.id, e]));
  const parcels = from.parcels.map((p, slot) => {
    const e = replaced.get(p.id);
    if (!e) return p;
    e.slot = slot;
    return e;
  });
  return prepared({ key, parcels, byId: new Map(parcels.map((p) => [p.id, p])), neighbours: from.neighbours });
}

/**
 * The parcels a query selects — all of them in order, or with `first` only the first so
 * many (a page needs no full sort) — with their distances to `near` when given. Only the lists
 * of the query's counties, statuses and uses are read.
 */
export function select(idx: StockIndex, q: StockSearchQuery, first?: number): { total: number; selected: IndexEntry[]; distances: ((p: IndexEntry) => number) | null } {
  const text = q.q ? q.q.toLowerCase() : null;
  // text without a line break is found by string search over each list's joined codes and names
  const byText = text !== null && !text.includes(SEPARATOR);
  const keep = stockFilter(q, { dimensions: false, text: !byText, lowered: (p) => (p as IndexEntry).lowered });
  const d = q.near ? distanceTo({ type: 'Point', coordinates: q.near }) : null;
  const dist = d ? scratchOf(idx) : null;
  const distances = dist ? (p: IndexEntry) => dist[p.slot]! : null;
  const cmp = stockComparator(q.sort, distances ? (p) => distances(p as IndexEntry) : undefined);
  // a deep page is cheaper sorted whole than kept in order one insertion at a time
  const top = first === undefined || first > 5_000 ? null : new TopK<IndexEntry>(first, cmp);
  const all: IndexEntry[] = [];
  let total = 0;
  for (const list of listsFor(idx, stockDimensions(q)))
    for (const p of byText ? textHits(list, text) : list) {
      if (!keep(p)) continue;
      total++;
      if (d) dist![p.slot] = d(p.lon, p.lat);
      if (top) top.push(p);
      else all.push(p);
    }
  return { total, selected: top ? top.values() : all.sort(cmp), distances };
}

export const withDistances = (ps: IndexEntry[], distances: ((p: IndexEntry) => number) | null) => ({
  ids: ps.map((p) => p.id),
  distances: ps.map((p) => (distances ? distances(p) : null)),
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
  const result = matchParcels(subset, neighboursOf(idx), {
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
  const result = matchAvailable(idx, {
    need: { use: req.use, areaM2 },
    county: req.county,
    maxDistanceKm,
    limit: req.limit,
    distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
  });
  return { tally: result.tally, offers: ranked(idx, result.offers, distance) };
}

/**
 * core's matchParcels over the library (or a county of it), reading only the 可供应 parcels of
 * the uses the need can take: the same offers and tally, the counts of the rest (in scope,
 * available) from the index's partition.
 */
export function matchAvailable(idx: StockIndex, opts: MatchOptions): MatchResult {
  const g = groupsOf(idx);
  const candidates = listsFor(idx, { counties: opts.county ? [opts.county] : undefined, statuses: ['可供应'], uses: usesFor(opts.need.use) }).flat();
  const result = matchParcels(candidates, neighboursOf(idx), opts);
  let inScope = 0;
  let available = 0;
  if (opts.county) {
    inScope = g.perCounty.get(opts.county)?.inScope ?? 0;
    available = g.perCounty.get(opts.county)?.available ?? 0;
  } else {
    inScope = idx.parcels.length;
    for (const c of g.perCounty.values()) available += c.available;
  }
  result.tally = { ...result.tally, inScope, available };
  return result;
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
  const result = matchAvailable(idx, {
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

