/**
 * Text encodings of Chinese survey and GIS files: UTF-8, or GBK (code page 936)
 * as most Chinese Windows software still writes. Detection: a byte-order mark
 * wins; otherwise the bytes are decoded as strict UTF-8 and, if that fails, as GBK.
 * `TextDecoder('gbk')` exists in every browser and in Node with ICU.
 *
 * @example decodeText(gbkBytes).encoding // 'gbk'
 */
import { warn } from './errors.ts';
import type { DetectedEncoding, ParseWarning, TextEncoding } from './types.ts';

/**
 * True when the bytes are well-formed UTF-8 (pure ASCII is).
 *
 * @example isUtf8(new TextEncoder().encode('示例')) // true
 */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding a byte-order mark announces, with the BOM's length.
 *
 * @example bomOf(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)) // { encoding: 'utf-8', length: 3 }
 */
export function bomOf(bytes: Uint8Array): { encoding: DetectedEncoding; length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * Maps the content of a Shapefile .cpg (or a charset label) to the encodings we decode:
 * "GBK", "936", "CP936", "GB2312", "GB18030" → 'gbk'; "UTF-8", "UTF8", "65001" → 'utf-8'.
 * Undefined for anything else (the caller then detects).
 *
 * @example encodingFromLabel(' 936\r\n') // 'gbk'
 */
export function encodingFromLabel(label: string): TextEncoding | undefined {
  const l = label.trim().toLowerCase().replace(/^ansi\s*/, '').replace(/[\s_]/g, '');
  if (['gbk', '936', 'cp936', 'ms936', 'windows-936', 'windows936', 'gb2312', 'gb18030', 'euc-cn', 'x-gbk', 'chinese'].includes(l)) return 'gbk';
  if (['utf-8', 'utf8', '65001', 'cp65001'].includes(l)) return 'utf-8';
  return undefined;
}

/**
 * A warning when a forced encoding looks wrong for the bytes: GBK forced on bytes that are
 * well-formed UTF-8 with Chinese in them, or UTF-8 forced on bytes that are not UTF-8.
 *
 * @example forcedEncodingDoubt(new TextEncoder().encode('示例'), 'gbk') // [{ code: 'ENCODING_DOUBT', … }]
 */
export function forcedEncodingDoubt(bytes: Uint8Array, forced: TextEncoding): ParseWarning[] {
  const nonAscii = bytes.some((b) => b > 0x7f);
  if (forced === 'gbk' && nonAscii && isUtf8(bytes)) {
    return [warn('ENCODING_DOUBT', '内容看起来是 UTF-8 编码，按 GBK 读取中文会成为乱码', 'The content looks like UTF-8; read as GBK its Chinese text will be garbled')];
  }
  if (forced === 'utf-8' && !isUtf8(bytes)) {
    return [warn('ENCODING_DOUBT', '内容不是有效的 UTF-8（可能是 GBK），按 UTF-8 读取中文会成为乱码', 'The content is not valid UTF-8 (perhaps GBK); read as UTF-8 its Chinese text will be garbled')];
  }
  return [];
}

/**
 * Decodes text bytes: the forced encoding, else the BOM, else strict UTF-8, else GBK.
 * A forced encoding that looks wrong for the bytes adds a warning.
 *
 * @example decodeText(iconv.encode('示例地块', 'gbk')) // { text: '示例地块', encoding: 'gbk', warnings: [] }
 */
export function decodeText(bytes: Uint8Array, forced?: TextEncoding): { text: string; encoding: DetectedEncoding; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = [];
  const bom = bomOf(bytes);
  if (forced) {
    const body = bom?.encoding === forced ? bytes.subarray(bom.length) : bytes;
    const text = new TextDecoder(forced).decode(body);
    warnings.push(...forcedEncodingDoubt(body, forced));
    return { text, encoding: forced, warnings };
  }
  if (bom) return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)), encoding: bom.encoding, warnings };
  if (isUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', warnings };
  return { text: new TextDecoder('gbk').decode(bytes), encoding: 'gbk', warnings };
}

/**
 * The text parts of a dBASE (.dbf) file: field names and record bytes, without the
 * binary header, so their encoding can be detected.
 *
 * @example isUtf8(dbfTextBytes(dbf)) // false for a GBK-encoded table with Chinese text
 */
export function dbfTextBytes(dbf: Uint8Array): Uint8Array {
  if (dbf.length < 32) return new Uint8Array(0);
  const view = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
  const headerLength = view.getUint16(8, true);
  const parts: Uint8Array[] = [];
  for (let at = 32; at + 32 <= headerLength && at < dbf.length && dbf[at] !== 0x0d; at += 32) {
    const name = dbf.subarray(at, at + 11);
    const end = name.indexOf(0);
    parts.push(end === -1 ? name : name.subarray(0, end), Uint8Array.of(0x20));
  }
  let records = dbf.subarray(Math.min(headerLength, dbf.length));
  if (records[records.length - 1] === 0x1a) records = records.subarray(0, records.length - 1);
  parts.push(records);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** "GBK" / "UTF-8" as planners see the names. */
export function encodingName(encoding: DetectedEncoding): string {
  return encoding.toUpperCase();
}

