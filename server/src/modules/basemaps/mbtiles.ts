/**
 * The offline vector base map from an MBTiles file (BASEMAP_MBTILES) — what GDAL's MVT driver
 * (`ogr2ogr -f MBTiles`) and most tile tools write — served tile by tile: the file opened
 * read-only where it lies (better-sqlite3), reopened when it is replaced, rows counted from the
 * bottom as MBTiles does (TMS), the stored gzip passed on as `Content-Encoding: gzip`.
 */
import { stat } from 'node:fs/promises';
import Sqlite from 'better-sqlite3';

export class MbtilesFile {
  private open: { db: Sqlite.Database; mtimeMs: number; get: Sqlite.Statement; zooms: { min: number; max: number } } | null = null;

  constructor(readonly path: string) {}

  /** The file's size, time and zoom range, or null when it is not there. */
  async info(): Promise<{ bytes: number; mtimeMs: number; minzoom: number; maxzoom: number } | null> {
    let s;
    try {
      s = await stat(this.path);
    } catch {
      return null;
    }
    if (!s.isFile()) return null;
    if (!this.open || this.open.mtimeMs !== s.mtimeMs) {
      this.open?.db.close();
      const db = new Sqlite(this.path, { readonly: true, fileMustExist: true });
      const meta = Object.fromEntries((db.prepare(`SELECT name, value FROM metadata`).all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
      const z = db.prepare(`SELECT min(zoom_level) AS min, max(zoom_level) AS max FROM tiles`).get() as { min: number | null; max: number | null };
      this.open = {
        db,
        mtimeMs: s.mtimeMs,
        get: db.prepare(`SELECT tile_data AS data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`),
        zooms: { min: Number(meta.minzoom ?? z.min ?? 0), max: Number(meta.maxzoom ?? z.max ?? 14) },
      };
    }
    return { bytes: s.size, mtimeMs: s.mtimeMs, minzoom: this.open.zooms.min, maxzoom: this.open.zooms.max };
  }

  /** One tile (z/x/y with rows from the top), or null where the file has none. */
  async tile(z: number, x: number, y: number): Promise<{ data: Buffer; gzip: boolean } | null> {
    if (!(await this.info())) return null;
    const row = this.open!.get.get(z, x, 2 ** z - 1 - y) as { data: Buffer } | undefined;
    if (!row) return null;
    return { data: row.data, gzip: row.data[0] === 0x1f && row.data[1] === 0x8b };
  }

  close() {
    this.open?.db.close();
    this.open = null;
  }
}
