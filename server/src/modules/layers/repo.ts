/** Per-layer statistics straight from the tables named in the registry. */
import type { Queryable } from '../../db/database.ts';
import type { LayerDefinition } from '../../../../core/layers.ts';
import { servedTable } from '../../db/sql-file.ts';

export interface LayerStats {
  featureCount: number;
  extent: [number, number, number, number] | null;
}

export async function readLayerStats(db: Queryable, layer: LayerDefinition): Promise<LayerStats> {
  // The table name comes from the registry, never from a request.
  const rows = await db.query<{ n: number; xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null }>(
    `SELECT n, ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
       FROM (SELECT count(*)::int AS n, ST_Extent(geom)::box3d AS e FROM ${servedTable(layer)} t) s`,
  );
  const r = rows[0];
  if (!r || r.xmin === null) return { featureCount: 0, extent: null };
  return { featureCount: r.n, extent: [r.xmin, r.ymin!, r.xmax!, r.ymax!] };
}
