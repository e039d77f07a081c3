/**
 * A zipped Shapefile read as a stream (yauzl): the small .prj and .cpg read whole, the .shp and
 * .dbf inflated from their entries and read record by record, side by side — record n of the .shp
 * is row n of the .dbf. Polygon records (types 5, 15, 25) become rings grouped into polygons by
 * orientation as the `shapefile` package groups them for the whole-file parse (clockwise rings are
 * outer, a counter-clockwise ring is a hole of the outer ring containing it); a null shape or a
 * damaged record is a record with a problem.
 *
 * Safety: the archive's entry count, paths, declared sizes and compression ratios are checked
 * before anything is inflated, and the bytes inflated are counted against the limit as they come
 * (yauzl also stops an entry inflating past its declared size). The headers are checked against
 * the entry sizes up front, as the whole-file parse checks them (SHP_INCONSISTENT).
 *
 * Attribute encoding: forced > .cpg > detected on the first records (up to 4 MB) with the rules
 * of the whole-file parse (shapefile.ts attributeEncoding: UTF-8, the language driver, GBK /
 * GB18030 / Big5).
 *
 * @example const src = await openShapefileSource('/tmp/up.zip', '农田.zip', {}, STREAM_LAYER_LIMITS)
 */
import { Transform, type Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { dbfLanguageDriver, forcedEncodingDoubt } from '../encoding.ts';
import { crsFromPrj, type DeclaredCrs } from '../parsers/crs.ts';
import { ParseError, warn } from '../parsers/errors.ts';
import { RATIO_GRACE_BYTES, tooManyFeatures, type ParseLimits } from '../parsers/limits.ts';
import { attributeEncoding } from '../parsers/shapefile.ts';
import type { DetectedEncoding, ParseOptions, ParseWarning, PropertyValue, RawPolygons, RawPosition, SiteProperties } from '../parsers/types.ts';
import { ByteReader } from './bytes.ts';
import { problem, type LayerSource, type RawRecord } from './place.ts';
import { MAX_RECORD_BYTES } from './types.ts';

const MB = 1024 * 1024;
const mb = (n: number) => `${Math.max(1, Math.round(n / MB))} MB`;
/** dBASE rows read ahead to judge the attribute encoding. */
const ENCODING_SAMPLE_BYTES = 4 * MB;
const ENCODING_SAMPLE_ROWS = 5_000;

const POLYGON_TYPES = new Set([5, 15, 25]);
const TYPE_NAMES: Record<number, { name: string; zh: string }> = {
  0: { name: 'Null', zh: '空' },
  1: { name: 'Point', zh: '点' },
  3: { name: 'PolyLine', zh: '线' },
  8: { name: 'MultiPoint', zh: '多点' },
  11: { name: 'PointZ', zh: '点' },
  13: { name: 'PolyLineZ', zh: '线' },
  18: { name: 'MultiPointZ', zh: '多点' },
  21: { name: 'PointM', zh: '点' },
  23: { name: 'PolyLineM', zh: '线' },
  28: { name: 'MultiPointM', zh: '多点' },
  31: { name: 'MultiPatch', zh: '多面体' },
};

const baseName = (p: string) => p.replace(/^.*\//, '');
const inconsistent = (zh: string, en: string) => new ParseError('SHP_INCONSISTENT', zh, en);

function openZip(path: string, fileName: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(new ParseError('INVALID_ZIP', `“${fileName}”不是有效的 ZIP 压缩包（可能已损坏，或是 RAR/7z 格式）`, `"${fileName}" is not a valid ZIP archive (damaged, or RAR/7z)`));
      else resolve(zip);
    });
  });
}

/** The central directory's entries (names and sizes only; nothing inflated). */
function listEntries(zip: ZipFile, fileName: string, limits: ParseLimits): Promise<Entry[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(
      new ParseError('ZIP_TOO_MANY_ENTRIES', `压缩包“${fileName}”中有 ${zip.entryCount} 个文件，超过上限 ${limits.maxEntries} 个，不予读取`, `The archive "${fileName}" lists ${zip.entryCount} files, more than the ${limits.maxEntries} allowed; it is not read`),
    );
  }
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (e: Error) => {
      const unsafe = /invalid relative path|absolute path|invalid characters/.exec(e.message);
      reject(
        unsafe
          ? new ParseError('ZIP_UNSAFE_PATH', `ZIP 压缩包“${fileName}”中有不安全的文件路径（${e.message.slice(0, 100)}）：请重新打包`, `The ZIP archive "${fileName}" holds an unsafe path (${e.message.slice(0, 100)}): pack it again`)
          : new ParseError('INVALID_ZIP', `压缩包“${fileName}”已损坏：${e.message}`, `The archive "${fileName}" is damaged: ${e.message}`),
      );
    });
    zip.readEntry();
  });
}

