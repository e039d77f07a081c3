/**
 * Layer versions in the database (layer_version, layer_archive; migration 0008).
 *
 * The active version's features are the layer's own table — what tiles, features and site
 * checks read. Replacing it (an import or a restore), inside one transaction:
 * 1. the served features go to layer_archive under the active version's number;
 * 2. the table is emptied with DELETE (not TRUNCATE: readers keep the old version until commit);
 * 3. the new features are written; the count is checked (a GEOS failure in the embedded
 *    database drops rows silently);
 * 4. the version rows swap states. The data-version triggers bump the layer, so tiles and
 *    caches see the change the moment the transaction commits — or nothing, if it does not.
 */
import { getLayer } from '../../../../core/layers.ts';
import type { ImportableLayer, LayerVersion } from '../../../../core/contracts/layer-admin.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { layerColumns } from './fields.ts';

const file = (name: string) => new URL(`./sql/${name}.sql`, import.meta.url);
export const tableOf = (layer: ImportableLayer) => getLayer(layer)!.table;

/** Rows moved per statement while archiving and restoring (progress and cancellation between them). */
export const SLICE = 20_000;

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

type Progress = (done: number, total: number) => void;
type Checkpoint = () => void;

/** Slices of ids [from, to] covering `min`..`max`. */
function* slices(min: number, max: number): Generator<[number, number]> {
  for (let a = min; a <= max; a += SLICE) yield [a, Math.min(max, a + SLICE - 1)];
}

/** Moves the served features into the archive as `versionNo` and empties the table; answers how many. */
export async function archiveServed(q: Queryable, layer: ImportableLayer, versionNo: number, progress: Progress, checkpoint: Checkpoint): Promise<number> {
  const table = tableOf(layer);
  const [range] = await q.query<{ lo: number | null; hi: number | null; n: number }>(`SELECT min(id) AS lo, max(id) AS hi, count(*)::int AS n FROM ${table}`);
  const total = range?.n ?? 0;
  let moved = 0;
  progress(0, total);
  if (total > 0) {
    const sql = sqlFile(file('archive'), { table });
    for (const [a, b] of slices(Number(range!.lo), Number(range!.hi))) {
      checkpoint();
      const [r] = await q.query<{ n: number }>(sql, [layer, versionNo, a, b]);
      moved += r?.n ?? 0;
      progress(moved, total);
    }
  }
  if (moved !== total) throw new Error(`存档不完整：应存 ${total} 个要素，实存 ${moved} 个`);
  await q.query(`DELETE FROM ${table}`);
  return total;
}

/** Puts archived version `versionNo` back into the (emptied) table and drops it from the archive. */
export async function restoreArchived(q: Queryable, layer: ImportableLayer, versionNo: number, expected: number, progress: Progress, checkpoint: Checkpoint): Promise<number> {
  const table = tableOf(layer);
  const columns = layerColumns(layer);
  const [range] = await q.query<{ lo: number | null; hi: number | null; n: number }>(
    'SELECT min(id) AS lo, max(id) AS hi, count(*)::int AS n FROM layer_archive WHERE layer = $1 AND version_no = $2',
    [layer, versionNo],
  );
  const total = range?.n ?? 0;
  if (total !== expected) throw new Error(`第 ${versionNo} 版的存档不完整：应有 ${expected} 个要素，存档中 ${total} 个`);
  let back = 0;
  progress(0, total);
  if (total > 0) {
    const sql = sqlFile(file('restore'), { table, columns: columns.join(', '), rColumns: columns.map((c) => `r.${c}`).join(', ') });
    for (const [a, b] of slices(Number(range!.lo), Number(range!.hi))) {
      checkpoint();
      const [r] = await q.query<{ n: number }>(sql, [layer, versionNo, a, b]);
      back += r?.n ?? 0;
      progress(back, total);
    }
  }
  if (back !== total) throw new Error(`恢复不完整：应恢复 ${total} 个要素，实得 ${back} 个`);
  await q.query('DELETE FROM layer_archive WHERE layer = $1 AND version_no = $2', [layer, versionNo]);
  return back;
}

export interface NewFeature {
  values: Record<string, string | number | null>;
  areaM2: number;
  /** GeoJSON geometry text, EPSG:4490, valid. */
  geometry: string;
}

/** Rows per INSERT of a new version. */
export const INSERT_BATCH = 1000;

/** Writes a new version's features into the (emptied) table. */
export async function insertFeatures(q: Queryable, layer: ImportableLayer, features: NewFeature[], progress: Progress, checkpoint: Checkpoint): Promise<number> {
  const table = tableOf(layer);
  const columns = layerColumns(layer);
  const type = (c: string) => (c === 'quality_grade' ? 'int[]' : 'text[]');
  const params = [...columns.map((c, i) => `$${i + 1}::${type(c)}`), `$${columns.length + 1}::float8[]`, `$${columns.length + 2}::text[]`].join(', ');
  const sql = sqlFile(file('insert'), { table, columns: columns.join(', '), xColumns: columns.map((c) => `x.${c}`).join(', '), params });
  let written = 0;
  progress(0, features.length);
  for (let i = 0; i < features.length; i += INSERT_BATCH) {
    checkpoint();
    const batch = features.slice(i, i + INSERT_BATCH);
    const [r] = await q.query<{ n: number }>(sql, [...columns.map((c) => batch.map((f) => f.values[c] ?? null)), batch.map((f) => f.areaM2), batch.map((f) => f.geometry)]);
    written += r?.n ?? 0;
    if (written !== Math.min(features.length, i + INSERT_BATCH)) throw new Error(`写入不完整：第 ${i + 1}–${i + batch.length} 个要素只写入了 ${(r?.n ?? 0)} 个（几何运算失败）`);
    progress(written, features.length);
  }
  const [stored] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  if (stored?.n !== features.length) throw new Error(`写入不完整：应有 ${features.length} 个要素，表中 ${stored?.n ?? 0} 个`);
  return written;
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
