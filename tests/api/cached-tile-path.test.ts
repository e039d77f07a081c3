/**
 * The cached-tile path keeps every protection of the others: a tile served from the tile cache
 * — without waiting on anything — still carries the security headers, still counts against the
 * address's rate limit, is still refused to a caller who may not see its layer, and is still
 * answered 304 by its ETag; a 404 and a refusal carry the security headers too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs } from '../helpers/session.ts';

describe(`the cached-tile path on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    app = await buildApp({ db, rateLimitPerMinute: { public: 8 } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const t8 = lonLatToTile(114.35, 34.75, 8);
  const countyTile = `/tiles/admin-county/8/${t8.x}/${t8.y}.mvt`;
  const t14 = lonLatToTile(114.35, 34.75, 14);
  const farmlandTile = `/tiles/permanent-farmland/14/${t14.x}/${t14.y}.mvt`;

  const expectSecurityHeaders = (headers: Record<string, unknown>) => {
    expect(String(headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(headers['content-security-policy'])).toContain("default-src 'self'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(String(headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(String(headers['permissions-policy'])).toContain('camera=()');
  };

  it('serves a cached public tile with the security headers, by ETag, and counts it against the limit', async () => {
    const from = { remoteAddress: '10.20.0.1' };
    const first = await app.inject({ method: 'GET', url: countyTile, ...from });
    expect(first.statusCode).toBe(200);
    const second = await app.inject({ method: 'GET', url: countyTile, ...from });
    expect(second.statusCode).toBe(200);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(Buffer.compare(second.rawPayload, first.rawPayload)).toBe(0);
    expect(second.headers['cache-control']).toBe('public, max-age=60, s-maxage=1');
    expectSecurityHeaders(second.headers);
    const notModified = await app.inject({ method: 'GET', url: countyTile, headers: { 'if-none-match': String(second.headers.etag) }, ...from });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
    // the limit of 8 a minute holds for cached tiles: 3 so far, 5 more pass, the ninth is refused
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: countyTile, ...from })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: countyTile, ...from });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(refused.headers['retry-after']).toBeDefined();
    expectSecurityHeaders(refused.headers);
    // another address is not affected
    expect((await app.inject({ method: 'GET', url: countyTile, remoteAddress: '10.20.0.2' })).statusCode).toBe(200);
  });

  it('refuses a restricted tile the cache holds to the public, and keeps it private for the planner', async () => {
    const planner = await signInAs(app, db, 'planner');
    const warm = await app.inject({ method: 'GET', url: farmlandTile, headers: { cookie: planner.cookie }, remoteAddress: '10.20.1.1' });
    expect([200, 204]).toContain(warm.statusCode);
    const cached = await app.inject({ method: 'GET', url: farmlandTile, headers: { cookie: planner.cookie }, remoteAddress: '10.20.1.1' });
    expect(cached.headers['x-cache']).toBe('hit');
    expect(cached.headers['cache-control']).toBe('private, max-age=60');
    expect(String(cached.headers.vary)).toMatch(/\bCookie\b/);
    const publicAsk = await app.inject({ method: 'GET', url: farmlandTile, remoteAddress: '10.20.1.2' });
    expect(publicAsk.statusCode).toBe(401);
    expect(publicAsk.json().error.code).toBe('SIGN_IN_REQUIRED');
    expect(publicAsk.rawPayload.length).toBeLessThan(1000);
    expectSecurityHeaders(publicAsk.headers);
  });

  it('puts the security headers on a 404 as well', async () => {
    const missing = await app.inject({ method: 'GET', url: '/tiles/no-such-layer/8/1/1.mvt', remoteAddress: '10.20.2.1' });
    expect(missing.statusCode).toBe(404);
    expectSecurityHeaders(missing.headers);
    const unrouted = await app.inject({ method: 'GET', url: '/api/no-such-thing', remoteAddress: '10.20.2.1' });
    expect(unrouted.statusCode).toBe(404);
    expectSecurityHeaders(unrouted.headers);
  });
});
