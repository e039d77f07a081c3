/**
 * `npm run bench:site-check-load`: public site checks under load, on PostGIS at city scale.
 *
 * Needs a PostGIS database holding the city dataset (BENCH_DATABASE_URL, else DATABASE_URL).
 * The server runs in a child process (as `npm start`), so the load generator does not share its
 * event loop; a probe loaded into it (bench/lib/loop-probe.mjs) measures its event-loop delay
 * and CPU time during the run. `--clients` (50) concurrent clients, each from its own loopback
 * address (127.0.0.x, so the per-address rate limit and daily budget are each client's own; the
 * daily budgets are raised through the environment so that they are not what is measured),
 * post public site checks (`POST /api/site-checks`, not signed in) one after another for
 * `--seconds` (45): squares of 1–10 ha at places drawn with a fixed seed across the city — half
 * on stock parcels, half on permanent-farmland fields —, a planned use in turn, 区位不符 as the
 * stock-first reason (it stands whatever the match finds).
 *
 * With `--before DIR` (a checkout of the code to compare with, its node_modules resolvable) the
 * same load runs first against that checkout's server, then against this one's: the yardstick
 * in the same run. Results go to docs/PERFORMANCE.md. Each check files a (public, lapsing) report.
 */
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '../seeds/lib/rng.ts';
import { PLANNED_USES } from '../core/stock-match.ts';
import { beijingToday } from '../core/beijing-time.ts';
import { openCityDatabase } from './lib/city-db.ts';
import { fmtMB, memoryOf } from './lib/proc.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';
import { startServer, type ChildServer } from './lib/server.ts';
import { StockCatalogue } from '../server/src/modules/stock/catalogue.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '45' },
    warmup: { type: 'string', default: '10' },
    places: { type: 'string', default: '600' },
    before: { type: 'string' },
    port: { type: 'string', default: '3931' },
    dry: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const WARMUP_S = Number(args.warmup);
const PLACES = Number(args.places);
const PORT = Number(args.port);

const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL!;
const { db, seed } = await openCityDatabase();
const [{ parcels = 0 } = {}] = await db.query<{ parcels: number }>('SELECT count(*)::int AS parcels FROM stock_parcel');

