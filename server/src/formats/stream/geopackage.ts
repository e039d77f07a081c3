/**
 * A GeoPackage read in pages (better-sqlite3, the file opened read-only where it lies): its first
 * feature table (gpkg_contents order, as the whole-file parse reads it), 5 000 rows at a time by
 * rowid, each GeoPackage geometry blob → WKB → GeoJSON (wkx). The table's coordinate system is
 * read from gpkg_spatial_ref_sys as geopackage.ts reads it (crsOfSrs) and declared like a GeoJSON
 * `crs` member, so it is placed or refused by the same rules. As there, only stored tables and
 * stored columns are read (a view or a generated column computes without bound).
 *
 * bytesTotal is the file's size; bytesRead() the share of it the rowids read so far stand for.
 *
 * @example const src = await openGeoPackageSource('/tmp/farmland.gpkg', STREAM_LAYER_LIMITS)
 */
import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import wkx from 'wkx';
import { crsFromGeoJsonMember } from '../parsers/crs.ts';
import { ParseError, warn } from '../parsers/errors.ts';
import { polygonsOf, type GeometryLike } from '../parsers/geojson.ts';
import { crsOfSrs, wkbOf } from '../parsers/geopackage.ts';
import { tooManyFeatures, type ParseLimits } from '../parsers/limits.ts';
import { toPropertyValue } from '../parsers/raw.ts';
import type { ParseWarning, SiteProperties } from '../parsers/types.ts';
import { problem, type LayerSource, type RawRecord } from './place.ts';
import { MAX_RECORD_BYTES } from './types.ts';

