/**
 * Layer versions in the database (layer_version; migrations 0008 and 0013): which version of a
 * layer is served and what each one was. The active version's features are the layer's own
 * table — what tiles, features and site checks read; archived versions are tables in
 * layer_store (store.ts), or, for versions archived before migration 0013, rows of layer_archive.
 */
import type { ImportableLayer, LayerVersion } from '../../../../core/contracts/layer-admin.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';
import { tableOf } from './store.ts';

interface VersionRow {
  version_no: number;
  state: 'active' | 'archived';
  created_at: string | Date;
  created_by_name: string | null;
  file_name: string | null;
  format: string | null;
  crs: string | null;
  feature_count: number;
  area_m2: number;
  bbox: [number, number, number, number] | string | null;
  note: string | null;
  activated_at: string | Date;
}

const iso = (t: string | Date) => (t instanceof Date ? t : new Date(t)).toISOString();

/** The note ensureFirstVersion writes on version 1, in both languages: the data before the first import, and the demo dataset's scale. */
const FIRST_VERSION_NOTE = { zh: '首次导入前的数据', en: 'Data before the first import', datasetZh: '演示数据集', datasetEn: 'demo dataset' };
const FIRST_VERSION_NOTE_RE = new RegExp(`^${FIRST_VERSION_NOTE.zh}(?:（${FIRST_VERSION_NOTE.datasetZh} (\\w+)）)?$`);

/** Version 1's note in English (null for a note an administrator wrote, which is data). */
function firstVersionNoteEn(r: Pick<VersionRow, 'version_no' | 'file_name' | 'note'>): string | null {
  const m = r.file_name === null && r.note !== null ? FIRST_VERSION_NOTE_RE.exec(r.note) : null;
  if (!m) return null;
  return m[1] ? `${FIRST_VERSION_NOTE.en} (${FIRST_VERSION_NOTE.datasetEn} ${m[1]})` : FIRST_VERSION_NOTE.en;
}

function toVersion(r: VersionRow): LayerVersion {
  return {
    versionNo: Number(r.version_no),
    state: r.state,
    createdAt: iso(r.created_at),
    createdBy: r.created_by_name,
    fileName: r.file_name,
    format: r.format,
    crs: r.crs,
    featureCount: Number(r.feature_count),
    area: toAreaUnits(Number(r.area_m2)),
    bbox: typeof r.bbox === 'string' ? JSON.parse(r.bbox) : r.bbox,
    note: r.note,
    noteEn: firstVersionNoteEn(r),
    activatedAt: iso(r.activated_at),
  };
}

/**
 * Makes sure the layer has a version row: before its first import, what the table holds is
 * version 1 (the data it was loaded with). Idempotent.
 */
export async function ensureFirstVersion(q: Queryable, layer: ImportableLayer): Promise<void> {
  const [has] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM layer_version WHERE layer = $1', [layer]);
  if (has && has.n > 0) return;
  const table = tableOf(layer);
  await q.query(
    `INSERT INTO layer_version (layer, version_no, state, created_at, file_name, format, feature_count, area_m2, bbox, note, activated_at)
     SELECT $1, 1, 'active', coalesce(si.loaded_at, now()), NULL, NULL, s.n, s.area,
            CASE WHEN s.n = 0 THEN NULL ELSE json_build_array(ST_XMin(s.ext), ST_YMin(s.ext), ST_XMax(s.ext), ST_YMax(s.ext)) END,
            CASE WHEN si.scale IS NULL THEN $2 ELSE $2 || '（' || $3 || ' ' || si.scale || '）' END,
            coalesce(si.loaded_at, now())
       FROM (SELECT count(*)::int AS n, coalesce(sum(area_m2), 0) AS area, ST_Extent(geom)::geometry AS ext FROM ${table}) s
       LEFT JOIN seed_info si ON si.id = 1
     ON CONFLICT (layer, version_no) DO NOTHING`,
    [layer, FIRST_VERSION_NOTE.zh, FIRST_VERSION_NOTE.datasetZh],
  );
}

