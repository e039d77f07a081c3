/**
 * `npm run bench:layers`: replacing a control layer by import, and restoring it, on PostGIS at
 * city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else DATABASE_URL).
 * Takes the whole permanent-farmland layer as a bureau would upload it — a GeoJSON with
 * third-survey field names (BSM, ZLDWDM, DLBM, DLMC, GDZLDB) — and runs the layer-admin job
 * (server/src/modules/layer-admin) on it directly, phase by phase:
 * - reading the file (server/src/formats/parsers), the check (fields, GEOS validity, county), the replacement
 *   (archive the served version, write the new one, swap versions) and the refresh of the
 *   stock-land tables derived from the control lines;
 * - while the replacement runs, a reader asks for features (`GET /api/layers/…/features`, a
 *   1 km box) and z14 tiles over HTTP, and the same reads are timed with the layer idle;
 * - the restore of version 1.
 * The database is left as it was: version 1 served, the version history emptied.
 * Results go to docs/PERFORMANCE.md.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseSiteFile } from '../server/src/formats/parsers/index.ts';
import { buildApp } from '../server/src/app.ts';
import { LayerJobs, type LayerJobState } from '../server/src/modules/layer-admin/service.ts';
import { fmtMs, fmtS, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';
import { benchSession } from './lib/session.ts';

const LAYER = 'permanent-farmland' as const;
const { db, seed } = await openCityDatabase();
await db.migrate();
await db.query(`DELETE FROM layer_archive WHERE layer = $1`, [LAYER]);
await db.query(`DELETE FROM layer_version WHERE layer = $1`, [LAYER]);

// ---- the file, as a bureau's export would be
let t = performance.now();
const rows = await db.query<{ code: string; county_code: string; land_class_code: string; land_class_name: string; quality_grade: number | null; g: string }>(
  `SELECT code, county_code, land_class_code, land_class_name, quality_grade, ST_AsGeoJSON(geom, 9) AS g FROM permanent_farmland ORDER BY id`,
);
const parts: string[] = [];
for (const r of rows) {
  parts.push(
    `{"type":"Feature","properties":${JSON.stringify({ BSM: r.code, ZLDWDM: `${r.county_code}100200`, DLBM: r.land_class_code, DLMC: r.land_class_name, GDZLDB: r.quality_grade })},"geometry":${r.g}}`,
  );
}
const bytes = new TextEncoder().encode(`{"type":"FeatureCollection","features":[${parts.join(',')}]}`);
parts.length = 0;
console.log(`file: ${rows.length.toLocaleString('en')} features, ${(bytes.length / 1e6).toFixed(0)} MB (${fmtS(performance.now() - t)})`);

t = performance.now();
const parsed = await parseSiteFile({ fileName: '永久基本农田.geojson', bytes });
const readMs = performance.now() - t;
console.log(`read: ${fmtS(readMs)}`);

const jobs = new LayerJobs();
const phases = (job: LayerJobState) => {
  const seen = new Map<string, number>();
  const set = job.set.bind(job);
  job.set = (phase, done, total) => {
    if (!seen.has(phase)) seen.set(phase, performance.now());
    set(phase, done, total);
  };
  return seen;
};

t = performance.now();
const job = jobs.startImport(db, LAYER, { fileName: '永久基本农田.geojson', parsed, repair: false });
await job.promise;
const checkMs = performance.now() - t;
if (job.phase !== 'ready') throw new Error(`check ended ${job.phase}: ${job.error?.message}`);
console.log(`check: ${fmtS(checkMs)}, ${job.summary!.featureCount} features kept, ${job.summary!.problemCount} problems`);

// ---- a reader over HTTP, idle and during the replacement
const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
// the reader is a planner: farmland is restricted
const session = await benchSession(app, db, 'planner');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const s = performance.now();
    http
      .get(`${base}${path}`, { agent, headers: session.headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 || res.statusCode === 204 ? resolve(performance.now() - s) : reject(new Error(`${path}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
const [centre] = await db.query<{ lon: number; lat: number }>(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM permanent_farmland ORDER BY id LIMIT 1 OFFSET 1000) s`);
const { lon, lat } = { lon: Number(centre!.lon), lat: Number(centre!.lat) };
const tileAt = (dx: number, dy: number) => {
  const n = 2 ** 14;
  const x = Math.floor(((lon + 180) / 360) * n) + dx;
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) + dy;
  return `/tiles/${LAYER}/14/${x}/${y}.mvt`;
};
let k = 0;
const read = async () => {
  k++;
  const d = (k % 7) * 0.002;
  const features = await get(`/api/layers/${LAYER}/features?bbox=${lon - 0.005 + d},${lat - 0.005},${lon + 0.005 + d},${lat + 0.005}&limit=2000`);
  const tile = await get(tileAt((k % 40) - 20, (Math.floor(k / 40) % 40) - 20)); // a new tile each time: none from the cache
  return { features, tile };
};
const idle = { features: [] as number[], tile: [] as number[] };
for (let i = 0; i < 60; i++) {
  const r = await read();
  idle.features.push(r.features);
  idle.tile.push(r.tile);
}

const seen = phases(job);
t = performance.now();
jobs.commit(db, job, { user: null, ip: null }, 'bench');
const busy = { features: [] as number[], tile: [] as number[] };
let replacing = true;
const reader = (async () => {
  // a read every 150 ms or so: over the replacement's minutes the tiles asked for stay new (1 600 of them)
  while (replacing && busy.tile.length < 1_600 - 60) {
    const r = await read();
    if (!replacing) break;
    busy.features.push(r.features);
    busy.tile.push(r.tile);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
})();
await job.promise;
const replaceMs = (seen.get('refreshing') ?? performance.now()) - t;
const refreshMs = performance.now() - (seen.get('refreshing') ?? performance.now());
replacing = false;
await reader;
if ((job.phase as string) !== 'done') throw new Error(`replacement ended ${job.phase}: ${job.error?.message}`);
console.log(`replace: ${fmtS(replaceMs)}, refresh derived: ${fmtS(refreshMs)}; reads during it: ${busy.features.length}`);

t = performance.now();
const restore = jobs.startRestore(db, LAYER, 1, { user: null, ip: null }, 'bench');
const restoreSeen = phases(restore);
await restore.promise;
if (restore.phase !== 'done') throw new Error(`restore ended ${restore.phase}: ${restore.error?.message}`);
const restoreMs = (restoreSeen.get('refreshing') ?? performance.now()) - t;
console.log(`restore: ${fmtS(restoreMs)}`);

await app.close();
await session.remove();
await db.query(`DELETE FROM layer_archive WHERE layer = $1`, [LAYER]);
await db.query(`DELETE FROM layer_version WHERE layer = $1`, [LAYER]);
await db.close();

const n = rows.length;
const line = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${fmtMs(median(xs))} | ${fmtMs(percentile(xs, 95))} |`;
writeSection(
  'layers',
  `## Replacing a control layer, and restoring it, on PostGIS at city scale (\`npm run bench:layers\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}). Run ${new Date().toISOString().slice(0, 10)}. The whole permanent-farmland layer
(${n.toLocaleString('en')} fields) as one GeoJSON with third-survey field names (${(bytes.length / 1e6).toFixed(0)} MB),
through the layer-admin job directly (the HTTP upload takes files up to 200 MB).

| step | time | rate |
|---|---|---|
| read the file (server/src/formats/parsers) | ${fmtS(readMs)} | ${Math.round(n / (readMs / 1000)).toLocaleString('en')} features/s |
| check (fields, GEOS validity, county) | ${fmtS(checkMs)} | ${Math.round(n / (checkMs / 1000)).toLocaleString('en')} features/s |
| replace (archive ${n.toLocaleString('en')}, write ${n.toLocaleString('en')}, one transaction) | ${fmtS(replaceMs)} | ${Math.round((2 * n) / (replaceMs / 1000)).toLocaleString('en')} rows/s |
| rebuild the stock-land standing after it | ${fmtS(refreshMs)} | |
| restore version 1 (archive the new, bring back the old) | ${fmtS(restoreMs)} | ${Math.round((2 * n) / (restoreMs / 1000)).toLocaleString('en')} rows/s |

Readers are not held up by a replacement on PostGIS: they read the previous version until the
commit. Features in a 1 km box and a z14 tile (a different tile each time, none from the tile
cache), over HTTP, one after another — during the replacement one pair every ~150 ms:

| reads | n | median | p95 |
|---|---|---|---|
${line('features, layer idle', idle.features)}
${line('features, during the replacement', busy.features)}
${line('z14 tile, layer idle', idle.tile)}
${line('z14 tile, during the replacement', busy.tile)}

On the embedded database (PGlite) a replacement holds the database for its duration: it runs
one statement at a time.
`,
);
console.log('written to docs/PERFORMANCE.md');
