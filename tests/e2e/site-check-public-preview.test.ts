/**
 * The live preview for the public (not signed in), in headless Chromium: the restricted layers'
 * features are not the public's to fetch, so the preview is the server's (figures only). It shows
 * the site's area and every layer's overlap — restricted ones rounded to 0.1 亩, as the public's
 * report rounds them — with no error and not one 401/403 in the network log, and its figures are
 * the ones the public's filed check then gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { RULE_IDS, getLayer } from '../../core/layers.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

async function ready(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.locator('button[data-tool=polygon]:not([disabled])').waitFor({ timeout: 30_000 });
}

/** Draws a polygon with the vertices at these pixel offsets from the map's centre. */
async function drawAroundCentre(page: Page, offsets: [number, number][]) {
  const c = await page.evaluate(() => {
    const rect = window.yizhangtu!.controller.map.getCanvas().getBoundingClientRect();
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  });
  const pts = offsets.map(([dx, dy]) => ({ x: Math.round(c.x + dx), y: Math.round(c.y + dy) }));
  await page.locator('button[data-tool=polygon]').click();
  for (const p of [...pts, pts[pts.length - 1]!]) {
    await page.mouse.move(p.x, p.y, { steps: 2 });
    await page.mouse.click(p.x, p.y);
    await page.waitForTimeout(60);
  }
  await page.locator('[data-testid=site-status][data-drawing=false][data-tool=""]').waitFor({ timeout: 5_000 });
}

describe.runIf(hasChromium || process.env.CI)(`the public's live preview (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  let field: { lon: number; lat: number };

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace({ as: 'public' }));
    const [f] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM permanent_farmland ORDER BY area_m2 DESC, id LIMIT 1`,
    );
    field = f!;
  });
  afterAll(async () => stop?.());

  it('previews a site over farmland with figures, no error and no 401, and files the same figures', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const refused: string[] = [];
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 401 || r.status() === 403) refused.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#map=15/${field.lat}/${field.lon}`);
    await ready(page);
    expect(await page.locator('[data-testid=session-user]').count()).toBe(0);

    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    await drawAroundCentre(page, [
      [-220, -190],
      [220, -190],
      [220, 190],
      [-220, 190],
    ]);
    const preview = page.locator('[data-testid=site-preview]');
    await page.locator('[data-testid=site-preview][data-status=ready], [data-testid=site-preview][data-status=error]').waitFor({ timeout: 30_000 });
    expect(await preview.textContent()).not.toContain('预览失败');
    expect(refused).toEqual([]);
    expect(await preview.getAttribute('data-status')).toBe('ready');
    expect(await preview.getAttribute('data-source')).toBe('server');
    expect(await preview.locator('.sc-warning').count()).toBe(0);
    // the figures came from the server, not from the restricted layers' features
    expect(asked.filter((u) => u.includes('/api/site-checks/preview')).length).toBeGreaterThan(0);
    expect(asked.filter((u) => /\/api\/layers\/[^/]+\/features/.test(u))).toEqual([]);

    // the site's area and a row per layer; farmland touched, rounded as in the public report
    const siteM2 = Number(await preview.locator('.sc-figure .sc-area').first().getAttribute('data-m2'));
    expect(siteM2).toBeGreaterThan(100_000);
    expect(await preview.locator('tr[data-layer]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-layer')))).toEqual(RULE_IDS);
    const farmland = preview.locator('tr[data-layer=permanent-farmland]');
    expect(Number(await farmland.getAttribute('data-m2'))).toBeGreaterThan(0);
    expect(await farmland.textContent()).toMatch(/约 \d+\.\d 亩/);
    expect(await farmland.locator('td.num').textContent()).toBe('—');
    expect(await preview.locator('[data-testid=preview-coarse-note]').textContent()).toContain('0.1 亩取整');
    // the public boundary layer has its count and both parts
    expect(await preview.locator('tr[data-layer=urban-boundary]').textContent()).toMatch(/边界内.*亩.*边界外.*亩/);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-public-preview-${backend}.png` });

    // what the preview said is what the filed check says
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=new-land] select[name=reason]').selectOption('location');
    await page.locator('button[data-action=run]').click();
    const result = page.locator('[data-testid=site-result]');
    await result.waitFor({ timeout: 60_000 });
    expect(Number(await result.locator('[data-testid=site-area] .sc-area').first().getAttribute('data-m2'))).toBeCloseTo(siteM2, 3);
    for (const layer of RULE_IDS) {
      const shown = Number(await preview.locator(`tr[data-layer=${layer}]`).getAttribute('data-m2'));
      const filed = Number(await result.locator(`[data-testid=overlap-table] tr[data-layer=${layer}]`).getAttribute('data-m2'));
      expect(shown, layer).toBeCloseTo(filed, 3);
      if (getLayer(layer)?.sensitivity === 'restricted') expect(await result.locator(`[data-testid=overlap-table] tr[data-layer=${layer}] td.num`).textContent()).toBe('—');
    }

    // the compliant part: its area, and why its outline is not drawn — never "nothing is left"
    const trimmed = result.locator('[data-testid=trimmed]');
    expect(await trimmed.textContent()).not.toMatch(/无剩余|没有剩余/);
    expect(await trimmed.locator('[data-testid=trimmed-withheld]').textContent()).toContain('合规范围的图形不在公众版中给出');

    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
