/**
 * Replacing a layer (图层导入与版本恢复) as durable jobs: every job is a row of `layer_job`
 * (migration 0013) — its phase, progress, summary and outcome — run by whichever app instance
 * claims it, resumed after a restart, cancellable from any instance.
 *
 * An import runs in two steps the administrator sees:
 * 1. **check** (reading → checking → ready): the uploaded file, already on the server's disk, is
 *    read record by record; each record's attributes are mapped (fields.ts) and its area taken on
 *    the ellipsoid, and the rows go by COPY into the job's staging table; the checks then run
 *    set-wise in SQL (store.ts). Nothing served is touched. The job waits at `ready` with the
 *    summary for the administrator to confirm or cancel (unconfirmed checks are dropped after
 *    {@link READY_KEEP_MS}).
 * 2. **replace** (replacing → refreshing → done): the new version is built as a table of its own,
 *    then swapped in by one short transaction (the served table archived under its version
 *    number). A failure or a cancellation before the swap drops what was built: the previous
 *    version is still served. After the swap what is derived from the layer follows it.
 * A restore is the swap of an archived version's table.
 *
 * Durability: a job's worker writes a heartbeat with its progress every {@link HEARTBEAT_MS}; a
 * job whose worker stopped (a restart, a crash) is claimed again once its heartbeat is older
 * than `staleMs`, or at once by an instance told that it is the only one (the embedded
 * database). A check interrupted before `ready` is run again from the file; a replacement
 * interrupted before its swap is run again (the swap is one transaction: it happened or not —
 * the job's phase is set to `refreshing` inside it).
 *
 * Other modules run kinds of their own on the same queue ({@link JobKind}: the encroachment batch
 * import, cases/import.ts, kind `case-import`) — the same claim, heartbeat, cancellation and
 * take-back after a restart; they write their own staging, outcome and words.
 */
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describeGeosReason } from '../../../../core/geos-reason.ts';
import { getLayer } from '../../../../core/layers.ts';
import { beijingToday, beijingYear } from '../../../../core/beijing-time.ts';
import type { ImportableLayer, LayerImportSummary, LayerJob, LayerJobPhase } from '../../../../core/contracts/layer-admin.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import { copyLine, type Database } from '../../db/database.ts';
import { multiPolygonHexEwkb } from '../../formats/ewkb.ts';
import type { ParseOptions, SiteGeometry } from '../../formats/parsers/index.ts';
import { AppError } from '../../plugins/errors.ts';
import { audit, type User } from '../auth/service.ts';
import { followLayerChange } from './follow.ts';
import { fieldMapping, layerColumns, readRow, unmappedFields, type Reason } from './fields.ts';
import { openLayerSource } from './source.ts';
import { activateVersion, activeVersion, ensureFirstVersion, findVersion, lockLayer, recordNewVersion, servedVersion } from './repo.ts';
import {
  buildVersionTable,
  checkStage,
  countVersionTable,
  createStage,
  dropStage,
  dropBuildTable,
  hasVersionTable,
  materialiseArchived,
  stageCopyColumns,
  stagedProblems,
  stageFigures,
  stageTable,
  swapIn,
  versionTableName,
  buildTableName,
  type CheckStep,
  type StagedProblem,
} from './store.ts';

/** Problems listed in a summary (the count is always whole). */
export const MAX_LISTED_PROBLEMS = 2000;
/** How often a running job writes its heartbeat and progress, and reads whether it was cancelled. */
export const HEARTBEAT_MS = 1000;
/** A running job whose heartbeat is older than this is taken to have lost its worker (another instance may claim it). */
export const DEFAULT_STALE_MS = 30_000;
/** How long a checked import waits for confirmation before it is dropped. */
export const READY_KEEP_MS = 24 * 3600_000;
/** Claims of one job before it is failed rather than tried again. */
const MAX_ATTEMPTS = 5;

export const PHASE_ZH: Record<LayerJobPhase, string> = {
  reading: '读取文件',
  checking: '检查图形与属性',
  ready: '检查完成，等待确认',
  replacing: '替换图层',
  refreshing: '更新派生数据',
  done: '完成',
  failed: '失败',
  cancelled: '已取消',
};

/** Where each phase starts and ends on the progress bar of its step (check, then replace). */
const SPAN: Partial<Record<LayerJobPhase, [number, number]>> = {
  reading: [0, 0.7],
  checking: [0.7, 1],
  replacing: [0, 0.9],
  refreshing: [0.9, 1],
};

const RUNNING: LayerJobPhase[] = ['reading', 'checking', 'replacing', 'refreshing'];
const FINISHED: LayerJobPhase[] = ['done', 'failed', 'cancelled'];

/** Thrown at the next checkpoint once a running job is asked to stop. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}
/** Thrown at the next checkpoint once the job's claim is gone (another worker took it over): this worker writes nothing more. */
class Lost extends Error {
  constructor() {
    super('claim lost');
  }
}
/** Thrown at the next checkpoint once the app closes: the job is released to be resumed. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

type Log = { error: (o: object, msg: string) => void; warn?: (o: object, msg: string) => void; info?: (o: object, msg: string) => void };

export interface Actor {
  user: User | null;
  ip: string | null;
}

interface StoredActor {
  user: { id: number; username: string; displayName: string; role: User['role'] } | null;
  ip: string | null;
}

const storeActor = (a: Actor): StoredActor => ({
  user: a.user ? { id: a.user.id, username: a.user.username, displayName: a.user.displayName, role: a.user.role } : null,
  ip: a.ip,
});
const actorOf = (a: StoredActor | null): Actor => ({ user: (a?.user as User | null) ?? null, ip: a?.ip ?? null });

/** What an import job keeps of its upload and options; a restore keeps the version. */
export interface ImportInput {
  fileName: string;
  /** The upload on the server's disk (deleted once the check is over). */
  path: string;
  bytes: number;
  repair: boolean;
  options: ParseOptions;
  /** The instance that received the file (only it can read the file again). */
  host: string;
  /** The version the import replaced (set by the swap). */
  replaced?: number;
}
interface RestoreInput {
  versionNo: number;
  /** The version the restore replaced (set by the swap). */
  replaced?: number;
}

