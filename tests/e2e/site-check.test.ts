import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { expectFigure, figureBefore } from '../helpers/figures.ts';

/** Waits until the map has loaded and rendered, and the site-check tools are on it. */
async function ready(page: Page) {
  await mapIdle(page);
  await page.locator('button[data-tool=polygon]:not([disabled])').waitFor({ timeout: 30_000 });
}

type Pt = { x: number; y: number };

/** The page position of the map's centre, offset by (dx, dy) pixels. */
async function fromCentre(page: Page, offsets: [number, number][]): Promise<Pt[]> {
  const c = await page.evaluate(() => {
    const map = window.yizhangtu!.controller.map;
    const rect = map.getCanvas().getBoundingClientRect();
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  });
  return offsets.map(([dx, dy]) => ({ x: Math.round(c.x + dx), y: Math.round(c.y + dy) }));
}

/** One click on the map canvas, as a pointer (terra-draw listens to pointer events). */
async function clickMap(page: Page, p: Pt) {
  await page.mouse.move(p.x, p.y, { steps: 2 });
  await page.mouse.click(p.x, p.y);
  await page.waitForTimeout(60);
}

/** Polygon tool: click every vertex, then click the last one again to close the polygon. */
async function drawPolygon(page: Page, pts: Pt[]) {
  await page.locator('button[data-tool=polygon]').click();
  for (const p of pts) await clickMap(page, p);
  await clickMap(page, pts[pts.length - 1]!);
  await page.locator('[data-testid=site-status][data-drawing=false][data-tool=""]').waitFor({ timeout: 5_000 });
}

const previewReady = (page: Page) => page.locator('[data-testid=site-preview][data-status=ready]').waitFor({ timeout: 30_000 });
const m2Of = async (page: Page, selector: string) => Number(await page.locator(selector).first().getAttribute('data-m2'));

