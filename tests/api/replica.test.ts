/**
 * The read replica (DATABASE_REPLICA_URL) with a real second server: a primary of this test's
 * own with the demo's counties and stock land and a streaming replica of it (tests/helpers/pg-cluster.ts), under
 * app instances as they run behind the proxy.
 *
 * The replica's replay is held (`pg_wal_replay_pause()`) to tell the two servers apart: what is
 * written on the primary then is not on the replica, so a read that misses it was served by the
 * replica and a read that has it by the primary.
 *
 * Runs with the PostGIS suite (DATABASE_URL or TEST_DATABASE_URL set) where the PostgreSQL
 * binaries are installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { openPostgis, type Database } from '../../server/src/db/database.ts';
import { openReplica, REPLICA_APPLICATION_NAME, type ReadRouting } from '../../server/src/db/replica.ts';
import { WAL_COOKIE } from '../../server/src/plugins/db.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { copyTables, findPostgresBin, startReplicaPair, type PgReplicaPair } from '../helpers/pg-cluster.ts';
import { testDatabaseUrl } from '../helpers/backend.ts';

const bin = findPostgresBin();
const quiet = { warn: () => undefined, info: () => undefined };
const skipWhy = !testDatabaseUrl
  ? 'runs with the PostGIS suite only (set DATABASE_URL or TEST_DATABASE_URL)'
  : !bin
    ? 'needs PostgreSQL + PostGIS binaries under /usr/lib/postgresql'
    : '';

// said in the run's output too: a skipped file lists no describe name
if (skipWhy) console.log(`tests/api/replica.test.ts skipped: ${skipWhy}`);

interface Instance {
  app: FastifyInstance;
  reads: ReadRouting;
}

/** Polls `probe` until it is true (the background check runs every 100 ms here); fails past `ms`. */
async function until(what: string, probe: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!!skipWhy)(`reads on a streaming replica ${skipWhy ? `(skipped: ${skipWhy})` : ''}`, () => {
  let pair: PgReplicaPair;
  let db: Database;
  /** Two instances with a wide lag bound (60 s: a held replay stays within it during a test). */
  let one: Instance;
  let two: Instance;
  /** An instance whose bound (300 ms) a held replay soon passes. */
  let tight: Instance;
  /** An instance that checks the replica only when it opens: it learns of an outage from a read that fails. */
  let unchecked: Instance;
  let probe: { code: string; lon: number; lat: number };
  let site: { type: 'Polygon'; coordinates: number[][][] };

  const instance = async (maxLagMs: number, checkIntervalMs = 100): Promise<Instance> => {
    const reads = await openReplica(pair.replica.urlOf(pair.database), db, { maxLagMs, checkIntervalMs, timeoutMs: 1_000, log: quiet });
    const app = await buildApp({ db, reads, rateLimitPerMinute: { public: 1_000_000 } });
    return { app, reads };
  };
  const health = async (i: Instance) => (await i.app.inject({ method: 'GET', url: '/api/health' })).json().replica as { state: string; lagMs: number | null; readsFrom: string };
  const get = (i: Instance, url: string, cookie?: string) => i.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  /** The probe parcel's name as the map's search gives it ("code name"). */
  const nameOn = async (i: Instance, cookie?: string) => {
    const res = await get(i, `/api/search?q=${encodeURIComponent(probe.code)}`, cookie);
    expect(res.statusCode).toBe(200);
    const hit = (res.json().results as { code: string | null; name: string }[]).find((r) => r.code === probe.code);
    expect(hit, JSON.stringify(res.json())).toBeDefined();
    return hit!.name.slice(probe.code.length + 1);
  };
  /** Renames the probe parcel on the primary (its layer's data version moves with it). */
  const rename = (name: string) => db.query('UPDATE stock_parcel SET name = $2 WHERE code = $1', [probe.code, name]);
  const walCookie = (res: LightMyRequestResponse) => {
    const c = res.cookies.find((k) => k.name === WAL_COOKIE);
    return c ? `${WAL_COOKIE}=${c.value}` : undefined;
  };
  const fileCheck = (i: Instance) =>
    i.app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: site, name: '副本测试', use: '工业', stockFirst: { reason: 'location' } } });
  const version = async (q: { query: Database['query'] }) =>
    Number((await q.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'stock-parcel'`))[0]!.version);

  beforeAll(async () => {
    pair = await startReplicaPair(bin!, {
      // the schema, and the counties and stock land of the suite's seeded database (what these reads need)
      prepare: async (url) => {
        const schema = await openPostgis(url, { log: quiet });
        try {
          await schema.migrate();
        } finally {
          await schema.close();
        }
        await copyTables(testDatabaseUrl!, url, ['admin_county', 'stock_parcel']);
      },
    });
    db = await openPostgis(pair.primary.urlOf(pair.database), { log: quiet });
    const [p] = await db.query<{ code: string; lon: number; lat: number }>(
      `SELECT code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`,
    );
    probe = p!;
    const d = 0.002;
    site = { type: 'Polygon', coordinates: [[[probe.lon + 0.01, probe.lat], [probe.lon + 0.01 + d, probe.lat], [probe.lon + 0.01 + d, probe.lat + d], [probe.lon + 0.01, probe.lat + d], [probe.lon + 0.01, probe.lat]]] };
    [one, two, tight, unchecked] = [await instance(60_000), await instance(60_000), await instance(300), await instance(60_000, 3_600_000)];
    for (const i of [one, two, tight, unchecked]) await until('the replica in use', async () => (await health(i)).state === 'ok');
  }, 120_000);

  afterAll(async () => {
    for (const i of [one, two, tight, unchecked]) {
      await i?.app.close();
      await i?.reads.close();
    }
    await db?.close();
    await pair?.destroy();
  });

  it('serves reads from the replica, and a writer reads what it wrote at once, on any instance', async () => {
    expect(await health(one)).toMatchObject({ state: 'ok', readsFrom: 'replica', lagMs: expect.any(Number) });
    // the replica's own connections are the app's
    const named = await pair.replicaSql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = '${REPLICA_APPLICATION_NAME}'`);
    expect(Number(named[0]!.n)).toBeGreaterThan(0);

    const before = await nameOn(one);
    await pair.replicaSql('SELECT pg_wal_replay_pause()');
    try {
      await rename('副本测试：主库上的新名称');
      const filed = await fileCheck(one);
      expect(filed.statusCode).toBe(201);
      const id = filed.json().id as string;
      const wrote = walCookie(filed);
      expect(wrote).toMatch(/^yzt_wal=[0-9A-F]+\/[0-9A-F]+$/);

      // a reader without a write of its own is served by the replica, which has neither change yet
      expect((await get(one, `/api/site-checks/${id}`)).statusCode).toBe(404);
      expect((await get(two, `/api/site-checks/${id}`)).statusCode).toBe(404);
      expect(await nameOn(one)).toBe(before);
      // tiles are built and versioned from the replica: its version, not the primary's
      const { x, y } = lonLatToTile(probe.lon, probe.lat, 15);
      const tileUrl = `/tiles/stock-parcel/15/${x}/${y}.mvt`;
      const replicaVersion = await version({ query: async (sql) => (await pair.replicaSql(sql)) as never });
      const primaryVersion = await version(db);
      expect(primaryVersion).toBeGreaterThan(replicaVersion);
      expect((await get(one, tileUrl)).headers.etag).toBe(`"stock-parcel-v${replicaVersion}-15-${x}-${y}"`);

      // the writer, on this instance or another, reads the primary until the replica has its write
      for (const i of [one, two]) {
        const report = await get(i, `/api/site-checks/${id}`, wrote);
        expect(report.statusCode).toBe(200);
        expect(report.json().name).toBe('副本测试');
        expect((await get(i, `/api/site-checks/${id}/boundary-points.json`, wrote)).statusCode).toBe(200);
        expect(await nameOn(i, wrote)).toBe('副本测试：主库上的新名称');
        expect((await get(i, tileUrl, wrote)).headers.etag).toBe(`"stock-parcel-v${primaryVersion}-15-${x}-${y}"`);
      }
    } finally {
      await pair.replicaSql('SELECT pg_wal_replay_resume()');
    }
    await pair.caughtUp();
    await until('the replica serving the report', async () => (await get(one, `/api/site-checks/${(await db.query<{ id: string }>(`SELECT id FROM site_check WHERE name = '副本测试' LIMIT 1`))[0]!.id}`)).statusCode === 200);
    expect(await nameOn(one)).toBe('副本测试：主库上的新名称');
  });

  it('reads from the primary when the replica is stopped, with no 500, and from the replica again once it is back', async () => {
    const { x, y } = lonLatToTile(probe.lon, probe.lat, 15);
    const reads = [
      `/tiles/stock-parcel/15/${x}/${y}.mvt`,
      `/tiles/admin-county/8/${lonLatToTile(probe.lon, probe.lat, 8).x}/${lonLatToTile(probe.lon, probe.lat, 8).y}.mvt`,
      `/api/layers/stock-parcel/features?bbox=${probe.lon - 0.01},${probe.lat - 0.01},${probe.lon + 0.01},${probe.lat + 0.01}`,
      `/api/stock-parcels/${encodeURIComponent(probe.code)}`,
      '/api/stock-parcels?pageSize=5',
      `/api/search?q=${encodeURIComponent(probe.code)}`,
      `/api/identify?lon=${probe.lon}&lat=${probe.lat}&zoom=16`,
      '/api/counties',
    ];
    // these reads are served by the replica (the next test holds its replay to show it)
    for (const url of reads) expect([200, 204], url).toContain((await get(unchecked, url)).statusCode);
    expect(await health(unchecked)).toMatchObject({ state: 'ok', readsFrom: 'replica' });
    await pair.replica.stop('immediate');
    // before any check has seen it go, all at once: each read fails on the replica and is read again on the primary
    for (const res of await Promise.all(reads.map((url) => get(unchecked, url)))) {
      expect([200, 204], `${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
    }
    // the failed reads told the instance: it reads from the primary now, and says so
    expect(await health(unchecked)).toMatchObject({ state: 'down', readsFrom: 'primary' });
    await until('the replica seen down', async () => (await health(one)).state === 'down');
    expect(await health(one)).toMatchObject({ state: 'down', readsFrom: 'primary', lagMs: null });
    for (const url of reads) expect([200, 204], url).toContain((await get(one, url)).statusCode);
    // what the primary has now is what a reader without a write of its own is served
    await rename('副本测试：副本停机时的名称');
    expect(await nameOn(one)).toBe('副本测试：副本停机时的名称');
    const filed = await fileCheck(one);
    expect(filed.statusCode).toBe(201);
    expect((await get(two, `/api/site-checks/${filed.json().id}`)).statusCode).toBe(200);

    await pair.replica.start();
    await until('the replica in use again', async () => (await health(one)).state === 'ok');
    await pair.caughtUp();
    // held again: a change on the primary is not what this instance serves, so the replica serves it
    await pair.replicaSql('SELECT pg_wal_replay_pause()');
    try {
      await rename('副本测试：副本恢复后主库上的名称');
      expect(await nameOn(one)).toBe('副本测试：副本停机时的名称');
    } finally {
      await pair.replicaSql('SELECT pg_wal_replay_resume()');
    }
    await pair.caughtUp();
  });

  it('reads from the primary while the replica lags beyond the bound, and from the replica once it has caught up', async () => {
    await until('the tight instance on the replica', async () => (await health(tight)).state === 'ok');
    await pair.replicaSql('SELECT pg_wal_replay_pause()');
    try {
      await rename('副本测试：延迟时主库上的名称');
      // the wide bound still reads the held replica; the tight one passes its bound and reads the primary
      await until('the replica seen lagging', async () => (await health(tight)).state === 'lagging');
      const lagging = await health(tight);
      expect(lagging.readsFrom).toBe('primary');
      expect(lagging.lagMs).toBeGreaterThan(300);
      expect(await nameOn(tight)).toBe('副本测试：延迟时主库上的名称');
      expect(await nameOn(one)).not.toBe('副本测试：延迟时主库上的名称');
      expect((await health(one)).state).toBe('ok');
    } finally {
      await pair.replicaSql('SELECT pg_wal_replay_resume()');
    }
    await until('the replica caught up', async () => (await health(tight)).state === 'ok');
    expect(await health(tight)).toMatchObject({ state: 'ok', readsFrom: 'replica' });
    expect(await nameOn(tight)).toBe('副本测试：延迟时主库上的名称');
  });
});
