/**
 * Zipped Shapefiles (.zip with .shp, .dbf, .prj, .cpg — possibly in a folder),
 * as bureaus and design institutes exchange them. The .prj names the coordinate
 * system (CGCS2000 lon/lat or a Gauss–Krüger zone); the .cpg names the attribute
 * encoding ("GBK"/"936", "GB18030"/"54936", "BIG5"/"950", "UTF-8"/"65001", "UTF-16"/"1200");
 * without a .cpg the DBF text is tried as strict UTF-8, then the .dbf's language driver byte,
 * then GBK/GB18030/Big5 detection (encoding.ts), so Chinese attributes come out right.
 *
 * @example await readShapefileZip(await JSZip.loadAsync(bytes)) // { format: 'shapefile', … }
 */
import type JSZip from 'jszip';
import { open as openShapefile } from 'shapefile';
import { crsFromPrj, type DeclaredCrs } from './crs.ts';
import { dbfLanguageDriver, dbfTextBytes, detectLegacyEncoding, encodingFromLabel, encodingName, forcedEncodingDoubt, hasGb18030FourByte, isUtf8 } from '../encoding.ts';
import { ParseError, warn } from './errors.ts';
import { InflateBudget, readZipEntry, readZipText, tooManyFeatures, type ParseLimits } from './limits.ts';
import { GIS_ORDER, toProperties, type RawRead } from './raw.ts';
import type { DetectedEncoding, ParseWarning, RawFeature, RawPolygons, RawPosition, TextEncoding } from './types.ts';

/** Shapefile shape types by number, with the Chinese words planners use. */
const SHAPE_TYPES: Record<number, { name: string; zh: string; polygon: boolean }> = {
  0: { name: 'Null', zh: '空', polygon: false },
  1: { name: 'Point', zh: '点', polygon: false },
  3: { name: 'PolyLine', zh: '线', polygon: false },
  5: { name: 'Polygon', zh: '面', polygon: true },
  8: { name: 'MultiPoint', zh: '多点', polygon: false },
  11: { name: 'PointZ', zh: '点', polygon: false },
  13: { name: 'PolyLineZ', zh: '线', polygon: false },
  15: { name: 'PolygonZ', zh: '面', polygon: true },
  18: { name: 'MultiPointZ', zh: '多点', polygon: false },
  21: { name: 'PointM', zh: '点', polygon: false },
  23: { name: 'PolyLineM', zh: '线', polygon: false },
  25: { name: 'PolygonM', zh: '面', polygon: true },
  28: { name: 'MultiPointM', zh: '多点', polygon: false },
  31: { name: 'MultiPatch', zh: '多面体', polygon: false },
};

/**
 * The shape type in a .shp header (int32 little-endian at byte 32), or undefined when the
 * bytes are not a .shp (file code 9994 big-endian at byte 0).
 *
 * @example shapeTypeOf(shpBytes) // 5 (Polygon)
 */
export function shapeTypeOf(shp: Uint8Array): number | undefined {
  if (shp.length < 100) return undefined;
  const view = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  if (view.getInt32(0, false) !== 9994) return undefined;
  return view.getInt32(32, true);
}

/** Shape types whose records carry part and point counts (bbox, numParts, numPoints first). */
const MULTI_POINT_TYPES = new Set([3, 5, 13, 15, 23, 25, 31]);
const NULL_SHAPE = 0;
const SHAPE_TYPE_NAME: Record<number, string> = { 1: 'Point', 3: 'PolyLine', 5: 'Polygon', 8: 'MultiPoint', 11: 'PointZ', 13: 'PolyLineZ', 15: 'PolygonZ', 18: 'MultiPointZ', 21: 'PointM', 23: 'PolyLineM', 25: 'PolygonM', 28: 'MultiPointM', 31: 'MultiPatch' };
const shapeTypeName = (t: number) => SHAPE_TYPE_NAME[t] ?? String(t);

const inconsistent = (zh: string, en: string) => new ParseError('SHP_INCONSISTENT', zh, en);

