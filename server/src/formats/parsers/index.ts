/**
 * `parseSiteFile`: one entry for every way a planner brings a site (用地范围) —
 * a GeoJSON, a zipped Shapefile, a 界址点坐标文件, a KML/KMZ, or pasted coordinates —
 * giving Polygon/MultiPolygon features in EPSG:4490 lon/lat, what was detected
 * (format, coordinate system, zone, axis order, encoding) for the user to confirm or
 * override, and warnings. Failures throw a {@link ParseError} naming the problem.
 *
 * Runs on the server, in its parse workers (server/src/http/parse-worker): EPSG definitions are
 * read from epsg-index on disk (crs-registry.ts); KML loads @xmldom/xmldom. The client does not
 * import the parsers.
 *
 * @example
 * const { features, detected } = await parseSiteFile({ fileName: '界址点.txt', bytes })
 * detected // { format: 'boundary-points', crs: 'EPSG:4526', zone: 38, zoneWidth: 3, axisOrder: 'northing-easting', encoding: 'gbk',
 *           //   datum: 'cgcs2000', epsg: 4526, crsName: 'CGCS2000 / 3-degree Gauss-Kruger zone 38', datumTransform: 'none' }
 */
import JSZip from 'jszip';
import { looksLikeBoundaryPoints, readBoundaryPoints } from './boundary-points.ts';
import { readCoordinates } from './coordinates.ts';
import { decodeText } from '../encoding.ts';
import { ParseError } from './errors.ts';
import { readGeoJson } from './geojson.ts';
import { decodeKml, readKml, readKmz } from './kml.ts';
import { checkCounts, checkEntryCount, InflateBudget, SITE_FILE_LIMITS } from './limits.ts';
import { placeFeatures } from './placement.ts';
import type { RawRead } from './raw.ts';
import { readShapefileZip } from './shapefile.ts';
import type { DetectedEncoding, ParseInput, ParseOptions, ParseResult, ParseWarning } from './types.ts';

export { ParseError, type ParseErrorCode } from './errors.ts';
export { parseCrsParam } from './crs.ts';
export { CGCS2000_SHIFT_TARGET } from './placement.ts';
export { LAYER_FILE_LIMITS, SITE_FILE_LIMITS, type ParseLimits } from './limits.ts';
export { BOUNDARY_POINT_FIELDS } from './boundary-points.ts';
export type * from './types.ts';

/**
 * The lower-case extension of a file name.
 *
 * @example extensionOf('地块/界址点.TXT') // 'txt'
 */
export function extensionOf(fileName: string): string {
  return /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06);

function unsupported(zh: string, en: string): ParseError {
  return new ParseError('UNSUPPORTED_FORMAT', zh, en);
}

/**
 * Picks the reader for a text by its content: 界址点 sections, JSON, XML, else coordinates.
 *
 * @example sniffText('{"type":"Polygon",…}') // 'geojson'
 */
export function sniffText(text: string, ext = ''): 'boundary-points' | 'geojson' | 'kml' | 'coordinates' {
  if (looksLikeBoundaryPoints(text)) return 'boundary-points';
  const start = text.trimStart()[0];
  if (start === '{' || ext === 'geojson' || ext === 'json') return 'geojson';
  if (start === '<' || ext === 'kml') return 'kml';
  return 'coordinates';
}

async function readText(text: string, ext: string, encoding: DetectedEncoding | undefined): Promise<RawRead> {
  const clean = text.replace(/^\uFEFF/, '');
  if (!clean.trim()) throw new ParseError('EMPTY_INPUT', '内容为空', 'The input is empty');
  const enc = encoding ? { encoding } : {};
  switch (sniffText(clean, ext)) {
    case 'boundary-points':
      return readBoundaryPoints(clean, encoding);
    case 'geojson':
      return { ...readGeoJson(clean), ...enc };
    case 'kml':
      return readKml(clean, encoding);
    default:
      return { ...readCoordinates(clean), ...enc };
  }
}

