/**
 * Rate limits shared by the instances through Redis (REDIS_URL): two apps on one database count
 * an address's requests — and its sign-in attempts — together; with Redis gone, both keep
 * answering and each counts in its own memory (the limit still holds per instance), and once Redis
 * is back they share the count again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { redisServerPath, startRedis, type TestRedis } from '../helpers/redis-server.ts';

if (!redisServerPath) console.warn('shared rate limits: skipped — redis-server is not installed (apt-get install redis-server)');

describe.skipIf(!redisServerPath)(`rate limits shared through Redis on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let redis: TestRedis;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let probe: Redis;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    redis = await startRedis();
    const limits = { public: 6, signIn: 3 };
    a = await buildApp({ db, redisUrl: redis.url, rateLimitPerMinute: limits });
    b = await buildApp({ db, redisUrl: redis.url, rateLimitPerMinute: limits });
    probe = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on('error', () => {});
    await probe.connect();
  }, 60_000);
  afterAll(async () => {
    probe?.disconnect();
    await a?.close();
    await b?.close();
    await redis?.stop();
    await close?.();
  });

  const health = (app: FastifyInstance, ip: string) => app.inject({ method: 'GET', url: '/api/layers', remoteAddress: ip });
  const signIn = (app: FastifyInstance, ip: string) =>
    app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody-here', password: 'not-the-password' }, remoteAddress: ip });

  it('counts an address’s requests to both instances together', async () => {
    const ip = '10.30.0.1';
    for (let i = 0; i < 3; i++) expect((await health(a, ip)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await health(b, ip)).statusCode).toBe(200);
    const refusedA = await health(a, ip);
    expect(refusedA.statusCode).toBe(429);
    expect(refusedA.json().error.code).toBe('RATE_LIMITED');
    expect((await health(b, ip)).statusCode).toBe(429);
    // the count lives in Redis, under the address
    expect(Number(await probe.get(`yzt-rl:${ip}`))).toBe(8);
    expect((await health(b, '10.30.0.2')).statusCode).toBe(200);
  });

  it('counts sign-in attempts at both instances together', async () => {
    const ip = '10.30.1.1';
    expect((await signIn(a, ip)).statusCode).toBe(401);
    expect((await signIn(b, ip)).statusCode).toBe(401);
    expect((await signIn(a, ip)).statusCode).toBe(401);
    const fourth = await signIn(b, ip);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().error.code).toBe('RATE_LIMITED');
  });

  it('keeps answering and limiting per instance while Redis is down, and shares again once it is back', async () => {
    await redis.stop();
    const ip = '10.30.2.1';
    // each instance counts alone now: six each pass, the seventh is refused
    for (let i = 0; i < 6; i++) expect((await health(a, ip)).statusCode).toBe(200);
    expect((await health(a, ip)).statusCode).toBe(429);
    for (let i = 0; i < 6; i++) expect((await health(b, ip)).statusCode).toBe(200);
    expect((await health(b, ip)).statusCode).toBe(429);

    await redis.start();
    // wait (bounded) until both count in Redis again: each request from a fresh address there
    const ip2 = '10.30.3.1';
    const until = Date.now() + 15_000;
    for (;;) {
      await health(a, ip2);
      await health(b, ip2);
      if (Number(await probe.get(`yzt-rl:${ip2}`).catch(() => null)) >= 2) break;
      if (Date.now() > until) throw new Error('the instances did not count in Redis again within 15 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const ip3 = '10.30.4.1';
    for (let i = 0; i < 3; i++) expect((await health(a, ip3)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await health(b, ip3)).statusCode).toBe(200);
    expect((await health(a, ip3)).statusCode).toBe(429);
  }, 60_000);
});
