/**
 * A map reader for the benchmarks, in a thread of its own so that the bench's own work (streaming
 * an upload, polling a job) cannot delay it: asks for the given tiles one after another, a pause
 * between two, until stopped. Each answer is kept with its wall-clock time, so the caller can
 * label the ones that fell inside a step (an import, a restore) afterwards. The tile cache's
 * verdict (the `x-cache` header) goes with each answer: a hit measures the cache, not the database.
 */
import { Worker } from 'node:worker_threads';

export interface TileSample {
  /** When the request was sent, ms since the epoch. */
  at: number;
  ms: number;
  status: number;
  cache: 'hit' | 'miss' | 'none';
}

const CODE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { base, headers, paths, pauseMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let done = false;
const samples = [];
parentPort.on('message', () => { done = true; });
const get = (path) => new Promise((resolve) => {
  const at = performance.timeOrigin + performance.now();
  const t = performance.now();
  const req = http.get(base + path, { agent, headers }, (res) => {
    res.resume();
    res.on('end', () => resolve({ at, ms: performance.now() - t, status: res.statusCode, cache: res.headers['x-cache'] || 'none' }));
  });
  req.setTimeout(60000, () => req.destroy(new Error('timeout')));
  req.on('error', () => resolve({ at, ms: performance.now() - t, status: 0, cache: 'none' }));
});
(async () => {
  let i = 0;
  while (!done) {
    samples.push(await get(paths[i++ % paths.length]));
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  parentPort.postMessage(samples);
})();
`;

/** Starts reading `paths` in turn from `base`; `stop()` answers every sample. */
export function startTileReader(base: string, headers: Record<string, string>, paths: string[], pauseMs: number): { stop: () => Promise<TileSample[]> } {
  const worker = new Worker(CODE, { eval: true, workerData: { base, headers, paths, pauseMs } });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', (samples: TileSample[]) => void worker.terminate().then(() => resolve(samples)));
        worker.postMessage('stop');
      }),
  };
}
