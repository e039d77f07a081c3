/**
 * The stock-land tables derived from the layers — stock_standing (each parcel against the
 * control lines) and stock_adjacency (parcels close enough to be supplied together) — and
 * the layer versions they were built from. They are rebuilt, in one transaction, whenever
 * one of those layers has changed; the loader builds them after seeding, and the matcher
 * and parcel pages make sure they are current before reading them. After a layer's version
 * change, `refreshStockDerivedWithin` rebuilds only the parcels the change touched.
 */
import { STOCK_STANDING_LAYER_IDS } from '../../../../core/layers.ts';
import { COMBINATION_MAX_GAP_M } from '../../../../core/stock-match.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { readDataVersions } from '../data-version/service.ts';

/** The layers the derived tables are computed from (`stockStanding` in the registry). */
export const STOCK_DERIVED_SOURCES = STOCK_STANDING_LAYER_IDS;

const STANDING_SQL = sqlFile(new URL('./sql/standing.sql', import.meta.url));
const ADJACENCY_SQL = sqlFile(new URL('./sql/adjacency.sql', import.meta.url));
const ADJACENCY_TOUCHED_SQL = sqlFile(new URL('./sql/adjacency-touched.sql', import.meta.url));
/** Degrees of longitude per metre at the data's latitudes (≈34–35°N), with a 30 % margin. */
const DEG_PER_M = 1.3 / 91_000;

async function sourceVersions(q: Queryable): Promise<Record<string, number>> {
  const { byLayer } = await readDataVersions(q);
  return Object.fromEntries(STOCK_DERIVED_SOURCES.map((l) => [l, byLayer[l] ?? 0]));
}

/**
 * The active layer version (layer_version.version_no) of each source; 1 for a layer that has
 * no version row yet (what its table holds is version 1) or has no versions (stock land).
 */
async function activeLayerVersions(q: Queryable): Promise<Record<string, number>> {
  const rows = await q.query<{ layer: string; version_no: number }>(
    `SELECT layer, version_no FROM layer_version WHERE state = 'active' AND layer = ANY($1::text[])`,
    [[...STOCK_DERIVED_SOURCES]],
  );
  const active = new Map(rows.map((r) => [r.layer, Number(r.version_no)]));
  return Object.fromEntries(STOCK_DERIVED_SOURCES.map((l) => [l, active.get(l) ?? 1]));
}

interface BuiltState {
  sourceVersions: Record<string, number>;
  /** null when built before layer versions were recorded. */
  layerVersions: Record<string, number> | null;
}

const json = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

async function builtState(q: Queryable): Promise<BuiltState | null> {
  const rows = await q.query<{ source_versions: Record<string, number> | string; layer_versions: Record<string, number> | string | null; gap_m: number }>(
    'SELECT source_versions, layer_versions, gap_m FROM stock_derived_state WHERE id = 1',
  );
  const row = rows[0];
  if (!row || row.gap_m !== COMBINATION_MAX_GAP_M) return null;
  return { sourceVersions: json(row.source_versions)!, layerVersions: json(row.layer_versions) };
}

async function builtFrom(q: Queryable): Promise<Record<string, number> | null> {
  return (await builtState(q))?.sourceVersions ?? null;
}

async function recordBuilt(q: Queryable, versions: Record<string, number>): Promise<void> {
  await q.query(
    `INSERT INTO stock_derived_state (id, source_versions, layer_versions, gap_m, built_at) VALUES (1, $1, $2, $3, now())
     ON CONFLICT (id) DO UPDATE SET source_versions = EXCLUDED.source_versions, layer_versions = EXCLUDED.layer_versions,
                                    gap_m = EXCLUDED.gap_m, built_at = now()`,
    [JSON.stringify(versions), JSON.stringify(await activeLayerVersions(q)), COMBINATION_MAX_GAP_M],
  );
}

const same = (a: Record<string, number> | null, b: Record<string, number>) =>
  a !== null && STOCK_DERIVED_SOURCES.every((l) => a[l] === b[l]);

export interface RefreshResult {
  rebuilt: boolean;
  parcels: number;
  pairs: number;
  elapsedMs: number;
}

/**
 * Rebuilds the derived tables when a source layer has changed since they were built (or
 * always, with `force`). Safe to call from several requests or processes at once: an
 * advisory lock serialises the builders and the second finds the work done.
 */
