/**
 * The offline base map in the browser: over a village at z15 the map draws the village's
 * built-up area and its name, the roads near it and, on the city view, the Yellow River and the
 * county seats — in Chinese, and in English with ?lang=en.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

/** The base-map features the map has drawn, by style layer: [layer, kind, class, name, name_en]. */
const drawn = (page: Page, at?: [number, number]) =>
  page.evaluate((lonLat) => {
    const map = window.yizhangtu!.controller.map;
    const ids = map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith('basemap-'));
    const features = lonLat ? map.queryRenderedFeatures(map.project(lonLat), { layers: ids }) : map.queryRenderedFeatures({ layers: ids });
    return features.map((f) => ({ layer: f.layer.id, kind: f.properties.kind, cls: f.properties.class, name: f.properties.name, nameEn: f.properties.name_en }));
  }, at);

describe.runIf(hasChromium || process.env.CI)(`the offline base map in headless Chromium (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  // a named village with a county road near it
  let village: { name: string; name_en: string; lon: number; lat: number };

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace());
    [village] = (await db.query<{ name: string; name_en: string; lon: number; lat: number }>(
      `SELECT p.name, p.name_en, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
         FROM basemap_feature p
        WHERE p.kind = 'place' AND p.class = 'village'
          AND EXISTS (SELECT 1 FROM basemap_feature r WHERE r.kind = 'road' AND ST_DWithin(r.geom, p.geom, 0.006))
        ORDER BY p.id LIMIT 1`,
    )) as [typeof village];
    expect(village).toBeDefined();
  });
  afterAll(async () => {
    await stop?.();
  });

  it('draws the village, its name and the roads by it at z15', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${e.message} ${e.stack ?? ''}`));
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    await page.goto(`${base}/#map=15/${village.lat}/${village.lon}`);
    await mapIdle(page);
    const under = await drawn(page, [village.lon, village.lat]);
    expect(under.map((f) => `${f.layer} ${f.cls}`)).toContain('basemap-villages village');
    const all = await drawn(page);
    expect(all.filter((f) => f.layer === 'basemap-village-labels').map((f) => f.name)).toContain(village.name);
    expect(all.some((f) => f.layer === 'basemap-roads' && f.kind === 'road')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/basemap-village-z15-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes the names in English with ?lang=en', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/?lang=en#map=15/${village.lat}/${village.lon}`);
    await mapIdle(page);
    const label = await page.evaluate((name) => {
      const map = window.yizhangtu!.controller.map;
      return { field: map.getLayoutProperty('basemap-village-labels', 'text-field'), shown: map.queryRenderedFeatures({ layers: ['basemap-village-labels'] }).some((f) => f.properties.name === name) };
    }, village.name);
    expect(label.shown).toBe(true);
    expect(label.field).toEqual(['coalesce', ['get', 'name_en'], ['get', 'name']]);
    expect(village.name_en).toMatch(/ (Village|Community)$/);
    await page.screenshot({ path: `${ARTIFACTS}/basemap-village-z15-en-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the Yellow River, the expressways and the county seats on the city view', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#map=9/34.62/114.55`);
    await mapIdle(page);
    const all = await drawn(page);
    expect(all.some((f) => f.layer === 'basemap-water' && f.name === '黄河')).toBe(true);
    expect(new Set(all.filter((f) => f.layer === 'basemap-roads' && f.cls === 'expressway').map((f) => f.name))).toEqual(new Set(['连霍高速', '大广高速']));
    // every county seat is marked (a dot: never hidden by a colliding label), the city named
    expect(new Set(all.filter((f) => f.layer === 'basemap-place-dots').map((f) => f.name))).toEqual(new Set(['祥符区', '杞县', '通许县', '尉氏县', '兰考县']));
    expect(all.filter((f) => f.layer === 'basemap-seat-labels').map((f) => f.name)).toContain('开封市');
    await page.screenshot({ path: `${ARTIFACTS}/basemap-city-z9-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
