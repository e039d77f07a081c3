/**
 * `npm run bench:layers [-- --rounds N --limit N --files DIR --no-write]`: replacing the city's
 * permanent-farmland layer by import, and restoring it, end to end over HTTP on PostGIS, beside
 * GDAL loading the same files into the same database in the same run.
 *
 * Needs the city dataset in PostGIS (BENCH_DATABASE_URL, else DATABASE_URL); leaves it as found.
 * 1. **Files**, made by GDAL from the database (not by our code): the whole permanent_farmland
 *    with third-survey field names (BSM, ZLDWDM, DLBM, DLMC, GDZLDB) as a GeoJSON and as a zipped
 *    UTF-8 Shapefile (ogr2ogr, then `zip`).
 * 2. **Yardstick**: `ogr2ogr -f PostgreSQL … -nln bench_ogr_farmland -lco SPATIAL_INDEX=GIST
 *    -overwrite` of each file, N rounds (default 2), wall time and peak RSS (GNU time); the table
 *    is dropped after.
 * 3. **Product**: the server (`server/src/main.ts`) in a child process on a port; for each file,
 *    POST /api/admin/layers/permanent-farmland/imports (the multipart body streamed from disk) →
 *    poll the job to `ready` → commit → poll to `done`: wall time of each phase, the server's
 *    peak RSS (VmHWM from /proc, reset before each import). A planner's map, in a thread of its
 *    own, asks for z14 tiles of the layer over the city all along (each tile new to the tile
 *    cache; cache hits are counted apart, not timed): idle, then during each import and restore.
 * 4. **Restore** of the previous version, then of version 1: time to the swap (`refreshing`)
 *    and to `done`.
 * Then the versions the run made are dropped (their tables, rows and jobs) so the database is as
 * found, and the figures go to docs/PERFORMANCE.md (section `layers`).
 * `--limit N` makes the files of the first N fields only (a quick trial of the bench itself);
 * `--files DIR` keeps the files in DIR and takes them from there when present.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ident } from '../server/src/db/sql-file.ts';
import { fmtMs, fmtS, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';
import { fmtMB, memoryOf, timedCommand, watchPeak, type CommandRun } from './lib/proc.ts';
import { requestJson, signedIn, startServer, uploadFile, type Caller } from './lib/server.ts';
import { startTileReader, type TileSample } from './lib/tile-reader.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    limit: { type: 'string' },
    files: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const LIMIT = values.limit ? Number(values.limit) : null;
const LAYER = 'permanent-farmland';
const TABLE = 'permanent_farmland';
const PORT = 3991;
const GOALS = { ratio: 1.5, rssBytes: 2 ** 30, tileP95Ms: 100, restoreMs: 10_000 };

const { db, seed } = await openCityDatabase();
const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL!;
const pg = new URL(url);
const dbName = pg.pathname.replace(/^\//, '');
const PG = `PG:dbname=${dbName} host=${pg.hostname} port=${pg.port || 5432} user=${decodeURIComponent(pg.username || 'postgres')}${pg.password ? ` password=${decodeURIComponent(pg.password)}` : ''}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

// ---- the state found, to leave it so
const running = await db.query<{ id: string }>(`SELECT id FROM layer_job WHERE layer = $1 AND finished_at IS NULL`, [LAYER]);
if (running.length) {
  console.error(`图层 ${LAYER} 有未结束的任务（${running.map((r) => r.id).join(', ')}），请等它结束再测 — the layer has unfinished jobs`);
  process.exit(2);
}
// every layer's: listing the layers (GET /api/admin/layers) records a first version of each
const allVersionsBefore = await db.query<{ id: number; layer: string; version_no: number; state: string }>(`SELECT id, layer, version_no, state FROM layer_version`);
const versionsBefore = allVersionsBefore.filter((v) => v.layer === LAYER);
if (versionsBefore.some((v) => v.state === 'active' && Number(v.version_no) !== 1)) {
  console.error(`图层 ${LAYER} 在用的不是第 1 版；本测试结束时恢复第 1 版，会改变现状，故不运行 — version 1 is not the one served`);
  process.exit(2);
}
const fingerprint = async () => {
  const [r] = await db.query<{ n: number; area: number; max_id: number }>(`SELECT count(*)::int AS n, sum(area_m2) AS area, max(id) AS max_id FROM ${TABLE}`);
  return { n: Number(r!.n), area: Number(r!.area), maxId: Number(r!.max_id) };
};
const before = await fingerprint();
// the ids' sequence (named by the column's default; the version tables draw from it too)
const [seqRow] = await db.query<{ seq: string | null }>(
  `SELECT (regexp_match(column_default, $$nextval\\('([^']+)'$$))[1] AS seq FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'id'`,
  [TABLE],
);
const sequence = seqRow?.seq ?? null;
const [seqBefore] = sequence ? await db.query<{ v: string; called: boolean }>(`SELECT last_value::text AS v, is_called AS called FROM ${sequence}`) : [];
log(`${TABLE}: ${before.n.toLocaleString('en')} fields; versions found: ${versionsBefore.length}`);

// ---- 1. the files, by GDAL
const ownDir = !values.files;
const dir = values.files ?? mkdtempSync(join(tmpdir(), 'yzt-bench-layers-'));
mkdirSync(dir, { recursive: true });
const select = `SELECT code AS "BSM", county_code||'100200' AS "ZLDWDM", land_class_code AS "DLBM", land_class_name AS "DLMC", quality_grade AS "GDZLDB", geom FROM ${TABLE}${LIMIT ? ` ORDER BY id LIMIT ${LIMIT}` : ''}`;
const geojson = join(dir, 'farmland.geojson');
const shpZip = join(dir, 'farmland.shp.zip');
const made: Record<string, number> = {};
if (!existsSync(geojson)) {
  const t = performance.now();
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', geojson, PG, '-sql', select, '-nln', 'farmland'], { stdio: 'inherit' });
  made.geojson = performance.now() - t;
}
if (!existsSync(shpZip)) {
  const t = performance.now();
  const shpDir = join(dir, 'shp');
  rmSync(shpDir, { recursive: true, force: true });
  mkdirSync(shpDir);
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(shpDir, 'farmland.shp'), PG, '-sql', select, '-nln', 'farmland', '-lco', 'ENCODING=UTF-8'], { stdio: 'inherit' });
  execFileSync('zip', ['-q', '-j', shpZip, ...['shp', 'shx', 'dbf', 'prj', 'cpg'].map((e) => join(shpDir, `farmland.${e}`)).filter(existsSync)]);
  rmSync(shpDir, { recursive: true, force: true });
  made.shapefile = performance.now() - t;
}
interface InputFile {
  key: 'geojson' | 'shapefile';
  name: string;
  path: string;
  /** How ogr2ogr opens it. */
  ogrPath: string;
  bytes: number;
}
const files: InputFile[] = [
  { key: 'geojson', name: 'GeoJSON', path: geojson, ogrPath: geojson, bytes: statSync(geojson).size },
  { key: 'shapefile', name: 'Shapefile (.shp.zip, UTF-8)', path: shpZip, ogrPath: `/vsizip/${shpZip}`, bytes: statSync(shpZip).size },
];
const shpInside = execFileSync('unzip', ['-l', shpZip], { encoding: 'utf8' });
for (const f of files) log(`file ${f.name}: ${fmtMB(f.bytes)}${made[f.key] ? ` (made in ${fmtS(made[f.key]!)})` : ' (kept from before)'}`);

