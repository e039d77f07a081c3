/**
 * The stock-land ledger as a workbook in the provincial ledger's layout (存量土地台账; docs/domain.md,
 * "The stock-land ledger"), and the same layout read back for an import:
 * - 台账: one row per parcel — where, what, how large (亩 and 公顷), approval, 入库日期, current
 *   state, and its latest change with the supply or disposal it recorded;
 * - 变动记录: one row per event, oldest first — the ledger's history, the sheet an import reads:
 *   a row with a 记录号 is an event already in the ledger, a row without one is a new event;
 * - 说明: what was exported, when, by whom, and how to fill in new rows.
 * One column table per sheet serves both the writer and the reader, so what is exported can
 * be imported back unchanged.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SINGLE_PARCEL_KINDS, STOCK_EVENT_KIND_LABEL, type StockEventKind } from '../../../../core/ledger.ts';
import type { StockEvent } from '../../../../core/contracts/ledger.ts';
import { roundTo, toAreaUnits } from '../../../../core/units.ts';

export interface LedgerParcelRow {
  code: string;
  name: string;
  countyCode: string;
  countyName: string;
  category: string;
  fourUnStage: string | null;
  plannedUse: string;
  areaM2: number;
  plotRatioMin: number | null;
  plotRatioMax: number | null;
  approvalNo: string | null;
  approvalDate: string | null;
  recordedOn: string;
  status: string;
  refPrice: number | null;
  contactDept: string;
  latest: StockEvent | null;
}

type Cell = string | number | null;
interface Column<T> {
  header: string;
  width: number;
  value: (r: T) => Cell;
  numFmt?: string;
}

const detail = (e: StockEvent | null, key: string): Cell => {
  const v = e?.details[key];
  return v === undefined || v === null ? null : typeof v === 'number' ? v : Array.isArray(v) ? v.join('、') : String(v);
};
const kindZh = (kind: StockEventKind) => STOCK_EVENT_KIND_LABEL[kind].zh;

export const PARCEL_SHEET = '台账';
export const EVENT_SHEET = '变动记录';

export const PARCEL_COLUMNS: Column<LedgerParcelRow & { seq: number }>[] = [
  { header: '序号', width: 7, value: (p) => p.seq },
  { header: '行政区划代码', width: 12, value: (p) => p.countyCode },
  { header: '县（市、区）', width: 12, value: (p) => p.countyName },
  { header: '地块编号', width: 24, value: (p) => p.code },
  { header: '地块名称', width: 28, value: (p) => p.name },
  { header: '存量类型', width: 10, value: (p) => p.category },
  { header: '四未阶段', width: 10, value: (p) => p.fourUnStage },
  { header: '规划用途', width: 12, value: (p) => p.plannedUse },
  { header: '面积（公顷）', width: 12, value: (p) => roundTo(toAreaUnits(p.areaM2).ha, 4), numFmt: '0.0000' },
  { header: '面积（亩）', width: 12, value: (p) => roundTo(toAreaUnits(p.areaM2).mu, 2), numFmt: '#,##0.00' },
  { header: '容积率下限', width: 10, value: (p) => p.plotRatioMin },
  { header: '容积率上限', width: 10, value: (p) => p.plotRatioMax },
  { header: '批准文号', width: 24, value: (p) => p.approvalNo },
  { header: '批准日期', width: 12, value: (p) => p.approvalDate },
  { header: '入库日期', width: 12, value: (p) => p.recordedOn },
  { header: '当前状态', width: 10, value: (p) => p.status },
  { header: '参考价格（万元/亩）', width: 14, value: (p) => p.refPrice },
  { header: '最近变动', width: 14, value: (p) => (p.latest ? kindZh(p.latest.kind) : null) },
  { header: '最近变动日期', width: 12, value: (p) => p.latest?.eventDate ?? null },
  { header: '最近变动文号', width: 24, value: (p) => p.latest?.docNo ?? null },
  { header: '供应方式', width: 10, value: (p) => (p.latest?.kind === 'supply' ? detail(p.latest, 'method') : null) },
  { header: '合同编号', width: 22, value: (p) => detail(p.latest, 'contractNo') },
  { header: '用地单位', width: 26, value: (p) => detail(p.latest, 'landUser') },
  { header: '成交价（万元）', width: 12, value: (p) => detail(p.latest, 'priceWan') },
  { header: '处置方式', width: 14, value: (p) => (p.latest?.kind === 'dispose' ? detail(p.latest, 'method') : null) },
  { header: '联系部门', width: 26, value: (p) => p.contactDept },
];

/** The events sheet: what the import reads back (the headers are its field names). */
export const EVENT_COLUMNS: Column<StockEvent & { countyName: string }>[] = [
  { header: '记录号', width: 9, value: (e) => e.id },
  { header: '地块编号', width: 24, value: (e) => e.parcelCode },
  { header: '县（市、区）', width: 12, value: (e) => e.countyName },
  { header: '变动类型', width: 14, value: (e) => kindZh(e.kind) },
  { header: '变动日期', width: 12, value: (e) => e.eventDate },
  { header: '文号', width: 26, value: (e) => e.docNo },
  { header: '供应或处置方式', width: 14, value: (e) => detail(e, 'method') },
  { header: '合同编号', width: 22, value: (e) => detail(e, 'contractNo') },
  { header: '用地单位', width: 26, value: (e) => detail(e, 'landUser') },
  { header: '成交价（万元）', width: 12, value: (e) => detail(e, 'priceWan') },
  { header: '再开发项目', width: 24, value: (e) => detail(e, 'project') },
  { header: '意向企业', width: 24, value: (e) => detail(e, 'enterprise') },
  { header: '撤回理由', width: 20, value: (e) => detail(e, 'reason') },
  { header: '备注', width: 24, value: (e) => detail(e, 'note') },
  { header: '变动前类型', width: 10, value: (e) => e.categoryBefore },
  { header: '变动前状态', width: 10, value: (e) => e.statusBefore },
  { header: '变动后类型', width: 10, value: (e) => e.categoryAfter },
  { header: '变动后状态', width: 10, value: (e) => e.statusAfter },
  { header: '面积（亩）', width: 12, value: (e) => roundTo(toAreaUnits(e.areaM2).mu, 2), numFmt: '#,##0.00' },
  { header: '登记人', width: 12, value: (e) => e.actorName },
  { header: '登记时间', width: 20, value: (e) => e.createdAt.replace('T', ' ').slice(0, 19) },
];

