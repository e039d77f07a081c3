/**
 * The polygon Shapefile writer of every export (cases, site-check reports): .shp/.shx (shape
 * type 5, outer rings clockwise and holes anticlockwise as the format wants; a record without
 * rings is a null shape, so the .dbf rows stay aligned) and a dBase III .dbf whose text is GBK
 * — what ArcGIS and the Chinese desktop GIS read without being told, language driver byte for
 * code page 936 — or UTF-8. The caller's zip adds the .cpg naming the encoding and the .prj.
 *
 * @example writeShapefile([{ geometry, row }], [{ name: 'CODE', type: 'C', length: 40, decimals: 0, value: (r) => r.code }], date)
 */
import { encodeGbk } from '../encoding.ts';

/** OGC WKT of EPSG:4490, for the Shapefile .prj. */
export const CGCS2000_PRJ =
  'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]]';

/** Text encodings of the .dbf (and what the .cpg says). */
export type DbfEncoding = 'gbk' | 'utf-8';

type Geo = { type: string; coordinates: unknown[] };

/**
 * A DBF column: name ≤ 10 ASCII capitals; C text, N number, D date (YYYY-MM-DD given). A text
 * column of length 0 takes the longest value's byte length (1–254).
 */
export interface DbfColumn<T> {
  name: string;
  type: 'C' | 'N' | 'D';
  length: number;
  decimals: number;
  value: (row: T) => string | number | null;
}

/** Twice the signed area of a lon/lat ring (positive anticlockwise). */
function ringArea2(ring: number[][]): number {
  const [x0 = 0, y0 = 0] = ring[0] ?? [];
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    s += (ring[j]![0]! - x0) * (ring[i]![1]! - y0) - (ring[i]![0]! - x0) * (ring[j]![1]! - y0);
  }
  return s;
}

/** A geometry's rings in Shapefile order: outer rings clockwise, holes anticlockwise. */
export function shapeRings(g: Geo): number[][][] {
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
  const rings: number[][][] = [];
  for (const poly of polys) {
    poly.forEach((ring, i) => {
      if (ring.length < 4) return;
      const clockwise = ringArea2(ring) < 0;
      rings.push(clockwise === (i === 0) ? ring : [...ring].reverse());
    });
  }
  return rings;
}

type Box = [number, number, number, number];

function boxOf(rings: number[][][]): Box {
  const b: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of rings) for (const p of r) {
    b[0] = Math.min(b[0], p[0]!);
    b[1] = Math.min(b[1], p[1]!);
    b[2] = Math.max(b[2], p[0]!);
    b[3] = Math.max(b[3], p[1]!);
  }
  return rings.length ? b : [0, 0, 0, 0];
}

function shapeHeader(view: DataView, fileBytes: number, box: Box) {
  view.setInt32(0, 9994);
  view.setInt32(24, fileBytes / 2);
  view.setInt32(28, 1000, true);
  view.setInt32(32, 5, true);
  box.forEach((v, i) => view.setFloat64(36 + i * 8, v, true));
}

export function writeShp(geometries: Geo[]): { shp: Uint8Array; shx: Uint8Array } {
  const records = geometries.map(shapeRings);
  const contentBytes = records.map((rings) => (rings.length ? 44 + 4 * rings.length + 16 * rings.reduce((n, r) => n + r.length, 0) : 4));
  const shpBytes = 100 + contentBytes.reduce((n, c) => n + 8 + c, 0);
  const shxBytes = 100 + 8 * records.length;
  const shp = new DataView(new ArrayBuffer(shpBytes));
  const shx = new DataView(new ArrayBuffer(shxBytes));
  const all = boxOf(records.flat());
  shapeHeader(shp, shpBytes, all);
  shapeHeader(shx, shxBytes, all);
  let at = 100;
  records.forEach((rings, i) => {
    const content = contentBytes[i]!;
    shx.setInt32(100 + i * 8, at / 2);
    shx.setInt32(104 + i * 8, content / 2);
    shp.setInt32(at, i + 1);
    shp.setInt32(at + 4, content / 2);
    let o = at + 8;
    if (!rings.length) {
      shp.setInt32(o, 0, true); // null shape: keeps the records aligned with the .dbf
      at += 8 + content;
      return;
    }
    shp.setInt32(o, 5, true);
    boxOf(rings).forEach((v, k) => shp.setFloat64(o + 4 + k * 8, v, true));
    shp.setInt32(o + 36, rings.length, true);
    shp.setInt32(o + 40, rings.reduce((n, r) => n + r.length, 0), true);
    o += 44;
    let start = 0;
    for (const r of rings) {
      shp.setInt32(o, start, true);
      o += 4;
      start += r.length;
    }
    for (const r of rings) for (const p of r) {
      shp.setFloat64(o, p[0]!, true);
      shp.setFloat64(o + 8, p[1]!, true);
      o += 16;
    }
    at += 8 + content;
  });
  return { shp: new Uint8Array(shp.buffer), shx: new Uint8Array(shx.buffer) };
}

