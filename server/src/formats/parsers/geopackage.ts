/**
 * GeoPackage (.gpkg) uploads, read on the server: an SQLite file (sql.js, SQLite compiled to
 * WebAssembly) whose feature table's geometries are GeoPackage binary — a small header
 * (magic "GP", flags, SRS id, optional envelope) then standard WKB (read with wkx). The first
 * feature table (gpkg_contents order) becomes a GeoJSON FeatureCollection carrying its coordinate
 * system as a `crs` member — the EPSG code, or the WKT definition of gpkg_spatial_ref_sys when the
 * organization is not EPSG ({@link crsOfSrs}) — which the shared parsers then place or refuse.
 *
 * @example
 * if (isGeoPackage(bytes)) { const { geojson, table, others } = await geoPackageToGeoJson(bytes) }
 */
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import wkx from 'wkx';
import { ParseError, SITE_FILE_LIMITS, type ParseLimits } from './index.ts';

const MAGIC = 'SQLite format 3\u0000';

/** Whether the bytes are an SQLite database (a GeoPackage is one). */
export function isGeoPackage(bytes: Uint8Array): boolean {
  if (bytes.length < 100) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

let engine: Promise<SqlJsStatic> | null = null;

/** Bytes of envelope after the 8-byte header, by the envelope indicator (flags bits 1–3). */
const ENVELOPE_BYTES = [0, 32, 48, 48, 64];

/**
 * The WKB inside a GeoPackage geometry blob, or null for an empty geometry.
 *
 * @example wkbOf(blob) // Uint8Array starting with the WKB byte-order byte
 */
export function wkbOf(blob: Uint8Array): Uint8Array | null {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) throw new Error('不是 GeoPackage 几何（缺少 GP 标记）');
  const flags = blob[3]!;
  if (flags & 0b10000) return null; // empty geometry
  const envelope = ENVELOPE_BYTES[(flags >> 1) & 0b111];
  if (envelope === undefined) throw new Error('GeoPackage 几何的包围盒标记无效');
  return blob.subarray(8 + envelope);
}

type Value = string | number | null;

export interface GeoPackageRead {
  /** A GeoJSON FeatureCollection text with a `crs` member naming the table's EPSG code. */
  geojson: string;
  table: string;
  /** Other feature tables in the file, not read. */
  others: string[];
  /** e.g. 'EPSG:4526', or the name of a definition without an EPSG code; null when the table declares no coordinate system (srs_id 0 / −1, "undefined"). */
  crs: string | null;
}

/**
 * The coordinate system of a table's srs_id, as a GeoJSON `crs` name for the shared parsers:
 * an EPSG code (organization EPSG, or ESRI's codes the parsers know: 102100 Web Mercator);
 * otherwise the WKT in gpkg_spatial_ref_sys.definition, which the parsers read like a .prj;
 * null for GeoPackage's undefined systems (srs_id 0 geographic, −1 Cartesian, definition
 * "undefined") — then the numbers decide, as for a file that declares nothing. A srs_id
 * missing from gpkg_spatial_ref_sys is refused naming it.
 *
 * @example crsOfSrs(4547, { organization: 'EPSG', organization_coordsys_id: 4547, … }) // { member: 'urn:ogc:def:crs:EPSG::4547', label: 'EPSG:4547' }
 */
export function crsOfSrs(srsId: number, srs: Record<string, unknown> | undefined): { member: string; label: string } | null {
  if (!srs) {
    if (srsId === 0 || srsId === -1) return null;
    throw new ParseError(
      'CRS_UNKNOWN',
      `GeoPackage 图层的坐标系 srs_id ${srsId} 在 gpkg_spatial_ref_sys 中没有定义`,
      `The GeoPackage table's coordinate system srs_id ${srsId} is not defined in gpkg_spatial_ref_sys`,
    );
  }
  const organization = String(srs.organization ?? '').trim().toUpperCase();
  const code = Number(srs.organization_coordsys_id);
  const definition = String(srs.definition ?? '').trim();
  if (organization === 'EPSG' && Number.isInteger(code) && code > 0) return { member: `urn:ogc:def:crs:EPSG::${code}`, label: `EPSG:${code}` };
  if (organization === 'ESRI' && (code === 102100 || code === 102113)) return { member: `ESRI:${code}`, label: `ESRI:${code}` };
  if (!definition || /^undefined$/i.test(definition) || srsId === 0 || srsId === -1) return null;
  return { member: definition, label: String(srs.srs_name ?? '').trim() || definition.slice(0, 60) };
}

