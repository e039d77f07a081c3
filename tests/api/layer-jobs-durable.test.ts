/**
 * Layer jobs outlive the app that started them (layer_job, migration 0013): on a private seeded
 * database of the suite's backend, an import is interrupted by a restart of the app in the
 * middle of its check and again in the middle of its replacement, and a worker that dies without
 * a word is taken over once its heartbeat is stale — each time the served version stays as it
 * was until the swap, and the next app finishes the job.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LayerJob } from '../../core/contracts/layer-admin.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import type { JobStep, LayerJobsOptions } from '../../server/src/modules/layer-admin/service.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';

function multipart(filename: string, content: string) {
  const boundary = '----yizhangtu-durable-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe(`layer jobs across restarts (${backend})`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let here: { lon: number; lat: number };
  const apps: FastifyInstance[] = [];

  /** A new app on the same database (another instance, or the same server started again). */
  const start = async (jobs: Omit<LayerJobsOptions, 'log'> = {}) => {
    const app = await buildApp({ db, layerJobs: { pollMs: 50, ...jobs } });
    apps.push(app);
    await actAs(app, db, 'admin', '测试管理员');
    return app;
  };

  const job = async (app: FastifyInstance, id: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/admin/layer-jobs/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    return LayerJob.parse(res.json());
  };
  const until = async (app: FastifyInstance, id: string, phases: string[]) => {
    for (let i = 0; i < 3000; i++) {
      const j = await job(app, id);
      if (phases.includes(j.phase)) return j;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`job ${id} never reached ${phases.join('/')}`);
  };

  const served = async () => {
    const [r] = await db.query<{ n: number; fp: string }>(`SELECT count(*)::int AS n, md5(string_agg(code || encode(ST_AsBinary(geom), 'hex'), ',' ORDER BY code)) AS fp FROM eco_redline`);
    const [v] = await db.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'eco-redline'`);
    return { count: r!.n, fingerprint: r!.fp, dataVersion: v!.version };
  };

  const file = () => {
    const features = Array.from({ length: 300 }, (_, i) => ({
      type: 'Feature',
      properties: { BSM: `HX-R-${i + 1}`, MC: `红线${i + 1}` },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [here.lon + (i % 20) * 0.001, here.lat + Math.floor(i / 20) * 0.001],
            [here.lon + (i % 20) * 0.001 + 0.0005, here.lat + Math.floor(i / 20) * 0.001],
            [here.lon + (i % 20) * 0.001 + 0.0005, here.lat + Math.floor(i / 20) * 0.001 + 0.0005],
            [here.lon + (i % 20) * 0.001, here.lat + Math.floor(i / 20) * 0.001],
          ],
        ],
      },
    }));
    return JSON.stringify({ type: 'FeatureCollection', features });
  };

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    here = { lon: Number(p!.lon), lat: Number(p!.lat) };
  });
  // every test starts its own instances: one left running would claim the next test's jobs
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await close?.();
  });

  it('resumes a check and a replacement after restarts, and serves the old version until the swap', async () => {
    const before = await served();
    // the first app is stopped while its job checks the geometry
    let stopping: Promise<void> | null = null;
    const first = await start({
      beforeStep: async (_id, step: JobStep) => {
        if (step !== 'validity' || stopping) return;
        stopping = first.close();
        while (!first.layerJobs.stopping) await new Promise((r) => setTimeout(r, 5));
      },
    });
    const res = await first.inject({ method: 'POST', url: '/api/admin/layers/eco-redline/imports', ...multipart('生态保护红线.geojson', file()) });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().jobId as string;
    for (let i = 0; i < 500 && !stopping; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stopping, JSON.stringify(await db.query('SELECT phase, error, worker, attempts FROM layer_job WHERE id = $1', [id]))).not.toBeNull();
    await stopping;
    const [left] = await db.query<{ phase: string; worker: string | null }>('SELECT phase, worker FROM layer_job WHERE id = $1', [id]);
    expect(left!.phase).toBe('checking'); // released, not failed
    expect(left!.worker).toBeNull();
    expect(await served()).toEqual(before);

    // the second one takes the job up, checks it to the end, and is stopped just before its swap
    let stopping2: Promise<void> | null = null;
    const second = await start({
      beforeStep: async (_id, step) => {
        if (step !== 'swap' || stopping2) return;
        stopping2 = second.close();
        while (!second.layerJobs.stopping) await new Promise((r) => setTimeout(r, 5));
      },
    });
    const ready = await until(second, id, ['ready', 'failed']);
    expect(ready.phase, JSON.stringify(ready.error)).toBe('ready');
    expect(ready.summary!.rows).toBe(300);
    expect(ready.summary!.featureCount).toBe(300);
    const commit = await second.inject({ method: 'POST', url: `/api/admin/layer-jobs/${id}/commit`, payload: { note: '重启测试' } });
    expect(commit.statusCode, commit.body).toBe(202);
    for (let i = 0; i < 500 && !stopping2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stopping2, 'the second app reached the swap').not.toBeNull();
    await stopping2;
    expect(await served()).toEqual(before);

    // a third app (on the embedded database the only one: it takes the job back at start) finishes it
    const third = await start();
    const done = await until(third, id, ['done', 'failed', 'cancelled']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    const after = await served();
    expect(after.count).toBe(300);
    expect(after.dataVersion).toBeGreaterThan(before.dataVersion);
    const [attempts] = await db.query<{ attempts: number }>('SELECT attempts FROM layer_job WHERE id = $1', [id]);
    expect(attempts!.attempts).toBe(2); // the replacement: claimed by the second app, then the third
    await third.close();
  });

  it('takes over a job whose worker died without a word once its heartbeat is stale, and restores by swapping back', async () => {
    const app = await start({ run: false });
    const [active] = await db.query<{ version_no: number }>(`SELECT version_no FROM layer_version WHERE layer = 'eco-redline' AND state = 'active'`);
    const previous = active!.version_no - 1;
    const res = await app.inject({ method: 'POST', url: `/api/admin/layers/eco-redline/versions/${previous}/restore`, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().jobId as string;
    // a worker that claimed it and vanished (killed, its machine gone)
    await db.query(`UPDATE layer_job SET worker = 'gone-instance', heartbeat_at = now() - interval '1 hour', attempts = 1 WHERE id = $1`, [id]);
    const runner = await start({ staleMs: 1000, soleInstance: false });
    const done = await until(runner, id, ['done', 'failed']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(done.versionNo).toBe(previous);
    const [now] = await db.query<{ version_no: number }>(`SELECT version_no FROM layer_version WHERE layer = 'eco-redline' AND state = 'active'`);
    expect(now!.version_no).toBe(previous);
    // a job nobody claimed is still there for the next instance, and a running one can be cancelled from any
    const [row] = await db.query<{ worker: string | null; finished_at: Date | null }>('SELECT worker, finished_at FROM layer_job WHERE id = $1', [id]);
    expect(row!.worker).toBeNull();
    expect(row!.finished_at).not.toBeNull();
  });
});
