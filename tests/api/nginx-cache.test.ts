/**
 * deploy/nginx.conf in front of two instances (bench/lib/nginx.ts): a public tile is stored in
 * the shared cache and served from it (X-Cache-Status HIT); a planner's restricted tile never is,
 * nor is a refusal; after a change of the layer's data the cache serves the new tile (a bound
 * is waited out, not timed); with one instance gone, reads still go through to the other.
 *
 * Runs where nginx is installed (/usr/sbin/nginx, Debian's `nginx`); skipped with a warning elsewhere.
 */
import { freePort } from '../helpers/free-port.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import { nginxInstalled, start, type RunningNginx } from '../../bench/lib/nginx.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs } from '../helpers/session.ts';

if (!nginxInstalled()) console.warn('nginx in front: skipped — /usr/sbin/nginx is not installed (apt-get install nginx)');

async function eventually(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!nginxInstalled())(`nginx in front of two instances on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let nginx: RunningNginx;
  let cacheDir: string;
  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    // nginx is the only client: the instances believe its X-Forwarded-For
    a = await buildApp({ db, trustProxy: ['127.0.0.1'], rateLimitPerMinute: { public: 100_000 } });
    b = await buildApp({ db, trustProxy: ['127.0.0.1'], rateLimitPerMinute: { public: 100_000 } });
    const portA = Number(new URL(await a.listen({ port: 0, host: '127.0.0.1' })).port);
    const portB = Number(new URL(await b.listen({ port: 0, host: '127.0.0.1' })).port);
    cacheDir = mkdtempSync(join(tmpdir(), 'yzt-nginx-cache-'));
    nginx = await start({ listenPort: await freePort(), upstreams: [portA, portB], cacheDir });
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await a?.close();
    await b?.close();
    await close?.();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const { x, y } = lonLatToTile(114.35, 34.79, 13);
  const get = (path: string, headers: Record<string, string> = {}) => fetch(nginx.base + path, { headers });

  it('keeps a public tile in the shared cache and serves it from there', async () => {
    const path = `/tiles/admin-county/13/${x}/${y}.mvt`;
    const first = await get(path);
    expect(first.status).toBe(200);
    const body = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const second = await get(path);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(Buffer.compare(Buffer.from(await second.arrayBuffer()), body)).toBe(0);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    // the app's security headers come through
    expect(second.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never stores a planner’s restricted tile, nor the refusal of it', async () => {
    const planner = await signInAs(a, db, 'planner');
    const path = `/tiles/permanent-farmland/13/${x}/${y}.mvt`;
    for (let i = 0; i < 3; i++) {
      const res = await get(path, { cookie: planner.cookie });
      expect([200, 204]).toContain(res.status);
      expect(res.headers.get('cache-control')).toMatch(/^private\b/);
      expect(res.headers.get('x-cache-status')).not.toBe('HIT');
      await res.arrayBuffer();
    }
    // the public after the planner: refused, not served the planner's tile from the cache
    const publicAsk = await get(path);
    expect(publicAsk.status).toBe(401);
    expect(publicAsk.headers.get('x-cache-status')).not.toBe('HIT');
    expect((await get(path)).status).toBe(401);
  });

  it('serves the new tile after a change of the layer’s data', async () => {
    const path = `/tiles/stock-parcel/13/${x}/${y}.mvt`;
    await (await get(path)).arrayBuffer();
    const before = await get(path);
    expect(before.headers.get('x-cache-status')).toMatch(/HIT|REVALIDATED/);
    const etag = before.headers.get('etag');
    const bytes = Buffer.from(await before.arrayBuffer());
    const [moved] = await db.query<{ id: number }>(
      `UPDATE stock_parcel SET geom = ST_Multi(ST_Translate(geom, 0, -0.6))
        WHERE id = (SELECT id FROM stock_parcel WHERE geom && ST_Transform(ST_TileEnvelope(13, $1, $2), 4490) ORDER BY id LIMIT 1)
        RETURNING id`,
      [x, y],
    );
    expect(moved).toBeDefined();
    let after: { etag: string | null; bytes: Buffer } | null = null;
    await eventually('nginx serves the changed tile', async () => {
      const res = await get(path);
      const b2 = Buffer.from(await res.arrayBuffer());
      if (res.headers.get('etag') === etag) return false;
      after = { etag: res.headers.get('etag'), bytes: b2 };
      return true;
    });
    expect(after!.etag).not.toBe(etag);
    expect(Buffer.compare(after!.bytes, bytes)).not.toBe(0);
  });

  it('answers reads through the other instance when one is gone', async () => {
    await b.close();
    for (let i = 0; i < 6; i++) {
      const res = await get(`/api/layers`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  });
});
