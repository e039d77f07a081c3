/**
 * `npm run bench:startup [-- --runs N]`: time from `npm start` to a healthy
 * `/api/health` on the embedded database — first start (empty DATA_DIR:
 * create, migrate, generate and load the demo dataset) and warm start
 * (reusing the stored data). The client is built beforehand so its build
 * time is not counted. Results go to docs/PERFORMANCE.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ensureClientBuilt } from '../server/src/client-build.ts';
import { fmtS, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

async function startOnce(dataDir: string, port: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - t0;
      if (performance.now() - t0 > 300_000) throw new Error('server did not become healthy within 5 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

await ensureClientBuilt(process.cwd(), join(process.cwd(), 'dist/client'), console.log);
const first: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'yzt-bench-start-'));
  try {
    first.push(await startOnce(dir, 3900 + i));
    console.log(`first start #${i + 1}: ${fmtS(first.at(-1)!)}`);
    for (let k = 0; k < 2; k++) {
      warm.push(await startOnce(dir, 3950 + i * 2 + k));
      console.log(`warm start: ${fmtS(warm.at(-1)!)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const row = (name: string, xs: number[]) => `| ${name} | ${xs.length} | ${fmtS(median(xs))} | ${fmtS(percentile(xs, 95))} |`;
writeSection(
  'startup',
  `## Start-up on the embedded database (\`npm run bench:startup\`)

Machine: ${machine()}. Dataset: demo (seed 20261122). Time from spawning the server to the first
healthy \`GET /api/health\`, client already built. Run ${new Date().toISOString().slice(0, 10)}.

| start | runs | median | p95 |
|---|---|---|---|
${row('first start (empty DATA_DIR: PGlite init, PostGIS, migrations, demo dataset)', first)}
${row('warm start (stored data reused)', warm)}

No raw-database ratio here: start-up is dominated by PGlite's own initialisation (initdb and loading
the PostGIS extension into the WebAssembly instance), which is the floor for this backend.`,
);
console.log('written to docs/PERFORMANCE.md');
