/**
 * `npm run bench:propagation`: how soon a change made through one instance is served by another.
 *
 * Two apps built on the city dataset on PostGIS (BENCH_DATABASE_URL, else DATABASE_URL; the
 * migrations are applied first), each with its own connection pool, as two servers. Repeatedly,
 * through instance A's connection a stock parcel is renamed (the stock layer's data version moves),
 * and instance B is asked for a cached public tile every 2 ms until it carries the new ETag; and a
 * session is signed out through A while B is asked for it until B refuses it. Measured from the
 * change's commit (and the sign-out's answer). Also the time until B's change feed hands the
 * notification out. Yardstick: a third instance C on the same database that does not LISTEN and
 * follows by polling alone (data versions each second, sessions when its 10 s cache lapses),
 * measured on the same changes. Times run from sending the change's statement. Results go to docs/PERFORMANCE.md.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/src/app.ts';
import { openPostgis } from '../server/src/db/database.ts';
import { openCityDatabase } from './lib/city-db.ts';
import { benchSession } from './lib/session.ts';
import { machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' }, 'session-rounds': { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const sessionRounds = Number(values['session-rounds']);
const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL!;
const { db: dbA, seed } = await openCityDatabase();
await dbA.migrate();
const dbB = await openPostgis(url);
const dbC = await openPostgis(url);
const opts = { rateLimitPerMinute: { public: 1e9, signIn: 1e6 } };
const a = await buildApp({ db: dbA, ...opts });
const b = await buildApp({ db: dbB, ...opts });
const c = await buildApp({ db: dbC, ...opts, listenForChanges: false });
if (!b.changes.listening) throw new Error('instance B is not listening');

const tile = '/tiles/stock-parcel/12/3346/1625.mvt';
const etagOf = async (app: FastifyInstance) => String((await app.inject({ method: 'GET', url: tile })).headers.etag);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ms from `t0` until `check` holds, asking every 2 ms, at most 15 s. */
async function until(t0: number, check: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > 15_000) throw new Error('not within 15 s');
    await sleep(2);
  }
}

const [parcel] = await dbA.query<{ id: number; name: string }>(`SELECT id, name FROM stock_parcel ORDER BY id LIMIT 1`);
const tiles: { b: number[]; c: number[]; notified: number[] } = { b: [], c: [], notified: [] };
for (let i = 0; i < rounds; i++) {
  await etagOf(b), await etagOf(c);
  await sleep(1050);
  // both read the data versions now (theirs had lapsed) and hold the tile; the change comes a
  // random part of a second later, as a real change finds an instance's polling
  const before = [await etagOf(b), await etagOf(c)];
  await sleep(Math.random() * 900);
  let notifiedAt = 0;
  const off = b.changes.on('data-version', () => (notifiedAt ||= performance.now()));
  const t0 = performance.now();
  await dbA.query('UPDATE stock_parcel SET name = $2 WHERE id = $1', [parcel!.id, `${parcel!.name}${i % 2 ? '' : ' '}`]);
  const [tb, tc] = await Promise.all([until(t0, async () => (await etagOf(b)) !== before[0]), until(t0, async () => (await etagOf(c)) !== before[1])]);
  off();
  if (!notifiedAt) throw new Error(`round ${i + 1}: B was not notified`);
  tiles.b.push(tb), tiles.c.push(tc), tiles.notified.push(notifiedAt - t0);
  console.log(`tile round ${i + 1}: B ${tb.toFixed(1)} ms (notified ${(notifiedAt - t0).toFixed(1)} ms), C ${tc.toFixed(1)} ms`);
}
await dbA.query('UPDATE stock_parcel SET name = $2 WHERE id = $1', [parcel!.id, parcel!.name]);

const sessions: { b: number[]; c: number[] } = { b: [], c: [] };
for (let i = 0; i < sessionRounds; i++) {
  const s = await benchSession(a, dbA, 'planner');
  const who = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.headers.cookie } }).then((r) => r.json().user);
  if (!(await who(b)) || !(await who(c))) throw new Error('session not seen');
  await sleep(Math.random() * 2000);
  const out = await a.inject({ method: 'DELETE', url: '/api/session', headers: s.headers });
  if (out.statusCode !== 204) throw new Error(`sign-out ${out.statusCode}`);
  const t0 = performance.now();
  const [sb, sc] = await Promise.all([until(t0, async () => (await who(b)) === null), until(t0, async () => (await who(c)) === null)]);
  sessions.b.push(sb), sessions.c.push(sc);
  await s.remove();
  console.log(`session round ${i + 1}: B ${sb.toFixed(1)} ms, C ${sc.toFixed(1)} ms`);
}
await a.close(), await b.close(), await c.close();
await dbA.close(), await dbB.close(), await dbC.close();

const ms = (v: number) => `${v.toFixed(1)} ms`;
const row = (what: string, xs: number[], ys: number[]) =>
  `| ${what} | ${xs.length} | ${ms(median(xs))} | ${ms(percentile(xs, 95))} | ${ms(median(ys))} | ${ms(percentile(ys, 95))} | ${(median(xs) / median(ys)).toFixed(3)} |`;
writeSection(
  'propagation',
  `## A change reaching the other instance (\`npm run bench:propagation\`)

Machine: ${machine()}; shared with other work. Database: PostgreSQL + PostGIS on the same machine
(loopback), city dataset (seed ${seed}). Run ${new Date().toISOString().slice(0, 10)}.

Two instances A and B (\`buildApp\` twice, a connection pool each, as two servers) and, as the
yardstick, an instance C that does not LISTEN and follows by polling alone. *Tile*: through A's
connection a stock parcel is renamed (the stock layer's data version moves); measured from sending
the statement (it commits on its own) until B (and C), asked every 2 ms, answer the cached public tile \`${tile}\` with its new
ETag — which includes rendering the tile again (its cache was dropped). *Notified*: until B's change
feed hands out the notification. *Session*: a planner signed out through A, until B (and C) refuse the
cookie (their session caches held it). The changes come at random moments of C's polling.

| change | rounds | B (LISTEN) median | B p95 | C (polling) median | C p95 | B/C (median) |
|---|---|---|---|---|---|---|
${row('tile ETag', tiles.b, tiles.c)}
${row('notification handed out (B)', tiles.notified, tiles.c)}
${row('session refused', sessions.b, sessions.c)}

Goal: a change reaches every instance within a second — B's p95 above.`,
);
console.log(`tile B median ${ms(median(tiles.b))} p95 ${ms(percentile(tiles.b, 95))}; C median ${ms(median(tiles.c))}; session B ${ms(median(sessions.b))} C ${ms(median(sessions.c))}`);
