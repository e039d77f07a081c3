/**
 * Batch import of detection polygons (图斑批量导入) as a job with progress.
 *
 * The route parses the file (server/src/formats/parsers, as the site check reads files) and starts a job;
 * the job, in one transaction:
 *
 * 1. checks each row in Node — attributes (code, source, detection date) and the polygon
 *    (core/geometry-validation: closure, self-intersection, extent, size …);
 * 2. stages the polygons that passed in a temporary table and asks GEOS whether they are valid
 *    (before any overlay: a GEOS error in the embedded database returns no row) and which
 *    county holds them;
 * 3. looks for duplicates: an existing case, or an earlier row of the same file, that the row
 *    overlaps by more than the duplicate share (overlap ÷ the smaller of the two, ellipsoidal);
 * 4. a dry run stops here with the report; a commit creates a case for every valid row that is
 *    not a duplicate (and for the duplicates the request lists), assigns codes to rows without
 *    one, computes their overlaps with the site check's engine (overlaps.ts) and records the
 *    batch in case_import — all or nothing.
 *
 * Every query that could meet a GEOS failure is checked against an index-only count of what it
 * must return; a missing row fails the job instead of passing silently.
 */
import { describeGeosReason } from '../../../../core/geos-reason.ts';
import { randomUUID } from 'node:crypto';
import { beijingToday } from '../../../../core/beijing-time.ts';
import { CASE_SOURCES, type CaseSource } from '../../../../core/case-status.ts';
import type { CaseImportJob, CaseImportQuery, CaseImportReport, ImportRow } from '../../../../core/contracts/cases.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { validateSiteGeometry, type SiteValidation } from '../../../../core/geometry-validation.ts';
import type { ParseResult, PropertyValue, SiteFeature, SiteProperties } from '../../formats/parsers/index.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';
import { JobProgress, JobRegistry } from '../../jobs/registry.ts';
import { computeCaseOverlaps } from './overlaps.ts';

const sql = (name: string) => sqlFile(new URL(`./sql/${name}.sql`, import.meta.url));

/** Rows per round trip while staging and looking for duplicates. */
const BATCH = 1000;

type Reason = { code: string; zh: string; en: string };

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

// ---------------------------------------------------------------------------------------------
// The job

export interface ImportInput {
  fileName: string;
  /** With each feature's validation when the parse worker did it (http/upload.ts), else validated here. */
  parsed: ParseResult & { validation?: SiteValidation[] };
  query: CaseImportQuery;
}

interface RowState {
  row: number;
  feature: SiteFeature;
  code: string | null;
  codeGiven: boolean;
  source: string | null;
  detectedOn: string | null;
  countyCode: string | null;
  countyName: string | null;
  countyNameEn: string | null;
  areaM2: number | null;
  /** What the row was given that it did not carry (a default date), listed without refusing it. */
  notes: Reason[];
  reasons: Reason[];
  duplicateOf: ImportRow['duplicateOf'];
  staged: boolean;
  caseId: number | null;
  /** Done in the parse worker, off the event loop. */
  validation?: SiteValidation;
}

type Phase = CaseImportJob['phase'];

export const PHASE_ZH: Record<Phase, string> = {
  queued: '排队中',
  validating: '检查图形与属性',
  duplicates: '查找重复图斑',
  saving: '写入图斑',
  overlaps: '计算占用情况',
  done: '完成',
  failed: '失败',
};

/** Where each phase starts and ends on the whole job's progress bar, for a dry run and a commit. */
const SPAN: Record<'dry' | 'commit', Partial<Record<Phase, [number, number]>>> = {
  dry: { validating: [0, 0.5], duplicates: [0.5, 1] },
  commit: { validating: [0, 0.25], duplicates: [0.25, 0.45], saving: [0.45, 0.55], overlaps: [0.55, 1] },
};

class JobState extends JobProgress<Phase> {
  report: CaseImportReport | null = null;
  constructor(
    readonly dryRun: boolean,
    readonly fileName: string,
  ) {
    super('queued', PHASE_ZH);
  }

