/**
 * `npm run bench:replica`: what reading through the replica routing costs on the tile path.
 *
 * Needs the PostgreSQL binaries (tests/helpers/pg-cluster.ts) and a seeded PostGIS database to
 * copy the counties and stock land from (BENCH_DATABASE_URL, else DATABASE_URL). Makes a
 * primary of its own and a streaming replica of it, and serves the same stock-land tiles from
 * two apps in the same run: the yardstick reads the primary alone (no DATABASE_REPLICA_URL);
 * the other routes its reads to the replica (req.reader, the background check). Over HTTP on
 * loopback:
 * - cold: each tile once per app (built from its server; both servers' buffers warmed by an
 *   earlier pass through apps of their own), one kept-alive connection, alternating which app
 *   goes first;
 * - cached: the same tiles again (the tile cache answers: the per-request routing alone);
 * - throughput: cached tiles from 8 kept-alive connections for a fixed number of requests.
 * Results go to docs/PERFORMANCE.md.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/src/app.ts';
import { openPostgis, type Database } from '../server/src/db/database.ts';
import { openReplica, type ReadRouting } from '../server/src/db/replica.ts';
import { lonLatToTile } from '../server/src/modules/tiles/tile-math.ts';
import { copyTables, findPostgresBin, startReplicaPair } from '../tests/helpers/pg-cluster.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';

const source = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
const bin = findPostgresBin();
if (!source || !bin) {
  console.error('needs BENCH_DATABASE_URL (or DATABASE_URL) of a seeded PostGIS database and the PostgreSQL binaries under /usr/lib/postgresql');
  process.exit(1);
}
const quiet = { warn: () => undefined, info: () => undefined };
const THROUGHPUT_REQUESTS = 20_000;
const CONNECTIONS = 8;

const pair = await startReplicaPair(bin, {
  prepare: async (url) => {
    const db = await openPostgis(url, { log: quiet });
    await db.migrate();
    await db.close();
    await copyTables(source, url, ['admin_county', 'stock_parcel']);
  },
});
const db: Database = await openPostgis(pair.primary.urlOf(pair.database), { log: quiet });
const [{ n: parcels } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_parcel');

// the tiles holding stock parcels at z13–z15, in a fixed order
const points = await db.query<{ lon: number; lat: number }>('SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY id');
const tiles: string[] = [];
for (const z of [13, 14, 15]) {
  const seen = new Set<string>();
  for (const p of points) {
    const { x, y } = lonLatToTile(p.lon, p.lat, z);
    const t = `/tiles/stock-parcel/${z}/${x}/${y}.mvt`;
    if (!seen.has(t)) seen.add(t), tiles.push(t);
  }
}

interface Served {
  app: FastifyInstance;
  reads?: ReadRouting;
  base: string;
  agent: http.Agent;
}
const serve = async (withReplica: boolean, sockets = 1): Promise<Served> => {
  const reads = withReplica ? await openReplica(pair.replica.urlOf(pair.database), db, { log: quiet }) : undefined;
  if (reads && reads.status()!.state !== 'ok') throw new Error(`replica not in use: ${JSON.stringify(reads.status())}`);
  const app = await buildApp({ db, reads, rateLimitPerMinute: { public: 100_000_000 } });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, reads, base, agent: new http.Agent({ keepAlive: true, maxSockets: sockets }) };
};
const close = async (s: Served) => {
  s.agent.destroy();
  await s.app.close();
  await s.reads?.close();
};
const get = (s: Served, path: string) =>
  new Promise<{ status: number; cache: string }>((resolve, reject) => {
    http
      .get(`${s.base}${path}`, { agent: s.agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: String(res.headers['x-cache'] ?? '') }));
      })
      .on('error', reject);
  });
const timed = async (s: Served, path: string, cache: 'hit' | 'miss') => {
  const t = performance.now();
  const r = await get(s, path);
  const ms = performance.now() - t;
  if (r.status !== 200 && r.status !== 204) throw new Error(`${path}: HTTP ${r.status}`);
  if (r.status === 200 && r.cache !== cache) throw new Error(`${path}: cache ${r.cache}, expected ${cache}`);
  return ms;
};

console.log(`${tiles.length} stock-land tiles (z13–z15) over ${parcels} parcels; warming both servers…`);
{
  const [a, b] = [await serve(false), await serve(true)];
  for (const t of tiles) await get(a, t), await get(b, t);
  await Promise.all([close(a), close(b)]);
}

const yardstick = await serve(false);
const routed = await serve(true);
const cold = { yardstick: [] as number[], routed: [] as number[] };
const cached = { yardstick: [] as number[], routed: [] as number[] };
for (const [i, t] of tiles.entries()) {
  if (i % 2) cold.routed.push(await timed(routed, t, 'miss')), cold.yardstick.push(await timed(yardstick, t, 'miss'));
  else cold.yardstick.push(await timed(yardstick, t, 'miss')), cold.routed.push(await timed(routed, t, 'miss'));
}
for (const [i, t] of tiles.entries()) {
  if (i % 2) cached.routed.push(await timed(routed, t, 'hit')), cached.yardstick.push(await timed(yardstick, t, 'hit'));
  else cached.yardstick.push(await timed(yardstick, t, 'hit')), cached.routed.push(await timed(routed, t, 'hit'));
}
const routedState = routed.reads!.status()!;
await Promise.all([close(yardstick), close(routed)]);

/** Requests per second of cached tiles from CONNECTIONS kept-alive connections. */
const throughput = async (withReplica: boolean) => {
  const s = await serve(withReplica, CONNECTIONS);
  for (const t of tiles) await get(s, t);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < THROUGHPUT_REQUESTS) await get(s, tiles[next++ % tiles.length]!);
    }),
  );
  const rps = THROUGHPUT_REQUESTS / ((performance.now() - t0) / 1000);
  await close(s);
  return rps;
};
// alternate, twice each, and keep the better run of each (the machine is shared)
const rps = { yardstick: 0, routed: 0 };
for (const withReplica of [false, true, true, false]) {
  const r = await throughput(withReplica);
  const k = withReplica ? 'routed' : 'yardstick';
  rps[k] = Math.max(rps[k], r);
}
await db.close();
await pair.destroy();

