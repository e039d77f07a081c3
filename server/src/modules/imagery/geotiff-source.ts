/**
 * An orthophoto on disk (GeoTIFF or Cloud-Optimised GeoTIFF), read by range: the file's
 * directories and geokeys once, then only the blocks (tiles or strips) a request needs, decoded
 * and kept in a small LRU. Nothing here reads a whole image.
 *
 * - `describeGeoTiff(path)` — what registration stores: CRS from the geokeys (EPSG:4490, 4326,
 *   3857, the CGCS2000 Gauss–Krüger zones), size, bands, levels (the image and its overviews),
 *   the extent in lon/lat; an {@link ImageryFileError} (zh/en) for what cannot be read or placed.
 * - `openSource(path)` — the levels with their geotransforms and a `sample(level, px, py)` reader
 *   for the renderer (render.ts).
 */
import { stat } from 'node:fs/promises';
import { fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { LRUCache } from 'lru-cache';
import proj4 from 'proj4';
import { dataExtent } from '../../../../core/geometry-validation.ts';
import { ParseError } from '../../formats/parsers/errors.ts';
import { knownCrs } from '../../formats/parsers/crs-registry.ts';

/** A file that cannot be registered: 422 with the reason in both languages. */
export class ImageryFileError extends Error {
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/** Largest block (tile or strip) read at once: a single-strip image of a city would be the whole image. */
export const MAX_BLOCK_PIXELS = 4096 * 4096;

const WEB_MERCATOR = new Set([3857, 900913, 102100, 102113]);
const LONLAT = '+proj=longlat +ellps=GRS80 +no_defs';

export interface ImageryInfo {
  epsg: number;
  crsName: string;
  width: number;
  height: number;
  bands: number;
  /** Image plus overviews. */
  levels: number;
  /** Tiled (COG-like) or stripped. */
  tiled: boolean;
  /** [west, south, east, north], lon/lat. */
  bbox: [number, number, number, number];
  /** Ground size of a full-resolution pixel, m (approximate for lon/lat images). */
  pixelSizeM: number;
  fileBytes: number;
}

export interface Level {
  image: GeoTIFFImage;
  index: number;
  width: number;
  height: number;
  /** Source CRS coordinates of the image's top-left corner and the size of a pixel (y down). */
  originX: number;
  originY: number;
  resX: number;
  resY: number;
  blockW: number;
  blockH: number;
  bands: number;
  /** The alpha band (ExtraSamples 1 or 2), or -1. */
  alpha: number;
  nodata: number | null;
  photometric: number;
  tiled: boolean;
}

export interface Source {
  path: string;
  epsg: number;
  /** lon/lat (CGCS2000/WGS84) → source CRS; null for lon/lat images. */
  forward: ((lon: number, lat: number) => [number, number]) | null;
  isMercator: boolean;
  levels: Level[];
  /** Decoded block of a level (null: the file has none there — a sparse tile). */
  block(level: Level, bx: number, by: number): Promise<Uint8Array | null>;
}

const fail = (code: string, zh: string, en: string) => new ImageryFileError(code, zh, en);

function crsOf(image: GeoTIFFImage): { epsg: number; name: string } {
  const keys = (image.getGeoKeys() ?? {}) as Record<string, number | undefined>;
  const model = keys.GTModelTypeGeoKey;
  const projected = keys.ProjectedCSTypeGeoKey;
  const geographic = keys.GeographicTypeGeoKey;
  let epsg: number | undefined;
  if (model === 1 || (projected !== undefined && model !== 2)) epsg = projected;
  else if (model === 2 || geographic !== undefined) epsg = geographic;
  if (epsg === undefined) {
    throw fail('IMAGERY_NO_CRS', '影像文件没有坐标系（GeoTIFF 地理键缺失）：请用带坐标系的 GeoTIFF（如 gdal_translate -a_srs EPSG:4490）', 'The image has no coordinate system (no GeoTIFF geokeys): use a GeoTIFF with one (e.g. gdal_translate -a_srs EPSG:4490)');
  }
  if (epsg === 32767) {
    throw fail(
      'IMAGERY_CRS_USER_DEFINED',
      '影像的坐标系是自定义的（地理键 32767），无法确认其 EPSG 代码：请用 EPSG:4490、4326、3857 或 CGCS2000 高斯-克吕格分带（EPSG:4513–4554）重新导出',
      'The image’s coordinate system is user-defined (geokey 32767) and names no EPSG code: export it again in EPSG:4490, 4326, 3857 or a CGCS2000 Gauss-Kruger zone (EPSG:4513–4554)',
    );
  }
  if (WEB_MERCATOR.has(epsg)) return { epsg: 3857, name: 'WGS 84 / Pseudo-Mercator' };
  let crs;
  try {
    crs = knownCrs(epsg);
  } catch (e) {
    if (e instanceof ParseError) throw fail(e.code, `影像无法使用：${e.zh}`, `The image cannot be used: ${e.en}`);
    throw e;
  }
  const ok = (crs.datum === 'cgcs2000' && (crs.kind === 'geographic' || crs.kind === 'gauss-kruger')) || (crs.datum === 'wgs84' && crs.kind === 'geographic');
  if (!ok) {
    throw fail(
      'IMAGERY_CRS_UNSUPPORTED',
      `影像的坐标系 EPSG:${epsg}（${crs.name}）不受支持：影像只接受 EPSG:4490、4326、3857 与 CGCS2000 高斯-克吕格分带`,
      `The image’s coordinate system EPSG:${epsg} (${crs.name}) is not supported: imagery takes EPSG:4490, 4326, 3857 and the CGCS2000 Gauss-Kruger zones`,
    );
  }
  return { epsg, name: crs.name };
}

function projOf(epsg: number): string | null {
  if (epsg === 3857) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  const crs = knownCrs(epsg);
  return crs.kind === 'geographic' ? null : crs.proj4;
}

function levelOf(image: GeoTIFFImage, index: number, base: { originX: number; originY: number; resX: number; resY: number; width: number; height: number } | null): Level {
  const fd = image.getFileDirectory() as unknown as Record<string, unknown> & { getValue?: (n: string) => unknown };
  const get = (name: string) => {
    try {
      return typeof fd.getValue === 'function' ? fd.getValue(name) : fd[name];
    } catch {
      return undefined; // a tag geotiff reads lazily (large arrays): not one this needs at once
    }
  };
  const width = image.getWidth();
  const height = image.getHeight();
  let originX: number, originY: number, resX: number, resY: number;
  if (base) {
    // an overview covers its image: its pixel is the image's scaled by the size ratio
    originX = base.originX;
    originY = base.originY;
    resX = (base.resX * base.width) / width;
    resY = (base.resY * base.height) / height;
  } else {
    const transform = get('ModelTransformation') as number[] | undefined;
    if (transform && (Math.abs(transform[1] ?? 0) > 1e-12 || Math.abs(transform[4] ?? 0) > 1e-12)) {
      throw fail('IMAGERY_ROTATED', '影像带旋转（ModelTransformation 有旋转项），无法按瓦片放置：请先用 gdalwarp 纠正为正北方向', 'The image is rotated (its ModelTransformation has rotation terms) and cannot be tiled: warp it north-up with gdalwarp first');
    }
    let origin: number[], res: number[];
    try {
      origin = image.getOrigin();
      res = image.getResolution();
    } catch {
      throw fail('IMAGERY_NOT_PLACED', '影像没有地理定位（缺少 ModelTiepoint / ModelPixelScale）：请用带地理参考的 GeoTIFF', 'The image is not georeferenced (no ModelTiepoint / ModelPixelScale): use a georeferenced GeoTIFF');
    }
    originX = origin[0]!;
    originY = origin[1]!;
    resX = res[0]!;
    resY = -res[1]!;
    const keys = (image.getGeoKeys() ?? {}) as Record<string, number | undefined>;
    if (keys.GTRasterTypeGeoKey === 2) {
      // PixelIsPoint: the tie point is a pixel's centre
      originX -= resX / 2;
      originY += resY / 2;
    }
    if (!(resX > 0) || !(resY > 0) || !Number.isFinite(originX) || !Number.isFinite(originY)) {
      throw fail('IMAGERY_NOT_PLACED', '影像的地理定位无效（像元大小为零、负值或非数字）', 'The image’s georeferencing is invalid (pixel size zero, negative or not a number)');
    }
  }
  const bands = image.getSamplesPerPixel();
  const extra = (get('ExtraSamples') as number[] | number | undefined) ?? [];
  const extraList = Array.isArray(extra) ? extra : [extra];
  const alphaAt = extraList.findIndex((e) => e === 1 || e === 2);
  const alpha = alphaAt >= 0 ? bands - extraList.length + alphaAt : -1;
  const nd = image.getGDALNoData();
  const tiled = image.isTiled;
  const blockW = tiled ? image.getTileWidth() : width;
  const blockH = tiled ? image.getTileHeight() : image.getTileHeight();
  return {
    image,
    index,
    width,
    height,
    originX,
    originY,
    resX,
    resY,
    blockW,
    blockH,
    bands,
    alpha,
    nodata: nd === null || nd === undefined || Number.isNaN(nd) ? null : nd,
    photometric: Number(get('PhotometricInterpretation') ?? 1),
    tiled,
  };
}

function checkLevel(level: Level): void {
  const { image } = level;
  for (let i = 0; i < level.bands; i++) {
    if (image.getBitsPerSample(i) !== 8 || image.getSampleFormat(i) !== 1) {
      throw fail(
        'IMAGERY_SAMPLE_FORMAT',
        `影像的像元不是 8 位无符号整数（第 ${i + 1} 波段 ${image.getBitsPerSample(i)} 位）：请先转为 8 位 RGB（gdal_translate -ot Byte -scale）`,
        `The image’s samples are not 8-bit unsigned (band ${i + 1}: ${image.getBitsPerSample(i)} bits): convert it to 8-bit RGB first (gdal_translate -ot Byte -scale)`,
      );
    }
  }
  if (![1, 2].includes(level.photometric) || level.bands < 1 || level.bands > 4 || (level.photometric === 2 && level.bands < 3)) {
    throw fail(
      'IMAGERY_BANDS',
      `影像应为 1 波段灰度、3 波段 RGB 或带透明通道的 RGBA（此文件 ${level.bands} 波段，光度解释 ${level.photometric}）`,
      `The image must be 1-band grey, 3-band RGB or RGBA with alpha (this one: ${level.bands} bands, photometric ${level.photometric})`,
    );
  }
  if (level.blockW * level.blockH > MAX_BLOCK_PIXELS) {
    throw fail(
      'IMAGERY_BLOCKS_TOO_LARGE',
      `影像的数据块过大（${level.blockW}×${level.blockH} 像元），无法按需读取：请转为分块的 COG（gdal_translate -of COG）`,
      `The image’s blocks are too large (${level.blockW}×${level.blockH} pixels) to be read on demand: convert it to a tiled COG (gdal_translate -of COG)`,
    );
  }
}

async function open(path: string): Promise<GeoTIFF> {
  try {
    return await fromFile(path);
  } catch {
    throw fail('IMAGERY_UNREADABLE', '文件不是可读的 GeoTIFF：格式不正确或文件已损坏', 'The file is not a readable GeoTIFF: wrong format or damaged');
  }
}

async function levelsOf(tiff: GeoTIFF): Promise<Level[]> {
  let count: number;
  try {
    count = await tiff.getImageCount();
  } catch {
    throw fail('IMAGERY_UNREADABLE', '文件不是可读的 GeoTIFF：格式不正确或文件已损坏', 'The file is not a readable GeoTIFF: wrong format or damaged');
  }
  const first = await tiff.getImage(0);
  const base = levelOf(first, 0, null);
  checkLevel(base);
  const levels = [base];
  for (let i = 1; i < count; i++) {
    const img = await tiff.getImage(i);
    const fd = img.getFileDirectory() as unknown as { getValue?: (n: string) => unknown } & Record<string, unknown>;
    const subfile = Number((typeof fd.getValue === 'function' ? fd.getValue('NewSubfileType') : fd.NewSubfileType) ?? 0);
    // overviews only (bit 0: reduced resolution), not masks (bit 2)
    if ((subfile & 1) !== 1 || (subfile & 4) !== 0) continue;
    if (img.getWidth() >= base.width) continue;
    try {
      const l = levelOf(img, i, base);
      checkLevel(l);
      levels.push(l);
    } catch {
      // an overview we cannot read is skipped: the finer levels still serve
    }
  }
  return levels.sort((a, b) => a.resX - b.resX);
}

/** The image's corners and edge midpoints in lon/lat. */
function lonLatBbox(epsg: number, l: Level): [number, number, number, number] {
  const proj = projOf(epsg);
  const inverse = proj ? (x: number, y: number) => proj4(proj, LONLAT, [x, y]) as [number, number] : (x: number, y: number) => [x, y] as [number, number];
  const xs: number[] = [];
  const ys: number[] = [];
  const w = l.width * l.resX;
  const h = l.height * l.resY;
  for (let i = 0; i <= 8; i++) {
    for (const [fx, fy] of [[i / 8, 0], [i / 8, 1], [0, i / 8], [1, i / 8]] as const) {
      const [lon, lat] = inverse(l.originX + fx * w, l.originY - fy * h);
      xs.push(lon);
      ys.push(lat);
    }
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** What registration stores of an orthophoto, or an ImageryFileError. */
export async function describeGeoTiff(path: string): Promise<ImageryInfo> {
  const tiff = await open(path);
  try {
    const first = await tiff.getImage(0).catch(() => {
      throw fail('IMAGERY_UNREADABLE', '文件不是可读的 GeoTIFF：格式不正确或文件已损坏', 'The file is not a readable GeoTIFF: wrong format or damaged');
    });
    const fd = first.getFileDirectory() as unknown as { hasTag: (n: string) => boolean };
    const hasData = fd.hasTag('TileOffsets') || fd.hasTag('StripOffsets');
    if (!(first.getWidth() > 0) || !(first.getHeight() > 0) || !hasData) {
      throw fail('IMAGERY_UNREADABLE', '文件不是可读的 GeoTIFF：格式不正确或文件已损坏', 'The file is not a readable GeoTIFF: wrong format or damaged');
    }
    const { epsg, name } = crsOf(first);
    const levels = await levelsOf(tiff);
    const base = levels[0]!;
    const bbox = lonLatBbox(epsg, base);
    if (!bbox.every(Number.isFinite) || bbox[1] < -90 || bbox[3] > 90) {
      throw fail('IMAGERY_NOT_PLACED', `影像按 EPSG:${epsg} 放置后不在地球上：请检查其坐标系`, `Placed in EPSG:${epsg} the image is not on the earth: check its coordinate system`);
    }
    const e = dataExtent();
    if (bbox[2] < e.minLon || bbox[0] > e.maxLon || bbox[3] < e.minLat || bbox[1] > e.maxLat) {
      const where = bbox.map((v) => v.toFixed(3)).join(', ');
      throw fail(
        'IMAGERY_OUTSIDE_EXTENT',
        `影像按 EPSG:${epsg} 放置后位于 ${where}，不在本市数据范围内：请检查坐标系（如分带号、是否带带号）`,
        `Placed in EPSG:${epsg} the image lies at ${where}, outside the city’s data extent: check its coordinate system (zone, with or without zone prefix)`,
      );
    }
    const mid = (bbox[1] + bbox[3]) / 2;
    const pixelSizeM = proj4Units(epsg) === 'degree' ? base.resX * 111_320 * Math.cos((mid * Math.PI) / 180) : base.resX * (epsg === 3857 ? Math.cos((mid * Math.PI) / 180) : 1);
    return {
      epsg,
      crsName: name,
      width: base.width,
      height: base.height,
      bands: base.bands,
      levels: levels.length,
      tiled: base.tiled,
      bbox,
      pixelSizeM,
      fileBytes: (await stat(path)).size,
    };
  } finally {
    await tiff.close?.();
  }
}

const proj4Units = (epsg: number) => (projOf(epsg) === null ? 'degree' : 'metre');

/** Decoded blocks kept across requests, by file, level and block (bytes counted). */
const blocks = new LRUCache<string, Uint8Array | 'none'>({
  maxSize: 96 * 1024 * 1024,
  sizeCalculation: (v) => (v === 'none' ? 16 : v.byteLength || 16),
});

const sources = new LRUCache<string, Promise<Source>>({
  max: 32,
  dispose: (p) => {
    void p.then((s) => (s as Source & { close?: () => void }).close?.()).catch(() => undefined);
  },
});

/** The open source of a file (kept open while used); `version` (the row's updated time) tells a re-registered file from the old one. */
export function openSource(path: string, epsg: number, version = 0): Promise<Source> {
  const key = `${path}|${epsg}|${version}`;
  let s = sources.get(key);
  if (!s) {
    s = makeSource(path, epsg, key);
    s.catch(() => sources.delete(key));
    sources.set(key, s);
  }
  return s;
}

async function makeSource(path: string, epsg: number, cacheKey: string): Promise<Source> {
  const tiff = await open(path);
  const levels = await levelsOf(tiff);
  const proj = projOf(epsg);
  const forward = proj ? proj4(LONLAT, proj).forward : null;
  return {
    path,
    epsg,
    isMercator: epsg === 3857,
    forward: forward ? (lon, lat) => forward([lon, lat]) as [number, number] : null,
    levels,
    close: () => void tiff.close?.(),
    async block(level, bx, by) {
      const key = `${cacheKey}|${level.index}|${bx}|${by}`;
      const hit = blocks.get(key);
      if (hit !== undefined) return hit === 'none' ? null : hit;
      const perRow = Math.ceil(level.width / level.blockW);
      const index = by * perRow + bx;
      const fd = level.image.fileDirectory as unknown as { loadValueIndexed: (n: string, i: number) => Promise<number | bigint> };
      const count = Number(await fd.loadValueIndexed(level.tiled ? 'TileByteCounts' : 'StripByteCounts', index));
      if (count === 0) {
        blocks.set(key, 'none');
        return null;
      }
      // exactly one block's window: geotiff reads and decodes that block alone
      const x0 = bx * level.blockW;
      const y0 = by * level.blockH;
      const window = [x0, y0, Math.min(level.width, x0 + level.blockW), Math.min(level.height, y0 + level.blockH)];
      const raster = (await level.image.readRasters({ window, interleave: true })) as unknown as Uint8Array;
      const data = new Uint8Array(raster.buffer, raster.byteOffset, raster.byteLength);
      blocks.set(key, data);
      return data;
    },
  } as Source;
}
