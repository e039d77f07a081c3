/**
 * The stock-land index worker: holds the catalogue's index (stock/catalogue.ts) and answers its
 * questions — search filtering and sorting (core/stock-search.ts), ranking of singles and
 * combinations (core/stock-match.ts) — off the event loop that serves requests. One index at a
 * time, under the key of the source layers' versions it was read at; a question asked of another
 * key is answered `stale` (the catalogue loads again and asks once more).
 */
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { matchParcels, type IndexedParcel, type MatchOffer } from '../../../../../core/stock-match.ts';
import type { StockSearchQuery } from '../../../../../core/contracts/stock.ts';
import { stockComparator, stockFilter, type CatalogueParcel } from '../../../../../core/stock-search.ts';
import { TopK } from '../../../../../core/top-k.ts';
import { distanceTo } from '../../../../../core/planar-distance.ts';
import { haToM2, M2_PER_MU, muToM2 } from '../../../../../core/units.ts';
import { NONE, type Answers, type LandRequestNeed, type ParcelColumns, type RankedOffers, type Reply, type Request, type TextColumn } from './protocol.ts';

interface IndexEntry extends IndexedParcel, CatalogueParcel {
  lon: number;
  lat: number;
}

interface StockIndex {
  key: string;
  parcels: IndexEntry[];
  byId: Map<number, IndexEntry>;
  neighbours: Map<number, number[]>;
}

let index: StockIndex | null = null;

class Stale extends Error {}

function entriesOf(c: ParcelColumns): IndexEntry[] {
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

function load(key: string, columns: ParcelColumns, pairs: Int32Array): Answers['load'] {
  index = null; // the old index goes before the new one is built
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
  index = { key, parcels, byId, neighbours };
  return { parcels: parcels.length };
}

function patch(from: string, key: string, columns: ParcelColumns): boolean {
  if (!index || index.key !== from) return false;
  const fresh = entriesOf(columns);
  if (fresh.some((e) => !index!.byId.has(e.id))) return false;
  const replaced = new Map(fresh.map((e) => [e.id, e]));
  const parcels = index.parcels.map((p) => replaced.get(p.id) ?? p);
  index = { key, parcels, byId: new Map(parcels.map((p) => [p.id, p])), neighbours: index.neighbours };
  return true;
}

function indexAt(key: string): StockIndex {
  if (!index || index.key !== key) throw new Stale();
  return index;
}

/**
 * The parcels a query selects — all of them in order, or with `first` only the first so
 * many (a page needs no full sort) — with their distances to `near` when given.
 */
function select(idx: StockIndex, q: StockSearchQuery, first?: number): { total: number; selected: IndexEntry[]; distances: Map<number, number> | null } {
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

const withDistances = (ps: IndexEntry[], distances: Map<number, number> | null) => ({
  ids: ps.map((p) => p.id),
  distances: ps.map((p) => distances?.get(p.id) ?? null),
});

function ranked(idx: StockIndex, offers: readonly MatchOffer[], distance: ((lon: number, lat: number) => number) | null): RankedOffers['offers'] {
  return offers.map((o) => ({
    ...o,
    parcelDistances: o.parcelIds.map((id) => {
      const e = idx.byId.get(id)!;
      return distance ? distance(e.lon, e.lat) : null;
    }),
  }));
}

function match(idx: StockIndex, req: Extract<Request, { op: 'match' }>['req'], maxDistanceKm: number | undefined): RankedOffers {
  const areaM2 = req.areaMu !== undefined ? muToM2(req.areaMu) : haToM2(req.areaHa!);
  const distance = req.near ? distanceTo(req.near as Parameters<typeof distanceTo>[0]) : null;
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
function matchRequest(idx: StockIndex, r: LandRequestNeed, limit: number): RankedOffers {
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

let collect: (() => void) | undefined;
export function setCollector(gc: () => void): void {
  collect = gc;
}

function answer(t: Request): { value: unknown; transfer?: ArrayBuffer[] } {
  switch (t.op) {
    case 'load':
      return { value: load(t.key, t.parcels, t.pairs) };
    case 'patch':
      return { value: patch(t.from, t.key, t.parcels) };
    case 'page': {
      const { total, selected, distances } = select(indexAt(t.key), t.q, t.offset + t.count);
      return { value: { total, ...withDistances(selected.slice(t.offset, t.offset + t.count), distances) } satisfies Answers['page'] };
    }
    case 'all': {
      const { selected, distances } = select(indexAt(t.key), t.q);
      const ids = Int32Array.from(selected, (p) => p.id);
      const ds = distances ? Float64Array.from(selected, (p) => distances.get(p.id)!) : null;
      return { value: { ids, distances: ds } satisfies Answers['all'], transfer: [ids.buffer, ...(ds ? [ds.buffer] : [])] };
    }
    case 'codes': {
      const keep = stockFilter(t.q);
      const out: string[] = [];
      for (const p of indexAt(t.key).parcels) if (keep(p)) out.push(p.code);
      return { value: out };
    }
    case 'newSince': {
      const { selected, distances } = select(indexAt(t.key), t.q);
      const seen = new Set(t.seen);
      const fresh = selected.filter((p) => !seen.has(p.code));
      return { value: { total: fresh.length, ...withDistances(fresh.slice(0, t.limit), distances) } satisfies Answers['newSince'] };
    }
    case 'match':
      return { value: match(indexAt(t.key), t.req, t.maxDistanceKm) };
    case 'matchRequest':
      return { value: matchRequest(indexAt(t.key), t.r, t.limit) };
    case 'memory':
      collect?.();
      return { value: { heapUsed: getHeapStatistics().used_heap_size, parcels: index?.parcels.length ?? 0 } satisfies Answers['memory'] };
  }
}

parentPort!.on('message', (t: Request) => {
  let reply: Reply;
  let transfer: ArrayBuffer[] | undefined;
  try {
    const a = answer(t);
    reply = { id: t.id, ok: true, value: a.value };
    transfer = a.transfer;
  } catch (e) {
    reply = { id: t.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e), ...(e instanceof Stale ? { stale: true } : {}) };
  }
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage({ ready: true });
