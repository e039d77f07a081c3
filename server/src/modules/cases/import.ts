/**
 * Batch import of detection polygons (图斑批量导入) on the layer pipeline: a job of kind
 * `case-import` in `layer_job` (layer-admin/service.ts runs it — claimed by one instance, a
 * heartbeat with its progress, cancellable from any instance, taken back after a restart), its
 * rows staged in `layer_store.stage_<job>` (migrations 0013, 0019).
 *
 * 1. **Check** (phases reading → checking, then `ready` for a trial run): the upload, on the
 *    server's disk, is read by the streaming readers (formats/stream) record by record; each row's
 *    attributes (code, source, detection date) and polygon (core/geometry-validation: closure,
 *    self-intersection, extent, size …) are checked in Node as it passes and the row goes by COPY
 *    into the stage. Then set-wise in SQL over the stage: repeated and existing codes, GEOS
 *    validity with reason and place (before any overlay: a GEOS error in the embedded database
 *    returns no row), the county under a point of each polygon, and duplicates — an existing case,
 *    or an earlier row of the same file, that the row overlaps by more than the duplicate share
 *    (overlap ÷ the smaller of the two, ellipsoidal). A trial run waits at `ready` with its
 *    report, its stage kept for the commit.
 * 2. **Commit** (phase replacing): from the stage, no second upload — in one transaction, which
 *    also writes the job's outcome, under an advisory lock: existing codes and duplicates of
 *    existing cases looked for again (cases may have come since the trial), a case for every valid
 *    row that is not a duplicate (and for the duplicates the importer chose), codes for rows
 *    without one, their overlaps with the site check's engine (overlaps.ts) and the batch in
 *    case_import — all or nothing. Interrupted, it is run again from the stage; cancelled before
 *    its transaction committed, nothing was written.
 *
 * Every query that could meet a GEOS failure is checked against an index-only count of what it
 * must return; a missing row fails the job instead of passing silently.
 */
