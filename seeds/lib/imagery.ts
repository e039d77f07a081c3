/**
 * The demo's orthophotos: two synthetic periods of the generated world, drawn from its own
 * features — bare earth, farmland fields in greens and browns (one colour per field, from its
 * code), the urban development zones as built-up grey, stock lots, the 紫线 sites' old roofs —
 * and in the second period only, every encroachment polygon (卫片图斑) as a new built-up patch
 * of blue steel roofs with a pale yard. Both are tiled GeoTIFFs in EPSG:4490, deflate, written
 * here without GDAL:
 *
 * | level | pixel (lon × lat) | ≈ m | covers |
 * |---|---|---|---|
 * | 0 (image) | 0.00002° × 0.0000164° | 1.8 | the 256-pixel tiles around the cases only (sparse) |
 * | 1–3 (overviews) | ×2, ×4, ×8 | 3.7–15 | the same places (sparse) |
 * | 4–7 (overviews) | ×16 … ×128 | 29–235 | the whole city |
 *
 * A tile the file does not have (TileByteCounts 0) is one a reader takes from the next coarser
 * level (the server's renderer does; GDAL reads it as empty). Deterministic: the same dataset
 * gives the same bytes.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Ring = number[][];
type Polygon = Ring[];

export interface ImageryFeature {
  code: string;
  polygons: Polygon[];
}

export interface DemoImageryInput {
  /** [west, south, east, north] of the city, lon/lat. */
  extent: [number, number, number, number];
  fields: ImageryFeature[];
  urban: ImageryFeature[];
  stock: ImageryFeature[];
  heritage: ImageryFeature[];
  encroachments: ImageryFeature[];
}

export interface DemoImageryFile {
  path: string;
  bytes: number;
}

const TILE = 256;
const BASE_LON = 0.00002;
/** Square-ish pixels at 34.7° N. */
const LAT_PER_LON = 0.822;
const LEVELS = 8;
const SPARSE_LEVELS = 4;
/** Context kept around a case at the fine levels, degrees. */
const MARGIN = 0.0008;

/** Flat colours: the fastest deflate level is a few times faster than the default and little larger. */
const DEFLATE = { level: 1 };

const EARTH: RGB = [196, 184, 150];
const URBAN: RGB = [176, 172, 166];
const STOCK: RGB = [208, 198, 176];
const HERITAGE: RGB = [118, 96, 84];
const ROOF: RGB = [78, 118, 176];
const YARD: RGB = [222, 220, 212];
const CROPS: RGB[] = [
  [98, 142, 70],
  [120, 158, 82],
  [84, 126, 64],
  [146, 164, 92],
  [160, 140, 98],
  [136, 118, 84],
];
type RGB = [number, number, number];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface Shape {
  bbox: [number, number, number, number];
  /** Edges as x1, y1, x2, y2. */
  edges: Float64Array;
  colour: RGB;
}

function shapesOf(features: ImageryFeature[], colour: (f: ImageryFeature) => RGB, inset = 0): Shape[] {
  const out: Shape[] = [];
  for (const f of features) {
    for (const poly of f.polygons) {
      const e: number[] = [];
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (const ring of poly) {
        // an inset ring (the roofs inside a yard) shrinks toward the ring's centre
        let cx = 0, cy = 0;
        for (const p of ring) {
          cx += p[0]!;
          cy += p[1]!;
        }
        cx /= ring.length;
        cy /= ring.length;
        const at = (p: number[]) => [cx + (p[0]! - cx) * (1 - inset), cy + (p[1]! - cy) * (1 - inset)] as const;
        for (let i = 0; i + 1 < ring.length; i++) {
          const [x1, y1] = at(ring[i]!);
          const [x2, y2] = at(ring[i + 1]!);
          e.push(x1, y1, x2, y2);
          minX = Math.min(minX, x1);
          maxX = Math.max(maxX, x1);
          minY = Math.min(minY, y1);
          maxY = Math.max(maxY, y1);
        }
      }
      out.push({ bbox: [minX, minY, maxX, maxY], edges: Float64Array.from(e), colour: colour(f) });
    }
  }
  return out;
}

