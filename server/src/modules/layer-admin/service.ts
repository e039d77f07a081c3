/**
 * Replacing a control layer (图层导入与版本恢复) as jobs with progress.
 *
 * An import runs in two steps the administrator sees:
 * 1. **check** (phases checking → ready): attributes read in Node (fields.ts), polygons staged
 *    in a temporary table and checked by GEOS (invalid ones left out, or repaired with
 *    ST_MakeValid when asked), each placed in its county; nothing is written. The job then
 *    waits at `ready` with the summary — count, extent, ellipsoidal area, fields read,
 *    problems by feature — for the administrator to confirm or cancel.
 * 2. **replace** (phases replacing → refreshing → done), in one transaction (repo.ts): the
 *    served version archived, the new features written, the version rows swapped. A failure
 *    or a cancellation rolls everything back: the previous version is still served. After the
 *    commit the stock-land tables derived from the control lines are rebuilt.
 *
 * A restore swaps an archived version back in the same way.
 *
 * On the embedded database a replacement holds the database for its duration (it runs one
 * statement at a time); on PostGIS readers keep reading the previous version until commit.
 */
import { describeGeosReason } from '../../../../core/geos-reason.ts';
import { getLayer } from '../../../../core/layers.ts';
import { beijingYear } from '../../../../core/beijing-time.ts';
import type { ImportableLayer, LayerImportSummary, LayerJob, LayerJobPhase } from '../../../../core/contracts/layer-admin.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import type { ParseResult, SiteGeometry } from '../../formats/parsers/index.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';
import { JobProgress, JobRegistry } from '../../jobs/registry.ts';
import { audit, type User } from '../auth/service.ts';
import { refreshStockDerived } from '../stock/derived.ts';
import { fieldMapping, layerColumns, readRow, type LayerColumn, type Reason } from './fields.ts';
import {
  activateVersion,
  activeVersion,
  archiveServed,
  ensureFirstVersion,
  findVersion,
  insertFeatures,
  lockLayer,
  recordNewVersion,
  restoreArchived,
  servedVersion,
  type NewFeature,
} from './repo.ts';

const sql = (name: string) => sqlFile(new URL(`./sql/${name}.sql`, import.meta.url));

/** Polygons per round trip while checking. */
const CHECK_BATCH = 1000;
/** Problems listed in a summary (the count is always whole). */
export const MAX_LISTED_PROBLEMS = 2000;

export const PHASE_ZH: Record<LayerJobPhase, string> = {
  reading: '读取文件',
  checking: '检查图形与属性',
  ready: '检查完成，等待确认',
  replacing: '替换图层',
  refreshing: '更新存量土地管控情况',
  done: '完成',
  failed: '失败',
  cancelled: '已取消',
};

/** Where each phase starts and ends on the progress bar of its step (check, then replace). */
const SPAN: Partial<Record<LayerJobPhase, [number, number]>> = {
  reading: [0, 0.05],
  checking: [0.05, 1],
  replacing: [0, 0.9],
  refreshing: [0.9, 1],
};

/** Thrown at the next checkpoint once a running replacement is asked to stop. */
class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

type Log = { error: (o: object, msg: string) => void };

interface Actor {
  user: User | null;
  ip: string | null;
}

export class LayerJobState extends JobProgress<LayerJobPhase> {
  summary: LayerImportSummary | null = null;
  versionNo: number | null = null;
  cancelRequested = false;
  /** When the check ended (ms), for expiring unconfirmed checks. */
  readyAt: number | null = null;
  /** The checked features, until the job is committed or dropped. */
  features: NewFeature[] | null = null;
  constructor(
    readonly kind: 'import' | 'restore',
    readonly layer: ImportableLayer,
  ) {
    super('reading', PHASE_ZH);
  }

  checkpoint = () => {
    if (this.cancelRequested) throw new Cancelled();
  };

  fail(code: string, message: string, en: string) {
    this.phase = 'failed';
    this.error = { code, message, en };
    this.features = null;
  }

  get finished() {
    return this.phase === 'done' || this.phase === 'failed' || this.phase === 'cancelled';
  }

  view(lang: 'zh' | 'en'): LayerJob {
    return {
      ...this.progressView(lang, SPAN[this.phase], this.phase === 'done' || this.phase === 'ready'),
      kind: this.kind,
      layer: this.layer,
      phase: this.phase,
      summary: this.summary,
      versionNo: this.versionNo,
    };
  }
}

