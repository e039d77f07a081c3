/**
 * Hard bounds on reading an uploaded file, so that a small hostile file cannot take unbounded
 * time or memory: the bytes an archive may inflate to (counted while inflating), its entry
 * count, its compression ratio, and the features and vertices a file may hold (counted by a
 * cheap pass before any work that scales with them). Zip entries are read through
 * {@link readZipEntry}, which stops inflating at the limit.
 *
 * @example
 * const budget = new InflateBudget(SITE_FILE_LIMITS)
 * const shp = await readZipEntry(zip, 'site.shp', budget) // ParseError ZIP_TOO_LARGE past 200 MB
 */
import type JSZip from 'jszip';
import { ParseError } from './errors.ts';

const MB = 1024 * 1024;

export interface ParseLimits {
  /** Bytes all entries read from one archive may inflate to, together. */
  maxInflatedBytes: number;
  /** Entries an archive may list (its central directory, read before anything is inflated). */
  maxEntries: number;
  /** Inflated ÷ compressed bytes an entry may reach once it has inflated past {@link RATIO_GRACE_BYTES}. */
  maxInflateRatio: number;
  /** Features one file may hold. */
  maxFeatures: number;
  /** Vertices (positions) one file may hold, all features together. */
  maxVertices: number;
}

/** An entry may inflate this far before its compression ratio is judged (small files of spaces compress well). */
export const RATIO_GRACE_BYTES = 8 * MB;

/**
 * Site files — the site parse (POST /api/geometry/parse) and the case import — uploads of at most
 * 20 MB (MAX_SITE_FILE_BYTES): an archive inflates to at most 200 MB, lists at most 1 000 entries,
 * compresses at most 200 : 1; at most 50 000 features and 2 000 000 vertices.
 */
export const SITE_FILE_LIMITS: ParseLimits = {
  maxInflatedBytes: 200 * MB,
  maxEntries: 1_000,
  maxInflateRatio: 200,
  maxFeatures: 50_000,
  maxVertices: 2_000_000,
};

/**
 * Layer files — the layer import (POST /api/admin/layers/{layer}/imports), uploads of at most
 * 200 MB: an archive inflates to at most 1 GB; at most 5 000 000 features and 50 000 000 vertices
 * (the city's permanent farmland is 1.23 M fields, ~25 M vertices).
 */
export const LAYER_FILE_LIMITS: ParseLimits = {
  maxInflatedBytes: 1024 * MB,
  maxEntries: 1_000,
  maxInflateRatio: 200,
  maxFeatures: 5_000_000,
  maxVertices: 50_000_000,
};