// ---- 2. the yardstick: ogr2ogr into the same database
const OGR_TABLE = 'bench_ogr_farmland';
const ogr: Record<string, CommandRun[]> = { geojson: [], shapefile: [] };
let ogrRows: Record<string, number> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of files) {
      const r = await timedCommand('ogr2ogr', ['-f', 'PostgreSQL', PG, f.ogrPath, '-nln', OGR_TABLE, '-lco', 'GEOMETRY_NAME=geom', '-lco', 'SPATIAL_INDEX=GIST', '-overwrite']);
      if (r.code !== 0) throw new Error(`ogr2ogr ${f.name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
      const [c] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${OGR_TABLE}`);
      ogrRows = { ...ogrRows, [f.key]: Number(c!.n) };
      ogr[f.key]!.push(r);
      log(`ogr2ogr ${f.name} round ${round + 1}: ${fmtS(r.ms)}, peak ${fmtMB(r.peak)}, ${Number(c!.n).toLocaleString('en')} rows`);
    }
  }
} finally {
  await db.query(`DROP TABLE IF EXISTS public.${OGR_TABLE}`);
}

// ---- 3 and 4. the product over HTTP
interface ImportRun {
  file: InputFile;
  error?: string;
  uploadMs?: number;
  readingMs?: number;
  checkingMs?: number;
  checkMs?: number;
  replaceMs?: number;
  refreshMs?: number;
  totalMs?: number;
  peak?: number;
  peakExact?: boolean;
  features?: number;
  problems?: number;
  detected?: string;
  window: [number, number];
}
interface RestoreRun {
  versionNo: number;
  error?: string;
  swapMs?: number;
  doneMs?: number;
  window: [number, number];
}
interface JobView {
  jobId: string;
  phase: string;
  done: number;
  total: number;
  progress: number;
  error: { code: string; message: string } | null;
  summary: { featureCount: number; problemCount: number; rows: number; detected: { format: string; crs: string; encoding: string | null } } | null;
  versionNo: number | null;
}

