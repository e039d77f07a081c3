/**
 * Stock first (存量优先) in the site-check panel, in headless Chromium: a pasted site and its
 * planned use bring the stock-land candidates — the ones the match API gives — onto the
 * panel and the map before any verdict; the check runs only once a reason for new land is
 * given (preset to “none found” when nothing fits), and the filed report and its page print
 * what was found and why new land all the same.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { StockMatchResponse } from '../../core/contracts/stock.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import { toAreaUnits } from '../../core/units.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { RULE_IDS } from '../../core/layers.ts';
import { expectFigure, expectFigures, figureBefore } from '../helpers/figures.ts';

type Polygon = { type: 'Polygon'; coordinates: number[][][] };
/** A 150 m square inside the urban development boundary (≈ 33.7 亩). */
const SMALL = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/inside-boundary.geojson', import.meta.url), 'utf8')).geometry as Polygon;

/** The page's session CSRF token, for requests the test sends through the page's context. */
async function csrf(page: Page): Promise<Record<string, string>> {
  const { csrfToken } = (await (await page.request.get(new URL('/api/session', page.url()).href)).json()) as { csrfToken: string | null };
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

/** A square of `sideM` metres centred where SMALL lies. */
function square(sideM: number): Polygon {
  const ring = SMALL.coordinates[0]!;
  const cx = (Math.min(...ring.map((p) => p[0]!)) + Math.max(...ring.map((p) => p[0]!))) / 2;
  const cy = (Math.min(...ring.map((p) => p[1]!)) + Math.max(...ring.map((p) => p[1]!))) / 2;
  const dx = sideM / 2 / 91_400;
  const dy = sideM / 2 / 110_940;
  const r = (v: number) => Math.round(v * 1e7) / 1e7;
  return { type: 'Polygon', coordinates: [[[r(cx - dx), r(cy - dy)], [r(cx + dx), r(cy - dy)], [r(cx + dx), r(cy + dy)], [r(cx - dx), r(cy + dy)], [r(cx - dx), r(cy - dy)]]] };
}

async function mapReady(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.locator('button[data-tool=polygon]:not([disabled])').waitFor({ timeout: 30_000 });
}

/** Pastes a polygon's outer ring as “lon lat” lines and puts it on the map. */
async function pasteSite(page: Page, g: Polygon) {
  await page.locator('[data-testid=sc-upload] summary').click();
  await page.locator('[data-testid=sc-upload] textarea').fill(g.coordinates[0]!.map(([lon, lat]) => `${lon} ${lat}`).join('\n'));
  await page.locator('[data-testid=sc-upload] button', { hasText: '读取粘贴的坐标' }).click();
  await page.locator('[data-testid=parse-result]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid=use-parsed]').click();
  await page.locator('[data-testid=site-status][data-vertices="4"]').waitFor({ timeout: 10_000 });
}

/** The features of the stock-candidate overlay on the map (in the source, wherever the view is). */
const stockOverlay = (page: Page) =>
  page.evaluate(() => {
    const source = window.yizhangtu!.controller.map.getSource('overlay-stock') as unknown as { serialize(): { data: GeoJSON.FeatureCollection } } | undefined;
    return source ? source.serialize().data.features.map((f) => f.properties!) : null;
  });

describe.runIf(hasChromium || process.env.CI)(`stock first in the site-check panel (${backend})`, () => {
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  it('lists the stock candidates before any verdict, asks for a reason, files it, and the report prints it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await mapReady(page);
    await pasteSite(page, SMALL);

    // the site is on the map: the stock step asks for the use; nothing about new land yet
    await page.locator('[data-testid=stock-first][data-status=idle]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=stock-first] h3').textContent()).toBe('存量优先套核');
    expect(await page.locator('[data-testid=new-land]').count()).toBe(0);
    expect(await page.locator('button[data-action=run]').count()).toBe(0);

    // 工业: the panel asks the match API for the site's use and ellipsoidal area near the site
    const asked = page.waitForRequest((r) => r.url().endsWith('/api/stock-parcels/match') && r.method() === 'POST');
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    const body = (await asked).postDataJSON() as { use: string; areaMu: number; near: Polygon; limit: number };
    expect(body.use).toBe('工业');
    expect(body.limit).toBe(5);
    expect(body.near.type).toBe('Polygon');
    expect(Math.abs(body.areaMu - toAreaUnits(ellipsoidalArea(SMALL)).mu) / body.areaMu).toBeLessThan(1e-9);
    // the same question asked of the API directly
    const api = StockMatchResponse.parse(await (await page.request.post(`${base}/api/stock-parcels/match`, { data: body, headers: await csrf(page) })).json());
    expect(api.candidates.length).toBeGreaterThan(0);

    const step = page.locator('[data-testid=stock-first][data-status=ready]');
    await step.waitFor({ timeout: 30_000 });
    expect(await step.locator('[data-testid=stock-summary]').textContent()).toBe(api.summaryZh);
    const items = step.locator('[data-testid=stock-candidates] > li');
    expect(await items.count()).toBe(api.candidates.length);
    for (const [i, c] of api.candidates.entries()) {
      const li = items.nth(i);
      expect(await li.getAttribute('data-rank')).toBe(String(c.rank));
      expect(await li.getAttribute('data-kind')).toBe(c.kind);
      expect(Number(await li.getAttribute('data-score'))).toBe(c.score);
      expect(await li.getAttribute('data-codes')).toBe(c.parcels.map((p) => p.code).join(','));
      expect(await li.locator('.sf-kind').textContent()).toBe(c.kind === 'single' ? '单宗' : '组合');
      expectFigures((await li.locator('[data-testid=stock-score]').textContent())!, '{} 分', [c.score], [1], `candidate ${c.rank} score`);
      for (const p of c.parcels) expect(await li.locator(`li[data-code="${p.code}"] a`).getAttribute('href')).toBe(`/stock/${encodeURIComponent(p.code)}`);
      expect(Number(await li.locator('[data-testid=stock-total]').getAttribute('data-m2'))).toBe(c.totalArea.m2);
      const total = (await li.locator('[data-testid=stock-total]').textContent())!;
      expect(total).toMatch(/^合计：/);
      expectFigure(figureBefore(total, '亩'), c.totalArea.mu, 2, `candidate ${c.rank} 亩`);
      expectFigure(figureBefore(total, '公顷'), c.totalArea.ha, 4, `candidate ${c.rank} 公顷`);
      if (c.distanceM !== null) expect(await li.locator('[data-testid=stock-total]').textContent()).toContain('距选址');
      const parts = li.locator('.sf-parts li');
      expect(await parts.count()).toBe(4);
      for (const [j, part] of c.parts.entries()) {
        expect(await parts.nth(j).getAttribute('data-part')).toBe(part.key);
        expect(await parts.nth(j).locator('.sf-part-detail').textContent()).toBe(part.detailZh);
      }
    }
    // drawn on the map, one feature a candidate, in the candidates' own style
    const drawn = await stockOverlay(page);
    expect(drawn?.map((p) => p.codes)).toEqual(api.candidates.map((c) => c.parcels.map((p) => p.code).join(',')));
    // “show on map” brings the first candidate (with the site) into view
    await items.nth(0).locator('button[data-action=show-candidate]').click();
    await page.waitForFunction(
      () => {
        const c = window.yizhangtu!.controller;
        return !c.map.isMoving() && c.renderedOverlay('stock').some((f) => f.properties?.rank === 1);
      },
      null,
      { timeout: 15_000 },
    );

    // no verdict yet; the new-land section comes after the candidates, and waits for a reason
    expect(await page.locator('[data-testid=site-result]').count()).toBe(0);
    const order = await page.evaluate(() => {
      const stock = document.querySelector('[data-testid=stock-first]')!;
      const newLand = document.querySelector('[data-testid=new-land]')!;
      return stock.compareDocumentPosition(newLand) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    const section = page.locator('[data-testid=new-land]');
    expect(await section.locator('h3').textContent()).toBe('继续新增用地审查');
    const reason = section.locator('select[name=reason]');
    const run = page.locator('button[data-action=run]');
    expect(await reason.inputValue()).toBe('');
    expect(await section.locator('option[value=none-found]').isDisabled()).toBe(true);
    expect(await run.isDisabled()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-stock-first-${backend}.png` });

    // 其他 needs a note
    await reason.selectOption('other');
    expect(await run.isDisabled()).toBe(true);
    await section.locator('textarea[name=note]').fill('项目需临近铁路专用线，候选地块均不临线');
    expect(await run.isDisabled()).toBe(false);

    await run.click();
    const result = page.locator('[data-testid=site-result]');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.locator('.sc-verdicts li').count()).toBe(RULE_IDS.length);

    // the filed report: the server's own match — here the same candidates — and the reason
    const id = (await result.getAttribute('data-report'))!;
    const report = SiteCheckReport.parse(await (await page.request.get(`${base}/api/site-checks/${id}`)).json());
    const sf = report.stockFirst;
    if (!sf.checked) throw new Error('a new report records the stock-first step');
    expect(sf.candidates.map((c) => [c.parcels.map((p) => p.code).join(','), c.score])).toEqual(
      api.candidates.map((c) => [c.parcels.map((p) => p.code).join(','), c.score]),
    );
    expect(sf.reason).toEqual({ code: 'other', labelZh: '其他', labelEn: 'Other', note: '项目需临近铁路专用线，候选地块均不临线' });

    // clearing the site takes the candidates off the panel and the map
    await page.locator('button[data-action=clear]').click();
    await page.locator('[data-testid=stock-first]').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await stockOverlay(page)).toBeNull();

    // the report page: 存量优先套核 before the verdicts, with the candidates and the reason
    await page.goto(`${base}/reports/${id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    const sections = await page.locator('[data-section]').evaluateAll((els) => els.map((e) => e.getAttribute('data-section')));
    expect(sections.indexOf('stock-first')).toBeGreaterThan(-1);
    expect(sections.indexOf('stock-first')).toBeLessThan(sections.indexOf('verdicts'));
    const printed = page.locator('[data-section=stock-first]');
    expect(await printed.locator('[data-testid=stock-summary]').textContent()).toBe(sf.summaryZh);
    expect(await printed.locator('[data-testid=stock-candidates] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-codes')))).toEqual(
      sf.candidates.map((c) => c.parcels.map((p) => p.code).join(',')),
    );
    expect(await printed.locator('[data-field=reason]').textContent()).toBe('其他');
    expect(await printed.locator('[data-field=reasonNote]').textContent()).toBe('项目需临近铁路专用线，候选地块均不临线');
    await page.screenshot({ path: `${ARTIFACTS}/report-stock-first-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('presets “none found” when the library has nothing that fits, and the report says so', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/`);
    await mapReady(page);
    await pasteSite(page, square(1500));
    const asked = page.waitForRequest((r) => r.url().endsWith('/api/stock-parcels/match') && r.method() === 'POST');
    await page.locator('.sc-form select[name=use]').selectOption('住宅');
    const api = StockMatchResponse.parse(await (await page.request.post(`${base}/api/stock-parcels/match`, { data: (await asked).postDataJSON(), headers: await csrf(page) })).json());
    expect(api.candidates).toEqual([]);

    const step = page.locator('[data-testid=stock-first][data-status=ready]');
    await step.waitFor({ timeout: 30_000 });
    expect(await step.locator('[data-testid=stock-none]').textContent()).toBe('在选址 10 公里内未找到符合条件的存量地块。');
    expect(await step.locator('[data-testid=stock-radius]').textContent()).toContain('搜索范围：选址 10 公里内');
    expect(await page.locator('[data-testid=new-land-intro]').textContent()).toBe('选址 10 公里内没有符合条件的存量地块，可继续新增用地审查。');
    expect(await step.locator('[data-testid=stock-summary]').textContent()).toBe(api.summaryZh);
    expect(await stockOverlay(page)).toBeNull();
    expect(await page.locator('[data-testid=new-land] select[name=reason]').inputValue()).toBe('none-found');
    expect(await page.locator('[data-testid=site-result]').count()).toBe(0);
    const run = page.locator('button[data-action=run]');
    expect(await run.isDisabled()).toBe(false);
    await run.click();
    const result = page.locator('[data-testid=site-result]');
    await result.waitFor({ timeout: 90_000 });
    const id = (await result.getAttribute('data-report'))!;

    await page.goto(`${base}/reports/${id}`);
    const printed = page.locator('[data-section=stock-first]');
    await printed.waitFor({ timeout: 30_000 });
    expect(await printed.locator('[data-testid=stock-none]').textContent()).toBe('在选址 10 公里内未找到符合条件的存量地块。');
    expect(await printed.locator('[data-field=reason]').textContent()).toBe('未找到可用的存量地块');
    expect(await printed.locator('[data-field=reasonNote]').count()).toBe(0);
    await page.close();
  });

  /**
   * Where a box of lon/lat lies on screen, against the part of the map nothing covers: the map
   * canvas right of whatever the side panel paints (its own box or anything overflowing it).
   */
  const framing = (page: Page, box: [number, number, number, number]) =>
    page.evaluate((b) => {
      const map = window.yizhangtu!.controller.map;
      const canvas = map.getCanvas().getBoundingClientRect();
      const panel = document.querySelector('.side-panel')!;
      let panelRight = panel.getBoundingClientRect().right;
      // what overflows the panel covers the map unless the panel clips it
      if (getComputedStyle(panel).overflowX === 'visible') for (const el of panel.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight) panelRight = Math.max(panelRight, r.right);
      }
      const a = map.project([b[0], b[1]]);
      const c = map.project([b[2], b[3]]);
      const shot = { left: canvas.left + Math.min(a.x, c.x), right: canvas.left + Math.max(a.x, c.x), top: canvas.top + Math.min(a.y, c.y), bottom: canvas.top + Math.max(a.y, c.y) };
      const visible = { left: Math.max(canvas.left, panelRight), right: canvas.right, top: canvas.top, bottom: canvas.bottom };
      return { shot, visible };
    }, box);
  const bboxOfRings = (rings: number[][][]): [number, number, number, number] => {
    const pts = rings.flat();
    return [Math.min(...pts.map((p) => p[0]!)), Math.min(...pts.map((p) => p[1]!)), Math.max(...pts.map((p) => p[0]!)), Math.max(...pts.map((p) => p[1]!))];
  };
  const settled = (page: Page) =>
    page.waitForFunction(() => !window.yizhangtu!.controller.map.isMoving(), null, { timeout: 15_000 });

  it('“show on map” fits the candidate inside the uncovered map, and the check fits the site', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    await mapReady(page);
    await pasteSite(page, SMALL);
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    const step = page.locator('[data-testid=stock-first][data-status=ready]');
    await step.waitFor({ timeout: 30_000 });
    const items = step.locator('[data-testid=stock-candidates] > li');
    const n = await items.count();
    expect(n).toBeGreaterThan(0);
    // a choice of a reason opens the select's longest option: the panel at its widest
    await page.locator('[data-testid=new-land] select[name=reason]').selectOption('location');

    for (let i = 0; i < n; i++) {
      await items.nth(i).locator('button[data-action=show-candidate]').click();
      await page.waitForTimeout(100);
      await settled(page);
      const rank = Number(await items.nth(i).getAttribute('data-rank'));
      const geometry = await page.evaluate((r) => {
        const source = window.yizhangtu!.controller.map.getSource('overlay-stock') as unknown as { serialize(): { data: GeoJSON.FeatureCollection } };
        return source.serialize().data.features.find((f) => f.properties?.rank === r)!.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon;
      }, rank);
      const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
      const { shot, visible } = await framing(page, bboxOfRings(rings));
      const where = `candidate ${rank}: ${JSON.stringify(shot)} in ${JSON.stringify(visible)}`;
      expect(shot.left, where).toBeGreaterThanOrEqual(visible.left);
      expect(shot.right, where).toBeLessThanOrEqual(visible.right);
      expect(shot.top, where).toBeGreaterThanOrEqual(visible.top);
      expect(shot.bottom, where).toBeLessThanOrEqual(visible.bottom);
      // fitted, not a speck: a fifth of the uncovered width or height at least
      expect(Math.max((shot.right - shot.left) / (visible.right - visible.left), (shot.bottom - shot.top) / (visible.bottom - visible.top)), where).toBeGreaterThan(0.2);
    }
    await page.screenshot({ path: `${ARTIFACTS}/site-check-show-candidate-${backend}.png` });

    // 套核: the view goes back to the site, which fills a fair share of it
    await page.locator('button[data-action=run]').click();
    await page.locator('[data-testid=site-result]').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(100);
    await settled(page);
    const { shot, visible } = await framing(page, bboxOfRings(SMALL.coordinates));
    const where = `site: ${JSON.stringify(shot)} in ${JSON.stringify(visible)}`;
    expect(shot.left, where).toBeGreaterThanOrEqual(visible.left);
    expect(shot.right, where).toBeLessThanOrEqual(visible.right);
    expect(shot.top, where).toBeGreaterThanOrEqual(visible.top);
    expect(shot.bottom, where).toBeLessThanOrEqual(visible.bottom);
    expect(Math.max((shot.right - shot.left) / (visible.right - visible.left), (shot.bottom - shot.top) / (visible.bottom - visible.top)), where).toBeGreaterThan(0.25);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-fitted-result-${backend}.png` });
    await page.close();
  });
});