/** Shapes by 0.02° cell, in paint order. */
class ShapeIndex {
  private cells = new Map<number, number[]>();
  constructor(readonly shapes: Shape[]) {
    shapes.forEach((s, i) => {
      for (let cx = Math.floor(s.bbox[0] / 0.02); cx <= Math.floor(s.bbox[2] / 0.02); cx++)
        for (let cy = Math.floor(s.bbox[1] / 0.02); cy <= Math.floor(s.bbox[3] / 0.02); cy++) {
          const k = cx * 100_000 + cy;
          const list = this.cells.get(k);
          if (list) list.push(i);
          else this.cells.set(k, [i]);
        }
    });
  }
  within(w: number, s: number, e: number, n: number): Shape[] {
    const seen = new Set<number>();
    for (let cx = Math.floor(w / 0.02); cx <= Math.floor(e / 0.02); cx++)
      for (let cy = Math.floor(s / 0.02); cy <= Math.floor(n / 0.02); cy++)
        for (const i of this.cells.get(cx * 100_000 + cy) ?? []) {
          const b = this.shapes[i]!.bbox;
          if (b[0] <= e && b[2] >= w && b[1] <= n && b[3] >= s) seen.add(i);
        }
    return [...seen].sort((a, b) => a - b).map((i) => this.shapes[i]!);
  }
}

/** Fills a shape into an RGB tile (pixel centres inside, even–odd). */
function fill(buf: Uint8Array, shape: Shape, lon0: number, lat0: number, px: number, py: number): void {
  const { edges, colour } = shape;
  const xs: number[] = [];
  const j0 = Math.max(0, Math.floor((lat0 - shape.bbox[3]) / py - 0.5));
  const j1 = Math.min(TILE - 1, Math.ceil((lat0 - shape.bbox[1]) / py - 0.5));
  for (let j = j0; j <= j1; j++) {
    const y = lat0 - (j + 0.5) * py;
    xs.length = 0;
    for (let k = 0; k < edges.length; k += 4) {
      const y1 = edges[k + 1]!;
      const y2 = edges[k + 3]!;
      if ((y1 <= y) !== (y2 <= y)) {
        const x1 = edges[k]!;
        xs.push(x1 + ((y - y1) / (y2 - y1)) * (edges[k + 2]! - x1));
      }
    }
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const i0 = Math.max(0, Math.ceil((xs[k]! - lon0) / px - 0.5));
      const i1 = Math.min(TILE - 1, Math.floor((xs[k + 1]! - lon0) / px - 0.5));
      for (let i = i0; i <= i1; i++) {
        const o = (j * TILE + i) * 3;
        buf[o] = colour[0];
        buf[o + 1] = colour[1];
        buf[o + 2] = colour[2];
      }
    }
  }
}

interface LevelOut {
  width: number;
  height: number;
  across: number;
  down: number;
  /** Per period: compressed tile or null (sparse). */
  tiles: (Buffer | null)[][];
}

/**
 * Renders both periods and writes them as `before` and `after` GeoTIFFs; returns their sizes.
 */