/** Counts an entry's inflated bytes against the archive's budget and its ratio, stopping the inflater past either. */
function guarded(stream: Readable, entry: Entry, budget: { used: number }, limits: ParseLimits): Readable {
  const name = baseName(entry.fileName);
  const compressed = Math.max(1, entry.compressedSize);
  let size = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      budget.used += chunk.length;
      if (budget.used > limits.maxInflatedBytes) {
        done(new ParseError('ZIP_TOO_LARGE', `压缩包解压后超过 ${mb(limits.maxInflatedBytes)}（读到“${name}”时），不予读取`, `The archive inflates to more than ${mb(limits.maxInflatedBytes)} (reached at "${name}"); it is not read`));
        return;
      }
      if (size > RATIO_GRACE_BYTES && size / compressed > limits.maxInflateRatio) {
        done(ratioError(name, compressed, size, limits));
        return;
      }
      done(null, chunk);
    },
  });
  stream.on('error', (e) => guard.destroy(e));
  guard.on('close', () => stream.destroy());
  return stream.pipe(guard);
}

const ratioError = (name: string, compressed: number, size: number, limits: ParseLimits) =>
  new ParseError(
    'ZIP_RATIO',
    `压缩包中的“${name}”压缩比超过 ${limits.maxInflateRatio}:1（${mb(compressed)} 解压出 ${mb(size)} 以上），像是压缩炸弹，不予读取`,
    `"${name}" in the archive compresses more than ${limits.maxInflateRatio}:1 (over ${mb(size)} from ${mb(compressed)} or less), like a zip bomb; it is not read`,
  );

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))));
}

