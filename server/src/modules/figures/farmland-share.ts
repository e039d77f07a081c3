/**
 * The yearly farmland share of new construction land per county (占耕比, core/farmland-share.ts),
 * read from the approvals of site checks (site_check_approval, migration 0022): the checks
 * approved during the year by approval date (a Beijing calendar day), each counted in the county
 * holding its site's largest part, with the site's area and its permanent and general farmland as
 * the check measured them — the approval keeps those figures from the check's report.
 */
import ExcelJS from 'exceljs';
import type { FarmlandShareResponse, FarmlandShareRow } from '../../../../core/contracts/figures.ts';
import { PROVINCE, inScope, totalDivision } from '../../../../core/divisions.ts';
import { describeScope } from '../auth/scope.ts';
import { FARMLAND_SHARE_PENALTY_MU, FARMLAND_SHARE_REWARD_MU, FARMLAND_SHARE_RULE, farmlandShareStanding } from '../../../../core/farmland-share.ts';
import { roundTo, toAreaUnits } from '../../../../core/units.ts';
import type { Queryable } from '../../db/database.ts';
import { readDataVersions } from '../data-version/service.ts';

const COUNTIES_SQL = `
WITH a AS (
  SELECT county_code, count(*)::int AS n, sum(site_m2) AS site_m2, sum(permanent_farmland_m2) AS pf_m2, sum(general_farmland_m2) AS gf_m2
    FROM site_check_approval WHERE approved_on >= $1::date AND approved_on < $2::date GROUP BY county_code
)
SELECT c.code, c.name, c.name_en, coalesce(a.n, 0) AS n, coalesce(a.site_m2, 0) AS site_m2, coalesce(a.pf_m2, 0) AS pf_m2, coalesce(a.gf_m2, 0) AS gf_m2
  FROM admin_county c LEFT JOIN a ON a.county_code = c.code
 ORDER BY c.code`;

const APPROVALS_SQL = `
SELECT a.check_id, s.name, a.approval_no, a.approved_on::text AS approved_on, a.county_code, a.site_m2, a.permanent_farmland_m2 + a.general_farmland_m2 AS farmland_m2
  FROM site_check_approval a JOIN site_check s ON s.id = a.check_id
 WHERE a.approved_on >= $1::date AND a.approved_on < $2::date
 ORDER BY a.approved_on, a.created_at, a.check_id`;

interface Sums {
  n: number;
  site_m2: number;
  pf_m2: number;
  gf_m2: number;
}

function row(code: string, name: string, nameEn: string, s: Sums, averagePct: number): FarmlandShareRow {
  const site = Number(s.site_m2);
  const pf = Number(s.pf_m2);
  const gf = Number(s.gf_m2);
  return {
    countyCode: code,
    countyName: name,
    countyNameEn: nameEn || name,
    approvedCount: Number(s.n),
    newLand: toAreaUnits(site),
    farmland: toAreaUnits(pf + gf),
    permanentFarmland: toAreaUnits(pf),
    generalFarmland: toAreaUnits(gf),
    ...farmlandShareStanding(site, pf + gf, averagePct),
  };
}

/** The year's farmland share of the counties in `scope` (auth/scope.ts), their total and the approvals counted. */
export async function farmlandShareFigures(db: Queryable, year: number, averagePct: number, scope: string = PROVINCE.code): Promise<FarmlandShareResponse> {
  const range = [`${year}-01-01`, `${year + 1}-01-01`];
  const rows = (await db.query<Sums & { code: string; name: string; name_en: string }>(COUNTIES_SQL, range)).filter((r) => inScope(scope, r.code));
  const counties = rows.map((r) => row(r.code, r.name, r.name_en, r, averagePct));
  const sum = (k: keyof Sums) => rows.reduce((a, r) => a + Number(r[k]), 0);
  const area = await describeScope(db, totalDivision(scope, rows.map((r) => r.code)));
  const totalName = area.level === 'province' ? ['全省', 'Province'] : area.level === 'city' ? ['全市', 'City'] : [area.name, area.nameEn];
  const total = {
    ...row('', totalName[0]!, totalName[1]!, { n: sum('n'), site_m2: sum('site_m2'), pf_m2: sum('pf_m2'), gf_m2: sum('gf_m2') }, averagePct),
    // the consequence is the counties'; the city's is their net
    quotaMu: counties.reduce((a, c) => a + c.quotaMu, 0),
  };
  const approvals = (await db.query<{ check_id: string; name: string | null; approval_no: string; approved_on: string; county_code: string; site_m2: number; farmland_m2: number }>(APPROVALS_SQL, range)).filter((a) =>
    inScope(scope, a.county_code),
  );
  return {
    year,
    averagePct,
    rewardMu: FARMLAND_SHARE_REWARD_MU,
    penaltyMu: FARMLAND_SHARE_PENALTY_MU,
    rule: { zh: FARMLAND_SHARE_RULE.zh, en: FARMLAND_SHARE_RULE.en, sourceZh: FARMLAND_SHARE_RULE.sourceZh, sourceEn: FARMLAND_SHARE_RULE.sourceEn },
    counties,
    total,
    approvals: approvals.map((a) => ({
      checkId: a.check_id,
      name: a.name,
      approvalNo: a.approval_no,
      approvedOn: a.approved_on,
      countyCode: a.county_code,
      newLand: toAreaUnits(Number(a.site_m2)),
      farmland: toAreaUnits(Number(a.farmland_m2)),
    })),
    dataVersion: (await readDataVersions(db)).overall,
  };
}