const yearNow = () => beijingYear().toString();

function bboxOf(geometries: SiteGeometry[]): [number, number, number, number] | null {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const g of geometries) {
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const p of polys)
      for (const [x, y] of p[0] ?? []) {
        if (x! < w) w = x!;
        if (x! > e) e = x!;
        if (y! < s) s = y!;
        if (y! > n) n = y!;
      }
  }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}

/** Import and restore jobs, kept in the server's memory for an hour after they end. */
export class LayerJobs {
  /** A check nobody confirmed within the hour lets its features go. */
  private readonly jobs = new JobRegistry<LayerJobState>(3600_000, (j, now) => {
    if (j.phase === 'ready' && j.readyAt !== null && now - j.readyAt > 3600_000) {
      j.phase = 'cancelled';
      j.features = null;
      j.finishedAt = new Date(now).toISOString();
    }
  });

  constructor(private readonly log?: Log) {}

  get(id: string): LayerJobState | undefined {
    return this.jobs.get(id);
  }

  private add(job: LayerJobState, run: () => Promise<void>) {
    this.jobs.add(job);
    job.promise = new Promise<void>((resolve) => setImmediate(resolve)) // answer the request first
      .then(run)
      .catch((err: unknown) => {
        if (err instanceof Cancelled) {
          job.phase = 'cancelled';
          job.features = null;
          return;
        }
        if (err instanceof AppError) return job.fail(err.code, err.zh, err.en);
        this.log?.error({ err }, 'layer job failed');
        const detail = err instanceof Error ? err.message : String(err);
        job.fail('LAYER_JOB_FAILED', `操作失败，图层未作任何改动，仍为原版本：${detail}`, `The job failed and changed nothing; the layer keeps its previous version: ${detail}`);
      })
      .finally(() => {
        if (job.finished) job.finishedAt ??= new Date().toISOString();
      });
  }

  /** Starts the check of an uploaded file; the job waits at `ready` for commit() or cancel(). */
  startImport(db: Database, layer: ImportableLayer, input: { fileName: string; parsed: ParseResult; repair: boolean }): LayerJobState {
    const job = new LayerJobState('import', layer);
    this.add(job, () => checkImport(db, job, input));
    return job;
  }

  /** Confirms a checked import: replaces the layer (409 unless the job is ready). */
  commit(db: Database, job: LayerJobState, actor: Actor, note: string | undefined): void {
    if (job.phase !== 'ready' || !job.features || !job.summary) {
      throw new AppError(409, 'JOB_NOT_READY', `任务处于“${PHASE_ZH[job.phase]}”阶段，不能确认替换`, `The job is ${job.phase}; it cannot be confirmed now`);
    }
    if (job.features.length === 0) {
      throw new AppError(422, 'NOTHING_TO_IMPORT', '文件中没有可导入的要素：图层不能替换为空图层', 'The file has no feature that can be imported: a layer cannot be replaced by an empty one');
    }
    job.set('replacing', 0, 1);
    this.add(job, () => replaceLayer(db, job, actor, note ?? null, this.log));
  }

  /** Starts restoring an archived version. */
  startRestore(db: Database, layer: ImportableLayer, versionNo: number, actor: Actor, note: string | undefined): LayerJobState {
    const job = new LayerJobState('restore', layer);
    job.set('replacing', 0, 1);
    this.add(job, () => restoreVersion(db, job, versionNo, actor, note ?? null, this.log));
    return job;
  }

  /** Cancels a job that is checking, waiting to be confirmed, or replacing (rolled back). */
  cancel(job: LayerJobState): void {
    if (job.finished) {
      throw new AppError(409, 'JOB_FINISHED', `任务已${PHASE_ZH[job.phase]}，不能取消`, `The job has ended (${job.phase}); it cannot be cancelled`);
    }
    if (job.phase === 'refreshing') {
      throw new AppError(409, 'JOB_COMMITTED', '图层已替换，正在更新派生数据，不能取消；如需回退请恢复上一版本', 'The layer has been replaced; restore the previous version to go back');
    }
    job.cancelRequested = true;
    if (job.phase === 'ready') {
      job.phase = 'cancelled';
      job.features = null;
      job.finishedAt = new Date().toISOString();
    }
  }