export interface JobRow {
  id: string;
  kind: 'import' | 'restore' | 'case-import' | 'ledger-import';
  layer: ImportableLayer;
  phase: LayerJobPhase;
  /** The step within the phase (migration 0019), written with the heartbeat. */
  step: string | null;
  done: number;
  total: number;
  input: ImportInput | RestoreInput;
  summary: LayerImportSummary | null;
  error: { code: string; message: string; en: string } | null;
  version_no: number | null;
  actor: StoredActor | null;
  note: string | null;
  cancel_requested: boolean;
  worker: string | null;
  attempts: number;
  created_at: string | Date;
  finished_at: string | Date | null;
}

const iso = (t: string | Date | null) => (t === null ? null : (t instanceof Date ? t : new Date(t)).toISOString());
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const normalise = (r: JobRow): JobRow => ({
  ...r,
  done: Number(r.done),
  total: Number(r.total),
  input: json(r.input),
  summary: json(r.summary),
  error: json(r.error),
  actor: json(r.actor),
  version_no: r.version_no === null ? null : Number(r.version_no),
});

/** The answer for a job: its row, with the running worker's fresher progress when this instance runs it. */
function viewOf(r: JobRow, lang: 'zh' | 'en', live?: { phase: LayerJobPhase; done: number; total: number }): LayerJob {
  const phase = live?.phase ?? r.phase;
  const done = live?.done ?? r.done;
  const total = live?.total ?? r.total;
  const span = SPAN[phase];
  const complete = phase === 'done' || phase === 'ready';
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const progress = complete ? 1 : span ? span[0] + (span[1] - span[0]) * share : 0;
  return {
    jobId: r.id,
    phaseZh: PHASE_ZH[phase],
    done,
    total,
    progress: Math.round(progress * 1000) / 1000,
    startedAt: iso(r.created_at)!,
    finishedAt: iso(r.finished_at),
    error: r.error ? { code: r.error.code, message: lang === 'zh' ? r.error.message : r.error.en } : null,
    kind: r.kind as LayerJob['kind'],
    layer: r.layer,
    phase,
    summary: r.summary,
    versionNo: r.version_no,
  };
}

export interface LayerJobsOptions {
  log?: Log;
  /** This instance's name in `layer_job.worker` (default host:pid:random). */
  workerId?: string;
  /** Whether this instance runs jobs (default true); one that does not still answers, starts and cancels them. */
  run?: boolean;
  /** How often an idle runner looks for work (ms). */
  pollMs?: number;
  /** See {@link DEFAULT_STALE_MS}. */
  staleMs?: number;
  /** The only instance on its database (the embedded one): jobs another worker held are taken back at start. */
  soleInstance?: boolean;
  /** Called before each step of a job, awaited (tests hold a job at a known point with it). */
  beforeStep?: (jobId: string, step: JobStep) => Promise<void> | void;
}

export type JobStep = 'read' | CheckStep | 'summary' | 'build' | 'swap' | 'refresh' | 'duplicates' | 'saving' | 'overlaps';

/** A job of another module's kind as its runner sees it: its row, its live progress, its checkpoints. */
export interface JobRun {
  readonly row: JobRow;
  readonly workerId: string;
  readonly phase: LayerJobPhase;
  /** The live progress (written to the row with the heartbeat); `step` names the part of the phase. */
  set(phase: LayerJobPhase, done: number, total: number, step?: string | null): void;
  /** Throws once the job is cancelled, taken over or the app stops. */
  checkpoint(): void;
  /** A checkpoint, the test hook (`beforeStep`), a checkpoint. */
  step(name: JobStep): Promise<void>;
  /**
   * First thing in the transaction that writes the job's outcome: the job's row locked, still
   * this worker's and not cancelled (a cancel answered before it holds).
   */
  claim(tx: { query: Database['query'] }): Promise<void>;
}

/** A kind of job another module runs on this queue (see the module comment). */
export interface JobKind {
  /** Runs the job from the phase its row is at (reading/checking: from its file; replacing: its commit). */
  run(job: JobRun): Promise<void>;
  /** The outcome's words when the job fails for an unexpected reason, or is cancelled. */
  failed(detail: string): { code: string; message: string; en: string };
  cancelled: { code: string; message: string; en: string };
  /** Called once a job ended without its outcome (failed or cancelled), e.g. for the audit log. */
  ended?(row: JobRow, outcome: 'failed' | 'cancelled', error: { code: string; message: string; en: string }, phase: LayerJobPhase): Promise<void>;
}

