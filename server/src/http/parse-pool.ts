/**
 * Uploads are read off the main thread, in a small pool of worker threads (piscina), so that no
 * file — a zip bomb, a lying Shapefile, a GeoPackage view of millions of rows — holds the event
 * loop that answers everyone else. Each kind of upload has its own pool with hard bounds:
 *
 * | pool | threads (kept started) | queued at most | time limit | heap per worker |
 * |---|---|---|---|---|
 * | site files (site parse, case import; ≤ 20 MB) | 2 (2) | 8 | 10 s | 1 GB |
 * | layer files (layer import; ≤ 200 MB) | 1 (1) | 2 | 120 s | 6 GB |
 *
 * Past the time limit the worker is terminated (piscina aborts the task) and the upload is
 * answered 422; a worker that runs out of its heap dies alone and the upload is answered 413; a
 * full queue is answered 503 with Retry-After. The time limit runs from the upload's arrival at the
 * pool (queueing included). Workers run at a lower CPU priority (nice +10) than the event loop, so
 * on a busy machine the loop is scheduled first. A worker collects its garbage after each file
 * (and workers beyond those kept started exit after 10 s idle), so the memory a burst of uploads
 * took is given back. The server starts the pools at boot (main.ts); elsewhere they start on first use. The bounds on the file itself (inflated bytes, entries,
 * records, vertices) are in formats/parsers/limits.ts and formats/parsers/geopackage.ts.
 */
import { dataExtent } from '../../../core/geometry-validation.ts';
import Piscina from 'piscina';
import { ParseError, type ParseInput, type ParseOptions } from '../formats/parsers/index.ts';
import { AppError } from '../plugins/errors.ts';
import type { ParseAnswer, ParseKind, ParseTask } from './parse-worker/task.ts';

export type { ParseKind } from './parse-worker/task.ts';

interface PoolSpec {
  threads: number;
  /**
   * Workers kept started: a worker takes 1–2 s of CPU to start (tsx and the parsers load), up to
   * 10 s when several start at once on a busy machine — too long to pay inside a burst.
   */
  warm: number;
  queue: number;
  timeoutMs: number;
  heapMb: number;
}

/** The bounds of each pool (see the table above). */
export const PARSE_POOLS: Record<ParseKind, PoolSpec> = {
  site: { threads: 2, warm: 2, queue: 8, timeoutMs: 10_000, heapMb: 1024 },
  layer: { threads: 1, warm: 1, queue: 2, timeoutMs: 120_000, heapMb: 6144 },
};

/** An idle worker exits after this long, giving its memory back. */
export const PARSE_WORKER_IDLE_MS = 10_000;

/** How long a client is asked to wait when the pool is full. */
export const PARSE_BUSY_RETRY_S = 5;

const WORKER = new URL('./parse-worker/worker.mjs', import.meta.url).href;

const pools = new Map<ParseKind, Piscina<ParseTask, ParseAnswer>>();
/** Uploads in each pool, running or waiting: counted here, as piscina's own queue bound does not hold while its queue is empty. */
const inFlight: Record<ParseKind, number> = { site: 0, layer: 0 };

function poolOf(kind: ParseKind): Piscina<ParseTask, ParseAnswer> {
  let pool = pools.get(kind);
  if (!pool) {
    const spec = PARSE_POOLS[kind];
    pool = new Piscina<ParseTask, ParseAnswer>({
      filename: WORKER,
      minThreads: spec.warm,
      maxThreads: spec.threads,
      maxQueue: spec.queue,
      idleTimeout: PARSE_WORKER_IDLE_MS,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: spec.heapMb },
      niceIncrement: 10,
    });
    // a worker that fails outside a task (e.g. at start) must not end the process; piscina replaces it
    pool.on('error', (err: unknown) => console.error('parse worker failed:', err));
    pools.set(kind, pool);
  }
  return pool;
}

/** Starts the pools' workers now (the server at boot), not at the first upload. */
export function startParsePools(): void {
  for (const kind of Object.keys(PARSE_POOLS) as ParseKind[]) poolOf(kind);
}

/** The parse pools' workers ended (the app's close; tests). */
export async function closeParsePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

/** Too many uploads being read at once: 503, ask again in a few seconds. */
export class ParserBusy extends AppError {
  readonly retryAfterSeconds = PARSE_BUSY_RETRY_S;
  constructor() {
    super(
      503,
      'PARSER_BUSY',
      `服务器正忙：同时读取的上传文件过多，请 ${PARSE_BUSY_RETRY_S} 秒后再试`,
      `The server is busy reading other uploads; try again in ${PARSE_BUSY_RETRY_S} seconds`,
    );
  }
}

/** The pool's answer as thrown errors: a ParseError for the file's problem, an AppError for the pool's. */
function failure(kind: ParseKind, e: unknown): Error {
  const spec = PARSE_POOLS[kind];
  const err = e as { name?: string; code?: string; message?: string };
  if (err?.name === 'AbortError') {
    const s = spec.timeoutMs / 1000;
    return new AppError(
      422,
      'PARSE_TIMEOUT',
      `文件读取超过 ${s} 秒仍未完成，已中止：文件过于复杂或结构异常`,
      `Reading the file took more than ${s} s and was stopped: the file is too complex or malformed`,
    );
  }
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(err?.message ?? '')) {
    return new AppError(
      413,
      'PARSE_OUT_OF_MEMORY',
      `文件读取所需内存超过上限 ${spec.heapMb} MB，已中止：文件过大或结构异常`,
      `Reading the file needed more than the ${spec.heapMb} MB allowed and was stopped: the file is too large or malformed`,
    );
  }
  if (/queue is at limit/i.test(err?.message ?? '')) return new ParserBusy();
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Reads an upload in the pool of its kind: the parse result (and each feature's validation when
 * asked), a ParseError naming the file's problem, or an AppError (422 time limit, 413 memory,
 * 503 busy). The bytes are moved to the worker, not copied, when they own their buffer.
 */
export async function parseInPool(kind: ParseKind, input: ParseInput, options: Omit<ParseOptions, 'limits'>, validate = false) {
  const task: ParseTask = { kind, input, options, validate, extent: dataExtent() };
  const transferList: ArrayBuffer[] = [];
  if ('bytes' in input) {
    const { bytes } = input;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const own = whole ? bytes : bytes.slice();
    task.input = { fileName: input.fileName, bytes: own };
    transferList.push(own.buffer as ArrayBuffer);
  }
  const spec = PARSE_POOLS[kind];
  if (inFlight[kind] >= spec.threads + spec.queue) throw new ParserBusy();
  let answer: ParseAnswer;
  inFlight[kind]++;
  try {
    answer = await poolOf(kind).run(task, { signal: AbortSignal.timeout(spec.timeoutMs), transferList });
  } catch (e) {
    throw failure(kind, e);
  } finally {
    inFlight[kind]--;
  }
  if (answer.ok) return answer;
  if (answer.detail !== undefined) throw new Error(answer.detail);
  throw new ParseError(answer.code as ParseError['code'], answer.zh, answer.en);
}
