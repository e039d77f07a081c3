/**
 * Sign-in against an attacker, and what shared caches and proxies may see:
 * - every failure counts, also when they arrive at once (50 in parallel lock the name; a burst
 *   of 50 with the right password last does not sign in);
 * - an unknown username is answered exactly like an existing one, locked or not;
 * - requests refused with 401 count against the address's rate limit;
 * - restricted answers are `private` with `Vary: Cookie`, public layers stay publicly cacheable;
 * - behind a trusted TLS proxy (TRUST_PROXY) the client's address and the Secure cookie are right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { trustProxyOf } from '../../server/src/config.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, TEST_PASSWORD } from '../helpers/session.ts';

describe(`sign-in and caching on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    app = await buildApp({ db, rateLimitPerMinute: { public: 1_000_000 } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const uniqueName = (what: string) => `t-${what}-${Math.random().toString(36).slice(2, 8)}`;
  let addr = 0;
  /** Each attempt from its own address, as a distributed attacker sends them (the per-address sign-in limit is not what is tested here). */
  const attempt = (username: string, password: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, headers, remoteAddress: `10.1.${(addr >> 8) & 255}.${addr++ & 255}` });

  it('locks a name after 50 wrong passwords sent at once, and the right one is refused then', async () => {
    const username = uniqueName('burst');
    await createUser(db, { username, role: 'planner', password: TEST_PASSWORD });
    const answers = await Promise.all(Array.from({ length: 50 }, () => attempt(username, 'wrong-password-1')));
    const counts = answers.reduce<Record<number, number>>((m, r) => ((m[r.statusCode] = (m[r.statusCode] ?? 0) + 1), m), {});
    // at most five are checked against the password; every other one is refused as locked
    expect(counts[401]).toBeLessThanOrEqual(5);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(50);
    const right = await attempt(username, TEST_PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe('ACCOUNT_LOCKED');
    expect(right.cookies.find((c) => c.name === 'yzt_session')).toBeUndefined();
  });

  it('does not sign in from a burst of 50 with the right password last', async () => {
    const username = uniqueName('last');
    await createUser(db, { username, role: 'planner', password: TEST_PASSWORD });
    const burst = Array.from({ length: 49 }, () => attempt(username, 'wrong-password-2'));
    burst.push(attempt(username, TEST_PASSWORD));
    const answers = await Promise.all(burst);
    const last = answers.at(-1)!;
    expect(last.statusCode).toBe(429);
    expect(answers.filter((r) => r.statusCode === 200)).toEqual([]);
  });

  it('answers an unknown username exactly as an existing one: wrong, then locked', async () => {
    const existing = uniqueName('real');
    await createUser(db, { username: existing, role: 'enterprise', password: TEST_PASSWORD });
    const unknown = uniqueName('ghost');
    const seen = async (name: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await attempt(name, 'not-the-password', i === 6 ? { 'accept-language': 'en' } : {});
        out.push(`${r.statusCode} ${r.body}`);
      }
      return out;
    };
    const a = await seen(existing);
    const b = await seen(unknown);
    expect(a).toEqual(b);
    expect(a[0]).toBe('401 {"error":{"code":"SIGN_IN_FAILED","message":"用户名或密码不正确"}}');
    expect(a[5]).toMatch(/^429 .*ACCOUNT_LOCKED.*该用户名已锁定，请 15 分钟后再试/);
    expect(a[6]).toMatch(/^429 .*this username is locked; try again in 15 min/);
  });

  it('forgets the run of failures after a good sign-in, and unlocks on a password reset', async () => {
    const username = uniqueName('reset');
    await createUser(db, { username, role: 'planner', password: TEST_PASSWORD });
    for (let i = 0; i < 4; i++) expect((await attempt(username, 'wrong')).statusCode).toBe(401);
    expect((await attempt(username, TEST_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt(username, 'wrong')).statusCode).toBe(401);
    expect((await attempt(username, TEST_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) await attempt(username, 'wrong');
    expect((await attempt(username, TEST_PASSWORD)).statusCode).toBe(429);
    const admin = await signInAs(app, db, 'admin');
    const list = await app.inject({ method: 'GET', url: '/api/admin/users', headers: { cookie: admin.cookie } });
    const row = list.json().users.find((u: { username: string }) => u.username === username);
    expect(new Date(row.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const reset = await app.inject({
      method: 'POST',
      url: `/api/admin/users/${row.id}/password`,
      payload: { password: 'Another-password-2026' },
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().lockedUntil).toBeNull();
    expect((await attempt(username, 'Another-password-2026')).statusCode).toBe(200);
  });

  it('counts requests refused with 401 against the address’s limit', async () => {
    const limited = await buildApp({ db, rateLimitPerMinute: { public: 30 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await limited.inject({ method: 'GET', url: '/api/admin/users', remoteAddress: '10.9.9.9' });
        statuses.push(r.statusCode);
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
      // another address is not affected
      expect((await limited.inject({ method: 'GET', url: '/api/admin/users', remoteAddress: '10.9.9.10' })).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it('marks a planner’s farmland tile private and Vary: Cookie, while a public layer’s tile stays publicly cacheable', async () => {
    const planner = await signInAs(app, db, 'planner');
    const { x, y } = lonLatToTile(114.35, 34.75, 14);
    const farmland = await app.inject({ method: 'GET', url: `/tiles/permanent-farmland/14/${x}/${y}.mvt`, headers: { cookie: planner.cookie } });
    expect([200, 204]).toContain(farmland.statusCode);
    expect(farmland.headers['cache-control']).toMatch(/^private\b/);
    expect(String(farmland.headers.vary)).toMatch(/\bCookie\b/);
    const features = await app.inject({ method: 'GET', url: '/api/layers/permanent-farmland/features?bbox=114.3,34.7,114.31,34.71', headers: { cookie: planner.cookie } });
    expect(features.statusCode).toBe(200);
    expect(features.headers['cache-control']).toMatch(/^private\b/);
    expect(String(features.headers.vary)).toMatch(/\bCookie\b/);
    for (const cookie of [undefined, planner.cookie]) {
      const county = await app.inject({ method: 'GET', url: `/tiles/admin-county/8/${lonLatToTile(114.35, 34.75, 8).x}/${lonLatToTile(114.35, 34.75, 8).y}.mvt`, headers: cookie ? { cookie } : {} });
      expect(county.statusCode).toBe(200);
      expect(county.headers['cache-control']).toBe('public, max-age=60, s-maxage=1');
      expect(String(county.headers.vary ?? '')).not.toMatch(/Cookie/i);
    }
    // an answer open to all that differs with a session says so
    const session = await app.inject({ method: 'GET', url: '/api/session' });
    expect(String(session.headers.vary)).toMatch(/\bCookie\b/);
    const mine = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: planner.cookie } });
    expect(mine.headers['cache-control']).toMatch(/^private\b/);
  });

  it('sends a Permissions-Policy that turns off what the pages never use', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['permissions-policy']).toMatch(/camera=\(\)/);
    expect(res.headers['permissions-policy']).toMatch(/geolocation=\(\)/);
  });

  it('behind a trusted TLS proxy takes the client’s address from X-Forwarded-For and sets the cookie Secure', async () => {
    const username = uniqueName('proxy');
    await createUser(db, { username, role: 'planner', password: TEST_PASSWORD });
    const headers = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };
    const proxied = await buildApp({ db, trustProxy: trustProxyOf('127.0.0.1') });
    try {
      const res = await proxied.inject({ method: 'POST', url: '/api/session', payload: { username, password: TEST_PASSWORD }, headers, remoteAddress: '127.0.0.1' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toMatch(/; Secure/);
      // a forwarded header from anyone but the trusted proxy is not believed
      const direct = await proxied.inject({ method: 'POST', url: '/api/session', payload: { username, password: TEST_PASSWORD }, headers, remoteAddress: '198.51.100.2' });
      expect(direct.headers['set-cookie']).not.toMatch(/Secure/);
    } finally {
      await proxied.close();
    }
    // without TRUST_PROXY the header is ignored
    const plain = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password: TEST_PASSWORD }, headers, remoteAddress: '127.0.0.1' });
    expect(plain.headers['set-cookie']).not.toMatch(/Secure/);
    const ips = await db.query<{ ip: string }>(`SELECT ip FROM audit_log WHERE username = $1 AND action = 'sign-in' ORDER BY id`, [username]);
    expect(ips.map((r) => r.ip)).toEqual(['203.0.113.7', '198.51.100.2', '127.0.0.1']);
  });

  it('reads TRUST_PROXY as true, a hop count or a list of addresses, and refuses anything else', () => {
    expect(trustProxyOf(undefined)).toBeUndefined();
    expect(trustProxyOf('false')).toBeUndefined();
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('2')).toBe(2);
    expect(trustProxyOf('127.0.0.1, 10.0.0.0/8')).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(() => trustProxyOf('proxy.example')).toThrow(/TRUST_PROXY/);
  });
});
