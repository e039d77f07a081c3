/**
 * The database goes away under the app and comes back: a PostgreSQL server of this test's
 * own (whatever backend the suite runs on) is restarted and stopped while requests keep
 * coming. The process must not die (an unhandled 'error' from the pool would fail the run),
 * requests meanwhile answer 503 with Retry-After and a message in the user's language, never
 * 500, and once the server is back the same app answers 200 again. Then the server as a
 * process: SIGTERM lets a request in flight finish before it exits 0.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { openPostgis, type Database } from '../../server/src/db/database.ts';
import { isDatabaseUnavailable } from '../../server/src/plugins/errors.ts';
import { findPostgresBin, startCluster, type PgCluster } from '../helpers/pg-cluster.ts';

const bin = findPostgresBin();
const quiet = { warn: () => undefined, info: () => undefined };

interface Answer {
  url: string;
  lang: 'zh' | 'en';
  status: number | 'hung';
  retryAfter?: string;
  code?: string;
  message?: string;
}

/** A bound past which a request counts as hung (three times the pool's connect timeout). */
const HUNG_MS = 15_000;
const ROUTES = ['/api/health', '/api/layers'];

async function ask(app: FastifyInstance, url: string, lang: 'zh' | 'en'): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HUNG_MS);
  });
  const res = await Promise.race([app.inject({ method: 'GET', url, headers: { 'accept-language': lang === 'en' ? 'en' : 'zh-CN' } }), hung]);
  clearTimeout(timer);
  if (res === 'hung') return { url, lang, status: 'hung' };
  const body = res.json() as { error?: { code: string; message: string } };
  return {
    url,
    lang,
    status: res.statusCode,
    retryAfter: res.headers['retry-after'] as string | undefined,
    code: body.error?.code,
    message: body.error?.message,
  };
}

/**
 * Light load until stopped: `workers` loops of requests, alternating routes and languages, and
 * two loops of short transactions straight on the database (a transaction's client is checked
 * out of the pool when the server goes away). Returns the answers and the transactions' failures.
 */
function load(app: FastifyInstance, db: Database, workers = 6) {
  const answers: Answer[] = [];
  const txErrors: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; running; i++) {
      answers.push(await ask(app, ROUTES[(w + i) % ROUTES.length]!, (w + i) % 2 ? 'en' : 'zh'));
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  const txLoops = Array.from({ length: 2 }, async () => {
    while (running) {
      await db.transaction((tx) => tx.query('SELECT pg_sleep(0.02)')).catch((err: unknown) => txErrors.push(err));
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all([...loops, ...txLoops]);
      return { answers, txErrors };
    },
  };
}

function expectUnavailable(a: Answer) {
  expect(a.status, `${a.url} ${a.lang}`).toBe(503);
  expect(a.code).toBe('DATABASE_UNAVAILABLE');
  expect(Number(a.retryAfter)).toBeGreaterThan(0);
  expect(a.message).toMatch(a.lang === 'zh' ? /数据库暂时无法连接/ : /database is unreachable/);
}

describe.skipIf(!bin)('a database that restarts under load (needs PostgreSQL + PostGIS binaries under /usr/lib/postgresql)', () => {
  let cluster: PgCluster;
  let db: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    cluster = await startCluster(bin!);
    db = await openPostgis(cluster.url, { log: quiet });
    // migrations only: health and the layer catalogue answer on an empty dataset
    await db.migrate();
    app = await buildApp({ db, rateLimitPerMinute: { public: 1_000_000 } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await cluster?.destroy();
  });

  it('keeps serving through a fast restart: only 200 or 503, then 200 again from the same app', async () => {
    for (const url of ROUTES) expect((await ask(app, url, 'zh')).status).toBe(200);
    const l = load(app, db);
    await new Promise((r) => setTimeout(r, 200));
    const restartAt = Date.now();
    await cluster.restart('fast');
    const upAt = Date.now();
    // the first answer that is 200 again, from a loop that keeps asking
    let recoveredAt = 0;
    for (let i = 0; i < 200 && !recoveredAt; i++) {
      if ((await ask(app, '/api/health', 'en')).status === 200) recoveredAt = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const { answers, txErrors } = await l.stop();
    const unavailable = answers.filter((a) => a.status === 503);
    console.log(
      `[restart] ${answers.length} requests, ${unavailable.length} answered 503, ${txErrors.length} transactions failed; server down for ${upAt - restartAt} ms, ` +
        `app answering 200 again ${recoveredAt - upAt} ms after it was back`,
    );
    expect(recoveredAt).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    unavailable.forEach(expectUnavailable);
    // a transaction cut by the restart fails as "database unavailable", nothing else
    expect(txErrors.filter((e) => !isDatabaseUnavailable(e))).toEqual([]);
    for (const url of ROUTES) expect((await ask(app, url, 'en')).status).toBe(200);
    expect(await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  it('while the database is down: 503 with Retry-After in zh and en, health included; recovers when it is back', async () => {
    const l = load(app, db);
    await cluster.stop('fast');
    for (const url of ROUTES) for (const lang of ['zh', 'en'] as const) expectUnavailable(await ask(app, url, lang));
    const down = await ask(app, '/api/health', 'en');
    expect(down.message).toMatch(/database is unreachable/);
    await cluster.start();
    let back: Answer | undefined;
    for (let i = 0; i < 200; i++) {
      back = await ask(app, '/api/health', 'zh');
      if (back.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { answers, txErrors } = await l.stop();
    expect(back?.status).toBe(200);
    expect(txErrors.length).toBeGreaterThan(0);
    expect(txErrors.filter((e) => !isDatabaseUnavailable(e))).toEqual([]);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    answers.filter((a) => a.status === 503).forEach(expectUnavailable);
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.json()).toEqual({ status: 'ok', database: 'postgis', dataVersion: expect.stringMatching(/^v\d+-[0-9a-f]{8}$/), replica: null });
    // a transaction after the outage gets a live connection, not one the outage broke
    expect(await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  it('SIGTERM lets the request in flight finish, then the server exits 0', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: { ...process.env, DATABASE_URL: cluster.url, SEED_SCALE: 'none', CLIENT_DIR: `${cluster.dir}/no-client`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // a lock held by another session keeps the health request waiting in the database
    const locker = new pg.Client({ connectionString: cluster.url });
    try {
      for (let i = 0; i < 1200 && !out.includes('已就绪 ready'); i++) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toContain('已就绪 ready');
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE data_version IN ACCESS EXCLUSIVE MODE');
      const inFlight = fetch(`http://127.0.0.1:${port}/api/health`).then(async (r) => ({ status: r.status, body: await r.json() }));
      // wait until the request is inside the database, blocked on the lock
      let waiting = 0;
      for (let i = 0; i < 200 && !waiting; i++) {
        await locker.query('SELECT pg_stat_clear_snapshot()'); // the activity view is otherwise frozen for the transaction
        const [row] = (
          await locker.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%data_version%' AND pid <> pg_backend_pid()`,
          )
        ).rows;
        waiting = row!.n;
        if (!waiting) await new Promise((r) => setTimeout(r, 25));
      }
      expect(waiting).toBe(1);
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && !out.includes('SIGTERM'); i++) await new Promise((r) => setTimeout(r, 20));
      // draining: the process is still there, waiting for the request
      expect(out).toContain('SIGTERM');
      expect(child.exitCode).toBeNull();
      await locker.query('COMMIT');
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'ok', database: 'postgis' });
      expect(await exited).toBe(0);
      expect(out).toContain('已关闭 closed');
    } finally {
      await locker.end().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
