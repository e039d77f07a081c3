/**
 * The public stock-land pages in headless Chromium: /stock lists what GET /api/stock-parcels
 * answers for the filters in its URL, the map marks the same parcels and follows the list
 * (hover, click, picked point), filters and pages write the URL, the server's 400 message is
 * shown, the exports carry the filters and hold every matching row, and /stock/{code} shows
 * the parcel's attributes and control-line standing as GET /api/stock-parcels/{code} has them.
 * No request for a restricted layer's tiles leaves these pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { StockParcelDetail, StockSearchResponse } from '../../core/contracts/stock.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { expectFigure, expectFigures, figureBefore, readFigure } from '../helpers/figures.ts';

// The pages' figures are read back as numbers and compared with the API's (tests/helpers/figures.ts),
// with the decimals the pages promise: 亩 and m² 2, 公顷 4, km 2, 万元/亩 1, a share's percentage 2.

/** RFC 4180 records of a CSV text (quoted cells may hold commas and line breaks). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      records.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) row.push(cell), records.push(row);
  return records;
}

/** Waits until the stock map exists, has its style and has finished rendering. */
async function mapIdle(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtuStock?.map.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.yizhangtuStock!.map.map;
        if (!map.isMoving() && map.loaded() && map.areTilesLoaded()) resolve();
        else map.once('idle', () => resolve());
      }),
  );
}

/** A query string as the pages write it: percent-encoded by URLSearchParams, commas kept. */
const norm = (query: string) => new URLSearchParams(query).toString().replace(/%2C/g, ',');

/** Waits until the list shows the answer to exactly this API query. */
async function listShows(page: Page, query: string) {
  await page.locator(`[data-testid=stock-results][data-state=ready][data-query="${norm(query)}"]`).waitFor({ timeout: 20_000 });
}

const rows = (page: Page) =>
  page.locator('[data-testid=stock-list] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      id: Number(tr.getAttribute('data-id')),
      code: tr.getAttribute('data-code'),
      mu: tr.querySelector('[data-field=areaMu]')!.textContent,
      ha: tr.querySelector('[data-field=areaHa]')!.textContent,
      county: tr.querySelector('[data-field=county]')!.textContent,
      status: tr.querySelector('[data-field=status]')!.textContent,
    })),
  );

/** The page's search as the API query it stands for: its own query string without the language. */
const apiQueryOf = (url: string) => {
  const p = new URL(url).searchParams;
  p.delete('lang');
  return p.toString().replace(/%2C/g, ',');
};

