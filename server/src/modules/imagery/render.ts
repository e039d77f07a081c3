/**
 * One Web Mercator tile (256 × 256, EPSG:3857 XYZ) of an orthophoto as RGBA: every output pixel's
 * centre taken back to the source CRS (exactly on a 17 × 17 grid, every 16 pixels, and
 * bilinearly between — under a millimetre of error at these sizes), then the nearest source
 * pixel of the level (image or overview) whose pixel is the largest not coarser than the
 * tile's, read block by block (geotiff-source.ts). A block the file does not have (a sparse
 * tile) is taken from the next coarser level; outside the image, nodata and alpha 0 stay
 * transparent. Returns null for a tile with nothing drawn.
 */
import type { Level, Source } from './geotiff-source.ts';

export const TILE_SIZE = 256;
const R = 6378137;
const GRID = 16;
const DEG = 180 / Math.PI;

/** Source CRS coordinates of the grid points of a tile: (GRID+1)² pairs, x then y. */
function sourceGrid(src: Source, z: number, x: number, y: number): Float64Array {
  const n = TILE_SIZE / GRID + 1;
  const out = new Float64Array(n * n * 2);
  const span = (2 * Math.PI * R) / 2 ** z;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const mx = -Math.PI * R + (x + (i * GRID) / TILE_SIZE) * span;
      const my = Math.PI * R - (y + (j * GRID) / TILE_SIZE) * span;
      let sx: number, sy: number;
      if (src.isMercator) {
        sx = mx;
        sy = my;
      } else {
        const lon = (mx / R) * DEG;
        const lat = Math.atan(Math.sinh(my / R)) * DEG;
        if (src.forward) [sx, sy] = src.forward(lon, lat);
        else {
          sx = lon;
          sy = lat;
        }
      }
      const k = (j * n + i) * 2;
      out[k] = sx;
      out[k + 1] = sy;
    }
  }
  return out;
}

/** The level to read for pixels of about `res` source units: the coarsest not coarser than that. */
function levelFor(levels: Level[], res: number): number {
  let best = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i]!.resX <= res * 1.001) best = i;
  return best;
}

export async function renderTile(src: Source, z: number, x: number, y: number): Promise<Uint8Array | null> {
  const S = TILE_SIZE;
  const base = src.levels[0]!;
  const grid = sourceGrid(src, z, x, y);
  const n = S / GRID + 1;
  // the tile's source coordinates at every pixel centre
  const sx = new Float64Array(S * S);
  const sy = new Float64Array(S * S);
  for (let j = 0; j < S; j++) {
    const gj = Math.min(n - 2, Math.floor((j + 0.5) / GRID));
    const fj = (j + 0.5) / GRID - gj;
    for (let i = 0; i < S; i++) {
      const gi = Math.min(n - 2, Math.floor((i + 0.5) / GRID));
      const fi = (i + 0.5) / GRID - gi;
      const a = (gj * n + gi) * 2;
      const b = a + 2;
      const c = a + n * 2;
      const d = c + 2;
      const p = j * S + i;
      sx[p] = (grid[a]! * (1 - fi) + grid[b]! * fi) * (1 - fj) + (grid[c]! * (1 - fi) + grid[d]! * fi) * fj;
      sy[p] = (grid[a + 1]! * (1 - fi) + grid[b + 1]! * fi) * (1 - fj) + (grid[c + 1]! * (1 - fi) + grid[d + 1]! * fi) * fj;
    }
  }
  // quick reject: the tile misses the image
  const w = base.width * base.resX;
  const h = base.height * base.resY;
  let any = false;
  for (let p = 0; p < S * S && !any; p += 1) {
    const u = sx[p]! - base.originX;
    const v = base.originY - sy[p]!;
    if (u >= 0 && u < w && v >= 0 && v < h) any = true;
  }
  if (!any) return null;

  // output pixel size in source units, at the tile's centre
  const mid = ((n >> 1) * n + (n >> 1)) * 2;
  const res = Math.hypot(grid[mid + 2]! - grid[mid]!, grid[mid + 3]! - grid[mid + 1]!) / GRID;
  const out = new Uint8Array(S * S * 4);
  let pending: number[] = [];
  for (let p = 0; p < S * S; p++) {
    const u = sx[p]! - base.originX;
    const v = base.originY - sy[p]!;
    if (u >= 0 && u < w && v >= 0 && v < h) pending.push(p);
  }
  let drawn = 0;
  for (let li = levelFor(src.levels, res); li < src.levels.length && pending.length > 0; li++) {
    const L = src.levels[li]!;
    const perRow = Math.ceil(L.width / L.blockW);
    const pxs = new Int32Array(pending.length);
    const pys = new Int32Array(pending.length);
    const wanted = new Map<number, Promise<Uint8Array | null>>();
    for (let k = 0; k < pending.length; k++) {
      const p = pending[k]!;
      const px = Math.min(L.width - 1, Math.max(0, Math.floor((sx[p]! - L.originX) / L.resX)));
      const py = Math.min(L.height - 1, Math.max(0, Math.floor((L.originY - sy[p]!) / L.resY)));
      pxs[k] = px;
      pys[k] = py;
      const bx = Math.floor(px / L.blockW);
      const by = Math.floor(py / L.blockH);
      const key = by * perRow + bx;
      if (!wanted.has(key)) wanted.set(key, src.block(L, bx, by));
    }
    const got = new Map<number, Uint8Array | null>();
    await Promise.all([...wanted].map(async ([k, pr]) => got.set(k, await pr)));
    const next: number[] = [];
    const bands = L.bands;
    for (let k = 0; k < pending.length; k++) {
      const p = pending[k]!;
      const px = pxs[k]!;
      const py = pys[k]!;
      const bx = Math.floor(px / L.blockW);
      const by = Math.floor(py / L.blockH);
      const block = got.get(by * perRow + bx);
      if (!block) {
        next.push(p);
        continue;
      }
      const stride = Math.min(L.blockW, L.width - bx * L.blockW);
      const o = ((py - by * L.blockH) * stride + (px - bx * L.blockW)) * bands;
      let r: number, g: number, b: number;
      let a = 255;
      if (bands >= 3) {
        r = block[o]!;
        g = block[o + 1]!;
        b = block[o + 2]!;
        if (L.alpha >= 0) a = block[o + L.alpha]!;
        if (L.nodata !== null && r === L.nodata && g === L.nodata && b === L.nodata) a = 0;
      } else {
        r = g = b = block[o]!;
        if (L.alpha >= 0) a = block[o + L.alpha]!;
        if (L.nodata !== null && r === L.nodata) a = 0;
      }
      if (a === 0) continue;
      const q = p * 4;
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
      out[q + 3] = a;
      drawn++;
    }
    pending = next;
  }
  return drawn > 0 ? out : null;
}