import { describeGeosReason } from '../../../../core/geos-reason.ts';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { beijingToday } from '../../../../core/beijing-time.ts';
import { CASE_SOURCES, type CaseSource } from '../../../../core/case-status.ts';
import type { CaseImportJob, CaseImportQuery, CaseImportReport, ImportRow } from '../../../../core/contracts/cases.ts';
import type { LayerJobPhase } from '../../../../core/contracts/layer-admin.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { validateSiteGeometry } from '../../../../core/geometry-validation.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import { copyLine, type Database, type Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { multiPolygonHexEwkb } from '../../formats/ewkb.ts';
import type { ParseOptions, PropertyValue, SiteProperties } from '../../formats/parsers/index.ts';
import type { ParseLimits } from '../../formats/parsers/limits.ts';
import { openLayerFile, type LayerFileReader } from '../../formats/stream/index.ts';
import { importParseError, refuseApproximateForImport } from '../../http/upload.ts';
import { AppError } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { scopePattern } from '../auth/scope.ts';
import { PROVINCE } from '../../../../core/divisions.ts';
import { Cancelled, uploadStillHere, type Actor, type JobKind, type JobRow, type JobRun, type LayerJobs } from '../layer-admin/service.ts';
import { stageTable } from '../layer-admin/store.ts';
import { computeCaseOverlaps } from './overlaps.ts';

const sql = (name: string, stage: string) => sqlFile(new URL(`./sql/${name}.sql`, import.meta.url), { stage });

/** The job kind in layer_job. */
export const CASE_IMPORT_KIND = 'case-import';

/** Rows per round trip while looking for duplicates. */
const BATCH = 1000;

const MB = 1024 * 1024;
/** The largest case file taken (streamed to disk as it arrives). */
export const MAX_CASE_FILE_BYTES = 200 * MB;
/**
 * Bounds on a case file: an archive inflates to at most 200 MB, lists at most 1 000 entries,
 * compresses at most 200 : 1; at most 200 000 polygons (every row is reported). Vertices are not
 * capped in total — the reader holds one feature at a time.
 */
export const CASE_FILE_LIMITS: ParseLimits = {
  maxInflatedBytes: 200 * MB,
  maxEntries: 1_000,
  maxInflateRatio: 200,
  maxFeatures: 200_000,
  maxVertices: Number.MAX_SAFE_INTEGER,
};

type Reason = { code: string; zh: string; en: string };
const reason = (code: string, zh: string, en: string): Reason => ({ code, zh, en });

// ---------------------------------------------------------------------------------------------
// Attributes

/** Property names (compared in lower case) read as the case code, source and detection date. */
export const CODE_KEYS = ['code', '图斑编号', '编号', 'tbbh', 'jcbh'];
export const SOURCE_KEYS = ['source', '线索来源', '来源', 'xsly'];
export const DATE_KEYS = ['detectedon', 'detected_on', 'detected', '发现日期', 'jcrq', 'fxrq'];

/** The first non-empty value among the keys (case-insensitive), as text. */
export function pick(props: SiteProperties, keys: string[]): string | null {
  const lower = new Map(Object.entries(props).map(([k, v]) => [k.trim().toLowerCase(), v] as [string, PropertyValue]));
  for (const k of keys) {
    const v = lower.get(k);
    if (v === null || v === undefined || typeof v === 'boolean') continue;
    const s = String(v).trim();
    if (s) return s;
  }
  return null;
}

/**
 * A detection date as YYYY-MM-DD, from the ways files write it; null when it is not a date.
 *
 * @example normaliseDate('2026/3/5') // '2026-03-05'
 * @example normaliseDate('20260305') // '2026-03-05'
 * @example normaliseDate('2026年3月5日') // '2026-03-05'
 */
export function normaliseDate(text: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const iso = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(iso) ? iso : null;
}

/** Today in Beijing time, YYYY-MM-DD. */
export { beijingToday };

/** What reading one row found in Node: its attributes and the polygon's own checks. */
interface ReadRow {
  code: string | null;
  source: string | null;
  detectedOn: string | null;
  reasons: Reason[];
  notes: Reason[];
}

/** Checks a row's attributes (code, source, detection date). */
function readAttributes(props: SiteProperties, query: CaseImportQuery, today: string): ReadRow {
  const r: ReadRow = { code: null, source: null, detectedOn: null, reasons: [], notes: [] };
  const code = pick(props, CODE_KEYS);
  if (code !== null) {
    if (code.length > 64 || /\s/.test(code)) {
      r.reasons.push(reason('CODE_INVALID', `图斑编号“${code.slice(0, 70)}”无效：最多 64 个字符且不能含空格`, `The case code "${code.slice(0, 70)}" is not valid: at most 64 characters, no spaces`));
    } else r.code = code;
  }
  const source = pick(props, SOURCE_KEYS);
  if (source === null) r.source = query.source;
  else if ((CASE_SOURCES as readonly string[]).includes(source)) r.source = source as CaseSource;
  else r.reasons.push(reason('SOURCE_INVALID', `线索来源“${source}”无效：只能是${CASE_SOURCES.join('、')}`, `The source "${source}" is not one of ${CASE_SOURCES.join(', ')}`));
  const dateText = pick(props, DATE_KEYS);
  // a row without a date is never dated today unasked: the importer gives a default date, or the row is refused
  if (dateText === null && query.detectedOn === undefined) {
    r.reasons.push(
      reason(
        'DATE_MISSING',
        '没有发现日期：请在文件中补上（字段 发现日期 或 JCRQ），或在“缺省发现日期”中选择一个日期后重新试导入',
        'No detection date: add one to the file (a 发现日期 or JCRQ field), or choose a default detection date and run the trial import again',
      ),
    );
    return r;
  }
  if (dateText === null) {
    r.notes.push(reason('DATE_DEFAULTED', `文件中没有发现日期：按所选的缺省发现日期 ${query.detectedOn} 记录`, `No detection date in the file: recorded with the chosen default date ${query.detectedOn}`));
  }
  const date = dateText === null ? query.detectedOn! : normaliseDate(dateText);
  if (date === null) r.reasons.push(reason('DATE_INVALID', `发现日期“${dateText}”无法识别：请写成 2026-03-05 的形式`, `The detection date "${dateText}" is not a date like 2026-03-05`));
  else if (date > today) r.reasons.push(reason('DATE_IN_FUTURE', `发现日期 ${date} 晚于今天`, `The detection date ${date} is in the future`));
  else r.detectedOn = date;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Reading the file

/** What a case import job keeps in `layer_job.input`. */
export interface CaseImportInput {
  fileName: string;
  /** The upload on the server's disk (deleted once the rows are staged). */
  path: string;
  bytes: number;
  /** The instance that received the file (only it can read the file again). */
  host: string;
  options: ParseOptions;
  query: CaseImportQuery;
  /** Polygon rows in the file (counted when it was received). */
  rows: number;
  /** Whether the job creates cases (a commit), or stops at `ready` with its report (a trial run). */
  commit: boolean;
  /** The importer's scope (auth/scope.ts): polygons in counties outside it are refused row by row; absent: the province. */
  scope?: string;
  /** What the reader decided about the file, once read (for the report). */
  detected?: CaseImportReport['detected'];
  warnings?: Reason[];
}

const WHAT = { zh: '批量导入', en: 'the import' };

const translate = (e: unknown): Error => {
  const known = importParseError(e, WHAT);
  if (known) return known;
  return new AppError(422, 'UNREADABLE', '文件无法读取：格式不正确或文件已损坏', 'The file cannot be read: wrong format or damaged');
};

/** Opens a case file on disk with the streaming readers (422 naming the problem when it cannot be read at all). */
export async function openCaseFile(path: string, fileName: string, options: ParseOptions): Promise<LayerFileReader> {
  refuseApproximateForImport(options, WHAT);
  try {
    return await openLayerFile(path, fileName, { ...options, limits: CASE_FILE_LIMITS });
  } catch (e) {
    throw translate(e);
  }
}

/** Records skipped rather than numbered: not polygons, or no geometry (as the whole-file parsers skip them). */
const skipped = (code: string | undefined) => code === 'NOT_POLYGON' || code === 'EMPTY_GEOMETRY';

/**
 * Counts the polygon rows of a case file (one pass of the reader, 422 when it breaks off): the
 * number the rows are numbered up to, answered with the 202.
 */
export async function countCaseRows(path: string, fileName: string, options: ParseOptions): Promise<number> {
  const reader = await openCaseFile(path, fileName, options);
  let n = 0;
  try {
    for await (const rec of reader.features()) if (!skipped(rec.problem?.code)) n++;
  } catch (e) {
    throw translate(e);
  } finally {
    await reader.close();
  }
  if (n === 0) throw new AppError(422, 'NO_FEATURES', '文件无法导入：文件中没有面要素', 'The file cannot be imported: it holds no polygon');
  return n;
}

// ---------------------------------------------------------------------------------------------
// The stage

const STAGE_COLUMNS = ['row_no', 'code', 'code_given', 'source', 'detected_on', 'area_m2', 'geom', 'reasons', 'notes'];

async function createCaseStage(db: Database, jobId: string): Promise<string> {
  const stage = stageTable(jobId);
  await db.query(`DROP TABLE IF EXISTS ${stage}`);
  await db.query(
    `CREATE UNLOGGED TABLE ${stage} (
       row_no int PRIMARY KEY,
       code text,
       code_given boolean NOT NULL DEFAULT false,
       source text,
       detected_on text,
       area_m2 float8,
       geom geometry(MultiPolygon, 4490),
       reasons jsonb NOT NULL DEFAULT '[]',
       notes jsonb NOT NULL DEFAULT '[]',
       code_repeat_of int,
       code_exists boolean NOT NULL DEFAULT false,
       valid boolean,
       invalid_reason text,
       invalid_location text,
       county_code text,
       county_name text,
       county_name_en text,
       outside boolean,
       out_of_scope boolean NOT NULL DEFAULT false,
       staged boolean NOT NULL DEFAULT false,
       dup_cases jsonb NOT NULL DEFAULT '[]',
       dup_rows jsonb NOT NULL DEFAULT '[]'
     )`,
  );
  return stage;
}

interface StageRow {
  row_no: number;
  code: string | null;
  code_given: boolean;
  source: string | null;
  detected_on: string | null;
  area_m2: number | null;
  reasons: Reason[];
  notes: Reason[];
  code_repeat_of: number | null;
  code_exists: boolean;
  valid: boolean | null;
  invalid_reason: string | null;
  invalid_location: string | null;
  county_code: string | null;
  county_name: string | null;
  county_name_en: string | null;
  outside: boolean | null;
  out_of_scope: boolean | null;
  staged: boolean;
  dup_cases: ImportRow['duplicateOf'];
  dup_rows: ImportRow['duplicateOf'];
}

const parsed = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

async function readStage(q: Queryable, stage: string): Promise<StageRow[]> {
  const rows = await q.query<StageRow>(
    `SELECT row_no, code, code_given, source, detected_on, area_m2, reasons, notes, code_repeat_of, code_exists, valid, invalid_reason, invalid_location,
            county_code, county_name, county_name_en, outside, out_of_scope, staged, dup_cases, dup_rows
       FROM ${stage} ORDER BY row_no`,
  );
  return rows.map((r) => ({
    ...r,
    row_no: Number(r.row_no),
    area_m2: r.area_m2 === null ? null : Number(r.area_m2),
    code_repeat_of: r.code_repeat_of === null ? null : Number(r.code_repeat_of),
    reasons: parsed(r.reasons),
    notes: parsed(r.notes),
    dup_cases: parsed(r.dup_cases),
    dup_rows: parsed(r.dup_rows),
  }));
}

async function checkedQuery<T>(q: Queryable, countSql: string, rowsSql: string, params: unknown[], what: string): Promise<T[]> {
  const [{ n } = { n: -1 }] = await q.query<{ n: number }>(countSql, params);
  const rows = await q.query<T>(rowsSql, params);
  if (rows.length !== n) throw new Error(`${what}不完整：${n} 对候选只得到 ${rows.length} 条结果（几何运算失败）`);
  return rows;
}

/** Overlap ÷ the smaller polygon, ellipsoidal; 0 for a shared edge. */
const shareOf = (overlap: string | null, a: number, b: number) => {
  if (overlap === null) return 0;
  const m2 = ellipsoidalArea(JSON.parse(overlap) as AreaGeometry);
  return m2 <= OVERLAP_EPSILON_M2 ? 0 : m2 / Math.min(a, b);
};

/** Writes each row's duplicates (by row number) into the stage's column. */
async function writeDuplicates(q: Queryable, stage: string, column: 'dup_cases' | 'dup_rows', found: Map<number, ImportRow['duplicateOf']>): Promise<void> {
  if (!found.size) return;
  const list = [...found].map(([row_no, d]) => ({ row_no, d }));
  await q.query(`UPDATE ${stage} s SET ${column} = x.d FROM jsonb_to_recordset($1::jsonb) AS x(row_no int, d jsonb) WHERE s.row_no = x.row_no`, [JSON.stringify(list)]);
}

/**
 * Duplicates of existing cases (or of earlier rows of the file) above the share, for the staged
 * rows, in batches of row numbers; `tick` after each batch.
 */
async function findDuplicates(q: Queryable, stage: string, against: 'cases' | 'rows', share: number, tick: (done: number, total: number) => Promise<void> | void): Promise<void> {
  const [range] = await q.query<{ lo: number | null; hi: number | null }>(`SELECT min(row_no) AS lo, max(row_no) AS hi FROM ${stage} WHERE staged`);
  if (range?.lo === null || range?.lo === undefined) return;
  const [lo, hi] = [Number(range.lo), Number(range.hi)];
  const found = new Map<number, ImportRow['duplicateOf']>();
  for (let a = lo; a <= hi; a += BATCH) {
    const params = [a, Math.min(hi, a + BATCH - 1)];
    if (against === 'cases') {
      const rows = await checkedQuery<{ row_no: number; area_m2: number; case_id: number; case_code: string; case_area_m2: number; overlap: string | null }>(
        q,
        sql('import-dup-case-candidates', stage),
        sql('import-dup-case-overlay', stage),
        params,
        '与已有图斑的重叠检查',
      );
      for (const d of rows) {
        const s = shareOf(d.overlap, Number(d.area_m2), Number(d.case_area_m2));
        if (s <= share) continue;
        const list = found.get(Number(d.row_no)) ?? [];
        list.push({ caseCode: d.case_code, caseId: Number(d.case_id), row: null, share: s });
        found.set(Number(d.row_no), list);
      }
    } else {
      const rows = await checkedQuery<{ row_no: number; area_m2: number; other_row: number; other_area_m2: number; overlap: string | null }>(
        q,
        sql('import-dup-row-candidates', stage),
        sql('import-dup-row-overlay', stage),
        params,
        '文件内的重叠检查',
      );
      for (const d of rows) {
        const s = shareOf(d.overlap, Number(d.area_m2), Number(d.other_area_m2));
        if (s <= share) continue;
        const list = found.get(Number(d.row_no)) ?? [];
        list.push({ caseCode: null, caseId: null, row: Number(d.other_row), share: s });
        found.set(Number(d.row_no), list);
      }
    }
    await tick(params[1]! - lo + 1, hi - lo + 1);
  }
  // in a stable order: by case id, by row
  for (const list of found.values()) list.sort((x, y) => (x.caseId ?? 0) - (y.caseId ?? 0) || (x.row ?? 0) - (y.row ?? 0));
  await writeDuplicates(q, stage, against === 'cases' ? 'dup_cases' : 'dup_rows', found);
}

// ---------------------------------------------------------------------------------------------
// The report

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** A staged row's reasons, in the order the check meets them. */
function reasonsOf(r: StageRow, share: number): Reason[] {
  const out = [...r.reasons];
  if (r.code_repeat_of !== null) out.push(reason('CODE_REPEATED', `图斑编号 ${r.code} 与第 ${r.code_repeat_of} 行重复`, `The case code ${r.code} repeats row ${r.code_repeat_of}`));
  if (r.code_exists) out.push(reason('CODE_EXISTS', `图斑编号 ${r.code} 已存在`, `A case with the code ${r.code} exists already`));
  if (r.valid === false) {
    const why = describeGeosReason(r.invalid_reason, r.invalid_location ? (JSON.parse(r.invalid_location) as { coordinates: number[] }).coordinates : null);
    out.push(reason('INVALID_GEOMETRY', `图形无效：${why.text.zh}`, `The polygon is not valid: ${why.text.en}`));
  }
  if (r.outside) out.push(reason('OUTSIDE_COUNTIES', '图斑不在已载入的任何县区内', 'The polygon lies in none of the loaded counties'));
  if (r.out_of_scope) {
    out.push(reason('OUT_OF_SCOPE', `图斑位于${r.county_name ?? r.county_code}，不在您的工作范围内`, `The polygon lies in ${r.county_name_en ?? r.county_name ?? r.county_code}, outside your scope`));
  }
  for (const d of r.dup_cases) {
    out.push(
      reason('DUPLICATE_OF_CASE', `与已有图斑 ${d.caseCode} 重叠 ${percent(d.share)}（超过 ${percent(share)}）`, `Overlaps the existing case ${d.caseCode} by ${percent(d.share)} (more than ${percent(share)})`),
    );
  }
  for (const d of r.dup_rows) {
    out.push(reason('DUPLICATE_OF_ROW', `与第 ${d.row} 行重叠 ${percent(d.share)}（超过 ${percent(share)}）`, `Overlaps row ${d.row} by ${percent(d.share)} (more than ${percent(share)})`));
  }
  return out;
}

function reportRows(rows: StageRow[], share: number, created: Map<number, { id: number; code: string }>): ImportRow[] {
  return rows.map((r) => {
    const reasons = reasonsOf(r, share);
    const duplicateOf = [...r.dup_cases, ...r.dup_rows];
    const invalid = reasons.some((x) => !x.code.startsWith('DUPLICATE_'));
    const made = created.get(r.row_no);
    return {
      row: r.row_no,
      status: invalid ? 'invalid' : duplicateOf.length ? 'duplicate' : 'ok',
      code: made?.code ?? (r.code_given ? r.code : null),
      countyCode: r.county_code,
      countyName: r.county_name,
      countyNameEn: r.county_name_en,
      source: r.source,
      notes: r.notes,
      detectedOn: r.detected_on,
      area: r.area_m2 === null ? null : toAreaUnits(r.area_m2),
      reasons,
      duplicateOf,
      created: made !== undefined,
      caseId: made?.id ?? null,
    };
  });
}

/** The report; `startedAt` is when this run of the job began (a commit's, not its trial run's). */
function reportOf(input: CaseImportInput, rows: ImportRow[], importId: string | null, startedAt: number): CaseImportReport {
  const count = (s: ImportRow['status']) => rows.filter((r) => r.status === s).length;
  return {
    dryRun: !input.commit,
    fileName: input.fileName,
    detected: input.detected ?? { format: 'geojson', crs: 'EPSG:4490', encoding: null },
    warnings: input.warnings ?? [],
    duplicateShare: input.query.duplicateShare,
    counts: {
      rows: rows.length,
      ok: count('ok'),
      invalid: count('invalid'),
      duplicate: count('duplicate'),
      created: rows.filter((r) => r.created).length,
      duplicatesIncluded: rows.filter((r) => r.created && r.status === 'duplicate').length,
    },
    rows,
    importId,
    elapsedMs: Math.max(0, Date.now() - startedAt),
  };
}

// ---------------------------------------------------------------------------------------------
// The job's phases as the case import shows them

type Phase = CaseImportJob['phase'];

export const PHASE_ZH: Record<Phase, string> = {
  queued: '排队中',
  validating: '检查图形与属性',
  duplicates: '查找重复图斑',
  saving: '写入图斑',
  overlaps: '计算占用情况',
  done: '完成',
  failed: '失败',
  cancelled: '已取消',
};

/** Where each phase starts and ends on the whole job's progress bar, for a trial run and a commit. */
const SPAN: Record<'dry' | 'commit', Partial<Record<Phase, [number, number]>>> = {
  dry: { validating: [0, 0.5], duplicates: [0.5, 1] },
  commit: { validating: [0, 0.25], duplicates: [0.25, 0.45], saving: [0.45, 0.55], overlaps: [0.55, 1] },
};

/** The steps of a job (written to layer_job.step) that are phases of their own on the page. */
const STEP_PHASES: readonly string[] = ['duplicates', 'saving', 'overlaps'];

function phaseOf(phase: LayerJobPhase, step: string | null, claimed: boolean): Phase {
  switch (phase) {
    case 'reading':
      return claimed ? 'validating' : 'queued';
    case 'checking':
      return step === 'duplicates' ? 'duplicates' : 'validating';
    case 'replacing':
      return step && STEP_PHASES.includes(step) ? (step as Phase) : claimed ? 'duplicates' : 'queued';
    case 'ready':
    case 'done':
      return 'done';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

const iso = (t: string | Date | null) => (t === null ? null : (t instanceof Date ? t : new Date(t)).toISOString());

// ---------------------------------------------------------------------------------------------
// The jobs

/** The case imports of one app instance, on its layer job queue. */
export class CaseImports implements JobKind {
  constructor(
    private readonly db: Database,
    private readonly jobs: LayerJobs,
  ) {
    jobs.register(CASE_IMPORT_KIND, this);
  }

  /** Records an import of an uploaded file (on disk, its rows counted): a trial run, or a commit straight after the check. */
  start(input: Omit<CaseImportInput, 'host'>, actor: Actor): Promise<JobRow> {
    return this.jobs.enqueue(CASE_IMPORT_KIND, 'encroachment', 'reading', input, actor, input.rows);
  }

  /** A job of this kind, or null. */
  async get(id: string): Promise<JobRow | null> {
    const job = await this.jobs.get(id);
    return job && job.kind === CASE_IMPORT_KIND ? job : null;
  }

  /**
   * Commits a trial run from its staged rows: 409 unless it waits with its report, 400 for a
   * duplicate row chosen that is not one of its rows.
   */
  async commit(id: string, includeDuplicates: number[], actor: Actor): Promise<JobRow> {
    const job = await this.get(id);
    if (!job) throw notFound(id);
    const input = job.input as unknown as CaseImportInput;
    if (job.phase !== 'ready' || input.commit) {
      const shown = PHASE_ZH[phaseOf(job.phase, job.step, job.worker !== null)];
      throw new AppError(409, 'IMPORT_NOT_READY', `导入任务处于“${shown}”阶段，不能提交：请重新试导入`, `The import job is ${job.phase}; it cannot be committed — run the trial import again`);
    }
    const total = input.rows;
    const beyond = includeDuplicates.filter((n) => n < 1 || n > total);
    if (beyond.length) throw noSuchRow(beyond, total);
    const query = { ...input.query, dryRun: false, includeDuplicates, actor: actor.user?.displayName ?? input.query.actor };
    const next = await this.jobs.proceed(id, { commit: true, query }, actor);
    if (!next) throw new AppError(409, 'IMPORT_NOT_READY', '导入任务已不在等待提交', 'The import job no longer waits to be committed');
    return next;
  }

  cancel(id: string): Promise<JobRow> {
    return this.jobs.cancel(id);
  }

  view(r: JobRow, lang: 'zh' | 'en'): CaseImportJob {
    const input = r.input as unknown as CaseImportInput;
    const live = this.jobs.live(r);
    const phase = phaseOf(live?.phase ?? r.phase, live ? live.step : r.step, live !== undefined || r.worker !== null || r.attempts > 0);
    const done = live?.done ?? r.done;
    const total = live?.total ?? r.total;
    const commit = input.commit;
    const span = SPAN[commit ? 'commit' : 'dry'][phase];
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const finished = phase === 'done';
    const progress = finished ? 1 : span ? span[0] + (span[1] - span[0]) * share : 0;
    const report = (r.phase === 'ready' || r.phase === 'done') && r.summary ? (r.summary as unknown as CaseImportReport) : null;
    return {
      jobId: r.id,
      phaseZh: PHASE_ZH[phase],
      done,
      total,
      progress: Math.round(progress * 1000) / 1000,
      startedAt: iso(r.created_at)!,
      // a trial run ended when its report was ready
      finishedAt: iso(r.finished_at ?? (r.phase === 'ready' ? ((r as JobRow & { ready_at?: string | Date | null }).ready_at ?? null) : null)),
      error: r.error ? { code: r.error.code, message: lang === 'zh' ? r.error.message : r.error.en } : null,
      dryRun: report ? report.dryRun : !commit,
      fileName: input.fileName,
      phase,
      report,
    };
  }

  // -------------------------------------------------------------------------------------------
  // JobKind: what the queue calls

  failed(detail: string) {
    return { code: 'IMPORT_FAILED', message: `导入失败，未写入任何图斑：${detail}`, en: `The import failed and wrote nothing: ${detail}` };
  }
  cancelled = { code: 'CANCELLED', message: '导入已取消，未写入任何图斑', en: 'The import was cancelled; no case was written' };

  async ended(row: JobRow, outcome: 'failed' | 'cancelled', error: { message: string; en: string }): Promise<void> {
    const input = row.input as unknown as CaseImportInput;
    if (!input.commit) return;
    const actor = row.actor as { user: { id: number; username: string; displayName: string; role: string } | null; ip: string | null } | null;
    await audit(this.db, {
      action: `case-import-${outcome}`,
      user: (actor?.user ?? null) as never,
      ip: actor?.ip ?? null,
      target: input.fileName,
      details: { job: row.id, error: error.message, errorEn: error.en },
    });
  }

  async run(job: JobRun): Promise<void> {
    const { row } = job;
    if (row.phase === 'reading' || row.phase === 'checking') await this.check(job);
    if (job.phase === 'replacing') await this.commitStaged(job);
  }

  /** The check: the file into the stage, the stage checked; a trial run then waits at `ready`, a commit goes on. */
  private async check(job: JobRun): Promise<void> {
    const started = Date.now();
    const { row } = job;
    const input = row.input as unknown as CaseImportInput;
    const query = input.query;
    await job.step('read');
    job.set('reading', 0, input.rows);
    await uploadStillHere(input);
    const reader = await openCaseFile(input.path, input.fileName, input.options);
    const stage = await createCaseStage(this.db, row.id);
    const today = beijingToday();
    let n = 0;
    let notPolygon = 0;
    let empty = 0;
    try {
      const lines = async function* () {
        for await (const rec of reader.features()) {
          if (rec.problem?.code === 'NOT_POLYGON') {
            notPolygon++;
            continue;
          }
          if (rec.problem?.code === 'EMPTY_GEOMETRY') {
            empty++;
            continue;
          }
          const rowNo = ++n;
          if ((rowNo & 255) === 0) {
            job.checkpoint();
            job.set('reading', rowNo, Math.max(input.rows, rowNo));
          }
          const r = readAttributes(rec.properties, query, today);
          let area: number | null = null;
          if (rec.problem) r.reasons.push(reason(rec.problem.code, rec.problem.zh, rec.problem.en));
          else if (rec.geometry) {
            const v = validateSiteGeometry(rec.geometry);
            for (const p of v.problems) r.reasons.push(reason(p.code, p.zh, p.en));
            if (v.valid) {
              const m2 = ellipsoidalArea(rec.geometry as AreaGeometry);
              if (m2 <= OVERLAP_EPSILON_M2) r.reasons.push(reason('ZERO_AREA', '图斑面积为零', 'The polygon has no area'));
              else area = m2;
            }
          }
          yield copyLine([
            rowNo,
            r.code,
            r.code !== null ? 't' : 'f',
            r.source,
            r.detectedOn,
            area,
            area !== null && rec.geometry ? multiPolygonHexEwkb(rec.geometry, 4490) : null,
            JSON.stringify(r.reasons),
            JSON.stringify(r.notes),
          ]);
        }
      };
      const written = await this.db.copy(stage, STAGE_COLUMNS, lines());
      if (written !== n) throw new Error(`暂存不完整：读出 ${n} 行，写入 ${written} 行`);
    } catch (e) {
      // a file that breaks off in the middle ends the check with the reader's words
      throw importParseError(e, WHAT) ?? e;
    } finally {
      await reader.close();
    }
    if (n === 0) throw new AppError(422, 'NO_FEATURES', '文件无法导入：文件中没有面要素', 'The file cannot be imported: it holds no polygon');
    const warnings: Reason[] = reader.warnings.map((w) => ({ code: w.code, zh: w.zh, en: w.en }));
    if (notPolygon) warnings.push(reason('SKIPPED_NON_POLYGON', `已忽略 ${notPolygon} 个不是面的要素`, `Skipped ${notPolygon} features that are not polygons`));
    if (empty) warnings.push(reason('SKIPPED_EMPTY', `已忽略 ${empty} 个没有几何的要素`, `Skipped ${empty} features without geometry`));
    input.detected = { format: reader.detected.format, crs: reader.detected.crs, encoding: reader.detected.encoding ?? null };
    input.warnings = warnings;
    await this.db.query(`UPDATE layer_job SET input = input || $2::jsonb, total = $3 WHERE id = $1`, [row.id, JSON.stringify({ detected: input.detected, warnings, rows: n }), n]);
    input.rows = n;

    // set-wise over the stage
    const steps = 4;
    job.set('checking', 0, steps, 'codes');
    await job.step('codes');
    await this.db.query(sql('import-code-repeats', stage));
    await this.db.query(sql('import-code-exists', stage));
    job.set('checking', 1, steps, 'validity');
    await job.step('validity');
    await this.db.query(sql('import-validity', stage));
    const [unanswered] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${stage} WHERE geom IS NOT NULL AND valid IS NULL`);
    if (unanswered!.n > 0) throw new Error(`图形检查不完整：${unanswered!.n} 个图斑没有得到结果`);
    await this.db.query(sql('import-invalid-reason', stage));
    job.set('checking', 2, steps, 'county');
    await job.step('county');
    await this.db.query(sql('import-county', stage));
    const [placed] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${stage} WHERE valid AND outside IS NULL`);
    if (placed!.n > 0) throw new Error(`县区判定不完整：${placed!.n} 个图斑没有得到结果`);
    // the importer's scope: a polygon placed in a county outside it is that row's refusal
    await this.db.query(`ALTER TABLE ${stage} ADD COLUMN IF NOT EXISTS out_of_scope boolean NOT NULL DEFAULT false`);
    await this.db.query(`UPDATE ${stage} SET out_of_scope = true WHERE valid AND NOT outside AND county_code NOT LIKE $1::text`, [scopePattern(input.scope ?? PROVINCE.code)]);
    await this.db.query(`UPDATE ${stage} SET staged = true WHERE valid AND NOT outside AND NOT out_of_scope`);
    await this.db.query(`CREATE INDEX ON ${stage} USING gist (geom) WHERE staged`);
    await this.db.query(`ANALYZE ${stage}`);
    job.set('checking', 0, 1, 'duplicates');
    await job.step('duplicates');
    await findDuplicates(this.db, stage, 'cases', query.duplicateShare, (d, t) => {
      job.checkpoint();
      job.set('checking', d, t * 2, 'duplicates');
    });
    await findDuplicates(this.db, stage, 'rows', query.duplicateShare, (d, t) => {
      job.checkpoint();
      job.set('checking', t + d, t * 2, 'duplicates');
    });
    await job.step('summary');
    job.checkpoint();
    // the rows are staged and checked: the file is not needed any more (removed before the job says so)
    await removeUpload(input.path);
    if (input.commit) {
      // a commit goes on from the stage: interrupted from here, it is run again from the stage
      const on = await this.db.query(
        `UPDATE layer_job SET phase = 'replacing', step = NULL, done = 0, total = 1 WHERE id = $1 AND worker = $2 AND NOT cancel_requested RETURNING id`,
        [row.id, job.workerId],
      );
      if (!on[0]) throw new Cancelled();
      job.set('replacing', 0, 1, 'duplicates');
      return;
    }
    const report = reportOf(input, reportRows(await readStage(this.db, stage), query.duplicateShare, new Map()), null, started);
    const done = await this.db.query(
      `UPDATE layer_job SET phase = 'ready', step = NULL, summary = $3, done = $4, total = $4, ready_at = now(), worker = NULL
        WHERE id = $1 AND worker = $2 AND NOT cancel_requested RETURNING id`,
      [row.id, job.workerId, JSON.stringify(report), n],
    );
    if (!done[0]) throw new Cancelled();
    job.set('ready', n, n);
  }

  /** The commit from the stage, in one transaction that also writes the job's outcome. */
  private async commitStaged(job: JobRun): Promise<void> {
    const started = Date.now();
    const { row } = job;
    const input = row.input as unknown as CaseImportInput;
    const query = input.query;
    const stage = stageTable(row.id);
    const [exists] = await this.db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [stage]);
    if (!exists!.ok) throw new AppError(409, 'IMPORT_STAGE_GONE', '检查结果已不在数据库中，请重新试导入', 'The checked rows are no longer in the database; run the trial import again');
    job.set('replacing', 0, 1, 'duplicates');
    await job.step('duplicates');
    await this.db.transaction(async (tx) => {
      await job.claim(tx);
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('case_import'))`);
      // what may have changed since the check: cases created meanwhile
      await tx.query(`UPDATE ${stage} SET code_exists = false, dup_cases = '[]'`);
      await tx.query(sql('import-code-exists', stage));
      await findDuplicates(tx, stage, 'cases', query.duplicateShare, (d, t) => {
        job.checkpoint();
        job.set('replacing', d, t, 'duplicates');
      });
      const rows = await readStage(tx, stage);
      const first = reportRows(rows, query.duplicateShare, new Map());
      const include = new Set(query.includeDuplicates ?? []);
      const chosen = first.filter((r) => r.status === 'ok' || (r.status === 'duplicate' && include.has(r.row)));
      const byRow = new Map(rows.map((r) => [r.row_no, r]));
      let importId: string | null = null;
      const made = new Map<number, { id: number; code: string }>();
      if (chosen.length > 0) {
        await job.step('saving');
        job.set('replacing', 0, chosen.length, 'saving');
        // codes for rows without one: WP<year><county>-<5-digit sequence>, after the highest in use
        const codeOf = new Map<number, string>();
        const prefixOf = (r: StageRow) => `WP${r.detected_on!.slice(0, 4)}${r.county_code}-`;
        const without = chosen.map((c) => byRow.get(c.row)!).filter((r) => !r.code_given);
        const prefixes = [...new Set(without.map(prefixOf))];
        if (prefixes.length) {
          const seqs = await tx.query<{ prefix: string; seq: number }>(sqlFile(new URL('./sql/import-code-seq.sql', import.meta.url)), [prefixes]);
          const next = new Map(seqs.map((s) => [s.prefix, Number(s.seq)]));
          for (const r of rows) {
            // codes given in the file with the same prefix count as in use too
            const m = r.code_given && r.code ? /^(WP\d{4}\d{6}-)(\d{1,9})$/.exec(r.code) : null;
            if (m && next.has(m[1]!)) next.set(m[1]!, Math.max(next.get(m[1]!)!, Number(m[2])));
          }
          for (const r of without) {
            const p = prefixOf(r);
            const k = next.get(p)! + 1;
            next.set(p, k);
            codeOf.set(r.row_no, `${p}${String(k).padStart(5, '0')}`);
          }
          await tx.query(`UPDATE ${stage} s SET code = x.code FROM unnest($1::int[], $2::text[]) AS x(row_no, code) WHERE s.row_no = x.row_no`, [[...codeOf.keys()], [...codeOf.values()]]);
        }
        importId = randomUUID();
        await tx.query(
          `INSERT INTO case_import (id, actor, file_name, format, rows, created, duplicate_share, report)
           VALUES ($1, $2, $3, $4, $5, $6, $7, '{}'::json)`,
          [importId, query.actor || null, input.fileName, input.detected?.format ?? 'geojson', rows.length, chosen.length, query.duplicateShare],
        );
        const inserted = await tx.query<{ id: number; code: string }>(sql('import-insert', stage), [chosen.map((r) => r.row), importId]);
        if (inserted.length !== chosen.length) throw new Error(`图斑写入不完整：应写入 ${chosen.length} 个，实际 ${inserted.length} 个`);
        const rowByCode = new Map(chosen.map((c) => [codeOf.get(c.row) ?? byRow.get(c.row)!.code!, c.row]));
        for (const c of inserted) made.set(rowByCode.get(c.code)!, { id: Number(c.id), code: c.code });
        job.set('replacing', chosen.length, chosen.length, 'saving');
        await job.step('overlaps');
        job.set('replacing', 0, chosen.length, 'overlaps');
        await computeCaseOverlaps(
          tx,
          inserted.map((c) => Number(c.id)),
          (p) => {
            job.checkpoint();
            job.set('replacing', p.done, p.total, 'overlaps');
          },
        );
      }
      const report = reportOf(input, reportRows(rows, query.duplicateShare, made), importId, started);
      if (importId) await tx.query('UPDATE case_import SET report = $2::json WHERE id = $1', [importId, JSON.stringify(report)]);
      job.checkpoint();
      // the stage goes with the commit (a DROP is transactional): a finished job leaves nothing behind
      await tx.query(`DROP TABLE ${stage}`);
      await tx.query(`UPDATE layer_job SET phase = 'done', step = NULL, summary = $2, done = 1, total = 1, finished_at = now(), worker = NULL WHERE id = $1`, [
        row.id,
        JSON.stringify(report),
      ]);
    });
    job.set('done', 1, 1);
    await removeUpload(input.path);
  }
}

async function removeUpload(path: string | undefined): Promise<void> {
  if (path) await rm(path, { force: true }).catch(() => undefined);
}

const notFound = (id: string) => new AppError(404, 'IMPORT_JOB_NOT_FOUND', `没有导入任务 ${id}`, `No import job ${id}`);

/** 400 for duplicate rows chosen that the file does not have. */
export const noSuchRow = (beyond: number[], total: number) =>
  new AppError(400, 'NO_SUCH_ROW', `选择仍要导入的重复行中，第 ${beyond.join('、')} 行不存在：文件共 ${total} 行`, `The duplicate rows chosen for import name rows ${beyond.join(', ')}, but the file has ${total} rows`);
