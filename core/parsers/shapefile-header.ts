/**
 * What a Shapefile's headers claim, checked against its bytes before any record is read: the
 * .shp and .shx file lengths, every .shp record fitting inside the file and having the header's
 * shape type (or none), and the .shx and .dbf counting as many records as the .shp holds. A
 * file that lies about itself is refused naming the lie, rather than read in part.
 */
import { ParseError } from './errors.ts';

const NULL_SHAPE = 0;
const TYPE_NAME: Record<number, string> = { 1: 'Point', 3: 'PolyLine', 5: 'Polygon', 8: 'MultiPoint', 11: 'PointZ', 13: 'PolyLineZ', 15: 'PolygonZ', 18: 'MultiPointZ', 21: 'PointM', 23: 'PolyLineM', 25: 'PolygonM', 28: 'MultiPointM', 31: 'MultiPatch' };

function lie(name: string, zh: string, en: string): ParseError {
  return new ParseError('SHP_INCONSISTENT', `Shapefile“${name}”的文件头与内容不符：${zh}（文件已损坏或被截断）`, `The Shapefile "${name}" does not match its own header: ${en} (damaged or cut short)`);
}

/**
 * Throws SHP_INCONSISTENT naming the first claim the bytes do not bear out; `name` is the .shp's
 * name for messages.
 */
export function checkShapefileHeaders(name: string, shp: Uint8Array, shx?: Uint8Array, dbf?: Uint8Array): void {
  if (shp.length < 100) throw lie(name, `.shp 只有 ${shp.length} 字节，不足 100 字节的文件头`, `the .shp has ${shp.length} bytes, less than its 100-byte header`);
  const v = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  const claimed = v.getInt32(24, false) * 2;
  if (claimed !== shp.length) throw lie(name, `.shp 文件头写的长度为 ${claimed} 字节，实际为 ${shp.length} 字节`, `the .shp header says ${claimed} bytes, the file has ${shp.length}`);
  const type = v.getInt32(32, true);
  let records = 0;
  for (let at = 100; at < shp.length; records++) {
    if (at + 8 > shp.length) throw lie(name, `第 ${records + 1} 条记录的记录头不完整`, `record ${records + 1} has an incomplete record header`);
    const length = v.getInt32(at + 4, false) * 2;
    if (length < 4 || at + 8 + length > shp.length) {
      throw lie(name, `第 ${records + 1} 条记录声明 ${length} 字节，超出文件末尾`, `record ${records + 1} claims ${length} bytes, past the end of the file`);
    }
    const recordType = v.getInt32(at + 8, true);
    if (recordType !== NULL_SHAPE && recordType !== type) {
      throw lie(
        name,
        `文件头的图形类型为 ${TYPE_NAME[type] ?? type}，第 ${records + 1} 条记录却是 ${TYPE_NAME[recordType] ?? recordType}`,
        `the header's shape type is ${TYPE_NAME[type] ?? type} but record ${records + 1} is ${TYPE_NAME[recordType] ?? recordType}`,
      );
    }
    at += 8 + length;
  }
  if (shx) {
    const claimedShx = shx.length >= 100 ? new DataView(shx.buffer, shx.byteOffset, shx.byteLength).getInt32(24, false) * 2 : -1;
    if (claimedShx !== shx.length) throw lie(name, `.shx 文件头写的长度为 ${claimedShx} 字节，实际为 ${shx.length} 字节`, `the .shx header says ${claimedShx} bytes, the file has ${shx.length}`);
    const indexed = (shx.length - 100) / 8;
    if (indexed !== records) throw lie(name, `.shx 索引了 ${indexed} 条记录，.shp 中有 ${records} 条`, `the .shx indexes ${indexed} records, the .shp holds ${records}`);
  }
  if (dbf && dbf.length >= 12) {
    const d = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
    const rows = d.getUint32(4, true);
    const headerLength = d.getUint16(8, true);
    const rowLength = d.getUint16(10, true);
    if (rows !== records) throw lie(name, `.dbf 属性表有 ${rows} 行，.shp 中有 ${records} 条记录`, `the .dbf has ${rows} rows, the .shp holds ${records} records`);
    if (headerLength + rows * rowLength > dbf.length) {
      throw lie(name, `.dbf 声明 ${rows} 行 × ${rowLength} 字节，文件只有 ${dbf.length} 字节`, `the .dbf claims ${rows} rows of ${rowLength} bytes, the file has ${dbf.length}`);
    }
  }
}
