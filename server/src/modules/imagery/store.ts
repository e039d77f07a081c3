/**
 * The imagery_layer table, and where its files live: every file is under IMAGERY_DIR (uploads in
 * its `uploads/`), stored relative to it; a path an administrator names is resolved there and must
 * stay there after symlinks are followed.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { ImageryAccess, ImageryLayer, ImageryMeta } from '../../../../core/contracts/imagery.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import type { ImageryInfo } from './geotiff-source.ts';

export interface ImageryRow {
  id: number;
  name: string;
  name_en: string;
  period_label: string;
  period_date: string;
  access: ImageryAccess;
  file_path: string;
  file_name: string;
  source: 'upload' | 'path' | 'demo';
  file_bytes: number;
  epsg: number;
  crs_name: string;
  width: number;
  height: number;
  bands: number;
  levels: number;
  pixel_size_m: number;
  west: number;
  south: number;
  east: number;
  north: number;
  demo: boolean;
  created_at: string;
  updated_ms: number;
}

const COLUMNS = `id, name, name_en, period_label, to_char(period_date, 'YYYY-MM-DD') AS period_date, access, file_path, file_name, source,
  file_bytes::float8 AS file_bytes, epsg, crs_name, width, height, bands, levels, pixel_size_m, west, south, east, north, demo,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
  (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms`;

export async function listImagery(db: Queryable): Promise<ImageryRow[]> {
  return db.query<ImageryRow>(`SELECT ${COLUMNS} FROM imagery_layer ORDER BY period_date, id`);
}

/** Rows read for tiles, kept a few seconds (a map view asks for dozens of tiles at once); dropped on every change. */
const rowCache = new LRUCache<number, ImageryRow | false>({ max: 500, ttl: 5_000 });

export async function getImagery(db: Queryable, id: number, fresh = false): Promise<ImageryRow | null> {
  const hit = fresh ? undefined : rowCache.get(id);
  if (hit !== undefined) return hit || null;
  const [row] = await db.query<ImageryRow>(`SELECT ${COLUMNS} FROM imagery_layer WHERE id = $1`, [id]);
  rowCache.set(id, row ?? false);
  return row ?? null;
}

export function forgetImagery(): void {
  rowCache.clear();
}

export async function insertImagery(
  db: Queryable,
  meta: ImageryMeta,
  file: { relPath: string; fileName: string; source: 'upload' | 'path' | 'demo' },
  info: ImageryInfo,
  createdBy: string | null,
): Promise<ImageryRow> {
  const [{ id } = { id: 0 }] = await db.query<{ id: number }>(
    `INSERT INTO imagery_layer (name, name_en, period_label, period_date, access, file_path, file_name, source, file_bytes, epsg, crs_name,
       width, height, bands, levels, pixel_size_m, west, south, east, north, demo, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
    [
      meta.name, meta.nameEn, meta.periodLabel, meta.periodDate, meta.access, file.relPath, file.fileName, file.source, info.fileBytes, info.epsg, info.crsName,
      info.width, info.height, info.bands, info.levels, info.pixelSizeM, ...info.bbox, file.source === 'demo', createdBy,
    ],
  );
  forgetImagery();
  return (await getImagery(db, id, true))!;
}

export async function updateImagery(db: Queryable, id: number, patch: Partial<ImageryMeta>): Promise<ImageryRow | null> {
  const cols: Record<keyof ImageryMeta, string> = { name: 'name', nameEn: 'name_en', periodLabel: 'period_label', periodDate: 'period_date', access: 'access' };
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [k, col] of Object.entries(cols) as [keyof ImageryMeta, string][]) {
    if (patch[k] === undefined) continue;
    values.push(patch[k]);
    sets.push(`${col} = $${values.length}`);
  }
  if (sets.length) await db.query(`UPDATE imagery_layer SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, values);
  forgetImagery();
  return getImagery(db, id, true);
}

export async function deleteImagery(db: Queryable, id: number): Promise<ImageryRow | null> {
  const row = await getImagery(db, id, true);
  if (row) await db.query('DELETE FROM imagery_layer WHERE id = $1', [id]);
  forgetImagery();
  return row;
}

/** The contract's view of a row; the file's whereabouts for administrators only. */
export function imageryOut(row: ImageryRow, admin: boolean): ImageryLayer {
  return {
    id: row.id,
    name: row.name,
    nameEn: row.name_en,
    periodLabel: row.period_label,
    periodDate: row.period_date,
    access: row.access,
    epsg: row.epsg,
    crsName: row.crs_name,
    width: row.width,
    height: row.height,
    bands: row.bands,
    levels: row.levels,
    pixelSizeM: row.pixel_size_m,
    bbox: [row.west, row.south, row.east, row.north],
    tiles: `/api/imagery/${row.id}/tiles/{z}/{x}/{y}.png?v=${Math.round(row.updated_ms)}`,
    demo: row.demo,
    createdAt: row.created_at,
    ...(admin ? { fileName: row.file_name, filePath: row.file_path, source: row.source, fileBytes: row.file_bytes } : {}),
  };
}

/**
 * A path an administrator names, resolved under IMAGERY_DIR: relative to it (or absolute inside
 * it), a regular file, and still inside once symlinks are followed; 400 otherwise, naming why.
 */
export async function resolveServerPath(imageryDir: string, given: string): Promise<{ abs: string; rel: string }> {
  const outside = () =>
    new AppError(
      400,
      'IMAGERY_PATH_OUTSIDE',
      `路径“${given}”不在服务器的影像目录（IMAGERY_DIR）内：只能登记该目录下的文件`,
      `The path "${given}" is not inside the server's imagery directory (IMAGERY_DIR): only files there can be registered`,
    );
  if (given.includes('\0')) throw outside();
  const root = await realpath(imageryDir).catch(() => {
    throw new AppError(400, 'IMAGERY_DIR_MISSING', `服务器的影像目录不存在：${imageryDir}`, `The server's imagery directory does not exist: ${imageryDir}`);
  });
  const candidate = isAbsolute(given) ? resolve(given) : resolve(root, given);
  const inside = (p: string) => p.startsWith(root + sep);
  if (!inside(candidate) && !inside(resolve(imageryDir, given))) throw outside();
  let real: string;
  try {
    real = await realpath(isAbsolute(given) ? given : resolve(imageryDir, given));
  } catch {
    throw new AppError(404, 'IMAGERY_FILE_NOT_FOUND', `影像目录中没有文件“${given}”`, `No file "${given}" in the imagery directory`);
  }
  if (!inside(real)) throw outside();
  const st = await stat(real);
  if (!st.isFile()) throw new AppError(400, 'IMAGERY_NOT_A_FILE', `“${given}”不是文件`, `"${given}" is not a file`);
  return { abs: real, rel: relative(root, real) };
}

/** A stored relative path back to the file. */
export function fileOf(imageryDir: string, rel: string): string {
  return resolve(imageryDir, rel);
}
