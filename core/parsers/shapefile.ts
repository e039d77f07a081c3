/**
 * Zipped Shapefiles (.zip with .shp, .dbf, .prj, .cpg — possibly in a folder),
 * as bureaus and design institutes exchange them. The .prj names the coordinate
 * system (CGCS2000 lon/lat or a Gauss–Krüger zone); the .cpg names the attribute
 * encoding ("GBK", "936", "UTF-8"); without a .cpg the DBF text is tried as strict
 * UTF-8 and read as GBK when that fails, so Chinese attributes come out right.
 *
 * @example await readShapefileZip(await JSZip.loadAsync(bytes)) // { format: 'shapefile', … }
 */
import type JSZip from 'jszip';
import { open as openShapefile } from 'shapefile';
import { crsFromPrj, type DeclaredCrs } from './crs.ts';
import { checkShapefileHeaders } from './shapefile-header.ts';
import { dbfTextBytes, encodingFromLabel, forcedEncodingDoubt, isUtf8 } from './encoding.ts';
import { ParseError, warn } from './errors.ts';
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
export async function readShapefileZip(zip: JSZip, forcedEncoding?: TextEncoding): Promise<RawRead> {
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
  const shps = await Promise.all(shpNames.map(async (name) => ({ name, bytes: await zip.files[name]!.async('uint8array') })));
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
  const dbf = dbfName ? await zip.files[dbfName]!.async('uint8array') : undefined;

  // encoding: forced > .cpg > detected
  let encoding: DetectedEncoding | undefined;
  if (dbf) {
    if (forcedEncoding) {
      encoding = forcedEncoding;
      warnings.push(...forcedEncodingDoubt(dbfTextBytes(dbf), forcedEncoding));
    }
    else {
      if (cpgName) {
        const cpg = (await zip.files[cpgName]!.async('string')).trim();
        encoding = encodingFromLabel(cpg);
        if (encoding === 'utf-8' && !isUtf8(dbfTextBytes(dbf))) {
          // a GIS that wrote GBK but labelled it UTF-8: the bytes say which it is
          encoding = 'gbk';
          warnings.push(
            warn('CPG_MISMATCH', `.cpg 文件写的编码是“${cpg}”，但属性表不是有效的 UTF-8，已按 GBK 读取，请核对属性文字`, `The .cpg says "${cpg}" but the attributes are not valid UTF-8; they were read as GBK — check the attribute text`),
          );
        }
        if (!encoding) {
          warnings.push(
            warn('CPG_UNKNOWN', `.cpg 文件写的编码“${cpg}”无法识别，已自动判断属性编码`, `The .cpg names an unknown encoding "${cpg}"; the attribute encoding was detected instead`),
          );
        }
      }
      encoding ??= isUtf8(dbfTextBytes(dbf)) ? 'utf-8' : 'gbk';
    }
  } else {
    warnings.push(warn('DBF_MISSING', `缺少 .dbf 属性表，只读取了图形，没有属性`, 'The .dbf attribute table is missing; only shapes were read, without attributes'));
  }

  let declared: DeclaredCrs | undefined;
  if (prjName) {
    declared = crsFromPrj(await zip.files[prjName]!.async('string'));
  } else {
    warnings.push(
      warn('PRJ_MISSING', '缺少 .prj 坐标系文件，已按坐标数值判断坐标系，请核对', 'The .prj file is missing; the coordinate system was judged from the numbers — check it'),
    );
  }

  const shxName = sibling('shx');
  checkShapefileHeaders(baseName(chosen.name), chosen.bytes, shxName ? await zip.files[shxName]!.async('uint8array') : undefined, dbf);

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
