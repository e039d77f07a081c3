/**
 * A small PMTiles v3 writer for test fixtures, from the specification
 * (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): no tool that writes PMTiles
 * is installed here (GDAL 3.6 writes MBTiles, not PMTiles), so tests make their tiles with GDAL's
 * MVT driver (`ogr2ogr -f MBTiles`) and pack them with this; what it writes is read back with the
 * independent `pmtiles` library. One root directory (no leaf directories), tiles stored in
 * tile-id order, each distinct content once, directories and metadata gzip-compressed.
 */
import { gzipSync } from 'node:zlib';

/** The Hilbert tile id of z/x/y (spec: "Tile IDs"). */
export function tileId(z: number, x: number, y: number): number {
  let acc = 0;
  for (let i = 0; i < z; i++) acc += 4 ** i;
  const n = 2 ** z;
  let d = 0;
  let px = x;
  let py = y;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = (px & s) > 0 ? 1 : 0;
    const ry = (py & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    // rotate the quadrant
    if (ry === 0) {
      if (rx === 1) {
        px = s - 1 - (px % s) + (px - (px % s));
        py = s - 1 - (py % s) + (py - (py % s));
      }
      [px, py] = [py, px];
    }
  }
  return acc + d;
}

function varint(out: number[], v: number) {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

export interface PmtilesInput {
  /** Tiles as stored (here: gzip-compressed MVT, as MBTiles holds them). */
  tiles: { z: number; x: number; y: number; data: Buffer }[];
  /** 1 MVT, 2 PNG … */
  tileType: number;
  /** 1 none, 2 gzip. */
  tileCompression: number;
  bounds: [number, number, number, number];
  metadata: Record<string, unknown>;
}

export function writePmtiles(input: PmtilesInput): Buffer {
  const sorted = input.tiles.map((t) => ({ ...t, id: tileId(t.z, t.x, t.y) })).sort((a, b) => a.id - b.id);
  // tile data, each distinct content once
  const chunks: Buffer[] = [];
  const seen = new Map<string, { offset: number; length: number }>();
  let dataLength = 0;
  const entries: { id: number; offset: number; length: number; runLength: number }[] = [];
  for (const t of sorted) {
    const key = t.data.toString('base64');
    let at = seen.get(key);
    if (!at) {
      at = { offset: dataLength, length: t.data.length };
      seen.set(key, at);
      chunks.push(t.data);
      dataLength += t.data.length;
    }
    entries.push({ id: t.id, offset: at.offset, length: at.length, runLength: 1 });
  }
  // the root directory (spec: "Directories")
  const dir: number[] = [];
  varint(dir, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(dir, e.id - last);
    last = e.id;
  }
  for (const e of entries) varint(dir, e.runLength);
  for (const e of entries) varint(dir, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(dir, i > 0 && e.offset === prev!.offset + prev!.length ? 0 : e.offset + 1);
  });
  const root = gzipSync(Buffer.from(dir));
  const metadata = gzipSync(Buffer.from(JSON.stringify(input.metadata)));
  const zooms = sorted.map((t) => t.z);
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'ascii');
  header.writeUInt8(3, 7);
  const u64 = (at: number, v: number) => header.writeBigUInt64LE(BigInt(v), at);
  const rootOffset = 127;
  const metadataOffset = rootOffset + root.length;
  const leafOffset = metadataOffset + metadata.length;
  const dataOffset = leafOffset;
  u64(8, rootOffset);
  u64(16, root.length);
  u64(24, metadataOffset);
  u64(32, metadata.length);
  u64(40, leafOffset);
  u64(48, 0);
  u64(56, dataOffset);
  u64(64, dataLength);
  u64(72, entries.length); // addressed tiles
  u64(80, entries.length); // tile entries
  u64(88, chunks.length); // tile contents
  header.writeUInt8(1, 96); // clustered
  header.writeUInt8(2, 97); // internal compression: gzip
  header.writeUInt8(input.tileCompression, 98);
  header.writeUInt8(input.tileType, 99);
  header.writeUInt8(Math.min(...zooms), 100);
  header.writeUInt8(Math.max(...zooms), 101);
  const e7 = (v: number) => Math.round(v * 1e7);
  const [w, s, e, n] = input.bounds;
  header.writeInt32LE(e7(w), 102);
  header.writeInt32LE(e7(s), 106);
  header.writeInt32LE(e7(e), 110);
  header.writeInt32LE(e7(n), 114);
  header.writeUInt8(Math.min(...zooms), 118);
  header.writeInt32LE(e7((w + e) / 2), 119);
  header.writeInt32LE(e7((s + n) / 2), 123);
  return Buffer.concat([header, root, metadata, ...chunks]);
}
