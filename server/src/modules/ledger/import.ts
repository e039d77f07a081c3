/**
 * Importing the ledger's workbook back (台账导入; docs/domain.md, "The stock-land ledger"), on the
 * app's job queue (layer-admin/service.ts: a job of kind `ledger-import` in layer_job — claimed by
 * one instance, its progress in the row, cancellable, taken back after a restart):
 *
 * 1. **Check** (phases reading → checking, then `ready` for a trial run): the upload's
 *    变动记录 sheet (workbook.ts) is read row by row. A row with a 记录号 must be that event as
 *    the ledger holds it (parcel, kind, date, document number): it is reported `recorded` and left
 *    alone — the ledger is append-only, an altered row is `invalid`. A row without one is a new
 *    event: its cells become the same request the parcel page sends (StockEventRequest, so the
 *    same refusals in the same words), then the new rows are played in date order (file order
 *    within a day) over the parcels' current states with the ledger's own transitions and date
 *    rules (core/ledger.ts, service.ts) — a row is `ok` only if it could be recorded after the
 *    rows before it. A trial run waits at `ready` with its report.
 * 2. **Commit** (phase replacing), from the checked rows — no second upload: in one transaction,
 *    which also writes the job's outcome, each `ok` row is recorded through recordStockEvent, in
 *    the same order; if the ledger moved since the trial and a row is refused now, the job fails
 *    naming the row and nothing is written.
 */
import { rm } from 'node:fs/promises';
import { beijingToday } from '../../../../core/beijing-time.ts';
import { stockTransition, SINGLE_PARCEL_KINDS, STOCK_EVENT_KIND_LABEL, type SingleParcelKind } from '../../../../core/ledger.ts';
import { StockEventRequest, type LedgerImportJob, type LedgerImportReport, type LedgerImportRow } from '../../../../core/contracts/ledger.ts';
import { issueMessage } from '../../../../core/validation-messages.ts';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { Cancelled, uploadStillHere, type Actor, type JobKind, type JobRow, type JobRun, type LayerJobs } from '../layer-admin/service.ts';
import { recordStockEvent } from './service.ts';
import { dayOf, kindOfWord, LedgerSheetError, readEventSheet, type SheetRow } from './workbook.ts';

export const LEDGER_IMPORT_KIND = 'ledger-import';
/** New events one workbook may carry (a year's changes of a county, and more). */
export const MAX_NEW_EVENTS = 20_000;
export const MAX_LEDGER_FILE_BYTES = 64 * 1024 * 1024;

export interface LedgerImportInput {
  fileName: string;
  path: string;
  bytes: number;
  host: string;
  /** Commit straight after the check (dryRun=false), or after a trial run was confirmed. */
  commit: boolean;
}

/** A new event checked ok: what the commit records, in this order. */
interface Pending {
  row: number;
  request: StockEventRequest & { parcelCode: string };
}
type Summary = LedgerImportReport & { pending: Pending[] };

const ROUTE = '/api/stock-parcels/:code/events';
const str = (v: string | number | null | undefined) => (v === null || v === undefined ? undefined : String(v).trim() || undefined);
const num = (v: string | number | null | undefined) => {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).replace(/,/g, ''));
  return Number.isFinite(n) ? n : (v as unknown as number);
};

/** A new row's cells as the parcel page's request, or its problems in both languages. */
function requestOf(cells: SheetRow['cells']): { ok: true; request: Pending['request'] } | { ok: false; zh: string; en: string } {
  const code = str(cells['地块编号']);
  if (!code) return { ok: false, zh: '地块编号为必填项', en: 'Parcel code is required' };
  const word = str(cells['变动类型']);
  const kind = word ? kindOfWord(word) : undefined;
  if (!kind) {
    const allowed = SINGLE_PARCEL_KINDS.map((k) => STOCK_EVENT_KIND_LABEL[k]);
    return { ok: false, zh: `变动类型只能是：${allowed.map((a) => a.zh).join('、')}`, en: `The change must be one of: ${allowed.map((a) => a.en).join(', ')}` };
  }
  if (!(SINGLE_PARCEL_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, zh: '分割、合并须在地图上编辑地块范围，不能由表格导入', en: 'Splits and merges edit the parcels’ geometry on the map; they cannot be imported from a sheet' };
  }
  const details: Record<string, unknown> = {};
  const put = (key: string, v: unknown) => {
    if (v !== undefined) details[key] = v;
  };
  const k = kind as SingleParcelKind;
  if (k === 'supply' || k === 'dispose') put('method', str(cells['供应或处置方式']));
  if (k === 'supply') {
    put('contractNo', str(cells['合同编号']));
    put('landUser', str(cells['用地单位']));
    put('priceWan', num(cells['成交价（万元）']));
  }
  if (k === 'redevelop') put('project', str(cells['再开发项目']));
  if (k === 'intent') put('enterprise', str(cells['意向企业']));
  if (k === 'intent-withdrawn') put('reason', str(cells['撤回理由']));
  const body = { kind: k, eventDate: dayOf(cells['变动日期'] ?? null) ?? undefined, docNo: str(cells['文号']), note: str(cells['备注']), details };
  const parsed = StockEventRequest.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3);
    return {
      ok: false,
      zh: issues.map((i) => issueMessage(i as never, 'zh', ROUTE)).join('；'),
      en: issues.map((i) => issueMessage(i as never, 'en', ROUTE)).join('; '),
    };
  }
  return { ok: true, request: { ...parsed.data, parcelCode: code } };
}

