/**
 * 卫片 review with imagery, in headless Chromium: the case page compares the demo's two periods
 * (seeds/lib/imagery.ts — the case is a new built-up patch in 2026 Q3 only) with a swipe; the
 * divider dragged to either edge shows the one period or the other at the case's centre (read
 * from the screen); side by side shows both; the queue's next case opens with the comparison on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseListResponse } from '../../core/contracts/cases.ts';
import type { Database } from '../../server/src/db/database.ts';
import { loadDemoImagery } from '../../server/src/seed/imagery.ts';
import { generateDataset } from '../../seeds/generate.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { TEST_SEED } from '../helpers/backend.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { compareRender } from '../helpers/render.ts';

let app: FastifyInstance;
let db: Database;
let base: string;
let browser: Browser;
let stop: () => Promise<void>;
let dir: string;

/** The colour on screen at the centre of an element. */
async function centreColour(page: Page, selector: string): Promise<[number, number, number]> {
  const box = (await page.locator(selector).boundingBox())!;
  const png = await page.screenshot({ clip: { x: Math.round(box.x + box.width / 2) - 2, y: Math.round(box.y + box.height / 2) - 2, width: 4, height: 4 } });
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // the middle of the 4 × 4 (device pixels may be more than one per CSS pixel)
  const n = data.length / 3;
  const k = Math.floor(n / 2) * 3;
  return [data[k]!, data[k + 1]!, data[k + 2]!];
}
const isRoof = (c: number[]) => c[2]! > c[0]! + 50 && c[2]! > c[1]! + 30;

async function dragSwiperTo(page: Page, fraction: number) {
  const wrap = (await page.locator('[data-testid=imagery-compare]').boundingBox())!;
  const swiper = (await page.locator('.compare-swiper-vertical').boundingBox())!;
  await page.mouse.move(swiper.x + swiper.width / 2, swiper.y + swiper.height / 2);
  await page.mouse.down();
  await page.mouse.move(wrap.x + wrap.width * fraction, swiper.y + swiper.height / 2, { steps: 8 });
  await page.mouse.up();
}

