/**
 * `npm run bench:province`: the province dataset (all of Henan) on PostGIS.
 *
 * Needs a PostGIS database holding the province dataset (BENCH_DATABASE_URL, else DATABASE_URL):
 * `DATABASE_URL=… npm run seed -- --scale province --force 2>&1 | tee seed-province.log`, then
 * `npm run bench:province -- --load-log seed-province.log` (the load's own times, read from its log).
 *
 * Places are sampled with a fixed seed in seven cities across the province (north, west, south,
 * east and the centre), not in Kaifeng alone. Each measure has its yardstick from the same run:
 * - tiles at z12–z16, every layer shown at that zoom: `GET /tiles/…` over HTTP on loopback (cache
 *   cold: each tile once) against the raw tile statement (`tile-mvt.sql`), alternating which goes first;
 * - the site check (`POST /api/site-checks`) of 1 ha, 10 ha and 100 ha squares on farmland against
 *   the statements it runs (bench/site-check.ts's);
 * - stock search (`GET /api/stock-parcels`) against the same search as plain SQL, and matching
 *   (`POST /api/stock-parcels/match`) against the SQL a request runs; the in-memory catalogue's
 *   first load and the process's resident memory before and after it;
 * - the yearly figures (`/api/figures/revitalisation`, `/api/figures/farmland-share`,
 *   `/api/cases/stats`) against the same figures worked out by the service functions directly.
 * Results go to docs/PERFORMANCE.md (section bench:province).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { StockSearchQuery } from '../core/contracts/stock.ts';
import { HENAN_CITIES, PROVINCE, scopePrefix } from '../core/divisions.ts';
import { DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT } from '../core/farmland-share.ts';
import { extentForScale, setDataExtent } from '../core/geometry-validation.ts';
import { getLayer, layers } from '../core/layers.ts';
import { muToM2 } from '../core/units.ts';
import { buildApp } from '../server/src/app.ts';
import { openPostgis } from '../server/src/db/database.ts';
import { sqlFile } from '../server/src/db/sql-file.ts';
import { beijingToday } from '../server/src/modules/cases/import.ts';
import { caseYears, statsRows, townshipStatsRows, unrectifiedRows } from '../server/src/modules/cases/repo.ts';
import { readDataVersions } from '../server/src/modules/data-version/service.ts';
import { farmlandShareFigures } from '../server/src/modules/figures/farmland-share.ts';
import { revitalisationFigures } from '../server/src/modules/figures/revitalisation.ts';
import { difference, overlay, prepareSite } from '../server/src/modules/site-check/repo.ts';
import { parcelsById, unionGeometries } from '../server/src/modules/stock/repo.ts';
import { tileTokens } from '../server/src/modules/tiles/layer-source.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { Rng } from '../seeds/lib/rng.ts';
import { benchSession } from './lib/session.ts';
import { fmtMs, fmtS, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    'load-log': { type: 'string' },
    'tiles-per-zoom': { type: 'string', default: '28' },
    'sites-per-size': { type: 'string', default: '14' },
  },
});
const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  console.error('需要 PostGIS：设置 BENCH_DATABASE_URL 或 DATABASE_URL（province 数据集）');
  process.exit(2);
}
const db = await openPostgis(url);
const info = (await db.query<{ scale: string; seed: number }>('SELECT scale, seed FROM seed_info'))[0];
if (info?.scale !== 'province') {
  console.error(`数据库中是 ${info?.scale ?? '空'} 数据集；请先 npm run seed -- --scale province --force`);
  process.exit(2);
}
const seed = info.seed;
await db.migrate();
setDataExtent(extentForScale('province')); // as the server does when it finds the province loaded

// ---- the load, from its log (`npm run seed -- --scale province` prints each step and the total)
let loadLine = 'not given (`--load-log`)';
const steps: string[] = [];
if (values['load-log']) {
  const log = readFileSync(values['load-log'], 'utf8');
  const total = /done in ([\d.]+) s/.exec(log);
  const wall = /Elapsed \(wall clock\) time[^:]*: ([\d:.]+)/.exec(log);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(log);
  loadLine = total ? `**${fmtS(Number(total[1]) * 1000)}** end to end (generation, COPY city by city, the farmland indexes built after the COPY, derived tables, case overlaps)` : 'the log has no total';
  if (wall) loadLine += `; wall clock of the command ${wall[1]}`;
  if (rss) loadLine += `; the seeding process's peak RSS ${(Number(rss[1]) / 1024).toFixed(0)} MiB`;
  for (const m of log.matchAll(/^ {2}(全省) +(\S+) +(\S+) +([\d,]+) 条 +([\d.]+) s/gm)) steps.push(`${m[2]} ${m[4]}`);
  for (const m of log.matchAll(/^ {2}(\S+) +(stock-derived|case-overlaps|ledger-history|case-history|site-approvals) +([\d,]+) 条 +([\d.]+) s/gm))
    steps.push(`${m[1]} (${m[2]}) ${m[3]} rows in ${m[4]} s`);
}

// ---- dataset counts and size
const countOf = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
const counts: Record<string, number> = {};
for (const t of ['admin_county', 'admin_township', 'admin_village', 'urban_boundary', 'eco_redline', 'permanent_farmland', 'general_farmland', 'stock_parcel', 'encroachment', 'purple_line', 'basemap_feature'])
  counts[t] = await countOf(t);
const [{ size } = { size: '?' }] = await db.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
console.log(counts, size);

// ---- places in seven cities across the province
const SAMPLE_CITIES = ['410100', '410200', '410300', '410500', '411300', '411400', '411500'].map((c) => HENAN_CITIES.find((k) => k.code === c)!);
const rng = new Rng(20261122);
async function pointsIn(table: string, prefix: string, n: number): Promise<[number, number][]> {
  // a repeatable sample of the table's pages, filtered to the city: no scan of the whole table
  const rows = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y
       FROM ${table} TABLESAMPLE SYSTEM (0.5) REPEATABLE (${rng.int(1, 1_000_000)}) WHERE county_code LIKE $1 || '%' LIMIT $2`,
    [prefix, n * 20],
  );
  const out: [number, number][] = [];
  for (let i = 0; i < n && rows.length; i++) {
    const r = rows[rng.int(0, rows.length - 1)]!;
    out.push([Number(r.x), Number(r.y)]);
  }
  return out;
}
const fieldPoints: [number, number][] = [];
const stockPoints: [number, number][] = [];
for (const c of SAMPLE_CITIES) {
  fieldPoints.push(...(await pointsIn('permanent_farmland', scopePrefix(c.code), 6)));
  stockPoints.push(...(await pointsIn('stock_parcel', scopePrefix(c.code), 3)));
}

// ---- the app, in this process (its RSS is the catalogue's measure)
const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const planner = await benchSession(app, db, 'planner');
const auditor = await benchSession(app, db, 'auditor');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = planner.headers): Promise<{ status: number; buf: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...headers };
    if (body !== undefined) Object.assign(h, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = http.request(`${base}${path}`, { method, agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, buf: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const timed = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
};
/** Runs both, alternating which goes first, and returns their times. */
async function pair(i: number, a: () => Promise<void>, b: () => Promise<void>) {
  if (i % 2) await a(), await b();
  else await b(), await a();
}
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