/** A job this instance runs: its live progress and flags. */
class Running {
  phase: LayerJobPhase;
  step: string | null = null;
  done = 0;
  total = 0;
  cancelRequested = false;
  /** The job's row no longer names this worker (it was taken over as stale). */
  lost = false;
  constructor(
    readonly row: JobRow,
    private readonly jobs: LayerJobs,
  ) {
    this.phase = row.phase;
  }
  set(phase: LayerJobPhase, done: number, total: number, step: string | null = null) {
    this.phase = phase;
    this.done = done;
    this.total = total;
    this.step = step;
  }
  checkpoint = () => {
    if (this.lost) throw new Lost();
    if (this.cancelRequested) throw new Cancelled();
    if (this.jobs.stopping) throw new Interrupted();
  };
}

/** The layer jobs of one app instance: starting, answering, cancelling and running them. */
/**
 * Refuses a job whose upload is no longer on this server's disk (removed, or received by another
 * instance whose upload directory this one does not share): the file must be uploaded again.
 */
export async function uploadStillHere(input: { path: string; fileName: string; host: string }): Promise<void> {
  if (await stat(input.path).catch(() => null)) return;
  throw new AppError(
    422,
    'UPLOAD_GONE',
    `上传的文件“${input.fileName}”已不在服务器${input.host === hostname() ? '' : `（由 ${input.host} 接收）`}上：请重新上传`,
    `The uploaded file "${input.fileName}" is no longer on the server${input.host === hostname() ? '' : ` (received by ${input.host})`}: upload it again`,
  );
}

export class LayerJobs {
  readonly workerId: string;
  stopping = false;
  private readonly running = new Map<string, Running>();
  private readonly kinds = new Map<string, JobKind>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private current: Promise<void> | null = null;
  private readonly staleMs: number;