  /** Waits for running jobs (the app waits before closing its database). */
  settle(): Promise<void> {
    return this.jobs.settle();
  }
}

// ---------------------------------------------------------------------------------------------
// The check

interface Row {
  row: number;
  values: Record<LayerColumn, string | number | null>;
  geometry: SiteGeometry;
  /** GeoJSON text of the repaired polygon, when it was repaired. */
  repaired: string | null;
  reasons: Reason[];
  excluded: boolean;
}

async function checkImport(db: Database, job: LayerJobState, input: { fileName: string; parsed: ParseResult; repair: boolean }): Promise<void> {
  const { layer } = job;
  const features = input.parsed.features.features;
  job.set('checking', 0, features.length);
  const countyRows = await db.query<{ code: string }>('SELECT code FROM admin_county');
  const counties = new Set(countyRows.map((c) => c.code));
  const mapping = fieldMapping(layer, features.slice(0, 200).map((f) => f.properties ?? {}));
  const year = yearNow();
  const rows: Row[] = features.map((f, i) => {
    const { values, reasons } = readRow(f.properties ?? {}, { layer, mapping, row: i + 1, fileName: input.fileName, year, counties });
    return { row: i + 1, values, geometry: f.geometry, repaired: null, reasons, excluded: reasons.length > 0 };
  });
  const byRow = new Map(rows.map((r) => [r.row, r]));
  const firstWithCode = new Map<string, number>();
  for (const r of rows) {
    const code = String(r.values.code);
    const earlier = firstWithCode.get(code);
    if (earlier === undefined) firstWithCode.set(code, r.row);
    else {
      r.reasons.push({ code: 'CODE_REPEATED', zh: `编号 ${code} 与第 ${earlier} 个要素重复`, en: `The code ${code} repeats feature ${earlier}` });
      r.excluded = true;
    }
  }

  await db.transaction(async (tx) => {
    await tx.query('CREATE TEMP TABLE layer_import_row (row_no int PRIMARY KEY, geom geometry(MultiPolygon, 4490) NOT NULL) ON COMMIT DROP');
    let checked = 0;
    for (let i = 0; i < rows.length; i += CHECK_BATCH) {
      job.checkpoint();
      const batch = rows.slice(i, i + CHECK_BATCH).filter((r) => !r.excluded);
      const nums = batch.map((r) => r.row);
      if (nums.length) await checkBatch(tx, nums, byRow, input.repair);
      checked += Math.min(CHECK_BATCH, rows.length - i);
      job.set('checking', checked, rows.length);
    }
  });

  const kept = rows.filter((r) => !r.excluded);
  const newFeatures: NewFeature[] = [];
  for (const r of kept) {
    const geometry = r.repaired ? (JSON.parse(r.repaired) as SiteGeometry) : r.geometry;
    const m2 = ellipsoidalArea(geometry as AreaGeometry);
    if (!(m2 > OVERLAP_EPSILON_M2)) {
      r.reasons.push({ code: 'ZERO_AREA', zh: '面积为零', en: 'The polygon has no area' });
      r.excluded = true;
      continue;
    }
    newFeatures.push({ values: r.values, areaM2: m2, geometry: r.repaired ?? JSON.stringify(r.geometry) });
  }
  const current = await servedVersion(db, layer);
  const included = rows.filter((r) => !r.excluded);
  const problems = rows.filter((r) => r.reasons.length > 0);
  const fields: Record<string, string> = {};
  for (const col of layerColumns(layer)) fields[col] = mapping[col] ?? '';
  job.features = newFeatures;
  job.summary = {
    layer,
    fileName: input.fileName,
    detected: { format: input.parsed.detected.format, crs: input.parsed.detected.crs, encoding: input.parsed.detected.encoding ?? null },
    warnings: input.parsed.warnings.map((w) => ({ code: w.code, zh: w.zh, en: w.en })),
    rows: rows.length,
    featureCount: newFeatures.length,
    area: toAreaUnits(newFeatures.reduce((s, f) => s + f.areaM2, 0)),
    bbox: bboxOf(included.map((r) => (r.repaired ? (JSON.parse(r.repaired) as SiteGeometry) : r.geometry))),
    fields,
    problems: problems.slice(0, MAX_LISTED_PROBLEMS).map((r) => ({
      row: r.row,
      code: r.values.code === null ? null : String(r.values.code),
      outcome: r.excluded ? ('excluded' as const) : ('repaired' as const),
      reasons: r.reasons,
    })),
    problemCount: problems.length,
    replaces: { versionNo: current.versionNo, featureCount: current.featureCount, area: toAreaUnits(current.areaM2) },
  };
  job.set('ready', rows.length, rows.length);
  job.readyAt = Date.now();
}