async function readSmall(zip: ZipFile, entry: Entry, budget: { used: number }, limits: ParseLimits): Promise<Buffer> {
  if (entry.uncompressedSize > MB) throw new ParseError('UNREADABLE', `“${baseName(entry.fileName)}”大于 1 MB，不像是 .prj/.cpg 文件`, `"${baseName(entry.fileName)}" is larger than 1 MB, unlike a .prj/.cpg file`);
  const chunks: Buffer[] = [];
  for await (const c of guarded(await openEntry(zip, entry), entry, budget, limits)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A dBASE field as the `shapefile` package reads it. */
interface Field {
  name: string;
  type: string;
  offset: number;
  length: number;
}

function fieldValue(type: string, text: string): PropertyValue {
  switch (type) {
    case 'C':
      return text.trim() || null;
    case 'N':
    case 'F':
    case 'B':
    case 'M': {
      const t = text.trim();
      const n = t ? Number(t) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'L':
      return /^[nf]$/i.test(text) ? false : /^[yt]$/i.test(text) ? true : null;
    case 'D': {
      // blank, or GDAL's "00000000" for a date it has none of: no date
      const t = text.trim();
      return /^\d{8}$/.test(t) && !/^0+$/.test(t) ? `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}` : null;
    }
    default:
      return text.trim() || null;
  }
}

/** Whether a ring winds clockwise (the `shapefile` package's test: outer rings of a .shp are clockwise). */
function ringClockwise(ring: RawPosition[]): boolean {
  const n = ring.length;
  if (n < 4) return false;
  let area = ring[n - 1]![1] * ring[0]![0] - ring[n - 1]![0] * ring[0]![1];
  for (let i = 1; i < n; i++) area += ring[i - 1]![1] * ring[i]![0] - ring[i - 1]![0] * ring[i]![1];
  return area >= 0;
}

/** 1 inside, −1 outside, 0 on the boundary. */
function ringContains(ring: RawPosition[], [x, y]: RawPosition): number {
  let contains = -1;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if ((xi === x && yi === y) || onSegment(ring[i]!, ring[j]!, [x, y])) return 0;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) contains = -contains;
  }
  return contains;
}

function onSegment(p0: RawPosition, p1: RawPosition, p2: RawPosition): boolean {
  const x20 = p2[0] - p0[0];
  const y20 = p2[1] - p0[1];
  const x10 = p1[0] - p0[0];
  const y10 = p1[1] - p0[1];
  if (x10 === 0 && y10 === 0) return false;
  const t = (x20 * x10 + y20 * y10) / (x10 * x10 + y10 * y10);
  return t < 0 || t > 1 ? false : t === 0 || t === 1 ? true : t * x10 === x20 && t * y10 === y20;
}

/** The first vertex of `hole` not on `outer`'s boundary decides whether it lies inside. */
function holeOf(outer: RawPosition[], hole: RawPosition[]): boolean {
  for (const p of hole) {
    const c = ringContains(outer, p);
    if (c !== 0) return c > 0;
  }
  return false;
}

/** A polygon record's content (after the 8-byte record header) as polygons: rings grouped by orientation. */
export function polygonsOfRecord(content: Buffer): RawPolygons {
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const parts = view.getInt32(36, true);
  const points = view.getInt32(40, true);
  if (parts < 1 || points < 1 || 44 + parts * 4 + points * 16 > content.length) {
    throw new ParseError('SHP_INCONSISTENT', `记录声明 ${parts} 个部分、${points} 个点，而记录只有 ${content.length} 字节：记录已损坏`, `The record declares ${parts} parts and ${points} points in ${content.length} bytes: it is damaged`);
  }
  const starts: number[] = [];
  for (let j = 0; j < parts; j++) {
    const s = view.getInt32(44 + j * 4, true);
    if (s < 0 || s >= points || (j > 0 && s < starts[j - 1]!)) throw new ParseError('SHP_INCONSISTENT', `记录的第 ${j + 1} 个部分起点 ${s} 无效`, `Part ${j + 1} of the record starts at an invalid point ${s}`);
    starts.push(s);
  }
  const base = 44 + parts * 4;
  const polygons: RawPosition[][][] = [];
  const holes: RawPosition[][] = [];
  for (let j = 0; j < parts; j++) {
    const end = j + 1 < parts ? starts[j + 1]! : points;
    const ring: RawPosition[] = [];
    for (let k = starts[j]!; k < end; k++) ring.push([view.getFloat64(base + k * 16, true), view.getFloat64(base + k * 16 + 8, true)]);
    if (ringClockwise(ring)) polygons.push([ring]);
    else holes.push(ring);
  }
  for (const hole of holes) {
    const host = polygons.find((poly) => holeOf(poly[0]!, hole));
    if (host) host.push(hole);
    else polygons.push([hole]);
  }
  return polygons;
}

export async function openShapefileSource(path: string, fileName: string, options: ParseOptions, limits: ParseLimits): Promise<LayerSource> {
  const zip = await openZip(path, fileName);
  let closed = false;
  const readers: ByteReader[] = [];
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const r of readers) r.destroy();
    zip.close();
  };
  try {
    return await openInside(zip, fileName, options, limits, readers, close);
  } catch (e) {
    await close();
    throw e;
  }
}