  constructor(
    private readonly db: Database,
    private readonly opts: LayerJobsOptions = {},
  ) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  }

  /** Lets this queue run jobs of another module's kind (before {@link start}). */
  register(kind: JobRow['kind'], handler: JobKind): void {
    this.kinds.set(kind, handler);
  }

  /** The running worker's fresher figures for a job this instance runs, while both it and the row say it runs. */
  live(r: JobRow): { phase: LayerJobPhase; step: string | null; done: number; total: number } | undefined {
    const live = this.running.get(r.id);
    return live && RUNNING.includes(r.phase) && RUNNING.includes(live.phase) ? live : undefined;
  }

  /** Records a job of a registered kind, to be run by whichever instance claims it. */
  async enqueue(kind: JobRow['kind'], layer: string, phase: LayerJobPhase, input: object, actor: Actor, total = 0): Promise<JobRow> {
    const rows = await this.db.query<JobRow>(
      `INSERT INTO layer_job (id, kind, layer, phase, total, input, actor) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [randomUUID(), kind, layer, phase, total, JSON.stringify({ ...input, host: hostname() }), JSON.stringify(storeActor(actor))],
    );
    this.kick();
    return normalise(rows[0]!);
  }

  /** A job waiting at `ready` queued again at `replacing` (its commit), its input extended; null when it no longer waits. */
  async proceed(id: string, patch: object, actor: Actor): Promise<JobRow | null> {
    const rows = await this.db.query<JobRow>(
      `UPDATE layer_job SET phase = 'replacing', step = NULL, done = 0, total = 1, actor = $2, input = input || $3::jsonb, worker = NULL, attempts = 0
        WHERE id = $1 AND phase = 'ready' AND finished_at IS NULL AND NOT cancel_requested RETURNING *`,
      [id, JSON.stringify(storeActor(actor)), JSON.stringify(patch)],
    );
    if (!rows[0]) return null;
    this.kick();
    return normalise(rows[0]);
  }

  /** Starts looking for work (the app calls it once it is ready). */
  async start(): Promise<void> {
    if (this.opts.run === false || this.timer) return;
    if (this.opts.soleInstance) {
      await this.db.query(`UPDATE layer_job SET worker = NULL WHERE finished_at IS NULL AND worker IS NOT NULL AND worker <> $1`, [this.workerId]);
    }
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 500);
    this.timer.unref();
    this.kick();
  }

  /** Stops taking work; a running job stops at its next checkpoint and is released to be resumed. */
  stop(): void {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** {@link stop}, then waits for the running job to let go. */
  async close(): Promise<void> {
    this.stop();
    await this.ticking?.catch(() => undefined);
    await this.current?.catch(() => undefined);
  }

  /** Looks for a job to run now. */
  kick(): void {
    if (this.opts.run === false || this.stopping || this.ticking) return;
    this.ticking = this.tick()
      .catch((err: unknown) => this.opts.log?.error({ err }, 'layer job runner failed'))
      .finally(() => {
        this.ticking = null;
      });
  }

  private async tick(): Promise<void> {
    await this.expireUnconfirmed();
    while (!this.stopping) {
      const row = await this.claim();
      if (!row) return;
      this.current = this.runJob(row);
      await this.current;
      this.current = null;
    }
  }

  /** Claims the oldest job that waits for a worker or lost its own. */
  private async claim(): Promise<JobRow | null> {
    const rows = await this.db.query<JobRow>(
      `UPDATE layer_job SET worker = $1, heartbeat_at = now(), attempts = attempts + 1
        WHERE id = (SELECT id FROM layer_job
                     WHERE finished_at IS NULL AND phase = ANY($2::text[])
                       AND (worker IS NULL OR heartbeat_at < now() - make_interval(secs => $3::float8 / 1000))
                     ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING *`,
      [this.workerId, RUNNING, this.staleMs],
    );
    return rows[0] ? normalise(rows[0]) : null;
  }

  private async expireUnconfirmed(): Promise<void> {
    const gone = await this.db.query<{ id: string }>(
      `UPDATE layer_job SET phase = 'cancelled', finished_at = now()
        WHERE phase = 'ready' AND finished_at IS NULL AND ready_at < now() - make_interval(secs => $1::float8 / 1000)
        RETURNING id`,
      [READY_KEEP_MS],
    );
    for (const g of gone) await dropStage(this.db, g.id);
  }

  // -------------------------------------------------------------------------------------------
  // What routes call

  async get(id: string): Promise<JobRow | null> {
    const rows = await this.db.query<JobRow>('SELECT * FROM layer_job WHERE id = $1', [id]);
    return rows[0] ? normalise(rows[0]) : null;
  }

  view(r: JobRow, lang: 'zh' | 'en'): LayerJob {
    // the worker's fresher figures, while both it and the row say the job runs: an outcome (ready,
    // done …) comes from the row only, with the summary or error it was written with
    const live = this.running.get(r.id);
    return viewOf(r, lang, live && RUNNING.includes(r.phase) && RUNNING.includes(live.phase) ? live : undefined);
  }

  /** Records an import of an uploaded file (already on disk) to be checked. */
  async startImport(layer: ImportableLayer, input: Omit<ImportInput, 'host'>, actor: Actor): Promise<JobRow> {
    const id = randomUUID();
    const rows = await this.db.query<JobRow>(
      `INSERT INTO layer_job (id, kind, layer, phase, total, input, actor) VALUES ($1, 'import', $2, 'reading', $3, $4, $5) RETURNING *`,
      [id, layer, input.bytes, JSON.stringify({ ...input, host: hostname() }), JSON.stringify(storeActor(actor))],
    );
    this.kick();
    return normalise(rows[0]!);
  }

  /** Confirms a checked import: queues the replacement (409 unless the job is ready, 422 when nothing would be left). */
  async commit(id: string, actor: Actor, note: string | undefined): Promise<JobRow> {
    const job = await this.get(id);
    if (!job) throw notFound(id);
    if (job.phase !== 'ready' || !job.summary) {
      throw new AppError(409, 'JOB_NOT_READY', `任务处于“${PHASE_ZH[job.phase]}”阶段，不能确认替换`, `The job is ${job.phase}; it cannot be confirmed now`);
    }
    if (job.summary.featureCount === 0) {
      throw new AppError(422, 'NOTHING_TO_IMPORT', '文件中没有可导入的要素：图层不能替换为空图层', 'The file has no feature that can be imported: a layer cannot be replaced by an empty one');
    }
    const rows = await this.db.query<JobRow>(
      `UPDATE layer_job SET phase = 'replacing', done = 0, total = 1, actor = $2, note = $3, worker = NULL, attempts = 0
        WHERE id = $1 AND phase = 'ready' AND finished_at IS NULL RETURNING *`,
      [id, JSON.stringify(storeActor(actor)), note ?? null],
    );
    if (!rows[0]) throw new AppError(409, 'JOB_NOT_READY', '任务已不在等待确认', 'The job no longer waits for confirmation');
    this.kick();
    return normalise(rows[0]);
  }

  /** Records a restore of an archived version (the route has checked that it exists and is not active). */
  async startRestore(layer: ImportableLayer, versionNo: number, actor: Actor, note: string | undefined): Promise<JobRow> {
    const rows = await this.db.query<JobRow>(
      `INSERT INTO layer_job (id, kind, layer, phase, total, input, actor, note) VALUES ($1, 'restore', $2, 'replacing', 1, $3, $4, $5) RETURNING *`,
      [randomUUID(), layer, JSON.stringify({ versionNo }), JSON.stringify(storeActor(actor)), note ?? null],
    );
    this.kick();
    return normalise(rows[0]!);
  }

  /**
   * Cancels a job: one waiting (for a worker or for confirmation) ends at once; a running one
   * stops at its next checkpoint, rolled back. 409 once it has ended or swapped its version in.
   */
  async cancel(id: string): Promise<JobRow> {
    const job = await this.get(id);
    if (!job) throw notFound(id);
    if (FINISHED.includes(job.phase)) {
      throw new AppError(409, 'JOB_FINISHED', `任务已${PHASE_ZH[job.phase]}，不能取消`, `The job has ended (${job.phase}); it cannot be cancelled`);
    }
    if (job.phase === 'refreshing') {
      throw new AppError(409, 'JOB_COMMITTED', '图层已替换，正在更新派生数据，不能取消；如需回退请恢复上一版本', 'The layer has been replaced; restore the previous version to go back');
    }
    // waiting: ended here
    const ended = await this.db.query<JobRow>(
      `UPDATE layer_job SET phase = 'cancelled', finished_at = now(), cancel_requested = true
        WHERE id = $1 AND finished_at IS NULL AND (phase = 'ready' OR worker IS NULL) RETURNING *`,
      [id],
    );
    if (ended[0]) {
      await dropStage(this.db, id);
      await removeUpload(ended[0].kind !== 'restore' ? json<ImportInput>(ended[0].input) : null);
      return normalise(ended[0]);
    }
    // running: asked to stop (a swap that got there first wins: then it is too late)
    const asked = await this.db.query<JobRow>(`UPDATE layer_job SET cancel_requested = true WHERE id = $1 AND finished_at IS NULL AND phase <> 'refreshing' RETURNING *`, [id]);
    if (!asked[0]) {
      const now = (await this.get(id)) ?? job;
      if (now.phase === 'refreshing' || now.phase === 'done') {
        throw new AppError(409, 'JOB_COMMITTED', '图层已替换，不能取消；如需回退请恢复上一版本', 'The layer has been replaced; restore the previous version to go back');
      }
      throw new AppError(409, 'JOB_FINISHED', `任务已${PHASE_ZH[now.phase]}，不能取消`, `The job has ended (${now.phase}); it cannot be cancelled`);
    }
    const local = this.running.get(id);
    if (local) local.cancelRequested = true;
    return normalise(asked[0]);
  }

  // -------------------------------------------------------------------------------------------
  // Running a job

  private async runJob(row: JobRow): Promise<void> {
    const job = new Running(row, this);
    this.running.set(row.id, job);
    let beat: NodeJS.Timeout | null = null;
    let beating: Promise<unknown> | null = null;
    const heartbeat = () => {
      if (beating) return;
      beating = this.db
        // the phase only while the check moves through its own (an outcome is written by the step that reaches it)
        .query<{ cancel_requested: boolean }>(
          `UPDATE layer_job SET heartbeat_at = now(), done = $4, total = $5, step = $6,
                  phase = CASE WHEN phase IN ('reading', 'checking') AND $3 IN ('reading', 'checking') THEN $3 ELSE phase END
            WHERE id = $1 AND worker = $2 RETURNING cancel_requested`,
          [
          row.id,
          this.workerId,
          job.phase,
          Math.round(job.done),
          Math.round(job.total),
          job.step,
          ],
        )
        .then((r) => {
          if (!r[0]) job.lost = true;
          else if (r[0].cancel_requested) job.cancelRequested = true;
        })
        .catch(() => undefined)
        .finally(() => {
          beating = null;
        });
    };
    beat = setInterval(heartbeat, HEARTBEAT_MS);
    beat.unref();
    try {
      if (row.cancel_requested) throw new Cancelled();
      if (row.attempts > MAX_ATTEMPTS) {
        throw new AppError(500, 'LAYER_JOB_ABANDONED', `任务已中断 ${MAX_ATTEMPTS} 次，不再重试；图层未作改动，请重新导入`, `The job was interrupted ${MAX_ATTEMPTS} times and is not tried again; the layer is unchanged — import again`);
      }
      const step = async (s: JobStep) => {
        job.checkpoint();
        await this.opts.beforeStep?.(row.id, s);
        job.checkpoint();
      };
      const kind = this.kinds.get(row.kind);
      if (kind) {
        await kind.run({
          row,
          workerId: this.workerId,
          get phase() {
            return job.phase;
          },
          set: (phase, done, total, s) => job.set(phase, done, total, s ?? null),
          checkpoint: job.checkpoint,
          step,
          claim: (tx) => claimForSwap(tx, row.id, this.workerId),
        });
      } else if (row.kind === 'import' && (row.phase === 'reading' || row.phase === 'checking')) await this.runCheck(job, step);
      else if (row.phase === 'replacing') {
        if (row.kind === 'import') await this.runReplace(job, step);
        else await this.runRestore(job, step);
        await this.runRefresh(job, step);
      } else if (row.phase === 'refreshing') await this.runRefresh(job, step);
    } catch (err) {
      await this.settleFailure(job, err);
    } finally {
      if (beat) clearInterval(beat);
      await beating;
      this.running.delete(row.id);
    }
  }

  private async settleFailure(job: Running, err: unknown): Promise<void> {
    const { row } = job;
    if (err instanceof Lost) {
      this.opts.log?.warn?.({ job: row.id }, 'layer job taken over by another worker; this one stops');
      return;
    }
    if (err instanceof Interrupted) {
      // where it had got to, for the progress bar until another worker takes it up
      const phase = job.phase === 'ready' || FINISHED.includes(job.phase) ? row.phase : job.phase;
      await this.db
        .query(`UPDATE layer_job SET worker = NULL, phase = $3, done = $4, total = $5 WHERE id = $1 AND worker = $2`, [row.id, this.workerId, phase, Math.round(job.done), Math.round(job.total)])
        .catch(() => undefined);
      return;
    }
    let error: { code: string; message: string; en: string };
    let phase: LayerJobPhase = 'failed';
    const kind = this.kinds.get(row.kind);
    if (err instanceof Cancelled) {
      phase = 'cancelled';
      error = kind?.cancelled ?? { code: 'CANCELLED', message: '已取消，图层未作任何改动', en: 'Cancelled; the layer is unchanged' };
    } else if (err instanceof AppError) error = { code: err.code, message: err.zh, en: err.en };
    else {
      this.opts.log?.error({ err, job: row.id, kind: row.kind }, 'layer job failed');
      const detail = err instanceof Error ? err.message : String(err);
      error = kind?.failed(detail) ?? {
        code: 'LAYER_JOB_FAILED',
        message: `操作失败，图层未作任何改动，仍为原版本：${detail}`,
        en: `The job failed and changed nothing; the layer keeps its previous version: ${detail}`,
      };
    }
    const replacing = job.phase === 'replacing' || row.phase === 'replacing';
    if (kind) await kind.ended?.(row, phase as 'failed' | 'cancelled', error, job.phase).catch(() => undefined);
    else if (replacing && !(err instanceof AppError && err.code === 'LAYER_CHANGED')) {
      await audit(this.db, {
        action: `layer-${row.kind}-${phase === 'cancelled' ? 'cancelled' : 'failed'}`,
        user: actorOf(row.actor).user,
        ip: actorOf(row.actor).ip,
        target: row.layer,
        details: {
          layer: row.layer,
          ...(row.kind === 'import' ? { fileName: (row.input as ImportInput).fileName } : { versionNo: (row.input as RestoreInput).versionNo }),
          error: error.message,
          errorEn: error.en,
        },
      }).catch(() => undefined);
    }
    if (row.kind === 'import') await dropBuildTable(this.db, row.id).catch(() => undefined);
    // what the job staged goes before its outcome is written: a job seen to have ended leaves nothing behind
    await dropStage(this.db, row.id).catch(() => undefined);
    if (row.kind !== 'restore') await removeUpload(row.input as ImportInput);
    await this.db
      .query(`UPDATE layer_job SET phase = $2, error = $3, finished_at = now(), worker = NULL, done = $4, total = $5 WHERE id = $1`, [
        row.id,
        phase,
        JSON.stringify(error),
        Math.round(job.done),
        Math.round(job.total),
      ])
      .catch((e: unknown) => this.opts.log?.error({ err: e }, 'layer job outcome not recorded'));
  }

  /** The check: the file into the stage, the stage checked, the summary; then the job waits at `ready`. */
  private async runCheck(job: Running, step: (s: JobStep) => Promise<void>): Promise<void> {
    const { row } = job;
    const input = row.input as ImportInput;
    const layer = row.layer;
    await step('read');
    job.set('reading', 0, input.bytes);
    await uploadStillHere(input);
    const source = await openLayerSource(input.path, input.fileName, input.options);
    const stage = await createStage(this.db, row.id, layer);
    const counties = new Set((await this.db.query<{ code: string }>('SELECT code FROM admin_county')).map((c) => c.code));
    const mapping = fieldMapping(layer, source.sample);
    const columns = layerColumns(layer);
    const year = beijingYear().toString();
    const today = beijingToday();
    let rows = 0;
    try {
      const lines = async function* () {
        for await (const rec of source.features()) {
          rows++;
          if ((rows & 1023) === 0) {
            job.checkpoint();
            job.set('reading', source.bytesRead(), input.bytes);
          }
          const { values, reasons } = readRow(rec.properties, { layer, mapping, row: rec.row, fileName: input.fileName, year, today, counties });
          const ring = rec.geometry ? ringProblem(rec.geometry) : null;
          const all: Reason[] = [...(rec.problem ? [rec.problem] : []), ...(ring ? [ring] : []), ...reasons];
          const geometry = ring ? null : rec.geometry;
          const area = geometry ? ellipsoidalArea(geometry as AreaGeometry) : null;
          yield copyLine([
            rec.row,
            ...columns.map((c) => values[c] ?? null),
            area,
            geometry ? multiPolygonHexEwkb(geometry, 4490) : null,
            JSON.stringify(all),
            all.length > 0 || !geometry ? 't' : 'f',
          ]);
        }
      };
      const written = await this.db.copy(stage, stageCopyColumns(layer), lines());
      if (written !== rows) throw new Error(`暂存不完整：读出 ${rows} 个要素，写入 ${written} 个`);
    } finally {
      await source.close();
    }
    job.set('checking', 0, 5);
    await checkStage(this.db, row.id, layer, { repair: input.repair }, async (name, i, n) => {
      job.set('checking', i, n);
      await step(name);
    });
    await step('summary');
    const figures = await stageFigures(this.db, row.id);
    const problems = await stagedProblems(this.db, row.id, MAX_LISTED_PROBLEMS);
    const current = await servedVersion(this.db, layer);
    const fields: Record<string, string> = {};
    for (const col of columns) fields[col] = mapping[col] ?? '';
    const summary: LayerImportSummary = {
      layer,
      fileName: input.fileName,
      detected: { format: source.detected.format, crs: source.detected.crs, encoding: source.detected.encoding ?? null },
      warnings: source.warnings.map((w) => ({ code: w.code, zh: w.zh, en: w.en })),
      rows: figures.rows,
      featureCount: figures.featureCount,
      area: toAreaUnits(figures.areaM2),
      bbox: figures.bbox,
      fields,
      unmappedFields: unmappedFields(source.sample, mapping),
      problems: problems.map(problemOf),
      problemCount: figures.problemCount,
      replaces: { versionNo: current.versionNo, featureCount: current.featureCount, area: toAreaUnits(current.areaM2) },
    };
    job.checkpoint();
    const done = await this.db.query(
      `UPDATE layer_job SET phase = 'ready', summary = $3, done = $4, total = $4, ready_at = now(), worker = NULL
        WHERE id = $1 AND worker = $2 AND NOT cancel_requested RETURNING id`,
      [row.id, this.workerId, JSON.stringify(summary), figures.rows],
    );
    if (!done[0]) throw new Cancelled();
    job.set('ready', figures.rows, figures.rows);
    await removeUpload(input);
  }

  private async nextVersionNo(layer: ImportableLayer): Promise<number> {
    const [r] = await this.db.query<{ n: number }>('SELECT coalesce(max(version_no), 1) + 1 AS n FROM layer_version WHERE layer = $1', [layer]);
    return Number(r!.n);
  }

  /** The replacement: the new version built beside the served one, then swapped in. */
  private async runReplace(job: Running, step: (s: JobStep) => Promise<void>): Promise<void> {
    const { row } = job;
    const layer = row.layer;
    const summary = row.summary!;
    const actor = actorOf(row.actor);
    job.set('replacing', 0, 1);
    await ensureFirstVersion(this.db, layer);
    const [staged] = await this.db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [stageTable(row.id)]);
    if (!staged!.ok) throw new Error('检查结果已不在数据库中，请重新导入文件');
    const current = await activeVersion(this.db, layer);
    if (current.versionNo !== summary.replaces.versionNo) throw layerChanged(layer, current.versionNo);
    const newNo = await this.nextVersionNo(layer);
    await step('build');
    const written = await buildVersionTable(this.db, layer, row.id, (i, n) => {
      job.checkpoint();
      job.set('replacing', i, n + 1);
    });
    if (written !== summary.featureCount) throw new Error(`写入不完整：应有 ${summary.featureCount} 个要素，实写 ${written} 个`);
    await step('swap');
    await this.db.transaction(async (tx) => {
      await lockLayer(tx, layer);
      const now = await activeVersion(tx, layer);
      if (now.versionNo !== summary.replaces.versionNo) throw layerChanged(layer, now.versionNo);
      await claimForSwap(tx, row.id, this.workerId);
      await swapIn(tx, layer, now.versionNo, buildTableName(row.id));
      const versionNo = await recordNewVersion(tx, layer, {
        fileName: summary.fileName,
        format: summary.detected.format,
        crs: summary.detected.crs,
        featureCount: written,
        areaM2: summary.area.m2,
        bbox: summary.bbox,
        note: row.note,
        user: actor.user,
      });
      if (versionNo !== newNo) throw new Error(`版本号不一致：表为第 ${newNo} 版，记录为第 ${versionNo} 版`);
      await audit(tx, {
        action: 'layer-import',
        user: actor.user,
        ip: actor.ip,
        target: layer,
        details: { layer, versionNo, replaced: now.versionNo, fileName: summary.fileName, features: written, excluded: summary.rows - written, areaMu: summary.area.mu },
      });
      await tx.query(`UPDATE layer_job SET phase = 'refreshing', version_no = $2, done = 0, total = 1, input = input || jsonb_build_object('replaced', $3::int) WHERE id = $1`, [
        row.id,
        versionNo,
        now.versionNo,
      ]);
    });
    row.version_no = newNo;
    (row.input as ImportInput).replaced = summary.replaces.versionNo;
    job.set('refreshing', 0, 1);
    await dropStage(this.db, row.id).catch(() => undefined);
  }

  /** A restore: the archived version's table (rebuilt first if it was archived as rows) swapped in. */
  private async runRestore(job: Running, step: (s: JobStep) => Promise<void>): Promise<void> {
    const { row } = job;
    const layer = row.layer;
    const versionNo = (row.input as RestoreInput).versionNo;
    const actor = actorOf(row.actor);
    job.set('replacing', 0, 2);
    await ensureFirstVersion(this.db, layer);
    const target = await findVersion(this.db, layer, versionNo);
    if (!target) throw new AppError(404, 'NO_SUCH_VERSION', `${nameOf(layer)}没有第 ${versionNo} 版`, `The layer has no version ${versionNo}`);
    if (target.state === 'active') throw new AppError(409, 'VERSION_ACTIVE', `第 ${versionNo} 版就是当前在用的版本`, `Version ${versionNo} is the one in use`);
    await step('build');
    if (!(await hasVersionTable(this.db, layer, versionNo))) await materialiseArchived(this.db, layer, versionNo);
    const n = await countVersionTable(this.db, layer, versionNo);
    if (n !== target.featureCount) throw new Error(`第 ${versionNo} 版的存档不完整：应有 ${target.featureCount} 个要素，存档中 ${n} 个`);
    job.set('replacing', 1, 2);
    await step('swap');
    await this.db.transaction(async (tx) => {
      await lockLayer(tx, layer);
      const current = await activeVersion(tx, layer);
      const again = await findVersion(tx, layer, versionNo);
      if (again?.state !== 'archived') throw new AppError(409, 'VERSION_ACTIVE', `第 ${versionNo} 版就是当前在用的版本`, `Version ${versionNo} is the one in use`);
      await claimForSwap(tx, row.id, this.workerId);
      await swapIn(tx, layer, current.versionNo, versionTableName(layer, versionNo));
      await tx.query('DELETE FROM layer_archive WHERE layer = $1 AND version_no = $2', [layer, versionNo]);
      await activateVersion(tx, layer, versionNo, actor.user);
      await audit(tx, {
        action: 'layer-restore',
        user: actor.user,
        ip: actor.ip,
        target: layer,
        details: { layer, versionNo, replaced: current.versionNo, features: target.featureCount, note: row.note },
      });
      await tx.query(`UPDATE layer_job SET phase = 'refreshing', version_no = $2, done = 0, total = 1, input = input || jsonb_build_object('replaced', $3::int) WHERE id = $1`, [
        row.id,
        versionNo,
        current.versionNo,
      ]);
      (row.input as RestoreInput).replaced = current.versionNo;
    });
    row.version_no = versionNo;
    job.set('refreshing', 0, 1);
  }

  /** After the swap: what is derived from the layer follows it (a failure here leaves the new version served). */
  private async runRefresh(job: Running, step: (s: JobStep) => Promise<void>): Promise<void> {
    const { row } = job;
    job.set('refreshing', 0, 1);
    await step('refresh').catch((e: unknown) => {
      if (!(e instanceof Cancelled)) throw e;
    });
    try {
      // where the change can have touched: the extents of the version served now and of the one it replaced
      const replaced = (row.input as { replaced?: number }).replaced;
      const [a, b] = [row.version_no === null ? null : await findVersion(this.db, row.layer, row.version_no), replaced === undefined ? null : await findVersion(this.db, row.layer, replaced)];
      const bbox = a?.bbox && b?.bbox ? ([Math.min(a.bbox[0], b.bbox[0]), Math.min(a.bbox[1], b.bbox[1]), Math.max(a.bbox[2], b.bbox[2]), Math.max(a.bbox[3], b.bbox[3])] as [number, number, number, number]) : null;
      const followed = await followLayerChange(this.db, row.layer, bbox ? { bbox } : null);
      this.opts.log?.info?.({ job: row.id, followed }, 'derived data followed the layer change');
    } catch (err) {
      // the layer is replaced; the derived tables are rebuilt whole on their next use
      this.opts.log?.error({ err }, 'derived data not rebuilt after a layer change');
    }
    await this.db.query(`UPDATE layer_job SET phase = 'done', done = 1, total = 1, finished_at = now(), worker = NULL WHERE id = $1`, [row.id]);
    job.set('done', 1, 1);
  }
}

const nameOf = (layer: ImportableLayer) => getLayer(layer)!.nameZh;

/**
 * First thing in a swap's transaction: the job's row, locked — still this worker's (else Lost)
 * and not cancelled meanwhile (else Cancelled: a cancel answered before the swap holds).
 */
async function claimForSwap(tx: { query: Database['query'] }, jobId: string, workerId: string): Promise<void> {
  const [r] = await tx.query<{ worker: string | null; cancel_requested: boolean }>('SELECT worker, cancel_requested FROM layer_job WHERE id = $1 FOR UPDATE', [jobId]);
  if (!r || r.worker !== workerId) throw new Lost();
  if (r.cancel_requested) throw new Cancelled();
}

const layerChanged = (layer: ImportableLayer, versionNo: number) =>
  new AppError(409, 'LAYER_CHANGED', `${nameOf(layer)}在检查之后已变为第 ${versionNo} 版，请重新导入文件再确认`, `The layer has become version ${versionNo} since the check; import the file again`);

const notFound = (id: string) => new AppError(404, 'LAYER_JOB_NOT_FOUND', `没有任务 ${id}`, `No job ${id}`);

async function removeUpload(input: ImportInput | null): Promise<void> {
  if (input?.path) await rm(input.path, { force: true }).catch(() => undefined);
}

/**
 * A ring the database could not take as a polygon's (fewer than four positions, or not closed):
 * named here, by row, before it is staged — PostGIS's binary reader takes it as it is, and GEOS
 * then fails (on the embedded database, silently) on the first operation over it.
 */
function ringProblem(g: SiteGeometry): Reason | null {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const p of polygons) {
    if (p.length === 0) return { code: 'EMPTY_GEOMETRY', zh: '图形为空', en: 'The polygon is empty' };
    for (const ring of p) {
      const [a, z] = [ring[0], ring[ring.length - 1]];
      if (ring.length < 4) return { code: 'RING_TOO_SHORT', zh: `环只有 ${ring.length} 个点（至少 4 个，首尾相同）`, en: `A ring has ${ring.length} positions (at least 4, the first repeated last)` };
      if (!a || !z || a[0] !== z[0] || a[1] !== z[1]) return { code: 'RING_NOT_CLOSED', zh: '环未闭合（首尾点不同）', en: 'A ring is not closed (its first and last positions differ)' };
    }
  }
  return null;
}

/** A staged row's problems as the summary lists them, in the order the check meets them. */
function problemOf(p: StagedProblem): LayerImportSummary['problems'][number] {
  const reasons: Reason[] = [...p.reasons];
  if (p.repeat_of !== null) reasons.push({ code: 'CODE_REPEATED', zh: `编号 ${p.code} 与第 ${p.repeat_of} 个要素重复`, en: `The code ${p.code} repeats feature ${p.repeat_of}` });
  if (p.valid === false) {
    const at = p.invalid_location ? (JSON.parse(p.invalid_location) as { coordinates: number[] }).coordinates : null;
    const why = describeGeosReason(p.invalid_reason, at);
    reasons.push({ code: 'INVALID_GEOMETRY', zh: `图形无效：${why.text.zh}`, en: `The polygon is not valid: ${why.text.en}` });
    if (p.repaired && !p.repair_failed) reasons.push({ code: 'REPAIRED', zh: '已自动修复（ST_MakeValid）', en: 'Repaired automatically (ST_MakeValid)' });
    if (p.repair_failed) reasons.push({ code: 'REPAIR_FAILED', zh: '无法自动修复，未导入', en: 'Could not be repaired; left out' });
  }
  if (p.zero_area) reasons.push({ code: 'ZERO_AREA', zh: '面积为零', en: 'The polygon has no area' });
  if (p.outside) reasons.push({ code: 'OUTSIDE_COUNTIES', zh: '不在开封市任何县区内（请检查坐标系）', en: 'Lies in none of Kaifeng’s counties (check the coordinate system)' });
  return { row: p.row_no, code: p.code, outcome: p.excluded ? 'excluded' : 'repaired', reasons };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's layer import and restore jobs (app.ts starts and closes them). */
    layerJobs: LayerJobs;
  }
}