const PAGE = 5_000;

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function openGeoPackageSource(path: string, limits: ParseLimits): Promise<LayerSource> {
  const bytesTotal = (await stat(path)).size;
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = true');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    throw new ParseError('UNREADABLE', 'GeoPackage 文件已损坏，无法打开', 'The GeoPackage file is damaged and cannot be opened');
  }
  let open = true;
  const close = async () => {
    if (open) {
      open = false;
      db.close();
    }
  };
  try {
    const all = (sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as Record<string, unknown>[];
    /** A ParseError unless `name` is a stored table (not a view, not a virtual table). */
    const storedTable = (name: string, what: { zh: string; en: string }) => {
      const entry = all(`SELECT type, sql FROM sqlite_master WHERE name = ? COLLATE NOCASE`, [name])[0];
      if (!entry) return false;
      const virtual = entry.type === 'table' && /^\s*CREATE\s+VIRTUAL\s/i.test(String(entry.sql ?? ''));
      if (entry.type !== 'table' || virtual) {
        const kind = virtual ? { zh: '虚拟表', en: 'a virtual table' } : entry.type === 'view' ? { zh: '视图（view）', en: 'a view' } : { zh: String(entry.type), en: `a ${String(entry.type)}` };
        throw new ParseError(
          'GPKG_NOT_A_TABLE',
          `GeoPackage 的${what.zh}“${name}”是${kind.zh}，不是数据表：视图的行数和大小没有上限，只读取数据表中的要素；请用 GIS 软件把它导出为普通图层`,
          `The GeoPackage's ${what.en} "${name}" is ${kind.en}, not a table: a view's rows and size have no bound, so only features stored in tables are read — export it as an ordinary layer`,
        );
      }
      return true;
    };
    for (const meta of ['gpkg_geometry_columns', 'gpkg_contents', 'gpkg_spatial_ref_sys']) storedTable(meta, { zh: '元数据表', en: 'metadata table' });
    let tables: Record<string, unknown>[];
    try {
      tables = all(
        `SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g
           LEFT JOIN gpkg_contents c ON c.table_name = g.table_name
          ORDER BY coalesce(c.rowid, 1e9), g.table_name`,
      );
    } catch {
      throw new ParseError('UNSUPPORTED_FORMAT', '这是 SQLite 文件，但不是 GeoPackage（没有 gpkg_geometry_columns 表）', 'This is an SQLite file but not a GeoPackage (no gpkg_geometry_columns table)');
    }
    const first = tables[0];
    if (!first) throw new ParseError('NO_FEATURES', 'GeoPackage 中没有要素图层', 'The GeoPackage holds no feature table');
    const table = String(first.table_name);
    const column = String(first.column_name);
    const srsId = Number(first.srs_id);
    const srs = all('SELECT srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?', [srsId])[0];
    const crs = crsOfSrs(srsId, srs);
    if (!storedTable(table, { zh: '要素图层', en: 'feature table' })) {
      throw new ParseError('NO_FEATURES', `GeoPackage 登记的要素图层“${table}”不存在`, `The GeoPackage lists a feature table "${table}" that does not exist`);
    }
    const columns = all(`SELECT name, hidden FROM pragma_table_xinfo(?)`, [table]).filter((c) => Number(c.hidden) === 0).map((c) => String(c.name));
    if (!columns.includes(column)) {
      throw new ParseError('GPKG_NOT_A_TABLE', `GeoPackage 图层“${table}”的几何列“${column}”不是存储的列（是计算列或不存在）`, `The geometry column "${column}" of "${table}" is not a stored column (generated, or missing)`);
    }
    const declared = crs ? crsFromGeoJsonMember({ type: 'name', properties: { name: crs.member } }) : undefined;
    const warnings: ParseWarning[] = [];
    const others = tables.slice(1).map((t) => String(t.table_name));
    warnings.push(
      warn(
        'GEOPACKAGE_TABLE',
        `读取了 GeoPackage 图层“${table}”（${crs?.label ?? '未声明坐标系'}）${others.length ? `；另有 ${others.length} 个图层（${others.join('、')}）未读取` : ''}`,
        `Read the GeoPackage table "${table}" (${crs?.label ?? 'no coordinate system declared'})${others.length ? `; ${others.length} more (${others.join(', ')}) not read` : ''}`,
      ),
    );
    const fieldNames = columns.filter((c) => c !== column);
    const maxRowid = Number((db.prepare(`SELECT max(rowid) AS m FROM ${quoted(table)}`).get() as { m: number | null }).m ?? 0);
    const page = db.prepare(`SELECT rowid AS "__rowid", ${columns.map(quoted).join(', ')} FROM ${quoted(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`);
    let lastRowid = 0;

    const recordOf = (row: number, r: Record<string, unknown>): RawRecord => {
      const properties: SiteProperties = {};
      for (const name of fieldNames) {
        const v = r[name];
        if (!(v instanceof Uint8Array)) properties[name] = toPropertyValue(typeof v === 'bigint' ? Number(v) : v);
      }
      const blob = r[column];
      if (!(blob instanceof Uint8Array)) return { row, properties, polygons: null, problem: problem('EMPTY_GEOMETRY', '要素没有几何', 'The feature has no geometry') };
      if (blob.length > MAX_RECORD_BYTES) return { row, properties, polygons: null, problem: problem('TOO_MANY_VERTICES', '几何超过 256 MB，请先抽稀', 'The geometry is larger than 256 MB; simplify it first') };
      try {
        const wkb = wkbOf(blob);
        if (!wkb) return { row, properties, polygons: null, problem: problem('EMPTY_GEOMETRY', '空几何', 'An empty geometry') };
        const geometry = wkx.Geometry.parse(Buffer.from(wkb.buffer, wkb.byteOffset, wkb.byteLength)).toGeoJSON() as GeometryLike;
        const others = new Map<string, number>();
        const polygons = polygonsOf(geometry, row, others);
        if (polygons.length === 0) return { row, properties, polygons: null, problem: problem('NOT_POLYGON', `几何类型为 ${String(geometry.type)}，不是面`, `The geometry is a ${String(geometry.type)}, not a polygon`) };
        return { row, properties, polygons };
      } catch (e) {
        if (e instanceof ParseError) return { row, properties, polygons: null, problem: problem(e.code, e.zh, e.en) };
        const detail = e instanceof Error ? e.message : String(e);
        return { row, properties, polygons: null, problem: problem('UNREADABLE', `几何无法读取（几何数据已损坏）：${detail}`, `The geometry cannot be read (the geometry data is damaged): ${detail}`) };
      }
    };

    async function* records(): AsyncGenerator<RawRecord> {
      let row = 0;
      try {
        for (;;) {
          if (!open) return;
          const rows = page.all(lastRowid) as Record<string, unknown>[];
          if (rows.length === 0) break;
          for (const r of rows) {
            row++;
            if (row > limits.maxFeatures) throw tooManyFeatures(limits.maxFeatures, limits, true);
            lastRowid = Number(r.__rowid);
            yield recordOf(row, r);
          }
          // let other work run between pages: better-sqlite3 is synchronous
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (row === 0) throw new ParseError('NO_FEATURES', `GeoPackage 图层“${table}”中没有要素`, `The GeoPackage table "${table}" holds no features`);
      } finally {
        await close();
      }
    }

    return {
      ...(declared ? { declared } : {}),
      warnings,
      fieldNames,
      records: records(),
      bytesTotal,
      bytesRead: () => (maxRowid > 0 ? Math.min(bytesTotal, Math.round((bytesTotal * lastRowid) / maxRowid)) : 0),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
