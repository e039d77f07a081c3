/** The rows of the ledger's workbook (workbook.ts): every parcel with its latest event, and the events. */
import type { StockEvent } from '../../../../core/contracts/ledger.ts';
import { PROVINCE } from '../../../../core/divisions.ts';
import { scopePattern } from '../auth/scope.ts';
import type { Queryable } from '../../db/database.ts';
import { EVENT_COLUMNS, toStockEvent } from './service.ts';
import type { LedgerParcelRow } from './workbook.ts';

const prefixed = (alias: string) =>
  EVENT_COLUMNS.split(',')
    .map((c) => c.trim())
    .map((c) => (c.includes(' AS ') ? c.replace(/^(\w+)/, `${alias}.$1`) : `${alias}.${c}`))
    .join(', ');

/** Every parcel of the ledger (retired ones too: they are its history), by county and code. */
/** Every parcel of the ledger in a county (or all) inside `scope` (auth/scope.ts; default the province). */
export async function ledgerParcels(q: Queryable, county?: string, scope: string = PROVINCE.code): Promise<LedgerParcelRow[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT p.code, p.name, p.county_code, coalesce(c.name, p.county_code) AS county_name, p.category, p.four_un_stage, p.planned_use, p.area_m2,
            p.plot_ratio_min, p.plot_ratio_max, p.approval_no, p.approval_date::text AS approval_date, p.recorded_on::text AS recorded_on,
            p.status, p.ref_price, p.contact_dept, to_jsonb(l) AS latest
       FROM stock_parcel p
       LEFT JOIN admin_county c ON c.code = p.county_code
       LEFT JOIN LATERAL (SELECT ${prefixed('e')} FROM stock_event e WHERE e.parcel_code = p.code ORDER BY e.event_date DESC, e.id DESC LIMIT 1) l ON true
      WHERE ($1::text IS NULL OR p.county_code = $1) AND p.county_code LIKE $2::text
      ORDER BY p.county_code, p.code`,
    [county ?? null, scopePattern(scope)],
  );
  return rows.map((r) => {
    const latest = r.latest ? (typeof r.latest === 'string' ? JSON.parse(r.latest) : r.latest) : null;
    return {
      code: String(r.code),
      name: String(r.name),
      countyCode: String(r.county_code),
      countyName: String(r.county_name),
      category: String(r.category),
      fourUnStage: (r.four_un_stage as string | null) ?? null,
      plannedUse: String(r.planned_use),
      areaM2: Number(r.area_m2),
      plotRatioMin: r.plot_ratio_min === null ? null : Number(r.plot_ratio_min),
      plotRatioMax: r.plot_ratio_max === null ? null : Number(r.plot_ratio_max),
      approvalNo: (r.approval_no as string | null) ?? null,
      approvalDate: (r.approval_date as string | null) ?? null,
      recordedOn: String(r.recorded_on),
      status: String(r.status),
      refPrice: r.ref_price === null ? null : Number(r.ref_price),
      contactDept: String(r.contact_dept),
      latest: latest && latest.id !== null ? toStockEvent(latest) : null,
    };
  });
}

/** The events, oldest first, of a county and a year when asked. */
export async function ledgerEvents(q: Queryable, f: { county?: string; year?: number; scope?: string }): Promise<(StockEvent & { countyName: string })[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT ${prefixed('e')}, coalesce(c.name, e.county_code) AS county_name
       FROM stock_event e LEFT JOIN admin_county c ON c.code = e.county_code
      WHERE ($1::text IS NULL OR e.county_code = $1)
        AND ($2::int IS NULL OR e.event_date >= make_date($2, 1, 1) AND e.event_date < make_date($2 + 1, 1, 1))
        AND e.county_code LIKE $3::text
      ORDER BY e.event_date, e.id`,
    [f.county ?? null, f.year ?? null, scopePattern(f.scope ?? PROVINCE.code)],
  );
  return rows.map((r) => ({ ...toStockEvent(r as never), countyName: String(r.county_name) }));
}