export async function listVersions(q: Queryable, layer: ImportableLayer): Promise<LayerVersion[]> {
  const rows = await q.query<VersionRow>('SELECT * FROM layer_version WHERE layer = $1 ORDER BY version_no DESC', [layer]);
  return rows.map(toVersion);
}

export async function activeVersion(q: Queryable, layer: ImportableLayer): Promise<LayerVersion> {
  const rows = await q.query<VersionRow>(`SELECT * FROM layer_version WHERE layer = $1 AND state = 'active'`, [layer]);
  if (!rows[0]) throw new Error(`图层 ${layer} 没有在用的版本`);
  return toVersion(rows[0]);
}

export async function findVersion(q: Queryable, layer: ImportableLayer, versionNo: number): Promise<LayerVersion | null> {
  const rows = await q.query<VersionRow>('SELECT * FROM layer_version WHERE layer = $1 AND version_no = $2', [layer, versionNo]);
  return rows[0] ? toVersion(rows[0]) : null;
}

/**
 * What the layer serves now, as a version, without writing anything: the active version, or
 * before the first import the table's own figures as version 1.
 */
export async function servedVersion(q: Queryable, layer: ImportableLayer): Promise<{ versionNo: number; featureCount: number; areaM2: number }> {
  const rows = await q.query<VersionRow>(`SELECT * FROM layer_version WHERE layer = $1 AND state = 'active'`, [layer]);
  if (rows[0]) return { versionNo: Number(rows[0].version_no), featureCount: Number(rows[0].feature_count), areaM2: Number(rows[0].area_m2) };
  const [t] = await q.query<{ n: number; area: number }>(`SELECT count(*)::int AS n, coalesce(sum(area_m2), 0) AS area FROM ${tableOf(layer)}`);
  return { versionNo: 1, featureCount: t!.n, areaM2: Number(t!.area) };
}

/** Serialises everything that replaces one layer (held to the end of the transaction). */
export async function lockLayer(q: Queryable, layer: ImportableLayer): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('layer-admin:' || $1))`, [layer]);
}

export interface VersionRecord {
  fileName: string | null;
  format: string | null;
  crs: string | null;
  featureCount: number;
  areaM2: number;
  bbox: [number, number, number, number] | null;
  note: string | null;
  user: { id: number; displayName: string } | null;
}

/** Records a new active version (the previous active one archived); answers its number. */
export async function recordNewVersion(q: Queryable, layer: ImportableLayer, v: VersionRecord): Promise<number> {
  await q.query(`UPDATE layer_version SET state = 'archived' WHERE layer = $1 AND state = 'active'`, [layer]);
  const [row] = await q.query<{ version_no: number }>(
    `INSERT INTO layer_version (layer, version_no, state, created_by, created_by_name, file_name, format, crs, feature_count, area_m2, bbox, note, activated_by)
     SELECT $1, coalesce(max(version_no), 0) + 1, 'active', $2, $3, $4, $5, $6, $7, $8, $9::json, $10, $2 FROM layer_version WHERE layer = $1
     RETURNING version_no`,
    [layer, v.user?.id ?? null, v.user?.displayName ?? null, v.fileName, v.format, v.crs, v.featureCount, v.areaM2, v.bbox ? JSON.stringify(v.bbox) : null, v.note],
  );
  return Number(row!.version_no);
}

/** Makes archived version `versionNo` the active one again. */
export async function activateVersion(q: Queryable, layer: ImportableLayer, versionNo: number, user: { id: number } | null): Promise<void> {
  await q.query(`UPDATE layer_version SET state = 'archived' WHERE layer = $1 AND state = 'active'`, [layer]);
  await q.query(`UPDATE layer_version SET state = 'active', activated_at = now(), activated_by = $3 WHERE layer = $1 AND version_no = $2`, [layer, versionNo, user?.id ?? null]);
}
