/**
 * `openLayerFile`: a layer file of any size — a GeoJSON FeatureCollection, a zipped Shapefile, a
 * GeoPackage — opened for one streamed pass. What the whole-file parsers (parsers/) decide about a
 * file is decided here the same way, on its declaration and its first 200 features: the coordinate
 * system, zone, axis order, datum shift and attribute encoding; then every feature is placed in
 * EPSG:4490 with that one transform, record by record, in bounded memory. A file that cannot be
 * read is a ParseError (zh/en); a record that cannot be placed is a record with a `problem`.
 *
 * @example
 * const reader = await openLayerFile('/tmp/upload/永久基本农田.zip', '永久基本农田.zip', {})
 * try { for await (const r of reader.features()) if (r.geometry) insert(r) } finally { await reader.close() }
 */
import { open } from 'node:fs/promises';
import { ParseError } from '../parsers/errors.ts';
import { extensionOf } from '../parsers/index.ts';
import type { ParseOptions } from '../parsers/types.ts';
import { openGeoJsonSource } from './geojson.ts';
import { openGeoPackageSource } from './geopackage.ts';
import { placeStream, type PlaceStreamContext } from './place.ts';
import { openShapefileSource } from './shapefile.ts';
import { STREAM_LAYER_LIMITS, type LayerFileFormat, type LayerFileReader, type LayerRecord } from './types.ts';

export type { LayerDetected, LayerFileFormat, LayerFileReader, LayerRecord, RecordProblem } from './types.ts';
export { STREAM_LAYER_LIMITS } from './types.ts';

/** The format by the file's first bytes (SQLite, ZIP, JSON), then its name. */
async function sniff(path: string, fileName: string): Promise<LayerFileFormat> {
  const f = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(64);
    const { bytesRead } = await f.read(head, 0, 64, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
  if (head.length === 0) throw new ParseError('EMPTY_INPUT', `文件“${fileName}”是空的`, `The file "${fileName}" is empty`);
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000') return 'geopackage';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'shapefile';
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) return 'geojson';
  const ext = extensionOf(fileName);
  if (ext === 'shp' || ext === 'dbf') {
    throw new ParseError('UNSUPPORTED_FORMAT', `单独的 .${ext} 文件无法读取：请把同名的 .shp、.dbf、.prj（及 .cpg）一起打包成 .zip 上传`, `A lone .${ext} file cannot be read: zip the .shp, .dbf, .prj (and .cpg) of the same name together and upload the .zip`);
  }
  throw new ParseError(
    'UNSUPPORTED_FORMAT',
    `无法识别“${fileName}”的格式：图层文件须为 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg）`,
    `The format of "${fileName}" is not recognised: a layer file must be GeoJSON, a zipped Shapefile or a GeoPackage (.gpkg)`,
  );
}

/** The records, with a failure that is no ParseError (an I/O or inflate error) named as one. */
async function* unexpectedAsParseError(records: AsyncGenerator<LayerRecord>, fileName: string): AsyncGenerator<LayerRecord> {
  try {
    yield* records;
  } catch (e) {
    if (e instanceof ParseError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ParseError('UNREADABLE', `读取“${fileName}”时出错：${detail}`, `Reading "${fileName}" failed: ${detail}`);
  }
}

/**
 * Opens a layer file on disk for one streamed pass (see the module comment). `options.limits`
 * defaults to {@link STREAM_LAYER_LIMITS}.
 */
export async function openLayerFile(path: string, fileName: string, options: ParseOptions): Promise<LayerFileReader> {
  const limits = options.limits ?? STREAM_LAYER_LIMITS;
  const format = await sniff(path, fileName);
  const source =
    format === 'geojson'
      ? await openGeoJsonSource(path, limits)
      : format === 'shapefile'
        ? await openShapefileSource(path, fileName, options, limits)
        : await openGeoPackageSource(path, limits);
  const warnings = [...source.warnings];
  const ctx: PlaceStreamContext = {
    format,
    ...(source.declared ? { declared: source.declared } : {}),
    ...(source.encoding ? { encoding: source.encoding } : {}),
    options,
    warnings,
  };
  let placed;
  try {
    placed = await placeStream(source.records, ctx);
  } catch (e) {
    await source.close();
    if (e instanceof ParseError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ParseError('UNREADABLE', `无法读取文件“${fileName}”：${detail}`, `The file "${fileName}" cannot be read: ${detail}`);
  }
  const fieldNames = source.fieldNames ?? [...new Set(placed.sample.flatMap((p) => Object.keys(p)))];
  let started = false;
  return {
    format,
    detected: placed.detected,
    warnings,
    fieldNames,
    sample: placed.sample,
    bytesTotal: source.bytesTotal,
    bytesRead: source.bytesRead,
    features(): AsyncIterable<LayerRecord> {
      if (started) throw new Error('features() reads the file once');
      started = true;
      return unexpectedAsParseError(placed.records, fileName);
    },
    close: source.close,
  };
}
