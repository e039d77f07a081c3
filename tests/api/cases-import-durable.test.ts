/**
 * The batch import of detection polygons as a durable job (a layer_job row of kind case-import,
 * migration 0019), on the hand-made world of tests/fixtures/cases/world.ts in a fresh database
 * of the suite's backend: an import interrupted by a restart of the app in the middle of its
 * check, and again in the middle of its commit, is finished by the next app with the cases
 * created once; a trial run is committed from the rows it staged (the file is not sent again)
 * and its progress is read from the job table by another instance; a cancelled commit writes no
 * case; a Shapefile of 2 500 polygons made by GDAL's ogr2ogr is streamed, checked and committed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseImportAccepted, CaseImportJob } from '../../core/contracts/cases.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import type { LayerJobsOptions } from '../../server/src/modules/layer-admin/service.ts';
import { backend } from '../helpers/backend.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';
import { insertWorld, rect, type Poly } from '../fixtures/cases/world.ts';

/** Runs a GDAL tool; a missing one fails the test naming what to install. */
async function gdal(tool: 'ogr2ogr', args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)(tool, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is not installed: this test needs GDAL (apt-get install gdal-bin, as .ci/run does)`);
    throw e;
  }
}

function multipart(filename: string, content: Buffer | string) {
  const boundary = '----yizhangtu-case-durable-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const feature = (geometry: Poly, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties, geometry });

// in 尉氏县 (x 6000–9000): row 1 on GF-C, row 2 repeats 90 % of it, row 3 on nothing, row 4 east of every county
const FILE = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    feature(rect([6500, 600, 100, 100]), { code: 'DUR-001', 发现日期: '2025-07-15' }),
    feature(rect([6505, 605, 100, 100])),
    feature(rect([8000, 500, 50, 50])),
    feature(rect([9500, 500, 100, 100])),
  ],
});

describe(`case imports as durable jobs (${backend})`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let uploadDir: string;
  const apps: FastifyInstance[] = [];

  /** A new app on the same database (another instance, or the same server started again). */
  const start = async (jobs: Omit<LayerJobsOptions, 'log'> = {}) => {
    const app = await buildApp({ db, uploadDir, layerJobs: { pollMs: 50, ...jobs } });
    apps.push(app);
    await actAs(app, db, 'auditor', '测试核查员');
    return app;
  };
  /** Closes the app from inside one of its job's steps, and waits until its runner has been told to stop. */
  const stopFromStep = async (app: FastifyInstance, set: (p: Promise<void>) => void) => {
    set(app.close());
    while (!app.layerJobs.stopping) await new Promise((r) => setTimeout(r, 5));
  };

  const job = async (app: FastifyInstance, id: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/cases/import/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseImportJob.parse(res.json());
  };
  const until = async (app: FastifyInstance, id: string, phases: string[]) => {
    for (let i = 0; i < 3000; i++) {
      const j = await job(app, id);
      if (phases.includes(j.phase)) return j;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`import ${id} never reached ${phases.join('/')}`);
  };
  const post = async (app: FastifyInstance, qs: string, name: string, content: Buffer | string) => {
    const res = await app.inject({ method: 'POST', url: `/api/cases/import?${qs}`, ...multipart(name, content) });
    expect(res.statusCode, res.body).toBe(202);
    return CaseImportAccepted.parse(res.json());
  };
  const caseCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment'))[0]!.n;
  const jobRow = async (id: string) =>
    (await db.query<{ phase: string; worker: string | null; attempts: number; step: string | null }>('SELECT phase, worker, attempts, step FROM layer_job WHERE id = $1', [id]))[0]!;
  const stages = async () => (await db.query<{ n: string }>(`SELECT tablename AS n FROM pg_tables WHERE schemaname = 'layer_store' AND tablename LIKE 'stage_%'`)).map((r) => r.n);

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await insertWorld(db);
    uploadDir = mkdtempSync(join(tmpdir(), 'yzt-case-uploads-'));
  });
  // every test starts its own instances: one left running would claim the next test's jobs
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await close?.();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  it('finishes a trial run and its commit after restarts in the middle of each, creating the cases once, from the staged rows', async () => {
    const before = await caseCount();
    // the first app is stopped while its job asks GEOS about the polygons
    let stopping: Promise<void> | null = null;
    const first = await start({
      beforeStep: async (_id, step) => {
        if (step === 'validity' && !stopping) await stopFromStep(first, (p) => (stopping = p));
      },
    });
    const accepted = await post(first, 'detectedOn=2025-08-01', 'detections.geojson', FILE);
    expect(accepted).toMatchObject({ dryRun: true, total: 4 });
    for (let i = 0; i < 500 && !stopping; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stopping, JSON.stringify(await jobRow(accepted.jobId))).not.toBeNull();
    await stopping;
    expect(await jobRow(accepted.jobId)).toMatchObject({ phase: 'checking', worker: null }); // released, not failed

    // the second app takes it up and finishes the trial run; a third instance that runs no jobs reads its progress from the job table
    const watcher = await start({ run: false });
    const seen: string[] = [];
    const second = await start({
      beforeStep: async (id, step) => {
        if (step !== 'duplicates' || seen.length) return;
        // the step is written with the heartbeat: the other instance shows it
        for (let i = 0; i < 200; i++) {
          const j = await job(watcher, id);
          if (j.phase === 'duplicates') {
            seen.push(j.phase);
            expect(j.progress).toBeGreaterThanOrEqual(0.5);
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        seen.push('never');
      },
    });
    const dry = await until(second, accepted.jobId, ['done', 'failed', 'cancelled']);
    expect(dry.phase, JSON.stringify(dry.error)).toBe('done');
    expect(seen).toEqual(['duplicates']);
    expect(dry.dryRun).toBe(true);
    expect(dry.progress).toBe(1);
    const r = dry.report!;
    expect(r.counts).toEqual({ rows: 4, ok: 2, invalid: 1, duplicate: 1, created: 0, duplicatesIncluded: 0 });
    expect(r.rows.map((x) => x.status)).toEqual(['ok', 'duplicate', 'ok', 'invalid']);
    expect(r.rows[1]!.duplicateOf).toEqual([{ caseCode: null, caseId: null, row: 1, share: expect.closeTo(0.9025, 3) }]);
    expect(r.rows[3]!.reasons.map((x) => x.code)).toEqual(['OUTSIDE_COUNTIES']);
    expect(await caseCount()).toBe(before);
    // the upload is gone from the disk once its rows are staged
    expect(readdirSync(uploadDir)).toEqual([]);
    expect((await watcher.inject({ method: 'GET', url: `/api/cases/import/${accepted.jobId}` })).json().report.counts.rows).toBe(4);

    // committed from the staged rows (no file); the second app is stopped in the middle of its transaction
    let stopping2: Promise<void> | null = null;
    await second.close();
    const third = await start({
      beforeStep: async (_id, step) => {
        if (step === 'overlaps' && !stopping2) await stopFromStep(third, (p) => (stopping2 = p));
      },
    });
    const bad = await third.inject({ method: 'POST', url: `/api/cases/import/${accepted.jobId}/commit`, payload: { includeDuplicates: [2, 9] } });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.message).toContain('第 9 行不存在');
    const commit = await third.inject({ method: 'POST', url: `/api/cases/import/${accepted.jobId}/commit`, payload: { includeDuplicates: [2] } });
    expect(commit.statusCode, commit.body).toBe(202);
    expect(CaseImportAccepted.parse(commit.json())).toMatchObject({ jobId: accepted.jobId, dryRun: false, total: 4 });
    for (let i = 0; i < 500 && !stopping2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(stopping2, 'the third app reached the overlaps').not.toBeNull();
    await stopping2;
    // rolled back: no case, no batch, the job waits for the next worker at its commit
    expect(await caseCount()).toBe(before);
    expect(await db.query('SELECT 1 FROM case_import')).toEqual([]);
    expect(await jobRow(accepted.jobId)).toMatchObject({ phase: 'replacing', worker: null });

    const fourth = await start();
    const done = await until(fourth, accepted.jobId, ['done', 'failed', 'cancelled']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(done.dryRun).toBe(false);
    const c = done.report!;
    expect(c.counts).toMatchObject({ rows: 4, created: 3, duplicatesIncluded: 1 });
    expect(c.rows.filter((x) => x.created).map((x) => [x.row, x.code])).toEqual([
      [1, 'DUR-001'],
      [2, 'WP2025410223-00001'],
      [3, 'WP2025410223-00002'],
    ]);
    expect(await caseCount()).toBe(before + 3);
    const batches = await db.query<{ actor: string; rows: number; created: number }>('SELECT actor, rows, created FROM case_import');
    expect(batches).toEqual([{ actor: '测试核查员', rows: 4, created: 3 }]);
    // the overlaps of the new cases are there, by the same engine as every other case
    const [o] = await db.query<{ m2: number }>(`SELECT general_farmland_m2 AS m2 FROM encroachment WHERE code = 'DUR-001' AND overlaps_at IS NOT NULL`);
    expect(Number(o!.m2)).toBeGreaterThan(9_000);
    expect(await stages()).toEqual([]);
    expect((await jobRow(accepted.jobId)).attempts).toBe(2); // the commit: claimed by the third app, then the fourth
  });

  it('writes no case when a commit is cancelled from another instance, and drops a trial run cancelled while it waits', async () => {
    const before = await caseCount();
    const other = await start({ run: false });
    let asked = 0;
    const app = await start({
      beforeStep: async (id, step) => {
        // the commit's first step: cancelled from the other instance before its transaction
        if (step !== 'duplicates' || asked || (await jobRow(id)).phase !== 'replacing') return;
        asked++;
        const res = await other.inject({ method: 'POST', url: `/api/cases/import/${id}/cancel` });
        expect(res.statusCode, res.body).toBe(200);
      },
    });
    const content = JSON.stringify({ type: 'FeatureCollection', features: [feature(rect([8100, 500, 50, 50]), { code: 'CAN-001', 发现日期: '2025-07-01' })] });
    const accepted = await post(app, 'dryRun=false', 'cancel.geojson', content);
    expect(accepted.dryRun).toBe(false);
    const ended = await until(app, accepted.jobId, ['done', 'failed', 'cancelled']);
    expect(asked).toBe(1);
    expect(ended.phase).toBe('cancelled');
    expect(ended.error?.code).toBe('CANCELLED');
    expect(ended.error?.message).toContain('未写入任何图斑');
    expect(await caseCount()).toBe(before);
    expect(await db.query(`SELECT 1 FROM encroachment WHERE code = 'CAN-001'`)).toEqual([]);
    expect(await stages()).toEqual([]);
    const late = await app.inject({ method: 'POST', url: `/api/cases/import/${accepted.jobId}/cancel` });
    expect(late.statusCode).toBe(409);

    // a trial run waiting with its report: cancelled, its rows are dropped and it cannot be committed any more
    const trial = await post(app, '', 'cancel.geojson', content);
    expect((await until(app, trial.jobId, ['done', 'failed'])).report!.counts.ok).toBe(1);
    expect((await stages()).length).toBe(1);
    const cancel = await other.inject({ method: 'POST', url: `/api/cases/import/${trial.jobId}/cancel` });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(CaseImportJob.parse(cancel.json()).phase).toBe('cancelled');
    expect(await stages()).toEqual([]);
    const commit = await app.inject({ method: 'POST', url: `/api/cases/import/${trial.jobId}/commit`, payload: {} });
    expect(commit.statusCode).toBe(409);
    expect(await caseCount()).toBe(before);
  });

  it('streams a Shapefile of 2 500 polygons made by ogr2ogr: every row checked, a repeat found, and all committed', async () => {
    // a 50 × 50 grid of 30 m squares in 尉氏县 clear of every layer and case, every other one with a code, and a repeat of the first at the end
    const lines = ['code,detected,wkt'];
    const ring = (p: Poly) => p.coordinates[0]!.map(([x, y]) => `${x!.toFixed(9)} ${y!.toFixed(9)}`).join(', ');
    const n = 2500;
    for (let k = 0; k < n; k++) {
      const [i, j] = [k % 50, Math.floor(k / 50)];
      lines.push(`${k % 2 === 0 ? `BIG-${String(k + 1).padStart(5, '0')}` : ''},2025-06-0${1 + (k % 9)},"POLYGON ((${ring(rect([7200 + 35 * i, 1200 + 35 * j, 30, 30]))}))"`);
    }
    lines.push(`,2025-06-01,"POLYGON ((${ring(rect([7201, 1201, 30, 30]))}))"`);
    const dir = mkdtempSync(join(tmpdir(), 'yzt-case-big-'));
    let zipped: Buffer;
    try {
      writeFileSync(join(dir, 'grid.csv'), lines.join('\n'));
      await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', '-a_srs', 'EPSG:4490', '-nlt', 'POLYGON', '-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO', '-lco', 'ENCODING=UTF-8', join(dir, 'grid.shp'), join(dir, 'grid.csv')]);
      const zip = new JSZip();
      for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) zip.file(`grid.${ext}`, readFileSync(join(dir, `grid.${ext}`)));
      zipped = Buffer.from(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const before = await caseCount();
    const app = await start();
    const accepted = await post(app, '', '网格.zip', zipped);
    expect(accepted.total).toBe(n + 1);
    const dry = await until(app, accepted.jobId, ['done', 'failed']);
    expect(dry.phase, JSON.stringify(dry.error)).toBe('done');
    const r = dry.report!;
    expect(r.detected).toMatchObject({ format: 'shapefile', crs: 'EPSG:4490' });
    expect(r.counts).toEqual({ rows: n + 1, ok: n, invalid: 0, duplicate: 1, created: 0, duplicatesIncluded: 0 });
    expect(r.rows.at(-1)!.duplicateOf).toEqual([{ caseCode: null, caseId: null, row: 1, share: expect.closeTo((29 * 29) / 900, 2) }]);
    expect(r.rows.every((x) => x.countyCode === '410223')).toBe(true);
    expect(r.rows[0]).toMatchObject({ code: 'BIG-00001', detectedOn: '2025-06-01' });
    const commit = await app.inject({ method: 'POST', url: `/api/cases/import/${accepted.jobId}/commit`, payload: {} });
    expect(commit.statusCode, commit.body).toBe(202);
    const done = await until(app, accepted.jobId, ['done', 'failed', 'cancelled']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(done.report!.counts).toMatchObject({ created: n, duplicatesIncluded: 0 });
    expect(await caseCount()).toBe(before + n);
    const [codes] = await db.query<{ given: number; made: number; distinct: number }>(
      `SELECT count(*) FILTER (WHERE code LIKE 'BIG-%')::int AS given, count(*) FILTER (WHERE code LIKE 'WP2025410223-%')::int AS made, count(DISTINCT code)::int AS distinct
         FROM encroachment WHERE import_id = $1`,
      [done.report!.importId],
    );
    expect(codes).toEqual({ given: n / 2, made: n / 2, distinct: n });
    const [pending] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment WHERE import_id = $1 AND overlaps_at IS NULL', [done.report!.importId]);
    expect(pending!.n).toBe(0);
    expect(readdirSync(uploadDir)).toEqual([]);
  });
});
