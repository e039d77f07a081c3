/**
 * Malformed requests that once answered 500, each now a 4xx naming the problem, on whichever
 * backend the suite runs: NUL characters in text that reaches SQL, ids beyond 32 bits, 3-D and
 * absurd coordinates in a site, multipart with no boundary or cut short, and the rate limit's
 * refusal in both languages.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';

const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/crossing-farmland.geojson', import.meta.url), 'utf8')).geometry as {
  type: 'Polygon';
  coordinates: number[][][];
};
const siteBody = (geometry: unknown) => ({ geometry, use: '工业', stockFirst: { reason: 'other', note: '测试' } });

describe(`malformed requests on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let admin: SignedIn;
  beforeAll(async () => {
    const t = await openTestDatabase();
    db = t.db;
    // the public's site-check budget lifted: the day's usage of 127.0.0.1 on a shared PostGIS is not what is tested here
    app = await buildApp({ db, rateLimitPerMinute: { public: 1_000_000, signedIn: 1_000_000 }, siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000 } });
    close = async () => {
      await app.close();
      await t.close();
    };
    admin = await signInAs(app, db, 'admin');
  }, 60_000);
  afterAll(async () => close?.());

  const as = (s: SignedIn | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, payload: payload as object, headers: { ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrfToken } : {}), ...headers } });

  /** Every refusal's message these tests saw (checked for internal names at the end). */
  const seen: string[] = [];
  const expect4xx = (res: { statusCode: number; body: string }, status: number, mentions: RegExp) => {
    expect(res.statusCode, res.body).toBe(status);
    const body = JSON.parse(res.body);
    expect(body.error.code).toEqual(expect.any(String));
    expect(body.error.message).toMatch(mentions);
    seen.push(body.error.message);
  };

  describe('a NUL character is refused naming the field', () => {
    it('in the sign-in username', async () => {
      expect4xx(await as(null, 'POST', '/api/session', { username: 'ad\u0000min', password: 'x' }), 400, /请求体字段“用户名”含有不允许的字符/);
    });
    it('in a name in a JSON body', async () => {
      expect4xx(await as(admin, 'POST', '/api/admin/users', { username: 'a\u0000b', role: 'planner', password: 'xxxxxxxxxxxx' }), 400, /用户名/);
      expect4xx(await as(admin, 'POST', '/api/me/saved-searches', { name: 'n\u0000', query: {} }), 400, /名称/);
      expect4xx(await as(admin, 'POST', '/api/me/saved-searches', { name: 'n\u0000', query: {} }, { 'accept-language': 'en' }), 400, /request body field "Name"/);
    });
    it('in a query string', async () => {
      expect4xx(await as(null, 'GET', '/api/stock-parcels?q=a%00b'), 400, /查询参数“关键词”/);
      expect4xx(await as(admin, 'GET', '/api/cases?q=a%00b'), 400, /查询参数“图斑编号”/);
    });
    it('in a path parameter', async () => {
      expect4xx(await as(null, 'GET', '/api/stock-parcels/CL%00-1'), 400, /路径参数“地块编号”/);
      expect4xx(await as(null, 'GET', '/api/site-checks/a%00b'), 400, /路径参数“编号”/);
    });
    it('in a saved search parameter', async () => {
      expect4xx(await as(admin, 'POST', '/api/me/saved-searches', { name: 'n', query: { q: 'a\u0000' } }), 400, /检索条件的关键词/);
    });
  });

  describe('an id beyond 32 bits is refused naming the parameter', () => {
    for (const [method, url] of [
      ['GET', '/api/cases/2147483648'],
      ['POST', '/api/cases/2147483648/decisions'],
      ['PATCH', '/api/admin/users/2147483648'],
      ['POST', '/api/admin/users/2147483648/password'],
      ['PATCH', '/api/me/saved-searches/2147483648'],
      ['DELETE', '/api/me/saved-searches/2147483648'],
      ['GET', '/api/me/saved-searches/2147483648/new'],
      ['POST', '/api/me/saved-searches/2147483648/visit'],
      ['POST', '/api/admin/layers/eco-redline/versions/2147483648/restore'],
      ['GET', '/api/layers/stock-parcel/features/2147483648'],
      ['GET', '/api/me/site-checks?page=2147483648'],
      ['GET', '/api/stock-parcels?page=99999999999'],
    ] as const) {
      it(`${method} ${url}`, async () => {
        const body = method === 'POST' || method === 'PATCH' ? { version: 1, status: '违法占用', name: 'x', password: 'xxxxxxxxxxxx', displayName: 'x' } : undefined;
        const res = await as(admin, method, url, body);
        expect4xx(res, 400, /编号|版本号|页码/);
        expect(res.json().error.details?.map((d: { field: string }) => d.field)).toEqual([expect.stringMatching(/^(id|versionNo|page)$/)]);
      });
    }
    it('a case decision on a version beyond 32 bits', async () => {
      const res = await as(admin, 'POST', '/api/cases/1/decisions', { version: 2147483648, status: '违法占用' });
      expect4xx(res, 400, /版本/);
    });
  });

  describe('a site geometry', () => {
    it('with a Z coordinate is checked in 2-D', async () => {
      const g = { type: 'Polygon', coordinates: SITE.coordinates.map((r) => r.map(([x, y]) => [x!, y!, 87.5])) };
      const res = await as(null, 'POST', '/api/site-checks', siteBody(g));
      expect(res.statusCode, res.body).toBe(201);
      const plain = await as(null, 'POST', '/api/site-checks', siteBody(SITE));
      expect(res.json().site.area.m2).toBeCloseTo(plain.json().site.area.m2, 6);
    });
    it('with four numbers in a position is refused', async () => {
      const g = { type: 'Polygon', coordinates: SITE.coordinates.map((r) => r.map(([x, y]) => [x!, y!, 1, 2])) };
      expect4xx(await as(null, 'POST', '/api/site-checks', siteBody(g)), 400, /坐标须为 \[经度, 纬度\] 或 \[经度, 纬度, 高程\]/);
    });
    it('with coordinates of 1e300 is refused as out of range', async () => {
      const g = { type: 'Polygon', coordinates: [[[1e300, 1e300], [1e300 + 1, 1e300], [1e300, -1e300], [1e300, 1e300]]] };
      expect4xx(await as(null, 'POST', '/api/site-checks', siteBody(g)), 400, /经度数值超出范围/);
      expect4xx(await as(null, 'POST', '/api/site-checks', siteBody(g), { 'accept-language': 'en' }), 400, /Coordinates of the site \(item 1\/1\/1\) must be at most/);
      expect4xx(await as(null, 'POST', '/api/stock-parcels/match', { use: '工业', areaMu: 10, near: g }), 400, /经度数值超出范围/);
    });
  });

  describe('a sign-in username of 1 MB', () => {
    const huge = 'u'.repeat(1024 * 1024);
    it('is refused as too long, not as empty, in Chinese', async () => {
      const res = await as(null, 'POST', '/api/session', { username: huge, password: 'x' });
      expect4xx(res, 400, /^请求体无效：用户名最多 40 个字符$/);
    });
    it('and in English', async () => {
      const res = await as(null, 'POST', '/api/session', { username: huge, password: 'x' }, { 'accept-language': 'en' });
      expect4xx(res, 400, /^Invalid request body: User name: at most 40 characters$/);
    });
    it('a username of spaces only is empty', async () => {
      expect4xx(await as(null, 'POST', '/api/session', { username: '   ', password: 'x' }), 400, /用户名不能为空/);
    });
  });

  describe('zod issues in the request’s language, fields in words', () => {
    it('a wrong type in a query', async () => {
      expect4xx(await as(null, 'GET', '/api/stock-parcels?page=abc'), 400, /^查询参数无效：页码须为整数$/);
      expect4xx(await as(null, 'GET', '/api/stock-parcels?page=abc', undefined, { 'accept-language': 'en' }), 400, /^Invalid query parameter: Page must be a number$/);
    });
    it('a nested field of the body', async () => {
      const body = { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: 'x'.repeat(600) } };
      expect4xx(await as(null, 'POST', '/api/site-checks', body), 400, /^请求体无效：理由说明最多 500 个字符$/);
      const en = await as(null, 'POST', '/api/site-checks', body, { 'accept-language': 'en' });
      expect4xx(en, 400, /^Invalid request body: Explanation of the reason: at most 500 characters$/);
      expect(en.json().error.details).toEqual([{ field: 'stockFirst.note', message: 'Explanation of the reason: at most 500 characters' }]);
    });
    it('a field named by what it means on its route', async () => {
      expect4xx(await as(null, 'POST', '/api/stock-parcels/match', { use: '工业', areaMu: 10, limit: null }), 400, /^请求体无效：候选数应为数字$/);
      expect4xx(await as(admin, 'GET', '/api/cases?status=%ED%A0%80'), 400, /查询参数“核查状态”/);
      expect4xx(await as(null, 'GET', '/api/stock-parcels?status=%ED%A0%80'), 400, /查询参数“供应状态”/);
    });
    it('a missing field is required', async () => {
      expect4xx(await as(null, 'POST', '/api/site-checks', { use: '工业', stockFirst: { reason: 'other', note: 'n' } }, { 'accept-language': 'en' }), 400, /Site is required/);
    });
  });

  it('no refusal above writes an internal (camelCase) name or zod’s English into Chinese text', () => {
    const chinese = seen.filter((m) => /[\u4e00-\u9fff]/.test(m));
    expect(chinese.length).toBeGreaterThan(20);
    for (const m of chinese) {
      // values quoted as sent (“-detectedOn”) are data, not names
      const unquoted = m.replace(/“[^”]*”|"[^"]*"/g, '');
      expect(unquoted, m).not.toMatch(/(?<![\w-])[a-z]+[A-Z][A-Za-z0-9]*/);
      expect(unquoted, m).not.toMatch(/Invalid input|expected|received/);
    }
  });

  describe('multipart with no boundary or cut short', () => {
    const routes = ['/api/geometry/parse', '/api/cases/import', '/api/admin/layers/eco-redline/imports'];
    for (const url of routes) {
      it(`${url}: no boundary`, async () => {
        const res = await as(admin, 'POST', url, 'whatever', { 'content-type': 'multipart/form-data' });
        expect4xx(res, 400, /boundary/i);
      });
      it(`${url}: cut short`, async () => {
        const payload = `--b\r\nContent-Disposition: form-data; name="file"; filename="a.geojson"\r\nContent-Type: application/json\r\n\r\n{"type":"FeatureCollection"`;
        const res = await as(admin, 'POST', url, payload, { 'content-type': 'multipart/form-data; boundary=b' });
        expect4xx(res, 400, /不完整|cut short|incomplete/i);
      });
    }
  });
});

describe(`the rate limit's refusal on ${backend}`, () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const t = await openTestDatabase();
    app = await buildApp({ db: t.db, rateLimitPerMinute: { public: 3 } });
    close = async () => {
      await app.close();
      await t.close();
    };
  }, 60_000);
  afterAll(async () => close?.());

  it('says to wait, in Chinese and in English, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/api/layers' });
    const zh = await app.inject({ method: 'GET', url: '/api/layers' });
    expect(zh.statusCode).toBe(429);
    expect(Number(zh.headers['retry-after'])).toBeGreaterThan(0);
    expect(zh.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^请求过于频繁，请 \d+ 秒后再试$/) } });
    const en = await app.inject({ method: 'GET', url: '/api/layers', headers: { 'accept-language': 'en' } });
    expect(en.statusCode).toBe(429);
    expect(en.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many requests; try again in \d+ s$/) } });
  });
  it('on sign-in (20 a minute), in English', async () => {
    for (let i = 0; i < 20; i++) await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'x' } });
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'nobody', password: 'x' }, headers: { 'accept-language': 'en' } });
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toEqual({ code: 'RATE_LIMITED', message: expect.stringMatching(/^Too many requests/) });
  });
});