export interface LedgerWorkbookInput {
  parcels: AsyncIterable<LedgerParcelRow> | Iterable<LedgerParcelRow>;
  events: AsyncIterable<StockEvent & { countyName: string }> | Iterable<StockEvent & { countyName: string }>;
  /** 说明's lines: the filters, who exported and when. */
  notes: string[];
}

/** The workbook, streamed as it is written (a city's ledger is ~100 000 parcels). */
export function ledgerWorkbook(input: LedgerWorkbookInput): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '一张图';
  wb.title = '存量土地台账';
  const sheet = <T>(name: string, columns: Column<T>[]) => {
    const ws = wb.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: 1 }],
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    ws.columns = columns.map((c) => ({ header: c.header, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.commit();
    return ws;
  };
  void (async () => {
    const parcels = sheet(PARCEL_SHEET, PARCEL_COLUMNS);
    let seq = 0;
    for await (const p of input.parcels) parcels.addRow(PARCEL_COLUMNS.map((c) => c.value({ ...p, seq: ++seq }))).commit();
    parcels.commit();
    const events = sheet(EVENT_SHEET, EVENT_COLUMNS);
    for await (const e of input.events) events.addRow(EVENT_COLUMNS.map((c) => c.value(e))).commit();
    events.commit();
    const notes = wb.addWorksheet('说明');
    notes.getColumn(1).width = 120;
    for (const line of [...input.notes, '', ...IMPORT_HELP]) notes.addRow([line]).commit();
    notes.commit();
    await wb.commit();
  })().catch((err: Error) => out.destroy(err));
  return out;
}

const IMPORT_HELP = [
  '导入说明：',
  `“${EVENT_SHEET}”表中有记录号的行是台账中已有的记录，导入时核对不改；没有记录号的行是新的变动，按变动日期先后登记。`,
  `新行须填地块编号、变动类型（${SINGLE_PARCEL_KINDS.map(kindZh).join('、')}）、变动日期（如 2025-06-30）和文号；`,
  '供应须填供应方式（出让、划拨、租赁、先租后让）、合同编号、用地单位，划拨以外填成交价（万元）；闲置土地处置须填处置方式（动工开发、收回、征缴土地闲置费、置换、调整规划条件）；',
  '低效用地再开发填再开发项目；意向填意向企业；撤回意向可填撤回理由。分割、合并须在地图上编辑范围，不能由表格导入。',
  '先试导入（逐行报告可登记、有误和已有的行，不写入），确认后再提交；提交在一个事务中登记全部可登记的行。',
];

// ---------------------------------------------------------------------------------------------
// reading back

/** A row of the events sheet as read: its row number in the sheet and its cells by header. */
export interface SheetRow {
  row: number;
  cells: Record<string, string | number | null>;
}

const cellValue = (v: ExcelJS.CellValue): string | number | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object') {
    if ('result' in v) return cellValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    return null;
  }
  const s = String(v).trim();
  return s === '' ? null : s;
};

