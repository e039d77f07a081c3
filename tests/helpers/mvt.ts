/** Decodes a Mapbox Vector Tile into plain features for assertions. */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

export interface DecodedFeature {
  id: number;
  /** MVT geometry type: 1 points, 2 lines, 3 polygons. */
  type: 1 | 2 | 3;
  properties: Record<string, unknown>;
  /** Rings in tile coordinates. */
  rings: { x: number; y: number }[][];
}

export function decodeTile(data: Uint8Array): Record<string, DecodedFeature[]> {
  const tile = new VectorTile(new PbfReader(data));
  const out: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      out[name].push({ id: Number(f.id), type: f.type as 1 | 2 | 3, properties: { ...f.properties }, rings: f.loadGeometry() });
    }
  }
  return out;
}

/** Shoelace area of a ring in tile coordinates (y down): positive for an MVT exterior ring. */
export function ringArea(ring: { x: number; y: number }[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += ring[j]!.x * ring[i]!.y - ring[i]!.x * ring[j]!.y;
  return s / 2;
}

/** Length of a closed ring's boundary, in tile units. */
export function ringPerimeter(ring: { x: number; y: number }[]): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += Math.hypot(ring[i]!.x - ring[j]!.x, ring[i]!.y - ring[j]!.y);
  return s;
}

/**
 * A ring clipped to the drawn square of the tile, 0..extent both ways (Sutherland–Hodgman;
 * the winding is kept). What lies in the buffer around the tile is never drawn.
 */
export function clipRingToTile(ring: { x: number; y: number }[], extent = 4096): { x: number; y: number }[] {
  type P = { x: number; y: number };
  const edges: [(p: P) => boolean, (a: P, b: P) => P][] = [
    [(p) => p.x >= 0, (a, b) => ({ x: 0, y: a.y + ((b.y - a.y) * (0 - a.x)) / (b.x - a.x) })],
    [(p) => p.x <= extent, (a, b) => ({ x: extent, y: a.y + ((b.y - a.y) * (extent - a.x)) / (b.x - a.x) })],
    [(p) => p.y >= 0, (a, b) => ({ x: a.x + ((b.x - a.x) * (0 - a.y)) / (b.y - a.y), y: 0 })],
    [(p) => p.y <= extent, (a, b) => ({ x: a.x + ((b.x - a.x) * (extent - a.y)) / (b.y - a.y), y: extent })],
  ];
  let out = ring;
  for (const [inside, cut] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!;
      const prev = input[(i + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
  }
  return out;
}

/** The z/x/y of the Web Mercator tile holding a point. */
export function tileOf(lon: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [z, x, y];
}
