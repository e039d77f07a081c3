/**
 * `npm run bench:audit`: encroachment review on PostGIS at city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else DATABASE_URL),
 * 12 000 seeded cases. Measures, over HTTP on loopback against the same statements run
 * directly:
 * - the case list (`GET /api/cases`) with a fixed mix of filters, sorts and deep pages;
 * - the county view (`GET /api/cases/stats`) for three years;
 * - the exports of every case (Excel, GeoJSON, zipped Shapefile);
 * - the overlaps of all 12 000 cases computed afresh (in a transaction rolled back);
 * - an import of 10 000 generated polygons (dry run, then commit) through
 *   `POST /api/cases/import`, phase by phase; the imported cases are deleted afterwards.
 *
 * For a realistic county view, about half the seeded cases are given an outcome by a plain
 * UPDATE for the run (no history is written) and set back to 待核查 at the end.
 * Results go to docs/PERFORMANCE.md.
 */
import { PROVINCE } from '../core/divisions.ts';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { CaseListQuery } from '../core/contracts/cases.ts';
import { buildApp } from '../server/src/app.ts';
import { benchSession } from './lib/session.ts';
import { computeCaseOverlaps, ensureCaseOverlaps } from '../server/src/modules/cases/overlaps.ts';
import { caseYears, searchCases, statsRows, unrectifiedRows } from '../server/src/modules/cases/repo.ts';
import { beijingToday } from '../server/src/modules/cases/import.ts';
import { Rng } from '../seeds/lib/rng.ts';
import { fmtMs, fmtS, machine, median, percentile, writeSection } from './lib/report.ts';
import { openCityDatabase } from './lib/city-db.ts';

const IMPORT_ROWS = 10_000;
const { db, seed } = await openCityDatabase();
await db.migrate();
const prepared = await ensureCaseOverlaps(db);
if (prepared.cases) console.log(`overlaps of ${prepared.cases} cases computed first (${fmtS(prepared.elapsedMs)})`);
const [{ n: cases } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment');
if (cases < 10_000) throw new Error(`need ≥ 10 000 cases, the database has ${cases}`);

const timed = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
};

// ---- the overlaps of every case, computed afresh and rolled back
class Rollback extends Error {}
let overlapAll = { cases: 0, features: 0, elapsedMs: 0 };
await db
  .transaction(async (tx) => {
    const ids = (await tx.query<{ id: number }>('SELECT id FROM encroachment ORDER BY id')).map((r) => Number(r.id));
    overlapAll = await computeCaseOverlaps(tx, ids);
    throw new Rollback();
  })
  .catch((e: unknown) => {
    if (!(e instanceof Rollback)) throw e;
  });
console.log(`overlaps of ${overlapAll.cases} cases: ${fmtS(overlapAll.elapsedMs)} (${overlapAll.features} feature rows)`);

// ---- outcomes for the run (set back at the end)
const rng = new Rng(20261122);
const allIds = (await db.query<{ id: number }>(`SELECT id FROM encroachment WHERE status = '待核查' AND import_id IS NULL ORDER BY id`)).map((r) => Number(r.id));
const outcome = new Map<string, number[]>([['违法占用', []], ['误报', []], ['需实地核查', []], ['合法用地', []]]);
for (const id of allIds) {
  const s = rng.weighted([['违法占用', 30], ['误报', 12], ['需实地核查', 5], ['合法用地', 3], ['待核查', 50]] as const);
  if (s !== '待核查') outcome.get(s)!.push(id);
}
const marked = [...outcome.values()].flat();
const restore = () =>
  db.query(`UPDATE encroachment SET status = '待核查', approval_no = NULL WHERE id = ANY($1::int[]) AND version = 1`, [marked]);
for (const [status, ids] of outcome) {
  await db.query(`UPDATE encroachment SET status = $1, approval_no = CASE WHEN $1 = '合法用地' THEN 'BENCH' END WHERE id = ANY($2::int[])`, [status, ids]);
}
await db.query('ANALYZE encroachment');

