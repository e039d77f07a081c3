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
 * The index lives in a worker thread (stock/index-client.ts, stock/index-worker/), which does the
 * filtering, sorting and ranking, so that none of it holds the event loop; this side reads the
 * versions and the rows from the database (the embedded database lives on this thread), ships the
 * index to the worker once per load — then only the parcels a ledger event changed — and builds
 * the answers from the ids the worker returns. A lost worker is replaced: the index is loaded
 * into the new one and the question asked once more; failing again, the answer is a 503.
 */
import { COMBINATION_MAX_GAP_M, usesFor, useFit, describeMatch, type MatchTally, type PlannedUse } from '../../../../core/stock-match.ts';
import type { StockMatchRequest, StockMatchResponse, StockSearchQuery, StockSearchResponse } from '../../../../core/contracts/stock.ts';
import { SINGLE_PARCEL_KINDS, RETIRED_STATUS } from '../../../../core/ledger.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { haToM2, muToM2, toAreaUnits } from '../../../../core/units.ts';
import { DEFAULT_STOCK_FIRST_RADIUS_KM } from '../../../../core/stock-first.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { primaryReader, type Reader } from '../../db/replica.ts';
import { AppError } from '../../plugins/errors.ts';
import { readDataVersions } from '../data-version/service.ts';
import { refreshStockDerived, STOCK_DERIVED_SOURCES } from './derived.ts';
import { IndexStale, IndexWorkerLost, StockIndexWorker, type IndexWorkerOptions } from './index-client.ts';
import { NONE, transferListOf, type LandRequestNeed, type ParcelColumns, type RankedOffers, type TextColumn } from './index-worker/protocol.ts';
import { parcelsById, unionGeometries, type StockParcelSummary } from './repo.ts';

/** The parcels search, export and matching see: not those retired by a split or merge (registry's servedWhere). */
const SERVED = `s.status <> '${RETIRED_STATUS}'`;

/** Which index the worker holds: the key of the source layers' versions, and where the ledger stood. */
interface IndexState {
  key: string;
  /** The stock layer's data version and the ledger's last event id when the rows were read. */
  stockVersion: number;
  eventId: number;
}

/** The index worker could not answer even once more. */
const unavailable = () =>
  new AppError(503, 'STOCK_INDEX_UNAVAILABLE', '存量土地图库暂时无法检索，请稍后再试', 'The stock-land library cannot be searched just now; try again shortly');

export class StockCatalogue {
  private index: IndexState | null = null;
  private loading: Promise<IndexState> | null = null;
  private loadingKey = '';
  /** The worker holding the index (its thread id, for operations and tests: `indexWorker.threadId`). */
  readonly indexWorker: StockIndexWorker;

  /** The stock-first step's search radius, km (STOCK_FIRST_RADIUS_KM; default 10). */
  readonly stockFirstRadiusKm: number;

  private readonly primary: Reader;

  constructor(
    private readonly db: Database,
    opts: { stockFirstRadiusKm?: number; indexWorker?: Omit<IndexWorkerOptions, 'onLost'> } = {},
  ) {
    this.stockFirstRadiusKm = opts.stockFirstRadiusKm ?? DEFAULT_STOCK_FIRST_RADIUS_KM;
    this.primary = primaryReader(db);
    this.indexWorker = new StockIndexWorker({
      ...opts.indexWorker,
      // the index went with the worker: the next question loads it into a new one
      onLost: (err) => {
        this.index = null;
        console.error('stock-land index worker lost:', err.message);
      },
    });
  }

  /**
   * Tells the catalogue its sources may have changed (another instance wrote them): it reads the
   * data versions again now and follows them — patched or reloaded — before the next question
   * needs it. Every question reads them too, so this only brings the work forward.
   */
  invalidate(): void {
    this.current().catch((err: unknown) => console.error('stock-land catalogue refresh failed:', err));
  }

  /** Ends the index worker (the app's close). */
  async close(): Promise<void> {
    await this.indexWorker.close();
  }

  /** The catalogue as `reader` holds it, and where to read its rows (`q`): the reader, or the primary when the reader is not at the catalogue's versions. */
  private async current(reader: Reader = this.primary): Promise<{ index: IndexState; dataVersion: string; q: Queryable }> {
    const versions = await readDataVersions(reader);
    const key = STOCK_DERIVED_SOURCES.map((l) => `${l}:${versions.byLayer[l] ?? 0}`).join(';');
    if (this.index?.key === key) return { index: this.index, dataVersion: versions.overall, q: reader };
    // a replica behind or ahead of the catalogue: the primary answers (and reloads it if it is behind)
    if (reader.source !== 'primary') return this.current(this.primary);
    if (!this.loading || this.loadingKey !== key) {
      this.loadingKey = key;
      const from = this.index;
      // the ledger's changes alone are patched in; anything else reloads the whole catalogue
      const loading = (from ? this.patch(from, key) : Promise.resolve(null))
        .then((patched) => patched ?? this.load(key))
        .finally(() => {
          if (this.loading === loading) this.loading = null;
        });
      this.loading = loading;
    }
    const index = await this.loading;
    this.index = index;
    return { index, dataVersion: versions.overall, q: this.db };
  }