// ---- stock-land catalogue: the first match loads every parcel
const rssBefore = rssMiB();
const [catalogueMs, first] = await timed(() => request('POST', '/api/stock-parcels/match', JSON.stringify({ use: '工业', areaMu: 20 })));
if (first.status !== 200) throw new Error(`match: HTTP ${first.status} ${first.buf.toString().slice(0, 200)}`);
const rssAfter = rssMiB();
console.log(`catalogue loaded in ${fmtMs(catalogueMs)}; RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`);

// ---- tiles
const perZoom = Number(values['tiles-per-zoom']);
type Job = { layer: (typeof layers)[number]; z: number; x: number; y: number };
const jobs: Job[] = [];
for (let z = 12; z <= 16; z++) {
  const seen = new Set<string>();
  for (let i = 0; seen.size < perZoom && i < perZoom * 10; i++) {
    // around a field or a parcel: where the layers have features (the stock parcels are in the towns)
    const p = i % 3 === 2 ? stockPoints[rng.int(0, stockPoints.length - 1)]! : fieldPoints[rng.int(0, fieldPoints.length - 1)]!;
    const t = lonLatToTile(p[0], p[1], z);
    const x = t.x + rng.int(-1, 1);
    const y = t.y + rng.int(-1, 1);
    if (seen.has(`${x}/${y}`)) continue;
    seen.add(`${x}/${y}`);
    for (const layer of layers) if (z >= layer.minZoom) jobs.push({ layer, z, x, y });
  }
}
const rawTile = async (j: Job) => {
  const t = performance.now();
  await db.query(sqlFile(new URL('../server/src/modules/tiles/sql/tile-mvt.sql', import.meta.url), tileTokens(j.layer)), [j.z, j.x, j.y, j.layer.maxFeaturesPerTile]);
  return performance.now() - t;
};
console.log(`${jobs.length} tile requests over z12–z16; warming PostgreSQL…`);
for (const j of jobs) await rawTile(j);
const tileStats = new Map<number, { http: number[]; sql: number[]; features: number[]; bytes: number[] }>();
for (const [i, j] of jobs.entries()) {
  const s = tileStats.get(j.z) ?? { http: [], sql: [], features: [], bytes: [] };
  tileStats.set(j.z, s);
  await pair(
    i,
    async () => {
      const [ms, res] = await timed(() => request('GET', `/tiles/${j.layer.id}/${j.z}/${j.x}/${j.y}.mvt`));
      if (res.headers['x-cache'] === 'hit') throw new Error('tile cache was warm');
      if (res.status !== 200 && res.status !== 204) throw new Error(`tile HTTP ${res.status}`);
      s.http.push(ms), s.features.push(Number(res.headers['x-tile-features'] ?? 0)), s.bytes.push(res.buf.length);
    },
    async () => void s.sql.push(await rawTile(j)),
  );
}
const tileRows: string[] = [];
let worstTileP95 = 0;
for (const [z, s] of [...tileStats.entries()].sort((a, b) => a[0] - b[0])) {
  worstTileP95 = Math.max(worstTileP95, percentile(s.http, 95));
  tileRows.push(
    `| ${z} | ${s.http.length} | ${fmtMs(median(s.http))} | ${fmtMs(percentile(s.http, 95))} | ${fmtMs(median(s.sql))} | ${fmtMs(percentile(s.sql, 95))} | ${(median(s.http) / median(s.sql)).toFixed(2)} | ${Math.max(...s.features)} | ${(Math.max(...s.bytes) / 1024).toFixed(0)} KB |`,
  );
  console.log(tileRows.at(-1));
}