async function openInside(zip: ZipFile, fileName: string, options: ParseOptions, limits: ParseLimits, readers: ByteReader[], close: () => Promise<void>): Promise<LayerSource> {
  const warnings: ParseWarning[] = [];
  const entries = (await listEntries(zip, fileName, limits)).filter((e) => !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/') && !/(^|\/)\._/.test(e.fileName));
  const shps = entries.filter((e) => /\.shp$/i.test(e.fileName)).sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
  if (shps.length === 0) {
    const listed = entries.slice(0, 6).map((e) => baseName(e.fileName));
    throw new ParseError(
      'ZIP_NO_SHP',
      `压缩包中没有 .shp 文件${listed.length ? `；包内文件：${listed.join('、')}${entries.length > 6 ? ' 等' : ''}` : '；压缩包是空的'}`,
      `The ZIP archive holds no .shp file${listed.length ? `; it holds: ${listed.join(', ')}${entries.length > 6 ? ' …' : ''}` : '; the archive is empty'}`,
    );
  }
  // the declared sizes: a bomb that tells the truth is refused before anything is inflated — by its size first, the clearer word
  for (const e of entries) {
    if (e.uncompressedSize > limits.maxInflatedBytes) {
      const name = baseName(e.fileName);
      throw new ParseError(
        'ZIP_TOO_LARGE',
        `压缩包解压后超过 ${mb(limits.maxInflatedBytes)}（“${name}”解压后为 ${mb(e.uncompressedSize)}），不予读取`,
        `The archive inflates to more than ${mb(limits.maxInflatedBytes)} ("${name}" inflates to ${mb(e.uncompressedSize)}); it is not read`,
      );
    }
    if (e.uncompressedSize > RATIO_GRACE_BYTES && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxInflateRatio) throw ratioError(baseName(e.fileName), e.compressedSize, e.uncompressedSize, limits);
  }
  const budget = { used: 0 };
  const stemOf = (e: Entry) => e.fileName.replace(/\.shp$/i, '').toLowerCase();
  const sibling = (shp: Entry, ext: string) => entries.find((e) => e.fileName.toLowerCase() === `${stemOf(shp)}.${ext}`);

  // the first polygon layer, by its header's shape type
  let chosen: { entry: Entry; reader: ByteReader; header: Buffer } | undefined;
  let firstType: { name: string; type: number | undefined } | undefined;
  for (const entry of shps) {
    const reader = new ByteReader(guarded(await openEntry(zip, entry), entry, budget, limits));
    const header = Buffer.from(await reader.read(100));
    const type = header.length === 100 && header.readInt32BE(0) === 9994 ? header.readInt32LE(32) : undefined;
    firstType ??= { name: baseName(entry.fileName), type };
    if (type !== undefined && POLYGON_TYPES.has(type)) {
      chosen = { entry, reader, header };
      readers.push(reader);
      break;
    }
    reader.destroy();
  }
  if (!chosen) {
    const { name, type } = firstType!;
    if (type === undefined) throw new ParseError('SHP_UNREADABLE', `“${name}”不是有效的 .shp 文件（文件头不对或不完整）`, `"${name}" is not a valid .shp file (bad or truncated header)`);
    const t = TYPE_NAMES[type] ?? { name: `type ${type}`, zh: `类型 ${type}` };
    throw new ParseError('SHP_NOT_POLYGON', `Shapefile“${name}”是${t.zh}图层（${t.name}），图层须为面图层（Polygon）`, `Shapefile "${name}" is a ${t.name} layer; the layer must be a Polygon layer`);
  }
  const shpName = baseName(chosen.entry.fileName);
  if (shps.length > 1) {
    const others = shps.filter((s) => s !== chosen!.entry).map((s) => baseName(s.fileName));
    warnings.push(warn('ZIP_SEVERAL_SHP', `压缩包中有 ${shps.length} 个 .shp 文件，只读取了面图层“${shpName}”，忽略：${others.join('、')}`, `The archive holds ${shps.length} .shp files; read the polygon layer "${shpName}", ignored: ${others.join(', ')}`));
  }
  const used = [chosen.entry, ...(['dbf', 'prj', 'cpg'] as const).map((x) => sibling(chosen!.entry, x))].filter((e): e is Entry => !!e);
  const declaredTotal = used.reduce((n, e) => n + e.uncompressedSize, 0);
  if (declaredTotal > limits.maxInflatedBytes) {
    throw new ParseError('ZIP_TOO_LARGE', `压缩包中的图层解压后为 ${mb(declaredTotal)}，超过 ${mb(limits.maxInflatedBytes)}，不予读取`, `The layer in the archive inflates to ${mb(declaredTotal)}, more than ${mb(limits.maxInflatedBytes)}; it is not read`);
  }
  const shpDeclared = chosen.header.readInt32BE(24) * 2;
  const shpSize = chosen.entry.uncompressedSize;
  if (shpDeclared > shpSize) {
    throw inconsistent(`“${shpName}”的文件头声明长度 ${shpDeclared} 字节，实际只有 ${shpSize} 字节：文件不完整或已损坏`, `The header of "${shpName}" declares ${shpDeclared} bytes but the file has ${shpSize}: it is truncated or damaged`);
  }
  const shpEnd = shpDeclared >= 100 ? shpDeclared : shpSize;

  const dbfEntry = sibling(chosen.entry, 'dbf');
  const prjEntry = sibling(chosen.entry, 'prj');
  const cpgEntry = sibling(chosen.entry, 'cpg');
  const shxEntry = sibling(chosen.entry, 'shx');

  let declared: DeclaredCrs | undefined;
  if (prjEntry) declared = crsFromPrj((await readSmall(zip, prjEntry, budget, limits)).toString('utf8'));
  else warnings.push(warn('PRJ_MISSING', '缺少 .prj 坐标系文件，已按坐标数值判断坐标系（平面坐标按 2000 国家大地坐标系处理），请核对', 'The .prj file is missing; the coordinate system was judged from the numbers (projected ones read as CGCS2000) — check it'));
  const cpg = cpgEntry ? (await readSmall(zip, cpgEntry, budget, limits)).toString('utf8').trim() : undefined;

  // the .dbf: header, fields, and the first rows for the encoding
  let dbf: { reader: ByteReader; rows: number; rowBytes: number; fields: Field[]; decoder: TextDecoder; encoding: DetectedEncoding; ahead: Buffer[] } | undefined;
  let fieldNames: string[] = [];
  if (dbfEntry) {
    const reader = new ByteReader(guarded(await openEntry(zip, dbfEntry), dbfEntry, budget, limits));
    readers.push(reader);
    const head = Buffer.from(await reader.read(32));
    if (head.length < 32) throw new ParseError('SHP_UNREADABLE', `属性表“${baseName(dbfEntry.fileName)}”不完整`, `The attribute table "${baseName(dbfEntry.fileName)}" is incomplete`);
    const rows = head.readUInt32LE(4);
    const headerBytes = head.readUInt16LE(8);
    const rowBytes = head.readUInt16LE(10);
    const descriptors = Buffer.from(await reader.read(Math.max(0, headerBytes - 32)));
    const room = rowBytes > 0 ? Math.floor(Math.max(0, dbfEntry.uncompressedSize - headerBytes) / rowBytes) : 0;
    if (rows > room) throw inconsistent(`属性表 .dbf 的文件头声明 ${rows} 条记录，文件只容得下 ${room} 条：文件不完整或已损坏`, `The .dbf header declares ${rows} records but the file holds room for ${room}: it is truncated or damaged`);
    if (rows > limits.maxFeatures) throw tooManyFeatures(rows, limits);
    if (shxEntry && shxEntry.uncompressedSize >= 100) {
      const indexed = Math.floor((shxEntry.uncompressedSize - 100) / 8);
      if (indexed !== rows) throw inconsistent(`“${shpName}”的索引文件 .shx 有 ${indexed} 条记录，而属性表 .dbf 有 ${rows} 条：文件不配套或已损坏`, `The .shx index of "${shpName}" has ${indexed} records but the .dbf has ${rows}: the files do not belong together or are damaged`);
    }
    const rawFields: { name: Buffer; type: string; length: number }[] = [];
    let offset = 1;
    const fields: Field[] = [];
    for (let at = 0; at + 32 <= descriptors.length && descriptors[at] !== 0x0d; at += 32) {
      const nameBytes = descriptors.subarray(at, at + 11);
      const end = nameBytes.indexOf(0);
      const length = descriptors[at + 16]!;
      rawFields.push({ name: end === -1 ? nameBytes : nameBytes.subarray(0, end), type: String.fromCharCode(descriptors[at + 11]!), length });
      fields.push({ name: '', type: String.fromCharCode(descriptors[at + 11]!), offset, length });
      offset += length;
    }
    // rows read ahead for the encoding (bounded), kept to be decoded once it is known
    const ahead: Buffer[] = [];
    let aheadBytes = 0;
    while (ahead.length < rows && ahead.length < ENCODING_SAMPLE_ROWS && aheadBytes < ENCODING_SAMPLE_BYTES) {
      const r = Buffer.from(await reader.read(rowBytes));
      if (r.length < rowBytes) break;
      ahead.push(r);
      aheadBytes += r.length;
    }
    const text = Buffer.concat([...rawFields.flatMap((f) => [f.name, Buffer.from(' ')]), ...ahead]);
    let encoding: DetectedEncoding;
    if (options.encoding) {
      encoding = options.encoding;
      warnings.push(...forcedEncodingDoubt(text, options.encoding));
    } else {
      const chosenEncoding = attributeEncoding(text, cpg, dbfLanguageDriver(head));
      encoding = chosenEncoding.encoding;
      warnings.push(...chosenEncoding.warnings);
    }
    const decoder = new TextDecoder(encoding);
    rawFields.forEach((f, i) => (fields[i]!.name = decoder.decode(f.name)));
    fieldNames = fields.map((f) => f.name);
    dbf = { reader, rows, rowBytes, fields, decoder, encoding, ahead };
  } else {
    warnings.push(warn('DBF_MISSING', '缺少 .dbf 属性表，只读取了图形，没有属性', 'The .dbf attribute table is missing; only shapes were read, without attributes'));
  }

  const shp = chosen.reader;
  const propertiesOf = (bytes: Buffer): SiteProperties => {
    const out: SiteProperties = {};
    for (const f of dbf!.fields) out[f.name] = fieldValue(f.type, dbf!.decoder.decode(bytes.subarray(f.offset, f.offset + f.length)));
    return out;
  };
  const nextRow = async (): Promise<SiteProperties | undefined> => {
    if (!dbf) return {};
    const ahead = dbf.ahead.shift();
    if (ahead) return propertiesOf(ahead);
    const r = await dbf.reader.read(dbf.rowBytes);
    if (r.length < dbf.rowBytes || r[0] === 0x1a) return undefined;
    return propertiesOf(r);
  };

  async function* records(): AsyncGenerator<RawRecord> {
    let row = 0;
    let at = 100;
    try {
      while (at < shpEnd) {
        const header = await shp.read(8);
        if (header.length < 8) break;
        const bytes = header.readInt32BE(4) * 2;
        row++;
        if (row > limits.maxFeatures) throw tooManyFeatures(limits.maxFeatures, limits, true);
        if (dbf && row > dbf.rows) throw inconsistent(`“${shpName}”的图形多于属性表 .dbf 的 ${dbf.rows} 条记录：文件不配套或已损坏`, `"${shpName}" has more shapes than the ${dbf.rows} records of its .dbf: the files do not belong together or are damaged`);
        const properties = (await nextRow()) ?? {};
        if (bytes < 4 || bytes > MAX_RECORD_BYTES || at + 8 + bytes > shpEnd) {
          // the rest of the .shp cannot be found from here: this record is named, and the read stops
          // the same words as the whole-file reader's (parsers/shapefile.ts checkShapefileSizes)
          const zeros = bytes === 0 && header.readInt32BE(0) === 0 ? '（文件头之后是空字节）' : '';
          const zerosEn = zeros ? ' (zero bytes after the header)' : '';
          yield { row, properties, polygons: null, problem: problem('SHP_INCONSISTENT', `记录长度为 ${bytes} 字节${zeros}，无效或超出文件末尾：文件已损坏，之后的记录无法读取`, `The record length of ${bytes} bytes${zerosEn} is invalid or runs past the end of the file; the file is damaged and the records after it cannot be read`) };
          throw inconsistent(
            `“${shpName}”第 ${row} 条记录（第 ${at} 字节处）长度为 ${bytes} 字节${zeros}：文件已损坏，之后的记录无法读取`,
            `Record ${row} of "${shpName}" (at byte ${at}) is ${bytes} bytes long${zerosEn}: the file is damaged and the records after it cannot be read`,
          );
        }
        const content = await shp.read(bytes);
        at += 8 + bytes;
        if (content.length < bytes) {
          yield { row, properties, polygons: null, problem: problem('SHP_INCONSISTENT', '记录不完整：文件在此处截断', 'The record is incomplete: the file is cut short here') };
          throw inconsistent(`“${shpName}”在第 ${row} 条记录处截断`, `"${shpName}" is cut short at record ${row}`);
        }
        const type = content.readInt32LE(0);
        if (type === 0) {
          yield { row, properties, polygons: null, problem: problem('EMPTY_GEOMETRY', '空图形记录', 'A null shape record') };
        } else if (!POLYGON_TYPES.has(type)) {
          const t = TYPE_NAMES[type] ?? { name: `type ${type}`, zh: `类型 ${type}` };
          yield { row, properties, polygons: null, problem: problem('SHP_INCONSISTENT', `记录的图形类型为${t.zh}（${t.name}），与文件头的面类型不符`, `The record is a ${t.name}, unlike the Polygon type of the header`) };
        } else {
          try {
            yield { row, properties, polygons: polygonsOfRecord(content) };
          } catch (e) {
            if (!(e instanceof ParseError)) throw e;
            yield { row, properties, polygons: null, problem: problem(e.code, e.zh, e.en) };
          }
        }
      }
      if (dbf && row < dbf.rows) {
        throw inconsistent(`“${shpName}”只有 ${row} 个图形，而属性表 .dbf 有 ${dbf.rows} 条记录：文件不完整或不配套`, `"${shpName}" has ${row} shapes but the .dbf has ${dbf.rows} records: it is truncated or the files do not belong together`);
      }
    } finally {
      await close();
    }
  }

  const bytesTotal = shpSize + (dbfEntry?.uncompressedSize ?? 0);
  return {
    ...(declared ? { declared } : {}),
    ...(dbf ? { encoding: dbf.encoding } : {}),
    warnings,
    fieldNames,
    records: records(),
    bytesTotal,
    bytesRead: () => shp.consumed + (dbf?.reader.consumed ?? 0),
    close,
  };
}