  /**
   * Asks the worker about the current index; when the worker was lost meanwhile (or holds another
   * index), loads again and asks once more — then a 503, never a wait without end.
   */
  private async ask<T>(question: (index: IndexState, dataVersion: string, rowsFrom: Queryable) => Promise<T>, reader?: Reader): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let state: IndexState | null = null;
      try {
        const { index, dataVersion, q } = await this.current(reader);
        state = index;
        return await question(index, dataVersion, q);
      } catch (e) {
        if (!(e instanceof IndexWorkerLost || e instanceof IndexStale)) throw e;
        if (attempt >= 1) throw unavailable();
        // the worker holds another index than this side thought: read it in again
        if (e instanceof IndexStale && state && this.index === state) this.index = null;
      }
    }
  }

  /**
   * The catalogue after ledger events alone (supply, disposal, redevelopment, reservation and its
   * withdrawal: a parcel's status or category, nothing the derived tables hold): the parcels they
   * changed read again and replaced, not the 100 000 others. Applies only when every change of the
   * stock layer since `from` was read is such an event — its data version moved exactly once per
   * event that changed a parcel's state (each writes one UPDATE, in the event's transaction) and
   * no other source layer moved; else null, and the whole catalogue is read again.
   */
  private async patch(from: IndexState, key: string): Promise<IndexState | null> {
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
    const fresh = await this.entries(`s.code = ANY($2::text[])`, [codes]);
    if (fresh.length !== codes.length) return null;
    // the worker refuses when it holds another index than `from`, or a parcel is new to it
    const patched = await this.indexWorker.run({ op: 'patch', from: from.key, key: rekey, parcels: fresh }, transferListOf(fresh));
    return patched ? { key: rekey, stockVersion, eventId: Number(r.last_id) } : null;
  }

  private async load(key: string): Promise<IndexState> {
    await refreshStockDerived(this.db);
    // where the ledger stood before the rows are read: a later patch starts from here
    const [at] = await this.db.query<{ version: number; event_id: number }>(
      `SELECT (SELECT version FROM data_version WHERE layer = 'stock-parcel') AS version, (SELECT coalesce(max(id), 0) FROM stock_event) AS event_id`,
    );
    const parcels = await this.entries(SERVED);
    const [{ n } = { n: -1 }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_parcel s WHERE ${SERVED}`);
    if (parcels.length !== n) throw new Error(`存量地块索引不完整：${n} 宗地块只读到 ${parcels.length} 宗`);
    // every pair as two ids; the worker drops those naming a retired parcel (已注销)
    const rows = await this.db.query<{ a_id: number; b_id: number }>('SELECT a_id, b_id FROM stock_adjacency');
    const pairs = new Int32Array(rows.length * 2);
    rows.forEach((p, i) => {
      pairs[2 * i] = Number(p.a_id);
      pairs[2 * i + 1] = Number(p.b_id);
    });
    await this.indexWorker.run({ op: 'load', key, parcels, pairs }, [...transferListOf(parcels), pairs.buffer as ArrayBuffer]);
    return { key, stockVersion: Number(at?.version ?? 0), eventId: Number(at?.event_id ?? 0) };
  }

  /** The catalogue's entries of the parcels `where` selects (`$2` its parameter, if any), as the worker takes them. */
  private async entries(where: string, params: unknown[] = []): Promise<ParcelColumns> {
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
    const n = rows.length;
    const numbers = (of: (r: (typeof rows)[number]) => number | null) => {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = of(rows[i]!);
        a[i] = v === null ? NaN : Number(v);
      }
      return a;
    };
    const text = (of: (r: (typeof rows)[number]) => string | null): TextColumn => {
      const values: string[] = [];
      const at = new Map<string, number>();
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = of(rows[i]!);
        if (v === null) {
          codes[i] = NONE;
          continue;
        }
        let k = at.get(v);
        if (k === undefined) at.set(v, (k = values.push(v) - 1));
        codes[i] = k;
      }
      return { values, codes };
    };
    return {
      length: n,
      id: Int32Array.from(rows, (r) => Number(r.id)),
      areaM2: numbers((r) => r.area_m2),
      lon: numbers((r) => r.lon),
      lat: numbers((r) => r.lat),
      plotRatioMin: numbers((r) => r.plot_ratio_min),
      plotRatioMax: numbers((r) => r.plot_ratio_max),
      refPrice: numbers((r) => r.ref_price),
      urbanBoundaryId: numbers((r) => r.urban_boundary_id),
      conflict: Uint8Array.from(rows, (r) => (r.conflict ? 1 : 0)),
      code: rows.map((r) => r.code),
      name: rows.map((r) => r.name),
      approvalDate: text((r) => r.approval_date),
      category: text((r) => r.category),
      countyCode: text((r) => r.county_code),
      plannedUse: text((r) => r.planned_use),
      status: text((r) => r.status),
      fourUnStage: text((r) => r.four_un_stage),
    };
  }

  /** Rows of parcels in the order of `ids`, with their distances (aligned with `ids`, or none). */
  private async rows(ids: ArrayLike<number>, distances: ArrayLike<number | null> | null, from: Queryable = this.db): Promise<StockParcelSummary[]> {
    const list = Array.from(ids);
    const byId = await parcelsById(from, list);
    return list.map((id, i) => {
      const s = byId.get(id);
      if (!s) throw new Error(`存量地块 ${id} 已不存在`);
      return { ...s, distanceM: distances?.[i] ?? null };
    });
  }

  /** One page of the parcels a query selects, and how many it selects. */
  async search(q: StockSearchQuery, reader?: Reader): Promise<StockSearchResponse> {
    const { total, ids, distances, rowsFrom } = await this.ask(
      async ({ key }, _v, rowsFrom) => ({ ...(await this.indexWorker.run({ op: 'page', key, q, offset: (q.page - 1) * q.pageSize, count: q.pageSize })), rowsFrom }),
      reader,
    );
    return { total, page: q.page, pageSize: q.pageSize, items: await this.rows(ids, distances, rowsFrom) };
  }

  /** The codes of every parcel a query selects (a saved search remembers them between visits). */
  async codes(q: StockSearchQuery): Promise<string[]> {
    return this.ask(({ key }) => this.indexWorker.run({ op: 'codes', key, q }));
  }

  /** The parcels a query selects whose codes are not in `seen`, in the query's order: how many, and the first `limit`. */
  async newSince(q: StockSearchQuery, seen: ReadonlySet<string>, limit: number): Promise<{ total: number; items: StockParcelSummary[] }> {
    const { total, ids, distances } = await this.ask(({ key }) => this.indexWorker.run({ op: 'newSince', key, q, seen: [...seen], limit }));
    return { total, items: await this.rows(ids, distances) };
  }

  /** Every parcel a query selects, in its order (the export). */
  async list(q: StockSearchQuery, reader?: Reader): Promise<StockParcelSummary[]> {
    const { ids, distances, rowsFrom } = await this.ask(async ({ key }, _v, rowsFrom) => ({ ...(await this.indexWorker.run({ op: 'all', key, q })), rowsFrom }), reader);
    return this.rows(ids, distances, rowsFrom);
  }

  /**
   * Ranked single parcels and combinations for a need, with every score part. With
   * `geometry: false` the offers' union geometries are not built (the site check files the
   * offers without them) and each candidate's geometry is null. `stockFirst` matches within
   * the configured stock-first radius (the site check's step, and the panel's preview of it).
   */
  async match(req: StockMatchRequest, opts: { geometry?: boolean; reader?: Reader } = {}): Promise<StockMatchResponse> {
    const areaM2 = req.areaMu !== undefined ? muToM2(req.areaMu) : haToM2(req.areaHa!);
    const maxDistanceKm = req.stockFirst ? this.stockFirstRadiusKm : req.maxDistanceKm;
    const { result, dataVersion, rowsFrom } = await this.ask(
      async ({ key }, dataVersion, rowsFrom) => ({
        result: await this.indexWorker.run({ op: 'match', key, req, maxDistanceKm }),
        dataVersion,
        rowsFrom,
      }),
      opts.reader,
    );
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
      candidates: await this.candidates(result.offers, req.use, opts.geometry !== false, rowsFrom),
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
  async matchRequest(r: LandRequestNeed, limit: number): Promise<{ candidates: StockMatchResponse['candidates']; dataVersion: string }> {
    const need: LandRequestNeed = {
      use: r.use, areaMinMu: r.areaMinMu, areaMaxMu: r.areaMaxMu, county: r.county, near: r.near, radiusKm: r.radiusKm,
      plotRatioMin: r.plotRatioMin, plotRatioMax: r.plotRatioMax, budgetWan: r.budgetWan,
    };
    const { result, dataVersion } = await this.ask(async ({ key }, dataVersion) => ({
      result: await this.indexWorker.run({ op: 'matchRequest', key, r: need, limit }),
      dataVersion,
    }));
    return { candidates: await this.candidates(result.offers, r.use, false), dataVersion };
  }

  /** The index worker's heap in use after a full collection, and the parcels it holds (the benchmarks' memory figure). */
  async indexMemory(): Promise<{ heapUsed: number; parcels: number }> {
    await this.ask(async () => undefined);
    return this.indexWorker.run({ op: 'memory' });
  }

  /** The offers as the answer lists them: each parcel's row, its distance and use fit; the union geometry when asked. */
  private async candidates(offers: RankedOffers['offers'], use: PlannedUse, geometry: boolean, from: Queryable = this.db): Promise<StockMatchResponse['candidates']> {
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
      parcels: o.parcelIds.map((id, j) => {
        const s = summaries.get(id);
        if (!s) throw new Error(`存量地块 ${id} 已不存在`);
        return { ...s, distanceM: o.parcelDistances[j]!, useFit: useFit(use, s.plannedUse) as 'same' | 'compatible' };
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
