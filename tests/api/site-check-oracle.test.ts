/**
 * The public site check is not an oracle for restricted layers: a scripted reconstruction —
 * 40 m cells tiled over farmland, checked one after the other from one address, as an
 * attacker would — is stopped by the daily budget of checked site area (here 0.05 km²), and
 * recovers no more farmland than that budget, in figures rounded to 0.1 亩 with no feature
 * count. Parallel checks at the budget's edge do not overrun it, a second address has its
 * own budget, an enterprise account has one whatever address it comes from, a planner is not
 * limited and gets the exact report, and the public's checks lapse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import geographiclib from 'geographiclib-geodesic';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { SiteCheckBudget, DEFAULT_SITE_CHECK_LIMITS } from '../../server/src/modules/site-check/budget.ts';
import type { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';

type Polygon = { type: 'Polygon'; coordinates: number[][][] };

const BUDGET_M2 = 50_000; // 75 亩
const M2_PER_MU = 10_000 / 15;
const FARMLAND = ['permanent-farmland', 'general-farmland'];
const RESTRICTED = ['permanent-farmland', 'general-farmland', 'eco-redline'];

/** GRS80 area straight from GeographicLib: the test's own figure for what each check costs. */
function areaM2(g: Polygon): number {
  const geod = new geographiclib.Geodesic.Geodesic(6378137, 1 / 298.257222101);
  const p = geod.Polygon(false);
  for (const [lon, lat] of g.coordinates[0]!.slice(0, -1)) p.AddPoint(lat!, lon!);
  return Math.abs(p.Compute(false, true).area ?? 0);
}

/** A lon/lat square of about `side` metres with its south-west corner at (lon, lat). */
function square(lon: number, lat: number, side: number): Polygon {
  const dLat = side / 110_950;
  const dLon = side / (111_320 * Math.cos((lat * Math.PI) / 180));
  const r = (v: number) => Math.round(v * 1e9) / 1e9;
  return {
    type: 'Polygon',
    coordinates: [[[r(lon), r(lat)], [r(lon + dLon), r(lat)], [r(lon + dLon), r(lat + dLat)], [r(lon), r(lat + dLat)], [r(lon), r(lat)]]],
  };
}

const isStep = (mu: number) => Math.abs(mu * 10 - Math.round(mu * 10)) < 1e-9;