const mb = (bytes: number) => (bytes >= MB ? `${Math.round(bytes / MB)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** The inflated bytes an archive has used so far, against its limit. */
export class InflateBudget {
  used = 0;
  constructor(readonly limits: ParseLimits = SITE_FILE_LIMITS) {}

  /** Counts `n` more bytes of `entry`; a ParseError once the archive passes its limit. */
  take(n: number, entry: string): void {
    this.used += n;
    if (this.used > this.limits.maxInflatedBytes) throw tooLarge(entry, this.limits.maxInflatedBytes);
  }
}

const tooLarge = (entry: string, limit: number) =>
  new ParseError(
    'ZIP_TOO_LARGE',
    `压缩包解压后超过 ${mb(limit)}（读到“${entry}”时），不予读取；请只打包所需的图层`,
    `The archive inflates to more than ${mb(limit)} (reached at "${entry}"); it is not read — zip only the layer needed`,
  );

/**
 * The entry count an archive's end-of-central-directory record declares (ZIP64 included), or
 * undefined when there is no such record; read before the archive is opened, so a zip listing
 * a million entries costs nothing.
 *
 * @example zipEntryCount(bytes) // 4
 */
export function zipEntryCount(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    const count = view.getUint16(i + 10, true);
    if (count !== 0xffff) return count;
    // ZIP64: the locator just before points to the ZIP64 end record holding the 64-bit count
    if (i >= 20 && view.getUint32(i - 20, true) === 0x07064b50) {
      const at = Number(view.getBigUint64(i - 20 + 8, true));
      if (at + 56 <= bytes.length && view.getUint32(at, true) === 0x06064b50) return Number(view.getBigUint64(at + 32, true));
    }
    return Infinity;
  }
  return undefined;
}

/** Refuses an archive listing more entries than the limit allows, before it is opened. */
export function checkEntryCount(bytes: Uint8Array, fileName: string, limits: ParseLimits): void {
  const count = zipEntryCount(bytes);
  if (count !== undefined && count > limits.maxEntries) {
    const n = Number.isFinite(count) ? String(count) : '65535 以上';
    const nEn = Number.isFinite(count) ? String(count) : 'over 65535';
    throw new ParseError(
      'ZIP_TOO_MANY_ENTRIES',
      `压缩包“${fileName}”中有 ${n} 个文件，超过上限 ${limits.maxEntries} 个，不予读取`,
      `The archive "${fileName}" lists ${nEn} files, more than the ${limits.maxEntries} allowed; it is not read`,
    );
  }
}

/** JSZip's stream of an entry's inflated chunks (StreamHelper; not in its typings). */
interface InflateStream {
  on(event: 'data', fn: (data: Uint8Array) => void): InflateStream;
  on(event: 'error', fn: (e: Error) => void): InflateStream;
  on(event: 'end', fn: () => void): InflateStream;
  resume(): InflateStream;
  pause(): InflateStream;
}

/** What JSZip keeps of an entry beyond its typings: the declared sizes, and the stream it inflates through. */
interface ZipEntryInternals {
  _data?: { compressedSize?: number; uncompressedSize?: number };
  internalStream(type: 'uint8array'): InflateStream;
}

/**
 * One entry of an archive inflated, counting its bytes against the archive's budget while
 * inflating: stops (ParseError ZIP_TOO_LARGE / ZIP_RATIO) as soon as the archive passes its limit
 * or the entry compresses beyond the ratio allowed — memory stays within the limit.
 */
export async function readZipEntry(zip: JSZip, name: string, budget: InflateBudget): Promise<Uint8Array> {
  const file = zip.files[name] as unknown as ZipEntryInternals | undefined;
  if (!file) throw new ParseError('UNREADABLE', `压缩包中没有“${name}”`, `The archive holds no "${name}"`);
  const base = name.replace(/^.*\//, '');
  const declared = file._data;
  // the sizes the archive declares: a bomb that tells the truth is refused before any work
  if (declared?.uncompressedSize !== undefined && budget.used + declared.uncompressedSize > budget.limits.maxInflatedBytes) {
    throw tooLarge(base, budget.limits.maxInflatedBytes);
  }
  const compressed = Math.max(1, declared?.compressedSize ?? 1);
  const chunks: Uint8Array[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stream = file.internalStream('uint8array');
    let stopped = false;
    stream
      .on('data', (data: Uint8Array) => {
        if (stopped) return;
        try {
          size += data.length;
          budget.take(data.length, base);
          if (size > RATIO_GRACE_BYTES && size / compressed > budget.limits.maxInflateRatio) {
            throw new ParseError(
              'ZIP_RATIO',
              `压缩包中的“${base}”压缩比超过 ${budget.limits.maxInflateRatio}:1（${mb(compressed)} 解压出 ${mb(size)} 以上），像是压缩炸弹，不予读取`,
              `"${base}" in the archive compresses more than ${budget.limits.maxInflateRatio}:1 (over ${mb(size)} from ${mb(compressed)} or less), like a zip bomb; it is not read`,
            );
          }
          chunks.push(data);
        } catch (e) {
          stopped = true;
          stream.pause();
          chunks.length = 0;
          reject(e);
        }
      })
      .on('error', (e: Error) => {
        if (!stopped) reject(e);
      })
      .on('end', () => {
        if (!stopped) resolve();
      })
      .resume();
  });
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** An entry as text (UTF-8), through {@link readZipEntry}. */
export async function readZipText(zip: JSZip, name: string, budget: InflateBudget): Promise<string> {
  return new TextDecoder('utf-8').decode(await readZipEntry(zip, name, budget));
}

/**
 * Counts features and vertices in a cheap pass (no allocation) and refuses a file over the limits,
 * before placement, validation or anything else that scales with them.
 */
export function checkCounts(features: { polygons: unknown[][][] }[], limits: ParseLimits): void {
  if (features.length > limits.maxFeatures) throw tooManyFeatures(features.length, limits);
  let vertices = 0;
  for (const f of features) for (const poly of f.polygons) for (const ring of poly) vertices += ring.length;
  if (vertices > limits.maxVertices) {
    throw new ParseError('TOO_MANY_VERTICES', `文件共有 ${vertices} 个顶点，超过上限 ${limits.maxVertices} 个；请先抽稀`, `The file has ${vertices} vertices, more than the ${limits.maxVertices} allowed; simplify it first`);
  }
}

/** More features (or records) than a file may hold. */
export const tooManyFeatures = (n: number, limits: ParseLimits, atLeast = false): ParseError =>
  new ParseError(
    'TOO_MANY_FEATURES',
    `文件中有${atLeast ? '超过 ' : ' '}${n} 个要素，超过上限 ${limits.maxFeatures} 个`,
    `The file holds ${atLeast ? 'more than ' : ''}${n} features, more than the ${limits.maxFeatures} allowed`,
  );
