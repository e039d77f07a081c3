import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const RESTRICTED = ['permanent-farmland', 'general-farmland', 'eco-redline', 'encroachment'];
const restrictedTile = (url: string) => RESTRICTED.some((id) => new URL(url).pathname.startsWith(`/tiles/${id}/`));

describe.runIf(hasChromium || process.env.CI)(`signing in and out of the map workspace (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  const username = `planner-${Date.now().toString(36)}`;
  const password = 'Correct-Horse-42';

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace({ as: 'public' }));
    await createUser(db, { username, displayName: '测试规划员', role: 'planner', password });
  });
  afterAll(async () => {
    if (db) {
      await db.query('DELETE FROM app_session WHERE user_id IN (SELECT id FROM app_user WHERE username = $1)', [username]).catch(() => undefined);
      await db.query('DELETE FROM app_user WHERE username = $1', [username]).catch(() => undefined);
    }
    await stop?.();
  });

  it('keeps restricted layers off the public map, signs a planner in and out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const tiles: { url: string; status: number }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/tiles/')) tiles.push({ url: r.url(), status: r.status() });
    });

    // the public, with restricted layers asked for in the URL, zoomed in where farmland tiles would load
    const [f] = await db.query<{ lon: number; lat: number }>(
      'SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM permanent_farmland LIMIT 1',
    );
    await page.goto(`${base}/?layers=permanent-farmland,general-farmland,eco-redline,urban-boundary,admin-county#map=14.5/${f!.lat}/${f!.lon}`);
    await mapIdle(page);
    expect(tiles.some((t) => t.url.includes('/tiles/urban-boundary/') || t.url.includes('/tiles/admin-county/'))).toBe(true);
    expect(tiles.filter((t) => restrictedTile(t.url))).toEqual([]);
    expect(tiles.filter((t) => t.status === 401 || t.status === 403)).toEqual([]);
    const farmland = page.locator('li[data-layer=permanent-farmland] input[type=checkbox]');
    expect(await farmland.isDisabled()).toBe(true);
    expect(await farmland.isChecked()).toBe(false);
    expect(await page.locator('li[data-layer=permanent-farmland]').textContent()).toContain('登录后可见');
    expect(await page.locator('li[data-layer=urban-boundary] input[type=checkbox]').isDisabled()).toBe(false);
    // the restricted layers asked for in the URL are dropped from it
    const urlLayers = new URL(page.url()).searchParams.get('layers')!.split(',');
    expect(urlLayers).toContain('urban-boundary');
    expect(urlLayers.filter((id) => RESTRICTED.includes(id))).toEqual([]);
    expect(await page.locator('[data-testid=session-user]').count()).toBe(0);

    // 登录 → the sign-in page, with a `next` back to this view
    await page.locator('[data-testid=signin-link]').click();
    await page.waitForURL((u) => u.pathname === '/signin');
    expect(new URL(page.url()).searchParams.get('next')).toMatch(/^\/\?layers=/);
    expect(await page.locator('.signin-form h1').textContent()).toBe('登录一张图');

    // a wrong password: the server's message, still on the page
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill('Wrong-password-1');
    await page.locator('.signin-form button[type=submit]').click();
    const error = page.locator('[data-testid=signin-error]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await error.textContent()).toMatch(/密码|用户名/);
    expect(new URL(page.url()).pathname).toBe('/signin');

    // the right one: back on the map as the planner
    await page.locator('input[name=password]').fill(password);
    await page.locator('.signin-form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/');
    await mapIdle(page);
    const badge = page.locator('[data-testid=session-user]');
    await badge.waitFor();
    expect(await badge.textContent()).toContain('测试规划员');
    expect(await badge.textContent()).toContain('规划人员');
    expect(await page.locator('[data-testid=signin-link]').count()).toBe(0);

    // the farmland can be turned on now, and its tiles load
    expect(await farmland.isDisabled()).toBe(false);
    await page.evaluate(([lon, lat]) => window.yizhangtu!.controller.map.jumpTo({ center: [lon!, lat!], zoom: 14.5 }), [f!.lon, f!.lat]);
    await mapIdle(page);
    tiles.length = 0;
    await farmland.check();
    await mapIdle(page);
    const farmTiles = tiles.filter((t) => t.url.includes('/tiles/permanent-farmland/'));
    expect(farmTiles.length).toBeGreaterThan(0);
    expect(farmTiles.every((t) => t.status === 200 || t.status === 204)).toBe(true);
    expect(farmTiles.some((t) => t.status === 200)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/signin-planner-${backend}.png` });

    // 退出登录 → the public again
    await page.locator('[data-testid=signout]').click();
    await page.locator('[data-testid=signin-link]').waitFor({ timeout: 15_000 });
    await mapIdle(page);
    expect(await page.locator('[data-testid=session-user]').count()).toBe(0);
    expect(await page.locator('li[data-layer=permanent-farmland] input[type=checkbox]').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends a sign-in only back to a path on this site', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/signin?next=${encodeURIComponent('//evil.example/')}`);
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(password);
    await page.locator('.signin-form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/' && u.origin === base);
    expect(new URL(page.url()).origin).toBe(base);
    await page.close();
  });

  it('tells the public on /audit to sign in instead of showing refused requests', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/audit`);
    const denied = page.locator('[data-testid=audit-denied]');
    await denied.waitFor();
    expect(await denied.textContent()).toContain('请先登录');
    expect(await page.locator('[data-testid=audit-signin]').getAttribute('href')).toBe('/signin?next=%2Faudit');
    await page.close();
  });
});
