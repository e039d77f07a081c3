/**
 * The server-side live preview (POST /api/site-checks/preview): figures only, for a reader who
 * may not fetch the restricted layers' features. The public's preview of a site gives the figures
 * the public's filed check of the same site gives (restricted layers rounded the same way); a
 * planner's preview gives the filed check's exact figures; a bad site is refused in the reader's
 * language naming the problem; no geometry leaves; previews have a budget of their own that
 * neither counts as filed checks nor is unlimited.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SiteCheckReport, SitePreviewResponse } from '../../core/contracts/site-check.ts';
import { RULE_IDS, getLayer } from '../../core/layers.ts';
import { M2_PER_MU } from '../../core/units.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { signInAs } from '../helpers/session.ts';

type Geometry = { type: 'Polygon'; coordinates: number[][][] };
const fixture = (name: string) =>
  (JSON.parse(readFileSync(new URL(`../fixtures/site-check/in/${name}.geojson`, import.meta.url), 'utf8')) as { geometry: Geometry }).geometry;
/** Crosses permanent farmland and lies outside the boundary; inside-boundary touches neither. */
const SITES = { farmland: fixture('crossing-farmland'), inside: fixture('inside-boundary'), redLine: fixture('touching-red-line') };

const restricted = (id: string) => getLayer(id)?.sensitivity === 'restricted';

describe('POST /api/site-checks/preview', () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  let planner: { cookie: string; csrfToken: string };

  beforeAll(async () => {
    ({ app, db, stop } = await startApi({ as: 'public', rateLimitPerMinute: { public: 1_000_000 } }));
    planner = await signInAs(app, db, 'planner');
  });
  afterAll(async () => stop?.());

  const preview = (payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/api/site-checks/preview', payload: payload as object, headers });
  const file = (geometry: Geometry, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, use: '工业', stockFirst: { reason: 'other', note: '预览测试' } }, headers });
  const asPlanner = () => ({ cookie: planner.cookie, 'x-csrf-token': planner.csrfToken });

  it.each(Object.entries(SITES))('gives the public the figures its filed check gives (%s)', async (_name, site) => {
    const p = await preview({ geometry: site });
    expect(p.statusCode, p.body).toBe(200);
    const got = SitePreviewResponse.parse(p.json());
    const c = await file(site);
    expect(c.statusCode, c.body).toBe(201);
    const report = SiteCheckReport.parse(c.json());
    expect(report.redacted).toBe(true);

    expect(got.siteM2).toBeCloseTo(report.site.area.m2, 6);
    expect(got.analysedM2).toBeCloseTo(report.site.analysedArea.m2, 6);
    expect(got.layers.map((l) => l.layerId)).toEqual(RULE_IDS);
    for (const l of got.layers) {
      const filed = report.layers.find((r) => r.layerId === l.layerId)!;
      // restricted layers: the filed check's 0.1 亩 figure, no count; public layers: the exact figure
      expect(l.m2, l.layerId).toBeCloseTo(filed.area.m2, 6);
      expect(l.count, l.layerId).toBe(filed.count);
      if (restricted(l.layerId)) {
        expect(l.count).toBeNull();
        const steps = l.m2 / (0.1 * M2_PER_MU);
        expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6);
      }
      if (filed.outside) {
        expect(got.boundary!.insideM2).toBeCloseTo(filed.inside!.m2, 6);
        expect(got.boundary!.outsideM2).toBeCloseTo(filed.outside.m2, 6);
      }
    }
    expect(got.truncated).toBe(false);
    expect(got.coarseAreaMu).toBe(0.1);
    // figures only: not one coordinate, no feature list, no code
    expect(p.body).not.toMatch(/coordinates|geometry|features|"code"/);
  });

  it('gives a planner the filed check’s exact figures, with counts', async () => {
    const site = SITES.farmland;
    const p = await preview({ geometry: site, bufferMeters: 20 }, asPlanner());
    expect(p.statusCode, p.body).toBe(200);
    const got = SitePreviewResponse.parse(p.json());
    const c = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: site, bufferMeters: 20, use: '工业', stockFirst: { reason: 'other', note: '预览测试' } },
      headers: asPlanner(),
    });
    expect(c.statusCode, c.body).toBe(201);
    const report = SiteCheckReport.parse(c.json());
    expect(report.redacted).toBeUndefined();
    expect(got.coarseAreaMu).toBeUndefined();
    expect(got.analysedM2).toBeCloseTo(report.site.analysedArea.m2, 6);
    const farmland = got.layers.find((l) => l.layerId === 'permanent-farmland')!;
    const filed = report.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(filed.count).toBeGreaterThan(0);
    expect(farmland.count).toBe(filed.count);
    expect(farmland.m2).toBeCloseTo(filed.area.m2, 6);
    // not rounded to 0.1 亩
    expect(Math.abs(farmland.m2 / (0.1 * M2_PER_MU) - Math.round(farmland.m2 / (0.1 * M2_PER_MU)))).toBeGreaterThan(1e-6);
  });

  it('gives an enterprise the public’s figures, charged to its account as well as its address', async () => {
    const enterprise = await signInAs(app, db, 'enterprise');
    const p = await preview({ geometry: SITES.farmland }, { cookie: enterprise.cookie, 'x-csrf-token': enterprise.csrfToken });
    expect(p.statusCode, p.body).toBe(200);
    const got = SitePreviewResponse.parse(p.json());
    expect(got.coarseAreaMu).toBe(0.1);
    expect(got.layers.find((l) => l.layerId === 'permanent-farmland')!.count).toBeNull();
    const [{ id }] = (await db.query<{ id: number }>('SELECT id FROM app_user WHERE username = $1', [enterprise.username])) as [{ id: number }];
    const rows = await db.query<{ checks: number }>('SELECT checks FROM site_check_usage WHERE subject = $1', [`preview:user:${id}`]);
    expect(rows).toEqual([{ checks: 1 }]);
    expect(await db.query('SELECT 1 FROM site_check_usage WHERE subject = $1', [`user:${id}`])).toEqual([]);
  });

  it('previews only the layers asked for', async () => {
    const p = await preview({ geometry: SITES.farmland, layers: ['permanent-farmland'] });
    expect(p.statusCode, p.body).toBe(200);
    const got = SitePreviewResponse.parse(p.json());
    expect(got.layers.map((l) => l.layerId)).toEqual(['permanent-farmland']);
    expect(got.boundary).toBeNull();
  });

  it('refuses a bad site with 4xx naming the problem, in the reader’s language', async () => {
    const ring = SITES.inside.coordinates[0]!;
    const [a, b, c, d] = ring as [number[], number[], number[], number[]];
    const bowTie = { type: 'Polygon', coordinates: [[a, c, b, d, a]] };
    const zh = await preview({ geometry: bowTie });
    expect(zh.statusCode).toBe(422);
    expect(zh.json().error.code).toBe('SELF_INTERSECTION');
    expect(zh.json().error.message).toMatch(/边界自相交（位置：东经 114\.\d+°，北纬 34\.\d+°）/);
    const en = await preview({ geometry: bowTie }, { 'accept-language': 'en' });
    expect(en.statusCode).toBe(422);
    expect(en.json().error.message).toMatch(/^The site geometry is invalid: the boundary crosses itself at 114\.\d+°E, 34\.\d+°N/);

    const swapped = { type: 'Polygon', coordinates: [ring.map(([x, y]) => [y, x])] };
    const out = await preview({ geometry: swapped });
    expect(out.statusCode).toBe(422);
    expect(out.json().error.code).toBe('OUTSIDE_DATA_EXTENT');
    expect(out.json().error.message).toMatch(/经纬度可能颠倒/);

    const open = { type: 'Polygon', coordinates: [ring.slice(0, -1)] };
    const unclosed = await preview({ geometry: open });
    expect(unclosed.statusCode).toBe(422);
    expect(unclosed.json().error.code).toBe('RING_NOT_CLOSED');
    expect(unclosed.json().error.message).toMatch(/未闭合/);

    const notAPolygon = await preview({ geometry: { type: 'Point', coordinates: [114.3, 34.8] } });
    expect(notAPolygon.statusCode).toBe(400);
    const badLayer = await preview({ geometry: SITES.inside, layers: ['stock-land'] }, { 'accept-language': 'en' });
    expect(badLayer.statusCode).toBe(400);
    expect(badLayer.body).toMatch(/layers/);
  });
});

