/**
 * A case's overlaps (图斑占用情况): every permanent-farmland field, general-farmland field,
 * red-line polygon, boundary polygon and stock parcel it overlaps, with the overlap in
 * ellipsoidal m² — the site check's engine: the same ST_Intersection (sql/overlap.sql beside
 * site-check's overlay.sql), areas from the GeoJSON with GeographicLib on CGCS2000
 * (core/ellipsoidal-area.ts), and a shared edge or corner (≤ 0.01 m²) is not an overlap.
 *
 * Computed set-wise, a batch of cases at a time, when cases are seeded (server/src/seed/load.ts) or
 * imported, and kept: `case_overlap` per feature and the summary columns of `encroachment`.
 * They are evidence of what the case covered when it was found. After a layer's version
 * change, `recomputeCaseOverlapsWithin` recomputes that layer's part for the cases the change
 * touched and records the version (case_overlap_basis); decisions are never touched.
 */
import { getLayer, type CaseOverlapLayerId } from '../../../../core/layers.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { CASE_OVERLAP_LAYER_IDS } from '../../../../core/contracts/cases.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { ident, sqlFile } from '../../db/sql-file.ts';

const CANDIDATES = new URL('./sql/overlap-candidates.sql', import.meta.url);
const OVERLAP = new URL('./sql/overlap.sql', import.meta.url);
const SUMMARY_SQL = sqlFile(new URL('./sql/overlap-summary.sql', import.meta.url));

/** Cases per round trip: bounds the memory of the GeoJSON held at once and paces progress. */
export const OVERLAP_BATCH = 2000;

export interface OverlapProgress {
  done: number;
  total: number;
}

export interface OverlapResult {
  cases: number;
  /** case_overlap rows written. */
  features: number;
  elapsedMs: number;
}

const tableOf = (layerId: CaseOverlapLayerId) => ident(getLayer(layerId)!.table);

/**
 * Computes (or recomputes) the overlaps of the given cases, in `q`'s transaction: with every
 * layer (the default), or only `layers` — those layers' rows replaced, the others kept — and
 * the summary columns from all of them. Throws when the database answers fewer rows than there
 * are candidates (a silent GEOS failure in the embedded database) or does not update every case.
 */
export async function computeCaseOverlaps(
  q: Queryable,
  caseIds: number[],
  onProgress?: (p: OverlapProgress) => void,
  layers: readonly CaseOverlapLayerId[] = CASE_OVERLAP_LAYER_IDS,
): Promise<OverlapResult> {
  const started = Date.now();
  let features = 0;
  for (let i = 0; i < caseIds.length; i += OVERLAP_BATCH) {
    const ids = caseIds.slice(i, i + OVERLAP_BATCH);
    await q.query('DELETE FROM case_overlap WHERE case_id = ANY($1::int[]) AND layer = ANY($2::text[])', [ids, [...layers]]);
    // computed whole, a case follows no particular version any more: overlaps_at says when
    if (layers.length === CASE_OVERLAP_LAYER_IDS.length) await q.query('DELETE FROM case_overlap_basis WHERE case_id = ANY($1::int[])', [ids]);
    const cols = { caseId: [] as number[], layer: [] as string[], featureId: [] as number[], code: [] as string[], m2: [] as number[] };
    for (const layerId of layers) {
      const table = tableOf(layerId);
      const [{ n } = { n: -1 }] = await q.query<{ n: number }>(sqlFile(CANDIDATES, { table }), [ids]);
      const rows = await q.query<{ case_id: number; feature_id: number; feature_code: string; overlap: string | null }>(sqlFile(OVERLAP, { table }), [ids]);
      if (rows.length !== n) {
        throw new Error(`图斑与${getLayer(layerId)!.nameZh}的叠加计算不完整：${n} 对候选只得到 ${rows.length} 条结果（几何运算失败）`);
      }
      for (const r of rows) {
        if (r.overlap === null) continue;
        const m2 = ellipsoidalArea(JSON.parse(r.overlap) as AreaGeometry);
        if (m2 <= OVERLAP_EPSILON_M2) continue; // a shared edge or corner is not an overlap
        cols.caseId.push(Number(r.case_id));
        cols.layer.push(layerId);
        cols.featureId.push(Number(r.feature_id));
        cols.code.push(r.feature_code);
        cols.m2.push(m2);
      }
    }
    if (cols.caseId.length) {
      await q.query(
        `INSERT INTO case_overlap (case_id, layer, feature_id, feature_code, overlap_m2)
         SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::float8[])`,
        [cols.caseId, cols.layer, cols.featureId, cols.code, cols.m2],
      );
    }
    features += cols.caseId.length;
    const updated = await q.query<{ id: number }>(SUMMARY_SQL, [ids]);
    if (updated.length !== ids.length) {
      throw new Error(`图斑占用情况写入不完整：${ids.length} 个图斑只更新了 ${updated.length} 个`);
    }
    onProgress?.({ done: Math.min(caseIds.length, i + ids.length), total: caseIds.length });
  }
  return { cases: caseIds.length, features, elapsedMs: Date.now() - started };
}