const row = (what: string, y: number[], r: number[]) =>
  `| ${what} | ${y.length} | ${fmtMs(median(y))} | ${fmtMs(percentile(y, 95))} | ${fmtMs(median(r))} | ${fmtMs(percentile(r, 95))} | ${(median(r) / median(y)).toFixed(2)} | ${(percentile(r, 95) / percentile(y, 95)).toFixed(2)} |`;
const rows = [row('cold (built from the server)', cold.yardstick, cold.routed), row('cached (tile cache hit)', cached.yardstick, cached.routed)];
for (const r of rows) console.log(r);
console.log(`throughput: primary alone ${rps.yardstick.toFixed(0)} req/s, routed ${rps.routed.toFixed(0)} req/s`);
writeSection(
  'replica',
  `## Tiles through the read replica routing (\`npm run bench:replica\`)

Machine: ${machine()} (shared with other work). Databases: a PostgreSQL 15 + PostGIS primary of the
bench's own and a streaming replica of it (\`pg_basebackup -R\`), both on this machine (loopback),
holding the demo dataset's counties and its ${parcels} stock parcels (copied from the seeded
database). Run ${new Date().toISOString().slice(0, 10)}.

${tiles.length} stock-land tiles at z13–z15 (every tile holding a parcel), \`GET /tiles/stock-parcel/{z}/{x}/{y}.mvt\`
over HTTP through one kept-alive connection, from two apps in the same run: the **yardstick** reads
the primary alone (no \`DATABASE_REPLICA_URL\`), the **routed** app reads through \`req.reader\` to the
replica (its state \`${routedState.state}\` after the timed passes). Each server's buffers were warmed by a pass through
apps of their own; cold requests alternate which app goes first.

| tiles | requests each | yardstick median | yardstick p95 | routed median | routed p95 | ratio (median) | ratio (p95) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Throughput of cached tiles, ${THROUGHPUT_REQUESTS} requests from ${CONNECTIONS} kept-alive connections of a client in the bench's own
process (the better of two alternating runs each): yardstick **${rps.yardstick.toFixed(0)} req/s**, routed **${rps.routed.toFixed(0)} req/s**
(ratio ${(rps.routed / rps.yardstick).toFixed(2)}). The routing decides in memory from the background check's
last reading; no request waits on the replica's state.`,
);
