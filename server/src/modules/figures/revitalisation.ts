/**
 * The yearly stock revitalisation rate per county (core/revitalisation.ts), read from the
 * ledger: a parcel's state on 1 January is the state its first event on or after that day
 * started from (the events keep it, append-only), or its current state when it has none since;
 * the stock at the start is the parcels in the ledger before that day and not in use again then
 * (IS_STOCK). The revitalised land is the part of that stock with a revitalising event (supply,
 * disposal, redevelopment) during the year, each parcel once, by its first such event — so the
 * rate is a share of the start's stock and never passes 100 %.
 */
import ExcelJS from 'exceljs';
import { REVITALISING_KINDS } from '../../../../core/ledger.ts';
import type { RevitalisationResponse, RevitalisationRow } from '../../../../core/contracts/figures.ts';
import { PROVINCE, inScope, totalDivision } from '../../../../core/divisions.ts';
import { describeScope } from '../auth/scope.ts';
import { REVITALISATION_RULE, REVITALISATION_TARGET_PCT, revitalisationStanding } from '../../../../core/revitalisation.ts';
import { roundTo, toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';
import { readDataVersions } from '../data-version/service.ts';

/**
 * A parcel (table alias `t`) is stock on a day when its state then is not used again: approved-not-supplied land
 * available or reserved; idle or inefficient land not yet revitalised (idle land is often
 * supplied land left undeveloped) — docs/domain.md, "The stock-land ledger".
 */
const isStock = (t: string) => `((${t}.category = '批而未供' AND ${t}.status IN ('可供应', '已意向'))
   OR (${t}.category IN ('闲置土地', '低效用地') AND ${t}.status NOT IN ('已盘活', '已注销')))`;

/*
 * The stock on 1 January is counted in two parts, so that the whole library is read once, by a
 * plain aggregate: every parcel in the ledger before that day in its current state, corrected for
 * the parcels that have changed since (each one's first event on or after the day says the state
 * it started from — the state on 1 January). A parcel whose first later event has no state before
 * (a split's or merge's new parcel) was not in the ledger then. The revitalised land is among
 * those changed parcels: the ones that were stock then, with a revitalising event in the year.
 */
const SQL = `
WITH first_after AS (
  -- (codes compared bytewise: the order only groups them, and a collation's sort is several times slower)
  SELECT DISTINCT ON (e.parcel_code COLLATE "C") e.parcel_code, e.category_before AS category, e.status_before AS status
    FROM stock_event e WHERE e.event_date >= $1::date
   ORDER BY e.parcel_code COLLATE "C", e.event_date, e.id
), touched AS MATERIALIZED (
  -- one lookup per changed parcel (a few thousand), not a hash of the whole library
  SELECT p.code, p.county_code, p.area_m2, ${isStock('p')} AS stock_now, (f.status IS NOT NULL AND ${isStock('f')}) AS stock_then
    FROM first_after f
   CROSS JOIN LATERAL (SELECT code, county_code, area_m2, category, status FROM stock_parcel
                        WHERE code = f.parcel_code AND recorded_on < $1::date LIMIT 1) p
), start_county AS (
  SELECT county_code, sum(n)::int AS n, sum(m2) AS m2
    FROM (SELECT p.county_code, count(*) AS n, sum(p.area_m2) AS m2
            FROM stock_parcel p WHERE p.recorded_on < $1::date AND ${isStock('p')} GROUP BY p.county_code
          UNION ALL
          SELECT county_code, sum(stock_then::int - stock_now::int), sum(area_m2 * (stock_then::int - stock_now::int))
            FROM touched GROUP BY county_code) t
   GROUP BY county_code
), rev AS (
  -- the start's stock revitalised during the year, each parcel once, by its first such event
  SELECT DISTINCT ON (e.parcel_code COLLATE "C") e.parcel_code, t.county_code, e.kind, t.area_m2
    FROM stock_event e JOIN touched t ON t.code = e.parcel_code AND t.stock_then
   WHERE e.kind = ANY($3::text[]) AND e.event_date >= $1::date AND e.event_date < $2::date
   ORDER BY e.parcel_code COLLATE "C", e.event_date, e.id
), rev_county AS (
  SELECT county_code, count(*)::int AS n, sum(area_m2) AS m2,
         coalesce(sum(area_m2) FILTER (WHERE kind = 'supply'), 0) AS supply_m2,
         coalesce(sum(area_m2) FILTER (WHERE kind = 'dispose'), 0) AS dispose_m2,
         coalesce(sum(area_m2) FILTER (WHERE kind = 'redevelop'), 0) AS redevelop_m2
    FROM rev GROUP BY county_code
)
SELECT c.code, c.name, c.name_en,
       coalesce(s.n, 0) AS start_n, coalesce(s.m2, 0) AS start_m2,
       coalesce(r.n, 0) AS rev_n, coalesce(r.m2, 0) AS rev_m2,
       coalesce(r.supply_m2, 0) AS supply_m2, coalesce(r.dispose_m2, 0) AS dispose_m2, coalesce(r.redevelop_m2, 0) AS redevelop_m2
  FROM admin_county c
  LEFT JOIN start_county s ON s.county_code = c.code
  LEFT JOIN rev_county r ON r.county_code = c.code
 ORDER BY c.code`;

interface Row {
  code: string;
  name: string;
  name_en: string;
  start_n: number;
  start_m2: number;
  rev_n: number;
  rev_m2: number;
  supply_m2: number;
  dispose_m2: number;
  redevelop_m2: number;
}

function row(code: string, name: string, nameEn: string, n: Omit<Row, 'code' | 'name' | 'name_en'>): RevitalisationRow {
  const s = revitalisationStanding(Number(n.start_m2), Number(n.rev_m2));
  return {
    countyCode: code,
    countyName: name,
    countyNameEn: nameEn || name,
    startCount: Number(n.start_n),
    start: toAreaUnits(Number(n.start_m2)),
    revitalisedCount: Number(n.rev_n),
    revitalised: toAreaUnits(Number(n.rev_m2)),
    byKind: { supply: toAreaUnits(Number(n.supply_m2)), dispose: toAreaUnits(Number(n.dispose_m2)), redevelop: toAreaUnits(Number(n.redevelop_m2)) },
    ...s,
  };
}

/**
 * The figures already worked out, per database, by year and data version: every input — the
 * parcels, their events (each event that changes a parcel updates its row), the counties — moves
 * the data version, so a year's figures stand until it moves (on any instance: the version is the
 * database's). A few years are kept.
 */
const computed = new WeakMap<Queryable, Map<string, Row[]>>();
const KEPT = 16;

/** The year's figures of the counties in `scope` (auth/scope.ts) and their total. */
export async function revitalisationFigures(db: Queryable, year: number, scope: string = PROVINCE.code): Promise<RevitalisationResponse> {
  const dataVersion = (await readDataVersions(db)).overall;
  const cache = computed.get(db) ?? new Map<string, Row[]>();
  computed.set(db, cache);
  const key = `${year}@${dataVersion}`;
  let all = cache.get(key);
  if (!all) {
    all = await db.query<Row>(SQL, [`${year}-01-01`, `${year + 1}-01-01`, [...REVITALISING_KINDS]]);
    cache.set(key, all);
    for (const k of cache.keys()) if (cache.size > KEPT || !k.endsWith(`@${dataVersion}`)) cache.delete(k);
  }
  const rows = all.filter((r) => inScope(scope, r.code));
  const sum = (k: keyof Omit<Row, 'code' | 'name' | 'name_en'>) => rows.reduce((a, r) => a + Number(r[k]), 0);
  const area = await describeScope(db, totalDivision(scope, rows.map((r) => r.code)));
  const total = row('', area.level === 'province' ? '全省' : area.level === 'city' ? '全市' : area.name, area.level === 'province' ? 'Province' : area.level === 'city' ? 'City' : area.nameEn, {
    start_n: sum('start_n'), start_m2: sum('start_m2'), rev_n: sum('rev_n'), rev_m2: sum('rev_m2'),
    supply_m2: sum('supply_m2'), dispose_m2: sum('dispose_m2'), redevelop_m2: sum('redevelop_m2'),
  });
  return {
    year,
    targetPct: REVITALISATION_TARGET_PCT,
    rule: { zh: REVITALISATION_RULE.zh, en: REVITALISATION_RULE.en, sourceZh: REVITALISATION_RULE.sourceZh, sourceEn: REVITALISATION_RULE.sourceEn },
    counties: rows.map((r) => row(r.code, r.name, r.name_en, r)),
    total,
    dataVersion,
  };
}

/** The table as Excel: a county a row, the city total, the rule and its source. */
export async function revitalisationWorkbook(f: RevitalisationResponse): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '一张图';
  wb.title = `${f.year} 年存量建设用地盘活率`;
  const ws = wb.addWorksheet(`${f.year}年盘活率`, { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  const cols = [
    { header: '县区', width: 12 },
    { header: '行政区划代码', width: 12 },
    { header: '年初存量宗数', width: 12 },
    { header: '年初存量面积（亩）', width: 16, fmt: '#,##0.00' },
    { header: '当年盘活宗数', width: 12 },
    { header: '当年盘活面积（亩）', width: 16, fmt: '#,##0.00' },
    { header: '其中供应（亩）', width: 14, fmt: '#,##0.00' },
    { header: '其中闲置土地处置（亩）', width: 16, fmt: '#,##0.00' },
    { header: '其中低效用地再开发（亩）', width: 16, fmt: '#,##0.00' },
    { header: '盘活率（%）', width: 10, fmt: '0.00' },
    { header: `是否达到 ${f.targetPct}%`, width: 12 },
    { header: '距目标尚差（亩）', width: 14, fmt: '#,##0.00' },
  ];
  ws.columns = cols.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, cols.length);
  ws.getCell(1, 1).value = `${f.year} 年度存量建设用地盘活率（目标 ${f.targetPct}%）`;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.addRow([]);
  const header = ws.addRow(cols.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  const add = (r: RevitalisationRow, bold = false) => {
    const x = ws.addRow([
      r.countyName, r.countyCode, r.startCount, roundTo(r.start.mu, 2), r.revitalisedCount, roundTo(r.revitalised.mu, 2),
      roundTo(r.byKind.supply.mu, 2), roundTo(r.byKind.dispose.mu, 2), roundTo(r.byKind.redevelop.mu, 2),
      r.ratePct ?? '—', r.met === null ? '无年初存量' : r.met ? '达标' : '未达标', r.shortfallMu,
    ]);
    cols.forEach((c, i) => c.fmt && (x.getCell(i + 1).numFmt = c.fmt));
    if (bold) x.font = { bold: true };
    if (r.met === false) x.getCell(11).font = { bold, color: { argb: 'FFC92A2A' } };
  };
  for (const r of f.counties) add(r);
  add(f.total, true);
  ws.addRow([]);
  for (const line of [`规则：${f.rule.zh}`, `依据：${f.rule.sourceZh}`, `数据版本：${f.dataVersion}`]) {
    const r = ws.addRow([line]);
    ws.mergeCells(r.number, 1, r.number, cols.length);
    r.getCell(1).alignment = { wrapText: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