const jobIds: string[] = [];
const imports: ImportRun[] = [];
const restores: RestoreRun[] = [];
let idleWindow: [number, number] = [0, 0];
let samples: TileSample[] = [];
let tileCount = 0;
let serverIdle = 0;
let serverStartPeak = 0;
const dataDir = mkdtempSync(join(tmpdir(), 'yzt-bench-layers-data-'));
const server = await startServer(PORT, { DATABASE_URL: url, DATA_DIR: dataDir, CLIENT_DIR: join(dataDir, 'no-client') });
const callers: Caller[] = [];
try {
  const admin = await signedIn(db, server.base, 'admin');
  callers.push(admin);
  const planner = await signedIn(db, server.base, 'planner');
  callers.push(planner);

  const logged = new Map<string, string>();
  /** Polls a job every 100 ms until one of `until`; the first time each phase was seen (epoch ms). */
  const follow = async (id: string, until: string[]) => {
    const seen = new Map<string, number>();
    for (;;) {
      const j = await requestJson<JobView>(server.base, 'GET', `/api/admin/layer-jobs/${id}`, admin.headers, undefined, [200]);
      if (!seen.has(j.phase)) {
        seen.set(j.phase, Date.now());
        if (logged.get(id) !== j.phase) log(`  job ${id.slice(0, 8)}: ${j.phase}`);
        logged.set(id, j.phase);
      }
      if (until.includes(j.phase) || ['failed', 'cancelled'].includes(j.phase)) return { job: j, seen };
      await sleep(100);
    }
  };

  // the tiles: every z14 tile over the city holding farmland, in a shuffled order
  const tiles = await db.query<{ x: number; y: number }>(
    `WITH e AS (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 4490), 3857) AS b FROM ${TABLE}),
          r AS (SELECT floor((ST_XMin(b) + 20037508.342789244) / (40075016.685578488 / 16384))::int AS x0,
                       floor((ST_XMax(b) + 20037508.342789244) / (40075016.685578488 / 16384))::int AS x1,
                       floor((20037508.342789244 - ST_YMax(b)) / (40075016.685578488 / 16384))::int AS y0,
                       floor((20037508.342789244 - ST_YMin(b)) / (40075016.685578488 / 16384))::int AS y1 FROM e)
     SELECT x, y FROM r, generate_series(r.x0, r.x1) x, generate_series(r.y0, r.y1) y
      WHERE EXISTS (SELECT 1 FROM ${TABLE} f WHERE f.geom && ST_Transform(ST_TileEnvelope(14, x, y), 4490))
      ORDER BY md5(x::text || '/' || y::text)`,
  );
  tileCount = tiles.length;
  const paths = tiles.map((t) => `/tiles/${LAYER}/14/${t.x}/${t.y}.mvt`);
  log(`z14 tiles with farmland: ${tileCount}`);

  // let the server settle, then the map reader, idle
  await sleep(5_000);
  serverStartPeak = memoryOf(server.pid).peak;
  serverIdle = memoryOf(server.pid).rss;
  const reader = startTileReader(server.base, planner.headers, paths, 100);
  const idleStart = Date.now();
  await sleep(LIMIT ? 10_000 : 40_000);
  idleWindow = [idleStart, Date.now()];

  try {
    for (const file of files) {
      log(`import ${file.name}`);
      const t0 = Date.now();
      const run: ImportRun = { file, window: [t0, t0] };
      imports.push(run);
      const watch = watchPeak(server.pid);
      try {
        const up = await uploadFile(server.base, `/api/admin/layers/${LAYER}/imports`, file.path, admin.headers);
        const uploaded = Date.now();
        if (up.status !== 202) throw new Error(`upload answered ${up.status}: ${up.body.slice(0, 400)}`);
        run.uploadMs = uploaded - t0;
        const { jobId } = JSON.parse(up.body) as JobView;
        jobIds.push(jobId);
        const checked = await follow(jobId, ['ready']);
        if (checked.job.phase !== 'ready') throw new Error(`check ended ${checked.job.phase}: ${checked.job.error?.code} ${checked.job.error?.message}`);
        const ready = checked.seen.get('ready')!;
        run.checkMs = ready - uploaded;
        run.checkingMs = ready - (checked.seen.get('checking') ?? ready);
        run.readingMs = run.checkMs - run.checkingMs;
        const s = checked.job.summary!;
        run.features = s.featureCount;
        run.problems = s.problemCount;
        run.detected = `${s.detected.format}, ${s.detected.crs}${s.detected.encoding ? `, ${s.detected.encoding}` : ''}`;
        log(`  checked: ${s.featureCount.toLocaleString('en')} features kept of ${s.rows.toLocaleString('en')}, ${s.problemCount} problems`);
        const committing = Date.now();
        await requestJson(server.base, 'POST', `/api/admin/layer-jobs/${jobId}/commit`, admin.headers, { note: 'bench:layers' }, [202]);
        const replaced = await follow(jobId, ['done']);
        if (replaced.job.phase !== 'done') throw new Error(`replacement ended ${replaced.job.phase}: ${replaced.job.error?.code} ${replaced.job.error?.message}`);
        const swapped = replaced.seen.get('refreshing') ?? replaced.seen.get('done')!;
        run.replaceMs = swapped - committing;
        run.refreshMs = replaced.seen.get('done')! - swapped;
        run.totalMs = run.uploadMs + run.checkMs + run.replaceMs;
      } catch (e) {
        run.error = e instanceof Error ? e.message : String(e);
        log(`  failed: ${run.error}`);
      }
      const peak = watch.stop();
      run.peak = peak.peak;
      run.peakExact = peak.exact;
      run.window = [t0, Date.now()];
      log(`  ${file.name}: upload ${fmtS(run.uploadMs ?? 0)}, check ${fmtS(run.checkMs ?? 0)}, replace ${fmtS(run.replaceMs ?? 0)}, refresh ${fmtS(run.refreshMs ?? 0)}; server peak ${fmtMB(run.peak)}`);
      await sleep(3_000);
    }

    // the restores: the previous version, then version 1 (the database as found)
    const versions = await requestJson<{ layers: { layer: string; active: { versionNo: number }; versions: { versionNo: number; state: string }[] }[] }>(
      server.base,
      'GET',
      '/api/admin/layers',
      admin.headers,
      undefined,
      [200],
    );
    const mine = versions.layers.find((l) => l.layer === LAYER)!;
    const activeNo = mine.active.versionNo;
    const targets = [...new Set([activeNo - 1, 1])].filter((n) => n >= 1 && n !== activeNo);
    for (const versionNo of targets) {
      log(`restore version ${versionNo}`);
      const t0 = Date.now();
      const run: RestoreRun = { versionNo, window: [t0, t0] };
      restores.push(run);
      try {
        const job = await requestJson<JobView>(server.base, 'POST', `/api/admin/layers/${LAYER}/versions/${versionNo}/restore`, admin.headers, { note: 'bench:layers' }, [202]);
        jobIds.push(job.jobId);
        const r = await follow(job.jobId, ['done']);
        if (r.job.phase !== 'done') throw new Error(`restore ended ${r.job.phase}: ${r.job.error?.code} ${r.job.error?.message}`);
        run.swapMs = (r.seen.get('refreshing') ?? r.seen.get('done')!) - t0;
        run.doneMs = r.seen.get('done')! - t0;
      } catch (e) {
        run.error = e instanceof Error ? e.message : String(e);
        log(`  failed: ${run.error}`);
      }
      run.window = [t0, Date.now()];
      log(`  to the swap ${fmtS(run.swapMs ?? 0)}, to done ${fmtS(run.doneMs ?? 0)}`);
      await sleep(3_000);
    }
  } finally {
    samples = await reader.stop();
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  for (const c of callers) await c.remove().catch(() => undefined);
}

// ---- the database as found: version 1 served, the versions the run made dropped
const cleanup: string[] = [];
const [active] = await db.query<{ version_no: number }>(`SELECT version_no FROM layer_version WHERE layer = $1 AND state = 'active'`, [LAYER]);
const after = await fingerprint();
const asFound = active && Number(active.version_no) === 1 && after.n === before.n && after.maxId === before.maxId && Math.abs(after.area - before.area) <= 1e-9 * Math.abs(before.area);
if (asFound) {
  const foundIds = new Set(allVersionsBefore.map((v) => Number(v.id)));
  // the other layers' first versions recorded by the listing (their only version, served as seeded)
  await db.query(
    `DELETE FROM layer_version v WHERE v.layer <> $1 AND v.version_no = 1 AND v.state = 'active' AND NOT (v.id = ANY($2::int[]))
        AND NOT EXISTS (SELECT 1 FROM layer_version o WHERE o.layer = v.layer AND o.id <> v.id)`,
    [LAYER, [...foundIds]],
  );
  const madeVersions = (await db.query<{ id: number; version_no: number }>(`SELECT id, version_no FROM layer_version WHERE layer = $1`, [LAYER])).filter((v) => !foundIds.has(Number(v.id)));
  for (const v of madeVersions) {
    if (Number(v.version_no) === 1) continue;
    await db.query(`DROP TABLE IF EXISTS layer_store.${ident(`${TABLE}_v${Number(v.version_no)}`)}`);
    await db.query(`DELETE FROM layer_archive WHERE layer = $1 AND version_no = $2`, [LAYER, v.version_no]);
  }
  if (madeVersions.length) await db.query(`DELETE FROM layer_version WHERE id = ANY($1::int[])`, [madeVersions.map((v) => Number(v.id))]);
  if (jobIds.length) await db.query(`DELETE FROM layer_job WHERE id = ANY($1::uuid[])`, [jobIds]);
  if (sequence && seqBefore) await db.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [sequence, seqBefore.v, seqBefore.called]);
  cleanup.push(`dropped the ${madeVersions.filter((v) => Number(v.version_no) !== 1).length} version tables and ${madeVersions.length} version rows the run made, its ${jobIds.length} jobs; the id sequence set back`);
} else {
  cleanup.push(`NOT cleaned up: version ${active?.version_no ?? '?'} is served (${after.n} fields, max id ${after.maxId}); restore version 1 by hand`);
}
log(cleanup.join('; '));
await db.close();
if (ownDir) rmSync(dir, { recursive: true, force: true });