/**
 * A Shapefile's headers against its bytes, in one pass over the .shp record headers (no shape is
 * decoded): the file length the .shp header declares against the bytes there are; each record's
 * number and length (a header followed by zeros has records of length 0); the record count
 * against the limit, the .shx index and the .dbf table; the .dbf's declared rows against its size.
 * A ParseError SHP_INCONSISTENT names what does not add up.
 *
 * @example checkShapefileSizes('site.shp', shp, shx, dbf, SITE_FILE_LIMITS)
 */
export function checkShapefileSizes(name: string, shp: Uint8Array, shx: Uint8Array | undefined, dbf: Uint8Array | undefined, limits: ParseLimits): void {
  const view = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  const declared = view.getInt32(24, false) * 2;
  if (declared > shp.length) {
    throw inconsistent(
      `“${name}”的文件头声明长度 ${declared} 字节，实际只有 ${shp.length} 字节：文件不完整或已损坏`,
      `The header of "${name}" declares ${declared} bytes but the file has ${shp.length}: it is truncated or damaged`,
    );
  }
  const end = declared >= 100 ? declared : shp.length;
  const headerType = shp.length >= 36 ? view.getInt32(32, true) : NULL_SHAPE;
  let records = 0;
  let vertices = 0;
  for (let at = 100; at < end; ) {
    if (at + 8 > end) {
      throw inconsistent(`“${name}”在第 ${records + 1} 条记录处截断`, `"${name}" is cut short at record ${records + 1}`);
    }
    const words = view.getInt32(at + 4, false);
    if (words < 2) {
      throw inconsistent(
        `“${name}”第 ${records + 1} 条记录（第 ${at} 字节处）长度为 ${words * 2} 字节${view.getInt32(at, false) === 0 && words === 0 ? '（文件头之后是空字节）' : ''}：文件已损坏`,
        `Record ${records + 1} of "${name}" (at byte ${at}) is ${words * 2} bytes long${view.getInt32(at, false) === 0 && words === 0 ? ' (zeros follow the header)' : ''}: the file is damaged`,
      );
    }
    if (at + 8 + words * 2 > end) {
      throw inconsistent(
        `“${name}”第 ${records + 1} 条记录声明 ${words * 2} 字节，超出文件末尾：文件不完整或已损坏`,
        `Record ${records + 1} of "${name}" declares ${words * 2} bytes, past the end of the file: it is truncated or damaged`,
      );
    }
    const bytes = words * 2;
    const recordType = view.getInt32(at + 8, true);
    if (recordType !== NULL_SHAPE && recordType !== headerType) {
      throw inconsistent(
        `“${name}”文件头的图形类型为 ${shapeTypeName(headerType)}，第 ${records + 1} 条记录却是 ${shapeTypeName(recordType)}：文件已损坏`,
        `The header of "${name}" says ${shapeTypeName(headerType)} but record ${records + 1} is ${shapeTypeName(recordType)}: the file is damaged`,
      );
    }
    if (MULTI_POINT_TYPES.has(view.getInt32(at + 8, true)) && bytes >= 44) {
      const parts = view.getInt32(at + 8 + 36, true);
      const points = view.getInt32(at + 8 + 40, true);
      if (parts < 0 || points < 0 || 44 + parts * 4 + points * 16 > bytes) {
        throw inconsistent(
          `“${name}”第 ${records + 1} 条记录声明 ${parts} 个部分、${points} 个点，而记录只有 ${bytes} 字节：文件已损坏`,
          `Record ${records + 1} of "${name}" declares ${parts} parts and ${points} points in ${bytes} bytes: the file is damaged`,
        );
      }
      vertices += points;
      if (vertices > limits.maxVertices) {
        throw new ParseError('TOO_MANY_VERTICES', `“${name}”的顶点超过上限 ${limits.maxVertices} 个；请先抽稀`, `"${name}" has more than the ${limits.maxVertices} vertices allowed; simplify it first`);
      }
    }
    records++;
    if (records > limits.maxFeatures) throw tooManyFeatures(limits.maxFeatures, limits, true);
    at += 8 + bytes;
  }
  if (shx && shx.length >= 100) {
    const indexed = Math.floor((shx.length - 100) / 8);
    if (indexed !== records) {
      throw inconsistent(
        `“${name}”有 ${records} 条记录，而索引文件 .shx 有 ${indexed} 条：文件不配套或已损坏`,
        `"${name}" has ${records} records but its .shx index has ${indexed}: the files do not belong together or are damaged`,
      );
    }
  }
  if (dbf && dbf.length >= 32) {
    const d = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
    const rows = d.getUint32(4, true);
    const headerBytes = d.getUint16(8, true);
    const rowBytes = d.getUint16(10, true);
    const room = rowBytes > 0 ? Math.floor(Math.max(0, dbf.length - headerBytes) / rowBytes) : 0;
    if (rows > room) {
      throw inconsistent(
        `属性表 .dbf 的文件头声明 ${rows} 条记录，文件只容得下 ${room} 条：文件不完整或已损坏`,
        `The .dbf header declares ${rows} records but the file holds room for ${room}: it is truncated or damaged`,
      );
    }
    if (rows !== records) {
      throw inconsistent(
        `“${name}”有 ${records} 个图形，而属性表 .dbf 有 ${rows} 条记录：文件不配套或已损坏`,
        `"${name}" has ${records} shapes but the .dbf has ${rows} records: the files do not belong together or are damaged`,
      );
    }
  }
}

