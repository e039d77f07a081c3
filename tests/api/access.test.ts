/**
 * Accounts, sessions and access on whichever backend the suite runs: sign-in, wrong
 * password, lock-out, session expiry, CSRF, sign-out; the table of every route's declared
 * access against its snapshot; the role matrix on every route; and a crawl of the API and
 * the tile pyramid as the public that finds no restricted geometry or attribute.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../core/access.ts';
import { layers as LAYERS } from '../../core/layers.ts';
import { DATA_EXTENT } from '../../core/geometry-validation.ts';
import { lonLatToTile } from '../../server/src/modules/tiles/tile-math.ts';
import authPlugin from '../../server/src/plugins/auth.ts';
import dbPlugin from '../../server/src/plugins/db.ts';
import changesPlugin from '../../server/src/plugins/changes.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, TEST_PASSWORD, type SignedIn } from '../helpers/session.ts';
import { decodeTile } from '../helpers/mvt.ts';

const SNAPSHOT = new URL('../fixtures/access/routes.json', import.meta.url);
const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/crossing-farmland.geojson', import.meta.url), 'utf8')).geometry;
const RESTRICTED = LAYERS.filter((l) => l.sensitivity === 'restricted');
const PUBLIC_LAYERS = LAYERS.filter((l) => l.sensitivity === 'public');

describe(`accounts and access on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  const sessions = new Map<Role, SignedIn | null>();
  beforeAll(async () => {
    // the public's site-check budget is tested in site-check-oracle.test.ts; here it must not get in the way
    ({ app, db, stop } = await startApi({ as: 'public', rateLimitPerMinute: { public: 1_000_000 }, siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000 } }));
    sessions.set('public', null);
    for (const r of ROLES) if (r !== 'public') sessions.set(r, await signInAs(app, db, r));
  }, 60_000);
  afterAll(async () => {
    await stop?.();
  });
  const as = (role: Role, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const s = sessions.get(role);
    return app.inject({ method, url, payload, headers: s ? { cookie: s.cookie, 'x-csrf-token': s.csrfToken } : {} });
  };

  it('signs in with a session cookie that scripts cannot read, and signs out', async () => {
    const s = await signInAs(app, db, 'planner', '规划员甲');
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: s.username, password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^yzt_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http here; Secure over TLS
    const me = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } });
    expect(me.json()).toMatchObject({ user: { username: s.username, displayName: '规划员甲', role: 'planner' }, csrfToken: s.csrfToken });
    const out = await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
    expect(out.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } });
    expect(after.json()).toEqual({ user: null, csrfToken: null, scope: expect.objectContaining({ code: '410000', level: 'province' }) });
  });

  it('refuses a wrong password, and locks the account after five in a row — the right one too — and logs it', async () => {
    const s = await signInAs(app, db, 'enterprise');
    const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/session', payload: { username: s.username, password } });
    for (let i = 0; i < 5; i++) {
      const r = await attempt('wrong-password-1');
      expect(r.statusCode).toBe(401);
      expect(r.json().error.message).toBe('用户名或密码不正确');
    }
    const locked = await attempt(TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.message).toMatch(/该用户名已锁定，请 1[45] 分钟后再试/);
    const unknown = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody-here', password: 'x' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toBe('用户名或密码不正确');
    const log = await db.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE username = $1 GROUP BY action ORDER BY action`,
      [s.username],
    );
    expect(log).toEqual([{ action: 'sign-in', n: 1 }, { action: 'sign-in-failed', n: 6 }]);
  });

  it('ends a session that has lapsed', async () => {
    const s = await signInAs(app, db, 'planner');
    await db.query(`UPDATE app_session SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM app_user WHERE username = $1)`, [s.username]);
    app.dropSessionCache();
    const res = await app.inject({ method: 'GET', url: '/api/layers/permanent-farmland/features?bbox=114.3,34.7,114.31,34.71', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SIGN_IN_REQUIRED');
  });

  it('refuses a signed-in change without the session’s CSRF token', async () => {
    const s = sessions.get('planner')!;
    const body = { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: '测试' } };
    const without = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body, headers: { cookie: s.cookie } });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body, headers: { cookie: s.cookie, 'x-csrf-token': 'forged' } });
    expect(wrong.statusCode).toBe(403);
    const right = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body, headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
    expect(right.statusCode, right.body).toBe(201);
  });

  it('declares who may call every route, as the snapshot says (UPDATE=1 rewrites it)', async () => {
    const table = Object.fromEntries([...app.accessTable.entries()].sort(([a], [b]) => a.localeCompare(b)));
    if (process.env.UPDATE) writeFileSync(SNAPSHOT, JSON.stringify(table, null, 2) + '\n');
    expect(existsSync(SNAPSHOT), 'the access snapshot is missing (UPDATE=1 writes it on purpose)').toBe(true);
    expect(table).toEqual(JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
    expect(app.accessTable.size).toBeGreaterThan(30);
  });

  it('will not start with an API route that declares no access', async () => {
    const bare = Fastify();
    await bare.register(dbPlugin, { db });
    await bare.register(changesPlugin, { listen: false });
    await bare.register(authPlugin);
    expect(() => bare.get('/api/undeclared', async () => ({}))).toThrow(/没有声明访问权限/);
    await bare.close().catch(() => undefined);
  });

  /** A concrete URL for each route pattern. */
  const SAMPLES: Record<string, string> = {
    ':layer': 'permanent-farmland',
    ':id': '1',
    ':code': 'NOPE',
    ':jobId': '00000000-0000-0000-0000-000000000000',
    ':z': '14',
    ':x': '13394',
    ':y': '6516',
    ':fontstack': 'x',
    ':range': '0-255',
  };
  const concrete = (pattern: string) => pattern.replace(/:[a-zA-Z]+/g, (m) => SAMPLES[m] ?? '1');

  it('lets each role reach exactly the routes it is allowed, and tells the rest 401 or 403', async () => {
    const problems: string[] = [];
    for (const [route, who] of app.accessTable) {
      const [method, pattern] = route.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
      if (pattern === '/api/session') continue; // open to everyone by design, exercised above
      const layerDependent = who.startsWith('public layer');
      for (const role of ROLES) {
        const allowed = layerDependent ? ['planner', 'auditor', 'admin'].includes(role) : who.split(', ').includes(role);
        const res = await as(role, method, concrete(pattern), method === 'GET' ? undefined : {});
        const refused = res.statusCode === 401 || res.statusCode === 403;
        const want = role === 'public' ? 401 : 403;
        if (allowed && refused) problems.push(`${role} refused ${route}: ${res.statusCode}`);
        if (!allowed && res.statusCode !== want) problems.push(`${role} not refused ${route}: ${res.statusCode} (want ${want})`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('gives the public a site check with areas and verdicts but no restricted geometry or feature list', async () => {
    const res = await as('public', 'POST', '/api/site-checks', { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: '公众测试' } });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json();
    expect(report.redacted).toBe(true);
    const farmland = report.layers.find((l: { layerId: string }) => l.layerId === 'permanent-farmland');
    expect(farmland.area.m2).toBeGreaterThan(0);
    expect(farmland.features).toEqual([]);
    expect(farmland.intersection).toBeNull();
    expect(report.trimmed.geometry).toBeNull();
    expect(report.verdicts.find((v: { rule: string }) => v.rule === 'permanent-farmland').status).toBe('conflict');
    // the planner reads the same report whole
    const full = (await as('planner', 'GET', `/api/site-checks/${report.id}`)).json();
    expect(full.redacted).toBeUndefined();
    expect(full.layers.find((l: { layerId: string }) => l.layerId === 'permanent-farmland').features.length).toBeGreaterThan(0);
    expect((await as('public', 'GET', `/api/site-checks/${report.id}/export.geojson`)).statusCode).toBe(401);
  });

  it('a crawl of the API and of the tile pyramid (z ≤ 14 over the data) as the public finds no restricted geometry or attribute', async () => {
    const restrictedIds = new Set<string>(RESTRICTED.map((l) => l.id));
    // codes of restricted features a leak would carry: every red-line area, and farmland and cases near the test site
    const codes = new Set<string>();
    for (const l of RESTRICTED) {
      const rows = await db.query<{ code: string }>(`SELECT code FROM ${l.table} ORDER BY id LIMIT 300`);
      for (const r of rows) codes.add(r.code);
    }
    expect(codes.size).toBeGreaterThan(300);
    const leaks: string[] = [];
    // every GET route of the API
    for (const [route] of app.accessTable) {
      const [method, pattern] = route.split(' ');
      if (method !== 'GET' || !pattern!.startsWith('/api/')) continue;
      const urls = pattern!.includes(':layer') ? LAYERS.map((l) => pattern!.replace(':layer', l.id)) : [pattern!];
      for (const url of urls) {
        const res = await as('public', 'GET', concrete(url));
        if (res.statusCode >= 400) continue;
        const body = res.body;
        for (const c of codes) if (body.includes(`"${c}"`)) leaks.push(`${url} carries restricted feature ${c}`);
        if (/\/features/.test(url) && [...restrictedIds].some((id) => url.includes(`/${id}/`))) leaks.push(`${url} answered ${res.statusCode}`);
      }
    }
    // the tile pyramid: restricted layers refused at every tile; public layers carry only their own attributes
    for (let z = 0; z <= 14; z++) {
      const { x: x0, y: y0 } = lonLatToTile(DATA_EXTENT.minLon, DATA_EXTENT.maxLat, z);
      const { x: x1, y: y1 } = lonLatToTile(DATA_EXTENT.maxLon, DATA_EXTENT.minLat, z);
      for (let x = x0; x <= x1; x++) {
        for (let y = y0; y <= y1; y++) {
          for (const l of RESTRICTED) {
            const res = await as('public', 'GET', `/tiles/${l.id}/${z}/${x}/${y}.mvt`);
            if (res.statusCode !== 401) leaks.push(`${l.id} ${z}/${x}/${y}: ${res.statusCode}`);
          }
          if (z > 12) continue; // public layers' contents checked to z12 (beyond, the same features, clipped finer)
          for (const l of PUBLIC_LAYERS) {
            const res = await as('public', 'GET', `/tiles/${l.id}/${z}/${x}/${y}.mvt`);
            if (res.statusCode === 204) continue;
            if (res.statusCode !== 200) {
              leaks.push(`${l.id} ${z}/${x}/${y}: ${res.statusCode}`);
              continue;
            }
            const layers = decodeTile(new Uint8Array(res.rawPayload));
            for (const name of Object.keys(layers)) if (restrictedIds.has(name)) leaks.push(`${l.id} ${z}/${x}/${y} holds ${name}`);
            const allowed = new Set<string>(l.tileAttributes);
            for (const f of Object.values(layers).flat()) {
              for (const k of Object.keys(f.properties)) if (!allowed.has(k)) leaks.push(`${l.id} ${z}/${x}/${y} attribute ${k}`);
            }
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 300_000);
});
