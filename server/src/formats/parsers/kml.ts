/**
 * KML (Google Earth, 奥维互动地图 exports) and KMZ site files, through @tmcw/togeojson.
 * KML is WGS84 lon/lat (EPSG:4326) by definition, whatever else it says. The browser's DOMParser is used where there is
 * one; in Node, @xmldom/xmldom is loaded on demand.
 *
 * @example await readKml(kmlText) // { format: 'kml', features: [...] }
 */
import { kml } from '@tmcw/togeojson';
import JSZip from 'jszip';
import { InflateBudget, readZipEntry } from './limits.ts';
import { decodeText, encodingFromLabel } from '../encoding.ts';
import { ParseError } from './errors.ts';
import { rawFromFeatures } from './geojson.ts';
import { GIS_ORDER, toProperties, type RawRead } from './raw.ts';
import type { DetectedEncoding, ParseWarning, TextEncoding } from './types.ts';

interface XmlParser {
  parseFromString(text: string, mimeType: 'text/xml'): Document;
}

/** A DOMParser: the platform's, or xmldom's in Node (its console logging silenced). */
async function xmlParser(): Promise<XmlParser> {
  if (typeof globalThis.DOMParser === 'function') return new globalThis.DOMParser();
  const { DOMParser } = await import('@xmldom/xmldom');
  const parser = new DOMParser({
    onError: (level: 'warning' | 'error' | 'fatalError', msg: string) => {
      if (level !== 'warning') throw new Error(msg);
    },
  });
  return parser as unknown as XmlParser;
}

function invalid(detail: string): ParseError {
  // browsers wrap the reason in a sentence of their own; keep the reason
  const d = detail
    .replace(/This page contains the following errors:|Below is a rendering of the page up to the first error\./g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
    .replace(/^Reporting (fatalError|error)\s*/i, '')
    .replace(/^"|"$/g, '');
  // the parser's words are English: in Chinese only what can be said in Chinese (the unclosed tags)
  const unclosed = /unclosed xml tag\(s\):\s*([^"]*)/i.exec(d)?.[1]?.trim();
  const zh = unclosed ? `：标签未闭合（${unclosed.split(/,\s*/).join('、')}），文件可能不完整` : '：请检查文件是否完整，或用 GIS 软件重新导出';
  return new ParseError('KML_INVALID', `KML 文件不是有效的 XML${zh}`, `The KML file is not valid XML${d ? `: ${d}` : ''}`);
}

/** togeojson's style and display properties, which are not attributes of a site. */
const STYLE_KEY = /^(style|stroke|fill|icon|label-|visibility$|@)/;

/**
 * Reads a KML text into raw features.
 *
 * @example await readKml('<kml …><Placemark><name>地块</name><Polygon>…</Polygon></Placemark></kml>')
 */
export async function readKml(text: string, encoding?: DetectedEncoding): Promise<RawRead> {
  const parser = await xmlParser();
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : String(e));
  }
  const parserError = doc.getElementsByTagName('parsererror')[0];
  if (parserError) throw invalid(parserError.textContent ?? '');
  const root = doc.documentElement;
  if (!root || root.nodeName.replace(/^.*:/, '').toLowerCase() !== 'kml') {
    throw new ParseError('KML_INVALID', `不是 KML 文件：根元素为 <${root?.nodeName ?? ''}>，应为 <kml>`, `Not a KML file: the root element is <${root?.nodeName ?? ''}>, not <kml>`);
  }
  const collection = kml(doc);
  const warnings: ParseWarning[] = [];
  const items = collection.features.map((f) => ({ geometry: f.geometry, properties: toProperties(f.properties, (k) => STYLE_KEY.test(k)) }));
  const features = rawFromFeatures(items, 'kml', warnings);
  return {
    format: 'kml',
    features,
    declared: { choice: { kind: 'geographic', epsg: 4326 }, name: 'WGS84 (KML)', datum: 'wgs84', epsg: 4326 },
    ...(encoding ? { encoding } : {}),
    naturalOrder: GIS_ORDER,
    orderIsConvention: true,
    warnings,
  };
}

/**
 * Decodes KML bytes: a forced encoding, else the XML declaration's (`encoding="GB2312"`, `"GB18030"`, `"Big5"`), else detection.
 *
 * @example decodeKml(bytes).text.startsWith('<?xml') // true
 */
export function decodeKml(bytes: Uint8Array, forced?: TextEncoding): { text: string; encoding: DetectedEncoding; warnings: ParseWarning[] } {
  if (!forced) {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1]?.toLowerCase();
    const named = declared ? encodingFromLabel(declared) : undefined;
    if (named === 'gbk' || named === 'gb18030' || named === 'big5') return decodeText(bytes, named);
  }
  return decodeText(bytes, forced);
}

/**
 * Reads a KMZ (a ZIP with doc.kml, or any .kml inside).
 *
 * @example await readKmz(bytes)
 */
export async function readKmz(zip: JSZip, forced?: TextEncoding, budget: InflateBudget = new InflateBudget()): Promise<RawRead> {
  const names = Object.keys(zip.files).filter((n) => /\.kml$/i.test(n) && !zip.files[n]!.dir && !n.startsWith('__MACOSX/'));
  const name = names.find((n) => /(^|\/)doc\.kml$/i.test(n)) ?? names[0];
  if (!name) throw new ParseError('KML_INVALID', 'KMZ 压缩包中没有 .kml 文件', 'The KMZ archive holds no .kml file');
  const { text, encoding, warnings } = decodeKml(await readZipEntry(zip, name, budget), forced);
  const read = await readKml(text, encoding);
  return { ...read, warnings: [...warnings, ...read.warnings] };
}
