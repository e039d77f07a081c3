/**
 * `npm run bench:tiles`: vector tiles on PostGIS at city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else
 * DATABASE_URL): `DATABASE_URL=… npm run seed -- --scale city --force`.
 *
 * A fixed list of tiles over the city at z10–z16 — every layer shown at that
 * zoom — is fetched through the HTTP endpoint on loopback (each tile once, so
 * the tile cache is always cold) and run as the raw tile SQL in the same run,
 * alternating which goes first. PostgreSQL's buffers are warmed with one pass
 * of the raw SQL beforehand, so both sides read from the same memory.
 * Results per zoom go to docs/PERFORMANCE.md.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { layers } from '../core/layers.ts';
import { buildApp } from '../server/src/app.ts';
import { benchSession } from './lib/session.ts';
import { sqlFile } from '../server/src/db/sql-file.ts';
import { tileTokens } from '../server/src/modules/tiles/layer-source.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { Rng } from '../seeds/lib/rng.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';

const { values } = parseArgs({ options: { 'per-zoom': { type: 'string', default: '40' } } });
const perZoom = Number(values['per-zoom']);
const { db, seed } = await openCityDatabase();

// A fixed list: at each zoom, tiles drawn with a seeded generator from those covering the
// urban and farmland core of the city (Kaifeng's extent), so the list is the same every run.
const EXTENT = { minLon: 113.9, minLat: 34.25, maxLon: 115.15, maxLat: 34.95 };
const rng = new Rng(20261122);
type Job = { layer: (typeof layers)[number]; z: number; x: number; y: number };
const jobs: Job[] = [];
for (let z = 10; z <= 16; z++) {
  const a = lonLatToTile(EXTENT.minLon, EXTENT.maxLat, z);
  const b = lonLatToTile(EXTENT.maxLon, EXTENT.minLat, z);
  const seen = new Set<string>();
  for (let i = 0; seen.size < Math.min(perZoom, (b.x - a.x + 1) * (b.y - a.y + 1)); i++) {
    const x = rng.int(a.x, b.x);
    const y = rng.int(a.y, b.y);
    if (seen.has(`${x}/${y}`)) continue;
    seen.add(`${x}/${y}`);
    for (const layer of layers) if (z >= layer.minZoom) jobs.push({ layer, z, x, y });
  }
}

const rawSql = (j: Job) => sqlFile(new URL('../server/src/modules/tiles/sql/tile-mvt.sql', import.meta.url), tileTokens(j.layer));
const runRaw = async (j: Job) => {
  const t = performance.now();
  const rows = await db.query<{ tile: Buffer; features: number }>(rawSql(j), [j.z, j.x, j.y, j.layer.maxFeaturesPerTile]);
  return { ms: performance.now() - t, bytes: rows[0]?.tile?.length ?? 0 };
};

console.log(`${jobs.length} tile requests over z10–z16; warming PostgreSQL…`);
for (const j of jobs) await runRaw(j);

const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
// a planner: the farmland, red-line and case tiles are restricted
const session = await benchSession(app, db, 'planner');
// One kept-alive connection, as a browser reuses its connection to the tile server.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url: string) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(url, { agent, headers: session.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
const stats = new Map<number, { http: number[]; sql: number[]; bytes: number[]; features: number[] }>();
for (const [i, j] of jobs.entries()) {
  const s = stats.get(j.z) ?? { http: [], sql: [], bytes: [], features: [] };
  stats.set(j.z, s);
  const viaHttp = async () => {
    const t = performance.now();
    const res = await get(`${base}/tiles/${j.layer.id}/${j.z}/${j.x}/${j.y}.mvt`);
    const ms = performance.now() - t;
    if (res.headers['x-cache'] === 'hit') throw new Error('tile cache was warm');
    if (res.status !== 200 && res.status !== 204) throw new Error(`HTTP ${res.status}`);
    return { ms, bytes: res.body.length, features: Number(res.headers['x-tile-features'] ?? 0) };
  };
  if (i % 2) {
    const h = await viaHttp();
    const r = await runRaw(j);
    s.http.push(h.ms), s.sql.push(r.ms), s.bytes.push(h.bytes), s.features.push(h.features);
  } else {
    const r = await runRaw(j);
    const h = await viaHttp();
    s.http.push(h.ms), s.sql.push(r.ms), s.bytes.push(h.bytes), s.features.push(h.features);
  }
}
agent.destroy();
await session.remove();
await app.close();
await db.close();

const rows: string[] = [];
let worstP95High = 0;
let maxBytes = 0;
let over500 = 0;
for (const [z, s] of [...stats.entries()].sort((a, b) => a[0] - b[0])) {
  const ratio = median(s.http) / median(s.sql);
  const zMax = Math.max(...s.bytes);
  maxBytes = Math.max(maxBytes, zMax);
  over500 += s.bytes.filter((b) => b > 500 * 1024).length;
  if (z >= 12) worstP95High = Math.max(worstP95High, percentile(s.http, 95));
  rows.push(
    `| ${z} | ${s.http.length} | ${fmtMs(median(s.http))} | ${fmtMs(percentile(s.http, 95))} | ${fmtMs(median(s.sql))} | ${fmtMs(percentile(s.sql, 95))} | ${ratio.toFixed(2)} | ${(percentile(s.http, 95) / percentile(s.sql, 95)).toFixed(2)} | ${Math.max(...s.features)} | ${(zMax / 1024).toFixed(0)} KB |`,
  );
  console.log(rows.at(-1));
}
const all = [...stats.values()];
const ratioAll = median(all.flatMap((s) => s.http)) / median(all.flatMap((s) => s.sql));
writeSection(
  'tiles',
  `## Vector tiles on PostGIS at city scale (\`npm run bench:tiles\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}: 1.23 M permanent-farmland fields, 180 k general-farmland fields, 119 k stock parcels,
12 k encroachments). Run ${new Date().toISOString().slice(0, 10)}.

${perZoom} tiles per zoom drawn with a fixed seed over the city, each requested for every layer shown
at that zoom (${jobs.length} requests). *Endpoint*: \`GET /tiles/{layer}/{z}/{x}/{y}.mvt\` over HTTP on
loopback through one kept-alive connection (node:http), each tile once (tile cache cold). *SQL*: the same tile statement (\`tile-mvt.sql\`) run
directly through node-postgres in the same run. PostgreSQL buffers warmed by one pass beforehand.

| z | requests | endpoint median | endpoint p95 | SQL median | SQL p95 | ratio (median) | ratio (p95) | most features | largest tile |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Overall endpoint/SQL ratio of medians: **${ratioAll.toFixed(2)}** (goal ≤ 1.15). Worst endpoint p95 at
z ≥ 12: **${fmtMs(worstP95High)}** (goal ≤ 50 ms). Largest tile: **${(maxBytes / 1024).toFixed(0)} KB**;
tiles over 500 KB: **${over500}** (goal 0).`,
);
console.log(`ratio ${ratioAll.toFixed(2)}, worst p95 z>=12 ${fmtMs(worstP95High)}, largest ${(maxBytes / 1024).toFixed(0)} KB, over 500 KB: ${over500}`);