// ---- the report
const inWindow = (w: [number, number]) => samples.filter((s) => s.at >= w[0] && s.at <= w[1]);
const tileStats = (w: [number, number]) => {
  const all = inWindow(w);
  const timed = all.filter((s) => s.status !== 0 && s.cache !== 'hit').map((s) => s.ms);
  const failed = all.filter((s) => s.status === 0 || s.status >= 400).length;
  return { n: timed.length, hits: all.filter((s) => s.cache === 'hit').length, failed, p50: timed.length ? median(timed) : NaN, p95: timed.length ? percentile(timed, 95) : NaN, max: timed.length ? Math.max(...timed) : NaN };
};
const idle = tileStats(idleWindow);
const ogrMedian = (k: string) => median(ogr[k]!.map((r) => r.ms));
const ok = (cond: boolean) => (cond ? 'met' : '**missed**');
const fmtOpt = (ms: number | undefined) => (ms === undefined ? '—' : fmtS(ms));
const tileRow = (name: string, st: ReturnType<typeof tileStats>) =>
  `| ${name} | ${st.n} | ${st.hits} | ${st.failed} | ${fmtMs(st.p50)} | ${fmtMs(st.p95)} | ${fmtMs(st.max)} |`;

const goalLines: string[] = [];
for (const r of imports) {
  const o = ogrMedian(r.file.key);
  if (r.error) goalLines.push(`- ${r.file.name}: **the import failed** — ${r.error}`);
  else goalLines.push(`- ${r.file.name}: upload + check + replace ${fmtS(r.totalMs!)} = **${(r.totalMs! / o).toFixed(2)}× ogr2ogr** (${fmtS(o)}), goal ≤ ${GOALS.ratio}× — ${ok(r.totalMs! / o <= GOALS.ratio)}`);
  goalLines.push(`- ${r.file.name}: server peak RSS ${fmtMB(r.peak!)}, goal ≤ 1 GiB — ${ok(r.peak! <= GOALS.rssBytes)}`);
  const st = tileStats(r.window);
  goalLines.push(`- ${r.file.name}: z14 tile p95 during the import ${fmtMs(st.p95)} (n = ${st.n}), goal ≤ ${GOALS.tileP95Ms} ms — ${ok(st.p95 <= GOALS.tileP95Ms)}`);
}
for (const r of restores) {
  if (r.error) goalLines.push(`- restore of version ${r.versionNo}: **failed** — ${r.error}`);
  else goalLines.push(`- restore of version ${r.versionNo}: ${fmtS(r.doneMs!)} to done (${fmtS(r.swapMs!)} to the swap), goal ≤ 10 s — ${ok(r.doneMs! <= GOALS.restoreMs)}`);
}