async function readBytes(fileName: string, bytes: Uint8Array, opts: ParseOptions): Promise<RawRead> {
  const ext = extensionOf(fileName);
  if (bytes.length === 0) throw new ParseError('EMPTY_INPUT', `文件“${fileName}”是空的`, `The file "${fileName}" is empty`);
  if (['rar', '7z', 'gz', 'tar', 'tgz'].includes(ext)) {
    throw unsupported(`不支持 ${ext.toUpperCase()} 压缩包，请用 ZIP 格式打包后上传`, `${ext.toUpperCase()} archives are not supported; pack the files as ZIP`);
  }
  if (['shp', 'dbf', 'shx', 'prj', 'cpg'].includes(ext)) {
    throw unsupported(
      `单独的 .${ext} 文件无法读取：请把同名的 .shp、.dbf、.prj（及 .cpg）一起打包成 .zip 上传`,
      `A lone .${ext} file cannot be read: zip the .shp, .dbf, .prj (and .cpg) of the same name together and upload the .zip`,
    );
  }
  if (['dwg', 'dxf'].includes(ext)) {
    throw unsupported('暂不支持 CAD 文件（.dwg/.dxf），请导出为 Shapefile 或界址点坐标文件', 'CAD files (.dwg/.dxf) are not supported; export a Shapefile or a boundary-point file');
  }
  if (['xls', 'xlsx', 'doc', 'docx', 'pdf'].includes(ext)) {
    throw unsupported(`暂不支持 .${ext} 文件，请把坐标另存为 .txt 文本或直接粘贴`, `.${ext} files are not supported; save the coordinates as .txt or paste them`);
  }
  if (isZip(bytes) || ext === 'zip' || ext === 'kmz') {
    const limits = opts.limits ?? SITE_FILE_LIMITS;
    checkEntryCount(bytes, fileName, limits);
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(bytes);
    } catch {
      throw new ParseError('INVALID_ZIP', `“${fileName}”不是有效的 ZIP 压缩包（可能已损坏，或是 RAR/7z 格式）`, `"${fileName}" is not a valid ZIP archive (damaged, or RAR/7z)`);
    }
    const names = Object.keys(zip.files);
    // an entry named to climb out of a folder or start at the root is no file a GIS writes
    // (JSZip tidies such names; the original is kept as unsafeOriginalName)
    const unsafe = Object.values(zip.files)
      .map((f) => (f as { unsafeOriginalName?: string }).unsafeOriginalName ?? f.name)
      .find((n) => /^([a-z]:)?[\\/]/i.test(n) || n.split(/[\\/]/).includes('..'));
    if (unsafe !== undefined) {
      throw new ParseError('ZIP_UNSAFE_PATH', `ZIP 压缩包“${fileName}”中有不安全的文件路径“${unsafe.slice(0, 80)}”（含 .. 或绝对路径）：请重新打包`, `The ZIP archive "${fileName}" holds an unsafe path "${unsafe.slice(0, 80)}" (with .. or absolute): pack it again`);
    }
    const hasShp = names.some((n) => /\.shp$/i.test(n));
    const budget = new InflateBudget(limits);
    if (ext === 'kmz' || (!hasShp && names.some((n) => /\.kml$/i.test(n)))) return readKmz(zip, opts.encoding, budget);
    return readShapefileZip(zip, opts.encoding, budget);
  }
  if (ext === 'kml') {
    const { text, encoding, warnings } = decodeKml(bytes, opts.encoding);
    const read = await readKml(text, encoding);
    return { ...read, warnings: [...warnings, ...read.warnings] };
  }
  const nul = bytes.subarray(0, 4096).filter((b) => b === 0).length;
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (nul > 0 && !utf16) {
    throw unsupported(
      `无法识别“${fileName}”的格式：支持 GeoJSON、Shapefile（.zip）、界址点坐标文件（.txt）、KML/KMZ 和坐标文本`,
      `The format of "${fileName}" is not recognised: GeoJSON, zipped Shapefile, boundary-point .txt, KML/KMZ and coordinate text are supported`,
    );
  }
  const { text, encoding, warnings } = decodeText(bytes, opts.encoding);
  try {
    const read = await readText(text, ext, encoding);
    return { ...read, warnings: [...warnings, ...read.warnings] };
  } catch (e) {
    // a forced encoding that looks wrong is the likelier cause of the failure: say so
    if (e instanceof ParseError && opts.encoding && warnings.some((w) => w.code === 'ENCODING_DOUBT')) {
      const name = opts.encoding.toUpperCase();
      throw new ParseError(e.code, `${e.zh}（所选编码 ${name} 可能不对：请改选其他编码（UTF-8、GBK、GB18030、Big5）或选“自动识别”）`, `${e.en} (the chosen encoding ${name} may be wrong: choose another one (UTF-8, GBK, GB18030, Big5) or let it be detected)`);
    }
    throw e;
  }
}