export class LedgerSheetError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(zh);
  }
}

/**
 * The events sheet of a ledger workbook, row by row (streamed: the file is not held whole).
 * Throws LedgerSheetError when the workbook has no such sheet or its header lacks a column the
 * import needs.
 */
export async function* readEventSheet(path: string): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', entries: 'emit' });
  let found = false;
  for await (const ws of reader) {
    const name = (ws as unknown as { name: string }).name;
    if (name !== EVENT_SHEET) continue;
    found = true;
    let headers: (string | null)[] | null = null;
    for await (const r of ws as unknown as AsyncIterable<ExcelJS.Row>) {
      const values = (r.values as ExcelJS.CellValue[]).slice(1).map(cellValue);
      if (!headers) {
        headers = values.map((v) => (v === null ? null : String(v)));
        const missing = REQUIRED_HEADERS.filter((h) => !headers!.includes(h));
        if (missing.length) {
          throw new LedgerSheetError(`“${EVENT_SHEET}”表缺少列：${missing.join('、')}`, `The sheet "${EVENT_SHEET}" lacks the columns: ${missing.join(', ')}`);
        }
        continue;
      }
      if (values.every((v) => v === null)) continue;
      const cells: Record<string, string | number | null> = {};
      headers.forEach((h, i) => {
        if (h) cells[h] = values[i] ?? null;
      });
      yield { row: r.number, cells };
    }
  }
  if (!found) throw new LedgerSheetError(`工作簿中没有“${EVENT_SHEET}”表：请用本系统导出的台账填写`, `The workbook has no sheet "${EVENT_SHEET}": fill in a ledger exported from this system`);
}

export const REQUIRED_HEADERS = ['记录号', '地块编号', '变动类型', '变动日期', '文号'];

/** 变动类型 in words → the kind ('供应' → 'supply'); undefined for an unknown word. */
export function kindOfWord(word: string): StockEventKind | undefined {
  const w = word.trim();
  return (Object.keys(STOCK_EVENT_KIND_LABEL) as StockEventKind[]).find((k) => STOCK_EVENT_KIND_LABEL[k].zh === w || STOCK_EVENT_KIND_LABEL[k].en.toLowerCase() === w.toLowerCase() || k === w);
}

/** An Excel serial day number or text as YYYY-MM-DD text (left as given when it is neither). */
export function dayOf(v: string | number | null): string | null {
  if (v === null) return null;
  if (typeof v === 'number') {
    // Excel's day 25569 is 1970-01-01
    const d = new Date(Math.round((v - 25569) * 86_400_000));
    return Number.isNaN(d.getTime()) ? String(v) : d.toISOString().slice(0, 10);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v.trim());
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : v.trim();
}