describe.runIf(hasChromium || process.env.CI)(`the stock-land pages in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  const search = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return StockSearchResponse.parse(res.json());
  };

  /** A page that records every tile it asks for. */
  async function openPage(url: string) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const tiles: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      const m = /\/tiles\/([^/]+)\//.exec(r.url());
      if (m) tiles.push(m[1]!);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + url);
    return { page, tiles, errors };
  }

  /** Screen coordinates of a lon/lat on the stock map. */
  const screenPoint = (page: Page, at: [number, number]) =>
    page.evaluate(([lon, lat]) => {
      const map = window.yizhangtuStock!.map.map;
      const pt = map.project([lon!, lat!]);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + pt.x, y: rect.top + pt.y };
    }, at);

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  it('lists what the search API answers for the filters in the URL, and the map marks the same parcels', async () => {
    const query = 'county=410221&category=批而未供,低效用地';
    const want = await search(query);
    expect(want.total).toBeGreaterThan(want.pageSize); // more than one page, so paging is real
    const { page, tiles, errors } = await openPage(`/stock?${query}`);
    await listShows(page, query);

    expect(await page.locator('h1').textContent()).toContain('存量土地查询');
    expect(Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'))).toBe(want.total);
    expect(await page.locator('[data-testid=stock-total]').textContent()).toBe(`共 ${want.total} 宗地块`);
    expect(await page.locator('[data-testid=stock-page]').textContent()).toBe(`第 1 / ${Math.ceil(want.total / want.pageSize)} 页`);
    const shown = await rows(page);
    expect(shown.map((r) => r.code)).toEqual(want.items.map((i) => i.code));
    for (const [i, r] of shown.entries()) {
      const item = want.items[i]!;
      expect(r.id).toBe(item.id);
      expectFigure(r.mu!, item.area.mu, 2, `${item.code} 亩`);
      expectFigure(r.ha!, item.area.ha, 4, `${item.code} 公顷`);
      expect(r.county).toBe(item.countyName);
      expect(r.status).toBe('可供应');
    }
    // the filters show what the URL says
    expect(await page.locator('input[name=county][value="410221"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=county][value="410222"]').isChecked()).toBe(false);
    expect(await page.locator('input[name=category][value="批而未供"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=category][value="闲置土地"]').isChecked()).toBe(false);

    // the map: every listed parcel is drawn and marked `listed`, nothing else is
    await mapIdle(page);
    const rendered = await page.evaluate(() => window.yizhangtuStock!.map.renderedParcels());
    const listedIds = new Set(want.items.map((i) => i.id));
    const marked = rendered.filter((p) => p.state.listed === true);
    expect(new Set(marked.map((p) => p.id))).toEqual(listedIds);
    for (const p of marked) expect(p.code).toBe(want.items.find((i) => i.id === p.id)!.code);
    for (const p of rendered.filter((p) => !listedIds.has(p.id))) expect(p.state.listed ?? false).toBe(false);

    // hovering a row lights its parcel, and only that one
    const [a, b] = [want.items[2]!, want.items[5]!];
    await page.locator(`tr[data-id="${a.id}"]`).hover();
    expect(await page.evaluate((id) => window.yizhangtuStock!.map.featureState(id), a.id)).toMatchObject({ hover: true });
    await page.locator(`tr[data-id="${b.id}"]`).hover();
    expect(await page.evaluate((id) => window.yizhangtuStock!.map.featureState(id), b.id)).toMatchObject({ hover: true });
    expect(await page.evaluate((id) => window.yizhangtuStock!.map.featureState(id), a.id)).toMatchObject({ hover: false });
    await mapIdle(page);
    const hovered = (await page.evaluate(() => window.yizhangtuStock!.map.renderedParcels())).filter((p) => p.state.hover === true);
    expect(hovered.map((p) => p.code)).toEqual([b.code]);
    await page.screenshot({ path: `${ARTIFACTS}/stock-search-${backend}.png` });

    // the offline base map's tiles (roads, water, names) under the data
    expect(new Set(tiles)).toEqual(new Set(['basemap', 'admin-county', 'stock-parcel']));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes filter, sort and page changes to the URL, lists the new answer, and restores it on reload', async () => {
    const { page } = await openPage('/stock?county=410221&category=批而未供');
    await listShows(page, 'county=410221&category=批而未供');

    await page.locator('input[name=category][value="低效用地"]').check();
    await listShows(page, 'county=410221&category=批而未供,低效用地');
    expect(new URL(page.url()).searchParams.get('category')).toBe('批而未供,低效用地');
    let want = await search(apiQueryOf(page.url()));
    expect((await rows(page)).map((r) => r.code)).toEqual(want.items.map((i) => i.code));

    await page.locator('select[name=sort]').selectOption('price');
    await listShows(page, 'county=410221&category=批而未供,低效用地&sort=price');
    want = await search(apiQueryOf(page.url()));
    expect((await rows(page)).map((r) => r.code)).toEqual(want.items.map((i) => i.code));
    const prices = want.items.map((i) => i.refPrice).filter((p): p is number => p !== null);
    expect(prices).toEqual([...prices].sort((x, y) => x - y));

    await page.locator('[data-testid=stock-pager] [data-page=next]').click();
    await listShows(page, 'county=410221&category=批而未供,低效用地&sort=price&page=2');
    const page2 = await search(apiQueryOf(page.url()));
    expect(page2.page).toBe(2);
    expect((await rows(page)).map((r) => r.code)).toEqual(page2.items.map((i) => i.code));
    expect(page2.items.map((i) => i.code)).not.toEqual(want.items.map((i) => i.code));

    // an area bound typed in 亩, then shown in 公顷: the URL and the list follow
    await page.locator('input[name=minArea]').fill('20');
    await page.locator('input[name=minArea]').press('Enter');
    await listShows(page, 'county=410221&category=批而未供,低效用地&minArea=20&sort=price');
    want = await search(apiQueryOf(page.url()));
    expect(Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'))).toBe(want.total);
    for (const r of await rows(page)) expect(readFigure(r.mu!).value).toBeGreaterThanOrEqual(20);
    await page.locator('select[name=areaUnit]').selectOption('ha');
    expect(await page.locator('input[name=minArea]').inputValue()).toBe('1.3333');
    await listShows(page, 'county=410221&category=批而未供,低效用地&minArea=1.3333&areaUnit=ha&sort=price');

    // a reload restores the same search
    const before = await rows(page);
    await page.reload();
    await listShows(page, apiQueryOf(page.url()));
    expect(await rows(page)).toEqual(before);
    expect(await page.locator('input[name=category][value="低效用地"]').isChecked()).toBe(true);
    expect(await page.locator('select[name=sort]').inputValue()).toBe('price');
    expect(await page.locator('select[name=areaUnit]').inputValue()).toBe('ha');
    expect(await page.locator('input[name=minArea]').inputValue()).toBe('1.3333');
    await page.close();
  });

  it('shows the server’s 400 message, naming the field, and marks that field', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/stock-parcels?minArea=50&maxArea=10', headers: { 'accept-language': 'zh-CN' } });
    expect(res.statusCode).toBe(400);
    const message = (res.json() as { error: { message: string } }).error.message;
    expect(message).toContain('最小面积不能大于最大面积');
    const { page } = await openPage('/stock?minArea=50&maxArea=10');
    const alert = page.locator('[data-testid=stock-error]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toBe(`查询失败：${message}`);
    expect(await page.locator('input[name=minArea]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-testid=stock-list]').count()).toBe(0);
    await page.close();
  });

  it('selects the row of a parcel clicked on the map, and sorts by distance from a picked location', async () => {
    const query = 'county=410221&use=工业,仓储';
    const want = await search(query);
    expect(want.items.length).toBeGreaterThan(3);
    const { page, errors } = await openPage(`/stock?${query}`);
    await listShows(page, query);
    await mapIdle(page);

    const target = want.items[3]!;
    await page.evaluate((c) => window.yizhangtuStock!.map.map.jumpTo({ center: c, zoom: 16 }), target.center);
    await mapIdle(page);
    const at = await screenPoint(page, target.center);
    await page.mouse.click(at.x, at.y);
    const row = page.locator(`tr[data-id="${target.id}"]`);
    await page.waitForFunction((id) => document.querySelector(`tr[data-id="${id}"]`)?.getAttribute('data-selected') === 'true', target.id);
    expect(await page.locator('tr[data-selected=true]').count()).toBe(1);
    expect(await row.isVisible()).toBe(true);
    expect(await page.evaluate((id) => window.yizhangtuStock!.map.featureState(id), target.id)).toMatchObject({ selected: true });

    // a parcel the search did not list: said so, with a link to its page
    const other = (await page.evaluate(() => window.yizhangtuStock!.map.renderedParcels())).find((p) => p.state.listed !== true && Number.isFinite(p.at[0]));
    expect(other).toBeDefined();
    const otherAt = await screenPoint(page, other!.at);
    await page.mouse.click(otherAt.x, otherAt.y);
    const notListed = page.locator('[data-testid=not-listed]');
    await notListed.waitFor();
    expect(await notListed.textContent()).toContain(`地块 ${other!.code} 不在当前结果页中。`);
    expect(await notListed.locator('a').getAttribute('href')).toBe(`/stock/${other!.code}`);
    expect(await page.locator('tr[data-selected=true]').count()).toBe(0);
    expect(await page.evaluate((id) => window.yizhangtuStock!.map.featureState(id), other!.id)).toMatchObject({ selected: true });

    // 选取位置: the next click on the map is the point; the list is sorted by distance from it.
    // Where the click lands is read while the map stands still, before the click: the new
    // result then refits the map, and the same pixel is another place afterwards.
    await page.locator('[data-testid=pick-point]').click();
    await page.locator('[data-testid=picking-hint]').waitFor();
    await mapIdle(page);
    const box = (await page.locator('[data-testid=stock-map]').boundingBox())!;
    const pickAt = { x: box.x + box.width / 3, y: box.y + box.height / 3 };
    const clicked = await page.evaluate(({ x, y }) => {
      const map = window.yizhangtuStock!.map.map;
      const rect = map.getCanvas().getBoundingClientRect();
      return map.unproject([x - rect.left, y - rect.top]).toArray();
    }, pickAt);
    await page.mouse.click(pickAt.x, pickAt.y);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === 'distance');
    const url = new URL(page.url());
    const near = url.searchParams.get('near')!.split(',').map(Number);
    expect(near).toHaveLength(2);
    expect(near[0]).toBeCloseTo(clicked[0]!, 4);
    expect(near[1]).toBeCloseTo(clicked[1]!, 4);
    await listShows(page, apiQueryOf(page.url()));
    expect(await page.locator('[data-testid=near-marker]').isVisible()).toBe(true);
    const byDistance = await search(apiQueryOf(page.url()));
    expect((await rows(page)).map((r) => r.code)).toEqual(byDistance.items.map((i) => i.code));
    const distances = byDistance.items.map((i) => i.distanceM!);
    expect(distances).toEqual([...distances].sort((x, y) => x - y));
    expectFigure((await page.locator('tbody tr').first().locator('[data-field=distance]').textContent())!, distances[0]! / 1000, 2, 'distance in km');
    await page.screenshot({ path: `${ARTIFACTS}/stock-distance-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a parcel from the list with its attributes and control-line standing as the API has them, and goes back to the same search', async () => {
    const query = 'county=410222&status=all&sort=-date';
    const want = await search(query);
    expect(want.items.length).toBeGreaterThan(0);
    const item = want.items[0]!;
    const res = await app.inject({ method: 'GET', url: `/api/stock-parcels/${encodeURIComponent(item.code)}` });
    expect(res.statusCode, res.body).toBe(200);
    const detail = StockParcelDetail.parse(res.json());

    const { page, tiles, errors } = await openPage(`/stock?${query}`);
    await listShows(page, query);
    await page.locator(`tr[data-id="${item.id}"] a[data-field=code]`).click();
    await page.locator('[data-testid=parcel]').waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe(`/stock/${encodeURIComponent(item.code)}`);

    const field = (k: string) => page.locator(`[data-testid=parcel-attributes] [data-field=${k}]`).textContent();
    const label = (k: string) => page.locator(`[data-testid=parcel-attributes] tr[data-row=${k}] th`).textContent();
    expect(await label('code')).toBe('编号');
    expect(await label('fourUnStage')).toBe('四未阶段');
    expect(await label('contactDept')).toBe('联系部门');
    expect(await field('code')).toBe(detail.code);
    expect(await field('name')).toBe(detail.name);
    expect(await field('county')).toBe(`${detail.countyName}（${detail.countyCode}）`);
    expect(await field('category')).toBe(detail.category);
    expect(await field('fourUnStage')).toBe(detail.fourUnStage ?? '—');
    expect(await field('plannedUse')).toBe(detail.plannedUse);
    expectFigures((await field('area'))!, '{} 亩（{} 公顷，{} m²）', [detail.area.mu, detail.area.ha, detail.area.m2], [2, 4, 2], 'area');
    expect(await field('approvalNo')).toBe(detail.approvalNo ?? '—');
    expect(await field('approvalDate')).toBe(detail.approvalDate ?? '—');
    expect(await field('status')).toBe(detail.status);
    if (detail.refPrice === null) expect(await field('refPrice')).toBe('—');
    else expectFigures((await field('refPrice'))!, '{} 万元/亩', [detail.refPrice], [1], 'reference price');
    expect(await field('zoneName')).toBe(detail.zoneName ?? '—');
    expect(await field('contactDept')).toBe(detail.contactDept);
    const pr = await field('plotRatio');
    if (detail.plotRatioMin !== null && detail.plotRatioMax !== null && detail.plotRatioMin !== detail.plotRatioMax) expect(pr).toBe(`${detail.plotRatioMin}–${detail.plotRatioMax}`);

    // the standing: words and figures as the API gives them
    const s = detail.standing;
    expect(await page.locator('[data-testid=standing-summary]').textContent()).toBe(s.summaryZh);
    const standing = page.locator('[data-testid=standing]');
    expect(await standing.locator('tr[data-row=urbanBoundary]').getAttribute('data-inside')).toBe(String(s.urbanBoundary.inside));
    expectFigure(figureBefore((await standing.locator('tr[data-row=urbanBoundary] td').textContent())!, '%'), s.urbanBoundary.share * 100, 2, 'share inside the boundary');
    for (const k of ['permanentFarmland', 'generalFarmland', 'ecoRedline'] as const) {
      expectFigure(figureBefore((await standing.locator(`tr[data-row=${k}] td`).textContent())!, '亩'), s[k].mu, 2, k);
    }
    expect(await standing.locator('tr[data-row=proposable]').getAttribute('data-proposable')).toBe(String(s.proposable));
    expect(await standing.locator('tr[data-row=proposable] td strong').textContent()).toBe(s.proposable ? '可推荐' : '不可推荐');

    // the location map draws the parcel's own polygon
    await page.locator('[data-testid=parcel-map][data-rendered=true]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => window.yizhangtuStock!.map.renderedOutline())).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/stock-parcel-${backend}.png`, fullPage: true });

    // back to the search it came from, filters and all, also after a reload
    await page.reload();
    await page.locator('[data-testid=parcel]').waitFor({ timeout: 20_000 });
    const back = page.locator('[data-testid=back-to-search]');
    expect(await back.textContent()).toBe('← 返回查询结果');
    expect(await back.getAttribute('href')).toBe(`/stock?${norm(query)}`);
    await back.click();
    await listShows(page, query);
    expect(new URL(page.url()).search).toBe(`?${norm(query)}`);
    expect((await rows(page)).map((r) => r.code)).toEqual(want.items.map((i) => i.code));

    for (const t of tiles) expect(['basemap', 'admin-county', 'stock-parcel']).toContain(t);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a parcel over permanent farmland as conflicting and not proposable, in figures only', async () => {
    // found from the base tables, not from the standing the page shows
    const [hit] = await db.query<{ code: string }>(
      `SELECT s.code FROM stock_parcel s
        WHERE s.status = '可供应'
          AND EXISTS (SELECT 1 FROM permanent_farmland f WHERE ST_Intersects(f.geom, s.geom) AND ST_Area(ST_Intersection(f.geom, s.geom)) > 1e-8)
        ORDER BY s.code LIMIT 1`,
    );
    expect(hit).toBeDefined();
    const detail = StockParcelDetail.parse((await app.inject({ method: 'GET', url: `/api/stock-parcels/${encodeURIComponent(hit!.code)}` })).json());
    expect(detail.standing.permanentFarmland.mu).toBeGreaterThan(0);
    expect(detail.standing.conflict).toBe(true);
    expect(detail.standing.proposable).toBe(false);

    const { page, tiles, errors } = await openPage(`/stock/${encodeURIComponent(hit!.code)}`);
    await page.locator('[data-testid=parcel]').waitFor({ timeout: 20_000 });
    const standing = page.locator('[data-testid=standing]');
    expect(await page.locator('[data-testid=standing-summary]').textContent()).toBe(detail.standing.summaryZh);
    const pf = detail.standing.permanentFarmland;
    expectFigures((await standing.locator('tr[data-row=permanentFarmland] td').textContent())!, '重叠 {} 亩（{} 公顷）', [pf.mu, pf.ha], [2, 4], 'permanent farmland');
    expect(await standing.locator('tr[data-row=proposable]').getAttribute('data-conflict')).toBe('true');
    expect(await standing.locator('tr[data-row=proposable] td').textContent()).toBe('不可推荐（与永久基本农田或生态保护红线冲突）');
    await page.locator('[data-testid=parcel-map][data-rendered=true]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=back-to-search]').getAttribute('href')).toBe('/stock');
    await page.screenshot({ path: `${ARTIFACTS}/stock-parcel-conflict-${backend}.png`, fullPage: true });
    // the page drew the parcel, the counties and the offline base map, and asked for no other layer
    expect(new Set(tiles)).toEqual(new Set(['admin-county', 'basemap']));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says so for an unknown parcel code, and a shared parcel link goes back to a fresh search', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/stock-parcels/CL000000-1999-99999' });
    expect(res.statusCode).toBe(404);
    const { page } = await openPage('/stock/CL000000-1999-99999');
    await page.locator('[data-testid=not-found]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=not-found]').textContent()).toBe('没有编号为 “CL000000-1999-99999” 的存量地块。');
    expect(await page.locator('[data-testid=back-to-search]').getAttribute('href')).toBe('/stock');
    await page.close();
  });

  it('exports the whole filtered list: the links carry the filters, the CSV holds every matching row', async () => {
    const query = 'county=410221,410222&category=批而未供,闲置土地&sort=area&page=2';
    const { page } = await openPage(`/stock?${query}`);
    await listShows(page, query);
    const filters = 'county=410221,410222&category=批而未供,闲置土地&sort=area';
    const csvHref = await page.locator('a[data-export=csv]').getAttribute('href');
    const xlsxHref = await page.locator('a[data-export=xlsx]').getAttribute('href');
    expect(await page.locator('a[data-export=csv]').textContent()).toBe('导出 CSV');
    expect(await page.locator('a[data-export=xlsx]').textContent()).toBe('导出 Excel');
    expect(csvHref).toBe(`/api/stock-parcels/export.csv?${norm(filters)}`);
    expect(xlsxHref).toBe(`/api/stock-parcels/export.xlsx?${norm(filters)}`);

    const total = Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'));
    expect(total).toBeGreaterThan(20);
    const all = await search(`${filters}&pageSize=200`);
    expect(all.total).toBe(total);
    const codes = [...all.items.map((i) => i.code)];
    for (let p = 2; p <= Math.ceil(all.total / 200); p++) codes.push(...(await search(`${filters}&pageSize=200&page=${p}`)).items.map((i) => i.code));

    const csv = await page.request.get(base + csvHref);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const records = csvRecords((await csv.text()).replace(/^\uFEFF/, '')).filter((r) => r.some((c) => c !== ''));
    const [header, ...data] = records;
    expect(data).toHaveLength(total);
    const codeColumn = header!.indexOf('地块编号');
    expect(codeColumn).toBeGreaterThanOrEqual(0);
    expect(data.map((r) => r[codeColumn])).toEqual(codes);

    const xlsx = await page.request.get(base + xlsxHref);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
    await page.close();
  });

  it('switches to English, keeping the language in the URL and in the parcel links', async () => {
    const query = 'category=闲置土地&sort=-price';
    const want = await search(query);
    const { page } = await openPage(`/stock?${query}`);
    await listShows(page, query);
    await page.locator('.lang-switch').click();
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await listShows(page, query);
    expect(await page.locator('h1').textContent()).toContain('Stock land search');
    expect(await page.locator('[data-testid=stock-total]').textContent()).toBe(`${want.total} parcels`);
    expect(await page.locator('[data-filter=category] label').allTextContents()).toEqual(['Approved, not supplied', 'Idle land', 'Inefficiently used land']);
    expect(await page.locator('tbody tr').first().locator('[data-field=category]').textContent()).toBe('Idle land');
    const first = want.items[0]!;
    expect(await page.locator(`tr[data-id="${first.id}"] a[data-field=code]`).getAttribute('href')).toBe(`/stock/${first.code}?lang=en`);
    await page.locator(`tr[data-id="${first.id}"] a[data-field=code]`).click();
    await page.locator('[data-testid=parcel]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=parcel-attributes] tr[data-row=contactDept] th').textContent()).toBe('Contact department');
    const detail = StockParcelDetail.parse((await app.inject({ method: 'GET', url: `/api/stock-parcels/${first.code}` })).json());
    expect(await page.locator('[data-testid=standing-summary]').textContent()).toBe(detail.standing.summaryEn);
    expect(await page.locator('[data-testid=back-to-search]').getAttribute('href')).toBe(`/stock?${norm(query)}&lang=en`);
    await page.screenshot({ path: `${ARTIFACTS}/stock-parcel-en-${backend}.png`, fullPage: true });
    await page.close();
  });

  it('is linked from the map workspace’s header', async () => {
    const { page } = await openPage('/');
    const link = page.locator('[data-testid=stock-link]');
    await link.waitFor({ timeout: 20_000 });
    expect(await link.textContent()).toBe('存量土地查询');
    await link.click();
    await listShows(page, '');
    const want = await search('');
    expect(Number(await page.locator('[data-testid=stock-total]').getAttribute('data-total'))).toBe(want.total);
    await page.close();
  });
});
