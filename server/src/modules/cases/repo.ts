/**
 * Reading cases: the filtered list (one parameterised WHERE clause; nothing from the request
 * is spliced into SQL but through $n parameters and a fixed ORDER BY table), one case with its
 * overlap features and history, and the county view of a year.
 */
import { CASE_STATUSES, type CaseStatus } from '../../../../core/case-status.ts';
import type { CaseListQuery, CaseOverlapSummary, CaseSummary } from '../../../../core/contracts/cases.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { muToM2, toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { scopeFilter, scopePattern } from '../auth/scope.ts';

const DETAIL_SQL = sqlFile(new URL('./sql/case-detail.sql', import.meta.url));
const OVERLAPS_SQL = sqlFile(new URL('./sql/case-overlaps.sql', import.meta.url));
const HISTORY_SQL = sqlFile(new URL('./sql/case-history.sql', import.meta.url));
const STATS_SQL = sqlFile(new URL('./sql/stats.sql', import.meta.url));
const STATS_UNRECTIFIED_SQL = sqlFile(new URL('./sql/stats-unrectified.sql', import.meta.url));
const RECTIFICATIONS_SQL = sqlFile(new URL('./sql/case-rectifications.sql', import.meta.url));

const FARMLAND = '(e.permanent_farmland_m2 + e.general_farmland_m2)';

const ORDER: Record<CaseListQuery['sort'], string> = {
  '-detectedOn': 'e.detected_on DESC, e.id DESC',
  detectedOn: 'e.detected_on ASC, e.id',
  '-area': 'e.area_m2 DESC, e.id',
  area: 'e.area_m2 ASC, e.id',
  '-farmland': `${FARMLAND} DESC, e.id`,
  farmland: `${FARMLAND} ASC, e.id`,
  '-permanentFarmland': 'e.permanent_farmland_m2 DESC, e.id',
  '-ecoRedline': 'e.eco_redline_m2 DESC, e.id',
  code: 'e.code ASC',
  '-code': 'e.code DESC',
  '-decidedAt': 'e.decided_at DESC NULLS LAST, e.id',
};

const OVERLAP_OF: Record<CaseListQuery['overlap'], (p: string) => string> = {
  farmland: (p) => `${FARMLAND} >= ${p}`,
  'permanent-farmland': (p) => `e.permanent_farmland_m2 >= ${p}`,
  'general-farmland': (p) => `e.general_farmland_m2 >= ${p}`,
  'eco-redline': (p) => `e.eco_redline_m2 >= ${p}`,
  'stock-land': (p) => `e.stock_land_m2 >= ${p}`,
  any: (p) => `(${FARMLAND} >= ${p} OR e.eco_redline_m2 >= ${p})`,
};

/** A list's filters and the caller's scope (auth/scope.ts), which the query string cannot widen. */
export type ScopedCaseQuery = CaseListQuery & { scope: string };