interface ParcelNow {
  code: string;
  category: string;
  status: string;
  recorded_on: string;
  latest: string | null;
}

export class LedgerImports implements JobKind {
  constructor(
    private readonly db: Database,
    private readonly jobs: LayerJobs,
  ) {
    jobs.register(LEDGER_IMPORT_KIND as JobRow['kind'], this);
  }

  start(input: Omit<LedgerImportInput, 'host'>, actor: Actor): Promise<JobRow> {
    return this.jobs.enqueue(LEDGER_IMPORT_KIND as JobRow['kind'], 'stock-parcel', 'reading', input, actor, 0);
  }

  async get(id: string): Promise<JobRow | null> {
    const job = await this.jobs.get(id);
    return job && (job.kind as string) === LEDGER_IMPORT_KIND ? job : null;
  }

  async commit(id: string, actor: Actor): Promise<JobRow> {
    const job = await this.get(id);
    if (!job) throw notFound(id);
    const input = job.input as unknown as LedgerImportInput;
    if (job.phase !== 'ready' || input.commit) {
      throw new AppError(409, 'IMPORT_NOT_READY', '导入任务不在“试导入完成”状态，不能提交：请重新试导入', `The import job is ${job.phase}; it cannot be committed — run the trial import again`);
    }
    const next = await this.jobs.proceed(id, { commit: true }, actor);
    if (!next) throw new AppError(409, 'IMPORT_NOT_READY', '导入任务已不在等待提交', 'The import job no longer waits to be committed');
    return next;
  }

  cancel(id: string): Promise<JobRow> {
    return this.jobs.cancel(id);
  }

  view(r: JobRow, lang: 'zh' | 'en'): LedgerImportJob {
    const input = r.input as unknown as LedgerImportInput;
    const live = this.jobs.live(r);
    const summary = r.summary as unknown as Summary | null;
    const report = summary && (r.phase === 'ready' || r.phase === 'done') ? (({ pending: _p, ...rest }) => rest)(summary) : null;
    return {
      jobId: r.id,
      phase: live?.phase ?? r.phase,
      done: live?.done ?? r.done,
      total: live?.total ?? r.total,
      fileName: input.fileName,
      dryRun: !input.commit,
      startedAt: new Date(r.created_at).toISOString(),
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      error: r.error ? { code: r.error.code, message: lang === 'zh' ? r.error.message : r.error.en } : null,
      report,
    };
  }

  failed(detail: string) {
    return { code: 'IMPORT_FAILED', message: `台账导入失败，未登记任何变动：${detail}`, en: `The ledger import failed and recorded nothing: ${detail}` };
  }
  cancelled = { code: 'CANCELLED', message: '台账导入已取消，未登记任何变动', en: 'The ledger import was cancelled; nothing was recorded' };

  /** A job that failed or was cancelled leaves no upload behind. */
  async ended(row: JobRow): Promise<void> {
    await rm((row.input as unknown as LedgerImportInput).path, { force: true }).catch(() => undefined);
  }

  async run(job: JobRun): Promise<void> {
    if (job.row.phase === 'reading' || job.row.phase === 'checking') await this.check(job);
    if (job.phase === 'replacing') await this.commitChecked(job);
  }

