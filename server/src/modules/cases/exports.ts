/**
 * Exports of the case list and the county view:
 *
 * - the filtered case list as Excel (streamed), GeoJSON and zipped Shapefile — one column
 *   table (`CASE_COLUMNS`) for the three, with the overlap figures in m² and 亩;
 * - the county table of a year as Excel.
 *
 * The Shapefile's .dbf is GBK (with a .cpg saying so) and its field names are ≤ 10 characters;
 * the .prj is CGCS2000 (EPSG:4490); a 说明.txt lists what each field means.
 */
import { PassThrough, type Readable } from 'node:stream';
import { beijingTime as beijingTimeOf } from '../../../../core/beijing-time.ts';
import { CGCS2000_PRJ } from '../../formats/writers/shapefile.ts';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { CaseStatsResponse, CaseSummary } from '../../../../core/contracts/cases.ts';
import { roundTo } from '../../../../core/units.ts';
import { writeShapefile, type DbfColumn } from '../../formats/writers/shapefile.ts';

/** A case as the exports see it: the summary and the latest comment. */
export type ExportCase = CaseSummary & { comment: string | null };


/**
 * An ISO instant as Beijing time, "2026-11-22 11:58:01".
 *
 * @example beijingTime('2026-11-22T03:58:01.000Z') // '2026-11-22 11:58:01'
 */
export function beijingTime(iso: string | null): string | null {
  if (!iso) return null;
  return beijingTimeOf(iso);
}

const POSITION_ZH = { inside: '边界内', partly: '部分在内', outside: '边界外' } as const;

export interface CaseColumn extends DbfColumn<ExportCase> {
  /** Property name in the GeoJSON. */
  key: string;
  /** Header in Excel and in 说明.txt. */
  zh: string;
  width: number;
  numFmt?: string;
}

const M2 = { type: 'N' as const, length: 14, decimals: 2, width: 14, numFmt: '#,##0.00' };
const MU = { type: 'N' as const, length: 12, decimals: 4, width: 12, numFmt: '#,##0.0000' };

