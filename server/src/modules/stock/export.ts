/**
 * The filtered stock-parcel list as a file: every row the filters select (no paging), in
 * the query's order, as Excel (.xlsx, streamed) or CSV (UTF-8 with BOM, so Excel opens the
 * Chinese headers). One column table for both.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { roundTo } from '../../../../core/units.ts';
import type { StockParcelSummary } from './repo.ts';

interface Column {
  header: string;
  width: number;
  value: (p: StockParcelSummary) => string | number | null;
  numFmt?: string;
}

export const EXPORT_COLUMNS: Column[] = [
  { header: '地块编号', width: 22, value: (p) => p.code },
  { header: '地块名称', width: 30, value: (p) => p.name },
  { header: '县区', width: 10, value: (p) => p.countyName },
  { header: '行政区划代码', width: 12, value: (p) => p.countyCode },
  { header: '存量类型', width: 10, value: (p) => p.category },
  { header: '四未阶段', width: 10, value: (p) => p.fourUnStage },
  { header: '规划用途', width: 14, value: (p) => p.plannedUse },
  { header: '面积（亩）', width: 12, value: (p) => roundTo(p.area.mu, 2), numFmt: '#,##0.00' },
  { header: '面积（公顷）', width: 12, value: (p) => roundTo(p.area.ha, 4), numFmt: '0.0000' },
  { header: '面积（平方米）', width: 14, value: (p) => roundTo(p.area.m2, 2), numFmt: '#,##0.00' },
  { header: '容积率下限', width: 10, value: (p) => p.plotRatioMin },
  { header: '容积率上限', width: 10, value: (p) => p.plotRatioMax },
  { header: '批准文号', width: 24, value: (p) => p.approvalNo },
  { header: '批准日期', width: 12, value: (p) => p.approvalDate },
  { header: '供应状态', width: 10, value: (p) => p.status },
  { header: '参考价格（万元/亩）', width: 14, value: (p) => p.refPrice },
  { header: '所在园区', width: 20, value: (p) => p.zoneName },
  { header: '联系部门', width: 30, value: (p) => p.contactDept },
  { header: '中心点经度', width: 12, value: (p) => roundTo(p.center[0], 7) },
  { header: '中心点纬度', width: 12, value: (p) => roundTo(p.center[1], 7) },
  { header: '距选定点（米）', width: 12, value: (p) => (p.distanceM === null ? null : roundTo(p.distanceM, 1)) },
];

const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV, one line per parcel after the header, CRLF line ends, UTF-8 with BOM. */
export function stockCsv(rows: StockParcelSummary[]): Readable {
  return Readable.from(
    (function* () {
      yield '\uFEFF' + EXPORT_COLUMNS.map((c) => csvCell(c.header)).join(',') + '\r\n';
      for (const p of rows) yield EXPORT_COLUMNS.map((c) => csvCell(c.value(p))).join(',') + '\r\n';
    })(),
  );
}

/** An .xlsx workbook with one sheet 存量地块, streamed as it is written. */
export function stockWorkbook(rows: StockParcelSummary[], title: string): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '一张图';
  wb.title = title;
  const ws = wb.addWorksheet('存量地块', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  void (async () => {
    for (const p of rows) ws.addRow(EXPORT_COLUMNS.map((c) => c.value(p))).commit();
    ws.commit();
    await wb.commit();
  })().catch((err: Error) => out.destroy(err));
  return out;
}