  private async check(job: JobRun): Promise<void> {
    const { row } = job;
    const input = row.input as unknown as LedgerImportInput;
    await uploadStillHere(input);
    job.set('reading', 0, 0);
    await job.step('read');
    const rows: SheetRow[] = [];
    try {
      for await (const r of readEventSheet(input.path)) {
        job.checkpoint();
        rows.push(r);
        if (rows.length % 1000 === 0) job.set('reading', rows.length, 0);
      }
    } catch (e) {
      if (e instanceof LedgerSheetError) throw new AppError(422, 'LEDGER_SHEET', e.zh, e.en);
      if (e instanceof Cancelled) throw e;
      throw new AppError(422, 'LEDGER_FILE_UNREADABLE', `文件“${input.fileName}”不是可读的 Excel 工作簿（.xlsx）`, `The file "${input.fileName}" is not a readable Excel workbook (.xlsx)`);
    }
    job.set('checking', 0, rows.length);
    const items: LedgerImportRow[] = [];
    const invalid = (r: SheetRow, zh: string, en: string, extra: Partial<LedgerImportRow> = {}) =>
      items.push({ row: r.row, status: 'invalid', parcelCode: str(r.cells['地块编号']) ?? null, kind: null, eventDate: null, reasonZh: zh, reasonEn: en, ...extra });

    // rows already in the ledger: the same event, unaltered
    const existing = rows.filter((r) => r.cells['记录号'] !== null && r.cells['记录号'] !== undefined);
    const ids = existing.map((r) => Number(r.cells['记录号'])).filter((n) => Number.isInteger(n) && n > 0);
    const known = new Map<number, { parcel_code: string; kind: string; event_date: string; doc_no: string }>();
    for (let i = 0; i < ids.length; i += 5000) {
      const got = await this.db.query<{ id: number; parcel_code: string; kind: string; event_date: string; doc_no: string }>(
        'SELECT id, parcel_code, kind, event_date::text AS event_date, doc_no FROM stock_event WHERE id = ANY($1::bigint[])',
        [ids.slice(i, i + 5000)],
      );
      for (const g of got) known.set(Number(g.id), g);
    }
    let recorded = 0;
    for (const r of existing) {
      const id = Number(r.cells['记录号']);
      const e = known.get(id);
      const same =
        e &&
        e.parcel_code === str(r.cells['地块编号']) &&
        STOCK_EVENT_KIND_LABEL[e.kind as SingleParcelKind]?.zh === str(r.cells['变动类型']) &&
        e.event_date === dayOf(r.cells['变动日期'] ?? null) &&
        e.doc_no === str(r.cells['文号']);
      if (same) recorded++;
      else if (!e) invalid(r, `记录号 ${r.cells['记录号']} 不在台账中：新的变动请留空记录号`, `Record ${r.cells['记录号']} is not in the ledger: leave the record number empty for a new change`);
      else invalid(r, `记录号 ${id} 与台账中的记录不符：台账记录只增不改，更正请登记新的变动`, `Record ${id} differs from the ledger: the ledger is append-only; record a new change to correct it`);
    }

    // new rows: as requests, then played in date order over the parcels' states
    const fresh = rows.filter((r) => r.cells['记录号'] === null || r.cells['记录号'] === undefined);
    if (fresh.length > MAX_NEW_EVENTS) {
      throw new AppError(422, 'LEDGER_TOO_MANY', `一次最多导入 ${MAX_NEW_EVENTS} 条新的变动，文件中有 ${fresh.length} 条`, `At most ${MAX_NEW_EVENTS} new changes are imported at a time; the file has ${fresh.length}`);
    }
    const requests: Pending[] = [];
    for (const r of fresh) {
      const q = requestOf(r.cells);
      if (q.ok) requests.push({ row: r.row, request: q.request });
      else invalid(r, q.zh, q.en);
    }
    const codes = [...new Set(requests.map((p) => p.request.parcelCode))];
    const states = new Map<string, ParcelNow>();
    for (let i = 0; i < codes.length; i += 5000) {
      const got = await this.db.query<ParcelNow>(
        `SELECT p.code, p.category, p.status, p.recorded_on::text AS recorded_on,
                (SELECT max(e.event_date)::text FROM stock_event e WHERE e.parcel_code = p.code) AS latest
           FROM stock_parcel p WHERE p.code = ANY($1::text[])`,
        [codes.slice(i, i + 5000)],
      );
      for (const g of got) states.set(g.code, g);
    }
    const today = beijingToday();
    const pending: Pending[] = [];
    const ordered = [...requests].sort((a, b) => (a.request.eventDate < b.request.eventDate ? -1 : a.request.eventDate > b.request.eventDate ? 1 : a.row - b.row));
    for (const [i, p] of ordered.entries()) {
      if (i % 500 === 0) {
        job.checkpoint();
        job.set('checking', i, ordered.length);
      }
      const { parcelCode: code, eventDate, kind } = p.request;
      const at = { parcelCode: code, kind, eventDate };
      const sheetRow = { row: p.row, cells: { 地块编号: code } } as SheetRow;
      const s = states.get(code);
      if (!s) {
        invalid(sheetRow, `没有编号为“${code}”的存量地块`, `No stock parcel has the code "${code}"`, at);
        continue;
      }
      if (eventDate > today) {
        invalid(sheetRow, `变动日期 ${eventDate} 晚于今天（${today}）`, `The date ${eventDate} is after today (${today})`, at);
        continue;
      }
      if (eventDate < s.recorded_on) {
        invalid(sheetRow, `变动日期 ${eventDate} 早于入库日期 ${s.recorded_on}`, `The date ${eventDate} is before the parcel entered the ledger (${s.recorded_on})`, at);
        continue;
      }
      if (s.latest && eventDate < s.latest) {
        invalid(sheetRow, `变动日期 ${eventDate} 早于该地块最近一次变动（${s.latest}）`, `The date ${eventDate} is before the parcel's latest change (${s.latest})`, at);
        continue;
      }
      const method = p.request.kind === 'dispose' ? p.request.details.method : undefined;
      const t = stockTransition(s, { kind, method });
      if (!t.ok) {
        invalid(sheetRow, t.zh, t.en, at);
        continue;
      }
      states.set(code, { ...s, ...t.after, latest: eventDate });
      pending.push(p);
      items.push({ row: p.row, status: 'ok', parcelCode: code, kind, eventDate, reasonZh: null, reasonEn: null });
    }
    items.sort((a, b) => a.row - b.row);
    const summary: Summary = {
      dryRun: !input.commit,
      rows: rows.length,
      ok: pending.length,
      invalid: items.filter((x) => x.status === 'invalid').length,
      recorded,
      written: 0,
      items,
      pending,
    };
    job.checkpoint();
    if (input.commit) {
      const on = await this.db.query(
        `UPDATE layer_job SET phase = 'replacing', step = NULL, done = 0, total = $3, summary = $4 WHERE id = $1 AND worker = $2 AND NOT cancel_requested RETURNING id`,
        [row.id, job.workerId, pending.length, JSON.stringify(summary)],
      );
      if (!on[0]) throw new Cancelled();
      // the checked rows are in the job's row now: the file is not needed (an interruption before
      // this point reads it again)
      await rm(input.path, { force: true }).catch(() => undefined);
      job.set('replacing', 0, pending.length);
      return;
    }
    const done = await this.db.query(
      `UPDATE layer_job SET phase = 'ready', step = NULL, summary = $3, done = $4, total = $4, ready_at = now(), worker = NULL
        WHERE id = $1 AND worker = $2 AND NOT cancel_requested RETURNING id`,
      [row.id, job.workerId, JSON.stringify(summary), rows.length],
    );
    if (!done[0]) throw new Cancelled();
    await rm(input.path, { force: true }).catch(() => undefined);
    job.set('ready', rows.length, rows.length);
  }

