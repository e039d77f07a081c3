/**
 * The stock-land catalogue of one app: what search and matching read of every parcel —
 * code, name, county, category, stage, use, status, area, plot ratio, price, date, a point
 * inside, boundary polygon, conflict flag — and which parcels are adjacent, held in memory
 * and reloaded when one of its source layers' versions changes.
 *
 * - search (GET /api/stock-parcels) and the export filter and sort it (core/stock-search.ts)
 *   and read the page's full rows from the database;
 * - match (POST /api/stock-parcels/match, and the stock-first step of every site check)
 *   ranks singles and combinations (core/stock-match.ts) and reads the offers' attributes
 *   and union geometries from the database.
 *
 * Distances (search by distance, match near a place) are from the place to each parcel's
 * inner point, in a local plane on the CGCS2000 ellipsoid (core/planar-distance.ts).
 *
 * With a read replica, search and match take the request's reader: the catalogue is keyed by
 * the data versions the reader holds, and a reader that holds the catalogue's versions reads
 * the rows too. The catalogue itself is always loaded from the primary (loading refreshes the
 * derived tables there); a request whose replica is behind the catalogue, or ahead of it, is
 * answered from the primary — never with parcels its reader does not have yet.
 */
import { COMBINATION_MAX_GAP_M, matchParcels, usesFor, useFit, describeMatch, type IndexedParcel, type MatchOffer, type MatchTally, type PlannedUse } from '../../../../core/stock-match.ts';
import type { StockMatchRequest, StockMatchResponse, StockSearchQuery, StockSearchResponse } from '../../../../core/contracts/stock.ts';
import { stockComparator, stockFilter, type CatalogueParcel } from '../../../../core/stock-search.ts';
import { TopK } from '../../../../core/top-k.ts';
import { RETIRED_STATUS, SINGLE_PARCEL_KINDS } from '../../../../core/ledger.ts';
import { distanceTo } from '../../../../core/planar-distance.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { haToM2, M2_PER_MU, muToM2, toAreaUnits } from '../../../../core/units.ts';
import { DEFAULT_STOCK_FIRST_RADIUS_KM } from '../../../../core/stock-first.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { primaryReader, type Reader } from '../../db/replica.ts';
import { readDataVersions } from '../data-version/service.ts';
import { refreshStockDerived, STOCK_DERIVED_SOURCES } from './derived.ts';
import { parcelsById, unionGeometries, type StockParcelSummary } from './repo.ts';

/** The parcels search, export and matching see: not those retired by a split or merge (registry's servedWhere). */
const SERVED = `s.status <> '${RETIRED_STATUS}'`;

interface IndexEntry extends IndexedParcel, CatalogueParcel {
  lon: number;
  lat: number;
}

interface StockIndex {
  key: string;
  /** The stock layer's data version and the ledger's last event id when the rows were read. */
  stockVersion: number;
  eventId: number;
  parcels: IndexEntry[];
  byId: Map<number, IndexEntry>;
  neighbours: Map<number, number[]>;
}

export class StockCatalogue {
  private index: StockIndex | null = null;
  private loading: Promise<StockIndex> | null = null;
  private loadingKey = '';

  /** The stock-first step's search radius, km (STOCK_FIRST_RADIUS_KM; default 10). */
  readonly stockFirstRadiusKm: number;

  private readonly primary: Reader;

  constructor(
    private readonly db: Database,
    opts: { stockFirstRadiusKm?: number } = {},
  ) {
    this.stockFirstRadiusKm = opts.stockFirstRadiusKm ?? DEFAULT_STOCK_FIRST_RADIUS_KM;
    this.primary = primaryReader(db);
  }