/**
 * The encoding of a .dbf's text from what its .cpg says, its language driver byte and its bytes:
 * a .cpg naming an encoding the bytes fit is followed; a .cpg naming UTF-8 over bytes that are not
 * UTF-8, or a legacy code page over bytes that are UTF-8, is overruled by the bytes with a warning
 * naming both; an unknown .cpg value is named in a warning with the encoding used instead.
 * Without a .cpg: UTF-8 if the bytes are, else the language driver (936 → GBK, 950 → Big5), else detected.
 *
 * @example attributeEncoding(text, 'CP950', undefined) // { encoding: 'big5', warnings: [] }
 */
export function attributeEncoding(text: Uint8Array, cpg: string | undefined, driver: 'gbk' | 'big5' | undefined): { encoding: DetectedEncoding; warnings: ParseWarning[] } {
  const detect = (): { encoding: DetectedEncoding; warnings: ParseWarning[] } => {
    if (isUtf8(text)) return { encoding: 'utf-8', warnings: [] };
    if (driver) return { encoding: driver, warnings: [] };
    return detectLegacyEncoding(text);
  };
  if (cpg === undefined) return detect();
  const named = encodingFromLabel(cpg);
  const shown = cpg.replace(/\s+/g, ' ').slice(0, 40);
  if (!named) {
    const used = detect();
    const n = encodingName(used.encoding);
    return {
      encoding: used.encoding,
      warnings: [
        warn('CPG_UNKNOWN', `.cpg 文件写的编码“${shown}”无法识别（应为 GBK/936、GB18030/54936、BIG5/950、UTF-8/65001 等），已按属性内容判断为 ${n} 读取，请核对属性文字`, `The .cpg names an unknown encoding "${shown}" (expected GBK/936, GB18030/54936, BIG5/950, UTF-8/65001 …); the attributes were read as ${n}, judged from their bytes — check the attribute text`),
        ...used.warnings,
      ],
    };
  }
  const nonAscii = text.some((b) => b > 0x7f);
  const mismatch = (used: { encoding: DetectedEncoding; warnings: ParseWarning[] }, why: { zh: string; en: string }) => {
    const n = encodingName(used.encoding);
    return {
      encoding: used.encoding,
      warnings: [
        warn('CPG_MISMATCH', `.cpg 文件写的编码是“${shown}”，但属性表${why.zh}，已按 ${n} 读取，请核对属性文字`, `The .cpg says "${shown}" but the attributes ${why.en}; they were read as ${n} — check the attribute text`),
        ...used.warnings,
      ],
    };
  };
  if (named === 'utf-8' && !isUtf8(text)) {
    // a GIS that wrote GBK but labelled it UTF-8: the bytes say which it is
    return mismatch(driver ? { encoding: driver, warnings: [] } : detectLegacyEncoding(text), { zh: '不是有效的 UTF-8', en: 'are not valid UTF-8' });
  }
  if ((named === 'gbk' || named === 'gb18030' || named === 'big5') && nonAscii && isUtf8(text)) {
    return mismatch({ encoding: 'utf-8', warnings: [] }, { zh: '是有效的 UTF-8 中文', en: 'are valid UTF-8 Chinese text' });
  }
  if (named === 'gbk' && hasGb18030FourByte(text)) return { encoding: 'gb18030', warnings: [] };
  return { encoding: named, warnings: [] };
}