const standingWord = (r: FarmlandShareRow) =>
  r.standing === null ? '当年无批准的新增建设用地' : r.standing === 'below' ? '低于全省平均' : r.standing === 'above' ? '高于全省平均' : '等于全省平均';
const quotaWord = (mu: number) => (mu > 0 ? `+${mu}` : String(mu));

/** The table as Excel: a county a row, the city total, the rule and its source; the approvals counted on a second sheet. */
export async function farmlandShareWorkbook(f: FarmlandShareResponse): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '一张图';
  wb.title = `${f.year} 年新增建设用地占耕比`;
  const ws = wb.addWorksheet(`${f.year}年占耕比`, { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  const cols = [
    { header: '县区', width: 12 },
    { header: '行政区划代码', width: 12 },
    { header: '批准选址（个）', width: 12 },
    { header: '新增建设用地（亩）', width: 16, fmt: '#,##0.00' },
    { header: '占用耕地（亩）', width: 14, fmt: '#,##0.00' },
    { header: '其中永久基本农田（亩）', width: 16, fmt: '#,##0.00' },
    { header: '其中一般耕地（亩）', width: 14, fmt: '#,##0.00' },
    { header: '占耕比（%）', width: 10, fmt: '0.00' },
    { header: `对照全省平均 ${f.averagePct}%`, width: 16 },
    { header: '下一年度指标（亩）', width: 14 },
  ];
  ws.columns = cols.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, cols.length);
  ws.getCell(1, 1).value = `${f.year} 年度新增建设用地占耕比（全省平均 ${f.averagePct}%）`;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.addRow([]);
  const header = ws.addRow(cols.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  const add = (r: FarmlandShareRow, bold = false) => {
    const x = ws.addRow([
      r.countyName, r.countyCode, r.approvedCount, roundTo(r.newLand.mu, 2), roundTo(r.farmland.mu, 2), roundTo(r.permanentFarmland.mu, 2), roundTo(r.generalFarmland.mu, 2),
      r.sharePct ?? '—', standingWord(r), r.standing === null && !bold ? '—' : quotaWord(r.quotaMu),
    ]);
    cols.forEach((c, i) => c.fmt && (x.getCell(i + 1).numFmt = c.fmt));
    if (bold) x.font = { bold: true };
    if (r.standing === 'above') x.getCell(9).font = { bold, color: { argb: 'FFC92A2A' } };
  };
  for (const r of f.counties) add(r);
  add(f.total, true);
  ws.addRow([]);
  for (const line of [`规则：${f.rule.zh}`, `依据：${f.rule.sourceZh}`, `全省平均占耕比：${f.averagePct}%（服务器设置 FARMLAND_SHARE_PROVINCIAL_PCT）`, `数据版本：${f.dataVersion}`]) {
    const r = ws.addRow([line]);
    ws.mergeCells(r.number, 1, r.number, cols.length);
    r.getCell(1).alignment = { wrapText: true };
  }

  const list = wb.addWorksheet('批准选址', { views: [{ state: 'frozen', ySplit: 1 }] });
  list.columns = [
    { header: '批准日期', width: 12 },
    { header: '批准文号', width: 22 },
    { header: '项目名称', width: 28 },
    { header: '县区代码', width: 10 },
    { header: '新增建设用地（亩）', width: 16 },
    { header: '占用耕地（亩）', width: 14 },
    { header: '套核报告编号', width: 38 },
  ];
  list.getRow(1).font = { bold: true };
  for (const a of f.approvals) {
    const x = list.addRow([a.approvedOn, a.approvalNo, a.name ?? '', a.countyCode, roundTo(a.newLand.mu, 2), roundTo(a.farmland.mu, 2), a.checkId]);
    x.getCell(5).numFmt = '#,##0.00';
    x.getCell(6).numFmt = '#,##0.00';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
