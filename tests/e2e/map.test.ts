import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { expectFigure, figureBefore } from '../helpers/figures.ts';
import { StockParcelDetail } from '../../core/contracts/stock.ts';

const rendered = (page: Page, layer: string) =>
  page.evaluate((id) => window.yizhangtu!.controller.renderedFeatures(id as never).map((f) => f.properties), layer);

describe.runIf(hasChromium || process.env.CI)(`the map workspace in headless Chromium (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  it('opens in Chinese on Kaifeng and renders the seeded counties and boundaries', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await mapIdle(page);
    expect(await page.locator('h1').textContent()).toBe('一张图');
    expect(await page.locator('.layer-group h3').allTextContents()).toEqual(['三条控制线', '其他规划控制线', '耕地', '存量土地', '执法图斑', '行政区划']);
    const counties = (await rendered(page, 'admin-county')).map((p) => p.name);
    expect(new Set(counties)).toEqual(new Set(['龙亭区', '顺河回族区', '鼓楼区', '禹王台区', '祥符区', '杞县', '通许县', '尉氏县', '兰考县']));
    const boundaries = await rendered(page, 'urban-boundary');
    expect(boundaries.length).toBeGreaterThan(5);
    expect(String(boundaries[0]!.code)).toMatch(/^CZ41\d{4}\d{3}$/);
    await page.screenshot({ path: `${ARTIFACTS}/map-overview-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('turns a layer off and on again from the panel, and keeps the choice in the URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base + '/');
    await mapIdle(page);
    const toggle = page.locator('li[data-layer=urban-boundary] input[type=checkbox]');
    await toggle.uncheck();
    await mapIdle(page);
    expect(await rendered(page, 'urban-boundary')).toHaveLength(0);
    expect(new URL(page.url()).searchParams.get('layers')!.split(',')).not.toContain('urban-boundary');
    await toggle.check();
    await mapIdle(page);
    expect((await rendered(page, 'urban-boundary')).length).toBeGreaterThan(5);
    expect(new URL(page.url()).searchParams.get('layers')!.split(',')).toContain('urban-boundary');
    await page.close();
  });

  it('opens a popup with a stock parcel’s attributes under their Chinese labels, area in 亩 and 公顷', async () => {
    const [p] = await db.query<{ id: number; code: string; planned_use: string; area_m2: number; lon: number; lat: number }>(
      `SELECT id, code, planned_use, area_m2, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
         FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/?layers=stock-parcel#map=16/${p!.lat}/${p!.lon}`);
    await mapIdle(page);
    const point = await page.evaluate(
      ([lon, lat]) => {
        const map = window.yizhangtu!.controller.map;
        const pt = map.project([lon!, lat!]);
        const rect = map.getCanvas().getBoundingClientRect();
        return { x: rect.left + pt.x, y: rect.top + pt.y };
      },
      [p!.lon, p!.lat],
    );
    await page.mouse.click(point.x, point.y);
    const popup = page.locator(`.feature-popup[data-layer=stock-parcel][data-id="${p!.id}"]`);
    await popup.waitFor({ timeout: 15_000 });
    expect(await popup.locator('h3').textContent()).toBe('存量土地');
    expect(await popup.locator('tr[data-attr=code] th').textContent()).toBe('地块编号');
    expect(await popup.locator('tr[data-attr=code] td').textContent()).toBe(p!.code);
    expect(await popup.locator('tr[data-attr=planned_use] td').textContent()).toBe(p!.planned_use);
    // the area in 亩 and 公顷 as the API has the parcel (GET /api/stock-parcels/{code}), read off the popup as numbers
    const res = await page.request.get(`${base}/api/stock-parcels/${encodeURIComponent(p!.code)}`);
    expect(res.status()).toBe(200);
    const { area } = StockParcelDetail.parse(await res.json());
    const shown = (await popup.locator('tr[data-attr=area_m2] td').textContent())!;
    expectFigure(figureBefore(shown, '亩'), area.mu, 2, '亩');
    expectFigure(figureBefore(shown, '公顷'), area.ha, 4, '公顷');
    await page.screenshot({ path: `${ARTIFACTS}/map-popup-${backend}.png` });
    await page.close();
  });

  it('reads out the cursor in CGCS2000 lon/lat and in Gauss–Krüger zone 38', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#map=12/34.8/114.35`);
    await mapIdle(page);
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const lonlat = await page.locator('[data-testid=coords] output').textContent();
    expect(lonlat).toMatch(/^114\.3\d{5}°E, 34\.[78]\d{5}°N$/);
    await page.locator('[data-testid=coords] select').selectOption('gk');
    await page.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2);
    const gk = await page.locator('[data-testid=coords] output').textContent();
    expect(gk).toMatch(/^X\(北\) 3,85\d,\d{3}\.\d{3} {2}Y\(东\) 38,53\d,\d{3}\.\d{3}$/);
    await page.close();
  });

  it('switches to English and zooms to a county from the list', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base + '/');
    await mapIdle(page);
    await page.locator('.lang-switch').click();
    expect(await page.locator('.layer-group h3').first().textContent()).toBe('Control lines');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.locator('button[data-county="410221"]').click();
    await page.waitForFunction(() => window.yizhangtu!.controller.map.getZoom() > 9.5, null, { timeout: 10_000 });
    const center = await page.evaluate(() => window.yizhangtu!.controller.map.getCenter());
    expect(center.lng).toBeGreaterThan(114.6);
    expect(center.lng).toBeLessThan(114.95);
    await page.close();
  });

  it('serves the client for deep links and keeps unknown API paths as JSON 404s', async () => {
    const page = await browser.newPage();
    const res = await page.goto(base + '/stock/CL410221-2020-00001');
    expect(res?.status()).toBe(200);
    expect(await page.title()).toContain('一张图');
    const api = await page.request.get(base + '/api/nope');
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe('NOT_FOUND');
    await page.close();
  });
});