describe(`the public site check is not an oracle for restricted layers (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  /** The attacker's cells: 8 × 8 squares of 40 m over the largest permanent-farmland field. */
  let cells: Polygon[] = [];
  let origin: { lon: number; lat: number };

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({
      db,
      siteCheckLimits: { dailyAreaM2: BUDGET_M2, dailyChecks: 1_000, purgeEveryMs: 0 },
      rateLimitPerMinute: { public: 1_000_000, signedIn: 1_000_000 },
    });
    planner = await signInAs(app, db, 'planner');
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat FROM (SELECT ST_PointOnSurface(geom) AS pt FROM permanent_farmland ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    origin = p!;
    const dLat = 40 / 110_950;
    const dLon = 40 / (111_320 * Math.cos((origin.lat * Math.PI) / 180));
    for (let row = 0; row < 8; row++) for (let col = 0; col < 8; col++) cells.push(square(origin.lon + (col - 4) * dLon, origin.lat + (row - 4) * dLat, 40));
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const check = (geometry: Polygon, opts: { from: string; as?: SignedIn; lang?: string; bufferMeters?: number }) =>
    app.inject({
      method: 'POST',
      url: '/api/site-checks',
      remoteAddress: opts.from,
      payload: { geometry, use: '工业', stockFirst: { reason: 'location' }, ...(opts.bufferMeters ? { bufferMeters: opts.bufferMeters } : {}) },
      headers: {
        ...(opts.as ? { cookie: opts.as.cookie, 'x-csrf-token': opts.as.csrfToken } : {}),
        ...(opts.lang ? { 'accept-language': opts.lang } : {}),
      },
    } as InjectOptions);
  const usage = async (subject: string) =>
    (await db.query<{ checks: number; area_m2: number }>('SELECT checks, area_m2 FROM site_check_usage WHERE subject = $1', [subject]))[0];

  const ATTACKER = '198.51.100.7';
  const answered: { cell: Polygon; report: SiteCheckReport }[] = [];

  it('stops a scripted reconstruction from one address once its checks reach the day’s site area', async () => {
    let checked = 0;
    let refused: { statusCode: number; body: string; headers: Record<string, unknown> } | null = null;
    for (const cell of cells) {
      const res = await check(cell, { from: ATTACKER });
      if (res.statusCode !== 201) {
        refused = res;
        break;
      }
      answered.push({ cell, report: res.json() });
      checked += areaM2(cell);
    }
    // every check that fitted was answered, and the first one that did not was refused
    const cost = cells.map(areaM2);
    let fits = 0;
    for (let sum = 0; fits < cost.length && sum + cost[fits]! <= BUDGET_M2; fits++) sum += cost[fits]!;
    expect(fits).toBeGreaterThan(20);
    expect(fits).toBeLessThan(cells.length);
    expect(answered.length).toBe(fits);
    expect(checked).toBeLessThanOrEqual(BUDGET_M2);
    expect(refused!.statusCode).toBe(429);
    const error = JSON.parse(refused!.body).error;
    expect(error.code).toBe('SITE_CHECK_QUOTA');
    // names the budget, what is left, when it resets, and who is not limited
    expect(error.message).toContain('每天可套核选址面积 75 亩');
    expect(error.message).toContain(`剩余 ${((BUDGET_M2 - checked) / M2_PER_MU).toFixed(1).replace(/\.0$/, '')} 亩`);
    expect(error.message).toMatch(/额度于北京时间 \d{4}-\d{2}-\d{2} 0 时/);
    expect(error.message).toContain('规划人员请登录');
    const retryAfter = Number(refused!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    const en = await check(cells[fits]!, { from: ATTACKER, lang: 'en' });
    expect(en.statusCode).toBe(429);
    expect(en.json().error.message).toMatch(/each address may check 75 mu \(0\.05 km²\) of site area.*resets at 00:00 Beijing time/);

    // what the attacker learnt of farmland is bounded by the site area it was allowed to check
    const recovered = answered.reduce((s, a) => s + a.report.layers.filter((l) => FARMLAND.includes(l.layerId)).reduce((t, l) => t + l.area.m2, 0), 0);
    expect(recovered).toBeGreaterThan(0.5 * checked); // the cells lie on farmland: the attack was worth making
    expect(recovered).toBeLessThanOrEqual(BUDGET_M2);
    const used = await usage(`ip:${ATTACKER}`);
    expect(used!.checks).toBe(fits);
    expect(used!.area_m2).toBeLessThanOrEqual(BUDGET_M2);
    expect(used!.area_m2).toBeCloseTo(checked, 3);
  });

  it('tells the public whether and roughly how much, with no feature count; a planner is not limited and gets it exact', async () => {
    let differs = 0;
    for (const { cell, report } of answered.slice(0, 6)) {
      expect(report.redacted).toBe(true);
      expect(report.coarseAreaMu).toBe(0.1);
      // the planner checks the same cell from the attacker's exhausted address
      const res = await check(cell, { from: ATTACKER, as: planner });
      expect(res.statusCode).toBe(201);
      const full: SiteCheckReport = res.json();
      expect(full.redacted).toBeUndefined();
      for (const l of report.layers.filter((x) => RESTRICTED.includes(x.layerId))) {
        const exact = full.layers.find((x) => x.layerId === l.layerId)!;
        expect(l.count).toBeNull();
        expect(l.features).toEqual([]);
        expect(l.intersection).toBeNull();
        expect(l.intersects).toBe(exact.intersects);
        expect(isStep(l.area.mu)).toBe(true);
        expect(Math.abs(l.area.mu - exact.area.mu)).toBeLessThanOrEqual(0.1 + 1e-9);
        expect(l.shareOfSite).toBeCloseTo(l.area.m2 / report.site.analysedArea.m2, 12);
        expect(exact.count).toBe(exact.features.length);
        if (exact.intersects) expect(exact.count).toBeGreaterThan(0);
        if (!isStep(exact.area.mu)) differs++;
      }
      // the verdicts are the planner's, in words from the rounded figure
      for (const v of report.verdicts) {
        const exact = full.verdicts.find((x) => x.rule === v.rule)!;
        expect(v.status).toBe(exact.status);
        if (v.rule === 'permanent-farmland' && v.status === 'conflict') {
          const pf = report.layers.find((l) => l.layerId === 'permanent-farmland')!;
          expect(v.messageZh).toBe(`占用永久基本农田 约 ${pf.area.mu.toFixed(1)} 亩，一般建设项目不得占用。`);
          expect(v.figures.overlapM2).toBe(pf.area.m2);
        }
      }
      expect(isStep(report.trimmed.lost.mu)).toBe(true);
      // what trimming removed is the sum of the removed layers as this report prints them, not a figure rounded apart
      const removedShown = report.layers.filter((l) => l.layerId === 'permanent-farmland' || l.layerId === 'eco-redline').reduce((sum, l) => sum + l.area.mu, 0);
      expect(report.trimmed.lost.mu.toFixed(1)).toBe(Math.min(removedShown, report.site.analysedArea.mu).toFixed(1));
      expect(report.trimmed.geometry).toBeNull();
    }
    expect(differs).toBeGreaterThan(0); // the exact figures are not already round: the rounding took something away

    // a planner's site larger than the whole budget, from the exhausted address
    const big = await check(square(origin.lon - 0.01, origin.lat - 0.01, 300), { from: ATTACKER, as: planner });
    expect(big.statusCode).toBe(201);
    expect((await usage(`ip:${ATTACKER}`))!.checks).toBe(answered.length);
    const [{ id } = { id: -1 }] = await db.query<{ id: number }>('SELECT id FROM app_user WHERE username = $1', [planner.username]);
    expect(await usage(`user:${id}`)).toBeUndefined();

    // read back by the public, a filed public check is the same rounded report, and says when it lapses
    const again = await app.inject({ method: 'GET', url: `/api/site-checks/${answered[0]!.report.id}`, remoteAddress: '192.0.2.99' });
    expect(again.statusCode).toBe(200);
    const read: SiteCheckReport = again.json();
    expect(read.layers.map((l) => [l.layerId, l.count, l.area.m2])).toEqual(answered[0]!.report.layers.map((l) => [l.layerId, l.count, l.area.m2]));
    expect(Date.parse(read.expiresAt!)).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
  });

  it('lets no parallel burst at the budget’s edge overrun it, and gives a second address its own budget', async () => {
    const from = '198.51.100.8';
    const cell = areaM2(cells[0]!);
    // a first site leaving room for two and a half cells
    const side = Math.sqrt(BUDGET_M2 - 2.5 * cell);
    const first = square(origin.lon + 0.005, origin.lat + 0.005, side);
    expect((await check(first, { from })).statusCode).toBe(201);
    const left = BUDGET_M2 - areaM2(first);
    const fit = Math.floor(left / Math.max(...cells.slice(0, 20).map(areaM2)));
    expect(fit).toBe(2);
    const burst = await Promise.all(cells.slice(0, 20).map((c) => check(c, { from })));
    const codes = burst.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(fit);
    expect(codes.filter((c) => c === 429)).toHaveLength(20 - fit);
    for (const r of burst.filter((x) => x.statusCode === 429)) expect(r.json().error.code).toBe('SITE_CHECK_QUOTA');
    const used = await usage(`ip:${from}`);
    expect(used!.checks).toBe(1 + fit);
    expect(used!.area_m2).toBeLessThanOrEqual(BUDGET_M2);
  });

  it('counts what the overlay looks at: a small site with a wide buffer is charged its buffered area', async () => {
    const res = await check(square(origin.lon, origin.lat, 10), { from: '198.51.100.9', bufferMeters: 200 });
    expect(res.statusCode).toBe(429);
    // a 10 m square (0.15 亩) widened by 200 m: about π·200² + 4·10·200 m² ≈ 200 亩
    const m = /本次选址 ([\d.]+) 亩，超过今日剩余的 75 亩/.exec(res.json().error.message);
    expect(Number(m![1])).toBeGreaterThan(190);
  });

  it('limits an enterprise per account, whatever address it comes from', async () => {
    const enterprise = await signInAs(app, db, 'enterprise');
    const a = square(origin.lon + 0.01, origin.lat + 0.01, Math.sqrt(30_000));
    const b = square(origin.lon + 0.015, origin.lat + 0.01, Math.sqrt(30_000));
    const first = await check(a, { from: '203.0.113.1', as: enterprise });
    expect(first.statusCode).toBe(201);
    const report: SiteCheckReport = first.json();
    expect(report.layers.filter((l) => RESTRICTED.includes(l.layerId)).every((l) => l.count === null)).toBe(true);
    expect(report.expiresAt).toBeUndefined(); // signed in: a permanent report
    const second = await check(b, { from: '203.0.113.2', as: enterprise });
    expect(second.statusCode).toBe(429);
    expect(second.json().error.code).toBe('SITE_CHECK_QUOTA');
    expect(second.json().error.message).toContain('每个账号每天可套核');
    // the refused check charged nothing to its address: the public there still has the whole budget
    expect(await usage('ip:203.0.113.2')).toBeUndefined();
    expect((await check(square(origin.lon + 0.02, origin.lat + 0.01, Math.sqrt(45_000)), { from: '203.0.113.2' })).statusCode).toBe(201);
  });

  it('files the public’s checks to lapse and the signed-in ones for good; a lapsed check answers 404 and is purged', async () => {
    const rows = await db.query<{ id: string; created_at: Date | string; expires_at: Date | string | null; owner_id: number | null }>(
      'SELECT id, created_at, expires_at, owner_id FROM site_check',
    );
    const publicRow = rows.find((r) => r.id === answered[0]!.report.id)!;
    expect(publicRow.owner_id).toBeNull();
    const days = (new Date(publicRow.expires_at!).getTime() - new Date(publicRow.created_at).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(DEFAULT_SITE_CHECK_LIMITS.publicReportDays, 3);
    const signedIn = rows.filter((r) => r.owner_id !== null);
    expect(signedIn.length).toBeGreaterThan(0);
    expect(signedIn.every((r) => r.expires_at === null)).toBe(true);

    // an app that keeps the public's checks for no time at all
    const brief = await buildApp({ db, siteCheckLimits: { dailyAreaM2: BUDGET_M2, publicReportDays: 0, purgeEveryMs: 0 } });
    try {
      const res = await brief.inject({ method: 'POST', url: '/api/site-checks', remoteAddress: '192.0.2.50', payload: { geometry: cells[0], use: '工业', stockFirst: { reason: 'location' } } });
      expect(res.statusCode).toBe(201);
      const id = res.json().id as string;
      const lapsed = await brief.inject({ method: 'GET', url: `/api/site-checks/${id}` });
      expect(lapsed.statusCode).toBe(404);
      expect(lapsed.json().error.code).toBe('REPORT_LAPSED');
      expect(lapsed.json().error.message).toContain('已于');
      expect(lapsed.json().error.message).toContain('过期');
      const purged = await new SiteCheckBudget(db, { ...DEFAULT_SITE_CHECK_LIMITS }).purge(100);
      expect(purged).toBeGreaterThanOrEqual(1);
      const gone = await brief.inject({ method: 'GET', url: `/api/site-checks/${id}` });
      expect(gone.statusCode).toBe(404);
      expect(gone.json().error.code).toBe('REPORT_NOT_FOUND');
      // a public check not yet lapsed, and the planner's, are still there
      expect((await brief.inject({ method: 'GET', url: `/api/site-checks/${answered[0]!.report.id}` })).statusCode).toBe(200);
      expect((await brief.inject({ method: 'GET', url: `/api/site-checks/${signedIn[0]!.id}` })).statusCode).toBe(200);
      // and a filed report still refuses deletion unless lapsed
      await expect(db.query('DELETE FROM site_check WHERE id = $1', [answered[0]!.report.id])).rejects.toThrow(/immutable/);
    } finally {
      await brief.close();
    }
  });
});