export function writeDemoImagery(input: DemoImageryInput, paths: { before: string; after: string }): { before: DemoImageryFile; after: DemoImageryFile } {
  const [w0, s0, e0, n0] = input.extent;
  const base = new ShapeIndex([
    ...shapesOf(input.urban, () => URBAN),
    ...shapesOf(input.fields, (f) => CROPS[hash(f.code) % CROPS.length]!),
    ...shapesOf(input.stock, () => STOCK),
    ...shapesOf(input.heritage, () => HERITAGE),
  ]);
  const added = new ShapeIndex([...shapesOf(input.encroachments, () => YARD), ...shapesOf(input.encroachments, () => ROOF, 0.25)]);
  const caseBoxes = input.encroachments.flatMap((f) => f.polygons.map((p) => {
    const xs = p[0]!.map((q) => q[0]!);
    const ys = p[0]!.map((q) => q[1]!);
    return [Math.min(...xs) - MARGIN, Math.min(...ys) - MARGIN, Math.max(...xs) + MARGIN, Math.max(...ys) + MARGIN] as const;
  }));

  const baseW = Math.ceil((e0 - w0) / BASE_LON);
  const baseH = Math.ceil((n0 - s0) / (BASE_LON * LAT_PER_LON));
  const levels: LevelOut[] = [];
  for (let l = 0; l < LEVELS; l++) {
    const px = BASE_LON * 2 ** l;
    const py = px * LAT_PER_LON;
    const width = Math.ceil(baseW / 2 ** l);
    const height = Math.ceil(baseH / 2 ** l);
    const across = Math.ceil(width / TILE);
    const down = Math.ceil(height / TILE);
    const wanted = new Set<number>();
    if (l < SPARSE_LEVELS) {
      for (const b of caseBoxes) {
        for (let tx = Math.floor((b[0] - w0) / (px * TILE)); tx <= Math.floor((b[2] - w0) / (px * TILE)); tx++)
          for (let ty = Math.floor((n0 - b[3]) / (py * TILE)); ty <= Math.floor((n0 - b[1]) / (py * TILE)); ty++)
            if (tx >= 0 && ty >= 0 && tx < across && ty < down) wanted.add(ty * across + tx);
      }
    }
    const tiles: (Buffer | null)[][] = [[], []];
    const blank = new Uint8Array(TILE * TILE * 3);
    for (let p = 0; p < TILE * TILE; p++) blank.set(EARTH, p * 3);
    for (let ty = 0; ty < down; ty++) {
      for (let tx = 0; tx < across; tx++) {
        if (l < SPARSE_LEVELS && !wanted.has(ty * across + tx)) {
          tiles[0]!.push(null);
          tiles[1]!.push(null);
          continue;
        }
        const lon0 = w0 + tx * TILE * px;
        const lat0 = n0 - ty * TILE * py;
        const lon1 = lon0 + TILE * px;
        const lat1 = lat0 - TILE * py;
        const buf = blank.slice();
        for (const s of base.within(lon0, lat1, lon1, lat0)) fill(buf, s, lon0, lat0, px, py);
        tiles[0]!.push(deflateSync(buf, DEFLATE));
        const news = added.within(lon0, lat1, lon1, lat0);
        if (news.length === 0) {
          tiles[1]!.push(tiles[0]![tiles[0]!.length - 1]!);
        } else {
          for (const s of news) fill(buf, s, lon0, lat0, px, py);
          tiles[1]!.push(deflateSync(buf, DEFLATE));
        }
      }
    }
    levels.push({ width, height, across, down, tiles });
  }
  const geo = { west: w0, north: n0, px: BASE_LON, py: BASE_LON * LAT_PER_LON };
  const before = writeTiff(paths.before, levels, 0, geo);
  const after = writeTiff(paths.after, levels, 1, geo);
  return { before: { path: paths.before, bytes: before }, after: { path: paths.after, bytes: after } };
}