// ---- site check
const perSize = Number(values['sites-per-size']);
const SIZES = [
  { label: '1 ha', sideM: 100 },
  { label: '10 ha', sideM: Math.sqrt(100_000) },
  { label: '100 ha (1 km²)', sideM: 1000 },
];
const siteCentres = Array.from({ length: perSize }, (_, i) => fieldPoints[(i * 3) % fieldPoints.length]!);
const square = ([cx, cy]: [number, number], side: number) => {
  const dx = side / 2 / (111_320 * Math.cos((cy * Math.PI) / 180));
  const dy = side / 2 / 110_925;
  return { type: 'Polygon' as const, coordinates: [[[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy], [cx - dx, cy - dy]]] };
};
async function siteSql(geometry: object): Promise<number> {
  const p = await prepareSite(db, JSON.stringify(geometry), false, 0);
  let hits = 0;
  for (const id of ['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland'] as const) {
    const rows = await overlay(db, getLayer(id)!, p.analysed!, id === 'eco-redline' ? ['county_code', 'name', 'category'] : id === 'urban-boundary' ? ['county_code', 'name'] : ['county_code', 'land_class_code', 'land_class_name']);
    hits += rows.length;
    if (id === 'urban-boundary') await difference(db, ['urban_boundary'], p.analysed!);
  }
  await difference(db, ['permanent_farmland', 'eco_redline'], p.analysed!);
  return hits;
}
for (const s of SIZES) for (const c of siteCentres) await siteSql(square(c, s.sideM)); // warm
const siteRows: string[] = [];
let worstSiteP95 = 0;
for (const s of SIZES) {
  const endpoint: number[] = [];
  const sql: number[] = [];
  const hits: number[] = [];
  for (const [i, c] of siteCentres.entries()) {
    const g = square(c, s.sideM);
    const body = JSON.stringify({ geometry: g, name: `bench ${s.label}`, use: '工业', stockFirst: { reason: 'location' } });
    await pair(
      i,
      async () => {
        const [ms, res] = await timed(() => request('POST', '/api/site-checks', body));
        if (res.status !== 201) throw new Error(`site check HTTP ${res.status}: ${res.buf.toString().slice(0, 200)}`);
        endpoint.push(ms);
      },
      async () => {
        const [ms, n] = await timed(() => siteSql(g));
        sql.push(ms), hits.push(n);
      },
    );
  }
  if (Math.max(...hits) <= 1000) worstSiteP95 = Math.max(worstSiteP95, percentile(endpoint, 95));
  siteRows.push(
    `| ${s.label} | ${endpoint.length} | ${median(hits)} (max ${Math.max(...hits)}) | ${fmtMs(median(endpoint))} | ${fmtMs(percentile(endpoint, 95))} | ${fmtMs(median(sql))} | ${fmtMs(percentile(sql, 95))} | ${(median(endpoint) / median(sql)).toFixed(2)} |`,
  );
  console.log(siteRows.at(-1));
}

