/**
 * Stock parcels in the database: full rows by id (search pages, export, match offers), one
 * parcel with its standing by code, and the union geometry of sets of parcels.
 */
import { toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';

interface Row {
  id: number; code: string; name: string; county_code: string; county_name: string | null; county_name_en: string | null; category: string;
  four_un_stage: string | null; planned_use: string; area_m2: number; plot_ratio_min: number | null;
  plot_ratio_max: number | null; approval_no: string | null; approval_date: string | null; status: string;
  ref_price: number | null; zone_name: string | null; contact_dept: string; lon: number; lat: number; distance_m: number | null;
}

/** The columns of a parcel summary; `distance` is the SQL of its distance (or NULL). */
const summaryColumns = (distance: string) => `
  s.id, s.code, s.name, s.county_code, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en, s.category, s.four_un_stage, s.planned_use,
  s.area_m2, s.plot_ratio_min, s.plot_ratio_max, s.approval_no, s.approval_date::text AS approval_date,
  s.status, s.ref_price, s.zone_name, s.contact_dept,
  ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat,
  ${distance} AS distance_m`;
const FROM = 'FROM stock_parcel s LEFT JOIN admin_county c ON c.code = s.county_code';

export type StockParcelSummary = ReturnType<typeof toSummary>;

function toSummary(r: Row) {
  return {
    id: Number(r.id),
    code: r.code,
    name: r.name,
    countyCode: r.county_code,
    countyName: r.county_name ?? r.county_code,
    countyNameEn: r.county_name_en ?? r.county_name ?? r.county_code,
    category: r.category,
    fourUnStage: r.four_un_stage,
    plannedUse: r.planned_use,
    area: toAreaUnits(r.area_m2),
    plotRatioMin: r.plot_ratio_min,
    plotRatioMax: r.plot_ratio_max,
    approvalNo: r.approval_no,
    approvalDate: r.approval_date,
    status: r.status,
    refPrice: r.ref_price,
    zoneName: r.zone_name,
    contactDept: r.contact_dept,
    center: [r.lon, r.lat] as [number, number],
    distanceM: r.distance_m === null ? null : Number(r.distance_m),
  };
}

/** Parcel summaries by id, in the order of `ids`. */
export async function parcelsById(db: Queryable, ids: number[]): Promise<Map<number, StockParcelSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<Row>(`SELECT ${summaryColumns('NULL::float8')} ${FROM} WHERE s.id = ANY($1::int[])`, [ids]);
  return new Map(rows.map((r) => [Number(r.id), toSummary(r)]));
}

/** Parcel summaries by code (any status, retired ones too: a proposal names the parcel it was). */
export async function parcelsByCode(db: Queryable, codes: readonly string[]): Promise<Map<string, StockParcelSummary>> {
  if (codes.length === 0) return new Map();
  const rows = await db.query<Row>(`SELECT ${summaryColumns('NULL::float8')} ${FROM} WHERE s.code = ANY($1::text[])`, [[...codes]]);
  return new Map(rows.map((r) => [r.code, toSummary(r)]));
}

interface StandingRow {
  urban_boundary_share: number;
  urban_boundary_name: string | null;
  permanent_farmland_m2: number;
  general_farmland_m2: number;
  eco_redline_m2: number;
}

/** One parcel by its code: summary, geometry and its derived standing; null when unknown. */
export async function parcelByCode(db: Queryable, code: string) {
  const rows = await db.query<Row & StandingRow & { geometry: string | null }>(
    `SELECT ${summaryColumns('NULL::float8')}, ST_AsGeoJSON(s.geom, 7) AS geometry,
            st.urban_boundary_share, u.name AS urban_boundary_name,
            st.permanent_farmland_m2, st.general_farmland_m2, st.eco_redline_m2
       ${FROM}
       LEFT JOIN stock_standing st ON st.parcel_id = s.id
       LEFT JOIN urban_boundary u ON u.id = st.urban_boundary_id
      WHERE s.code = $1`,
    [code],
  );
  const r = rows[0];
  if (!r) return null;
  if (r.geometry === null || r.urban_boundary_share === null) throw new Error(`存量地块 ${code} 的几何或管控情况缺失`);
  return { summary: toSummary(r), geometry: JSON.parse(r.geometry) as { type: string; coordinates: unknown[] }, standing: r as StandingRow };
}

/** The union of each set of parcels, as GeoJSON, in the order given; throws when one is missing. */
export async function unionGeometries(db: Queryable, sets: number[][]): Promise<{ type: string; coordinates: unknown[] }[]> {
  if (sets.length === 0) return [];
  const ord: number[] = [];
  const ids: number[] = [];
  sets.forEach((set, i) => set.forEach((id) => (ord.push(i), ids.push(id))));
  const rows = await db.query<{ ord: number; geometry: string | null }>(
    `SELECT c.ord, ST_AsGeoJSON(ST_Union(s.geom), 7) AS geometry
       FROM unnest($1::int[], $2::int[]) AS c(ord, id) JOIN stock_parcel s ON s.id = c.id
      GROUP BY c.ord ORDER BY c.ord`,
    [ord, ids],
  );
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r.geometry]));
  return sets.map((_, i) => {
    const g = byOrd.get(i);
    if (!g) throw new Error(`存量地块组合 ${sets[i]!.join('+')} 的合并几何计算失败`);
    return JSON.parse(g) as { type: string; coordinates: unknown[] };
  });
}
