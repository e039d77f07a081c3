/**
 * `npm run bench:site-check`: the authoritative site check on PostGIS at city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else DATABASE_URL).
 * Square sites of 1 ha, 10 ha, 100 ha (1 km²) and 10 km², centred on permanent-farmland
 * fields drawn with a fixed seed, are checked through `POST /api/site-checks` over HTTP on
 * loopback and, in the same run, as the raw SQL the check runs (validation, per-layer
 * candidate counts and overlays, the outside-boundary and trimmed differences) without the
 * JavaScript around it (the stock-first match, areas, verdicts, the report and its INSERT).
 * Results go to docs/PERFORMANCE.md. Each POST files a report in that database (reports are immutable).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getLayer } from '../core/layers.ts';
import { buildApp } from '../server/src/app.ts';
import { benchSession } from './lib/session.ts';
import { difference, overlay, prepareSite } from '../server/src/modules/site-check/repo.ts';
import { Rng } from '../seeds/lib/rng.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';

const { values } = parseArgs({ options: { 'per-size': { type: 'string', default: '20' } } });
const perSize = Number(values['per-size']);
const { db, seed } = await openCityDatabase();
await db.migrate();

const SIZES = [
  { label: '1 ha', sideM: 100 },
  { label: '10 ha', sideM: Math.sqrt(100_000) },
  { label: '100 ha (1 km²)', sideM: 1000 },
  { label: '10 km²', sideM: Math.sqrt(10e6) },
];
const [{ n: fields } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM permanent_farmland');
const rng = new Rng(20261122);
const centres: [number, number][] = [];
for (let i = 0; i < perSize; i++) {
  const [row] = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y FROM permanent_farmland WHERE id = $1`,
    [rng.int(1, fields)],
  );
  centres.push([row!.x, row!.y]);
}
const square = ([cx, cy]: [number, number], side: number) => {
  const dx = side / 2 / 91_700;
  const dy = side / 2 / 110_925;
  return { type: 'Polygon' as const, coordinates: [[[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy], [cx - dx, cy - dy]]] };
};

async function rawSql(geometry: object): Promise<{ ms: number; hits: number }> {
  const t = performance.now();
  const p = await prepareSite(db, JSON.stringify(geometry), false, 0);
  let hits = 0;
  for (const id of ['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland'] as const) {
    const rows = await overlay(db, getLayer(id)!, p.analysed!, id === 'eco-redline' ? ['county_code', 'name', 'category'] : id === 'urban-boundary' ? ['county_code', 'name'] : ['county_code', 'land_class_code', 'land_class_name']);
    hits += rows.length;
    if (id === 'urban-boundary') await difference(db, ['urban_boundary'], p.analysed!);
  }
  await difference(db, ['permanent_farmland', 'eco_redline'], p.analysed!);
  return { ms: performance.now() - t, hits };
}

const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
// a planner: the whole answer, as the bureau's staff get it
const session = await benchSession(app, db, 'planner');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/site-checks`, { method: 'POST', agent, headers: { ...session.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// warm PostgreSQL's buffers for these areas
for (const s of SIZES) for (const c of centres) await rawSql(square(c, s.sideM));
// and load the app's stock-land catalogue (its first match reads every parcel)
const warm = await post(JSON.stringify({ geometry: square(centres[0]!, 100), name: 'bench warm-up', use: '工业', stockFirst: { reason: 'location' } }));
if (warm.status !== 201) throw new Error(`HTTP ${warm.status}: ${warm.text.slice(0, 200)}`);

const rows: string[] = [];
let worstP95Under1000 = 0;
const ratios: number[] = [];
for (const s of SIZES) {
  const endpoint: number[] = [];
  const sql: number[] = [];
  const hits: number[] = [];
  for (const [i, c] of centres.entries()) {
    const g = square(c, s.sideM);
    // every check matches the stock-land library first; 区位不符 stands whatever the match finds
    const body = JSON.stringify({ geometry: g, name: `bench ${s.label}`, use: '工业', stockFirst: { reason: 'location' } });
    const viaHttp = async () => {
      const t = performance.now();
      const res = await post(body);
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      endpoint.push(performance.now() - t);
    };
    if (i % 2) {
      await viaHttp();
      const r = await rawSql(g);
      sql.push(r.ms), hits.push(r.hits);
    } else {
      const r = await rawSql(g);
      sql.push(r.ms), hits.push(r.hits);
      await viaHttp();
    }
  }
  const ratio = median(endpoint) / median(sql);
  ratios.push(ratio);
  if (Math.max(...hits) <= 1000) worstP95Under1000 = Math.max(worstP95Under1000, percentile(endpoint, 95));
  rows.push(
    `| ${s.label} | ${endpoint.length} | ${median(hits)} (max ${Math.max(...hits)}) | ${fmtMs(median(endpoint))} | ${fmtMs(percentile(endpoint, 95))} | ${fmtMs(median(sql))} | ${fmtMs(percentile(sql, 95))} | ${ratio.toFixed(2)} |`,
  );
  console.log(rows.at(-1));
}
agent.destroy();
await session.remove();
await app.close();
await db.close();

writeSection(
  'site-check',
  `## Site check on PostGIS at city scale (\`npm run bench:site-check\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}). Run ${new Date().toISOString().slice(0, 10)}.

${perSize} square sites per size, centred on permanent-farmland fields drawn with a fixed seed.
*Endpoint*: \`POST /api/site-checks\` over HTTP on loopback (validation, the stock-first match
for 工业 near the site, four overlays, the outside-boundary and trimmed differences, ellipsoidal
areas in Node, verdicts, the report and its INSERT). *SQL*: the same statements run directly in
the same run. "Features hit" counts the candidate rows of the four overlays. PostgreSQL buffers
warmed by one pass, and the stock-land catalogue by one check, beforehand.

| site | checks | features hit (median) | endpoint median | endpoint p95 | SQL median | SQL p95 | ratio (median) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Worst endpoint p95 where ≤ 1 000 features are hit: **${fmtMs(worstP95Under1000)}** (goal ≤ 200 ms).
Endpoint/SQL ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')} (goal ≤ 1.15).`,
);
