/**
 * `npm run bench:ledger`: the stock-land ledger on PostGIS at city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else DATABASE_URL).
 * Over HTTP on loopback, one keep-alive connection, as a signed-in planner:
 * - the yearly figures pages' requests (`GET /api/figures/revitalisation?year=`, and the
 *   other yearly figures where the server has them) for every year 2021–2026, several rounds;
 *   their Excel exports once per year;
 * - a ledger event visible everywhere: for parcels that are 可供应 批而未供 with no history,
 *   the parcel is first seen (warm) in a text search, in a match near it and in the z14 tile
 *   that holds it; then a supply is recorded (`POST /api/stock-parcels/{code}/events`) and the
 *   three are polled until each shows it (search 已供应, match no longer offers it, tile
 *   feature 已供应). The time from the POST's answer to each, and to the last of the three.
 * The events recorded stay in the database (the ledger is append-only): each run supplies
 * `--events` more parcels of the bench database.
 * Results go to docs/PERFORMANCE.md.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { buildApp } from '../server/src/app.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { beijingToday } from '../server/src/modules/cases/import.ts';
import { benchSession } from './lib/session.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '20' }, rounds: { type: 'string', default: '10' } } });
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];
const POLL_LIMIT_MS = 30_000;

const { db, seed } = await openCityDatabase();
await db.migrate();
const [{ parcels = 0, events = 0 } = {}] = await db.query<{ parcels: number; events: number }>(
  'SELECT (SELECT count(*)::int FROM stock_parcel) AS parcels, (SELECT count(*)::int FROM stock_event) AS events',
);

const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const planner = await benchSession(app, db, 'planner');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(method: 'GET' | 'POST', path: string, body?: unknown, as: Record<string, string> = planner.headers): Promise<{ status: number; buf: Buffer }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...as };
    if (text !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, buf: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}
async function ok(method: 'GET' | 'POST', path: string, body?: unknown, as?: Record<string, string>): Promise<Buffer> {
  const r = await request(method, path, body, as);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.buf.toString().slice(0, 300)}`);
  return r.buf;
}
const json = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => JSON.parse((await ok(method, path, body)).toString()) as T;
const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// ---- the yearly figures
const FIGURES = ['revitalisation', 'farmland-share'];
const figures: { name: string; path: string; ms: number[]; cold: number[]; exportMs: number[]; headers?: Record<string, string> }[] = [];
for (const name of FIGURES) {
  const probe = await request('GET', `/api/figures/${name}?year=2026`);
  if (probe.status === 404) continue;
  figures.push({ name: `/api/figures/${name}`, path: `/api/figures/${name}`, ms: [], cold: [], exportMs: [] });
}
// the 20-亩 county view is the auditors' (an auditor's session for it)
const auditor = await benchSession(app, db, 'auditor');
figures.push({ name: '/api/cases/stats (20 亩)', path: '/api/cases/stats', ms: [], cold: [], exportMs: [], headers: auditor.headers });
for (const f of figures) for (const y of YEARS) await ok('GET', `${f.path}?year=${y}`, undefined, f.headers); // warm
for (let r = 0; r < ROUNDS; r++) for (const f of figures) for (const y of YEARS) f.ms.push(await timed(() => ok('GET', `${f.path}?year=${y}`, undefined, f.headers)));
for (const f of figures) for (const y of YEARS) f.exportMs.push(await timed(() => ok('GET', `${f.path}/export.xlsx?year=${y}`, undefined, f.headers)));
for (const f of figures) console.log(`${f.name}: median ${fmtMs(median(f.ms))}, p95 ${fmtMs(percentile(f.ms, 95))}; export median ${fmtMs(median(f.exportMs))}`);

// ---- a ledger event visible in search, match and tiles
interface Target {
  code: string;
  planned_use: string;
  area_m2: number;
  x: number;
  y: number;
}
const targets = await db.query<Target>(
  `SELECT code, planned_use, area_m2, ST_X(p) AS x, ST_Y(p) AS y
     FROM (SELECT code, planned_use, area_m2, ST_PointOnSurface(geom) AS p FROM stock_parcel s
            WHERE category = '批而未供' AND status = '可供应' AND recorded_on < $2::date
              AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code = s.code)
            ORDER BY md5(code) LIMIT $1) t`,
  [EVENTS, beijingToday()],
);
if (targets.length < EVENTS) throw new Error(`only ${targets.length} parcels without history are available to supply`);

// every status: the default search lists only what is available
const searchPath = (t: Target) => `/api/stock-parcels?q=${encodeURIComponent(t.code)}&status=all`;
const matchBody = (t: Target) => ({ use: t.planned_use, areaMu: (t.area_m2 * 15) / 10_000, near: { type: 'Point', coordinates: [t.x, t.y] }, maxDistanceKm: 1, limit: 50 });
const tilePath = (t: Target) => {
  const { x, y } = lonLatToTile(t.x, t.y, 14);
  return `/tiles/stock-parcel/14/${x}/${y}.mvt`;
};
async function searchStatus(t: Target): Promise<string | undefined> {
  const r = await json<{ items: { code: string; status: string }[] }>('GET', searchPath(t));
  return r.items.find((i) => i.code === t.code)?.status;
}
async function matchOffers(t: Target): Promise<boolean> {
  const r = await json<{ candidates: { parcels: { code: string }[] }[] }>('POST', '/api/stock-parcels/match', matchBody(t));
  return r.candidates.some((c) => c.parcels.some((p) => p.code === t.code));
}
async function tileStatus(t: Target): Promise<string | undefined> {
  const buf = await ok('GET', tilePath(t));
  const tile = new VectorTile(new PbfReader(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)));
  for (const layer of Object.values(tile.layers)) {
    for (let i = 0; i < layer.length; i++) {
      const p = layer.feature(i).properties;
      if (p.code === t.code) return String(p.status);
    }
  }
  return undefined;
}
/** Polls `seen` until it is true; the milliseconds from `from`. */
async function until(from: number, seen: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await seen()) return performance.now() - from;
    if (performance.now() - from > POLL_LIMIT_MS) throw new Error('not visible after 30 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const visible = { post: [] as number[], search: [] as number[], match: [] as number[], tile: [] as number[], all: [] as number[] };
let offeredBefore = 0;
for (const [i, t] of targets.entries()) {
  // warm: each view has the parcel as it stands before the event (the caches hold it)
  if ((await searchStatus(t)) !== '可供应') throw new Error(`${t.code}: not found by the search before the event`);
  if (await matchOffers(t)) offeredBefore++;
  if ((await tileStatus(t)) !== '可供应') throw new Error(`${t.code}: not in its tile before the event`);
  const t0 = performance.now();
  await ok('POST', `/api/stock-parcels/${encodeURIComponent(t.code)}/events`, {
    kind: 'supply',
    eventDate: beijingToday(),
    docNo: `供〔基准〕${seed}-${i + 1}号`,
    details: { method: '出让', contractNo: `BENCH-${i + 1}`, landUser: '基准测试用地单位', priceWan: 100 },
  });
  const t1 = performance.now();
  visible.post.push(t1 - t0);
  const s = await until(t1, async () => (await searchStatus(t)) === '已供应');
  const m = await until(t1, async () => !(await matchOffers(t)));
  const k = await until(t1, async () => (await tileStatus(t)) === '已供应');
  visible.search.push(s);
  visible.match.push(m);
  visible.tile.push(k);
  visible.all.push(Math.max(s, m, k));
  // the yearly figures right after a change of the data (nothing worked out for this version yet)
  for (const f of figures) f.cold.push(await timed(() => ok('GET', `${f.path}?year=${YEARS[i % YEARS.length]}`, undefined, f.headers)));
}
const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${fmtMs(median(xs))} | ${fmtMs(percentile(xs, 95))} | ${fmtMs(Math.max(...xs))} |`;
console.log(`event visible in all three: median ${fmtMs(median(visible.all))}, p95 ${fmtMs(percentile(visible.all, 95))}`);

// the account recorded events (kept by the append-only ledger): disabled, not deleted
await db.query(`UPDATE app_user SET disabled = true WHERE username LIKE 'bench-planner-%'`);
await auditor.remove();
await app.close();
await db.close();

const figureRows = figures.map(
  (f) =>
    `| \`GET ${f.path}?year=\`${f.name.includes('20 亩') ? ' (auditors)' : ''} | ${f.cold.length} | ${fmtMs(median(f.cold))} | **${fmtMs(percentile(f.cold, 95))}** | ${f.ms.length} | ${fmtMs(median(f.ms))} | ${fmtMs(percentile(f.ms, 95))} | ${fmtMs(median(f.exportMs))} |`,
);
writeSection(
  'ledger',
  `## The stock-land ledger on PostGIS at city scale (\`npm run bench:ledger\`)

${machine()} Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}, ${parcels.toLocaleString('en')} stock parcels, ${events.toLocaleString('en')} ledger events before the run). Run ${beijingToday()}.
Requests over HTTP on loopback, one keep-alive connection, as a signed-in planner.

**Yearly figures** (goal p95 ≤ 200 ms). *After a change*: the first request of a year right after a ledger
event moved the data version (one per event below, the years in turn) — the figures worked out afresh.
*Unchanged data*: years ${YEARS[0]}–${YEARS.at(-1)}, ${ROUNDS} rounds after one pass — the revitalisation rate is then
answered from the figures already worked out for that data version.

| request | after a change: n | median | p95 | unchanged data: n | median | p95 | Excel export, median |
|---|---|---|---|---|---|---|---|
${figureRows.join('\n')}

**A ledger event visible** (${EVENTS} supplies of 可供应 批而未供 parcels with no history, each first seen in
the three views; goal ≤ 1 s). Milliseconds from the answer to \`POST /api/stock-parcels/{code}/events\`
until the view shows the event, polled every 5 ms (${offeredBefore} of the ${EVENTS} were among the match's offers
before the event; the rest are checked not to appear after it):

| view | n | median | p95 | max |
|---|---|---|---|---|
${row('the POST itself', visible.post)}
${row('search (`GET /api/stock-parcels?q=code&status=all` says 已供应)', visible.search)}
${row('match (`POST /api/stock-parcels/match` near it no longer offers it)', visible.match)}
${row('tile (z14 `stock-parcel` feature says 已供应)', visible.tile)}
${row('**all three**', visible.all)}
`,
);
