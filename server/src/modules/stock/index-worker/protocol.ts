/**
 * What the stock-land catalogue (main thread) and its index worker say to each other. The index —
 * every served parcel's filter and ranking attributes, and the adjacency graph — lives in the
 * worker only; the main thread reads it from the database and ships it once per load as columns
 * (typed arrays moved, not copied, and each text column as a dictionary of its distinct values),
 * then only patches (the parcels a ledger event changed) and questions.
 */
import type { StockMatchRequest, StockSearchQuery } from '../../../../../core/contracts/stock.ts';
import type { MatchOffer, MatchTally, PlannedUse } from '../../../../../core/stock-match.ts';

/** A text column: its distinct values and each row's index among them (NONE for null). */
export interface TextColumn {
  values: string[];
  codes: Uint32Array;
}
export const NONE = 0xffff_ffff;

/** Parcels as columns, row i of every column the same parcel; NaN stands for null in the number columns. */
export interface ParcelColumns {
  length: number;
  id: Int32Array;
  areaM2: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
  plotRatioMin: Float64Array;
  plotRatioMax: Float64Array;
  refPrice: Float64Array;
  urbanBoundaryId: Float64Array;
  conflict: Uint8Array;
  code: string[];
  name: string[];
  approvalDate: TextColumn;
  category: TextColumn;
  countyCode: TextColumn;
  plannedUse: TextColumn;
  status: TextColumn;
  fourUnStage: TextColumn;
}

/** The buffers of the columns, to be moved to the worker with them. */
export function transferListOf(c: ParcelColumns): ArrayBuffer[] {
  return [c.id, c.areaM2, c.lon, c.lat, c.plotRatioMin, c.plotRatioMax, c.refPrice, c.urbanBoundaryId, c.conflict, c.approvalDate.codes, c.category.codes, c.countyCode.codes, c.plannedUse.codes, c.status.codes, c.fourUnStage.codes].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** An enterprise's land request as the matcher reads it (StockCatalogue.matchRequest). */
export interface LandRequestNeed {
  use: PlannedUse;
  areaMinMu: number;
  areaMaxMu: number;
  county?: string | null;
  near?: [number, number] | null;
  radiusKm?: number | null;
  plotRatioMin?: number | null;
  plotRatioMax?: number | null;
  budgetWan?: number | null;
}

/** Offers, each with its parcels' distances (null without a location). */
export interface RankedOffers {
  offers: (MatchOffer & { parcelDistances: (number | null)[] })[];
  tally: MatchTally;
}

export type Task =
  | { op: 'load'; key: string; parcels: ParcelColumns; pairs: Int32Array }
  | { op: 'patch'; from: string; key: string; parcels: ParcelColumns }
  | { op: 'page'; key: string; q: StockSearchQuery; offset: number; count: number }
  | { op: 'all'; key: string; q: StockSearchQuery }
  | { op: 'codes'; key: string; q: StockSearchQuery }
  | { op: 'newSince'; key: string; q: StockSearchQuery; seen: string[]; limit: number }
  | { op: 'match'; key: string; req: StockMatchRequest; maxDistanceKm: number | undefined }
  | { op: 'matchRequest'; key: string; r: LandRequestNeed; limit: number }
  | { op: 'memory' };

/** What each task answers. */
export interface Answers {
  load: { parcels: number };
  /** false: the worker's index is not the one patched from (or a parcel is new): load it whole. */
  patch: boolean;
  page: { total: number; ids: number[]; distances: (number | null)[] };
  all: { ids: Int32Array; distances: Float64Array | null };
  codes: string[];
  newSince: { total: number; ids: number[]; distances: (number | null)[] };
  match: RankedOffers;
  matchRequest: RankedOffers;
  /** The worker's heap in use after a full collection, bytes, and the parcels it holds. */
  memory: { heapUsed: number; parcels: number };
}

export type Request = Task & { id: number };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string; stale?: boolean };