/** GEOS validity (and repair), then the county, for one batch of rows staged in the temp table. */
async function checkBatch(tx: Queryable, nums: number[], byRow: Map<number, Row>, repair: boolean): Promise<void> {
  const staged = await tx.query<{ row_no: number }>(sql('stage'), [nums, nums.map((n) => JSON.stringify(byRow.get(n)!.geometry))]);
  if (staged.length !== nums.length) throw new Error(`图形读入不完整：${nums.length} 个要素只读入 ${staged.length} 个`);
  const validity = await tx.query<{ row_no: number; valid: boolean; reason: string | null; location: string | null }>(sql('validity'), [nums]);
  if (validity.length !== nums.length) throw new Error(`图形检查不完整：${nums.length} 个要素只得到 ${validity.length} 条结果`);
  const invalid = validity.filter((v) => !v.valid);
  const drop: number[] = [];
  for (const v of invalid) {
    const r = byRow.get(Number(v.row_no))!;
    const why = describeGeosReason(v.reason, v.location ? (JSON.parse(v.location) as { coordinates: number[] }).coordinates : null);
    r.reasons.push({ code: 'INVALID_GEOMETRY', zh: `图形无效：${why.text.zh}`, en: `The polygon is not valid: ${why.text.en}` });
    if (!repair) {
      r.excluded = true;
      drop.push(r.row);
    }
  }
  if (repair && invalid.length) {
    const fixNums = invalid.map((v) => Number(v.row_no));
    const fixed = await tx.query<{ row_no: number; ok: boolean; geometry: string }>(sql('repair'), [fixNums]);
    const got = new Map(fixed.map((f) => [Number(f.row_no), f]));
    for (const n of fixNums) {
      const r = byRow.get(n)!;
      const f = got.get(n);
      if (f?.ok) {
        r.repaired = f.geometry;
        r.reasons.push({ code: 'REPAIRED', zh: '已自动修复（ST_MakeValid）', en: 'Repaired automatically (ST_MakeValid)' });
      } else {
        r.reasons.push({ code: 'REPAIR_FAILED', zh: '无法自动修复，未导入', en: 'Could not be repaired; left out' });
        r.excluded = true;
        drop.push(n);
      }
    }
  }
  if (drop.length) await tx.query('DELETE FROM layer_import_row WHERE row_no = ANY($1::int[])', [drop]);
  const rest = nums.filter((n) => !drop.includes(n));
  if (!rest.length) return;
  const located = await tx.query<{ row_no: number; county_code: string | null }>(sql('county'), [rest]);
  if (located.length !== rest.length) throw new Error(`县区判定不完整：${rest.length} 个要素只得到 ${located.length} 条结果`);
  for (const c of located) {
    const r = byRow.get(Number(c.row_no))!;
    if (!c.county_code) {
      r.reasons.push({ code: 'OUTSIDE_COUNTIES', zh: '不在开封市任何县区内（请检查坐标系）', en: 'Lies in none of Kaifeng’s counties (check the coordinate system)' });
      r.excluded = true;
    } else if (r.values.county_code === null) r.values.county_code = c.county_code;
  }
}

// ---------------------------------------------------------------------------------------------
// Replacing

const nameOf = (layer: ImportableLayer) => getLayer(layer)!.nameZh;