describe.skipIf(!hasChromium)('imagery swipe on a case page', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yzt-e2e-imagery-'));
    ({ app, db, base, browser, stop } = await startWorkspace({ imageryDir: dir }));
    await loadDemoImagery(db, dir, generateDataset({ scale: 'demo', seed: TEST_SEED }));
  }, 300_000);
  afterAll(async () => {
    await db?.query('DELETE FROM imagery_layer WHERE demo');
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('swipes between 2025 Q3 and 2026 Q3 over the case, and keeps the comparison on to the next case', async () => {
    // the first pending satellite case in the default queue order, large enough to fill the map's centre
    const list = CaseListResponse.parse((await app.inject({ url: '/api/cases?source=卫片&sort=-area&pageSize=5' })).json());
    const c = list.items[0]!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    try {
      await page.goto(`${base}/audit/cases/${c.id}?source=卫片&sort=-area&imagery=swipe`);
      const compare = page.locator('[data-testid=imagery-compare][data-mode=swipe][data-loaded=true]');
      await compare.waitFor({ timeout: 60_000 });
      await compare.scrollIntoViewIfNeeded();
      await expect.poll(() => page.locator('.maplibregl-compare .compare-swiper-vertical').count()).toBe(1);
      await page.waitForTimeout(300);

      // divider at the right edge: the earlier period everywhere — farmland or bare land at the case
      await dragSwiperTo(page, 0.97);
      await page.waitForTimeout(200);
      const before = await centreColour(page, '[data-testid=imagery-compare]');
      // at the left edge: the later period — the new roofs
      await dragSwiperTo(page, 0.03);
      await page.waitForTimeout(200);
      const after = await centreColour(page, '[data-testid=imagery-compare]');
      await page.screenshot({ path: `${ARTIFACTS}/imagery-swipe.png` });
      expect(isRoof(after), `2026 Q3 at the case's centre: ${after}`).toBe(true);
      expect(isRoof(before), `2025 Q3 at the case's centre: ${before}`).toBe(false);
      const pos = await page.evaluate(() => window.yizhangtuImagery?.compare?.currentPosition ?? null);
      const width = (await page.locator('[data-testid=imagery-compare]').boundingBox())!.width;
      expect(pos).toBeLessThan(width * 0.1);

      // side by side: two maps, the same view
      await page.locator('[data-testid=imagery-mode-side]').check();
      await page.locator('[data-testid=imagery-compare][data-mode=side][data-loaded=true]').waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get('imagery')).toBe('side');
      expect(await page.locator('.maplibregl-compare').count()).toBe(0);
      const [l, r] = await Promise.all([centreColour(page, '[data-testid=imagery-before]'), centreColour(page, '[data-testid=imagery-after]')]);
      expect(isRoof(l)).toBe(false);
      expect(isRoof(r)).toBe(true);

      // the next case in the queue opens with the comparison on
      const next = page.locator('[data-testid=next-case]:not([disabled])');
      await next.waitFor({ timeout: 30_000 });
      const nextId = Number(await next.getAttribute('data-id'));
      await next.click();
      await page.locator(`[data-testid=case][data-id="${nextId}"]`).waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get('imagery')).toBe('side');
      await page.locator('[data-testid=imagery-compare][data-mode=side][data-loaded=true]').waitFor({ timeout: 60_000 });
    } finally {
      await page.close();
    }
  });

  it('draws the swipe over the largest satellite case as expected (render test)', async () => {
    const list = CaseListResponse.parse((await app.inject({ url: '/api/cases?source=卫片&sort=-area&pageSize=1' })).json());
    const c = list.items[0]!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    try {
      await page.goto(`${base}/audit/cases/${c.id}?source=卫片&sort=-area&imagery=swipe`);
      const compare = page.locator('[data-testid=imagery-compare][data-mode=swipe][data-loaded=true]');
      await compare.waitFor({ timeout: 60_000 });
      await compare.scrollIntoViewIfNeeded();
      await expect.poll(() => page.locator('.maplibregl-compare .compare-swiper-vertical').count()).toBe(1);
      // the divider in the middle: 2025 Q3 on the left, 2026 Q3 with the case's new roofs on the right
      await page.evaluate(() => {
        const cmp = window.yizhangtuImagery?.compare as { setSlider?: (x: number) => void; _setPosition?: (x: number) => void } | undefined;
        const el = document.querySelector('[data-testid=imagery-compare]')!;
        (cmp?.setSlider ?? cmp?._setPosition)?.call(cmp, el.getBoundingClientRect().width / 2);
      });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.waitForTimeout(500);
      const png = await compare.screenshot({ animations: 'disabled' });
      const r = compareRender('imagery-swipe', png);
      expect(r.differing, `imagery-swipe: ${(r.differing * 100).toFixed(3)} % of pixels differ (see ${r.diffPath})`).toBeLessThanOrEqual(0.01);
    } finally {
      await page.close();
    }
  });

  it('offers the periods as base maps in the workspace, a restricted one only to staff, and draws the one chosen', async () => {
    const periods = ((await app.inject({ url: '/api/imagery' })).json() as { layers: { id: number; periodLabel: string; access: string }[] }).layers;
    const restricted = periods.find((p) => p.access === 'restricted')!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${base}/?basemap=imagery-${restricted.id}#map=14/34.75/114.45`);
      await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.getSource('chosen-basemap'), null, { timeout: 30_000 });
      const tiles = await page.evaluate(() => (window.yizhangtu!.controller.map.getSource('chosen-basemap') as unknown as { tiles: string[] }).tiles);
      expect(tiles[0]).toContain(`/api/imagery/${restricted.id}/tiles/`);
      expect(new URL(page.url()).searchParams.get('basemap')).toBe(`imagery-${restricted.id}`);
      expect(await page.locator(`.basemap-chooser label[data-basemap=imagery-${restricted.id}]`).textContent()).toContain(restricted.periodLabel);
    } finally {
      await page.close();
    }
    // the public is offered the public period only
    const pub = await browser.newContext();
    const p2 = await pub.newPage();
    try {
      await p2.goto(`${base}/#map=12/34.75/114.45`);
      await p2.locator('.basemap-chooser').waitFor({ timeout: 30_000 });
      const offered = await p2.locator('.basemap-chooser label[data-basemap^=imagery-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-basemap')));
      expect(offered).toEqual(periods.filter((p) => p.access === 'public').map((p) => `imagery-${p.id}`));
    } finally {
      await pub.close();
    }
  });
});