// ---- places across the city: half on stock parcels, half on permanent-farmland fields
const rng = new Rng(20261203);
const places: [number, number][] = [];
for (const table of ['stock_parcel', 'permanent_farmland']) {
  const [{ max = 0 } = {}] = await db.query<{ max: number }>(`SELECT max(id)::int AS max FROM ${table}`);
  const ids = Array.from({ length: PLACES / 2 }, () => rng.int(1, max));
  const rows = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM ${table} WHERE id = ANY($1::int[])) t`,
    [ids],
  );
  places.push(...rows.map((r) => [Number(r.x), Number(r.y)] as [number, number]));
}
// interleaved, in a fixed order
places.sort((a, b) => Math.sin(a[0] * 7919 + a[1] * 104_729) - Math.sin(b[0] * 7919 + b[1] * 104_729));
const bodies = places.map(([cx, cy], i) => {
  const side = Math.sqrt(10_000 + ((i * 37) % 10) * 10_000); // 1–10 ha
  const dx = side / 2 / 91_700;
  const dy = side / 2 / 110_925;
  return JSON.stringify({
    geometry: { type: 'Polygon', coordinates: [[[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy], [cx - dx, cy - dy]]] },
    name: `bench load ${i}`,
    use: PLANNED_USES[i % PLANNED_USES.length],
    stockFirst: { reason: 'location' },
  });
});

// ---- the index's memory: the worker's heap before and after it holds the city's parcels
const catalogue = new StockCatalogue(db);
const idle = await catalogue.indexWorker.run({ op: 'memory' });
const tLoad = performance.now();
const held = await catalogue.indexMemory();
const loadMs = performance.now() - tLoad;
await catalogue.close();
const indexBytes = held.heapUsed - idle.heapUsed;
const perParcel = indexBytes / held.parcels;
console.log(`index: ${held.parcels} parcels, worker heap ${fmtMB(idle.heapUsed)} → ${fmtMB(held.heapUsed)} (${Math.round(perParcel)} B a parcel), loaded in ${fmtMs(loadMs)}`);
await db.close();

/** CPU seconds (user + system) from /proc: a thread's, or every process named `comm`'s. */
const ticks = Number(process.env.CLK_TCK ?? 100);
const cpuOfStat = (stat: string) => {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / ticks;
};
function threadCpu(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = cpuOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      if (Number(tid) === pid) main += s;
      else others += s;
    } catch {
      // a thread that ended meanwhile
    }
  }
  return { main, others };
}
function processesCpu(comm: string): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === comm) sum += cpuOfStat(stat);
    } catch {
      // gone
    }
  }
  return sum;
}

interface Probe {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  cpuShare: number;
}
const ask = (server: ChildServer, m: 'reset' | 'read'): Promise<Probe> =>
  new Promise((res) => {
    server.child.once('message', (x) => res(x as Probe));
    server.child.send(m);
  });

interface Run {
  label: string;
  n: number;
  rps: number;
  ms: number[];
  errors: Map<string, number>;
  loop: Probe;
  rssAfter: number;
  /** CPU ms per check: the server's event-loop thread, its other threads, every postgres process. */
  cpuPerCheck: { main: number; others: number; postgres: number };
}

async function runAgainst(label: string, cwd: string): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'yzt-load-'));
  const server = await startServer(
    PORT,
    {
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      CLIENT_DIR: join(dataDir, 'no-client'),
      // the daily budgets are not what is measured (each client has its own address besides)
      SITE_CHECK_DAILY_AREA_KM2: '1000000',
      SITE_CHECK_DAILY_CHECKS: '10000000',
    },
    // BENCH_SERVER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to see where the server's time goes
    { cwd, imports: [new URL('./lib/loop-probe.mjs', import.meta.url).href], ipc: true, nodeArgs: process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) },
  );
  try {
    const agents = Array.from({ length: CLIENTS }, (_, i) => new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.0.${10 + i}` }));
    let next = 0;
    const post = (c: number): Promise<{ status: number; ms: number; code?: string }> => {
      const body = bodies[next++ % bodies.length]!;
      return new Promise((res, rej) => {
        const t0 = performance.now();
        const req = http.request(
          `${server.base}/api/site-checks`,
          { method: 'POST', agent: agents[c], headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'accept-language': 'zh-CN' } },
          (r) => {
            const chunks: Buffer[] = [];
            r.on('data', (d: Buffer) => chunks.push(d));
            r.on('end', () => {
              const ms = performance.now() - t0;
              const status = r.statusCode ?? 0;
              let code: string | undefined;
              if (status !== 201) code = (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { error?: { code?: string } }).error?.code;
              res({ status, ms, code });
            });
          },
        );
        req.on('error', rej);
        req.end(body);
      });
    };
    // warm: the catalogue is loaded and PostgreSQL's buffers filled, by every client for a while
    const loop = async (until: number, out?: { ms: number[]; errors: Map<string, number> }, c = 0) => {
      while (performance.now() < until) {
        const r = await post(c).catch((e: Error) => ({ status: 0, ms: 0, code: e.message }));
        if (!out) continue;
        if (r.status === 201) out.ms.push(r.ms);
        else {
          const key = `${r.status} ${r.code ?? ''}`.trim();
          out.errors.set(key, (out.errors.get(key) ?? 0) + 1);
        }
      }
    };
    const first = await post(0);
    if (first.status !== 201) throw new Error(`${label}: warm-up check answered ${first.status} ${first.code}`);
    const w = performance.now() + WARMUP_S * 1000;
    await Promise.all(agents.map((_, c) => loop(w, undefined, c)));
    const out = { ms: [] as number[], errors: new Map<string, number>() };
    await ask(server, 'reset');
    const cpu0 = threadCpu(server.pid);
    const pg0 = processesCpu('postgres');
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    await Promise.all(agents.map((_, c) => loop(end, out, c)));
    const elapsed = (performance.now() - t0) / 1000;
    const probe = await ask(server, 'read');
    const cpu1 = threadCpu(server.pid);
    const pg1 = processesCpu('postgres');
    const n = Math.max(1, out.ms.length);
    const cpuPerCheck = { main: ((cpu1.main - cpu0.main) * 1000) / n, others: ((cpu1.others - cpu0.others) * 1000) / n, postgres: ((pg1 - pg0) * 1000) / n };
    const run: Run = { label, n: out.ms.length, rps: out.ms.length / elapsed, ms: out.ms, errors: out.errors, loop: probe, rssAfter: memoryOf(server.pid).rss, cpuPerCheck };
    for (const a of agents) a.destroy();
    console.log(
      `${label}: ${run.n} checks (${run.rps.toFixed(1)}/s), median ${fmtMs(median(run.ms))}, p95 ${fmtMs(percentile(run.ms, 95))}, p99 ${fmtMs(percentile(run.ms, 99))}; ` +
        `errors ${[...run.errors].map(([k, v]) => `${k}×${v}`).join(', ') || 'none'}; event-loop delay p99 ${fmtMs(probe.p99)}, max ${fmtMs(probe.max)}; CPU ${(probe.cpuShare * 100).toFixed(0)} % of a core; CPU per check: event loop ${cpuPerCheck.main.toFixed(1)} ms, other threads ${cpuPerCheck.others.toFixed(1)} ms, postgres ${cpuPerCheck.postgres.toFixed(1)} ms; RSS ${fmtMB(run.rssAfter)}`,
    );
    return run;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
