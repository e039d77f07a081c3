/**
 * The stock-land tables derived from the layers — stock_standing (each parcel against the
 * control lines) and stock_adjacency (parcels close enough to be supplied together) — and
 * the layer versions they were built from. They are rebuilt, in one transaction, whenever
 * one of those layers has changed; the loader builds them after seeding, and the matcher
 * and parcel pages make sure they are current before reading them.
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
/** Degrees of longitude per metre at the data's latitudes (≈34–35°N), with a 30 % margin. */
const DEG_PER_M = 1.3 / 91_000;

async function sourceVersions(q: Queryable): Promise<Record<string, number>> {
  const { byLayer } = await readDataVersions(q);
  return Object.fromEntries(STOCK_DERIVED_SOURCES.map((l) => [l, byLayer[l] ?? 0]));
}

async function builtFrom(q: Queryable): Promise<Record<string, number> | null> {
  const rows = await q.query<{ source_versions: Record<string, number> | string; gap_m: number }>(
    'SELECT source_versions, gap_m FROM stock_derived_state WHERE id = 1',
  );
  const row = rows[0];
  if (!row || row.gap_m !== COMBINATION_MAX_GAP_M) return null;
  return typeof row.source_versions === 'string' ? JSON.parse(row.source_versions) : row.source_versions;
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
    await tx.query(STANDING_SQL);
    const [counts] = await tx.query<{ parcels: number; standing: number }>(
      'SELECT (SELECT count(*)::int FROM stock_parcel) AS parcels, (SELECT count(*)::int FROM stock_standing) AS standing',
    );
    // the embedded database answers a failed overlay with no row rather than an error
    if (!counts || counts.standing !== counts.parcels) {
      throw new Error(`存量地块管控情况计算不完整：${counts?.parcels ?? '?'} 宗地块只得到 ${counts?.standing ?? 0} 条结果`);
    }
    await tx.query(ADJACENCY_SQL, [COMBINATION_MAX_GAP_M, COMBINATION_MAX_GAP_M * DEG_PER_M]);
    const [pairs] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_adjacency');
    await tx.query(
      `INSERT INTO stock_derived_state (id, source_versions, gap_m, built_at) VALUES (1, $1, $2, now())
       ON CONFLICT (id) DO UPDATE SET source_versions = EXCLUDED.source_versions, gap_m = EXCLUDED.gap_m, built_at = now()`,
      [JSON.stringify(versions), COMBINATION_MAX_GAP_M],
    );
    return { rebuilt: true, parcels: counts.parcels, pairs: pairs?.n ?? 0, elapsedMs: Date.now() - started };
  });
}
