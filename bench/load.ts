/**
 * `npm run bench:load`: the whole deployment under load, and the faults it must survive.
 *
 * What runs, all on this machine and all of the benchmark's own:
 * - a PostgreSQL primary (initdb, a free port) holding the city dataset (`npm run seed -- --scale
 *   city`, or `--scale demo` for a quick look) and a streaming replica of it (pg_basebackup -R);
 * - Redis (the machine's, database 3) for the shared rate limits;
 * - two app instances (`npm start` in child processes) with DATABASE_URL, DATABASE_REPLICA_URL,
 *   REDIS_URL and TRUST_PROXY set, behind nginx (bench/lib/nginx.ts: upstream keepalive,
 *   `proxy_next_upstream` for idempotent requests, `proxy_cache` for public tiles);
 * - `--clients` (50) clients, each from its own loopback address (127.0.1.x) with its own
 *   keep-alive connections: public map viewers (a 3 × 3 block of public tiles at z 12–15),
 *   public stock searches, public site checks, planners reading farmland features in a box,
 *   auditors deciding cases (a read for the version, then the decision with it).
 *
 * Phases, one after the other, with the clients running throughout:
 * 1. steady (`--seconds`, 60): nothing happens; goal 0 errors, p99 ≤ 1 s;
 * 2. instance killed: one instance gets SIGKILL 5 s in and is started again 20 s in; nginx
 *    routes around it; a decision whose answer was lost is "in doubt" and read back;
 * 3. replica stopped: stopped 5 s in, started again 20 s in; reads move to the primary;
 * 4. primary restarted: stopped 5 s in, started 15 s in; answers meanwhile are 503 with
 *    Retry-After; the last 10 s of the phase must be clean again.
 * Then every decision is checked against the database: each acknowledged one is there once,
 * none is there twice (a decision carries the case's version: a repeat is refused, not doubled).
 *
 * Results go to docs/PERFORMANCE.md (`<!-- bench:load -->`).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '../seeds/lib/rng.ts';
import { PLANNED_USES } from '../core/stock-match.ts';
import { openPostgis } from '../server/src/db/database.ts';
import { createUser } from '../server/src/modules/auth/service.ts';
import { findPostgresBin, startReplicaPair } from '../tests/helpers/pg-cluster.ts';
import { start as startNginx } from './lib/nginx.ts';
import { fmtMs, machine, percentile, writeSection } from './lib/report.ts';
import { startServer, type ChildServer } from './lib/server.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    fault: { type: 'string', default: '30' },
    scale: { type: 'string', default: 'city' },
    dry: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const STEADY_S = Number(args.seconds);
const FAULT_S = Number(args.fault);
const SCALE = args.scale as 'city' | 'demo';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[load ${new Date().toISOString().slice(11, 19)}] ${s}`);

const bin = findPostgresBin();
if (!bin) {
  console.error('需要 PostgreSQL 与 PostGIS 的程序（postgresql-15、postgresql-15-postgis-3）');
  process.exit(2);
}

// ---- the database: a primary with the dataset, and its replica
const seedT0 = performance.now();
const pair = await startReplicaPair(bin, {
  database: 'yizhangtu',
  prepare: (url) =>
    new Promise<void>((resolve, reject) => {
      log(`seeding the ${SCALE} dataset into the primary…`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/seed.ts', '--scale', SCALE, '--force'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'inherit'] });
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`))));
    }),
});
log(`primary :${pair.primary.port} and replica :${pair.replica.port} ready in ${((performance.now() - seedT0) / 1000).toFixed(0)} s`);
const primaryUrl = pair.primary.urlOf(pair.database);
const replicaUrl = pair.replica.urlOf(pair.database);
const db = await openPostgis(primaryUrl, { log: { warn: () => undefined, info: () => undefined } });

const cleanup: (() => Promise<unknown>)[] = [];
const shutdown = async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await db.close().catch(() => undefined);
  await pair.destroy();
};
process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));

try {
  // ---- places and work, drawn with a fixed seed
  const rng = new Rng(20261203);
  const [ext] = await db.query<{ w: number; s: number; e: number; n: number }>('SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(geom) AS x FROM stock_parcel) t');
  const stockPoints = (await db.query<{ x: number; y: number }>('SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM stock_parcel ORDER BY id LIMIT 2000) t')).map((r) => [Number(r.x), Number(r.y)] as const);
  const caseIds = (await db.query<{ id: number }>(`SELECT id FROM encroachment WHERE status = '待核查' ORDER BY id`)).map((r) => Number(r.id));
  const tileOf = (lon: number, lat: number, z: number) => {
    const n = 2 ** z;
    const x = Math.floor(((lon + 180) / 360) * n);
    const r = (lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    return [x, y] as const;
  };
  const placeNear = () => stockPoints[rng.int(0, stockPoints.length - 1)]!;

  // ---- the instances and nginx
  const REDIS_DB = 3;
  await new Promise<void>((resolve) => spawn('redis-cli', ['-n', String(REDIS_DB), 'FLUSHDB'], { stdio: 'ignore' }).once('exit', () => resolve()));
  const instanceEnv = {
    DATABASE_URL: primaryUrl,
    DATABASE_REPLICA_URL: replicaUrl,
    REDIS_URL: `redis://127.0.0.1:6379/${REDIS_DB}`,
    TRUST_PROXY: '127.0.0.1',
    CLIENT_DIR: join(tmpdir(), 'yzt-load-no-client'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'yzt-load-data-')),
    // the daily budgets are the public's protection, not what is measured here
    SITE_CHECK_DAILY_CHECKS: '1000000',
    SITE_CHECK_DAILY_AREA_KM2: '1000000',
  };
  const ports = [3941, 3942];
  const instances: (ChildServer | null)[] = await Promise.all(ports.map((p) => startServer(p, instanceEnv)));
  cleanup.push(async () => Promise.all(instances.map((s) => s?.stop())));
  const cacheDir = mkdtempSync(join(tmpdir(), 'yzt-load-nginx-'));
  const nginx = await startNginx({ listenPort: 3940, upstreams: ports, cacheDir });
  cleanup.push(async () => {
    await nginx.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  const BASE = 'http://127.0.0.1:3940';
  log('two instances behind nginx :3940');

  // ---- clients
  type Kind = 'tile' | 'search' | 'site-check' | 'features' | 'case-read' | 'decision';
  interface Sample {
    kind: Kind;
    at: number;
    ms: number;
    status: number;
    retryAfter: boolean;
  }
  const samples: Sample[] = [];
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  let stopping = false;

  const call = (agent: http.Agent, method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; body: string; retryAfter: boolean }>((resolve) => {
      const req = http.request(`${BASE}${path}`, { method, agent, headers: { 'accept-language': 'zh-CN', ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] !== undefined }));
        res.on('error', () => resolve({ status: 0, body: '', retryAfter: false }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0, body: '', retryAfter: false }));
      req.end(body);
    });
  const timedCall = async (kind: Kind, agent: http.Agent, method: string, path: string, headers: Record<string, string>, body?: string) => {
    const at = now();
    const t = performance.now();
    const r = await call(agent, method, path, headers, body);
    samples.push({ kind, at, ms: performance.now() - t, status: r.status, retryAfter: r.retryAfter });
    return r;
  };
  const signIn = async (agent: http.Agent, role: 'planner' | 'auditor', i: number) => {
    const username = `load-${role}-${i}`;
    const password = `Load-${role}-password-${i}`;
    await createUser(db, { username, role, password, displayName: `${role} ${i}` });
    const res = await new Promise<{ cookie: string; csrf: string }>((resolve, reject) => {
      const req = http.request(`${BASE}/api/session`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          if (r.statusCode !== 200) return reject(new Error(`sign-in ${r.statusCode}`));
          resolve({ cookie: (r.headers['set-cookie'] ?? []).find((c) => c.startsWith('yzt_session='))!.split(';')[0]!, csrf: JSON.parse(Buffer.concat(chunks).toString()).csrfToken });
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify({ username, password }));
    });
    return { cookie: res.cookie, 'x-csrf-token': res.csrf };
  };

  /** What each decision did: acknowledged (200), refused (4xx), or in doubt (no answer; read back at the end). */
  const decisions: { caseId: number; version: number; outcome: 'ok' | 'refused' | 'doubt' }[] = [];
  const kinds: Kind[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const share = i / CLIENTS;
    kinds.push(share < 0.4 ? 'tile' : share < 0.6 ? 'search' : share < 0.8 ? 'site-check' : share < 0.9 ? 'features' : 'decision');
  }
  const auditors = kinds.filter((k) => k === 'decision').length;
  const clients = kinds.map(async (kind, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4, localAddress: `127.0.1.${10 + i}` });
    const crng = new Rng(1000 + i);
    const headers = kind === 'features' ? await signIn(agent, 'planner', i) : kind === 'decision' ? await signIn(agent, 'auditor', i) : {};
    const myCases = caseIds.filter((_, j) => j % auditors === kinds.slice(0, i).filter((k) => k === 'decision').length);
    let next = 0;
    while (!stopping) {
      const [lon, lat] = stockPoints[crng.int(0, stockPoints.length - 1)]!;
      if (kind === 'tile') {
        const z = crng.int(12, 15);
        const [x, y] = tileOf(lon, lat, z);
        const layer = ['stock-parcel', 'urban-boundary', 'admin-county', 'township'][crng.int(0, 3)]!;
        await Promise.all([-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => timedCall('tile', agent, 'GET', `/tiles/${layer}/${z}/${x + dx}/${y + dy}.mvt`, headers))));
        await sleep(300);
      } else if (kind === 'search') {
        const use = PLANNED_USES[crng.int(0, PLANNED_USES.length - 1)];
        await timedCall('search', agent, 'GET', `/api/stock-parcels?use=${encodeURIComponent(use!)}&near=${lon.toFixed(5)},${lat.toFixed(5)}&sort=distance&pageSize=20`, headers);
        await sleep(300);
      } else if (kind === 'site-check') {
        const d = 0.0008 + crng.next() * 0.0015;
        const geometry = { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
        await timedCall('site-check', agent, 'POST', '/api/site-checks', headers, JSON.stringify({ geometry, name: `load ${i}`, use: PLANNED_USES[i % PLANNED_USES.length], stockFirst: { reason: 'location' } }));
        await sleep(500);
      } else if (kind === 'features') {
        const d = 0.004;
        await timedCall('features', agent, 'GET', `/api/layers/permanent-farmland/features?bbox=${(lon - d).toFixed(5)},${(lat - d).toFixed(5)},${(lon + d).toFixed(5)},${(lat + d).toFixed(5)}&limit=500`, headers);
        await sleep(300);
      } else {
        const caseId = myCases[next++ % Math.max(1, myCases.length)];
        if (caseId === undefined) break;
        const read = await timedCall('case-read', agent, 'GET', `/api/cases/${caseId}`, headers);
        if (read.status !== 200) {
          await sleep(500);
          continue;
        }
        const { version, status } = JSON.parse(read.body) as { version: number; status: string };
        if (status !== '待核查' && status !== '需实地核查') continue;
        const to = status === '待核查' ? '需实地核查' : '误报';
        const r = await timedCall('decision', agent, 'POST', `/api/cases/${caseId}/decisions`, headers, JSON.stringify({ version, status: to, comment: `负载测试 ${i}` }));
        decisions.push({ caseId, version, outcome: r.status === 200 ? 'ok' : r.status === 0 || r.status === 502 || r.status === 504 ? 'doubt' : 'refused' });
        await sleep(400);
      }
    }
    agent.destroy();
  });

  // ---- phases
  const phases: { name: string; from: number; to: number; cleanFrom?: number }[] = [];
  const phase = async (name: string, seconds: number, during?: (at: (s: number) => Promise<void>) => Promise<void>, cleanLastS?: number) => {
    const from = now();
    log(`phase: ${name} (${seconds} s)`);
    const at = async (s: number) => {
      const wait = from + s * 1000 - now();
      if (wait > 0) await sleep(wait);
    };
    await Promise.all([during?.(at), at(seconds)]);
    const to = now();
    phases.push({ name, from, to, ...(cleanLastS ? { cleanFrom: to - cleanLastS * 1000 } : {}) });
  };
  await sleep(10_000); // warm-up: sign-ins, first tiles, the catalogues
  samples.length = 0;
  await phase('steady', STEADY_S);
  if (!args.dry) {
    await phase('instance killed', FAULT_S, async (at) => {
      await at(5);
      instances[1]!.child.kill('SIGKILL');
      log('instance 2 killed');
      await at(20);
      instances[1] = await startServer(ports[1]!, instanceEnv);
      log('instance 2 started again');
    });
    await phase('replica stopped', FAULT_S, async (at) => {
      await at(5);
      await pair.replica.stop('fast');
      log('replica stopped');
      await at(20);
      await pair.replica.start();
      log('replica started again');
    });
    await phase(
      'primary restarted',
      FAULT_S,
      async (at) => {
        await at(5);
        await pair.primary.stop('fast');
        log('primary stopped');
        await at(15);
        await pair.primary.start();
        log('primary started again');
      },
      Math.max(5, FAULT_S - 25),
    );
  }
  stopping = true;
  await Promise.all(clients);

  // ---- every decision against the database
  await sleep(2000);
  const rows = await db.query<{ case_id: number; n: number }>('SELECT case_id, count(*)::int AS n FROM case_decision WHERE case_id = ANY($1::int[]) GROUP BY case_id', [[...new Set(decisions.map((d) => d.caseId))]]);
  const stored = new Map(rows.map((r) => [Number(r.case_id), Number(r.n)]));
  const byCase = new Map<number, typeof decisions>();
  for (const d of decisions) byCase.set(d.caseId, [...(byCase.get(d.caseId) ?? []), d]);
  let lost = 0;
  let doubled = 0;
  let doubtStored = 0;
  for (const [id, list] of byCase) {
    const ok = list.filter((d) => d.outcome === 'ok').length;
    const doubt = list.filter((d) => d.outcome === 'doubt').length;
    const n = stored.get(id) ?? 0;
    if (n < ok) lost += ok - n;
    if (n > ok + doubt) doubled += n - ok - doubt;
    doubtStored += Math.max(0, Math.min(doubt, n - ok));
    // a version is decided once: two stored decisions from the same version would be a double
    const versions = list.filter((d) => d.outcome !== 'refused').map((d) => d.version);
    if (new Set(versions).size !== versions.length && n > new Set(versions).size) doubled += 1;
  }

  // ---- report
  const inPhase = (p: (typeof phases)[number], from = p.from) => samples.filter((s) => s.at >= from && s.at < p.to);
  const isError = (s: Sample) => s.status === 0 || s.status >= 500 || s.status === 429;
  const table = phases.map((p) => {
    const xs = inPhase(p);
    const errs = xs.filter(isError);
    const with503 = errs.filter((s) => s.status === 503 && s.retryAfter).length;
    const clean = p.cleanFrom === undefined ? '' : ` (last ${((p.to - p.cleanFrom) / 1000).toFixed(0)} s: ${inPhase(p, p.cleanFrom).filter(isError).length} errors)`;
    const ms = xs.map((s) => s.ms);
    const byStatus = new Map<string, number>();
    for (const e of errs) byStatus.set(`${e.kind} ${e.status || 'none'}`, (byStatus.get(`${e.kind} ${e.status || 'none'}`) ?? 0) + 1);
    const which = [...byStatus].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ') || '—';
    return `| ${p.name} | ${xs.length.toLocaleString('en')} | ${(xs.length / ((p.to - p.from) / 1000)).toFixed(0)} | ${errs.length}${clean} | ${with503} | ${which} | ${fmtMs(percentile(ms, 50))} | ${fmtMs(percentile(ms, 95))} | ${fmtMs(percentile(ms, 99))} |`;
  });
  const steady = phases[0]!;
  const byKind = (['tile', 'search', 'site-check', 'features', 'case-read', 'decision'] as Kind[]).map((k) => {
    const xs = inPhase(steady).filter((s) => s.kind === k);
    const ms = xs.map((s) => s.ms);
    return `| ${k} | ${xs.length.toLocaleString('en')} | ${xs.filter(isError).length} | ${fmtMs(percentile(ms, 50))} | ${fmtMs(percentile(ms, 95))} | ${fmtMs(percentile(ms, 99))} |`;
  });
  const summary = {
    ok: decisions.filter((d) => d.outcome === 'ok').length,
    refused: decisions.filter((d) => d.outcome === 'refused').length,
    doubt: decisions.filter((d) => d.outcome === 'doubt').length,
  };
  const md = `## The deployment under load and faults (\`npm run bench:load\`)

Machine: ${machine()} — everything below on it at once. Run ${new Date().toISOString().slice(0, 10)}.
Setup: a PostgreSQL 15 + PostGIS primary of the benchmark's own holding the ${SCALE} dataset and its streaming
replica (pg_basebackup -R); Redis for the rate limits; 2 app instances (\`npm start\`, DATABASE_URL +
DATABASE_REPLICA_URL + REDIS_URL) behind nginx (bench/lib/nginx.ts); ${CLIENTS} clients, each from its own
loopback address with keep-alive connections: ${kinds.filter((k) => k === 'tile').length} map viewers (3 × 3 public tiles at z 12–15, 300 ms apart),
${kinds.filter((k) => k === 'search').length} stock searches, ${kinds.filter((k) => k === 'site-check').length} public site checks, ${kinds.filter((k) => k === 'features').length} planners reading farmland features,
${auditors} auditors deciding cases (read, then decide with the version).

An error is no answer, a 5xx or a 429. "503 + Retry-After" counts the answers that told the client when
to come back (the primary's outage).

| phase | requests | req/s | errors | of them 503 + Retry-After | errors by request and status | p50 | p95 | p99 |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

Steady phase by kind:

| kind | requests | errors | p50 | p95 | p99 |
|---|---|---|---|---|---|
${byKind.join('\n')}

Decisions: ${summary.ok} acknowledged, ${summary.refused} refused (409: the case changed since it was read),
${summary.doubt} in doubt (the answer was lost: the instance died or the database went away), of which
${doubtStored} were found stored. Checked against the database afterwards: **${lost} acknowledged decisions
lost, ${doubled} doubled**.
`;
  console.log(md);
  if (!args.dry) writeSection('load', md);
} finally {
  await shutdown();
}