  view(lang: 'zh' | 'en'): CaseImportJob {
    return {
      ...this.progressView(lang, SPAN[this.dryRun ? 'dry' : 'commit'][this.phase], this.phase === 'done'),
      dryRun: this.dryRun,
      fileName: this.fileName,
      phase: this.phase,
      report: this.report,
    };
  }
}

/** Import jobs, kept in the server's memory for an hour after they end. */
export class CaseImportJobs {
  private readonly jobs = new JobRegistry<JobState>();

  start(db: Database, input: ImportInput, log?: { error: (o: object, msg: string) => void }): JobState {
    const job = this.jobs.add(new JobState(input.query.dryRun, input.fileName));
    job.promise = runImport(db, input, job)
      .then((report) => {
        job.report = report;
        job.phase = 'done';
      })
      .catch((err: unknown) => {
        job.phase = 'failed';
        if (err instanceof AppError) job.error = { code: err.code, message: err.zh, en: err.en };
        else {
          log?.error({ err }, 'case import failed');
          const detail = err instanceof Error ? err.message : String(err);
          job.error = { code: 'IMPORT_FAILED', message: `导入失败，未写入任何图斑：${detail}`, en: `The import failed and wrote nothing: ${detail}` };
        }
      })
      .finally(() => {
        job.finishedAt = new Date().toISOString();
      });
    return job;
  }

  get(id: string): JobState | undefined {
    return this.jobs.get(id);
  }

  /** Waits for the running jobs (the app waits before closing its database). */
  settle(): Promise<void> {
    return this.jobs.settle();
  }
}

// ---------------------------------------------------------------------------------------------
// The pipeline

const reason = (code: string, zh: string, en: string): Reason => ({ code, zh, en });

/** Checks a row's attributes and polygon in Node. */
function checkRow(r: RowState, query: CaseImportQuery, today: string) {
  const props = r.feature.properties ?? {};
  const code = pick(props, CODE_KEYS);
  if (code !== null) {
    if (code.length > 64 || /\s/.test(code)) {
      r.reasons.push(reason('CODE_INVALID', `图斑编号“${code.slice(0, 70)}”无效：最多 64 个字符且不能含空格`, `The case code "${code.slice(0, 70)}" is not valid: at most 64 characters, no spaces`));
    } else {
      r.code = code;
      r.codeGiven = true;
    }
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
    return finishRow(r);
  }
  if (dateText === null) {
    r.notes.push(reason('DATE_DEFAULTED', `文件中没有发现日期：按所选的缺省发现日期 ${query.detectedOn} 记录`, `No detection date in the file: recorded with the chosen default date ${query.detectedOn}`));
  }
  const date = dateText === null ? query.detectedOn! : normaliseDate(dateText);
  if (date === null) r.reasons.push(reason('DATE_INVALID', `发现日期“${dateText}”无法识别：请写成 2026-03-05 的形式`, `The detection date "${dateText}" is not a date like 2026-03-05`));
  else if (date > today) r.reasons.push(reason('DATE_IN_FUTURE', `发现日期 ${date} 晚于今天`, `The detection date ${date} is in the future`));
  else r.detectedOn = date;
  finishRow(r);
}

/** The polygon's checks and area (after the attributes, whatever they found). */
function finishRow(r: RowState) {
  const validation = r.validation ?? validateSiteGeometry(r.feature.geometry);
  for (const p of validation.problems) r.reasons.push(reason(p.code, p.zh, p.en));
  if (validation.valid) {
    const m2 = ellipsoidalArea(r.feature.geometry as AreaGeometry);
    if (m2 <= OVERLAP_EPSILON_M2) r.reasons.push(reason('ZERO_AREA', '图斑面积为零', 'The polygon has no area'));
    else r.areaM2 = m2;
  }
}

const isInvalid = (r: RowState) => r.reasons.some((x) => !x.code.startsWith('DUPLICATE_'));

