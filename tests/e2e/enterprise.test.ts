/**
 * An enterprise in Chromium, on a database no other file shares: saves a stock-land search on
 * /stock, a parcel then changes to match it, and 我的 (/me) shows 新增 1 宗 and that parcel;
 * opening the search marks it seen; the site check it filed is listed with a link to its
 * report; and its map carries no restricted layer (locked in the panel as 无权查看).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const RESTRICTED = ['permanent-farmland', 'general-farmland', 'eco-redline', 'encroachment'];

describe.runIf(hasChromium || process.env.CI)(`an enterprise's saved searches and own site checks (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  const QUERY = 'use=工业&minArea=20&maxArea=80&sort=area';

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace({ as: 'enterprise', privateDatabase: true }));
  });
  afterAll(async () => {
    await stop?.();
  });

  async function listReady(page: Page) {
    await page.locator('[data-testid=stock-results][data-state=ready]').waitFor({ timeout: 20_000 });
  }

  it('saves a search, sees the parcel that changed to match as new on 我的, and opening the search marks it seen', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/stock?${QUERY}`);
    await listReady(page);
    await page.locator('[data-testid=save-search-open]').click();
    await page.locator('input[name=savedName]').fill('园区工业用地');
    await page.locator('[data-testid=save-search] button[type=submit]').click();
    const saved = page.locator('[data-testid=save-search-state]');
    await saved.waitFor();
    expect(await saved.textContent()).toContain('已保存“园区工业用地”');
    const [row] = await db.query<{ query: unknown; n: number }>(`SELECT query, cardinality(seen_codes) AS n FROM saved_search WHERE name = '园区工业用地'`);
    const query = typeof row!.query === 'string' ? JSON.parse(row!.query) : row!.query;
    expect(query).toEqual({ use: '工业', minArea: '20', maxArea: '80', sort: 'area' });
    const total = Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'));
    expect(row!.n).toBe(total);

    // a supplied industrial parcel of the right size becomes available again
    const [changed] = await db.query<{ id: number; code: string }>(
      `SELECT id, code FROM stock_parcel WHERE planned_use = '工业' AND status = '已供应' AND area_m2 BETWEEN $1 AND $2 ORDER BY id LIMIT 1`,
      [21 * 666.6667, 79 * 666.6667],
    );
    await db.query(`UPDATE stock_parcel SET status = '可供应' WHERE id = $1`, [changed!.id]);

    await page.locator('[data-testid=me-link]').click();
    await page.waitForURL((u) => u.pathname === '/me');
    const item = page.locator('li.me-search', { hasText: '园区工业用地' });
    await item.waitFor();
    expect(await item.getAttribute('data-new')).toBe('1');
    expect(await item.locator('[data-testid=new-count]').textContent()).toBe('新增 1 宗');
    expect(await item.textContent()).toContain(`现有 ${total + 1} 宗符合`);
    await item.locator('button[data-action=show-new]').click();
    const fresh = item.locator('[data-testid=new-parcels] tbody tr');
    await fresh.first().waitFor();
    expect(await fresh.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')))).toEqual([changed!.code]);
    expect(await fresh.first().locator('a').getAttribute('href')).toBe(`/stock/${encodeURIComponent(changed!.code)}`);
    await page.screenshot({ path: `${ARTIFACTS}/enterprise-me-${backend}.png` });

    // opening the search: the stock page with its filters, and nothing new any more
    await item.locator('a[data-action=open]').click();
    await page.waitForURL((u) => u.pathname === '/stock');
    expect(new URL(page.url()).searchParams.get('use')).toBe('工业');
    expect(new URL(page.url()).searchParams.get('minArea')).toBe('20');
    await listReady(page);
    expect(Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'))).toBe(total + 1);
    await page.goto(`${base}/me`);
    const after = page.locator('li.me-search', { hasText: '园区工业用地' });
    await after.waitFor();
    expect(await after.getAttribute('data-new')).toBe('0');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the site check the enterprise filed, linked to its report', async () => {
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    const [lon, lat] = [Number(p!.lon), Number(p!.lat)];
    const filed = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: {
        geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.002], [lon, lat + 0.002], [lon, lat]]] },
        name: '新建厂房选址',
        use: '工业',
        stockFirst: { reason: 'location', note: '需临近铁路专用线' },
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const page = await browser.newPage();
    await page.goto(`${base}/me`);
    const row = page.locator(`[data-testid=my-site-checks] tr[data-report="${filed.json().id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('新建厂房选址');
    expect(await row.locator('a').getAttribute('href')).toBe(`/reports/${filed.json().id}`);
    await page.close();
  });

  it('shows the enterprise a map without restricted layers', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const tiles: string[] = [];
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/tiles/')) tiles.push(path);
    });
    await page.goto(`${base}/?layers=permanent-farmland,eco-redline,urban-boundary,admin-county`);
    await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
    await page.evaluate(() => new Promise<void>((resolve) => window.yizhangtu!.controller.map.once('idle', () => resolve())));
    expect(tiles.some((t) => t.startsWith('/tiles/urban-boundary/') || t.startsWith('/tiles/admin-county/'))).toBe(true);
    expect(tiles.filter((t) => RESTRICTED.some((id) => t.startsWith(`/tiles/${id}/`)))).toEqual([]);
    const farmland = page.locator('li[data-layer=permanent-farmland]');
    expect(await farmland.locator('input[type=checkbox]').isDisabled()).toBe(true);
    expect(await farmland.textContent()).toContain('无权查看');
    expect(await page.locator('[data-testid=session-user]').getAttribute('data-role')).toBe('enterprise');
    await page.close();
  });
});
