/**
 * `npm run bench:imagery`: imagery tile latency over HTTP on loopback.
 *
 * The demo's two periods (seeds/lib/imagery.ts, EPSG:4490, sparse detail around the cases) and
 * a CGCS2000 Gauss–Krüger zone 38 COG warped by GDAL from the later one's detail (so tiles are
 * reprojected through a transverse Mercator), registered on a fresh embedded database. A fixed
 * list of tiles at z12–z18 around the cases is fetched once each (cold: nothing of the file
 * cached yet in the workers) and then again (warm: decoded blocks in the workers' caches, the
 * HTTP caches bypassed), one at a time and 8 at once; the event loop's longest delay is
 * recorded meanwhile. GDAL's gdalwarp of 20 of the same tiles from the same files is the
 * yardstick (a process per tile, as a command line is used).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { buildApp } from '../server/src/app.ts';
import { openEmbedded } from '../server/src/db/database.ts';
import { describeGeoTiff } from '../server/src/modules/imagery/geotiff-source.ts';
import { insertImagery } from '../server/src/modules/imagery/store.ts';
import { loadDemoImagery } from '../server/src/seed/imagery.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { generateDataset } from '../seeds/generate.ts';
import { Rng } from '../seeds/lib/rng.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'yzt-bench-imagery-'));
const db = await openEmbedded(join(dir, 'db'));
await db.migrate();
const ds = generateDataset({ scale: 'demo', seed: 20261122 });
const t0 = performance.now();
const demo = await loadDemoImagery(db, dir, ds);
const genMs = performance.now() - t0;
await db.query(`UPDATE imagery_layer SET access = 'public'`);
const cases = [...ds.layers.find((l) => l.id === 'encroachment')!.features()].map((f) => f.polygons[0]![0]![0]!);

// a GK zone 38 COG of a 6 km square around the first cases, warped by GDAL from the 2026 Q3 detail
const [lon0, lat0] = cases[0]! as [number, number];
const gk = join(dir, 'gk38.tif');
await run('gdalwarp', ['-q', '-t_srs', 'EPSG:4526', '-te_srs', 'EPSG:4490', '-te', String(lon0 - 0.03), String(lat0 - 0.025), String(lon0 + 0.03), String(lat0 + 0.025), '-tr', '2', '2', '-r', 'near', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', demo.files[1]!.path, gk]);
const gkRow = await insertImagery(db, { name: 'GK 38', nameEn: 'GK 38', periodLabel: 'GK', periodDate: '2026-09-30', access: 'public' }, { relPath: 'gk38.tif', fileName: 'gk38.tif', source: 'path' }, await describeGeoTiff(gk), null);
const ids = (await db.query<{ id: number; file_path: string }>('SELECT id, file_path FROM imagery_layer ORDER BY id')).map((r) => r);

const rng = new Rng(20261122);
type Job = { id: number; file: string; z: number; x: number; y: number };
const jobs: Job[] = [];
for (let z = 12; z <= 18; z++) {
  for (let i = 0; i < 12; i++) {
    const row = ids[i % 2]!;
    const [lon, lat] = cases[rng.int(0, cases.length - 1)]! as [number, number];
    const t = lonLatToTile(lon, lat, z);
    jobs.push({ id: row.id, file: join(dir, row.file_path), z, x: t.x, y: t.y });
  }
  for (let i = 0; i < 4; i++) {
    const t = lonLatToTile(lon0 + rng.range(-0.025, 0.025), lat0 + rng.range(-0.02, 0.02), z);
    jobs.push({ id: gkRow.id, file: gk, z, x: t.x, y: t.y });
  }
}

const app = await buildApp({ db, imageryDir: dir });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const get = (j: Job, bust: string) =>
  new Promise<number>((resolve, reject) => {
    const t = performance.now();
    http.get(`${base}/api/imagery/${j.id}/tiles/${j.z}/${j.x}/${j.y}.png?b=${bust}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
async function pass(label: string, concurrency: number): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        out.push(await get(j, label));
      }
    }),
  );
  return out;
}
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const wall = performance.now();
const cold = await pass('cold', 1);
const warm = await pass('warm', 1);
const par0 = performance.now();
const par = await pass('par', 8);
const parWall = performance.now() - par0;
loop.disable();
const loopMax = loop.max / 1e6;
const totalMs = performance.now() - wall;

// GDAL's yardstick: gdalwarp of 20 of the tiles, one process each
const gdalMs: number[] = [];
for (const j of jobs.filter((_, i) => i % 6 === 0).slice(0, 20)) {
  const span = (2 * Math.PI * 6378137) / 2 ** j.z;
  const o = Math.PI * 6378137;
  const te = [-o + j.x * span, o - (j.y + 1) * span, -o + (j.x + 1) * span, o - j.y * span].map(String);
  const t = performance.now();
  await run('gdalwarp', ['-q', '-overwrite', '-r', 'near', '-t_srs', 'EPSG:3857', '-te', ...te, '-ts', '256', '256', '-dstalpha', j.file, join(dir, 'gdal-tile.tif')]);
  gdalMs.push(performance.now() - t);
}
await app.close();
await db.close();
rmSync(dir, { recursive: true, force: true });

const row = (label: string, xs: number[]) => `| ${label} | ${xs.length} | ${fmtMs(median(xs))} | ${fmtMs(percentile(xs, 95))} | ${fmtMs(Math.max(...xs))} |`;
const md = `## Imagery tiles (\`npm run bench:imagery\`)

${machine()}. The demo's two periods (EPSG:4490, ${(demo.files[0]!.bytes / 2 ** 20).toFixed(1)} + ${(demo.files[1]!.bytes / 2 ** 20).toFixed(1)} MB, written in ${(genMs / 1000).toFixed(1)} s with the dataset's features) and a GDAL-warped Gauss–Krüger zone 38 COG; ${jobs.length} PNG tiles at z12–z18 around the cases, over HTTP on loopback, rendered in the imagery pool (2 worker threads) and encoded by sharp.

| pass | tiles | median | p95 | max |
|---|---|---|---|---|
${row('cold (first read of each tile, one at a time)', cold)}
${row('warm (decoded blocks cached, one at a time)', warm)}
${row('warm, 8 at once', par)}
${row('gdalwarp of the same tile (one process each)', gdalMs)}

8 at once: ${(par.length / (parWall / 1000)).toFixed(0)} tiles/s. The event loop's longest delay over the three passes (${(totalMs / 1000).toFixed(1)} s): ${fmtMs(loopMax)}.
`;
console.log(md);
writeSection('imagery', md);
agent.destroy();