export async function refreshStockDerived(db: Database, opts: { force?: boolean } = {}): Promise<RefreshResult> {
  const started = Date.now();
  if (!opts.force && same(await builtFrom(db), await sourceVersions(db))) {
    return { rebuilt: false, parcels: 0, pairs: 0, elapsedMs: Date.now() - started };
  }
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('stock_derived'))`);
    const versions = await sourceVersions(tx);
    if (!opts.force && same(await builtFrom(tx), versions)) {
      return { rebuilt: false, parcels: 0, pairs: 0, elapsedMs: Date.now() - started };
    }
    await tx.query('DELETE FROM stock_adjacency');
    await tx.query('DELETE FROM stock_standing');
    await tx.query(STANDING_SQL, [null]);
    const [counts] = await tx.query<{ parcels: number; standing: number }>(
      'SELECT (SELECT count(*)::int FROM stock_parcel) AS parcels, (SELECT count(*)::int FROM stock_standing) AS standing',
    );
    // the embedded database answers a failed overlay with no row rather than an error
    if (!counts || counts.standing !== counts.parcels) {
      throw new Error(`存量地块管控情况计算不完整：${counts?.parcels ?? '?'} 宗地块只得到 ${counts?.standing ?? 0} 条结果`);
    }
    await tx.query(ADJACENCY_SQL, [COMBINATION_MAX_GAP_M, COMBINATION_MAX_GAP_M * DEG_PER_M]);
    const [pairs] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_adjacency');
    await recordBuilt(tx, versions);
    return { rebuilt: true, parcels: counts.parcels, pairs: pairs?.n ?? 0, elapsedMs: Date.now() - started };
  });
}

/** [west, south, east, north], EPSG:4490 degrees. */
export type Bbox = [number, number, number, number];

/** The layers whose change moves a parcel's boundary polygon, so its pairs too. */
const MOVES_ADJACENCY: readonly string[] = ['urban-boundary', 'stock-parcel'];

export interface PartialRefreshResult {
  /** incremental: only the touched parcels; full: the whole rebuild (see `refreshStockDerivedWithin`). */
  mode: 'incremental' | 'full';
  /** Parcels whose standing was recomputed. */
  parcels: number;
  /** Adjacent pairs written (those of the recomputed parcels; every pair after a full rebuild). */
  pairs: number;
  standingMs: number;
  adjacencyMs: number;
}

/**
 * Whether the derived tables were current except for `layer`, and for `layer` were built from
 * the version just replaced (or the active one, for a change made in place): then the change
 * alone is what they miss, and rebuilding the parts it touched makes them current. Otherwise
 * (another source changed meanwhile, an earlier follow-up failed) only a full rebuild is right.
 */
async function onlyThisChangeMissing(q: Queryable, layer: string, versions: Record<string, number>): Promise<boolean> {
  const built = await builtState(q);
  if (!built) return false;
  if (!STOCK_DERIVED_SOURCES.every((l) => l === layer || built.sourceVersions[l] === versions[l])) return false;
  const [row] = await q.query<{ active: number | null; previous: number | null }>(
    `SELECT (SELECT version_no FROM layer_version WHERE layer = $1 AND state = 'active') AS active,
            (SELECT version_no FROM layer_version WHERE layer = $1 AND state = 'archived'
              ORDER BY activated_at DESC, version_no DESC LIMIT 1) AS previous`,
    [layer],
  );
  const from = built.layerVersions?.[layer] ?? 1;
  const active = row?.active ?? 1;
  return from === active || (row?.previous !== null && row?.previous !== undefined && from === Number(row.previous));
}

/**
 * After `layer` changed within `bbox` (null: anywhere), brings stock_standing and
 * stock_adjacency up to date by recomputing only the parcels whose geometry meets the box,
 * plus any parcel without a standing row (new parcels) or whose boundary polygon's id is gone
 * (a version written anew renumbers its features: every parcel in a boundary polygon then
 * follows, wherever the box is); their pairs follow when the change
 * can move a parcel's boundary polygon (urban boundary, stock parcels). The same SQL as the
 * full rebuild, restricted to those parcels, so the rows equal a full rebuild's. Records the
 * sources as current. Falls back to the full rebuild when the box is null or the tables
 * missed more than this change (see `onlyThisChangeMissing`).
 */
export async function refreshStockDerivedWithin(db: Database, layer: string, bbox: Bbox | null): Promise<PartialRefreshResult> {
  const full = async (): Promise<PartialRefreshResult> => {
    const started = Date.now();
    const r = await refreshStockDerived(db, { force: true });
    return { mode: 'full', parcels: r.parcels, pairs: r.pairs, standingMs: Date.now() - started, adjacencyMs: 0 };
  };
  if (!(STOCK_DERIVED_SOURCES as readonly string[]).includes(layer)) {
    return { mode: 'incremental', parcels: 0, pairs: 0, standingMs: 0, adjacencyMs: 0 };
  }
  if (bbox === null) return full();
  const partial = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('stock_derived'))`);
    const versions = await sourceVersions(tx);
    if (!(await onlyThisChangeMissing(tx, layer, versions))) return null;
    const t0 = Date.now();
    const ids = (
      await tx.query<{ id: number }>(
        `SELECT s.id FROM stock_parcel s
          WHERE ST_Intersects(s.geom, ST_MakeEnvelope($1, $2, $3, $4, 4490))
             OR NOT EXISTS (SELECT 1 FROM stock_standing st WHERE st.parcel_id = s.id)
             OR EXISTS (SELECT 1 FROM stock_standing st WHERE st.parcel_id = s.id AND st.urban_boundary_id IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM urban_boundary u WHERE u.id = st.urban_boundary_id))
          ORDER BY s.id`,
        bbox,
      )
    ).map((r) => Number(r.id));
    const moves = MOVES_ADJACENCY.includes(layer);
    if (moves) await tx.query('DELETE FROM stock_adjacency WHERE a_id = ANY($1::int[]) OR b_id = ANY($1::int[])', [ids]);
    await tx.query('DELETE FROM stock_standing WHERE parcel_id = ANY($1::int[])', [ids]);
    const written = await tx.query<{ parcel_id: number }>(`${STANDING_SQL}\nRETURNING parcel_id`, [ids]);
    // the embedded database answers a failed overlay with no row rather than an error
    if (written.length !== ids.length) {
      throw new Error(`存量地块管控情况计算不完整：${ids.length} 宗地块只得到 ${written.length} 条结果`);
    }
    const t1 = Date.now();
    let pairs = 0;
    if (moves) {
      const rows = await tx.query<{ a_id: number }>(`${ADJACENCY_TOUCHED_SQL}\nRETURNING a_id`, [COMBINATION_MAX_GAP_M, COMBINATION_MAX_GAP_M * DEG_PER_M, ids]);
      pairs = rows.length;
    }
    await recordBuilt(tx, versions);
    return { mode: 'incremental' as const, parcels: ids.length, pairs, standingMs: t1 - t0, adjacencyMs: Date.now() - t1 };
  });
  return partial ?? full();
}