/** Files of a zip that matter: not folders, not macOS resource forks. */
function entriesOf(zip: JSZip): string[] {
  return Object.keys(zip.files).filter((n) => !zip.files[n]!.dir && !n.startsWith('__MACOSX/') && !/(^|\/)\._/.test(n));
}

function baseName(path: string): string {
  return path.replace(/^.*\//, '');
}

/**
 * Reads a zipped Shapefile into raw features.
 *
 * @example await readShapefileZip(zip, 'gbk')
 */
export async function readShapefileZip(zip: JSZip, forcedEncoding?: TextEncoding, budget: InflateBudget = new InflateBudget()): Promise<RawRead> {
  const warnings: ParseWarning[] = [];
  const entries = entriesOf(zip);
  const shpNames = entries.filter((n) => /\.shp$/i.test(n)).sort();
  if (shpNames.length === 0) {
    const listed = entries.slice(0, 6).map(baseName).join('、');
    const hasParts = entries.some((n) => /\.(dbf|shx|prj)$/i.test(n));
    throw new ParseError(
      'ZIP_NO_SHP',
      `压缩包中没有 .shp 文件${hasParts ? '（只有 .dbf/.shx/.prj，缺少 .shp 本身）' : ''}${listed ? `；包内文件：${listed}${entries.length > 6 ? ' 等' : ''}` : '；压缩包是空的'}`,
      `The ZIP archive holds no .shp file${hasParts ? ' (only .dbf/.shx/.prj, not the .shp itself)' : ''}${listed ? `; it holds: ${entries.slice(0, 6).map(baseName).join(', ')}${entries.length > 6 ? ' …' : ''}` : '; the archive is empty'}`,
    );
  }
  const shps: { name: string; bytes: Uint8Array }[] = [];
  for (const name of shpNames) shps.push({ name, bytes: await readZipEntry(zip, name, budget) });
  const typed = shps.map((s) => ({ ...s, type: shapeTypeOf(s.bytes) }));
  const polygons = typed.filter((s) => s.type !== undefined && SHAPE_TYPES[s.type]?.polygon);
  if (polygons.length === 0) {
    const s = typed[0]!;
    if (s.type === undefined) {
      throw new ParseError('SHP_UNREADABLE', `“${baseName(s.name)}”不是有效的 .shp 文件（文件头不对或不完整）`, `"${baseName(s.name)}" is not a valid .shp file (bad or truncated header)`);
    }
    const t = SHAPE_TYPES[s.type] ?? { name: `type ${s.type}`, zh: `类型 ${s.type}` };
    throw new ParseError(
      'SHP_NOT_POLYGON',
      `Shapefile“${baseName(s.name)}”是${t.zh}图层（${t.name}），用地范围须为面图层（Polygon）`,
      `Shapefile "${baseName(s.name)}" is a ${t.name} layer; a site must be a Polygon layer`,
    );
  }
  const chosen = polygons[0]!;
  if (shps.length > 1) {
    const others = shps.filter((s) => s !== chosen && s.name !== chosen.name).map((s) => baseName(s.name));
    warnings.push(
      warn(
        'ZIP_SEVERAL_SHP',
        `压缩包中有 ${shps.length} 个 .shp 文件，只读取了面图层“${baseName(chosen.name)}”，忽略：${others.join('、')}`,
        `The archive holds ${shps.length} .shp files; read the polygon layer "${baseName(chosen.name)}", ignored: ${others.join(', ')}`,
      ),
    );
  }
  const stem = chosen.name.replace(/\.shp$/i, '').toLowerCase();
  const sibling = (ext: string) => entries.find((n) => n.toLowerCase() === `${stem}.${ext}`);
  const dbfName = sibling('dbf');
  const prjName = sibling('prj');
  const cpgName = sibling('cpg');
  const shxName = sibling('shx');
  const dbf = dbfName ? await readZipEntry(zip, dbfName, budget) : undefined;
  const shx = shxName ? await readZipEntry(zip, shxName, budget) : undefined;
  // the sizes its headers declare against what the files hold, before any record is read
  checkShapefileSizes(baseName(chosen.name), chosen.bytes, shx, dbf, budget.limits);

  // encoding: forced > .cpg > the .dbf's language driver > detected
  let encoding: DetectedEncoding | undefined;
  if (dbf) {
    const text = dbfTextBytes(dbf);
    if (forcedEncoding) {
      encoding = forcedEncoding;
      warnings.push(...forcedEncodingDoubt(text, forcedEncoding));
    } else {
      const cpg = cpgName ? (await readZipText(zip, cpgName, budget)).trim() : undefined;
      const chosen = attributeEncoding(text, cpg, dbfLanguageDriver(dbf));
      encoding = chosen.encoding;
      warnings.push(...chosen.warnings);
    }
  } else {
    warnings.push(warn('DBF_MISSING', `缺少 .dbf 属性表，只读取了图形，没有属性`, 'The .dbf attribute table is missing; only shapes were read, without attributes'));
  }

  let declared: DeclaredCrs | undefined;
  if (prjName) {
    declared = crsFromPrj(await readZipText(zip, prjName, budget));
  } else {
    warnings.push(
      warn(
        'PRJ_MISSING',
        '缺少 .prj 坐标系文件，已按坐标数值判断坐标系（平面坐标按 2000 国家大地坐标系处理），请核对',
        'The .prj file is missing; the coordinate system was judged from the numbers (projected ones read as CGCS2000) — check it',
      ),
    );
  }

  const features: RawFeature[] = [];
  let empty = 0;
  try {
    const source = await openShapefile(chosen.bytes, dbf, encoding ? { encoding } : undefined);
    for (let r = await source.read(); !r.done; r = await source.read()) {
      const g = r.value.geometry as { type: string; coordinates: unknown } | null;
      if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
        empty++;
        continue;
      }
      const strip = (rings: number[][][]) => rings.map((ring) => ring.map((p) => [p[0], p[1]] as RawPosition));
      const polys: RawPolygons = g.type === 'Polygon' ? [strip(g.coordinates as number[][][])] : (g.coordinates as number[][][][]).map(strip);
      features.push({ properties: toProperties(r.value.properties), polygons: polys });
    }
  } catch (e) {
    if (e instanceof ParseError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ParseError(
      'SHP_UNREADABLE',
      `Shapefile“${baseName(chosen.name)}”已损坏或不完整，无法读取（${detail}）`,
      `Shapefile "${baseName(chosen.name)}" is damaged or incomplete and cannot be read (${detail})`,
    );
  }
  if (empty > 0) warnings.push(warn('SKIPPED_EMPTY', `已忽略 ${empty} 个空图形记录`, `Skipped ${empty} records with empty shapes`));
  if (features.length === 0) {
    throw new ParseError('NO_FEATURES', `Shapefile“${baseName(chosen.name)}”中没有面要素`, `Shapefile "${baseName(chosen.name)}" holds no polygon`);
  }
  return {
    format: 'shapefile',
    features,
    ...(declared ? { declared } : {}),
    ...(encoding ? { encoding } : {}),
    naturalOrder: GIS_ORDER,
    orderIsConvention: true,
    warnings,
  };
}