/**
 * Reads the first feature table. Bounded: every table read (the GeoPackage's own gpkg_* tables and
 * the feature table) must be a stored table — a view or a virtual table can compute rows and bytes
 * without end (a recursive view of millions of rows, a view returning a 900 MB blob), so one is
 * refused with a message; generated columns are not read; rows stop at `limits.maxFeatures` and
 * the GeoJSON written at `limits.maxInflatedBytes`. Runs in a parse worker (parse-pool.ts), whose
 * time limit ends what is left.
 */
export async function geoPackageToGeoJson(bytes: Uint8Array, limits: ParseLimits = SITE_FILE_LIMITS): Promise<GeoPackageRead> {
  engine ??= initSqlJs();
  const SQL = await engine;
  let db;
  try {
    db = new SQL.Database(bytes);
  } catch {
    throw new ParseError('UNREADABLE', 'GeoPackage 文件已损坏，无法打开', 'The GeoPackage file is damaged and cannot be opened');
  }
  try {
    const all = (sql: string, params: Value[] = []) => {
      const stmt = db.prepare(sql);
      stmt.bind(params);
      const rows: Record<string, unknown>[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      stmt.free();
      return rows;
    };
    const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
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
    // stored columns only: a generated column is computed on read, without bound
    const columns = all(`SELECT name, hidden FROM pragma_table_xinfo(?)`, [table]).filter((c) => Number(c.hidden) === 0).map((c) => String(c.name));
    if (!columns.includes(column)) {
      throw new ParseError('GPKG_NOT_A_TABLE', `GeoPackage 图层“${table}”的几何列“${column}”不是存储的列（是计算列或不存在）`, `The geometry column "${column}" of "${table}" is not a stored column (generated, or missing)`);
    }
    const features: string[] = [];
    let written = 0;
    const stmt = db.prepare(`SELECT ${columns.map(quoted).join(', ')} FROM ${quoted(table)}`);
    let row = 0;
    while (stmt.step()) {
      row++;
      if (row > limits.maxFeatures) {
        stmt.free();
        throw new ParseError('TOO_MANY_FEATURES', `GeoPackage 图层“${table}”的要素超过上限 ${limits.maxFeatures} 个`, `The GeoPackage table "${table}" holds more than the ${limits.maxFeatures} features allowed`);
      }
      const r = stmt.getAsObject();
      const blob = r[column];
      if (!(blob instanceof Uint8Array)) continue;
      let geometry: object | null;
      try {
        const wkb = wkbOf(blob);
        geometry = wkb ? (wkx.Geometry.parse(Buffer.from(wkb.buffer, wkb.byteOffset, wkb.byteLength)).toGeoJSON() as object) : null;
      } catch (e) {
        stmt.free();
        throw new ParseError(
          'UNREADABLE',
          `GeoPackage 图层“${table}”第 ${row} 个要素的几何无法读取（几何数据已损坏）：${(e as Error).message}`,
          `Feature ${row} of the GeoPackage table "${table}" has an unreadable geometry (the geometry data is damaged): ${(e as Error).message}`,
        );
      }
      if (!geometry) continue;
      const properties: Record<string, Value> = {};
      for (const [k, v] of Object.entries(r)) {
        if (k === column || v instanceof Uint8Array) continue;
        properties[k] = v as Value;
      }
      const text = JSON.stringify({ type: 'Feature', properties, geometry });
      written += text.length;
      if (written > limits.maxInflatedBytes) {
        stmt.free();
        const mb = Math.round(limits.maxInflatedBytes / 1024 / 1024);
        throw new ParseError('ZIP_TOO_LARGE', `GeoPackage 图层“${table}”读出的要素超过 ${mb} MB，不予读取`, `The features read from the GeoPackage table "${table}" pass ${mb} MB; it is not read`);
      }
      features.push(text);
    }
    stmt.free();
    if (row > 0 && features.length === 0) {
      throw new ParseError('NO_FEATURES', `GeoPackage 图层“${table}”的 ${row} 个要素都没有可读取的几何（${column} 列应为 GeoPackage 几何）`, `None of the ${row} features of the GeoPackage table "${table}" has a readable geometry (column ${column} must hold GeoPackage geometries)`);
    }
    const crsMember = crs ? `"crs":${JSON.stringify({ type: 'name', properties: { name: crs.member } })},` : '';
    return {
      geojson: `{"type":"FeatureCollection",${crsMember}"features":[${features.join(',')}]}`,
      table,
      others: tables.slice(1).map((t) => String(t.table_name)),
      crs: crs?.label ?? null,
    };
  } finally {
    db.close();
  }
}