async function replaceLayer(db: Database, job: LayerJobState, actor: Actor, note: string | null, log?: Log): Promise<void> {
  const { layer } = job;
  const features = job.features!;
  const summary = job.summary!;
  const archived = summary.replaces.featureCount;
  const total = archived + features.length;
  try {
    job.versionNo = await db.transaction(async (tx) => {
      await lockLayer(tx, layer);
      await ensureFirstVersion(tx, layer);
      const current = await activeVersion(tx, layer);
      if (current.versionNo !== summary.replaces.versionNo) {
        throw new AppError(
          409,
          'LAYER_CHANGED',
          `${nameOf(layer)}在检查之后已变为第 ${current.versionNo} 版，请重新导入文件再确认`,
          `The layer has become version ${current.versionNo} since the check; import the file again`,
        );
      }
      await archiveServed(tx, layer, current.versionNo, (d) => job.set('replacing', d, total), job.checkpoint);
      await insertFeatures(tx, layer, features, (d) => job.set('replacing', archived + d, total), job.checkpoint);
      job.checkpoint();
      const versionNo = await recordNewVersion(tx, layer, {
        fileName: summary.fileName,
        format: summary.detected.format,
        crs: summary.detected.crs,
        featureCount: features.length,
        areaM2: summary.area.m2,
        bbox: summary.bbox,
        note,
        user: actor.user,
      });
      await audit(tx, {
        action: 'layer-import',
        user: actor.user,
        ip: actor.ip,
        target: layer,
        details: { layer, versionNo, replaced: current.versionNo, fileName: summary.fileName, features: features.length, excluded: summary.rows - features.length, areaMu: summary.area.mu },
      });
      return versionNo;
    });
  } catch (e) {
    await audit(db, {
      action: e instanceof Cancelled ? 'layer-import-cancelled' : 'layer-import-failed',
      user: actor.user,
      ip: actor.ip,
      target: layer,
      details: { layer, fileName: summary.fileName, ...failureWords(e) },
    }).catch(() => undefined);
    throw e;
  }
  job.features = null;
  await refresh(db, job, log);
}

/** What went wrong, in both languages where the error has them (an AppError's message is its English). */
function failureWords(e: unknown): { error: string; errorEn?: string } {
  if (e instanceof Cancelled) return { error: '已取消', errorEn: 'cancelled' };
  const w = e as { zh?: unknown; en?: unknown; message?: unknown };
  if (typeof w.zh === 'string' && typeof w.en === 'string') return { error: w.zh, errorEn: w.en };
  return { error: e instanceof Error ? e.message : String(e) };
}

async function restoreVersion(db: Database, job: LayerJobState, versionNo: number, actor: Actor, note: string | null, log?: Log): Promise<void> {
  const { layer } = job;
  try {
    await db.transaction(async (tx) => {
      await lockLayer(tx, layer);
      await ensureFirstVersion(tx, layer);
      const current = await activeVersion(tx, layer);
      const target = await findVersion(tx, layer, versionNo);
      if (!target) throw new AppError(404, 'NO_SUCH_VERSION', `${nameOf(layer)}没有第 ${versionNo} 版`, `The layer has no version ${versionNo}`);
      if (target.state === 'active') throw new AppError(409, 'VERSION_ACTIVE', `第 ${versionNo} 版就是当前在用的版本`, `Version ${versionNo} is the one in use`);
      const total = current.featureCount + target.featureCount;
      await archiveServed(tx, layer, current.versionNo, (d) => job.set('replacing', d, total), job.checkpoint);
      await restoreArchived(tx, layer, versionNo, target.featureCount, (d) => job.set('replacing', current.featureCount + d, total), job.checkpoint);
      job.checkpoint();
      await activateVersion(tx, layer, versionNo, actor.user);
      await audit(tx, {
        action: 'layer-restore',
        user: actor.user,
        ip: actor.ip,
        target: layer,
        details: { layer, versionNo, replaced: current.versionNo, features: target.featureCount, note },
      });
    });
  } catch (e) {
    if (!(e instanceof AppError)) {
      await audit(db, {
        action: e instanceof Cancelled ? 'layer-restore-cancelled' : 'layer-restore-failed',
        user: actor.user,
        ip: actor.ip,
        target: layer,
        details: { layer, versionNo, ...failureWords(e) },
      }).catch(() => undefined);
    }
    throw e;
  }
  job.versionNo = versionNo;
  await refresh(db, job, log);
}

/** After the commit: what is derived from the control lines follows them. */
async function refresh(db: Database, job: LayerJobState, log?: Log): Promise<void> {
  job.set('refreshing', 0, 1);
  try {
    await refreshStockDerived(db);
  } catch (err) {
    // the layer is replaced; the derived tables are rebuilt again on their next use
    log?.error({ err }, 'stock-land derived tables not rebuilt after a layer change');
  }
  job.set('done', 1, 1);
}