/** The WHERE clause and its parameters for a query's filters; `withStatus: false` leaves the status filter out. */
export function caseWhere(q: ScopedCaseQuery, withStatus = true): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const inScope = scopeFilter('e.county_code', q.scope, params);
  if (inScope) conds.push(inScope);
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.county) conds.push(`e.county_code = ANY(${p(q.county.split(','))}::text[])`);
  if (withStatus && q.status) conds.push(`e.status = ANY(${p(q.status)}::text[])`);
  if (q.source) conds.push(`e.source = ANY(${p(q.source)}::text[])`);
  if (q.from) conds.push(`e.detected_on >= ${p(q.from)}::date`);
  if (q.to) conds.push(`e.detected_on <= ${p(q.to)}::date`);
  if (q.minOverlapMu !== undefined && q.minOverlapMu > 0) conds.push(OVERLAP_OF[q.overlap](`${p(muToM2(q.minOverlapMu))}::float8`));
  if (q.q) conds.push(`e.code ILIKE ${p(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** A case row as the list and the exports read it. */
export interface CaseRow {
  id: number;
  code: string;
  county_code: string;
  county_name: string | null;
  county_name_en: string | null;
  township_code: string | null;
  township_name: string | null;
  source: string;
  detected_on: string;
  status: string;
  area_m2: number;
  permanent_farmland_m2: number | null;
  general_farmland_m2: number | null;
  eco_redline_m2: number | null;
  stock_land_m2: number | null;
  urban_boundary_m2: number | null;
  overlaps_at: Date | string | null;
  approval_no: string | null;
  decision_comment: string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
  version: number;
  lon: number;
  lat: number;
}

export const SUMMARY_COLUMNS = `
  e.id, e.code, e.county_code, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en, tw.code AS township_code, tw.name AS township_name, e.source, e.detected_on::text AS detected_on, e.status,
  e.area_m2, e.permanent_farmland_m2, e.general_farmland_m2, e.eco_redline_m2, e.stock_land_m2,
  e.urban_boundary_m2, e.overlaps_at, e.approval_no, e.decision_comment, e.decided_by, e.decided_at, e.version,
  ST_X(ST_PointOnSurface(e.geom)) AS lon, ST_Y(ST_PointOnSurface(e.geom)) AS lat`;
/**
 * A case's township: the one holding the largest part of it, computed as the case is read (not
 * stored), so townships an administrator imports count at once. Candidates come from the GiST
 * index; a case inside one township (nearly all) is settled by ST_Covers before any area is cut.
 */
export const TOWNSHIP_LATERAL = `LEFT JOIN LATERAL (
    SELECT t.code, t.name FROM admin_township t
     WHERE t.geom && e.geom AND ST_Intersects(t.geom, e.geom)
     ORDER BY CASE WHEN ST_Covers(t.geom, e.geom) THEN 'Infinity'::float8 ELSE ST_Area(ST_Intersection(t.geom, e.geom)) END DESC, t.code
     LIMIT 1) tw ON true`;
export const FROM = `FROM encroachment e LEFT JOIN admin_county c ON c.code = e.county_code ${TOWNSHIP_LATERAL}`;

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The overlap figures of a case row; throws when they were never computed (callers ensure them first). */
export function overlapSummary(r: Pick<CaseRow, 'code' | 'area_m2' | 'permanent_farmland_m2' | 'general_farmland_m2' | 'eco_redline_m2' | 'stock_land_m2' | 'urban_boundary_m2' | 'overlaps_at'>): CaseOverlapSummary {
  if (r.overlaps_at === null || r.permanent_farmland_m2 === null || r.general_farmland_m2 === null || r.eco_redline_m2 === null || r.stock_land_m2 === null || r.urban_boundary_m2 === null) {
    throw new Error(`图斑 ${r.code} 的占用情况尚未计算`);
  }
  const area = Number(r.area_m2);
  const inside = Number(r.urban_boundary_m2);
  const outside = Math.max(0, area - inside);
  const stock = Number(r.stock_land_m2);
  return {
    permanentFarmland: toAreaUnits(Number(r.permanent_farmland_m2)),
    generalFarmland: toAreaUnits(Number(r.general_farmland_m2)),
    farmland: toAreaUnits(Number(r.permanent_farmland_m2) + Number(r.general_farmland_m2)),
    ecoRedline: toAreaUnits(Number(r.eco_redline_m2)),
    stockLand: toAreaUnits(stock),
    onStockLand: stock > OVERLAP_EPSILON_M2,
    urbanBoundary: toAreaUnits(inside),
    urbanBoundaryShare: area > 0 ? Math.min(1, inside / area) : 0,
    urbanBoundaryPosition: inside <= OVERLAP_EPSILON_M2 ? 'outside' : outside <= OVERLAP_EPSILON_M2 ? 'inside' : 'partly',
    computedAt: iso(r.overlaps_at)!,
  };
}

export function toSummary(r: CaseRow): CaseSummary {
  return {
    id: Number(r.id),
    code: r.code,
    countyCode: r.county_code,
    countyName: r.county_name ?? r.county_code,
    countyNameEn: r.county_name_en ?? r.county_name ?? r.county_code,
    township: r.township_code ? { code: r.township_code, name: r.township_name ?? r.township_code } : null,
    source: r.source as CaseSummary['source'],
    detectedOn: r.detected_on,
    status: r.status as CaseStatus,
    area: toAreaUnits(Number(r.area_m2)),
    overlaps: overlapSummary(r),
    approvalNo: r.approval_no,
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    version: Number(r.version),
    center: [Number(r.lon), Number(r.lat)],
  };
}

/** One page of the cases a query selects, the count, and the count per status under the other filters. */
export async function searchCases(db: Queryable, q: ScopedCaseQuery) {
  const all = caseWhere(q, false);
  const counted = await db.query<{ status: CaseStatus; n: number }>(
    `SELECT e.status, count(*)::int AS n FROM encroachment e ${all.where} GROUP BY e.status`,
    all.params,
  );
  const statusCounts = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
  for (const r of counted) statusCounts[r.status] = Number(r.n);
  const total = CASE_STATUSES.filter((s) => !q.status || q.status.includes(s)).reduce((n, s) => n + statusCounts[s], 0);
  const { where, params } = caseWhere(q);
  const rows = await db.query<CaseRow>(
    `SELECT ${SUMMARY_COLUMNS} ${FROM} ${where} ORDER BY ${ORDER[q.sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.pageSize, (q.page - 1) * q.pageSize],
  );
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map(toSummary), statusCounts };
}

/** Every case a query selects, in its order (the exports), with its geometry when asked. */
export async function listCases(db: Queryable, q: ScopedCaseQuery, opts: { geometry?: boolean } = {}): Promise<(CaseRow & { geometry?: string })[]> {
  const { where, params } = caseWhere(q);
  return db.query<CaseRow & { geometry?: string }>(
    `SELECT ${SUMMARY_COLUMNS}${opts.geometry ? ', ST_AsGeoJSON(e.geom, 9) AS geometry' : ''} ${FROM} ${where} ORDER BY ${ORDER[q.sort]}`,
    params,
  );
}

