/**
 * What is derived from a layer follows a new active version of it, where the change touched:
 * the stock parcels' standing (and their pairs, when parcels or the boundary moved) and the
 * encroachment cases' overlaps with that layer. Called once by the layer pipeline after the
 * version's transaction committed; each part commits on its own, so a failure of one leaves
 * the layer replaced and the other part done (the stock tables are rebuilt whole on their next
 * use when they missed a change; see stock/derived.ts).
 *
 * `touched` must cover every feature whose geometry changed — those of the replaced version that
 * are gone as well as the new ones (their union's box); null means anywhere, and rebuilds
 * everything. Features renumbered by a version written anew are found wherever they are: the
 * parcels of a boundary polygon whose id is gone and the cases listing a feature that is gone
 * follow too (so a whole-layer replacement costs about a full rebuild, and a change kept to a
 * few features, with their ids, costs what those features touch).
 */
import { CASE_OVERLAP_LAYER_IDS, type CaseOverlapLayerId, type LayerId } from '../../../../core/layers.ts';
import type { Database } from '../../db/database.ts';
import { recomputeCaseOverlapsWithin, type Bbox } from '../cases/overlaps.ts';
import { refreshStockDerivedWithin, STOCK_DERIVED_SOURCES, type PartialRefreshResult } from '../stock/derived.ts';

export interface FollowResult {
  layer: LayerId;
  /** null when the stock tables do not depend on the layer. */
  stock: PartialRefreshResult | null;
  /** null when cases do not overlap with the layer. */
  cases: { recomputed: number; features: number; versionNo: number | null; ms: number } | null;
  totalMs: number;
}

function checkBbox(b: Bbox): void {
  const [w, s, e, n] = b;
  if (![w, s, e, n].every(Number.isFinite) || w > e || s > n) throw new Error(`范围无效（invalid bbox）：${JSON.stringify(b)}`);
}

export async function followLayerChange(db: Database, layer: LayerId, touched: { bbox: Bbox } | null): Promise<FollowResult> {
  const started = Date.now();
  const bbox = touched?.bbox ?? null;
  if (bbox) checkBbox(bbox);
  const stock = (STOCK_DERIVED_SOURCES as readonly string[]).includes(layer) ? await refreshStockDerivedWithin(db, layer, bbox) : null;
  let cases: FollowResult['cases'] = null;
  if ((CASE_OVERLAP_LAYER_IDS as readonly string[]).includes(layer)) {
    const r = await recomputeCaseOverlapsWithin(db, layer as CaseOverlapLayerId, bbox);
    cases = { recomputed: r.cases, features: r.features, versionNo: r.versionNo, ms: r.elapsedMs };
  }
  return { layer, stock, cases, totalMs: Date.now() - started };
}