describe.runIf(hasChromium || process.env.CI)(`the site check in the map workspace (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  /** A large permanent-farmland field, to draw a site over. */
  let field: { lon: number; lat: number };

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace());
    const [f] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
         FROM permanent_farmland ORDER BY area_m2 DESC, id LIMIT 1`,
    );
    field = f!;
  });
  afterAll(async () => {
    await stop?.();
  });

  it('draws a site over farmland, previews it, checks it, shows the verdicts and the report link, and re-checks the compliant part', async () => {
    // a browser in another time zone: the panel still writes Beijing time, and says so
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#map=15/${field.lat}/${field.lon}`);
    await ready(page);
    expect(await page.locator('.site-check h2').textContent()).toBe('选址套核');

    // four vertices around the field, ~850 m × 750 m at zoom 15 (~2 m a pixel), over several
    // fields and the gaps between them; a stray fifth click is undone before closing
    const [a, b, c, d, stray] = await fromCentre(page, [
      [-220, -190],
      [220, -190],
      [220, 190],
      [-220, 190],
      [-300, 0],
    ]);
    await page.locator('button[data-tool=polygon]').click();
    expect(await page.locator('button[data-tool=polygon]').getAttribute('aria-pressed')).toBe('true');
    for (const p of [a!, b!, c!, stray!]) await clickMap(page, p);
    await page.locator('button[data-action=undo]').click();
    await clickMap(page, d!);
    await clickMap(page, d!); // the last vertex again closes the polygon
    const status = page.locator('[data-testid=site-status]');
    await page.locator('[data-testid=site-status][data-drawing=false][data-tool=""]').waitFor({ timeout: 5_000 });
    expect(await status.getAttribute('data-vertices')).toBe('4');
    expect(await status.textContent()).toContain('4 个顶点');

    // the live preview, marked as such
    await previewReady(page);
    const preview = page.locator('[data-testid=site-preview]');
    expect(await preview.locator('h3').textContent()).toBe('预览（以服务器结果为准）');
    // a planner may fetch every layer: the fast preview in the browser
    expect(await preview.getAttribute('data-source')).toBe('client');
    const previewFarmland = await m2Of(page, '[data-testid=site-preview] tr[data-layer=permanent-farmland]');
    expect(previewFarmland).toBeGreaterThan(0);
    expect(await preview.locator('tr[data-layer=permanent-farmland]').textContent()).toMatch(/\d+\.\d{2} 亩（\d+\.\d{4} 公顷）/);
    expect(await preview.locator('[data-testid=preview-incomplete]').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-preview-${backend}.png` });

    // stock first: choosing the use matches the stock-land library; with nothing found the
    // reason is preset to “none found”, otherwise the planner must choose one
    await page.locator('.sc-form input[name=name]').fill('测试产业园项目');
    const matched = page.waitForResponse((r) => r.url().endsWith('/api/stock-parcels/match'));
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    const offered = ((await (await matched).json()) as { candidates: unknown[] }).candidates.length;
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=new-land] select[name=reason]').inputValue()).toBe(offered === 0 ? 'none-found' : '');
    await page.locator('[data-testid=new-land] select[name=reason]').selectOption('location');

    // the authoritative check
    await page.locator('button[data-action=run]').click();
    const result = page.locator('[data-testid=site-result]');
    await result.waitFor({ timeout: 60_000 });
    const verdict = result.locator('li[data-rule=permanent-farmland]');
    expect(await verdict.getAttribute('data-status')).toBe('conflict');
    expect(await verdict.locator('.sc-badge').textContent()).toBe('冲突');
    expect(await verdict.textContent()).toMatch(/占用永久基本农田 \d+\.\d{2} 亩（\d+\.\d{4} 公顷）/);
    for (const li of await result.locator('.sc-verdicts li').all()) {
      expect(['通过', '提示', '冲突']).toContain(await li.locator('.sc-badge').textContent());
    }
    expect(await result.locator('[data-testid=site-area]').textContent()).toMatch(/亩.*公顷.*m²/);
    // the time of the check: Beijing wall-clock time as Intl writes it for Asia/Shanghai, stated, as the report prints it
    const filedAt = await page.evaluate(async (id) => ((await (await fetch(`/api/site-checks/${id}`)).json()) as { createdAt: string }).createdAt, (await result.getAttribute('data-report'))!);
    const bj = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(filedAt))
        .map((p) => [p.type, p.value]),
    );
    expect(await result.locator('[data-testid=result-time]').textContent()).toBe(`${bj.year}-${bj.month}-${bj.day} ${bj.hour}:${bj.minute}:${bj.second}（北京时间）`);

    // preview and server agree within 0.1 % on every layer and on the site's area
    const serverSite = await m2Of(page, '[data-testid=site-area] .sc-area');
    const previewSite = await m2Of(page, '[data-testid=site-preview] .sc-figure .sc-area');
    expect(Math.abs(previewSite - serverSite) / serverSite).toBeLessThan(0.001);
    for (const layer of ['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland']) {
      const server = await m2Of(page, `[data-testid=overlap-table] tr[data-layer=${layer}]`);
      const mine = await m2Of(page, `[data-testid=site-preview] tr[data-layer=${layer}]`);
      expect(Math.abs(mine - server), layer).toBeLessThanOrEqual(Math.max(0.01, server * 0.001));
    }

    // the overlaps are drawn on the map
    await page.waitForFunction(() => window.yizhangtu!.controller.renderedOverlay('result').length > 0, null, { timeout: 10_000 });

    // the report link
    const link = result.locator('a[data-testid=report-link]');
    expect(await link.textContent()).toBe('查看报告');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/reports\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const id = href.split('/').pop()!;
    const saved = await page.request.get(`${base}/api/site-checks/${id}`);
    expect(saved.status()).toBe(200);
    const report = await saved.json();
    expect(report.name).toBe('测试产业园项目');
    expect(report.use).toBe('工业');
    expect(report.stockFirst.reason).toMatchObject({ code: 'location', labelZh: '区位不符' });
    expect(report.stockFirst.candidates).toHaveLength(offered);
    expect(report.site.area.m2).toBeCloseTo(serverSite, 6);
    // the result's figures are the filed report's, read off the panel as numbers
    const pf = (report.layers as { layerId: string; area: { mu: number; ha: number } }[]).find((l) => l.layerId === 'permanent-farmland')!;
    const verdictText = (await verdict.textContent())!;
    expectFigure(figureBefore(verdictText, '亩'), pf.area.mu, 2, 'verdict 亩');
    expectFigure(figureBefore(verdictText, '公顷'), pf.area.ha, 4, 'verdict 公顷');
    const siteText = (await result.locator('[data-testid=site-area]').textContent())!;
    expectFigure(figureBefore(siteText, '亩'), report.site.area.mu, 2, 'site 亩');
    expectFigure(figureBefore(siteText, '公顷'), report.site.area.ha, 4, 'site 公顷');
    await page.screenshot({ path: `${ARTIFACTS}/site-check-result-${backend}.png` });

    // re-check the compliant part: no permanent farmland any more
    await result.locator('button', { hasText: '按合规范围重新套核' }).click();
    await page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid=site-result]');
        return !!el && el.getAttribute('data-report') !== old;
      },
      id,
      { timeout: 60_000 },
    );
    const again = page.locator('[data-testid=site-result]');
    expect(await again.locator('li[data-rule=permanent-farmland]').getAttribute('data-status')).toBe('pass');
    expect(await again.locator('li[data-rule=eco-redline]').getAttribute('data-status')).toBe('pass');
    const trimmedArea = await m2Of(page, '[data-testid=site-result] [data-testid=site-area] .sc-area');
    expect(Math.abs(trimmedArea - report.trimmed.area.m2) / report.trimmed.area.m2).toBeLessThan(1e-6);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-trimmed-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the server’s 422 for a bow-tie site and offers a repair, which then succeeds', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/#map=15/${field.lat}/${field.lon}`);
    await ready(page);
    // a bow-tie: the first and third edges cross at the centre
    const pts = await fromCentre(page, [
      [-70, -60],
      [70, 60],
      [70, -60],
      [-70, 60],
    ]);
    await drawPolygon(page, pts);
    const preview = page.locator('[data-testid=site-preview][data-status=invalid]');
    await preview.waitFor({ timeout: 10_000 });
    expect(await preview.textContent()).toContain('自相交');
    // the crossing is marked on the map, at the centre of the view where the edges cross
    await page.waitForFunction(() => window.yizhangtu!.controller.renderedOverlay('crossing').length > 0, null, { timeout: 10_000 });
    const marked = await page.evaluate(() => {
      const map = window.yizhangtu!.controller.map;
      const c = map.project(map.getCenter());
      return map.queryRenderedFeatures([c.x, c.y], { layers: ['overlay-crossing-fill'] }).length;
    });
    expect(marked).toBeGreaterThan(0);

    // the stock step measures a site crossing itself as repaired
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=stock-need]').textContent()).toContain('按自动修复后的选址估算');
    await page.locator('[data-testid=new-land] select[name=reason]').selectOption('area');
    await page.locator('button[data-action=run]').click();
    const error = page.locator('[data-testid=site-error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-code')).toBe('SELF_INTERSECTION');
    const message = (await error.textContent())!;
    expect(message).toContain('边界自相交');
    expect(message).toMatch(/位置：东经 1\d\d\.\d{6}°，北纬 3\d\.\d{6}°/);
    await page.screenshot({ path: `${ARTIFACTS}/site-check-bowtie-${backend}.png` });

    await error.locator('button[data-action=repair]').click();
    const result = page.locator('[data-testid=site-result]');
    await result.waitFor({ timeout: 60_000 });
    const note = (await result.locator('[data-testid=repair-note]').textContent())!;
    expect(note).toContain('已自动修复');
    // the reason in words, the place in degrees: GEOS's "Self-intersection[114.42 34.64]" stays out
    expect(note).toMatch(/原几何无效（边界自相交（位置：东经 1\d\d\.\d{6}°，北纬 3\d\.\d{6}°））/);
    expect(note).not.toMatch(/Self-intersection|\[/);
    expect(await page.locator('[data-testid=site-error]').count()).toBe(0);
    // the repaired site (two triangles) replaces the bow-tie on the map, and previews cleanly
    await previewReady(page);
    expect(await page.locator('[data-testid=site-status]').getAttribute('data-vertices')).toBe('6');
    await page.screenshot({ path: `${ARTIFACTS}/site-check-repaired-${backend}.png` });
    await page.close();
  });

  it('draws a rectangle, edits a vertex, undoes the edit, clears and restores, sketches freehand, in English', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/?lang=en#map=15/${field.lat}/${field.lon}`);
    await ready(page);
    expect(await page.locator('.site-check h2').textContent()).toBe('Site check');
    const [a, b] = await fromCentre(page, [
      [-60, -50],
      [60, 50],
    ]);
    await page.locator('button[data-tool=rectangle]').click();
    await clickMap(page, a!); // one corner …
    await clickMap(page, b!); // … and the opposite one
    await page.locator('[data-testid=site-status][data-drawing=false][data-tool=""]').waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid=site-status]').getAttribute('data-vertices')).toBe('4');
    await previewReady(page);
    expect(await page.locator('[data-testid=site-preview] h3').textContent()).toContain('Preview');
    expect(await page.locator('[data-testid=stock-first] h3').textContent()).toBe('Stock land first');
    expect(await page.locator('[data-testid=stock-first]').getAttribute('data-status')).toBe('idle');
    const before = await m2Of(page, '[data-testid=site-preview] .sc-figure .sc-area');

    // drag the north-east corner outwards
    await page.locator('button[data-tool=select]').click();
    const ne = { x: b!.x, y: a!.y };
    await page.mouse.move(ne.x, ne.y, { steps: 2 });
    await page.mouse.down();
    await page.mouse.move(ne.x + 20, ne.y - 20, { steps: 4 });
    await page.mouse.move(ne.x + 40, ne.y - 40, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid=site-preview][data-status=ready] .sc-figure .sc-area');
        return !!el && Number(el.getAttribute('data-m2')) > old * 1.05;
      },
      before,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: `${ARTIFACTS}/site-check-edit-${backend}.png` });

    await page.locator('button[data-action=undo]').click();
    await page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid=site-preview][data-status=ready] .sc-figure .sc-area');
        return !!el && Math.abs(Number(el.getAttribute('data-m2')) - old) < 0.01;
      },
      before,
      { timeout: 10_000 },
    );
    // clear, and undo the clear
    await page.locator('button[data-action=clear]').click();
    await page.locator('[data-testid=site-preview]').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.locator('[data-testid=site-status]').getAttribute('data-vertices')).toBe('0');
    await page.locator('button[data-action=undo]').click();
    await previewReady(page);
    expect(await m2Of(page, '[data-testid=site-preview] .sc-figure .sc-area')).toBeCloseTo(before, 2);

    // freehand: click, sketch a loop, click again; the new shape replaces the rectangle
    await page.locator('button[data-tool=freehand]').click();
    const [o] = await fromCentre(page, [[0, 0]]);
    const loop = Array.from({ length: 25 }, (_, i) => {
      const t = (2 * Math.PI * i) / 24;
      return { x: o!.x + 80 * Math.cos(t), y: o!.y + 80 * Math.sin(t) };
    });
    await clickMap(page, loop[0]!);
    for (const p of loop.slice(1)) await page.mouse.move(p.x, p.y, { steps: 3 });
    await page.mouse.click(loop[24]!.x, loop[24]!.y);
    await page.locator('[data-testid=site-status][data-drawing=false][data-tool=""]').waitFor({ timeout: 5_000 });
    expect(Number(await page.locator('[data-testid=site-status]').getAttribute('data-vertices'))).toBeGreaterThan(8);
    await page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid=site-preview][data-status=ready] .sc-figure .sc-area');
        return !!el && Math.abs(Number(el.getAttribute('data-m2')) - old) > 1;
      },
      before,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: `${ARTIFACTS}/site-check-freehand-${backend}.png` });
    await page.close();
  });
});