  /** The catalogue as `reader` holds it, and where to read its rows (`q`): the reader, or the primary when the reader is not at the catalogue's versions. */
  private async current(reader: Reader = this.primary): Promise<{ index: StockIndex; dataVersion: string; q: Queryable }> {
    const versions = await readDataVersions(reader);
    const key = STOCK_DERIVED_SOURCES.map((l) => `${l}:${versions.byLayer[l] ?? 0}`).join(';');
    if (this.index?.key === key) return { index: this.index, dataVersion: versions.overall, q: reader };
    // a replica behind or ahead of the catalogue: the primary answers (and reloads it if it is behind)
    if (reader.source !== 'primary') return this.current(this.primary);
    if (!this.loading || this.loadingKey !== key) {
      this.loadingKey = key;
      const from = this.index;
      // the ledger's changes alone are patched in; anything else reloads the whole catalogue
      this.loading = (from ? this.patch(from, key) : Promise.resolve(null))
        .then((patched) => patched ?? this.load(key))
        .finally(() => {
          this.loading = null;
        });
    }
    const index = await this.loading;
    this.index = index;
    return { index, dataVersion: versions.overall, q: this.db };
  }

  /**
   * The catalogue after ledger events alone (supply, disposal, redevelopment, reservation and its
   * withdrawal: a parcel's status or category, nothing the derived tables hold): the parcels they
   * changed read again and replaced, not the 100 000 others. Applies only when every change of the
   * stock layer since `from` was read is such an event — its data version moved exactly once per
   * event that changed a parcel's state (each writes one UPDATE, in the event's transaction) and
   * no other source layer moved; else null, and the whole catalogue is read again.
   */
  private async patch(from: StockIndex, key: string): Promise<StockIndex | null> {
    const others = (k: string) => k.split(';').filter((part) => !part.startsWith('stock-parcel:')).join(';');
    if (others(from.key) !== others(key)) return null;
    const [r] = await this.db.query<{ version: number; last_id: number; changes: number; others: number; codes: string[] | null }>(
      `SELECT (SELECT version FROM data_version WHERE layer = 'stock-parcel') AS version,
              coalesce(max(id), $1) AS last_id,
              count(*) FILTER (WHERE kind = ANY($2::text[]) AND (category_before, status_before) IS DISTINCT FROM (category_after, status_after))::int AS changes,
              count(*) FILTER (WHERE NOT kind = ANY($2::text[]))::int AS others,
              array_agg(DISTINCT parcel_code) AS codes
         FROM stock_event WHERE id > $1`,
      [from.eventId, [...SINGLE_PARCEL_KINDS]],
    );
    if (!r || Number(r.others) > 0 || Number(r.version) - from.stockVersion !== Number(r.changes)) return null;
    const stockVersion = Number(r.version);
    const rekey = key.replace(/stock-parcel:\d+/, `stock-parcel:${stockVersion}`);
    const codes = r.codes ?? [];
    const fresh = codes.length ? await this.entries(`s.code = ANY($2::text[])`, [codes]) : [];
    if (fresh.length !== codes.length) return null;
    const replaced = new Map(fresh.map((e) => [e.id, e]));
    if ([...replaced.keys()].some((id) => !from.byId.has(id))) return null;
    const parcels = from.parcels.map((p) => replaced.get(p.id) ?? p);
    return { key: rekey, stockVersion, eventId: Number(r.last_id), neighbours: from.neighbours, parcels, byId: new Map(parcels.map((p) => [p.id, p])) };
  }

