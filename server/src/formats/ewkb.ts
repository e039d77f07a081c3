/**
 * Polygons as hex EWKB (PostGIS's extended well-known binary, little-endian, with the SRID), the
 * text form COPY takes for a geometry column: exact doubles, no parsing on the database side
 * beyond reading them. Every polygon is written as a MultiPolygon, the layers' column type.
 *
 * @example multiPolygonHexEwkb({ type: 'Polygon', coordinates: [[[114, 34], [114.1, 34], [114, 34.1], [114, 34]]] }, 4490)
 *   // '0106000020...' — MultiPolygon, SRID 4490, one polygon of one ring
 */
import type { MultiPolygon, Polygon } from 'geojson';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;
const EWKB_SRID_FLAG = 0x20000000;

export function multiPolygonHexEwkb(geometry: Polygon | MultiPolygon, srid: number): string {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let size = 1 + 4 + 4 + 4;
  for (const p of polygons) {
    size += 1 + 4 + 4;
    for (const ring of p) size += 4 + ring.length * 16;
  }
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  b.writeUInt8(1, o++);
  b.writeUInt32LE(WKB_MULTIPOLYGON | EWKB_SRID_FLAG, o);
  b.writeUInt32LE(srid, (o += 4));
  b.writeUInt32LE(polygons.length, (o += 4));
  o += 4;
  for (const p of polygons) {
    b.writeUInt8(1, o++);
    b.writeUInt32LE(WKB_POLYGON, o);
    b.writeUInt32LE(p.length, (o += 4));
    o += 4;
    for (const ring of p) {
      b.writeUInt32LE(ring.length, o);
      o += 4;
      for (const pos of ring) {
        b.writeDoubleLE(pos[0]!, o);
        b.writeDoubleLE(pos[1]!, o + 8);
        o += 16;
      }
    }
  }
  return b.toString('hex');
}