/** A little-endian classic TIFF: the tiles first, then one IFD per level (the image, then its overviews). */
function writeTiff(path: string, levels: LevelOut[], period: number, geo: { west: number; north: number; px: number; py: number }): number {
  const parts: Buffer[] = [];
  let offset = 8;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
    if (offset % 2) {
      parts.push(Buffer.alloc(1));
      offset++;
    }
  };
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  parts.push(header);
  const tileOffsets: number[][] = [];
  const tileCounts: number[][] = [];
  for (const lv of levels) {
    const offs: number[] = [];
    const counts: number[] = [];
    const written = new Map<Buffer, number>();
    for (const t of lv.tiles[period]!) {
      if (!t) {
        offs.push(0);
        counts.push(0);
        continue;
      }
      const again = written.get(t);
      if (again !== undefined) {
        offs.push(again);
        counts.push(t.length);
        continue;
      }
      written.set(t, offset);
      offs.push(offset);
      counts.push(t.length);
      push(t);
    }
    tileOffsets.push(offs);
    tileCounts.push(counts);
  }
  // IFDs
  const ifdStarts: number[] = [];
  const ifds: { entries: [number, number, number, number[] | Buffer][] }[] = levels.map((lv, l) => {
    const entries: [number, number, number, number[] | Buffer][] = [
      // tag, type (3 SHORT, 4 LONG, 12 DOUBLE), count, values
      [254, 4, 1, [l === 0 ? 0 : 1]],
      [256, 4, 1, [lv.width]],
      [257, 4, 1, [lv.height]],
      [258, 3, 3, [8, 8, 8]],
      [259, 3, 1, [8]],
      [262, 3, 1, [2]],
      [277, 3, 1, [3]],
      [284, 3, 1, [1]],
      [322, 3, 1, [TILE]],
      [323, 3, 1, [TILE]],
      [324, 4, tileOffsets[l]!.length, tileOffsets[l]!],
      [325, 4, tileCounts[l]!.length, tileCounts[l]!],
      [339, 3, 3, [1, 1, 1]],
    ];
    if (l === 0) {
      entries.push([33550, 12, 3, [geo.px, geo.py, 0]]);
      entries.push([33922, 12, 6, [0, 0, 0, geo.west, geo.north, 0]]);
      // GeoKeyDirectory: version 1.1.0, 4 keys — model geographic, raster PixelIsArea, CGCS2000, degrees
      entries.push([34735, 3, 20, [1, 1, 0, 4, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4490, 2054, 0, 1, 9102]]);
    }
    return { entries };
  });
  const size = (type: number) => (type === 3 ? 2 : type === 4 ? 4 : 8);
  const ifdBuffers: Buffer[] = [];
  // lay out: each IFD followed by its out-of-line values
  let at = offset;
  for (const ifd of ifds) {
    ifdStarts.push(at);
    const n = ifd.entries.length;
    const fixed = 2 + n * 12 + 4;
    let extra = at + fixed;
    const extras: Buffer[] = [];
    const head = Buffer.alloc(fixed);
    head.writeUInt16LE(n, 0);
    ifd.entries.forEach(([tag, type, count, values], k) => {
      const o = 2 + k * 12;
      head.writeUInt16LE(tag, o);
      head.writeUInt16LE(type, o + 2);
      head.writeUInt32LE(count, o + 4);
      const bytes = size(type) * count;
      const data = Buffer.alloc(Math.max(4, bytes));
      (values as number[]).forEach((v, i) => {
        if (type === 3) data.writeUInt16LE(v, i * 2);
        else if (type === 4) data.writeUInt32LE(v, i * 4);
        else data.writeDoubleLE(v, i * 8);
      });
      if (bytes <= 4) data.copy(head, o + 8, 0, 4);
      else {
        head.writeUInt32LE(extra, o + 8);
        const padded = bytes % 2 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
        extras.push(padded);
        extra += padded.length;
      }
    });
    ifdBuffers.push(head, ...extras);
    at = extra;
  }
  // next-IFD links
  let cursor = 0;
  ifds.forEach((ifd, i) => {
    const head = ifdBuffers[cursor]!;
    head.writeUInt32LE(i + 1 < ifds.length ? ifdStarts[i + 1]! : 0, 2 + ifd.entries.length * 12);
    cursor += 1 + ifd.entries.filter(([, type, count]) => size(type) * count > 4).length;
  });
  header.writeUInt32LE(ifdStarts[0]!, 4);
  const all = Buffer.concat([...parts, ...ifdBuffers]);
  writeFileSync(path, all);
  return all.length;
}