const app = await buildApp({ db });
const base = await app.listen({ port: 0, host: '127.0.0.1' });
// a auditor: the whole answer, as the bureau's staff get it
const session = await benchSession(app, db, 'auditor');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(method: 'GET' | 'POST', path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string | number> = { ...session.headers, ...headers, ...(body ? { 'content-length': body.length } : {}) };
    const req = http.request(`${base}${path}`, { method, agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: buf.toString(), bytes: buf.length });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let importId: string | null = null;
try {
  // ---- list
  const counties = (await db.query<{ code: string }>('SELECT code FROM admin_county ORDER BY code')).map((r) => r.code);
  const enc = encodeURIComponent;
  const lists: string[] = [];
  for (const county of counties) {
    lists.push(
      '',
      `county=${county}`,
      `status=${enc('违法占用')}&sort=-farmland`,
      `status=${enc('待核查,需实地核查')}&from=2026-01-01&to=2026-12-31&county=${county}`,
      `source=${enc('举报')}&sort=-area`,
      `minOverlapMu=5&overlap=farmland&sort=-farmland&county=${county}`,
      `overlap=eco-redline&minOverlapMu=0.1`,
      `q=WP2025${county}`,
      `page=40&pageSize=50&sort=code`,
      `county=${county}&from=2025-01-01&to=2025-12-31&sort=-decidedAt&pageSize=100`,
    );
  }
  for (const q of lists) await request('GET', `/api/cases?${q}`); // warm
  const listHttp: number[] = [];
  const listSql: number[] = [];
  for (const [i, q] of lists.entries()) {
    const query = CaseListQuery.parse(Object.fromEntries(new URLSearchParams(q)));
    const viaHttp = async () => {
      const [ms, res] = await timed(() => request('GET', `/api/cases?${q}`));
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      listHttp.push(ms);
    };
    const viaSql = async () => listSql.push((await timed(() => searchCases(db, { ...query, scope: PROVINCE.code })))[0]);
    if (i % 2) await viaHttp(), await viaSql();
    else await viaSql(), await viaHttp();
  }
  console.log(`list: endpoint median ${fmtMs(median(listHttp))}, p95 ${fmtMs(percentile(listHttp, 95))}; SQL median ${fmtMs(median(listSql))}`);

  // ---- county view
  const statsHttp: number[] = [];
  const statsSql: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const year of [2024, 2025, 2026]) {
      const [ms, res] = await timed(() => request('GET', `/api/cases/stats?year=${year}`));
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      if (round > 0) statsHttp.push(ms);
      const [sqlMs] = await timed(async () => {
        await statsRows(db, year, beijingToday(), PROVINCE.code);
        await unrectifiedRows(db, year, PROVINCE.code);
        await caseYears(db);
      });
      if (round > 0) statsSql.push(sqlMs);
    }
  }
  const stats2026 = JSON.parse((await request('GET', '/api/cases/stats?year=2026')).text) as {
    counties: { countyName: string; standing: string; illegalFarmland: { mu: number } }[];
  };
  console.log(`stats: endpoint median ${fmtMs(median(statsHttp))}, p95 ${fmtMs(percentile(statsHttp, 95))}; SQL median ${fmtMs(median(statsSql))}`);

  // ---- exports of every case
  const exportTimes: { label: string; ms: number; bytes: number }[] = [];
  for (const [label, path] of [
    ['Excel', '/api/cases/export.xlsx'],
    ['GeoJSON', '/api/cases/export.geojson'],
    ['Shapefile (zip)', '/api/cases/export.shp.zip'],
    ['county table (Excel)', '/api/cases/stats/export.xlsx?year=2026'],
  ] as const) {
    const [ms, res] = await timed(() => request('GET', path));
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${path}`);
    exportTimes.push({ label, ms, bytes: res.bytes });
  }

  // ---- import of 10 000 generated polygons
  const [{ fields } = { fields: 0 }] = await db.query<{ fields: number }>('SELECT max(id)::int AS fields FROM permanent_farmland');
  const ids = Array.from({ length: IMPORT_ROWS }, () => rng.int(1, fields));
  const centres = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(ST_PointOnSurface(f.geom)) AS x, ST_Y(ST_PointOnSurface(f.geom)) AS y
       FROM unnest($1::int[]) WITH ORDINALITY AS k(id, ord) JOIN permanent_farmland f ON f.id = k.id ORDER BY k.ord`,
    [ids],
  );
  const existing = await db.query<{ g: string }>(`SELECT ST_AsGeoJSON(geom, 9) AS g FROM encroachment ORDER BY id LIMIT 100`);
  const features: object[] = [];
  for (const [i, c] of centres.entries()) {
    let geometry: object;
    if (i % 100 === 7 && existing[i / 100 | 0]) geometry = JSON.parse(existing[i / 100 | 0]!.g); // 1 % copies of existing cases
    else {
      const side = Math.sqrt(rng.logRange(0.5, 30) * (10_000 / 15));
      const dx = side / 2 / 91_700;
      const dy = side / 2 / 110_925;
      const ring = [[c.x - dx, c.y - dy], [c.x + dx, c.y - dy], [c.x + dx, c.y + dy], [c.x - dx, c.y + dy], [c.x - dx, c.y - dy]];
      if (i % 200 === 13) [ring[1], ring[2]] = [ring[2]!, ring[1]!]; // 0.5 % self-intersecting
      geometry = { type: 'Polygon', coordinates: [ring] };
    }
    features.push({ type: 'Feature', properties: { 来源: '卫片' }, geometry });
  }
  const file = Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
  const boundary = '----yizhangtu-bench';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench-10000.geojson"\r\nContent-Type: application/geo+json\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  type Job = { phase: string; report: { counts: Record<string, number>; importId: string | null } | null; error: unknown };
  async function runImport(qs: string) {
    const started = performance.now();
    const res = await request('POST', `/api/cases/import?${qs}`, payload, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    const acceptedMs = performance.now() - started;
    const { statusUrl } = JSON.parse(res.text) as { statusUrl: string };
    const phases: Record<string, number> = {};
    let last = 'accepted';
    let lastAt = performance.now();
    for (;;) {
      const job = JSON.parse((await request('GET', statusUrl)).text) as Job;
      if (job.phase !== last) {
        const now = performance.now();
        phases[last] = (phases[last] ?? 0) + (now - lastAt);
        last = job.phase;
        lastAt = now;
      }
      if (job.phase === 'done' || job.phase === 'failed') {
        if (job.phase === 'failed') throw new Error(`import failed: ${JSON.stringify(job.error)}`);
        return { totalMs: performance.now() - started, acceptedMs, phases, report: job.report! };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const dry = await runImport(`detectedOn=${beijingToday()}`);
  console.log(`import dry run: ${fmtS(dry.totalMs)}`, dry.report.counts);
  const commit = await runImport(`dryRun=false&detectedOn=${beijingToday()}&actor=bench`);
  importId = commit.report.importId;
  console.log(`import commit: ${fmtS(commit.totalMs)}`, commit.report.counts);
  const [{ n: imported, feats } = { n: 0, feats: 0 }] = await db.query<{ n: number; feats: number }>(
    `SELECT count(*)::int AS n, (SELECT count(*)::int FROM case_overlap o JOIN encroachment e ON e.id = o.case_id WHERE e.import_id = $1) AS feats
       FROM encroachment WHERE import_id = $1 AND overlaps_at IS NOT NULL`,
    [importId],
  );

  const phaseLine = (p: Record<string, number>) =>
    Object.entries(p)
      .filter(([k]) => k !== 'accepted')
      .map(([k, v]) => `${k} ${fmtS(v)}`)
      .join(', ');
  const over = stats2026.counties.filter((c) => c.standing === 'over').length;
  writeSection(
    'audit',
    `## Encroachment review on PostGIS at city scale (\`npm run bench:audit\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}, ${cases.toLocaleString('en')} encroachment cases against 1.2 M farmland fields). Run ${new Date().toISOString().slice(0, 10)}.
Requests over HTTP on loopback, one keep-alive connection, buffers warmed by one pass. For the run
about half the cases carry an outcome (set by a plain UPDATE, put back afterwards), so the county
view has figures to sum (2026: ${over} of 9 counties over 20 亩).

| request | n | endpoint median | endpoint p95 | same SQL median | same SQL p95 | ratio (medians) |
|---|---|---|---|---|---|---|
| \`GET /api/cases\` (county, status, source, dates, minimum overlap, text, sorts, deep pages) | ${listHttp.length} | **${fmtMs(median(listHttp))}** | **${fmtMs(percentile(listHttp, 95))}** | ${fmtMs(median(listSql))} | ${fmtMs(percentile(listSql, 95))} | ${(median(listHttp) / median(listSql)).toFixed(2)} |
| \`GET /api/cases/stats?year=\` (2024–2026) | ${statsHttp.length} | **${fmtMs(median(statsHttp))}** | **${fmtMs(percentile(statsHttp, 95))}** | ${fmtMs(median(statsSql))} | ${fmtMs(percentile(statsSql, 95))} | ${(median(statsHttp) / median(statsSql)).toFixed(2)} |

Goal p95 ≤ 200 ms. The list runs two statements (counts per status under the other filters, then
the page); the county view one aggregate over the year's cases joined to the nine counties, and the
years present.

**Exports of every case** (${cases.toLocaleString('en')} rows): ${exportTimes.map((e) => `${e.label} ${fmtMs(e.ms)} (${(e.bytes / 2 ** 20).toFixed(1)} MiB)`).join('; ')}.

**Overlaps** of all ${overlapAll.cases.toLocaleString('en')} cases against permanent and general farmland, the red line,
the boundary and stock land (set-wise SQL a batch of 2 000 cases at a time, ellipsoidal areas in
Node, ${overlapAll.features.toLocaleString('en')} feature rows written): **${fmtS(overlapAll.elapsedMs)}** — what seeding adds.

**Import of ${IMPORT_ROWS.toLocaleString('en')} polygons** (GeoJSON, ${(file.length / 2 ** 20).toFixed(1)} MiB; squares of 0.5–30 亩 on
farmland fields drawn with a fixed seed, 1 % copies of existing cases, 0.5 % self-intersecting):

| run | total | accepted (upload + parse) | phases | ok / duplicate / invalid | created |
|---|---|---|---|---|---|
| dry run | ${fmtS(dry.totalMs)} | ${fmtMs(dry.acceptedMs)} | ${phaseLine(dry.phases)} | ${dry.report.counts.ok} / ${dry.report.counts.duplicate} / ${dry.report.counts.invalid} | — |
| commit | **${fmtS(commit.totalMs)}** | ${fmtMs(commit.acceptedMs)} | ${phaseLine(commit.phases)} | ${commit.report.counts.ok} / ${commit.report.counts.duplicate} / ${commit.report.counts.invalid} | ${commit.report.counts.created} (${imported} with overlaps, ${feats.toLocaleString('en')} feature rows) |

Phases as seen by polling the job every 50 ms; the commit does the dry run's work again inside its
transaction, then writes the cases and computes their overlaps. The imported cases were deleted
after the run.`,
  );
  console.log('written to docs/PERFORMANCE.md');
} finally {
  agent.destroy();
  await session.remove();
  await app.close();
  if (importId) {
    await db.query('DELETE FROM encroachment WHERE import_id = $1', [importId]);
    await db.query('DELETE FROM case_import WHERE id = $1', [importId]);
  }
  await restore();
  await db.close();
}
