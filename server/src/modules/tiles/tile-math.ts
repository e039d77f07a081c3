/** Web Mercator tile addressing (XYZ, as MapLibre requests tiles). */

export const MAX_TILE_ZOOM = 22;

/** Whether z/x/y names a tile that exists: 0 ≤ z ≤ 22 and 0 ≤ x, y < 2^z. */
export function isValidTile(z: number, x: number, y: number): boolean {
  if (!Number.isInteger(z) || !Number.isInteger(x) || !Number.isInteger(y)) return false;
  if (z < 0 || z > MAX_TILE_ZOOM) return false;
  const n = 2 ** z;
  return x >= 0 && x < n && y >= 0 && y < n;
}

/** Width of one tile in Web Mercator metres at zoom z. */
export const tileWidthM = (z: number): number => (2 * Math.PI * 6378137) / 2 ** z;

/** Tile x/y containing a lon/lat at zoom z. */
export function lonLatToTile(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}
