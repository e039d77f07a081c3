/**
 * `npm run bench:hostile-uploads [-- --rounds N]`: whether hostile uploads stall the server.
 *
 * Starts the real server (`node --import tsx server/src/main.ts`, embedded database with the demo
 * dataset; BENCH_DATA_DIR reuses a data directory between runs, else a fresh one is seeded) and,
 * after it has settled, sends at once, N rounds:
 * - POST /api/geometry/parse (the public): a 1.1 MB zip inflating to a 1.1 GB `.shp`;
 * - POST /api/cases/import (signed in): a 20 KB zip whose `.shp` header is followed by 20 MB of zeros;
 * - POST /api/admin/layers/permanent-farmland/imports (admin): a GeoPackage whose feature table is a
 *   recursive view of 3 M rows;
 * - POST /api/site-checks (the public): a site of 49 000 vertices;
 * while `GET /api/health` is asked every ~10 ms from a thread of its own. Reports the health latency during the bursts
 * (p50/p95/p99), each upload's status and time to its answer, and the server's resident memory
 * (idle, peak, 15 s after the last burst). The files are made by tests/fixtures/hostile/make_bounds.py
 * (python3, ogr2ogr). Results go to docs/PERFORMANCE.md.
 */
import { spawn, execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, write: { type: 'boolean', default: true }, label: { type: 'string', default: 'after' } } });
const rounds = Number(values.rounds);
const PORT = 3987;
const BASE = `http://127.0.0.1:${PORT}`;
const ADMIN = { username: 'bench-admin', password: 'Bench-hostile-2026' };
const FIXTURES = join(process.cwd(), 'tests/fixtures/hostile');

// ---- the files
const issueDir = mkdtempSync(join(tmpdir(), 'yzt-hostile-'));
execFileSync('python3', [join(FIXTURES, 'make_bounds.py'), '--issue', issueDir], { stdio: 'inherit' });
const files = {
  bomb: readFileSync(join(issueDir, 'zip-bomb-shp.zip')),
  zeros: readFileSync(join(issueDir, 'shp-zeros-after-header.zip')),
  gpkg: readFileSync(join(FIXTURES, 'gpkg-recursive-view.gpkg')),
  site: readFileSync(join(FIXTURES, 'site-49000-vertices.json')),
};
rmSync(issueDir, { recursive: true, force: true });

// ---- the server
const ownDataDir = !process.env.BENCH_DATA_DIR;
const dataDir = process.env.BENCH_DATA_DIR || mkdtempSync(join(tmpdir(), 'yzt-bench-hostile-'));
const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
  env: {
    ...process.env,
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    CLIENT_DIR: join(dataDir, 'no-client'),
    YZT_ADMIN_USERNAME: ADMIN.username,
    YZT_ADMIN_PASSWORD: ADMIN.password,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stopServer = async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
};
process.on('SIGINT', () => void stopServer().then(() => process.exit(130)));

/** Resident memory of the server process, MB. */
function rssMb(): number {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    if (await fetch(`${BASE}/api/health`).then((r) => r.ok, () => false)) return;
    if (performance.now() - t0 > 600_000) throw new Error('server not healthy within 10 minutes');
    await sleep(200);
  }
}

