/** Feature queries of registry layers. */
import type { LayerDefinition } from '../../../../core/layers.ts';
import type { Queryable } from '../../db/database.ts';
import { selectColumns, servedTable, sqlFile } from '../../db/sql-file.ts';

type Row = Record<string, unknown> & { id: number; geometry: string };

const tokens = (layer: LayerDefinition, attributes: string[]) => ({
  table: servedTable(layer),
  select_columns: selectColumns(layer, attributes),
});

/** The columns a feature answer carries: the layer's attributes and the English columns of those that have one (a county's name_en). */
const featureColumns = (layer: LayerDefinition) => layer.attributes.flatMap((a) => (a.enColumn ? [a.name, a.enColumn] : [a.name]));

function toFeature(layer: LayerDefinition, row: Row, attributes: string[]) {
  const properties: Record<string, string | number | boolean | null> = {};
  for (const a of attributes) properties[a] = (row[a] ?? null) as string | number | boolean | null;
  return {
    type: 'Feature' as const,
    id: Number(row.id),
    properties,
    geometry: JSON.parse(row.geometry) as { type: string; coordinates: unknown[] },
  };
}

export async function featuresInBbox(
  db: Queryable,
  layer: LayerDefinition,
  bbox: [number, number, number, number],
  limit: number,
) {
  const attributes = featureColumns(layer);
  const rows = await db.query<Row>(sqlFile(new URL('./sql/features-in-bbox.sql', import.meta.url), tokens(layer, attributes)), [
    ...bbox,
    limit + 1,
  ]);
  return { features: rows.slice(0, limit).map((r) => toFeature(layer, r, attributes)), truncated: rows.length > limit };
}

export async function featureById(db: Queryable, layer: LayerDefinition, id: number) {
  const attributes = featureColumns(layer);
  const rows = await db.query<Row>(sqlFile(new URL('./sql/feature-by-id.sql', import.meta.url), tokens(layer, attributes)), [id]);
  return rows[0] ? toFeature(layer, rows[0], attributes) : null;
}

export async function counties(db: Queryable) {
  const rows = await db.query<{
    code: string; name: string; name_en: string; level: string; area_m2: number;
    xmin: number; ymin: number; xmax: number; ymax: number; lx: number; ly: number;
  }>(sqlFile(new URL('./sql/counties.sql', import.meta.url)));
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    nameEn: r.name_en,
    level: r.level,
    areaM2: r.area_m2,
    bbox: [r.xmin, r.ymin, r.xmax, r.ymax] as [number, number, number, number],
    labelPoint: [r.lx, r.ly] as [number, number],
  }));
}
