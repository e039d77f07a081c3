/**
 * Stock-land matching (POST /api/stock-parcels/match, and the stock-first step of every
 * site check). The parcels the matcher reads — use, status, stage, area, a point inside,
 * boundary polygon, conflict flag — and their adjacency are held in memory per app and
 * reloaded when a source layer's version changes; core/stock-match.ts does the ranking.
 * Attributes and union geometries of the offers returned are read from the database.
 */
import { COMBINATION_MAX_GAP_M, matchParcels, usesFor, useFit, describeMatch, type IndexedParcel, type MatchTally } from '../../../../core/stock-match.ts';
import type { StockMatchRequest, StockMatchResponse } from '../../../../core/contracts/stock.ts';
import { distanceTo } from '../../../../core/planar-distance.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { haToM2, muToM2, toAreaUnits } from '../../../../core/units.ts';
import type { Database } from '../../db/database.ts';
import { readDataVersions } from '../data-version/service.ts';
import { refreshStockDerived, STOCK_DERIVED_SOURCES } from './derived.ts';
import { parcelsById, unionGeometries } from './repo.ts';

interface IndexEntry extends IndexedParcel {
  lon: number;
  lat: number;
}

interface StockIndex {
  key: string;
  parcels: IndexEntry[];
  neighbours: Map<number, number[]>;
}

/** The in-memory parcel index of one app, reloaded when its source layers change. */
export class StockMatcher {
  private index: StockIndex | null = null;
  private loading: Promise<StockIndex> | null = null;
  private loadingKey = '';

  constructor(private readonly db: Database) {}

  private async current(): Promise<{ index: StockIndex; dataVersion: string }> {
    const versions = await readDataVersions(this.db);
    const key = STOCK_DERIVED_SOURCES.map((l) => `${l}:${versions.byLayer[l] ?? 0}`).join(';');
    if (this.index?.key === key) return { index: this.index, dataVersion: versions.overall };
    if (!this.loading || this.loadingKey !== key) {
      this.loadingKey = key;
      this.loading = this.load(key).finally(() => {
        this.loading = null;
      });
    }
    const index = await this.loading;
    this.index = index;
    return { index, dataVersion: versions.overall };
  }

  private async load(key: string): Promise<StockIndex> {
    await refreshStockDerived(this.db);
    const rows = await this.db.query<{
      id: number; county_code: string; planned_use: string; status: string; four_un_stage: string | null;
      area_m2: number; lon: number; lat: number; urban_boundary_id: number | null; conflict: boolean;
    }>(
      `SELECT s.id, s.county_code, s.planned_use, s.status, s.four_un_stage, s.area_m2,
              ST_X(p.pt) AS lon, ST_Y(p.pt) AS lat, st.urban_boundary_id,
              (st.permanent_farmland_m2 > $1 OR st.eco_redline_m2 > $1) AS conflict
         FROM stock_parcel s
         JOIN stock_standing st ON st.parcel_id = s.id
         CROSS JOIN LATERAL (SELECT ST_PointOnSurface(s.geom) AS pt) p`,
      [OVERLAP_EPSILON_M2],
    );
    const [{ n } = { n: -1 }] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_parcel');
    if (rows.length !== n) throw new Error(`存量地块索引不完整：${n} 宗地块只读到 ${rows.length} 宗`);
    const neighbours = new Map<number, number[]>();
    const link = (a: number, b: number) => {
      const list = neighbours.get(a);
      if (list) list.push(b);
      else neighbours.set(a, [b]);
    };
    for (const { a_id, b_id } of await this.db.query<{ a_id: number; b_id: number }>('SELECT a_id, b_id FROM stock_adjacency')) {
      link(Number(a_id), Number(b_id));
      link(Number(b_id), Number(a_id));
    }
    return {
      key,
      neighbours,
      parcels: rows.map((r) => ({
        id: Number(r.id),
        countyCode: r.county_code,
        plannedUse: r.planned_use,
        status: r.status,
        fourUnStage: r.four_un_stage,
        areaM2: Number(r.area_m2),
        urbanBoundaryId: r.urban_boundary_id === null ? null : Number(r.urban_boundary_id),
        conflict: r.conflict,
        lon: Number(r.lon),
        lat: Number(r.lat),
      })),
    };
  }

  /** Ranked single parcels and combinations for a need, with every score part. */
  async match(req: StockMatchRequest): Promise<StockMatchResponse> {
    const { index, dataVersion } = await this.current();
    const areaM2 = req.areaMu !== undefined ? muToM2(req.areaMu) : haToM2(req.areaHa!);
    const distance = req.near ? distanceTo(req.near as Parameters<typeof distanceTo>[0]) : null;
    const distances = new Map<number, number>();
    const result = matchParcels(index.parcels, (id) => index.neighbours.get(id) ?? [], {
      need: { use: req.use, areaM2 },
      county: req.county,
      maxDistanceKm: req.maxDistanceKm,
      limit: req.limit,
      distanceOf: distance
        ? (p) => {
            const d = distance((p as IndexEntry).lon, (p as IndexEntry).lat);
            distances.set(p.id, d);
            return d;
          }
        : undefined,
    });
    const ids = [...new Set(result.offers.flatMap((o) => o.parcelIds))];
    const [summaries, geometries] = await Promise.all([
      parcelsById(this.db, ids),
      unionGeometries(this.db, result.offers.map((o) => o.parcelIds)),
    ]);
    return {
      need: {
        use: req.use,
        area: toAreaUnits(areaM2),
        uses: usesFor(req.use),
        county: req.county ?? null,
        maxDistanceKm: req.maxDistanceKm ?? null,
        located: req.near !== undefined,
      },
      dataVersion,
      tally: result.tally,
      summaryZh: describeMatch(result.tally, 'zh'),
      summaryEn: describeMatch(result.tally, 'en'),
      combinationGapM: COMBINATION_MAX_GAP_M,
      candidates: result.offers.map((o, i) => ({
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
          return { ...s, distanceM: distances.get(id) ?? null, useFit: useFit(req.use, s.plannedUse) as 'same' | 'compatible' };
        }),
      })),
    };
  }
}

export type { MatchTally };

declare module 'fastify' {
  interface FastifyInstance {
    /** The stock-land matcher of this app (its parcel index lives as long as the app). */
    stockMatcher: StockMatcher;
  }
}