describe('the preview budget', () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  const site = SITES.inside;

  beforeAll(async () => {
    // a budget of 3 previews and 1 check a day for the public
    ({ app, db, stop } = await startApi({
      as: 'public',
      rateLimitPerMinute: { public: 1_000_000 },
      siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 1_000_000, previewDailyCount: 3, previewDailyAreaM2: 1e12 },
    }));
    await db.query(`DELETE FROM site_check_usage WHERE subject LIKE '%ip:127.0.0.1'`);
  });
  afterAll(async () => {
    await db?.query(`DELETE FROM site_check_usage WHERE subject LIKE '%ip:127.0.0.1'`);
    await stop?.();
  });

  it('charges previews to their own budget, refuses beyond it with 429, and leaves the check budget alone', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/site-checks/preview', payload: { geometry: site } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const over = await app.inject({ method: 'POST', url: '/api/site-checks/preview', payload: { geometry: site } });
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('SITE_PREVIEW_QUOTA');
    expect(over.json().error.message).toMatch(/^选址预览额度不足.*今日 3 次预览已用完/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const usage = await db.query<{ subject: string; checks: number }>(`SELECT subject, checks FROM site_check_usage WHERE subject LIKE '%ip:127.0.0.1'`);
    // three previews in the preview budget, no filed check counted
    expect(usage).toEqual([{ subject: 'preview:ip:127.0.0.1', checks: 3 }]);
    // the check itself still runs
    const c = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '工业', stockFirst: { reason: 'other', note: '预算测试' } } });
    expect(c.statusCode, c.body).toBe(201);
  });

  it('refuses a preview larger than a day’s check area', async () => {
    const { app: small, stop: stopSmall } = await startApi({ as: 'public', rateLimitPerMinute: { public: 1_000_000 }, siteCheckLimits: { dailyAreaM2: 10_000, dailyChecks: 10 } });
    try {
      const r = await small.inject({ method: 'POST', url: '/api/site-checks/preview', payload: { geometry: site }, headers: { 'accept-language': 'en' } });
      expect(r.statusCode).toBe(422);
      expect(r.json().error.code).toBe('PREVIEW_TOO_LARGE');
      expect(r.json().error.message).toMatch(/more than the 15 mu/);
    } finally {
      await stopSmall();
    }
  });

  it('is rate-limited per address and minute', async () => {
    const { app: limited, stop: stopLimited } = await startApi({ as: 'public', siteCheckLimits: { dailyAreaM2: 1e12, dailyChecks: 10, previewDailyCount: 1e6, previewDailyAreaM2: 1e12 } });
    try {
      const codes: number[] = [];
      // an invalid body is refused cheaply, but still counts against the minute's limit
      for (let i = 0; i < 125; i++) codes.push((await limited.inject({ method: 'POST', url: '/api/site-checks/preview', payload: { geometry: { type: 'Point' } } })).statusCode);
      expect(codes.filter((c) => c === 400).length).toBe(120);
      expect(codes.slice(120)).toEqual([429, 429, 429, 429, 429]);
    } finally {
      await stopLimited();
    }
  });
});