function multipart(fileName: string, bytes: Uint8Array): { body: Buffer; type: string } {
  const boundary = '----yzt-bench-hostile';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** Polls GET /api/health every ~10 ms from a worker thread until `stop()`; latencies in ms. */
function healthPoller(): { stop: () => Promise<{ ms: number[]; failed: number }> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let done = false; const ms = []; let failed = 0;
     parentPort.on('message', () => { done = true; });
     (async () => {
       while (!done) {
         const t = performance.now();
         const ok = await fetch(workerData + '/api/health', { signal: AbortSignal.timeout(60000) }).then((r) => r.ok, () => false);
         ms.push(performance.now() - t);
         if (!ok) failed++;
         await new Promise((r) => setTimeout(r, 10));
       }
       parentPort.postMessage({ ms, failed });
     })();`,
    { eval: true, workerData: BASE },
  );
  return {
    stop: () =>
      new Promise((resolve) => {
        worker.once('message', (m: { ms: number[]; failed: number }) => void worker.terminate().then(() => resolve(m)));
        worker.postMessage('stop');
      }),
  };
}

interface Answer {
  name: string;
  status: number;
  ms: number;
  message: string;
}

async function send(name: string, url: string, init: { body: Buffer; type: string; headers?: Record<string, string> }): Promise<Answer> {
  const t = performance.now();
  try {
    const res = await fetch(BASE + url, {
      method: 'POST',
      body: new Uint8Array(init.body),
      headers: { 'content-type': init.type, 'accept-language': 'zh-CN', ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(180_000),
    });
    const text = await res.text();
    let message = text.slice(0, 160);
    try {
      message = (JSON.parse(text) as { error?: { code: string; message: string } }).error?.message ?? message;
    } catch {
      /* not JSON */
    }
    if (res.status < 300) message = `accepted (${res.status})`;
    return { name, status: res.status, ms: performance.now() - t, message };
  } catch (e) {
    return { name, status: 0, ms: performance.now() - t, message: (e as Error).message };
  }
}

try {
  await waitHealthy();
  const signIn = await fetch(`${BASE}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('yzt_session='))!.split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const admin = { cookie, 'x-csrf-token': csrfToken };

  // warm: one ordinary parse (loads the parsers), then let the server settle
  const small = readFileSync(join(process.cwd(), 'tests/fixtures/parse/shapefile-utf8-4490.zip'));
  const warm = await send('warm-up', '/api/geometry/parse', multipart('site.zip', small));
  if (warm.status !== 200) throw new Error(`warm-up parse answered ${warm.status}: ${warm.message}`);
  await sleep(15_000);
  const idle = rssMb();
  console.log(`idle RSS ${idle.toFixed(0)} MB`);

  // the same polling with nothing else going on, for comparison
  const quiet: number[] = [];
  for (const t0 = performance.now(); performance.now() - t0 < 3_000; ) {
    const t = performance.now();
    await fetch(`${BASE}/api/health`);
    quiet.push(performance.now() - t);
    await sleep(10);
  }
  console.log(`health, quiet: p50 ${fmtMs(median(quiet))} p99 ${fmtMs(percentile(quiet, 99))}`);

  const health: number[] = [];
  let healthFailed = 0;
  const answers: Answer[] = [];
  let peak = idle;
  for (let round = 0; round < rounds; round++) {
    // the poller runs in a thread of its own, so the bench's own work (building and sending the
    // uploads, reading the answers) cannot delay it: what it measures is the server's answer
    const poll = healthPoller();
    const rss = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
    const burst = await Promise.all([
      send('zip bomb (1.1 MB → 1.1 GB .shp), POST /api/geometry/parse, public', '/api/geometry/parse', multipart('bomb.zip', files.bomb)),
      send('.shp header + 20 MB of zeros (20 KB zip), POST /api/cases/import, admin', '/api/cases/import', { ...multipart('zeros.zip', files.zeros), headers: admin }),
      send('GeoPackage, recursive view of 3 M rows, POST /api/admin/layers/…/imports, admin', '/api/admin/layers/permanent-farmland/imports', {
        ...multipart('view.gpkg', files.gpkg),
        headers: admin,
      }),
      send('site of 49 000 vertices, POST /api/site-checks, public', '/api/site-checks', { body: files.site, type: 'application/json' }),
    ]);
    const polled = await poll.stop();
    health.push(...polled.ms);
    healthFailed += polled.failed;
    clearInterval(rss);
    peak = Math.max(peak, rssMb());
    answers.push(...burst);
    for (const a of burst) console.log(`round ${round + 1}: ${a.status} in ${fmtMs(a.ms)} — ${a.name}: ${a.message}`);
    await sleep(2_000);
  }
  await sleep(15_000);
  const after = rssMb();
  console.log(`health during bursts: n=${health.length} p50 ${fmtMs(median(health))} p95 ${fmtMs(percentile(health, 95))} p99 ${fmtMs(percentile(health, 99))} max ${fmtMs(Math.max(...health))}, failed ${healthFailed}`);
  console.log(`RSS idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${after.toFixed(0)} MB`);

  const names = [...new Set(answers.map((a) => a.name))];
  const rows = names.map((n) => {
    const of = answers.filter((a) => a.name === n);
    const statuses = [...new Set(of.map((a) => a.status))].join(', ');
    return `| ${n} | ${statuses} | ${fmtMs(median(of.map((a) => a.ms)))} | ${fmtMs(Math.max(...of.map((a) => a.ms)))} | ${of[0]!.message.replace(/\|/g, '\\|')} |`;
  });
  const p99 = percentile(health, 99);
  const slowest = Math.max(...answers.map((a) => a.ms));
  const refused = answers.every((a) => a.status >= 400 && a.status < 500);
  const within = after <= idle * 1.25;
  const section = `## Hostile uploads: the event loop and memory (\`npm run bench:hostile-uploads\`) — ${values.label}

Machine: ${machine()}. Embedded database (PGlite), demo dataset. Run ${new Date().toISOString().slice(0, 10)}.
${rounds} rounds; in each, four hostile requests sent at once (files from \`tests/fixtures/hostile/make_bounds.py\`) while
\`GET /api/health\` is asked every ~10 ms from a worker thread of the bench (so building and sending the uploads cannot delay the poller); resident memory of the server process from \`/proc\`.

| request | status | median time to answer | slowest | message |
|---|---|---|---|---|
${rows.join('\n')}

\`/api/health\` during the bursts: ${health.length} requests, p50 **${fmtMs(median(health))}**, p95 **${fmtMs(percentile(health, 95))}**,
p99 **${fmtMs(p99)}**, max ${fmtMs(Math.max(...health))}, ${healthFailed} failed (goal: p99 ≤ 100 ms — ${p99 <= 100 ? 'met' : 'not met'});
with nothing else going on, p50 ${fmtMs(median(quiet))}, p99 ${fmtMs(percentile(quiet, 99))}.
Slowest hostile request answered in ${fmtMs(slowest)}, ${refused ? 'every one refused with a 4xx' : 'NOT every one refused with a 4xx'} (goal ≤ 5 s — ${slowest <= 5000 && refused ? 'met' : 'not met'}).
Resident memory: idle **${idle.toFixed(0)} MB**, peak **${peak.toFixed(0)} MB**, 15 s after the last burst **${after.toFixed(0)} MB**
(${((after / idle - 1) * 100).toFixed(0)} % over idle; goal ≤ 25 % — ${within ? 'met' : 'not met'}).`;
  if (values.write) {
    // the current code's figures in `hostile-uploads`; `--label before` keeps a run of older code beside them
    writeSection(values.label === 'after' ? 'hostile-uploads' : `hostile-uploads-${values.label}`, section);
    console.log('written to docs/PERFORMANCE.md');
  } else console.log(section);
} finally {
  await stopServer();
}