export interface CaseDetailRow extends CaseRow {
  created_at: Date | string;
  import_id: string | null;
  geometry: string;
  rectify_deadline: string | null;
  rectified_on: string | null;
  rectify_note: string | null;
  rectify_doc_no: string | null;
  rectify_by: string | null;
  rectify_at: Date | string | null;
}

export interface RectificationRow {
  id: number;
  at: Date | string;
  actor: string;
  deadline: string | null;
  rectified: boolean;
  rectified_on: string | null;
  doc_no: string | null;
  note: string;
  changes: Record<string, { from: string | null; to: string | null }> | string;
}

export interface OverlapFeatureRow {
  layer: string;
  feature_id: number;
  feature_code: string;
  overlap_m2: number;
  label: string | null;
  label_word: string | null;
  label_name: string | null;
}

/** Against which version of a layer a case's overlaps were last recomputed (case_overlap_basis). */
export interface BasisRow {
  layer: string;
  version_no: number | null;
  computed_at: Date | string;
}

export interface DecisionRow {
  id: number;
  at: Date | string;
  actor: string;
  from_status: string;
  to_status: string;
  approval_no: string | null;
  comment: string | null;
  case_version: number;
  changes: Record<string, { from: string | null; to: string | null }> | string;
}

/** One case, its overlap features and its history; null when there is no such case. */
export async function caseById(db: Queryable, id: number) {
  const [row] = await db.query<CaseDetailRow>(DETAIL_SQL, [id]);
  if (!row) return null;
  const overlaps = await db.query<OverlapFeatureRow>(OVERLAPS_SQL, [id]);
  const history = await db.query<DecisionRow>(HISTORY_SQL, [id]);
  const rectifications = await db.query<RectificationRow>(RECTIFICATIONS_SQL, [id]);
  const basis = await db.query<BasisRow>(
    `SELECT layer, version_no, computed_at FROM case_overlap_basis WHERE case_id = $1
      ORDER BY array_position(ARRAY['permanent-farmland', 'eco-redline', 'general-farmland', 'urban-boundary', 'stock-parcel'], layer)`,
    [id],
  );
  return { row, overlaps, history, rectifications, basis };
}

export interface StatsRow {
  county_code: string;
  county_name: string;
  county_name_en: string;
  cases: number;
  pending: number;
  field_check: number;
  illegal: number;
  farmland_m2: number;
  permanent_m2: number;
  redline_m2: number;
  on_farmland: number;
  unrectified: number;
  unrectified_m2: number;
  rectified_late: number;
  overdue: number;
  earliest_deadline: string | null;
}

/** The county rows of a year; `today` (Beijing) says which deadlines have passed. */
export async function statsRows(db: Queryable, year: number, today: string, scope: string): Promise<StatsRow[]> {
  return db.query<StatsRow>(STATS_SQL, [year, today, OVERLAP_EPSILON_M2, scopePattern(scope)]);
}

export interface UnrectifiedRow {
  county_code: string;
  id: number;
  code: string;
  detected_on: string;
  deadline: string | null;
  done_on: string | null;
  farmland_m2: number;
}

/** The year's confirmed illegal cases on farmland not rectified by 31 December, at most five per county. */
export async function unrectifiedRows(db: Queryable, year: number, scope: string): Promise<UnrectifiedRow[]> {
  return db.query<UnrectifiedRow>(STATS_UNRECTIFIED_SQL, [year, OVERLAP_EPSILON_M2, scopePattern(scope)]);
}

export interface TownshipStatsRow {
  county_code: string;
  code: string;
  name: string;
  illegal: number;
  farmland_m2: number;
}

/** The confirmed illegal cases of a year by township (the one holding each case's largest part), largest farmland first. */
export async function townshipStatsRows(db: Queryable, year: number, scope: string): Promise<TownshipStatsRow[]> {
  return db.query<TownshipStatsRow>(
    `SELECT e.county_code, tw.code, tw.name, count(*)::int AS illegal,
            coalesce(sum(e.permanent_farmland_m2 + e.general_farmland_m2), 0) AS farmland_m2
       FROM encroachment e ${TOWNSHIP_LATERAL}
      WHERE e.status = '违法占用' AND tw.code IS NOT NULL
        AND e.detected_on >= make_date($1::int, 1, 1) AND e.detected_on < make_date($1::int + 1, 1, 1)
        AND e.county_code LIKE $2::text
      GROUP BY e.county_code, tw.code, tw.name
      ORDER BY farmland_m2 DESC, tw.code`,
    [year, scopePattern(scope)],
  );
}

/** Years with cases, newest first. */
export async function caseYears(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ y: number }>(
    'SELECT DISTINCT extract(year FROM detected_on)::int AS y FROM encroachment ORDER BY y DESC',
  );
  return rows.map((r) => Number(r.y));
}
