/**
 * Choosing a base map in the layer panel, in headless Chromium: Tianditu imagery (through the
 * server's proxy, from a local server speaking Tianditu's WMTS — Tianditu cannot be reached from
 * here) is drawn under the data and kept in ?basemap= across a reload, with its attribution; the
 * offline vector base map from a PMTiles file (GDAL-made tiles) is read by the pmtiles protocol;
 * back to the offline default, the address holds no base map.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { ARTIFACTS, hasChromium, launchBrowser, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { LAYER_COLOURS, startTileServer, type TileServer } from '../helpers/tile-server.ts';
import { gdalPmtiles } from '../helpers/basemap-fixture.ts';
import { actAs } from '../helpers/session.ts';
import type { Database } from '../../server/src/db/database.ts';

const KEY = '0123456789abcdef0123456789abcdef';

/** The colour drawn at the middle of the map. */
async function centrePixel(page: Page): Promise<[number, number, number]> {
  const png = await page.locator('[data-testid=map]').screenshot();
  const img = sharp(png);
  const { width, height } = await img.metadata();
  const { data } = await img.extract({ left: Math.floor(width! / 2), top: Math.floor(height! / 2), width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
  return [data[0]!, data[1]!, data[2]!];
}

const basemapSource = (page: Page) =>
  page.evaluate(() => {
    const src = window.yizhangtu!.controller.map.getSource('chosen-basemap') as { tiles?: string[]; url?: string; type: string } | undefined;
    return src ? { type: src.type, tiles: src.tiles ?? null, url: src.url ?? null } : null;
  });

describe.runIf(hasChromium || process.env.CI)(`base maps in the workspace (${backend})`, () => {
  let app: FastifyInstance;
  let browser: Browser;
  let upstream: TileServer;
  let base: string;
  let dir: string;
  let closeDb: () => Promise<void>;
  let db: Database;

  beforeAll(async () => {
    upstream = await startTileServer({ key: KEY });
    dir = mkdtempSync(join(tmpdir(), 'yzt-basemap-e2e-'));
    const { path } = gdalPmtiles(dir);
    const t = await openTestDatabase();
    closeDb = t.close;
    db = t.db;
    app = await buildApp({ db: t.db, clientDir: join(process.cwd(), 'dist/client'), basemapSources: { tianditu: { key: KEY, url: upstream.url }, pmtiles: path } });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await closeDb?.();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('switches to Tianditu imagery, draws it with its annotation, and keeps it in the address across a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // no data layers, so what is drawn in the middle is the base map
    await page.goto(`${base}/?layers=#map=12/34.79/114.35`);
    await mapIdle(page);
    const options = page.locator('.basemap-chooser input[type=radio]');
    expect(await options.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['offline', 'pmtiles', 'tianditu-vec', 'tianditu-img', 'tianditu-ter']);
    expect(await page.locator('.basemap-chooser input[value=offline]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=basemap-attribution]').count()).toBe(0);

    upstream.requests.length = 0;
    await page.locator('.basemap-chooser label[data-basemap=tianditu-img]').click();
    await page.waitForFunction(() => !!window.yizhangtu!.controller.map.getSource('chosen-basemap'));
    await mapIdle(page);
    expect(new URL(page.url()).searchParams.get('basemap')).toBe('tianditu-img');
    expect(await page.locator('[data-testid=basemap-attribution]').textContent()).toMatch(/天地图/);
    // the browser asked the server, the server asked "Tianditu" for imagery and its annotation, with the key
    const layers = new Set(upstream.requests.map((u) => u.searchParams.get('LAYER')));
    expect(layers).toEqual(new Set(['img', 'cia']));
    expect(upstream.requests.every((u) => u.searchParams.get('tk') === KEY && u.searchParams.get('TILEMATRIXSET') === 'w')).toBe(true);
    const [r, g, b] = await centrePixel(page);
    const want = LAYER_COLOURS.img!;
    expect(Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2]), `centre pixel ${r},${g},${b}`).toBeLessThan(12);
    await page.screenshot({ path: `${ARTIFACTS}/basemap-tianditu-img-${backend}.png` });
    // the offline base map's own roads and names are not drawn over the imagery
    const offlineShown = () => page.evaluate(() => ['basemap-roads', 'basemap-village-labels'].map((id) => window.yizhangtu!.controller.map.getLayoutProperty(id, 'visibility') ?? 'visible'));
    expect(await offlineShown()).toEqual(['none', 'none']);

    await page.reload();
    await mapIdle(page);
    await page.waitForFunction(() => !!window.yizhangtu!.controller.map.getSource('chosen-basemap'));
    expect(await page.locator('.basemap-chooser input[value=tianditu-img]').isChecked()).toBe(true);
    const src = await basemapSource(page);
    expect(src?.tiles?.[0]).toBe(`${base}/tiles/basemaps/tianditu/img/{z}/{x}/{y}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the offline vector base map from the PMTiles file, and goes back to the offline default', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/?layers=&basemap=pmtiles#map=11/34.85/114.4`);
    await mapIdle(page);
    await page.waitForFunction(() => !!window.yizhangtu!.controller.map.getSource('chosen-basemap'));
    await mapIdle(page);
    expect(await basemapSource(page)).toMatchObject({ type: 'vector', url: `pmtiles://${base}/tiles/basemaps/offline.pmtiles` });
    const water = await page.evaluate(() => window.yizhangtu!.controller.map.querySourceFeatures('chosen-basemap', { sourceLayer: 'water' }).map((f) => f.properties.name));
    expect(water).toContain('黄河');
    const drawn = await page.evaluate(() => window.yizhangtu!.controller.map.queryRenderedFeatures().filter((f) => f.source === 'chosen-basemap').map((f) => f.sourceLayer));
    expect(new Set(drawn)).toContain('water');
    await page.screenshot({ path: `${ARTIFACTS}/basemap-pmtiles-${backend}.png` });

    await page.locator('.basemap-chooser label[data-basemap=offline]').click();
    await page.waitForFunction(() => !window.yizhangtu!.controller.map.getSource('chosen-basemap'));
    expect(new URL(page.url()).searchParams.has('basemap')).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to the offline base map for one the server does not offer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/?basemap=service-999`);
    await mapIdle(page);
    await page.waitForFunction(() => !new URL(window.location.href).searchParams.has('basemap'));
    expect(await page.locator('.basemap-chooser input[value=offline]').isChecked()).toBe(true);
    expect(await basemapSource(page)).toBeNull();
    await page.close();
  });

  it('lets an administrator add the bureau’s service on the 底图 page — refusing 高德 as typed — and the workspace offers it', async () => {
    const admin = (await actAs(app, db, 'admin'))!;
    const { hostname } = new URL(base);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: { cookies: [{ name: 'yzt_session', value: admin.cookie.split('=')[1]!, domain: hostname, path: '/', httpOnly: true, secure: false, sameSite: 'Lax', expires: -1 }], origins: [] } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/admin/basemaps`);
    await page.locator('[data-testid=tianditu-key-state]').filter({ hasText: '末四位' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=tianditu-key-state]').textContent()).toContain(`TIANDITU_KEY，末四位 …${KEY.slice(-4)}`);
    expect(await page.locator('[data-testid=gcj-notice]').textContent()).toMatch(/GCJ-02/);
    const form = page.locator('[data-testid=service-form]');
    await form.locator('input[name=url]').fill('https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8');
    expect(await page.locator('[data-testid=gcj-warning]').textContent()).toMatch(/高德.*GCJ-02/);
    expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
    await form.locator('input[name=url]').fill(`${upstream.url}/xyz/{z}/{x}/{y}.png`);
    await form.locator('input[name=nameZh]').fill('本局影像');
    await form.locator('input[name=nameEn]').fill('Bureau imagery');
    await form.locator('input[name=attribution]').fill('开封市自然资源和规划局');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-testid=service-table] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=admin-notice]').textContent()).toBe('已添加底图服务“本局影像”');
    const id = await page.locator('[data-testid=service-table] tbody tr').first().getAttribute('data-service');

    // in English, nothing but the data is in Chinese
    await page.goto(`${base}/admin/basemaps?lang=en`);
    await page.locator('[data-testid=service-table] tbody tr').first().waitFor({ timeout: 30_000 });
    const words = await page.locator('[data-testid=admin-basemaps]').evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      for (const d of copy.querySelectorAll('[data-i18n=data]')) d.remove();
      // (inputs hold what was typed or stored: data)
      return copy.innerText;
    });
    expect(words.match(/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/g)).toBeNull();

    // the workspace lists it in English by its English name
    await page.goto(`${base}/?lang=en`);
    await mapIdle(page);
    expect(await page.locator(`.basemap-chooser label[data-basemap=service-${id}]`).textContent()).toBe('Bureau imagery');
    await page.locator(`.basemap-chooser label[data-basemap=service-${id}]`).click();
    await page.waitForFunction(() => !!window.yizhangtu!.controller.map.getSource('chosen-basemap'));
    expect(new URL(page.url()).searchParams.get('basemap')).toBe(`service-${id}`);
    expect(errors).toEqual([]);
    await app.inject({ method: 'DELETE', url: `/api/admin/basemaps/services/${id}` });
    await context.close();
  });
});
