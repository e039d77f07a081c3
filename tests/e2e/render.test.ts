/**
 * Render tests: fixed views drawn in headless Chromium, compared pixel by pixel with the
 * expected images in tests/render/expected (tests/helpers/render.ts, tests/render/README.md).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { compareRender } from '../helpers/render.ts';

const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/crossing-farmland.geojson', import.meta.url), 'utf8')).geometry as object;

/** Only the map's canvas is painted: panels, controls and popups stay out of the picture. */
const CANVAS_ONLY = 'body * { visibility: hidden !important; } canvas.maplibregl-canvas { visibility: visible !important; }';

async function drawnMap(page: Page): Promise<Buffer> {
  await mapIdle(page);
  await page.addStyleTag({ content: CANVAS_ONLY });
  return page.locator('.maplibregl-canvas').first().screenshot({ animations: 'disabled' });
}

/** The share of pixels a view may differ by: the two backends' tiles snap a unit apart here and there. */
const ALLOWED = 0.01;

describe.runIf(hasChromium || process.env.CI)(`render tests: fixed views against their expected images (${backend})`, () => {
  let app: FastifyInstance;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ app, base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  const views: { name: string; path: string }[] = [
    // the city and its counties on the offline base map, default layers
    { name: 'offline-z10', path: '/#map=10/34.72/114.55' },
    // the countryside at street level: fields, a village (北韩堂村) and its county road
    { name: 'offline-z15', path: '/#map=15/34.3156/114.3545' },
  ];
  for (const view of views) {
    it(`draws ${view.name} as expected`, async () => {
      const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
      await page.goto(base + view.path);
      const png = await drawnMap(page);
      const r = compareRender(`${view.name}`, png);
      expect(r.differing, `${view.name}: ${(r.differing * 100).toFixed(3)} % of pixels differ (see ${r.diffPath})`).toBeLessThanOrEqual(ALLOWED);
      await page.close();
    });
  }

  it('draws a filed report’s map as expected', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: '渲染测试' } } });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = SiteCheckReport.parse(res.json());
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(`${base}/reports/${id}`);
    const figure = page.locator('[data-testid=report-map][data-figure]').first();
    await figure.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=report-map]')].every((e) => e.getAttribute('data-rendered') === 'true'), null, { timeout: 30_000 });
    const png = await figure.locator('canvas').screenshot({ animations: 'disabled' });
    const r = compareRender('report-map', png);
    expect(r.differing, `report-map: ${(r.differing * 100).toFixed(3)} % of pixels differ (see ${r.diffPath})`).toBeLessThanOrEqual(ALLOWED);
    await page.close();
  });
});
