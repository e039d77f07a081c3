/** Decodes a Mapbox Vector Tile into plain features for assertions. */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

export interface DecodedFeature {
  id: number;
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
      out[name].push({ id: Number(f.id), properties: { ...f.properties }, rings: f.loadGeometry() });
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

/** The z/x/y of the Web Mercator tile holding a point. */
export function tileOf(lon: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [z, x, y];
}
