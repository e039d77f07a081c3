/** Identify (识别): what every layer holds at a clicked point, within a tolerance in screen pixels. */
import type { Role } from '../../../../core/access.ts';
import { atLeast, maySeeLayer } from '../../../../core/access.ts';
import { DRAW_ORDER, getLayer, type LayerDefinition, type LayerId } from '../../../../core/layers.ts';
import type { IdentifyFeature, IdentifyResponse } from '../../../../core/contracts/map-tools.ts';
import type { Queryable } from '../../db/database.ts';
import { selectColumns, servedTable, sqlFile } from '../../db/sql-file.ts';

/** Metres per CSS pixel of a MapLibre map (512-pixel tiles) at a zoom and latitude. */
export function metresPerPixel(zoom: number, lat: number): number {
  return (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/** The attributes identify answers with: the few tiles carry, the name, the county and the area. */
export function keyAttributes(layer: LayerDefinition): string[] {
  const wanted = new Set<string>([...layer.tileAttributes, 'name', 'county_code', 'area_m2']);
  return layer.attributes.filter((a) => wanted.has(a.name)).flatMap((a) => (a.enColumn ? [a.name, a.enColumn] : [a.name]));
}

/** Where a feature leads: the stock parcel's page, a case's page (for those who review cases), else its record. */
export function linkOf(layer: LayerDefinition, id: number, code: string | null, role: Role) {
  if (layer.id === 'stock-parcel' && code) return { kind: 'stock-parcel' as const, href: `/stock/${encodeURIComponent(code)}` };
  if (layer.id === 'encroachment' && atLeast('auditor').includes(role)) return { kind: 'case' as const, href: `/audit/cases/${id}` };
  return { kind: 'feature' as const, href: `/api/layers/${layer.id}/features/${id}` };
}

type Row = Record<string, unknown> & { id: number; distance_m: number; xmin: number; ymin: number; xmax: number; ymax: number; county_name: string | null; county_name_en: string | null };

async function identifyLayer(db: Queryable, layer: LayerDefinition, at: { lon: number; lat: number; box: [number, number, number, number] }, limit: number, role: Role) {
  const attributes = keyAttributes(layer);
  const hasCounty = layer.attributes.some((a) => a.name === 'county_code');
  const isCounty = layer.id === 'admin-county';
  const sql = sqlFile(new URL('./sql/identify.sql', import.meta.url), {
    table: servedTable(layer),
    select_columns: selectColumns(layer, attributes),
    county_join: hasCounty ? 'LEFT JOIN admin_county c ON c.code = t.county_code' : '',
    county_columns: hasCounty ? 'c.name AS county_name, c.name_en AS county_name_en' : isCounty ? 't.name AS county_name, t.name_en AS county_name_en' : 'NULL::text AS county_name, NULL::text AS county_name_en',
  });
  const rows = await db.query<Row>(sql, [at.lon, at.lat, ...at.box, limit + 1]);
  const features: IdentifyFeature[] = rows.slice(0, limit).map((r) => {
    const properties: IdentifyFeature['properties'] = {};
    for (const a of attributes) properties[a] = (r[a] ?? null) as string | number | boolean | null;
    const code = r[layer.codeColumn] == null ? null : String(r[layer.codeColumn]);
    return {
      id: Number(r.id),
      code,
      properties,
      countyName: r.county_name ?? null,
      countyNameEn: r.county_name_en ?? null,
      distanceM: Math.round(Number(r.distance_m) * 100) / 100,
      bbox: [Number(r.xmin), Number(r.ymin), Number(r.xmax), Number(r.ymax)],
      link: linkOf(layer, Number(r.id), code, role),
    };
  });
  return { layer: layer.id, nameZh: layer.nameZh, nameEn: layer.nameEn, features, truncated: rows.length > limit };
}

export async function identify(
  db: Queryable,
  q: { lon: number; lat: number; zoom: number; tolerance: number; layers?: string[]; limit: number },
  role: Role,
): Promise<IdentifyResponse> {
  const toleranceM = Math.max(0.5, q.tolerance * metresPerPixel(q.zoom, q.lat));
  // the box around the point: metres to degrees on the ellipsoid's local radii (good to well under a pixel)
  const phi = (q.lat * Math.PI) / 180;
  const a = 6_378_137;
  const e2 = 0.00669438002290;
  const w = 1 - e2 * Math.sin(phi) ** 2;
  const meridian = (a * (1 - e2)) / w ** 1.5;
  const normal = a / Math.sqrt(w);
  const dLat = (toleranceM / meridian) * (180 / Math.PI);
  const dLon = (toleranceM / (normal * Math.max(Math.cos(phi), 1e-6))) * (180 / Math.PI);
  const box: [number, number, number, number] = [q.lon - dLon, q.lat - dLat, q.lon + dLon, q.lat + dLat];
  const asked = new Set<string>(q.layers ?? DRAW_ORDER);
  // topmost first, as the map draws them
  const order = [...DRAW_ORDER].reverse().filter((id) => asked.has(id)).map((id) => getLayer(id)!);
  const withheld = [...DRAW_ORDER].filter((id) => !maySeeLayer(role, getLayer(id)!.sensitivity)) as LayerId[];
  const layers = [];
  for (const layer of order) {
    if (!maySeeLayer(role, layer.sensitivity)) continue;
    const hit = await identifyLayer(db, layer, { lon: q.lon, lat: q.lat, box }, q.limit, role);
    if (hit.features.length) layers.push(hit);
  }
  return { point: [q.lon, q.lat], toleranceM: Math.round(toleranceM * 100) / 100, layers, withheld };
}