/** Every exported column, in order: GeoJSON key, DBF name (≤ 10), Chinese header, value. */
export const CASE_COLUMNS: CaseColumn[] = [
  { key: 'code', name: 'CODE', zh: '图斑编号', type: 'C', length: 40, decimals: 0, width: 22, value: (c) => c.code },
  { key: 'county_code', name: 'COUNTY', zh: '行政区划代码', type: 'C', length: 6, decimals: 0, width: 12, value: (c) => c.countyCode },
  { key: 'county_name', name: 'COUNTY_ZH', zh: '县区', type: 'C', length: 20, decimals: 0, width: 10, value: (c) => c.countyName },
  { key: 'township_code', name: 'TOWN', zh: '乡镇代码', type: 'C', length: 9, decimals: 0, width: 12, value: (c) => c.township?.code ?? null },
  { key: 'township_name', name: 'TOWN_ZH', zh: '乡镇', type: 'C', length: 40, decimals: 0, width: 12, value: (c) => c.township?.name ?? null },
  { key: 'source', name: 'SOURCE', zh: '线索来源', type: 'C', length: 8, decimals: 0, width: 8, value: (c) => c.source },
  { key: 'detected_on', name: 'DETECTED', zh: '发现日期', type: 'D', length: 8, decimals: 0, width: 12, value: (c) => c.detectedOn },
  { key: 'status', name: 'STATUS', zh: '核查状态', type: 'C', length: 12, decimals: 0, width: 12, value: (c) => c.status },
  { key: 'area_m2', name: 'AREA_M2', zh: '图斑面积（平方米）', ...M2, value: (c) => roundTo(c.area.m2, 2) },
  { key: 'area_mu', name: 'AREA_MU', zh: '图斑面积（亩）', ...MU, value: (c) => roundTo(c.area.mu, 4) },
  { key: 'permanent_farmland_m2', name: 'PF_M2', zh: '占永久基本农田（平方米）', ...M2, value: (c) => roundTo(c.overlaps.permanentFarmland.m2, 2) },
  { key: 'permanent_farmland_mu', name: 'PF_MU', zh: '占永久基本农田（亩）', ...MU, value: (c) => roundTo(c.overlaps.permanentFarmland.mu, 4) },
  { key: 'general_farmland_m2', name: 'GF_M2', zh: '占一般耕地（平方米）', ...M2, value: (c) => roundTo(c.overlaps.generalFarmland.m2, 2) },
  { key: 'general_farmland_mu', name: 'GF_MU', zh: '占一般耕地（亩）', ...MU, value: (c) => roundTo(c.overlaps.generalFarmland.mu, 4) },
  { key: 'farmland_mu', name: 'FARM_MU', zh: '占耕地合计（亩）', ...MU, value: (c) => roundTo(c.overlaps.farmland.mu, 4) },
  { key: 'eco_redline_m2', name: 'RL_M2', zh: '占生态保护红线（平方米）', ...M2, value: (c) => roundTo(c.overlaps.ecoRedline.m2, 2) },
  { key: 'eco_redline_mu', name: 'RL_MU', zh: '占生态保护红线（亩）', ...MU, value: (c) => roundTo(c.overlaps.ecoRedline.mu, 4) },
  { key: 'stock_land_m2', name: 'STOCK_M2', zh: '位于存量土地（平方米）', ...M2, value: (c) => roundTo(c.overlaps.stockLand.m2, 2) },
  { key: 'on_stock_land', name: 'ON_STOCK', zh: '是否位于存量土地', type: 'C', length: 2, decimals: 0, width: 10, value: (c) => (c.overlaps.onStockLand ? '是' : '否') },
  { key: 'urban_boundary_share', name: 'UDB_SHARE', zh: '城镇开发边界内比例', type: 'N', length: 8, decimals: 4, width: 12, numFmt: '0.00%', value: (c) => roundTo(c.overlaps.urbanBoundaryShare, 4) },
  { key: 'urban_boundary_position', name: 'UDB_POS', zh: '与城镇开发边界关系', type: 'C', length: 8, decimals: 0, width: 12, value: (c) => POSITION_ZH[c.overlaps.urbanBoundaryPosition] },
  { key: 'approval_no', name: 'APPROVALNO', zh: '批准文号', type: 'C', length: 64, decimals: 0, width: 24, value: (c) => c.approvalNo },
  { key: 'decided_by', name: 'DECIDED_BY', zh: '核查人', type: 'C', length: 50, decimals: 0, width: 10, value: (c) => c.decidedBy },
  { key: 'decided_at', name: 'DECIDED_AT', zh: '核查时间（北京时间）', type: 'C', length: 19, decimals: 0, width: 20, value: (c) => beijingTime(c.decidedAt) },
  { key: 'comment', name: 'COMMENT', zh: '核查意见', type: 'C', length: 254, decimals: 0, width: 40, value: (c) => c.comment },
  { key: 'version', name: 'VERSION', zh: '版本', type: 'N', length: 6, decimals: 0, width: 6, value: (c) => c.version },
];

/** The filtered cases as an .xlsx workbook with one sheet 违法占地图斑, streamed as it is written. */
export function casesWorkbook(rows: ExportCase[], title: string): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '一张图';
  wb.title = title;
  const ws = wb.addWorksheet('违法占地图斑', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = CASE_COLUMNS.map((c) => ({ header: c.zh, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  void (async () => {
    for (const r of rows) ws.addRow(CASE_COLUMNS.map((c) => c.value(r))).commit();
    ws.commit();
    await wb.commit();
  })().catch((err: Error) => out.destroy(err));
  return out;
}

type Geo = { type: string; coordinates: unknown[] };

/** The filtered cases as a GeoJSON FeatureCollection (EPSG:4490), the columns as properties. */
export function casesGeoJson(rows: { c: ExportCase; geometry: Geo }[], name: string): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    name,
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } },
    features: rows.map(({ c, geometry }) => ({
      type: 'Feature',
      id: c.id,
      geometry,
      properties: Object.fromEntries(CASE_COLUMNS.map((col) => [col.key, col.value(c)])),
    })),
  });
}

