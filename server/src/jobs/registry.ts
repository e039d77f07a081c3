/**
 * Long work answered with 202 and a job to poll (imports, layer replacements): the jobs of one
 * kind, kept in the server's memory until an hour after they end, and waited for before the
 * app closes its database.
 */
import { randomUUID } from 'node:crypto';

export interface Job {
  readonly id: string;
  /** When the job ended (done, failed or cancelled); null while it runs or waits. */
  finishedAt: string | null;
  /** Settles when the job's current work ends. */
  promise: Promise<void>;
}

export class JobRegistry<J extends Job> {
  private readonly jobs = new Map<string, J>();

  /**
   * @param keepMs how long an ended job stays readable
   * @param expire called for every job at each sweep, to end the ones waiting too long
   */
  constructor(
    readonly keepMs = 3600_000,
    private readonly expire?: (job: J, now: number) => void,
  ) {}

  add(job: J): J {
    this.sweep();
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): J | undefined {
    return this.jobs.get(id);
  }

  /** Waits for the running jobs (the app waits before closing its database). */
  async settle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.promise.catch(() => undefined)));
  }

  private sweep() {
    const now = Date.now();
    for (const [id, j] of this.jobs) {
      this.expire?.(j, now);
      if (j.finishedAt && now - Date.parse(j.finishedAt) > this.keepMs) this.jobs.delete(id);
    }
  }
}

/**
 * A job's progress: its phase, how far the phase is (done of total), the error when it failed,
 * and the fields every job's answer has (core/contracts/common.ts jobProgressFields).
 */
export abstract class JobProgress<P extends string> implements Job {
  readonly id = randomUUID();
  readonly startedAt = new Date().toISOString();
  done = 0;
  total = 0;
  finishedAt: string | null = null;
  error: { code: string; message: string; en: string } | null = null;
  promise: Promise<void> = Promise.resolve();

  constructor(
    public phase: P,
    private readonly phaseWords: Record<P, string>,
  ) {}

  set(phase: P, done: number, total: number) {
    this.phase = phase;
    this.done = done;
    this.total = total;
  }

  /**
   * The common fields of the answer; `span` is where the phase starts and ends on the step's
   * progress bar, `complete` says the step is over (progress 1).
   */
  protected progressView(lang: 'zh' | 'en', span: [number, number] | undefined, complete: boolean) {
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const progress = complete ? 1 : span ? span[0] + (span[1] - span[0]) * share : 0;
    return {
      jobId: this.id,
      phaseZh: this.phaseWords[this.phase],
      done: this.done,
      total: this.total,
      progress: Math.round(progress * 1000) / 1000,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      error: this.error ? { code: this.error.code, message: lang === 'zh' ? this.error.message : this.error.en } : null,
    };
  }
}
