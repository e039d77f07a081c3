/**
 * Stock-parcel search: the filters become one parameterised WHERE clause; nothing from
 * the request is spliced into SQL but through $n parameters and a fixed ORDER BY table.
 */
import type { StockSearchQuery } from '../../../../core/contracts/stock.ts';
import { muToM2, haToM2, toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';

const ORDER: Record<StockSearchQuery['sort'], string> = {
  area: 's.area_m2 ASC, s.id',
  '-area': 's.area_m2 DESC, s.id',
  price: 's.ref_price ASC NULLS LAST, s.id',
  '-price': 's.ref_price DESC NULLS LAST, s.id',
  date: 's.approval_date ASC NULLS LAST, s.id',
  '-date': 's.approval_date DESC NULLS LAST, s.id',
  distance: 'distance_m ASC, s.id',
};

const toM2 = (v: number, unit: StockSearchQuery['areaUnit']) => (unit === 'mu' ? muToM2(v) : unit === 'ha' ? haToM2(v) : v);

/** The WHERE clause and its parameters for a query's filters. */
export function stockWhere(q: StockSearchQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.county) conds.push(`s.county_code = ANY(${p(q.county.split(','))}::text[])`);
  if (q.category) conds.push(`s.category = ANY(${p(q.category)}::text[])`);
  if (q.use) conds.push(`s.planned_use = ANY(${p(q.use)}::text[])`);
  const status = q.status ?? ['可供应'];
  if (status !== 'all') conds.push(`s.status = ANY(${p(status)}::text[])`);
  if (q.minArea !== undefined) conds.push(`s.area_m2 >= ${p(toM2(q.minArea, q.areaUnit))}`);
  if (q.maxArea !== undefined) conds.push(`s.area_m2 <= ${p(toM2(q.maxArea, q.areaUnit))}`);
  // a parcel fits a plot-ratio need when its permitted range reaches it
  if (q.minPlotRatio !== undefined) conds.push(`s.plot_ratio_max >= ${p(q.minPlotRatio)}`);
  if (q.maxPlotRatio !== undefined) conds.push(`s.plot_ratio_min <= ${p(q.maxPlotRatio)}`);
  if (q.minPrice !== undefined) conds.push(`s.ref_price >= ${p(q.minPrice)}`);
  if (q.maxPrice !== undefined) conds.push(`s.ref_price <= ${p(q.maxPrice)}`);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(`(s.code ILIKE ${p(like)} OR s.name ILIKE $${params.length})`);
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

interface Row {
  id: number; code: string; name: string; county_code: string; county_name: string | null; category: string;
  four_un_stage: string | null; planned_use: string; area_m2: number; plot_ratio_min: number | null;
  plot_ratio_max: number | null; approval_no: string | null; approval_date: string | null; status: string;
  ref_price: number | null; zone_name: string | null; contact_dept: string; lon: number; lat: number; distance_m: number | null;
}

export async function searchStock(db: Queryable, q: StockSearchQuery) {
  const { where, params } = stockWhere(q);
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_parcel s ${where}`, params);
  const near = q.near ? `ST_SetSRID(ST_MakePoint(${'$' + (params.length + 1)}, ${'$' + (params.length + 2)}), 4490)::geography` : null;
  const rows = await db.query<Row>(
    `SELECT s.id, s.code, s.name, s.county_code, c.name AS county_name, s.category, s.four_un_stage, s.planned_use,
            s.area_m2, s.plot_ratio_min, s.plot_ratio_max, s.approval_no, s.approval_date::text AS approval_date,
            s.status, s.ref_price, s.zone_name, s.contact_dept,
            ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat,
            ${near ? `ST_Distance(s.geom::geography, ${near})` : 'NULL::float8'} AS distance_m
       FROM stock_parcel s LEFT JOIN admin_county c ON c.code = s.county_code
       ${where}
      ORDER BY ${ORDER[q.sort]}
      LIMIT ${'$' + (params.length + (near ? 3 : 1))} OFFSET ${'$' + (params.length + (near ? 4 : 2))}`,
    [...params, ...(q.near ? q.near : []), q.pageSize, (q.page - 1) * q.pageSize],
  );
  return {
    total: n,
    page: q.page,
    pageSize: q.pageSize,
    items: rows.map((r) => ({
      id: Number(r.id),
      code: r.code,
      name: r.name,
      countyCode: r.county_code,
      countyName: r.county_name ?? r.county_code,
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
    })),
  };
}