const section = `## Replacing a control layer by import, and restoring it, over HTTP on PostGIS at city scale (\`npm run bench:layers\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}), ${before.n.toLocaleString('en')} permanent-farmland fields${LIMIT ? ` — **trial run: files of the first ${LIMIT.toLocaleString('en')} fields only**` : ''}.
Run ${new Date().toISOString().slice(0, 10)}. The server runs as \`npm start\` would, in a child process
(its memory read from /proc/<pid>/status, VmHWM reset before each import); every step goes over HTTP:
the upload streamed from disk as multipart, the job polled every 100 ms.

**Files**, made by GDAL ${execFileSync('ogr2ogr', ['--version'], { encoding: 'utf8' }).trim().replace(/^GDAL /, '').replace(/,.*$/, '')} from the database (\`ogr2ogr -sql "SELECT code AS \\"BSM\\",
county_code||'100200' AS \\"ZLDWDM\\", land_class_code AS \\"DLBM\\", land_class_name AS \\"DLMC\\",
quality_grade AS \\"GDZLDB\\", geom FROM permanent_farmland"\`): ${files.map((f) => `${f.name} ${fmtMB(f.bytes)}`).join('; ')}
(inside the zip: ${/(\d+)\s+\d+ files?\s*$/m.exec(shpInside)?.[1] ? fmtMB(Number(/(\d+)\s+\d+ files?\s*$/m.exec(shpInside)![1])) : '?'}).

**Yardstick**: \`ogr2ogr -f PostgreSQL PG:… <file> -nln bench_ogr_farmland -lco GEOMETRY_NAME=geom
-lco SPATIAL_INDEX=GIST -overwrite\` into the same database, ${ROUNDS} round(s) each, under GNU time.
It only loads: no field mapping, no validity or county check, no version kept, no swap.

| file | ogr2ogr runs | median | peak RSS | rows |
|---|---|---|---|---|
${files.map((f) => `| ${f.name} | ${ogr[f.key]!.map((r) => fmtS(r.ms)).join(', ')} | ${fmtS(ogrMedian(f.key))} | ${fmtMB(Math.max(...ogr[f.key]!.map((r) => r.peak)))} | ${(ogrRows[f.key] ?? 0).toLocaleString('en')} |`).join('\n')}

**Product**, one import per file (POST …/imports → \`ready\` → POST …/commit → \`done\`). Upload: until
the 202 (the file written to the server's disk and opened); check: 202 → \`ready\` (reading = the
records into the staging table, checking = the set-wise checks in SQL); replace: commit → the swap
(\`refreshing\`: the version table built with its indexes, then swapped in); refresh: what is derived
from the layer following it (stock land), after the new version is already served.

| file | upload | reading | checking | replace | refresh | upload + check + replace | × ogr2ogr | server peak RSS | features kept / problems |
|---|---|---|---|---|---|---|---|---|---|
${imports
  .map((r) =>
    r.error && r.totalMs === undefined
      ? `| ${r.file.name} | ${fmtOpt(r.uploadMs)} | ${fmtOpt(r.readingMs)} | ${fmtOpt(r.checkingMs)} | ${fmtOpt(r.replaceMs)} | ${fmtOpt(r.refreshMs)} | failed | — | ${fmtMB(r.peak!)} | ${r.error.replace(/\|/g, '\\|').slice(0, 200)} |`
      : `| ${r.file.name} | ${fmtS(r.uploadMs!)} | ${fmtS(r.readingMs!)} | ${fmtS(r.checkingMs!)} | ${fmtS(r.replaceMs!)} | ${fmtS(r.refreshMs!)} | ${fmtS(r.totalMs!)} | ${(r.totalMs! / ogrMedian(r.file.key)).toFixed(2)} | ${fmtMB(r.peak!)} | ${r.features!.toLocaleString('en')} / ${r.problems} (${r.detected}) |`,
  )
  .join('\n')}

Server RSS: ${fmtMB(serverIdle)} settled after start (peak ${fmtMB(serverStartPeak)} while starting).

**Restore** (POST …/versions/{n}/restore → \`done\`): the archived version's table swapped back in.

| restore | to the swap | to done |
|---|---|---|
${restores.map((r) => (r.error ? `| version ${r.versionNo} | failed: ${r.error.replace(/\|/g, '\\|').slice(0, 200)} | |` : `| version ${r.versionNo} | ${fmtS(r.swapMs!)} | ${fmtS(r.doneMs!)} |`)).join('\n')}

**A planner's map meanwhile**: z14 tiles of permanent farmland (\`GET /tiles/permanent-farmland/14/x/y.mvt\`),
from a thread of its own, one after another with 100 ms between, over the ${tileCount.toLocaleString('en')} z14 tiles of the
city holding farmland in a shuffled order. Only tiles built for the request are timed; answers from the
tile cache (\`x-cache: hit\`) are counted apart.

| when | tiles timed | cache hits | failed | median | p95 | max |
|---|---|---|---|---|---|---|
${tileRow('idle', idle)}
${imports.map((r) => tileRow(`during the ${r.file.name} import`, tileStats(r.window))).join('\n')}
${restores.map((r) => tileRow(`during the restore of version ${r.versionNo}`, tileStats(r.window))).join('\n')}

**Goals** (≤ ${GOALS.ratio}× ogr2ogr, server peak RSS ≤ 1 GiB, z14 tile p95 during an import ≤ ${GOALS.tileP95Ms} ms, restore ≤ 10 s):
${goalLines.join('\n')}

Afterwards: ${cleanup.join('; ')}.
`;
console.log(section);
if (!values['no-write']) {
  writeSection('layers', section);
  console.log('written to docs/PERFORMANCE.md');
}
process.exit(0);