const missing = (q: Queryable) =>
  q.query<{ id: number }>('SELECT id FROM encroachment WHERE overlaps_at IS NULL ORDER BY id').then((rows) => rows.map((r) => Number(r.id)));

/**
 * Computes the overlaps of every case that has none yet (after seeding, or cases written by
 * other means), under an advisory lock so concurrent callers do the work once. Cheap when
 * there is nothing to do (a partial index holds exactly the cases without overlaps).
 */
export async function ensureCaseOverlaps(db: Database, onProgress?: (p: OverlapProgress) => void): Promise<OverlapResult> {
  const started = Date.now();
  if ((await missing(db)).length === 0) return { cases: 0, features: 0, elapsedMs: Date.now() - started };
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('case_overlaps'))`);
    const ids = await missing(tx);
    const result = await computeCaseOverlaps(tx, ids, onProgress);
    return { ...result, elapsedMs: Date.now() - started };
  });
}

/** [west, south, east, north], EPSG:4490 degrees. */
export type Bbox = [number, number, number, number];

export interface RecomputeResult extends OverlapResult {
  /** The layer version the overlaps now follow (null for a layer without versions). */
  versionNo: number | null;
}

/**
 * After `layer` changed within `bbox` (null: anywhere), recomputes that layer's overlaps of
 * every case whose geometry meets the box — the same SQL and ellipsoidal areas as on import —
 * and of every case listing a feature of the layer that is gone (a version written anew
 * renumbers its features), and records against which version of the layer (case_overlap_basis). Cases whose overlaps
 * were never computed are left to `ensureCaseOverlaps`, which computes them whole. Touches
 * neither the cases' decisions nor their version (the optimistic lock of a decision).
 */
export async function recomputeCaseOverlapsWithin(db: Database, layer: CaseOverlapLayerId, bbox: Bbox | null): Promise<RecomputeResult> {
  const started = Date.now();
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('case_overlaps'))`);
    const ids = (
      await tx.query<{ id: number }>(
        `SELECT e.id FROM encroachment e
          WHERE e.overlaps_at IS NOT NULL
            AND ($1::float8 IS NULL OR ST_Intersects(e.geom, ST_MakeEnvelope($1, $2, $3, $4, 4490))
                 OR EXISTS (SELECT 1 FROM case_overlap o WHERE o.case_id = e.id AND o.layer = $5
                               AND NOT EXISTS (SELECT 1 FROM ${tableOf(layer)} t WHERE t.id = o.feature_id)))
          ORDER BY e.id`,
        [...(bbox ?? [null, null, null, null]), layer],
      )
    ).map((r) => Number(r.id));
    const [v] = await tx.query<{ version_no: number | null; versioned: boolean }>(
      `SELECT (SELECT version_no FROM layer_version WHERE layer = $1 AND state = 'active') AS version_no, $2::boolean AS versioned`,
      [layer, getLayer(layer)!.import !== undefined],
    );
    // an importable layer before its first import serves version 1 (layer-admin/repo.ts)
    const versionNo = v?.versioned ? Number(v.version_no ?? 1) : null;
    const result = await computeCaseOverlaps(tx, ids, undefined, [layer]);
    if (ids.length) {
      await tx.query(
        `INSERT INTO case_overlap_basis (case_id, layer, version_no, computed_at)
         SELECT id, $2, $3, now() FROM unnest($1::int[]) AS c(id)
         ON CONFLICT (case_id, layer) DO UPDATE SET version_no = EXCLUDED.version_no, computed_at = EXCLUDED.computed_at`,
        [ids, layer, versionNo],
      );
    }
    return { ...result, versionNo, elapsedMs: Date.now() - started };
  });
}