/**
 * Parses a site file or pasted text into EPSG:4490 polygons.
 *
 * @example await parseSiteFile({ text: '114.35 34.79\n114.36 34.79\n114.36 34.80' })
 * @example await parseSiteFile({ fileName: 'site.zip', bytes }, { encoding: 'gbk', crs: { kind: 'gauss-kruger', zone: 38 } })
 */
export async function parseSiteFile(input: ParseInput, opts: ParseOptions = {}): Promise<ParseResult> {
  let read: RawRead;
  try {
    read = 'text' in input ? await readText(input.text, '', undefined) : await readBytes(input.fileName, input.bytes, opts);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ParseError('UNREADABLE', `无法读取文件：${detail}`, `The file cannot be read: ${detail}`);
  }
  // counted before placement and validation, whose work scales with them
  checkCounts(read.features, opts.limits ?? SITE_FILE_LIMITS);
  const warnings: ParseWarning[] = [...read.warnings];
  const placement = placeFeatures(read.features, {
    format: read.format,
    naturalOrder: read.naturalOrder,
    orderIsConvention: read.orderIsConvention,
    ...(read.declared ? { declared: read.declared } : {}),
    options: opts,
    warnings,
  });
  const projectName = projectNameOf(read, 'fileName' in input ? input.fileName : undefined);
  return {
    features: { type: 'FeatureCollection', features: placement.features },
    detected: {
      format: read.format,
      crs: placement.crs,
      ...(placement.zone !== undefined ? { zone: placement.zone } : {}),
      ...(placement.zoneWidth !== undefined ? { zoneWidth: placement.zoneWidth } : {}),
      axisOrder: placement.axisOrder,
      ...(read.encoding ? { encoding: read.encoding } : {}),
      datum: placement.datum,
      ...(placement.epsg !== undefined ? { epsg: placement.epsg } : {}),
      ...(placement.crsName ? { crsName: placement.crsName } : {}),
      datumTransform: placement.datumTransform,
      ...(placement.datumAssumed ? { datumAssumed: true as const } : {}),
    },
    warnings,
    ...(placement.source ? { source: placement.source } : {}),
    ...(projectName ? { name: projectName } : {}),
  };
}

/** Attributes that name a project or a parcel, the most explicit first. */
const PROJECT_NAME_KEYS = ['项目名称', 'xmmc', 'XMMC'];
const PARCEL_NAME_KEYS = ['name', 'NAME', 'Name', '地块名称', '宗地名称', 'dkmc', 'DKMC', '名称', 'MC', 'mc'];

/**
 * The project's name as the file gives it, for the site check to take rather than the file's
 * name: a 项目名称 attribute; else the file's own name (a GeoJSON FeatureCollection or Feature
 * `name`); else a feature's name (properties `name`, a 界址点 header's 地块名称, a Shapefile's
 * NAME/名称, a KML Placemark's name). Undefined when the file names none. A collection named
 * just as the uploaded file (ogr2ogr writes the source layer's name there, usually the file's
 * stem) says no more than the file name, so a feature's name comes before it. At most 200
 * characters, as a check's name may be.
 *
 * @example projectNameOf({ features: [{ properties: { 地块名称: '开封东区工业地块' } }] }) // '开封东区工业地块'
 */
export function projectNameOf(read: Pick<RawRead, 'features' | 'name'>, fileName?: string): string | undefined {
  const first = (keys: string[]) => {
    for (const f of read.features) {
      for (const k of keys) {
        const v = f.properties[k];
        if (typeof v === 'string' && v.trim()) return v.trim();
      }
    }
    return undefined;
  };
  const stem = fileName?.replace(/^.*[/\\]/, '').replace(/\.[^.]+$/, '').trim().toLowerCase();
  const own = read.name && read.name.trim().toLowerCase() !== stem ? read.name : undefined;
  const name = first(PROJECT_NAME_KEYS) ?? own ?? first(PARCEL_NAME_KEYS) ?? read.name;
  return name === undefined ? undefined : [...name].slice(0, 200).join('');
}
