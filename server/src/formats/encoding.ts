/**
 * Text encodings of Chinese survey and GIS files, read and written: UTF-8; GBK (code page 936) as
 * most Chinese Windows software still writes; GB18030 (code page 54936, GBK's superset: four-byte
 * sequences for the characters GBK lacks); Big5 (code page 950, traditional Chinese, from
 * Taiwan/Hong Kong software); UTF-16 (Windows Notepad's "Unicode", with a byte-order mark).
 *
 * Reading — detection, in order: a byte-order mark; strict UTF-8; then the legacy double-byte
 * encodings. GBK and Big5 share most of their byte structure, so bytes that are valid in both are
 * ambiguous: they are read as GBK (the usual case) unless the text shows they are Big5 — the
 * traditional section names of a 界址点 file (`[屬性描述]`, `[地塊坐標]`) read as Big5, or the bytes
 * fail as GBK. Four-byte GB18030 sequences name GB18030 (and must be decoded as such: WHATWG's
 * `gbk` decoder reads them, Node's ICU `gbk` does not). Decoding uses the platform's `TextDecoder`
 * (its `fatal` mode is what the detection's strict checks need; the Shapefile reader's .dbf
 * decoder is one too); `TextDecoder('big5')` and `('gb18030')` exist in every browser and in Node
 * with ICU.
 *
 * Writing — GBK through iconv-lite ({@link encodeGbk}); UTF-8 with `TextEncoder`.
 *
 * @example decodeText(gbkBytes).encoding // 'gbk'
 */
import iconv from 'iconv-lite';
import { warn } from './parsers/errors.ts';
import type { DetectedEncoding, ParseWarning, TextEncoding } from './parsers/types.ts';

/** Whether the bytes decode in `encoding` without a single invalid sequence. */
function decodesStrictly(bytes: Uint8Array, encoding: DetectedEncoding): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the bytes are well-formed UTF-8 (pure ASCII is).
 *
 * @example isUtf8(new TextEncoder().encode('示例')) // true
 */
export function isUtf8(bytes: Uint8Array): boolean {
  return decodesStrictly(bytes, 'utf-8');
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

const LABELS: Record<string, DetectedEncoding> = {};
const label = (enc: DetectedEncoding, ...names: string[]) => names.forEach((n) => (LABELS[n] = enc));
label('gbk', 'gbk', '936', 'cp936', 'ms936', 'windows-936', 'windows936', 'gb2312', 'gb-2312', 'euc-cn', 'euccn', 'x-gbk', 'chinese', 'csgb2312', 'iso-ir-58', 'gb231280');
label('gb18030', 'gb18030', 'gb-18030', '54936', 'cp54936', 'windows-54936', 'windows54936');
label('big5', 'big5', 'big-5', 'big5-hkscs', 'big5hkscs', '950', 'cp950', 'ms950', 'windows-950', 'windows950', 'x-big5', 'cn-big5', 'csbig5');
label('utf-8', 'utf-8', 'utf8', '65001', 'cp65001', 'unicode-1-1-utf-8');
label('utf-16le', 'utf-16', 'utf16', 'utf-16le', 'utf16le', '1200', 'cp1200', 'unicode', 'ucs-2', 'ucs2', 'ucs-2le');
label('utf-16be', 'utf-16be', 'utf16be', '1201', 'cp1201', 'unicodefffe', 'ucs-2be');

/**
 * Maps the content of a Shapefile .cpg (or a charset label) to the encoding it names:
 * "GBK", "936", "CP936", "GB2312" → 'gbk'; "GB18030", "54936" → 'gb18030'; "BIG5", "CP950", "950" → 'big5';
 * "UTF-8", "65001" → 'utf-8'; "UTF-16", "UTF-16LE", "1200" → 'utf-16le'; "UTF-16BE", "1201" → 'utf-16be'.
 * ArcGIS writes the code page number, GDAL the name (`-lco ENCODING=CP936` writes "936").
 * Undefined for anything else (the caller then detects, and says so).
 *
 * @example encodingFromLabel(' 936\r\n') // 'gbk'
 */
export function encodingFromLabel(text: string): DetectedEncoding | undefined {
  const l = text.trim().toLowerCase().replace(/^(ansi|oem)[\s_-]*/, '').replace(/[\s_]/g, '');
  return LABELS[l] ?? LABELS[l.replace(/-/g, '')];
}

/** "GBK", "GB18030", "Big5", "UTF-8", "UTF-16LE" as planners see the names. */
export function encodingName(encoding: DetectedEncoding): string {
  return encoding === 'big5' ? 'Big5' : encoding.toUpperCase();
}

/**
 * True when the bytes hold a four-byte GB18030 sequence (first byte 0x81–0xFE, second 0x30–0x39):
 * a character GBK cannot encode, so the text is GB18030, not GBK.
 *
 * @example hasGb18030FourByte(Uint8Array.of(0x95, 0x32, 0x82, 0x36)) // true ('𠀀')
 */
export function hasGb18030FourByte(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x81 || b === 0xff) {
      i++;
      continue;
    }
    const second = bytes[i + 1];
    if (second !== undefined && second >= 0x30 && second <= 0x39) return true;
    i += 2;
  }
  return false;
}