if (args.before) runs.push(await runAgainst('before', resolve(args.before)));
runs.push(await runAgainst('after', process.cwd()));

const row = (r: Run) =>
  `| ${r.label} | ${r.n} | ${r.rps.toFixed(1)} | ${fmtMs(median(r.ms))} | **${fmtMs(percentile(r.ms, 95))}** | ${fmtMs(percentile(r.ms, 99))} | ${[...r.errors].map(([k, v]) => `${v} × ${k}`).join(', ') || '0'} | ${fmtMs(r.loop.p50)} | **${fmtMs(r.loop.p99)}** | ${fmtMs(r.loop.max)} | ${r.cpuPerCheck.main.toFixed(1)} / ${r.cpuPerCheck.others.toFixed(1)} / ${r.cpuPerCheck.postgres.toFixed(1)} ms | ${fmtMB(r.rssAfter)} |`;
const before = runs.find((r) => r.label === 'before');
const after = runs.at(-1)!;
const ratio = before ? `p95 after ÷ before: **${(percentile(after.ms, 95) / percentile(before.ms, 95)).toFixed(2)}**; event-loop delay p99 after ÷ before: **${(after.loop.p99 / before.loop.p99).toFixed(2)}**.` : '';
if (!args.dry) {
  writeSection(
    'site-check-load',
    `## Public site checks under load on PostGIS at city scale (\`npm run bench:site-check-load\`)

${machine()} Database: PostgreSQL + PostGIS on the same machine (loopback), city dataset
(seed ${seed}, ${parcels.toLocaleString('en')} stock parcels). Run ${beijingToday()}.

The server in a child process (as \`npm start\`); ${CLIENTS} concurrent clients, each from its own loopback address,
each posting public site checks (not signed in) one after the other — ${bodies.length} squares of 1–10 ha at places
drawn with a fixed seed across the city (half on stock parcels, half on permanent-farmland fields), the six planned
uses in turn, so every check runs the stock-first match within ${10} km — for ${SECONDS} s after ${WARMUP_S} s of the same load
as warm-up. The daily budgets are raised through the environment (they are charged as usual).
Event-loop delay and CPU are the server process's own, measured inside it (\`monitorEventLoopDelay\`, 10 ms
resolution) over the measured ${SECONDS} s. CPU per check, from /proc over the same ${SECONDS} s: the server's event-loop thread, its
other threads (the stock-land index worker, the parse workers, libuv's and V8's threads), and every \`postgres\` process on
the machine (other databases' work included) — divided by the checks answered.
*before*: the code before the stock-land catalogue's worker; *after*: this code.

| code | checks | per s | median | p95 | p99 | errors | loop delay p50 | loop delay p99 | loop delay max | CPU per check: event loop / other threads / postgres | server RSS after |
|---|---|---|---|---|---|---|---|---|---|---|---|
${runs.map(row).join('\n')}

Goal: p95 ≤ 300 ms at ${CLIENTS} clients, the event loop not held by the ranking. ${ratio}

**The index's memory** (this code): the index worker's V8 heap after a full collection is ${fmtMB(idle.heapUsed)} before the
index and ${fmtMB(held.heapUsed)} holding the city's ${held.parcels.toLocaleString('en')} served parcels and their adjacency —
${fmtMB(indexBytes)}, ${Math.round(perParcel)} bytes a parcel (loaded, from the database to the worker, in ${fmtMs(loadMs)}); linearly,
**~${fmtMB(perParcel * 1_000_000)} for 1 000 000 parcels**, held once, in the worker only (before, the same objects were on the
event loop's heap).
`,
  );
}