// ---- stock search and match
const sampleCounties = (await db.query<{ code: string }>('SELECT code FROM admin_county ORDER BY code')).map((r) => r.code).filter((_, i) => i % 11 === 0);
async function sqlSearch(q: StockSearchQuery) {
  const params: unknown[] = [];
  const conds: string[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  if (q.county) conds.push(`s.county_code = ANY(${p(q.county.split(','))}::text[])`);
  if (q.category) conds.push(`s.category = ANY(${p(q.category)}::text[])`);
  if (q.use) conds.push(`s.planned_use = ANY(${p(q.use)}::text[])`);
  const status = q.status ?? ['可供应'];
  if (status !== 'all') conds.push(`s.status = ANY(${p(status)}::text[])`);
  if (q.minArea !== undefined) conds.push(`s.area_m2 >= ${p(q.areaUnit === 'mu' ? muToM2(q.minArea) : q.minArea)}`);
  if (q.maxArea !== undefined) conds.push(`s.area_m2 <= ${p(q.areaUnit === 'mu' ? muToM2(q.maxArea) : q.maxArea)}`);
  if (q.q) conds.push(`(s.code ILIKE ${p(`%${q.q}%`)} OR s.name ILIKE $${params.length})`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const order =
    q.sort === 'distance'
      ? `s.geom::geography <-> ST_SetSRID(ST_MakePoint(${q.near?.[0] ?? 0}, ${q.near?.[1] ?? 0}), 4490)::geography, s.id`
      : q.sort === '-area' ? 's.area_m2 DESC, s.id' : q.sort === '-date' ? 's.approval_date DESC NULLS LAST, s.id' : 's.area_m2, s.id';
  await db.query(`SELECT count(*)::int AS n FROM stock_parcel s ${where}`, params);
  const ids = await db.query<{ id: number }>(`SELECT s.id FROM stock_parcel s ${where} ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`, params);
  await parcelsById(db, ids.map((r) => r.id));
}
const searches: string[] = [];
for (const [i, pt] of stockPoints.entries()) {
  const county = sampleCounties[i % sampleCounties.length]!;
  searches.push(
    `county=${county}`,
    `use=工业,仓储&minArea=6&maxArea=9&sort=-area`,
    `category=闲置土地,低效用地&county=${county}&sort=-date`,
    `q=CL${county}-2020`,
    `sort=distance&near=${pt[0]},${pt[1]}&use=工业`,
  );
}
for (const q of searches) await request('GET', `/api/stock-parcels?${q}`); // warm
const searchHttp: number[] = [];
const searchSql: number[] = [];
for (const [i, q] of searches.entries()) {
  const query = StockSearchQuery.parse(Object.fromEntries(new URLSearchParams(q)));
  await pair(
    i,
    async () => {
      const [ms, res] = await timed(() => request('GET', `/api/stock-parcels?${q}`));
      if (res.status !== 200) throw new Error(`search HTTP ${res.status}: ${res.buf.toString().slice(0, 200)}`);
      searchHttp.push(ms);
    },
    async () => void searchSql.push((await timed(() => sqlSearch(query)))[0]),
  );
}
console.log(`search: endpoint p95 ${fmtMs(percentile(searchHttp, 95))}, SQL p95 ${fmtMs(percentile(searchSql, 95))}`);
const matches: Record<string, unknown>[] = [];
for (const [i, pt] of stockPoints.entries()) {
  const use = ['工业', '仓储', '住宅', '商业', '商务', '公共管理与公共服务'][i % 6]!;
  const areaMu = [8, 20, 60][i % 3]!;
  matches.push({ use, areaMu });
  matches.push({ use, areaMu, near: { type: 'Point', coordinates: pt }, maxDistanceKm: 10 });
}
for (const m of matches) await request('POST', '/api/stock-parcels/match', JSON.stringify(m)); // warm
const matchHttp: number[] = [];
const matchSql: number[] = [];
for (let round = 0; round < 2; round++)
  for (const m of matches) {
    const [ms, res] = await timed(() => request('POST', '/api/stock-parcels/match', JSON.stringify(m)));
    if (res.status !== 200) throw new Error(`match HTTP ${res.status}: ${res.buf.toString().slice(0, 200)}`);
    matchHttp.push(ms);
    const r = JSON.parse(res.buf.toString()) as { candidates: { parcels: { id: number }[] }[] };
    const sets = r.candidates.map((c) => c.parcels.map((p) => p.id));
    matchSql.push((await timed(async () => {
      await readDataVersions(db);
      await Promise.all([parcelsById(db, [...new Set(sets.flat())]), unionGeometries(db, sets)]);
    }))[0]);
  }
console.log(`match: endpoint p95 ${fmtMs(percentile(matchHttp, 95))}, SQL p95 ${fmtMs(percentile(matchSql, 95))}`);

// ---- yearly figures
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];
const today = beijingToday();
const figures: { name: string; path: string; headers: Record<string, string>; direct: (year: number) => Promise<unknown>; http: number[]; sql: number[] }[] = [
  { name: '/api/figures/revitalisation', path: '/api/figures/revitalisation', headers: planner.headers, direct: (y) => revitalisationFigures(db, y), http: [], sql: [] },
  { name: '/api/figures/farmland-share', path: '/api/figures/farmland-share', headers: planner.headers, direct: (y) => farmlandShareFigures(db, y, DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT), http: [], sql: [] },
  {
    name: '/api/cases/stats',
    path: '/api/cases/stats',
    headers: auditor.headers,
    direct: async (y) => {
      await statsRows(db, y, today, PROVINCE.code);
      await unrectifiedRows(db, y, PROVINCE.code);
      await townshipStatsRows(db, y, PROVINCE.code);
      await caseYears(db);
    },
    http: [],
    sql: [],
  },
];
const coldFigures: Record<string, number[]> = {};
for (const f of figures)
  for (const y of YEARS) {
    // the first request for a year: worked out afresh for this data version
    const [ms, res] = await timed(() => request('GET', `${f.path}?year=${y}`, undefined, f.headers));
    if (res.status !== 200) throw new Error(`${f.path}: HTTP ${res.status} ${res.buf.toString().slice(0, 200)}`);
    (coldFigures[f.name] ??= []).push(ms);
  }
for (let round = 0; round < 5; round++)
  for (const f of figures)
    for (const [i, y] of YEARS.entries())
      await pair(
        i + round,
        async () => void f.http.push((await timed(() => request('GET', `${f.path}?year=${y}`, undefined, f.headers)))[0]),
        async () => void f.sql.push((await timed(() => f.direct(y)))[0]),
      );
const figureRows = figures.map(
  (f) =>
    `| \`${f.name}?year=\` | ${f.http.length} | ${fmtMs(median(coldFigures[f.name]!))} / ${fmtMs(Math.max(...coldFigures[f.name]!))} | ${fmtMs(median(f.http))} | ${fmtMs(percentile(f.http, 95))} | ${fmtMs(median(f.sql))} | ${fmtMs(percentile(f.sql, 95))} |`,
);
for (const r of figureRows) console.log(r);
const rssEnd = rssMiB();

agent.destroy();
await planner.remove().catch(() => undefined); // the account stays when it filed reports (immutable)
await auditor.remove();
await app.close();
await db.close();

const n = (t: string) => counts[t]!.toLocaleString('en');
writeSection(
  'province',
  `## The province dataset on PostGIS (\`npm run bench:province\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), province dataset
(seed ${seed}): all 18 city-level divisions of Henan, ${n('admin_county')} counties, ${n('admin_township')} townships,
${n('admin_village')} villages; ${n('permanent_farmland')} permanent-farmland fields, ${n('general_farmland')} general-farmland
fields, ${n('stock_parcel')} stock parcels, ${n('encroachment')} encroachment cases, ${n('urban_boundary')} urban development
boundary polygons, ${n('eco_redline')} red-line polygons, ${n('basemap_feature')} base-map features; database ${size}.
Run ${new Date().toISOString().slice(0, 10)}. Places sampled with a fixed seed in ${SAMPLE_CITIES.map((c) => c.name).join('、')}.

**Load** (\`npm run seed -- --scale province\`): ${loadLine}.${steps.length ? `\nSteps: ${steps.join('; ')}.` : ''}

**Tiles** (z12–z16, every layer shown at that zoom, ${jobs.length} requests, each tile once: cache cold; PostgreSQL
buffers warmed by one pass of the raw statement). *Endpoint*: \`GET /tiles/{layer}/{z}/{x}/{y}.mvt\` over HTTP;
*SQL*: the same \`tile-mvt.sql\` run directly, alternating which goes first.

| z | requests | endpoint median | endpoint p95 | SQL median | SQL p95 | ratio (median) | most features | largest tile |
|---|---|---|---|---|---|---|---|---|
${tileRows.join('\n')}

Worst endpoint p95 at z ≥ 12: **${fmtMs(worstTileP95)}** (goal ≤ 50 ms).

**Site check** (\`POST /api/site-checks\` as a planner, use 工业 with the stock-first match; squares centred on
permanent-farmland fields; *SQL*: the validation, the four overlays and the differences it runs):

| site | checks | features hit (median) | endpoint median | endpoint p95 | SQL median | SQL p95 | ratio (median) |
|---|---|---|---|---|---|---|---|
${siteRows.join('\n')}

Worst endpoint p95 where ≤ 1 000 features are hit: **${fmtMs(worstSiteP95)}** (goal ≤ 200 ms).

**Stock land**. Search (\`GET /api/stock-parcels\`, ${searchHttp.length} requests: county, use and area, category
and date, code text, distance sort): endpoint median ${fmtMs(median(searchHttp))}, p95 **${fmtMs(percentile(searchHttp, 95))}**;
the same search as plain SQL (count, page of ids, the page's rows) median ${fmtMs(median(searchSql))}, p95
${fmtMs(percentile(searchSql, 95))}; ratio of medians ${(median(searchHttp) / median(searchSql)).toFixed(2)}.
Match (\`POST /api/stock-parcels/match\`, ${matchHttp.length} requests, province-wide and within 10 km of a point):
endpoint median ${fmtMs(median(matchHttp))}, p95 **${fmtMs(percentile(matchHttp, 95))}**; the SQL a request runs
median ${fmtMs(median(matchSql))}, p95 ${fmtMs(percentile(matchSql, 95))} (the rest is the ranking in memory). Goal p95 ≤ 100 ms.
The in-memory catalogue (every parcel) loads on the first match in **${fmtS(catalogueMs)}**; the process's RSS
went from ${rssBefore.toFixed(0)} MiB to **${rssAfter.toFixed(0)} MiB** with it (${rssEnd.toFixed(0)} MiB at the end of the run).

**Yearly figures** (2021–2026, 5 rounds after the first request of each year; goal p95 ≤ 200 ms). *First*: the first
request of each year (worked out afresh, median / max); *endpoint*: the later requests (answered from the figures
already worked out for the data version); *direct*: the service functions that work them out, called in the same run.

| request | n | first (median / max) | endpoint median | endpoint p95 | direct median | direct p95 |
|---|---|---|---|---|---|---|
${figureRows.join('\n')}`,
);
console.log('written to docs/PERFORMANCE.md');