/** The filtered cases as a zipped Shapefile `cases.*` (GBK .dbf, .cpg, .prj) with 说明.txt. */
export async function casesShapefileZip(rows: { c: ExportCase; geometry: Geo }[], filters: string, now = new Date()): Promise<Buffer> {
  const zip = new JSZip();
  const { shp, shx, dbf } = writeShapefile(rows.map((r) => ({ geometry: r.geometry, row: r.c })), CASE_COLUMNS, now);
  zip.file('cases.shp', shp, { date: now, binary: true });
  zip.file('cases.shx', shx, { date: now, binary: true });
  zip.file('cases.dbf', dbf, { date: now, binary: true });
  zip.file('cases.prj', CGCS2000_PRJ, { date: now });
  zip.file('cases.cpg', 'GBK', { date: now });
  const readme = [
    '违法占地图斑 — Shapefile 导出',
    `导出时间：${beijingTime(now.toISOString())}（北京时间）`,
    `筛选条件：${filters || '（全部）'}`,
    `图斑数：${rows.length}`,
    '坐标系：CGCS2000 经纬度（EPSG:4490）；属性表编码 GBK（见 .cpg）；面积为 CGCS2000 椭球面积，占用面积在图斑入库时按与选址套核相同的方法计算。',
    '乡镇：占图斑面积最大的乡镇级行政区（按导出时的乡镇界线）。核查意见超过 254 字节的部分在 .dbf 中截断（Excel 与 GeoJSON 导出为全文）。',
    '',
    '字段：',
    ...CASE_COLUMNS.map((c) => `${c.name.padEnd(10)}\t${c.zh}`),
  ];
  zip.file('说明.txt', '\ufeff' + readme.join('\r\n') + '\r\n', { date: now });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'DOS' });
}

const STANDING_ZH = { over: '扣减指标', close: '需关注', ok: '正常' } as const;

/**
 * Why a county stands as it does, in words: the clauses it breaches (over) or is at risk under
 * (close) — "超过 20 亩；未按期整改 2 宗" or "年内待整改 3 宗（最近期限 2026-12-15）".
 *
 * @example standingReasonZh(c, stats) // '未按期整改 1 宗（其中次年整改 1 宗）'
 */
export function standingReasonZh(c: CaseStatsResponse['counties'][number], stats: Pick<CaseStatsResponse, 'thresholds' | 'rectifyBy'>): string {
  const limit = stats.thresholds.limitMu;
  const parts: string[] = [];
  if (c.breaches.includes('farmland')) parts.push(`超过 ${limit} 亩`);
  if (c.breaches.includes('rectification')) parts.push(`未按期整改 ${c.unrectified} 宗${c.rectifiedLate ? `（其中次年整改 ${c.rectifiedLate} 宗）` : ''}`);
  if (c.warnings.includes('farmland')) parts.push(`接近 ${limit} 亩`);
  if (c.warnings.includes('rectification')) {
    parts.push(`${c.unrectified} 宗须在 ${stats.rectifyBy} 前完成整改${c.earliestDeadline ? `（最近期限 ${c.earliestDeadline}${c.overdue ? `，已逾期 ${c.overdue} 宗` : ''}）` : ''}`);
  }
  return parts.join('；');
}

