/**
 * 城市紫线 in the browser: a planner finds it in the layer panel under 其他规划控制线, turns it
 * on and sees the seeded protection range drawn where the database has it; the public sees it
 * locked; a filed report over it prints its verdict with the rule's words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

async function idle(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.yizhangtu!.controller.map;
        if (map.loaded() && map.areTilesLoaded() && !map.isMoving()) resolve();
        else map.once('idle', () => resolve());
      }),
  );
}

describe.runIf(hasChromium || process.env.CI)(`城市紫线 in the browser (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  let street: { code: string; lon: number; lat: number; east: number; mid: number };

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace({ as: 'planner' }));
    const [s] = await db.query<{ code: string; lon: number; lat: number; east: number; mid: number }>(
      `SELECT code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat,
              ST_XMax(geom) AS east, (ST_YMin(geom) + ST_YMax(geom)) / 2 AS mid
         FROM purple_line WHERE name = '宋都御街历史文化街区'`,
    );
    street = s!;
  });
  afterAll(async () => {
    await stop?.();
  });

  it('is listed under 其他规划控制线, turns on from the panel and draws the range where it lies', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/#map=16/${street.lat}/${street.lon}`);
    await idle(page);
    const item = page.locator('[data-group=planning] li[data-layer=purple-line]');
    expect(await page.locator('[data-group=planning] h3').textContent()).toBe('其他规划控制线');
    expect(await item.locator('.name').textContent()).toBe('城市紫线');
    const box = item.locator('input[type=checkbox]');
    expect(await box.isChecked()).toBe(false);
    await box.check();
    expect(new URL(page.url()).searchParams.get('layers')!.split(',')).toContain('purple-line');
    await idle(page);
    const codes = await page.evaluate(([lon, lat]) => {
      const map = window.yizhangtu!.controller.map;
      const p = map.project([lon!, lat!]);
      return map.queryRenderedFeatures([p.x, p.y], { layers: ['purple-line-fill'] }).map((f) => f.properties?.code);
    }, [street.lon, street.lat]);
    expect(codes).toContain(street.code);
    await page.screenshot({ path: `${ARTIFACTS}/purple-line-${backend}.png` });
    await page.close();
  });

  it('is locked for the public', async () => {
    // a context of its own, without the planner's session cookie
    const pub = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await pub.newPage();
      await page.goto(`${base}/`);
      await page.locator('[data-group=planning] li[data-layer=purple-line]').waitFor({ timeout: 30_000 });
      expect(await page.locator('li[data-layer=purple-line]').getAttribute('data-locked')).toBe('signIn');
    } finally {
      await pub.close();
    }
  });

  it('prints the verdict of a filed report over it with the rule’s words', async () => {
    const d = 0.0015;
    const { east: x, mid: y } = street;
    const site = { type: 'Polygon', coordinates: [[[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]] };
    const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: site, use: '商业', name: '紫线报告', stockFirst: { reason: 'location' } } });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json();
    const verdict = report.verdicts.find((v: { rule: string }) => v.rule === 'purple-line');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/reports/${report.id}`);
    const row = page.locator('[data-testid=verdict-purple-line]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-status')).toBe('warn');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('城市紫线');
    expect(text).toContain(verdict.messageZh);
    await page.close();
  });
});