  private async load(key: string): Promise<StockIndex> {
    await refreshStockDerived(this.db);
    // where the ledger stood before the rows are read: a later patch starts from here
    const [at] = await this.db.query<{ version: number; event_id: number }>(
      `SELECT (SELECT version FROM data_version WHERE layer = 'stock-parcel') AS version, (SELECT coalesce(max(id), 0) FROM stock_event) AS event_id`,
    );
    const parcels = await this.entries(SERVED);
    const [{ n } = { n: -1 }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_parcel s WHERE ${SERVED}`);
    if (parcels.length !== n) throw new Error(`存量地块索引不完整：${n} 宗地块只读到 ${parcels.length} 宗`);
    const neighbours = new Map<number, number[]>();
    const link = (a: number, b: number) => {
      const list = neighbours.get(a);
      if (list) list.push(b);
      else neighbours.set(a, [b]);
    };
    const served = new Set(parcels.map((p) => p.id));
    for (const { a_id, b_id } of await this.db.query<{ a_id: number; b_id: number }>('SELECT a_id, b_id FROM stock_adjacency')) {
      // a retired parcel (已注销) keeps its pairs in the derived table but is no neighbour
      if (!served.has(Number(a_id)) || !served.has(Number(b_id))) continue;
      link(Number(a_id), Number(b_id));
      link(Number(b_id), Number(a_id));
    }
    return { key, stockVersion: Number(at?.version ?? 0), eventId: Number(at?.event_id ?? 0), neighbours, parcels, byId: new Map(parcels.map((p) => [p.id, p])) };
  }

  /** The catalogue's entries of the parcels `where` selects (`$2` its parameter, if any). */
  private async entries(where: string, params: unknown[] = []): Promise<IndexEntry[]> {
    const rows = await this.db.query<{
      id: number; code: string; name: string; category: string; county_code: string; planned_use: string; status: string;
      four_un_stage: string | null; area_m2: number; plot_ratio_min: number | null; plot_ratio_max: number | null;
      ref_price: number | null; approval_date: string | null; lon: number; lat: number; urban_boundary_id: number | null; conflict: boolean;
    }>(
      `SELECT s.id, s.code, s.name, s.category, s.county_code, s.planned_use, s.status, s.four_un_stage, s.area_m2,
              s.plot_ratio_min, s.plot_ratio_max, s.ref_price, s.approval_date::text AS approval_date,
              ST_X(p.pt) AS lon, ST_Y(p.pt) AS lat, st.urban_boundary_id,
              (st.permanent_farmland_m2 > $1 OR st.eco_redline_m2 > $1) AS conflict
         FROM stock_parcel s
         JOIN stock_standing st ON st.parcel_id = s.id
         CROSS JOIN LATERAL (SELECT ST_PointOnSurface(s.geom) AS pt) p
        WHERE ${where}`,
      [OVERLAP_EPSILON_M2, ...params],
    );
    // one string instance per distinct value: the matcher compares and hashes them per parcel
    const pool = new Map<string, string>();
    const intern = <T extends string | null>(v: T): T => (v === null ? v : ((pool.get(v) ?? (pool.set(v, v), v)) as T));
    return rows.map((r) => ({
        id: Number(r.id),
        code: r.code,
        name: r.name,
        category: intern(r.category),
        plotRatioMin: r.plot_ratio_min === null ? null : Number(r.plot_ratio_min),
        plotRatioMax: r.plot_ratio_max === null ? null : Number(r.plot_ratio_max),
        refPrice: r.ref_price === null ? null : Number(r.ref_price),
        approvalDate: r.approval_date,
        countyCode: intern(r.county_code),
        plannedUse: intern(r.planned_use),
        status: intern(r.status),
        fourUnStage: intern(r.four_un_stage),
        areaM2: Number(r.area_m2),
        urbanBoundaryId: r.urban_boundary_id === null ? null : Number(r.urban_boundary_id),
        conflict: r.conflict,
        lon: Number(r.lon),
        lat: Number(r.lat),
      }));
  }

  /**
   * The parcels a query selects — all of them in order, or with `first` only the first so
   * many (a page needs no full sort) — with their distances to `near` when given.
   */
  private async select(
    q: StockSearchQuery,
    first?: number,
    reader?: Reader,
  ): Promise<{ total: number; selected: IndexEntry[]; distances: Map<number, number> | null; rowsFrom: Queryable }> {
    const { index, q: rowsFrom } = await this.current(reader);
    const keep = stockFilter(q);
    const d = q.near ? distanceTo({ type: 'Point', coordinates: q.near }) : null;
    const distances = d ? new Map<number, number>() : null;
    const distanceOf = distances ? (p: CatalogueParcel) => distances.get(p.id)! : undefined;
    const cmp = stockComparator(q.sort, distanceOf);
    // a deep page is cheaper sorted whole than kept in order one insertion at a time
    const top = first === undefined || first > 5_000 ? null : new TopK<IndexEntry>(first, cmp);
    const all: IndexEntry[] = [];
    let total = 0;
    for (const p of index.parcels) {
      if (!keep(p)) continue;
      total++;
      if (d) distances!.set(p.id, d(p.lon, p.lat));
      if (top) top.push(p);
      else all.push(p);
    }
    return { total, selected: top ? top.values() : all.sort(cmp), distances, rowsFrom };
  }

  /** Rows of parcels in the order of `ids`, with their distances. */
  private async rows(ids: number[], distances: Map<number, number> | null, from: Queryable = this.db): Promise<StockParcelSummary[]> {
    const byId = await parcelsById(from, ids);
    return ids.map((id) => {
      const s = byId.get(id);
      if (!s) throw new Error(`存量地块 ${id} 已不存在`);
      return { ...s, distanceM: distances?.get(id) ?? null };
    });
  }

  /** One page of the parcels a query selects, and how many it selects. */
  async search(q: StockSearchQuery, reader?: Reader): Promise<StockSearchResponse> {
    const { total, selected, distances, rowsFrom } = await this.select(q, q.page * q.pageSize, reader);
    const page = selected.slice((q.page - 1) * q.pageSize);
    return { total, page: q.page, pageSize: q.pageSize, items: await this.rows(page.map((p) => p.id), distances, rowsFrom) };
  }

  /** The codes of every parcel a query selects (a saved search remembers them between visits). */
  async codes(q: StockSearchQuery): Promise<string[]> {
    const { index } = await this.current();
    const keep = stockFilter(q);
    const out: string[] = [];
    for (const p of index.parcels) if (keep(p)) out.push(p.code);
    return out;
  }

  /** The parcels a query selects whose codes are not in `seen`, in the query's order: how many, and the first `limit`. */
  async newSince(q: StockSearchQuery, seen: ReadonlySet<string>, limit: number): Promise<{ total: number; items: StockParcelSummary[] }> {
    const { selected, distances } = await this.select(q);
    const fresh = selected.filter((p) => !seen.has(p.code));
    return { total: fresh.length, items: await this.rows(fresh.slice(0, limit).map((p) => p.id), distances) };
  }

  /** Every parcel a query selects, in its order (the export). */
  async list(q: StockSearchQuery, reader?: Reader): Promise<StockParcelSummary[]> {
    const { selected, distances, rowsFrom } = await this.select(q, undefined, reader);
    return this.rows(selected.map((p) => p.id), distances, rowsFrom);
  }

  /**
   * Ranked single parcels and combinations for a need, with every score part. With
   * `geometry: false` the offers' union geometries are not built (the site check files the
   * offers without them) and each candidate's geometry is null. `stockFirst` matches within
   * the configured stock-first radius (the site check's step, and the panel's preview of it).
   */
  async match(req: StockMatchRequest, opts: { geometry?: boolean; reader?: Reader } = {}): Promise<StockMatchResponse> {
    const { index, dataVersion, q } = await this.current(opts.reader);
    const areaM2 = req.areaMu !== undefined ? muToM2(req.areaMu) : haToM2(req.areaHa!);
    const distance = req.near ? distanceTo(req.near as Parameters<typeof distanceTo>[0]) : null;
    const maxDistanceKm = req.stockFirst ? this.stockFirstRadiusKm : req.maxDistanceKm;
    const result = matchParcels(index.parcels, (id) => index.neighbours.get(id) ?? [], {
      need: { use: req.use, areaM2 },
      county: req.county,
      maxDistanceKm,
      limit: req.limit,
      distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
    });
    return {
      need: {
        use: req.use,
        area: toAreaUnits(areaM2),
        uses: usesFor(req.use),
        county: req.county ?? null,
        maxDistanceKm: maxDistanceKm ?? null,
        located: req.near !== undefined,
      },
      dataVersion,
      tally: result.tally,
      summaryZh: describeMatch(result.tally, 'zh', maxDistanceKm),
      summaryEn: describeMatch(result.tally, 'en', maxDistanceKm),
      combinationGapM: COMBINATION_MAX_GAP_M,
      candidates: await this.candidates(index, result.offers, req.use, distance, opts.geometry !== false, q),
    };
  }

  /**
   * The matches for an enterprise's land request (docs/domain.md, "Enterprise land requests"):
   * offers totalling an area within the request's range — the nearer its lower end the better
   * (the need is scored against it: land is to be used sparingly) — in its county or within its
   * radius of its point; each parcel's plot-ratio range overlapping the request's (a parcel with
   * none set passes) and its price (参考价 × 面积) within the budget; a combination's summed
   * price within it too. Without geometry (a request lists many; the parcel page shows each).
   */
  async matchRequest(
    r: { use: PlannedUse; areaMinMu: number; areaMaxMu: number; county?: string | null; near?: [number, number] | null; radiusKm?: number | null; plotRatioMin?: number | null; plotRatioMax?: number | null; budgetWan?: number | null },
    limit: number,
  ): Promise<{ candidates: StockMatchResponse['candidates']; dataVersion: string }> {
    const { index, dataVersion } = await this.current();
    const distance = r.near ? distanceTo({ type: 'Point', coordinates: r.near }) : null;
    const budget = r.budgetWan ?? null;
    const priceOf = (p: IndexEntry) => (p.refPrice === null ? 0 : p.refPrice * (p.areaM2 / M2_PER_MU));
    const admit = (q: IndexedParcel) => {
      const p = q as IndexEntry;
      if (r.plotRatioMin != null && p.plotRatioMax !== null && p.plotRatioMax < r.plotRatioMin) return false;
      if (r.plotRatioMax != null && p.plotRatioMin !== null && p.plotRatioMin > r.plotRatioMax) return false;
      return budget === null || priceOf(p) <= budget;
    };
    const result = matchParcels(index.parcels, (id) => index.neighbours.get(id) ?? [], {
      need: { use: r.use, areaM2: muToM2(r.areaMinMu) },
      areaRangeM2: [muToM2(r.areaMinMu), muToM2(r.areaMaxMu)],
      county: r.county ?? undefined,
      maxDistanceKm: r.radiusKm ?? undefined,
      admit,
      // a combination's summed price may pass the budget: ask for more, keep those within it
      limit: budget === null ? limit : limit * 3,
      distanceOf: distance ? (p) => distance((p as IndexEntry).lon, (p as IndexEntry).lat) : undefined,
    });
    const offers = result.offers.filter((o) => budget === null || o.parcelIds.reduce((sum, id) => sum + priceOf(index.byId.get(id)!), 0) <= budget).slice(0, limit);
    return { candidates: await this.candidates(index, offers, r.use, distance, false), dataVersion };
  }

  /** The offers as the answer lists them: each parcel's row, its distance and use fit; the union geometry when asked. */
  private async candidates(
    index: StockIndex,
    offers: readonly MatchOffer[],
    use: PlannedUse,
    distance: ((lon: number, lat: number) => number) | null,
    geometry: boolean,
    from: Queryable = this.db,
  ): Promise<StockMatchResponse['candidates']> {
    const distanceOf = (id: number) => {
      const e = index.byId.get(id)!;
      return distance ? distance(e.lon, e.lat) : null;
    };
    const ids = [...new Set(offers.flatMap((o) => o.parcelIds))];
    const [summaries, geometries] = await Promise.all([
      parcelsById(from, ids),
      geometry ? unionGeometries(from, offers.map((o) => o.parcelIds)) : offers.map(() => null),
    ]);
    return offers.map((o, i) => ({
      rank: i + 1,
      kind: o.kind,
      score: o.score,
      parts: o.parts,
      totalArea: toAreaUnits(o.areaM2),
      distanceM: o.distanceM,
      geometry: geometries[i]!,
      parcels: o.parcelIds.map((id) => {
        const s = summaries.get(id);
        if (!s) throw new Error(`存量地块 ${id} 已不存在`);
        return { ...s, distanceM: distanceOf(id), useFit: useFit(use, s.plannedUse) as 'same' | 'compatible' };
      }),
    }));
  }
}

export type { MatchTally };

declare module 'fastify' {
  interface FastifyInstance {
    /** The stock-land catalogue of this app: search, export and matching (its index lives as long as the app). */
    stockCatalogue: StockCatalogue;
  }
}