const utf8 = new TextEncoder();
const encoders: Record<DbfEncoding, (text: string) => Uint8Array> = { gbk: (t) => encodeGbk(t).bytes, 'utf-8': (t) => utf8.encode(t) };

/** A text's bytes cut to at most `bytes` without splitting a character. */
function cutTo(text: string, bytes: number, encode: (text: string) => Uint8Array): Uint8Array {
  const whole = encode(text);
  if (whole.length <= bytes) return whole;
  let n = 0;
  let cut = '';
  for (const ch of text) {
    n += encode(ch).length;
    if (n > bytes) break;
    cut += ch;
  }
  return encode(cut);
}

/** The .dbf of rows, text in `encoding` (GBK: language driver 0x4D, code page 936); `date` goes in the header. */
export function writeDbf<T>(rows: T[], fields: DbfColumn<T>[], date: Date, encoding: DbfEncoding = 'gbk'): Uint8Array {
  const encode = encoders[encoding];
  const columns = fields.map((c) =>
    c.type === 'C' && c.length === 0 ? { ...c, length: Math.min(254, Math.max(1, ...rows.map((r) => encode(String(c.value(r) ?? '')).length))) } : c,
  );
  const headerBytes = 32 + 32 * columns.length + 1;
  const recordBytes = 1 + columns.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(headerBytes + recordBytes * rows.length + 1);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0x03);
  view.setUint8(1, date.getUTCFullYear() - 1900);
  view.setUint8(2, date.getUTCMonth() + 1);
  view.setUint8(3, date.getUTCDate());
  view.setUint32(4, rows.length, true);
  view.setUint16(8, headerBytes, true);
  view.setUint16(10, recordBytes, true);
  if (encoding === 'gbk') view.setUint8(29, 0x4d); // code page 936
  const ascii = new TextEncoder();
  columns.forEach((c, i) => {
    if (!/^[A-Z0-9_]{1,10}$/.test(c.name)) throw new Error(`DBF field name must be ≤ 10 ASCII capitals: ${c.name}`);
    const at = 32 + i * 32;
    bytes.set(ascii.encode(c.name), at);
    bytes[at + 11] = c.type.charCodeAt(0);
    bytes[at + 16] = c.length;
    bytes[at + 17] = c.decimals;
  });
  bytes[headerBytes - 1] = 0x0d;
  let at = headerBytes;
  for (const row of rows) {
    bytes.fill(0x20, at, at + recordBytes);
    let o = at + 1;
    for (const c of columns) {
      const v = c.value(row);
      if (c.type === 'C') bytes.set(cutTo(v === null ? '' : String(v), c.length, encode), o);
      else if (c.type === 'D') {
        if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) bytes.set(ascii.encode(v.replace(/-/g, '')), o);
      } else if (typeof v === 'number' && Number.isFinite(v)) {
        const text = v.toFixed(c.decimals);
        bytes.set(ascii.encode(text.length <= c.length ? text.padStart(c.length, ' ') : '*'.repeat(c.length)), o);
      }
      o += c.length;
    }
    at += recordBytes;
  }
  bytes[at] = 0x1a;
  return bytes;
}

/** The .shp, .shx and .dbf of polygon records with their attributes. */
export function writeShapefile<T>(records: { geometry: Geo; row: T }[], columns: DbfColumn<T>[], date: Date, encoding: DbfEncoding = 'gbk') {
  const { shp, shx } = writeShp(records.map((r) => r.geometry));
  return { shp, shx, dbf: writeDbf(records.map((r) => r.row), columns, date, encoding) };
}
