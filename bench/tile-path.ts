/**
 * `npm run bench:tile-path`: the cached-tile path of one instance against bare node:http.
 *
 * Needs the city dataset on PostGIS (BENCH_DATABASE_URL, else DATABASE_URL). The app is started
 * on it (as `npm start` builds it, logging at `warn`), one public tile of about 15 KB is warmed
 * into the tile cache, and `wrk` hammers it (50 connections, kept alive, loopback, no cookie —
 * the public). A bare node:http server in the same process answers the same bytes with the same
 * headers, and is hammered the same way. Rounds alternate between the two, so both see the same
 * machine; req/s are per round, latencies wrk's. Results go to docs/PERFORMANCE.md.
 *
 * `--rounds N` (default 5), `--seconds S` per round (default 5), `--redis URL` to count the rate
 * limit in Redis (as REDIS_URL does for `npm start`), `--label` for the section's name suffix.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { layers } from '../core/layers.ts';
import { buildApp } from '../server/src/app.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { openCityDatabase } from './lib/city-db.ts';
import { machine, median, percentile, writeSection } from './lib/report.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    redis: { type: 'string' },
    label: { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const { db, seed } = await openCityDatabase();
// the limit raised out of wrk's way; it is still counted on every request
const app = await buildApp({ db, logger: { level: 'warn' }, rateLimitPerMinute: { public: 1e9 }, ...(values.redis ? { redisUrl: values.redis } : {}) });
const base = await app.listen({ port: 0, host: '127.0.0.1' });

// the public tile nearest 14.6 KB among blocks of z12–z14 tiles over the central city
const TARGET = 14.6 * 1024;
let best: { url: string; bytes: number } | null = null;
for (let z = 12; z <= 14; z++) {
  const centre = lonLatToTile(114.34, 34.79, z);
  for (const layer of layers.filter((l) => l.sensitivity === 'public' && l.minZoom <= z)) {
    for (let d = 0; d < 25; d++) {
      const url = `/tiles/${layer.id}/${z}/${centre.x + (d % 5) - 2}/${centre.y + Math.floor(d / 5) - 2}.mvt`;
      const res = await app.inject({ method: 'GET', url });
      if (res.statusCode !== 200) continue;
      const bytes = res.rawPayload.length;
      if (!best || Math.abs(bytes - TARGET) < Math.abs(best.bytes - TARGET)) best = { url, bytes };
    }
  }
}
if (!best) throw new Error('no public tile with features around the centre');
const warm = await fetch(base + best.url);
const body = Buffer.from(await warm.arrayBuffer());
if (warm.headers.get('x-cache') !== 'hit') throw new Error(`tile not cached: x-cache ${warm.headers.get('x-cache')}`);
// the same headers as the app's answer, less those node:http writes itself
const headers: Record<string, string> = {};
warm.headers.forEach((v, k) => {
  if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
});
console.log(`tile ${best.url}: ${body.length} bytes, ${Object.keys(headers).length} headers`);

const bare = http.createServer((_req, res) => {
  res.writeHead(200, { ...headers, 'content-length': body.length });
  res.end(body);
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareBase = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;

const dir = mkdtempSync(join(tmpdir(), 'yzt-tile-path-'));
const script = join(dir, 'report.lua');
writeFileSync(
  script,
  `done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\":%d,\\"seconds\\":%f,\\"non2xx\\":%d,\\"errors\\":%d,\\"p50\\":%f,\\"p95\\":%f,\\"p99\\":%f}\\n",
    summary.requests, summary.duration / 1e6, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
`,
);

interface Round {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}
async function wrk(url: string): Promise<Round> {
  const { stdout } = await run('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '-s', script, url], { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('JSON '));
  if (!line) throw new Error(`wrk said: ${stdout}`);
  const r = JSON.parse(line.slice(5)) as { requests: number; seconds: number; non2xx: number; errors: number; p50: number; p95: number; p99: number };
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} socket errors`);
  return { rps: r.requests / r.seconds, p50: r.p50, p95: r.p95, p99: r.p99 };
}

// a short warm-up of both (JIT), not counted
await wrk(base + best.url);
await wrk(bareBase + '/t.mvt');
const appRounds: Round[] = [];
const bareRounds: Round[] = [];
for (let i = 0; i < rounds; i++) {
  const order = i % 2 ? ['bare', 'app'] : ['app', 'bare'];
  for (const which of order) {
    const r = which === 'app' ? await wrk(base + best.url) : await wrk(bareBase + '/t.mvt');
    (which === 'app' ? appRounds : bareRounds).push(r);
    console.log(`round ${i + 1} ${which}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`);
  }
}
const check = await fetch(base + best.url);
const stillCached = check.headers.get('x-cache') === 'hit';
await new Promise<void>((r) => bare.close(() => r()));
await app.close();
await db.close();
rmSync(dir, { recursive: true, force: true });

const ratios = appRounds.map((a, i) => a.rps / bareRounds[i]!.rps);
const row = (name: string, rs: Round[]) =>
  `| ${name} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${percentile(rs.map((r) => -r.rps), 95) * -1 | 0} | ${median(rs.map((r) => r.p50)).toFixed(2)} ms | ${median(rs.map((r) => r.p95)).toFixed(2)} ms | ${median(rs.map((r) => r.p99)).toFixed(2)} ms |`;
const appRps = median(appRounds.map((r) => r.rps));
const ratio = median(ratios);
const summary = `app ${appRps.toFixed(0)} req/s, bare ${median(bareRounds.map((r) => r.rps)).toFixed(0)} req/s, ratio ${ratio.toFixed(2)} (goal ≥ 10 000 and ≥ 0.40)`;
console.log(summary);
if (!stillCached) console.error('the tile was no longer a cache hit at the end');
if (!values['no-write']) {
  writeSection(
    `tile-path${values.label ? `-${values.label}` : ''}`,
    `## The cached-tile path of one instance (\`npm run bench:tile-path${values.redis ? ' -- --redis …' : ''}\`)

Machine: ${machine()}; shared with other work, so absolute figures move between runs — the
ratio is measured side by side. Dataset: the city (seed ${seed}) on PostGIS, loopback. Run
${new Date().toISOString().slice(0, 10)}; rate limit counted ${values.redis ? 'in Redis' : 'in memory'}.

One public tile, \`${best.url}\` (${(body.length / 1024).toFixed(1)} KB), warm in the tile cache,
fetched by \`wrk -t2 -c${connections} -d${seconds}s\` without a cookie (the public: session lookup,
rate limit (raised to 10⁹ a minute, still counted), access check, security headers and cache policy all run). Yardstick: a bare
\`node:http\` server in the same process answering the same bytes with the same
${Object.keys(headers).length} headers. ${rounds} rounds, alternating which goes first.

| server | req/s (median of rounds) | req/s (p95 low) | latency p50 | latency p95 | latency p99 |
|---|---|---|---|---|---|
${row('app (`GET /tiles/…`)', appRounds)}
${row('bare node:http', bareRounds)}

App/bare ratio (median of the rounds' ratios): **${ratio.toFixed(2)}** (goal ≥ 0.40); app
**${appRps.toFixed(0)} req/s** (goal ≥ 10 000).`,
  );
}