/** The traditional-character section names of a 界址点 file, as a Big5 file writes them. */
const BIG5_MARKERS = /[[［]\s*(屬性描述|地塊坐標)\s*[\]］]/;
/** The same in simplified characters, as a GBK file writes them. */
const GBK_MARKERS = /[[［]\s*(属性描述|地块坐标)\s*[\]］]/;

/** Double-byte pairs of the bytes: [lead, trail] for every byte ≥ 0x81 and the one after it. */
function pairs(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x81) {
      i++;
      continue;
    }
    out.push([b, bytes[i + 1] ?? 0]);
    i += 2;
  }
  return out;
}

/**
 * Reads bytes that are not UTF-8 as GBK, GB18030 or Big5 (see the module comment), with a warning
 * when the choice rests on a judgement of the text rather than on its bytes.
 *
 * @example detectLegacyEncoding(big5Bytes) // { encoding: 'big5', warnings: [ENCODING_GUESSED] }
 */
export function detectLegacyEncoding(bytes: Uint8Array): { encoding: 'gbk' | 'gb18030' | 'big5'; warnings: ParseWarning[] } {
  if (hasGb18030FourByte(bytes) && decodesStrictly(bytes, 'gb18030')) return { encoding: 'gb18030', warnings: [] };
  const gbkOk = decodesStrictly(bytes, 'gbk');
  const big5Ok = decodesStrictly(bytes, 'big5');
  if (!big5Ok) return { encoding: 'gbk', warnings: [] };
  if (!gbkOk) return { encoding: 'big5', warnings: [] };
  // valid as both: the text decides
  const asBig5 = new TextDecoder('big5').decode(bytes);
  const asGbk = new TextDecoder('gbk').decode(bytes);
  if (BIG5_MARKERS.test(asBig5) && !GBK_MARKERS.test(asGbk)) return { encoding: 'big5', warnings: [] };
  if (GBK_MARKERS.test(asGbk)) return { encoding: 'gbk', warnings: [] };
  // GBK text of simplified characters stays in the GB2312 area (lead 0xB0–0xF7, trail 0xA1–0xFE);
  // Big5 puts four in ten characters on a trail byte 0x40–0x7E, outside it
  const ps = pairs(bytes);
  const outside = ps.filter(([lead, trail]) => !(lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1)).length;
  if (ps.length > 0 && outside / ps.length > 0.2) {
    return {
      encoding: 'big5',
      warnings: [
        warn(
          'ENCODING_GUESSED',
          '文字编码判断为 Big5（繁体中文）；这些字节按 GBK 也能读，若文字不对请改选 GBK 编码',
          'The text encoding was judged to be Big5 (traditional Chinese); the bytes also read as GBK — if the text looks wrong, choose GBK',
        ),
      ],
    };
  }
  return { encoding: 'gbk', warnings: [] };
}

/**
 * A warning when a forced encoding looks wrong for the bytes: GBK/GB18030/Big5 forced on bytes that
 * are well-formed UTF-8 with Chinese in them, or an encoding forced on bytes that are not valid in it.
 *
 * @example forcedEncodingDoubt(new TextEncoder().encode('示例'), 'gbk') // [{ code: 'ENCODING_DOUBT', … }]
 */
