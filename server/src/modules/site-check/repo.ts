/** SQL of the site check: validity, overlays, differences, saved reports. */
import type { AccountRole } from '../../../../core/access.ts';
import type { LayerDefinition } from '../../../../core/layers.ts';
import type { Queryable } from '../../db/database.ts';
import { ident, selectColumns, sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';

const sql = (name: string, tokens?: Record<string, string>) => sqlFile(new URL(`./sql/${name}`, import.meta.url), tokens);

export interface PreparedSite {
  valid: boolean;
  reason: string;
  location: string | null;
  site: string | null;
  analysed: string | null;
  repaired_valid: boolean | null;
  /** Planar area of the repaired site: 0 when nothing but lines and points is left (collinear input). */
  repairable_area: number;
}

export async function prepareSite(db: Queryable, geojson: string, repair: boolean, bufferMeters: number): Promise<PreparedSite> {
  const rows = await db.query<PreparedSite>(sql('prepare-site.sql'), [geojson, repair, bufferMeters]);
  if (!rows[0]) {
    // the embedded database answers a GEOS failure with no row
    throw new AppError(422, 'GEOMETRY_UNUSABLE', '选址几何无法解析或处理，请检查坐标', 'The site geometry could not be read or processed; check its coordinates');
  }
  return rows[0];
}

export interface OverlayRow {
  id: number;
  code: string;
  overlap: string;
  [attr: string]: unknown;
}

/** One row per feature whose box meets the site; throws if the overlay lost any (a silent GEOS failure). */
export async function overlay(db: Queryable, layer: LayerDefinition, analysed: string, attributes: readonly string[]): Promise<OverlayRow[]> {
  const table = ident(layer.table);
  const [{ n } = { n: -1 }] = await db.query<{ n: number }>(sql('candidates.sql', { table }), [analysed]);
  const rows = await db.query<OverlayRow>(
    sql('overlay.sql', { table, select_columns: selectColumns(layer, attributes) }),
    [analysed],
  );
  if (rows.length !== n) throw new OverlayFailed(layer.id, n, rows.length);
  return rows;
}

/** The site minus the features of `tables` that meet it; null rest when nothing is left. */
export async function difference(db: Queryable, tables: string[], analysed: string): Promise<{ rest: string | null; nothingCut: boolean }> {
  const cut = tables.map((t) => `SELECT geom FROM ${ident(t)}`).join(' UNION ALL ');
  const rows = await db.query<{ rest: string | null; nothing_cut: boolean }>(sql('difference.sql', { cut }), [analysed]);
  if (!rows[0]) throw new OverlayFailed(tables.join('+'), 1, 0);
  return { rest: rows[0].rest, nothingCut: rows[0].nothing_cut };
}

export class OverlayFailed extends Error {
  constructor(
    readonly layer: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`overlay with ${layer} returned ${got} of ${expected} rows`);
  }
}

export async function saveReport(
  db: Queryable,
  r: { id: string; createdAt: string; name: string | null; use: string | null; dataVersion: string; areaM2: number; contentHash: string; report: unknown; site: string; ownerId?: number | null; expiresAt?: Date | null },
): Promise<void> {
  await db.query(
    `INSERT INTO site_check (id, created_at, name, planned_use, data_version, area_m2, content_hash, report, geom, owner_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($9), 4490)), $10, $11)`,
    [r.id, r.createdAt, r.name, r.use, r.dataVersion, r.areaM2, r.contentHash, JSON.stringify(r.report), r.site, r.ownerId ?? null, r.expiresAt?.toISOString() ?? null],
  );
}

/**
 * A filed report, when it lapses (a public check) and whether it has (by the database's clock, as
 * the purge judges), and who filed it (the owner's role and display name; null when no owner was
 * kept, `displayName` null when the account is gone).
 */
export async function loadReport(
  db: Queryable,
  id: string,
): Promise<{ report: unknown; expiresAt: Date | null; lapsed: boolean; filedBy: { role: AccountRole; displayName: string | null } | null } | null> {
  const rows = await db.query<{ report: unknown; expires_at: Date | string | null; lapsed: boolean; owner_id: number | null; role: AccountRole | null; display_name: string | null }>(
    `SELECT s.report, s.expires_at, (s.expires_at IS NOT NULL AND s.expires_at <= now()) AS lapsed, s.owner_id, u.role, u.display_name
       FROM site_check s LEFT JOIN app_user u ON u.id = s.owner_id
      WHERE s.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    report: typeof row.report === 'string' ? JSON.parse(row.report) : row.report,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    lapsed: row.lapsed,
    filedBy: row.owner_id === null || row.role === null ? null : { role: row.role, displayName: row.display_name },
  };
}

/** Whether a layer's table holds any feature (an empty one cannot clear a site). */
export async function hasFeatures(db: Queryable, table: string): Promise<boolean> {
  const [r] = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${ident(table)}) AS any`);
  return r?.any === true;
}
