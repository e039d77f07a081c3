/**
 * Two app instances on one PostGIS database, as two servers behind a proxy: a change made through
 * one reaches the other at once through LISTEN/NOTIFY (migration 0028) — the other's tiles get the
 * new ETag and content, its stock search finds the changed parcel, a session ended through one is
 * refused by the other (whose session cache would otherwise hold it for 10 s) — and after the
 * listening connection is cut, it is opened again and changes arrive again.
 *
 * PostGIS only: the embedded database is one process, with no second instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { openPostgis, type Database } from '../../server/src/db/database.ts';
import { loadDataset } from '../../server/src/seed/load.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { backend, TEST_SEED, testDatabaseUrl } from '../helpers/backend.ts';
import { signInAs } from '../helpers/session.ts';

if (!testDatabaseUrl) console.warn('two instances: skipped on the embedded database (one process); run with DATABASE_URL');

/** Polls `check` until it holds, at most `ms`; the failure names what did not happen. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!testDatabaseUrl)(`two app instances on one ${backend} database`, () => {
  let admin: Database;
  let name: string;
  let dbA: Database;
  let dbB: Database;
  let a: FastifyInstance;
  let b: FastifyInstance;
  beforeAll(async () => {
    // a database of its own: the changes here are committed (a notification is sent at commit)
    admin = await openPostgis(testDatabaseUrl!);
    name = `yzt_two_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${name}`;
    dbA = await openPostgis(url.toString());
    await dbA.migrate();
    await loadDataset(dbA, { scale: 'demo', seed: TEST_SEED });
    dbB = await openPostgis(url.toString());
    a = await buildApp({ db: dbA });
    b = await buildApp({ db: dbB });
  }, 180_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dbA?.close();
    await dbB?.close();
    if (name) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.close();
  });

  const { x, y } = lonLatToTile(114.35, 34.79, 13);
  const tile = `/tiles/stock-parcel/13/${x}/${y}.mvt`;

  it('serves a tile changed through the other instance with its new ETag and content', async () => {
    expect(b.changes.listening).toBe(true);
    const before = await b.inject({ method: 'GET', url: tile });
    expect(before.statusCode).toBe(200);
    expect((await b.inject({ method: 'GET', url: tile })).headers['x-cache']).toBe('hit');
    const features = Number(before.headers['x-tile-features']);
    expect(features).toBeGreaterThan(0);
    // through instance A: a parcel of that tile leaves it (its geometry moved far away)
    const [moved] = await dbA.query<{ id: number }>(
      `UPDATE stock_parcel SET geom = ST_Multi(ST_Translate(geom, 0, -0.6))
        WHERE id = (SELECT id FROM stock_parcel WHERE geom && ST_Transform(ST_TileEnvelope(13, $1, $2), 4490) ORDER BY id LIMIT 1)
        RETURNING id`,
      [x, y],
    );
    expect(moved).toBeDefined();
    await eventually('instance B serves the changed tile', async () => {
      const now = await b.inject({ method: 'GET', url: tile, headers: { 'if-none-match': String(before.headers.etag) } });
      return now.statusCode === 200 && now.headers.etag !== before.headers.etag;
    });
    const after = await b.inject({ method: 'GET', url: tile });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(Buffer.compare(after.rawPayload, before.rawPayload)).not.toBe(0);
  });

  it('finds a parcel renamed through the other instance in its stock search', async () => {
    const search = (q: string) => b.inject({ method: 'GET', url: `/api/stock-parcels?status=all&q=${encodeURIComponent(q)}` }).then((r) => r.json().total as number);
    const [p] = await dbA.query<{ code: string }>(`SELECT code FROM stock_parcel WHERE status <> '已注销' ORDER BY id LIMIT 1`);
    const renamed = `改名地块${Date.now()}`;
    expect(await search(renamed)).toBe(0);
    await dbA.query(`UPDATE stock_parcel SET name = $2 WHERE code = $1`, [p!.code, renamed]);
    await eventually('instance B finds the renamed parcel', async () => (await search(renamed)) === 1);
  });

  it('refuses a session signed out through the other instance', async () => {
    const planner = await signInAs(a, dbA, 'planner');
    const asB = () => b.inject({ method: 'GET', url: '/api/session', headers: { cookie: planner.cookie } }).then((r) => r.json().user);
    expect(await asB()).not.toBeNull(); // now held in B's session cache
    const out = await a.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: planner.cookie, 'x-csrf-token': planner.csrfToken } });
    expect(out.statusCode).toBe(204);
    await eventually('instance B refuses the ended session', async () => (await asB()) === null);
    const farmland = await b.inject({ method: 'GET', url: `/tiles/permanent-farmland/13/${x}/${y}.mvt`, headers: { cookie: planner.cookie } });
    expect(farmland.statusCode).toBe(401);
  });

  it('listens again after its connection is cut, and changes arrive again', async () => {
    const [cut] = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN yzt_change'`,
      [name],
    );
    expect(cut?.n).toBe(2);
    await eventually('instance B listens again', async () => {
      const [now] = await admin.query<{ m: number }>(`SELECT count(*)::int AS m FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN yzt_change'`, [name]);
      return now?.m === 2 && b.changes.listening;
    }, 15_000);
    const planner = await signInAs(a, dbA, 'planner');
    const asB = () => b.inject({ method: 'GET', url: '/api/session', headers: { cookie: planner.cookie } }).then((r) => r.json().user);
    expect(await asB()).not.toBeNull();
    await a.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: planner.cookie, 'x-csrf-token': planner.csrfToken } });
    await eventually('instance B refuses the ended session after reconnecting', async () => (await asB()) === null);
  }, 30_000);
});