  /** The checked rows recorded in one transaction that also writes the job's outcome. */
  private async commitChecked(job: JobRun): Promise<void> {
    const { row } = job;
    const [fresh] = await this.db.query<{ summary: Summary | string | null; actor: unknown }>('SELECT summary, actor FROM layer_job WHERE id = $1', [row.id]);
    const summary = (typeof fresh?.summary === 'string' ? JSON.parse(fresh.summary) : fresh?.summary) as Summary | null;
    if (!summary) throw new AppError(409, 'IMPORT_STAGE_GONE', '检查结果已不在，请重新试导入', 'The checked rows are gone; run the trial import again');
    const stored = (typeof fresh!.actor === 'string' ? JSON.parse(fresh!.actor) : fresh!.actor) as { user: { id: number; displayName: string } | null } | null;
    const actor = { id: stored?.user?.id ?? null, name: stored?.user?.displayName ?? '台账导入' };
    const input = row.input as unknown as LedgerImportInput;
    job.set('replacing', 0, summary.pending.length);
    await this.db.transaction(async (tx) => {
      await job.claim(tx);
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('stock_ledger_import'))`);
      for (const [i, p] of summary.pending.entries()) {
        if (i % 200 === 0) {
          job.checkpoint();
          job.set('replacing', i, summary.pending.length);
        }
        try {
          await recordStockEvent(tx, p.request, actor);
        } catch (e) {
          if (e instanceof AppError) {
            // the ledger moved since the trial run: nothing is written, the row named
            throw new AppError(409, 'LEDGER_CHANGED', `第 ${p.row} 行现在不能登记：${e.zh}`, `Row ${p.row} cannot be recorded now: ${e.en}`);
          }
          throw e;
        }
      }
      const report: Summary = { ...summary, dryRun: false, written: summary.pending.length };
      await tx.query(`UPDATE layer_job SET phase = 'done', step = NULL, summary = $2, done = $3, total = $3, finished_at = now(), worker = NULL WHERE id = $1`, [
        row.id,
        JSON.stringify(report),
        summary.pending.length,
      ]);
      await audit(tx, {
        action: 'ledger-import',
        user: (stored?.user ?? null) as never,
        ip: null,
        target: input.fileName,
        details: { job: row.id, written: summary.pending.length, recorded: summary.recorded },
      });
    });
    job.set('done', summary.pending.length, summary.pending.length);
  }
}

const notFound = (id: string) => new AppError(404, 'IMPORT_JOB_NOT_FOUND', `没有台账导入任务 ${id}`, `No ledger import job ${id}`);
export const ledgerJobNotFound = notFound;
