/**
 * The stock-land catalogue's index worker, seen from the main thread: one worker thread
 * (stock/index-worker/) that holds the index and answers the catalogue's questions in order.
 *
 * - The worker starts at the first question and is replaced at the next one after it is lost
 *   (crashed, exited, or over a task's time limit — then terminated); questions in flight when it
 *   is lost are rejected with IndexWorkerLost, and the index goes with it (`onLost`), so the
 *   catalogue loads it into the new worker and asks again.
 * - It keeps the process alive only while a question is pending (a script that made a catalogue
 *   need not close it); `close()` ends it (the app's close).
 */
import { Worker } from 'node:worker_threads';
import type { Answers, Reply, Request, Task } from './index-worker/protocol.ts';

/** The worker was lost (or closed) before it answered. */
export class IndexWorkerLost extends Error {}
/** The worker holds another index than the one the question was asked of. */
export class IndexStale extends Error {}

const WORKER = new URL('./index-worker/worker.mjs', import.meta.url);

export interface IndexWorkerOptions {
  /** The worker's entry (tests start a broken one). */
  url?: URL;
  /** A question's time limit, ms, from when it is sent (the worker's start included); default 30 s. */
  taskTimeoutMs?: number;
  /** A load's time limit, ms; default 120 s (a million parcels). */
  loadTimeoutMs?: number;
  /** Told when a worker is lost (its index with it). */
  onLost?: (err: Error) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class StockIndexWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly taskTimeoutMs: number;
  private readonly loadTimeoutMs: number;

  constructor(private readonly opts: IndexWorkerOptions = {}) {
    this.taskTimeoutMs = opts.taskTimeoutMs ?? 30_000;
    this.loadTimeoutMs = opts.loadTimeoutMs ?? 120_000;
  }

  /** The running worker's thread id (null when none is running). */
  get threadId(): number | null {
    return this.worker?.threadId ?? null;
  }

  private start(): Worker {
    const w = new Worker(this.opts.url ?? WORKER);
    w.on('message', (m: Reply | { ready: true }) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      this.refCount();
      if (m.ok) p.resolve(m.value);
      else p.reject(m.stale ? new IndexStale('存量地块索引已更新') : new Error(`存量地块索引线程出错：${m.error}`));
    });
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`存量地块索引线程已退出（${code}）`)));
    this.worker = w;
    return w;
  }

  private refCount(): void {
    if (!this.worker) return;
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    void w.terminate().catch(() => {});
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new IndexWorkerLost(err.message));
    }
    if (!this.closed) this.opts.onLost?.(err);
  }

  /** Asks the worker (starting one if none runs); `transfer` moves those buffers to it. */
  run<T extends Task>(task: T, transfer: ArrayBuffer[] = []): Promise<Answers[T['op']]> {
    if (this.closed) return Promise.reject(new IndexWorkerLost('存量地块目录已关闭'));
    const w = this.worker ?? this.start();
    const id = this.nextId++;
    const limit = task.op === 'load' ? this.loadTimeoutMs : this.taskTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.lost(w, new Error(`存量地块索引线程 ${limit / 1000} 秒内未答复（${task.op}），已终止`)), limit);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.refCount();
      w.postMessage({ ...task, id } satisfies Request, transfer);
    });
  }

  /** Ends the worker; questions still pending are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    const ended = w.terminate();
    this.lost(w, new Error('存量地块目录已关闭'));
    await ended;
  }
}