/** The county table of a year as Excel: one row a county, the city total, the rule and its source. */
export async function statsWorkbook(stats: CaseStatsResponse): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '一张图';
  wb.title = `${stats.year} 年违法占地县区统计`;
  const ws = wb.addWorksheet(`${stats.year}年县区统计`, {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const cols = [
    { header: '县区', width: 10 },
    { header: '行政区划代码', width: 12 },
    { header: '发现图斑数', width: 10 },
    { header: '待核查（含需实地核查）', width: 14 },
    { header: '需实地核查', width: 10 },
    { header: '认定违法占用', width: 12 },
    { header: '违法占用耕地（亩）', width: 14, fmt: '#,##0.00' },
    { header: '其中永久基本农田（亩）', width: 14, fmt: '#,##0.00' },
    { header: '违法占用生态保护红线（亩）', width: 16, fmt: '#,##0.00' },
    { header: '其中占用耕地的违法图斑', width: 12 },
    { header: `未于 12 月 31 日前整改（宗）`, width: 14 },
    { header: '未按期整改的耕地（亩）', width: 14, fmt: '#,##0.00' },
    { header: '其中次年才整改（宗）', width: 12 },
    { header: '状态', width: 10 },
    { header: '原因', width: 36 },
    { header: '扣减下一年度指标（亩）', width: 14 },
    { header: `距 ${stats.thresholds.limitMu} 亩阈值（亩）`, width: 14, fmt: '#,##0.00' },
  ];
  const STANDING_COL = cols.findIndex((c) => c.header === '状态') + 1;
  ws.columns = cols.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, cols.length);
  const title = ws.getCell(1, 1);
  title.value = `${stats.year} 年度违法占地县区统计（按发现日期；${stats.yearClosed ? '年度已结束' : `截至 ${stats.asOf}，年度未结束`}）`;
  title.font = { bold: true, size: 14 };
  ws.addRow([]);
  const header = ws.addRow(cols.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  const fmt = (row: ExcelJS.Row) => cols.forEach((c, i) => c.fmt && (row.getCell(i + 1).numFmt = c.fmt));
  for (const c of stats.counties) {
    const row = ws.addRow([
      c.countyName,
      c.countyCode,
      c.cases,
      c.pending,
      c.fieldCheck,
      c.illegal,
      roundTo(c.illegalFarmland.mu, 2),
      roundTo(c.illegalPermanentFarmland.mu, 2),
      roundTo(c.illegalEcoRedline.mu, 2),
      c.illegalOnFarmland,
      c.unrectified,
      roundTo(c.unrectifiedFarmland.mu, 2),
      c.rectifiedLate,
      STANDING_ZH[c.standing],
      standingReasonZh(c, stats) || null,
      c.quotaPenaltyMu,
      roundTo(c.headroomMu, 2),
    ]);
    fmt(row);
    if (c.standing !== 'ok') row.getCell(STANDING_COL).font = { bold: true, color: { argb: c.standing === 'over' ? 'FFC92A2A' : 'FFE8590C' } };
  }
  const t = stats.total;
  const total = ws.addRow([
    t.countyName,
    t.countyCode,
    t.cases,
    t.pending,
    t.fieldCheck,
    t.illegal,
    roundTo(t.illegalFarmland.mu, 2),
    roundTo(t.illegalPermanentFarmland.mu, 2),
    roundTo(t.illegalEcoRedline.mu, 2),
    t.illegalOnFarmland,
    t.unrectified,
    roundTo(t.unrectifiedFarmland.mu, 2),
    t.rectifiedLate,
    `扣减 ${t.countiesOver} 个，需关注 ${t.countiesClose} 个`,
    `超过 ${stats.thresholds.limitMu} 亩的县区 ${t.countiesOverLimit} 个；有未按期整改图斑的县区 ${t.countiesUnrectified} 个`,
    t.quotaPenaltyMu,
    null,
  ]);
  total.font = { bold: true };
  fmt(total);
  ws.addRow([]);
  ws.addRow([`规则：${stats.thresholds.ruleZh}`]);
  ws.addRow([`依据：${stats.thresholds.sourceZh}`]);
  ws.addRow([
    stats.yearClosed
      ? `${stats.year} 年度已结束：未于 ${stats.rectifyBy} 前完成整改的图斑（含次年才整改的）计入未按期整改，扣减指标。`
      : `${stats.year} 年度尚未结束（截至 ${stats.asOf}）：尚未整改的图斑须在 ${stats.rectifyBy} 前完成整改，年内完成即不扣减。`,
  ]);
  ws.addRow(['面积为 CGCS2000 椭球面积，1 亩 = 10 000 / 15 平方米。']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