export function forcedEncodingDoubt(bytes: Uint8Array, forced: DetectedEncoding): ParseWarning[] {
  const nonAscii = bytes.some((b) => b > 0x7f);
  const name = encodingName(forced);
  if (forced !== 'utf-8' && !forced.startsWith('utf-16') && nonAscii && isUtf8(bytes)) {
    return [warn('ENCODING_DOUBT', `内容看起来是 UTF-8 编码，按 ${name} 读取中文会成为乱码`, `The content looks like UTF-8; read as ${name} its Chinese text will be garbled`)];
  }
  if (forced === 'utf-8' && !isUtf8(bytes)) {
    return [warn('ENCODING_DOUBT', '内容不是有效的 UTF-8（可能是 GBK），按 UTF-8 读取中文会成为乱码', 'The content is not valid UTF-8 (perhaps GBK); read as UTF-8 its Chinese text will be garbled')];
  }
  if ((forced === 'gbk' || forced === 'gb18030' || forced === 'big5') && !decodesStrictly(bytes, forced)) {
    const other = forced === 'big5' ? 'GBK' : forced === 'gbk' && hasGb18030FourByte(bytes) ? 'GB18030' : 'Big5';
    return [warn('ENCODING_DOUBT', `内容不是有效的 ${name} 编码（可能是 ${other}），中文可能成为乱码`, `The content is not valid ${name} (perhaps ${other}); its Chinese text may be garbled`)];
  }
  return [];
}

/**
 * Decodes text bytes: the forced encoding, else the BOM, else strict UTF-8, else GBK / GB18030 / Big5
 * as {@link detectLegacyEncoding} judges. A forced encoding that looks wrong for the bytes adds a warning.
 *
 * @example decodeText(iconv.encode('示例地块', 'gbk')) // { text: '示例地块', encoding: 'gbk', warnings: [] }
 */
export function decodeText(bytes: Uint8Array, forced?: TextEncoding): { text: string; encoding: DetectedEncoding; warnings: ParseWarning[] } {
  const bom = bomOf(bytes);
  if (forced) {
    const body = bom?.encoding === forced ? bytes.subarray(bom.length) : bytes;
    const text = new TextDecoder(forced).decode(body);
    return { text, encoding: forced, warnings: forcedEncodingDoubt(body, forced) };
  }
  if (bom) return { text: new TextDecoder(bom.encoding).decode(bytes.subarray(bom.length)), encoding: bom.encoding, warnings: [] };
  if (isUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', warnings: [] };
  const { encoding, warnings } = detectLegacyEncoding(bytes);
  return { text: new TextDecoder(encoding).decode(bytes), encoding, warnings };
}

/**
 * The code page a dBASE header's language driver byte (offset 29) names, as GDAL and ArcGIS write
 * it: 0x4D/0x7A → GBK (936), 0x4F/0x78 → Big5 (950). Undefined for others (0 = not given).
 *
 * @example dbfLanguageDriver(dbf) // 'gbk'
 */
export function dbfLanguageDriver(dbf: Uint8Array): 'gbk' | 'big5' | undefined {
  const ldid = dbf[29];
  if (ldid === 0x4d || ldid === 0x7a) return 'gbk';
  if (ldid === 0x4f || ldid === 0x78) return 'big5';
  return undefined;
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

/**
 * Text as GBK bytes (iconv-lite's GBK: code page 936 with the GBK extensions, € as the single byte
 * 0x80); characters GBK cannot hold become `?` and are listed.
 *
 * @example encodeGbk('中').bytes // Uint8Array [0xd6, 0xd0]
 * @example encodeGbk('地块😀').unmappable // ['😀']
 */
export function encodeGbk(text: string): { bytes: Uint8Array; unmappable: string[] } {
  const bytes: Uint8Array = iconv.encode(text, 'gbk');
  const unmappable: string[] = [];
  // a question mark written: the text's own, or a character GBK has no code for
  if (bytes.includes(0x3f)) {
    for (const ch of text) if (ch !== '?' && iconv.encode(ch, 'gbk').includes(0x3f)) unmappable.push(ch);
  }
  return { bytes, unmappable };
}
