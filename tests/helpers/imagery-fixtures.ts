/**
 * Orthophoto fixtures made by GDAL (gdal_translate, gdalwarp, gdaladdo — Debian's gdal-bin, as
 * .ci/run installs it), never by the code under test: a 600 × 480 RGB pattern (a colour ramp with
 * a checker of 20-pixel squares, so a misplaced pixel shows) over a corner of Kaifeng city,
 * georeferenced in EPSG:4490 and warped to 3857, 4326 (as a COG) and CGCS2000 3° zone 38 with and
 * without the zone prefix (EPSG:4526, 4547); plus files that must be refused. `expectedTile`
 * asks gdalwarp for the Web Mercator tile of a fixture, for the renderer to be compared with.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export async function gdal(tool: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${tool} is not installed: the imagery tests need GDAL (apt-get install gdal-bin, as .ci/run does)`);
    throw new Error(`${tool} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** Where the pattern lies, EPSG:4490: west, north, east, south. */
export const PATTERN_ULLR = [114.3, 34.82, 114.345, 34.79] as const;
const W = 600;
const H = 480;

/** The pattern's colour at a pixel (what the PPM holds). */
export function patternAt(px: number, py: number): [number, number, number] {
  const check = (Math.floor(px / 20) + Math.floor(py / 20)) % 2;
  return [Math.round((px / W) * 255), Math.round((py / H) * 255), check ? 230 : 30];
}

export interface ImageryFixtures {
  dir: string;
  /** EPSG:4490, tiled, deflate, with overviews. */
  k4490: string;
  k3857: string;
  /** EPSG:4326 as a COG (gdal_translate -of COG). */
  k4326cog: string;
  /** CGCS2000 3° zone 38 with the zone prefix. */
  k4526: string;
  /** CGCS2000 3° zone 38 without the prefix (central meridian 114°). */
  k4547: string;
  noCrs: string;
  utm: string;
  uint16: string;
  farAway: string;
  notTiff: string;
}

export async function makeImageryFixtures(): Promise<ImageryFixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'yzt-imagery-'));
  const ppm = join(dir, 'pattern.ppm');
  const header = Buffer.from(`P6\n${W} ${H}\n255\n`);
  const body = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) body.set(patternAt(x, y), (y * W + x) * 3);
  writeFileSync(ppm, Buffer.concat([header, body]));
  const f = (n: string) => join(dir, n);
  const ullr = PATTERN_ULLR.map(String);
  await gdal('gdal_translate', ['-q', '-of', 'GTiff', '-a_srs', 'EPSG:4490', '-a_ullr', ...ullr, '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=128', '-co', 'COMPRESS=DEFLATE', ppm, f('k4490.tif')]);
  await gdal('gdaladdo', ['-q', '-r', 'nearest', f('k4490.tif'), '2', '4']);
  const warp = (srs: string, out: string, extra: string[] = []) =>
    gdal('gdalwarp', ['-q', '-overwrite', '-r', 'near', '-t_srs', srs, '-dstalpha', ...extra, f('k4490.tif'), f(out)]);
  await warp('EPSG:3857', 'k3857.tif', ['-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE']);
  await warp('EPSG:4526', 'k4526.tif');
  await warp('EPSG:4547', 'k4547.tif', ['-co', 'TILED=YES']);
  await gdal('gdal_translate', ['-q', '-of', 'COG', '-a_srs', 'EPSG:4326', '-a_ullr', ...ullr, '-co', 'BLOCKSIZE=256', '-co', 'COMPRESS=DEFLATE', '-co', 'OVERVIEWS=IGNORE_EXISTING', ppm, f('k4326cog.tif')]);
  // refused: no CRS, an unsupported one, 16-bit samples, somewhere else, not a TIFF
  await gdal('gdal_translate', ['-q', '-of', 'GTiff', ppm, f('no-crs.tif')]);
  await warp('EPSG:32650', 'utm.tif');
  await gdal('gdal_translate', ['-q', '-of', 'GTiff', '-ot', 'UInt16', '-a_srs', 'EPSG:4490', '-a_ullr', ...ullr, ppm, f('uint16.tif')]);
  await gdal('gdal_translate', ['-q', '-of', 'GTiff', '-a_srs', 'EPSG:4490', '-a_ullr', '116.3', '39.92', '116.345', '39.89', ppm, f('far.tif')]);
  writeFileSync(f('not-a-tiff.tif'), 'II*\0 this is not an image');
  return {
    dir,
    k4490: f('k4490.tif'),
    k3857: f('k3857.tif'),
    k4326cog: f('k4326cog.tif'),
    k4526: f('k4526.tif'),
    k4547: f('k4547.tif'),
    noCrs: f('no-crs.tif'),
    utm: f('utm.tif'),
    uint16: f('uint16.tif'),
    farAway: f('far.tif'),
    notTiff: f('not-a-tiff.tif'),
  };
}

/** The XYZ tile's Web Mercator bounds. */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const span = (2 * Math.PI * 6378137) / 2 ** z;
  const o = Math.PI * 6378137;
  return [-o + x * span, o - (y + 1) * span, -o + (x + 1) * span, o - y * span];
}

/** The XYZ tile containing a lon/lat. */
export function tileAt(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { x, y };
}

/** gdalwarp's 256 × 256 RGBA of the tile (nearest neighbour), from the given fixture. */
export async function expectedTile(src: string, z: number, x: number, y: number): Promise<Uint8Array> {
  const [w, s, e, n] = tileBounds(z, x, y);
  const out = join(mkdtempSync(join(tmpdir(), 'yzt-expected-')), 'tile.tif');
  await gdal('gdalwarp', ['-q', '-overwrite', '-r', 'near', '-t_srs', 'EPSG:3857', '-te', String(w), String(s), String(e), String(n), '-ts', '256', '256', '-dstalpha', '-ovr', 'NONE', src, out]);
  const { data, info } = await sharp(out).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== 256 || info.height !== 256 || info.channels !== 4) throw new Error(`gdalwarp made ${info.width}×${info.height}×${info.channels}`);
  return new Uint8Array(data);
}

/** An encoded tile as 256 × 256 RGBA (sharp decodes). */
export async function decodeTile(bytes: Buffer | Uint8Array): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(bytes)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/**
 * How two RGBA tiles agree: the share of pixels opaque in both whose colour differs by at most
 * `tol` in every channel, and how many pixels are opaque in one only.
 */
export function compareTiles(a: Uint8Array, b: Uint8Array, tol = 8): { both: number; agree: number; share: number; onlyOne: number } {
  let both = 0;
  let agree = 0;
  let onlyOne = 0;
  for (let p = 0; p < 256 * 256; p++) {
    const oa = a[p * 4 + 3]! > 127;
    const ob = b[p * 4 + 3]! > 127;
    if (oa && ob) {
      both++;
      if (Math.abs(a[p * 4]! - b[p * 4]!) <= tol && Math.abs(a[p * 4 + 1]! - b[p * 4 + 1]!) <= tol && Math.abs(a[p * 4 + 2]! - b[p * 4 + 2]!) <= tol) agree++;
    } else if (oa !== ob) onlyOne++;
  }
  return { both, agree, share: both ? agree / both : 0, onlyOne };
}
