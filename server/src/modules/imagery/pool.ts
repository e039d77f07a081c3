/**
 * The imagery render pool: tiles are rendered in worker threads (piscina), so reading, decoding
 * and reprojecting an orthophoto never holds the event loop; sharp encodes the RGBA on its own
 * threads (libuv's pool). Bounds: 2 threads, 64 tiles queued (a map view asks for ~20 at once; a
 * full queue is 503 with Retry-After), 20 s per tile, lower CPU priority than the event loop.
 */
import Piscina from 'piscina';
import sharp from 'sharp';
import { AppError } from '../../plugins/errors.ts';
import type { RenderAnswer, RenderTask } from './render-worker/task.ts';
import { TILE_SIZE } from './render.ts';

export const IMAGERY_POOL = { threads: 2, queue: 64, timeoutMs: 20_000 };

const WORKER = new URL('./render-worker/worker.mjs', import.meta.url).href;
let pool: Piscina<RenderTask, RenderAnswer> | undefined;

function poolOf(): Piscina<RenderTask, RenderAnswer> {
  pool ??= new Piscina<RenderTask, RenderAnswer>({
    filename: WORKER,
    minThreads: 1,
    maxThreads: IMAGERY_POOL.threads,
    maxQueue: IMAGERY_POOL.queue,
    idleTimeout: 30_000,
    niceIncrement: 5,
    // geotiff loads web-worker, which in a worker thread reads workerData to decide what it is
    workerData: { imageryRenderer: true },
  });
  return pool;
}

export async function closeImageryPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}

export type TileFormat = 'png' | 'jpg' | 'webp';

/** The tile's RGBA from the pool, or null for an empty one; the file's problem as a 422. */
export async function renderInPool(task: RenderTask): Promise<Uint8Array | null> {
  let answer: RenderAnswer;
  try {
    answer = await poolOf().run(task, { signal: AbortSignal.timeout(IMAGERY_POOL.timeoutMs) });
  } catch (e) {
    const err = e as { name?: string; message?: string };
    if (/queue is at limit/i.test(err?.message ?? '')) {
      throw Object.assign(new AppError(503, 'IMAGERY_BUSY', '影像瓦片请求过多，请稍后再试', 'Too many imagery tiles requested at once; try again shortly'), { retryAfterSeconds: 2 });
    }
    if (err?.name === 'AbortError') throw new AppError(503, 'IMAGERY_TIMEOUT', '影像瓦片渲染超时，请稍后再试', 'Rendering the imagery tile took too long; try again shortly');
    throw e;
  }
  if (answer === null || answer instanceof Uint8Array) return answer;
  if (answer.zh) throw new AppError(422, answer.code, answer.zh, answer.en);
  throw new Error(answer.detail ?? answer.code);
}

/** RGBA encoded (jpg has no transparency: drawn over white). */
export async function encodeTile(rgba: Uint8Array, format: TileFormat): Promise<Buffer> {
  const img = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: TILE_SIZE, height: TILE_SIZE, channels: 4 } });
  if (format === 'png') return img.png({ compressionLevel: 6 }).toBuffer();
  if (format === 'webp') return img.webp({ quality: 85 }).toBuffer();
  return img.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
}

const empty = new Map<TileFormat, Promise<Buffer>>();
/** A fully transparent tile (white for jpg). */
export function emptyTile(format: TileFormat): Promise<Buffer> {
  let e = empty.get(format);
  if (!e) {
    e = encodeTile(new Uint8Array(TILE_SIZE * TILE_SIZE * 4), format);
    empty.set(format, e);
  }
  return e;
}