async function checkedQuery<T>(q: Queryable, countSql: string, rowsSql: string, params: unknown[], what: string): Promise<T[]> {
  const [{ n } = { n: -1 }] = await q.query<{ n: number }>(countSql, params);
  const rows = await q.query<T>(rowsSql, params);
  if (rows.length !== n) throw new Error(`${what}不完整：${n} 对候选只得到 ${rows.length} 条结果（几何运算失败）`);
  return rows;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

async function runImport(db: Database, input: ImportInput, job: JobState): Promise<CaseImportReport> {
  await new Promise((resolve) => setImmediate(resolve)); // answer the POST first
  const started = Date.now();
  const { query, parsed } = input;
  const today = beijingToday();
  const rows: RowState[] = parsed.features.features.map((feature, i) => ({
    row: i + 1,
    feature,
    code: null,
    codeGiven: false,
    source: null,
    detectedOn: null,
    countyCode: null,
    countyName: null,
    countyNameEn: null,
    areaM2: null,
    reasons: [],
    notes: [],
    duplicateOf: [],
    staged: false,
    caseId: null,
    ...(parsed.validation?.[i] ? { validation: parsed.validation[i] } : {}),
  }));
  const byRow = new Map(rows.map((r) => [r.row, r]));
  job.set('validating', 0, rows.length);
  for (const r of rows) checkRow(r, query, today);

  return db.transaction(async (tx) => {
    if (!query.dryRun) await tx.query(`SELECT pg_advisory_xact_lock(hashtext('case_import'))`);

    // codes: unique among the rows and against the existing cases
    const firstWithCode = new Map<string, number>();
    for (const r of rows) {
      if (!r.code) continue;
      const earlier = firstWithCode.get(r.code);
      if (earlier !== undefined) r.reasons.push(reason('CODE_REPEATED', `图斑编号 ${r.code} 与第 ${earlier} 行重复`, `The case code ${r.code} repeats row ${earlier}`));
      else firstWithCode.set(r.code, r.row);
    }
    if (firstWithCode.size) {
      const taken = await tx.query<{ code: string }>('SELECT code FROM encroachment WHERE code = ANY($1::text[])', [[...firstWithCode.keys()]]);
      for (const { code } of taken) {
        byRow.get(firstWithCode.get(code)!)!.reasons.push(reason('CODE_EXISTS', `图斑编号 ${code} 已存在`, `A case with the code ${code} exists already`));
      }
    }

    // stage the polygons that passed in Node; GEOS validity and county in the database
    await tx.query('CREATE TEMP TABLE case_import_row (row_no int PRIMARY KEY, geom geometry(MultiPolygon, 4490) NOT NULL) ON COMMIT DROP');
    const toStage = rows.filter((r) => r.areaM2 !== null);
    let checked = rows.length - toStage.length;
    job.set('validating', checked, rows.length);
    for (let i = 0; i < toStage.length; i += BATCH) {
      const batch = toStage.slice(i, i + BATCH);
      const nums = batch.map((r) => r.row);
      await tx.query(sql('import-stage'), [nums, batch.map((r) => JSON.stringify(r.feature.geometry))]);
      const validity = await tx.query<{ row_no: number; valid: boolean; reason: string | null; location: string | null }>(sql('import-validity'), [nums]);
      if (validity.length !== batch.length) throw new Error(`图形检查不完整：${batch.length} 个图斑只得到 ${validity.length} 条结果`);
      const invalid: number[] = [];
      for (const v of validity) {
        if (v.valid) continue;
        invalid.push(Number(v.row_no));
        const why = describeGeosReason(v.reason, v.location ? (JSON.parse(v.location) as { coordinates: number[] }).coordinates : null);
        byRow.get(Number(v.row_no))!.reasons.push(reason('INVALID_GEOMETRY', `图形无效：${why.text.zh}`, `The polygon is not valid: ${why.text.en}`));
      }
      const valid = nums.filter((n) => !invalid.includes(n));
      const counties = await tx.query<{ row_no: number; county_code: string | null; county_name: string | null; county_name_en: string | null }>(sql('import-county'), [valid]);
      if (counties.length !== valid.length) throw new Error(`县区判定不完整：${valid.length} 个图斑只得到 ${counties.length} 条结果`);
      for (const c of counties) {
        const r = byRow.get(Number(c.row_no))!;
        if (c.county_code) {
          r.countyCode = c.county_code;
          r.countyName = c.county_name;
          r.countyNameEn = c.county_name_en;
        }
        else {
          invalid.push(r.row);
          r.reasons.push(reason('OUTSIDE_COUNTIES', '图斑不在开封市任何县区内', 'The polygon lies in none of Kaifeng’s counties'));
        }
      }
      if (invalid.length) await tx.query('DELETE FROM case_import_row WHERE row_no = ANY($1::int[])', [invalid]);
      for (const n of nums) if (!invalid.includes(n)) byRow.get(n)!.staged = true;
      checked += batch.length;
      job.set('validating', checked, rows.length);
    }
    const staged = rows.filter((r) => r.staged);
    await tx.query('CREATE INDEX ON case_import_row USING gist (geom)');
    await tx.query('ANALYZE case_import_row');

    // duplicates: existing cases, then earlier rows of the file
    job.set('duplicates', 0, staged.length);
    const share = (overlap: string | null, a: number, b: number) => {
      if (overlap === null) return 0;
      const m2 = ellipsoidalArea(JSON.parse(overlap) as AreaGeometry);
      return m2 <= OVERLAP_EPSILON_M2 ? 0 : m2 / Math.min(a, b);
    };
    for (let i = 0; i < staged.length; i += BATCH) {
      const nums = staged.slice(i, i + BATCH).map((r) => r.row);
      const vsCases = await checkedQuery<{ row_no: number; case_id: number; case_code: string; case_area_m2: number; overlap: string | null }>(
        tx,
        sql('import-dup-case-candidates'),
        sql('import-dup-case-overlay'),
        [nums],
        '与已有图斑的重叠检查',
      );
      for (const d of vsCases) {
        const r = byRow.get(Number(d.row_no))!;
        const s = share(d.overlap, r.areaM2!, Number(d.case_area_m2));
        if (s <= query.duplicateShare) continue;
        r.duplicateOf.push({ caseCode: d.case_code, caseId: Number(d.case_id), row: null, share: s });
        r.reasons.push(
          reason(
            'DUPLICATE_OF_CASE',
            `与已有图斑 ${d.case_code} 重叠 ${percent(s)}（超过 ${percent(query.duplicateShare)}）`,
            `Overlaps the existing case ${d.case_code} by ${percent(s)} (more than ${percent(query.duplicateShare)})`,
          ),
        );
      }
      const vsRows = await checkedQuery<{ row_no: number; other_row: number; overlap: string | null }>(
        tx,
        sql('import-dup-row-candidates'),
        sql('import-dup-row-overlay'),
        [nums],
        '文件内的重叠检查',
      );
      for (const d of vsRows) {
        const r = byRow.get(Number(d.row_no))!;
        const other = byRow.get(Number(d.other_row))!;
        const s = share(d.overlap, r.areaM2!, other.areaM2!);
        if (s <= query.duplicateShare) continue;
        r.duplicateOf.push({ caseCode: null, caseId: null, row: other.row, share: s });
        r.reasons.push(
          reason(
            'DUPLICATE_OF_ROW',
            `与第 ${other.row} 行重叠 ${percent(s)}（超过 ${percent(query.duplicateShare)}）`,
            `Overlaps row ${other.row} by ${percent(s)} (more than ${percent(query.duplicateShare)})`,
          ),
        );
      }
      job.set('duplicates', Math.min(staged.length, i + BATCH), staged.length);
    }

    const include = new Set(query.includeDuplicates ?? []);
    const status = (r: RowState): ImportRow['status'] => (isInvalid(r) ? 'invalid' : r.duplicateOf.length ? 'duplicate' : 'ok');
    const chosen = rows.filter((r) => status(r) === 'ok' || (status(r) === 'duplicate' && include.has(r.row)));
    let importId: string | null = null;

    if (!query.dryRun && chosen.length > 0) {
      // codes for rows without one: WP<year><county>-<5-digit sequence>, after the highest in use
      job.set('saving', 0, chosen.length);
      const prefixOf = (r: RowState) => `WP${r.detectedOn!.slice(0, 4)}${r.countyCode}-`;
      const prefixes = [...new Set(chosen.filter((r) => !r.code).map(prefixOf))];
      if (prefixes.length) {
        const seqs = await tx.query<{ prefix: string; seq: number }>(sql('import-code-seq'), [prefixes]);
        const next = new Map(seqs.map((s) => [s.prefix, Number(s.seq)]));
        for (const r of rows) {
          // codes given in the file with the same prefix count as in use too
          const m = r.code ? /^(WP\d{4}\d{6}-)(\d{1,9})$/.exec(r.code) : null;
          if (m && next.has(m[1]!)) next.set(m[1]!, Math.max(next.get(m[1]!)!, Number(m[2])));
        }
        for (const r of chosen) {
          if (r.code) continue;
          const p = prefixOf(r);
          const n = next.get(p)! + 1;
          next.set(p, n);
          r.code = `${p}${String(n).padStart(5, '0')}`;
        }
      }
      importId = randomUUID();
      await tx.query(
        `INSERT INTO case_import (id, actor, file_name, format, rows, created, duplicate_share, report)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '{}'::json)`,
        [importId, query.actor || null, input.fileName, parsed.detected.format, rows.length, chosen.length, query.duplicateShare],
      );
      const created = await tx.query<{ id: number; code: string }>(sql('import-insert'), [
        chosen.map((r) => r.row),
        chosen.map((r) => r.code),
        chosen.map((r) => r.countyCode),
        chosen.map((r) => r.source),
        chosen.map((r) => r.detectedOn),
        chosen.map((r) => r.areaM2),
        importId,
      ]);
      if (created.length !== chosen.length) throw new Error(`图斑写入不完整：应写入 ${chosen.length} 个，实际 ${created.length} 个`);
      const idByCode = new Map(created.map((c) => [c.code, Number(c.id)]));
      for (const r of chosen) r.caseId = idByCode.get(r.code!) ?? null;
      job.set('saving', chosen.length, chosen.length);

      job.set('overlaps', 0, chosen.length);
      await computeCaseOverlaps(tx, chosen.map((r) => r.caseId!), (p) => job.set('overlaps', p.done, p.total));
    }

    const reportRows: ImportRow[] = rows.map((r) => ({
      row: r.row,
      status: status(r),
      code: r.code,
      countyCode: r.countyCode,
      countyName: r.countyName,
      countyNameEn: r.countyNameEn,
      source: r.source,
      notes: r.notes,
      detectedOn: r.detectedOn,
      area: r.areaM2 === null ? null : toAreaUnits(r.areaM2),
      reasons: r.reasons,
      duplicateOf: r.duplicateOf,
      created: r.caseId !== null,
      caseId: r.caseId,
    }));
    const count = (s: ImportRow['status']) => reportRows.filter((r) => r.status === s).length;
    const report: CaseImportReport = {
      dryRun: query.dryRun,
      fileName: input.fileName,
      detected: { format: parsed.detected.format, crs: parsed.detected.crs, encoding: parsed.detected.encoding ?? null },
      warnings: parsed.warnings.map((w) => ({ code: w.code, zh: w.zh, en: w.en })),
      duplicateShare: query.duplicateShare,
      counts: {
        rows: rows.length,
        ok: count('ok'),
        invalid: count('invalid'),
        duplicate: count('duplicate'),
        created: reportRows.filter((r) => r.created).length,
        duplicatesIncluded: reportRows.filter((r) => r.created && r.status === 'duplicate').length,
      },
      rows: reportRows,
      importId,
      elapsedMs: Date.now() - started,
    };
    if (importId) await tx.query('UPDATE case_import SET report = $2::json WHERE id = $1', [importId, JSON.stringify(report)]);
    return report;
  });
}
