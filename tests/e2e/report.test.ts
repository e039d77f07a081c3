/**
 * The printable site-check report in headless Chromium: a site over farmland is checked
 * through the API, /reports/{id} shows its title, verdicts and 亩 figures as the report
 * has them, draws its map figures, hides the toolbar in print, and prints to A4 PDF.
 * The figures are read off the page as numbers and compared with GET /api/site-checks/{id}
 * (tests/helpers/figures.ts), never rebuilt with the page's own formatting.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { BoundaryPointsTable, SiteCheckReport } from '../../core/contracts/site-check.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { expectFigure, expectFigures, figureBefore, readFigure } from '../helpers/figures.ts';

const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/crossing-farmland.geojson', import.meta.url), 'utf8')).geometry as object;

/** Decimals the report promises per unit (docs/domain.md): 亩 and m² 2, 公顷 4. */
const MU = 2;
const HA = 4;
const M2 = 2;

const STATUS_ZH = { pass: '通过', warn: '提示', conflict: '冲突' } as const;

/** Waits until every map figure of the page has drawn. */
async function figuresDrawn(page: Page): Promise<number> {
  await page.waitForSelector('[data-testid=report-map]', { timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const maps = [...document.querySelectorAll('[data-testid=report-map]')];
      return maps.length > 0 && maps.every((m) => m.getAttribute('data-rendered') === 'true');
    },
    null,
    { timeout: 60_000 },
  );
  return page.locator('[data-testid=report-map]').count();
}

/** Paper sizes the report is printed on: the printable width (the paper less the report's 12 mm side margins). */
const PAPERS = [
  { name: 'A4', format: 'A4', widthMm: 210 },
  { name: 'Letter', format: 'Letter', widthMm: 215.9 },
  { name: 'A5', format: 'A5', widthMm: 148 },
] as const;
const PRINTABLE_PX = (widthMm: number) => Math.floor(((widthMm - 24) / 25.4) * 96);

type Geo = { type: string; coordinates: unknown };
const positionsOf = (g: Geo): number[][] => {
  const out: number[][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(c as number[]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return out;
};

/** Web Mercator world pixels of a lon/lat at a zoom (512-pixel tiles, as MapLibre draws). */
const worldPx = (lon: number, lat: number, zoom: number) => {
  const size = 512 * 2 ** zoom;
  const s = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * size, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size] as const;
};

/**
 * Every map figure (not the overview insets) holds the whole site inside its frame: the map says
 * where it looks (centre, zoom) and the frame size it was fitted to; that size must be the frame's
 * size now (refitted at this width), and the site's vertices, projected here in Web Mercator,
 * must fall inside it — and the frame inside the page.
 */
async function expectSiteInFrames(page: Page, report: SiteCheckReport, label: string) {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('[data-testid=report-map]')].every(
        (m) => m.dataset.rendered === 'true' && Number(m.dataset.width) === m.clientWidth && Number(m.dataset.height) === m.clientHeight,
      ),
    null,
    { timeout: 30_000 },
  );
  const maps = await page.locator('[data-testid=report-map]:not(.overview-map)').evaluateAll((els) =>
    els.map((e) => {
      const el = e as HTMLElement;
      const frame = el.closest('.report-map-frame')!.getBoundingClientRect();
      return {
        figure: el.dataset.figure!,
        center: el.dataset.center!.split(',').map(Number),
        zoom: Number(el.dataset.zoom),
        width: el.clientWidth,
        height: el.clientHeight,
        frame: { left: frame.left, right: frame.right, width: frame.width },
        canvas: (() => {
          const c = el.querySelector('canvas')!.getBoundingClientRect();
          return { width: c.width, height: c.height };
        })(),
        page: document.documentElement.clientWidth,
      };
    }),
  );
  expect(maps.length, label).toBeGreaterThanOrEqual(2);
  const site = positionsOf(report.site.geometry as Geo);
  for (const m of maps) {
    const [cx, cy] = worldPx(m.center[0]!, m.center[1]!, m.zoom);
    const px = site.map(([lon, lat]) => {
      const [x, y] = worldPx(lon!, lat!, m.zoom);
      return [x - cx + m.width / 2, y - cy + m.height / 2];
    });
    const xs = px.map((p) => p[0]!);
    const ys = px.map((p) => p[1]!);
    const what = `${label}: figure ${m.figure} (${m.width}×${m.height})`;
    expect(Math.min(...xs), what).toBeGreaterThanOrEqual(0);
    expect(Math.min(...ys), what).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs), what).toBeLessThanOrEqual(m.width);
    expect(Math.max(...ys), what).toBeLessThanOrEqual(m.height);
    // the site is drawn at a readable size, not a speck (the site map shows its surroundings too)
    expect(Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)), what).toBeGreaterThan(Math.min(m.width, m.height) / 5);
    // the drawn canvas covers its frame exactly (in print it is stretched to it: the printer's
    // own layout, which no refit reaches, then shows the extent drawn, scaled alike both ways)
    expect(Math.abs(m.canvas.width - m.width), what).toBeLessThanOrEqual(1);
    expect(Math.abs(m.canvas.height - m.height), what).toBeLessThanOrEqual(1);
    expect(m.frame.left, what).toBeGreaterThanOrEqual(0);
    expect(m.frame.right, what).toBeLessThanOrEqual(m.page + 0.5);
  }
}

/**
 * What the printer's own layout does, which no refit reaches (Chromium prints without running
 * the map's frames): the sheet is laid out at another width synchronously — no resize observer
 * has run yet — and each map's canvas, drawn for the old frame, must be stretched to its new
 * frame alike both ways, so the site's vertices, projected for the drawn frame and scaled to the
 * canvas as shown, still fall inside the frame.
 */
async function expectSiteInUnrefittedFrames(page: Page, report: SiteCheckReport, paperWidthMm: number, label: string) {
  const maps = await page.evaluate((mm) => {
    const paper = document.querySelector<HTMLElement>('.report-paper')!;
    paper.style.width = `${mm}mm`;
    paper.style.maxWidth = 'none';
    const out = [...document.querySelectorAll<HTMLElement>('[data-testid=report-map]:not(.overview-map)')].map((el) => {
      const box = el.getBoundingClientRect();
      const c = el.querySelector('canvas')!.getBoundingClientRect();
      return {
        figure: el.dataset.figure!,
        center: el.dataset.center!.split(',').map(Number),
        zoom: Number(el.dataset.zoom),
        drawn: { width: Number(el.dataset.width), height: Number(el.dataset.height) },
        box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
        canvas: { left: c.left, top: c.top, width: c.width, height: c.height },
      };
    });
    paper.style.width = '';
    paper.style.maxWidth = '';
    return out;
  }, paperWidthMm);
  const site = positionsOf(report.site.geometry as Geo);
  for (const m of maps) {
    const what = `${label}: figure ${m.figure} drawn ${m.drawn.width}×${m.drawn.height}, shown ${Math.round(m.box.right - m.box.left)}×${Math.round(m.box.bottom - m.box.top)}`;
    // the layout did change the frame: this is the case a refit would otherwise have handled
    expect(Math.abs(m.box.right - m.box.left - m.drawn.width), what).toBeGreaterThan(20);
    const [sx, sy] = [m.canvas.width / m.drawn.width, m.canvas.height / m.drawn.height];
    expect(Math.abs(sx - sy), `${what}: scaled alike both ways`).toBeLessThan(0.01);
    const [cx, cy] = worldPx(m.center[0]!, m.center[1]!, m.zoom);
    for (const [lon, lat] of site) {
      const [x, y] = worldPx(lon!, lat!, m.zoom);
      const px = m.canvas.left + (x - cx + m.drawn.width / 2) * sx;
      const py = m.canvas.top + (y - cy + m.drawn.height / 2) * sy;
      expect(px, what).toBeGreaterThanOrEqual(m.box.left - 0.5);
      expect(px, what).toBeLessThanOrEqual(m.box.right + 0.5);
      expect(py, what).toBeGreaterThanOrEqual(m.box.top - 0.5);
      expect(py, what).toBeLessThanOrEqual(m.box.bottom + 0.5);
    }
  }
}

/**
 * Every figure the report page prints, read off the page and compared with the API's figure for
 * it at the decimals the page promises: site and analysed area, stock need, each layer's row
 * (m², 公顷, 亩, share) and inside/outside rows, the layer figures' captions, the compliant part's
 * three rows; and that the three rows agree with one another as printed.
 */
async function expectPageFigures(page: Page, report: SiteCheckReport, label: string) {
  const text = async (l: { textContent: () => Promise<string | null> }) => (await l.textContent()) ?? '';
  const cells = async (row: ReturnType<Page['locator']>, area: { m2: number; ha: number; mu: number }, what: string) => {
    expectFigure(await text(row.locator('td[data-unit=m2]')), area.m2, M2, `${label} ${what} m²`);
    expectFigure(await text(row.locator('td[data-unit=ha]')), area.ha, HA, `${label} ${what} ha`);
    expectFigure(await text(row.locator('td[data-unit=mu]')), area.mu, MU, `${label} ${what} mu`);
  };
  expectFigures(await text(page.locator('[data-field=siteArea]')), '{} 亩（{} 公顷，{} m²）', [report.site.area.mu, report.site.area.ha, report.site.area.m2], [MU, HA, M2], `${label} site area`);
  if (report.stockFirst.checked) {
    const need = report.stockFirst.need;
    expectFigures(await text(page.locator('[data-field=stockNeed]')), '{} 亩（{} 公顷，{} m²）', [need.mu, need.ha, need.m2], [MU, HA, M2], `${label} stock need`);
  }
  for (const l of report.layers) {
    const row = page.locator(`[data-testid=overlay-table] tr[data-layer="${l.layerId}"]`);
    await cells(row, l.area, l.layerId);
    expectFigure((await text(row.locator('td').last())).replace(/%$/, ''), l.shareOfSite * 100, 2, `${label} ${l.layerId} share`);
    if (l.inside && l.outside) {
      await cells(page.locator(`tr[data-layer="${l.layerId}:inside"]`), l.inside, `${l.layerId} inside`);
      await cells(page.locator(`tr[data-layer="${l.layerId}:outside"]`), l.outside, `${l.layerId} outside`);
    }
    if (l.intersects) {
      const caption = await text(page.locator(`.report-figure:has([data-figure="${l.layerId}"]) figcaption`));
      expect(caption.startsWith(`${l.nameZh}：`), caption).toBe(true);
      const [mu, ha] = [figureBefore(caption, '亩'), figureBefore(caption, '公顷')];
      expectFigure(mu, l.area.mu, MU, `${label} ${l.layerId} caption`);
      expectFigure(ha, l.area.ha, HA, `${label} ${l.layerId} caption`);
      if (l.count === null) expect(caption, label).not.toContain('个图斑');
      else expect(caption, label).toContain(`${l.count} 个图斑`);
    }
  }
  const trimmed = page.locator('[data-testid=trimmed-table]');
  await cells(trimmed.locator('tr[data-row=site]'), report.site.analysedArea, 'analysed');
  await cells(trimmed.locator('tr[data-row=lost]'), report.trimmed.lost, 'lost');
  await cells(trimmed.locator('tr[data-row=trimmed]'), report.trimmed.area, 'trimmed');
  // as printed: compliant + removed = site (to the last printed decimal, both rounded once)
  const shown = async (row: string) => readFigure(await text(trimmed.locator(`tr[data-row=${row}] td[data-unit=m2]`))).value;
  expect(Math.abs((await shown('trimmed')) + (await shown('lost')) - (await shown('site'))), `${label} compliant + removed = site`).toBeLessThanOrEqual(0.011);
}

describe.runIf(hasChromium || process.env.CI)(`the printable site-check report in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  let report: SiteCheckReport;
  /** The same site filed by the public (no session, an address of its own), as the public reads it. */
  let pub: SiteCheckReport;

  beforeAll(async () => {
    ({ app, base, browser, stop } = await startWorkspace());
    const res = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: SITE, name: '某工业项目（一期）', use: '工业', stockFirst: { reason: 'other', note: '需临近铁路专用线' } },
    });
    expect(res.statusCode).toBe(201);
    report = await saved(SiteCheckReport.parse(res.json()).id);
    // filed without a session, from an address of its own: the public's daily budget counts per
    // address, and on PostGIS the database (and its usage) outlives the run
    const filed = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      remoteAddress: `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`,
      headers: { cookie: '' },
      payload: { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: '需临近铁路专用线' } },
    });
    expect(filed.statusCode).toBe(201);
    pub = await saved(SiteCheckReport.parse(filed.json()).id, { cookie: '' });
  });

  /** The filed report as the page reads it: GET /api/site-checks/{id} (as the public with `cookie: ''`). */
  async function saved(id: string, headers: Record<string, string> = {}): Promise<SiteCheckReport> {
    const res = await app.inject({ method: 'GET', url: `/api/site-checks/${id}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return SiteCheckReport.parse(res.json());
  }
  const text = async (l: { textContent: () => Promise<string | null> }) => (await l.textContent()) ?? '';
  afterAll(async () => {
    await stop?.();
  });

  it('shows the report’s title, verdicts and 亩 figures, draws its maps, hides the toolbar in print and prints to A4', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/reports/${report.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });

    expect(await page.locator('h1').textContent()).toBe('建设项目选址套核报告');
    expect(await page.locator('[data-field=name]').textContent()).toBe('某工业项目（一期）');
    expect(await page.locator('[data-field=use]').textContent()).toBe('工业');
    expect(await page.locator('[data-field=dataVersion]').textContent()).toBe(report.dataVersion);
    expect(await page.locator('[data-field=contentHash]').textContent()).toBe(report.contentHash);
    expect(await page.title()).toBe('建设项目选址套核报告 - 某工业项目（一期）');

    // 存量优先套核, before the verdicts: the match's sentence, its candidates, the reason
    const sections = await page.locator('[data-section]').evaluateAll((els) => els.map((e) => e.getAttribute('data-section')));
    expect(sections.indexOf('stock-first')).toBeGreaterThan(-1);
    expect(sections.indexOf('stock-first')).toBeLessThan(sections.indexOf('verdicts'));
    const sf = report.stockFirst;
    if (!sf.checked) throw new Error('a new report records the stock-first step');
    const stock = page.locator('[data-section=stock-first]');
    expect(await stock.locator('h2').textContent()).toBe('存量优先套核');
    expect(await stock.locator('[data-testid=stock-summary]').textContent()).toBe(sf.summaryZh);
    expectFigure(figureBefore(await text(stock.locator('[data-field=stockNeed]')), '亩'), sf.need.mu, MU, 'stock need');
    if (sf.candidates.length === 0) expect(await stock.locator('[data-testid=stock-none]').textContent()).toBe(sf.radiusKm ? `在选址 ${sf.radiusKm} 公里内未找到符合条件的存量地块。` : '未找到符合条件的存量地块。');
    else {
      const rows = stock.locator('[data-testid=stock-candidates] tbody tr');
      expect(await rows.count()).toBe(sf.candidates.length);
      for (const [i, c] of sf.candidates.entries()) {
        const row = rows.nth(i);
        expect(await row.getAttribute('data-codes')).toBe(c.parcels.map((p) => p.code).join(','));
        expectFigure(await text(row.locator('td[data-unit=mu]')), c.totalArea.mu, MU, `candidate ${i + 1}`);
        expectFigure(await text(row.locator('td[data-field=score]')), c.score, 2, `candidate ${i + 1} score`);
      }
    }
    expect(await stock.locator('[data-field=reason]').textContent()).toBe('其他');
    expect(await stock.locator('[data-field=reasonNote]').textContent()).toBe('需临近铁路专用线');

    // verdicts: status and rule text as filed
    for (const v of report.verdicts) {
      const row = page.locator(`[data-testid=verdict-${v.rule}]`);
      expect(await row.getAttribute('data-status'), v.rule).toBe(v.status);
      expect(await row.locator('.status-badge').textContent()).toBe(STATUS_ZH[v.status]);
      expect(await row.locator('td').nth(1).textContent()).toBe(v.messageZh);
      expect(await row.locator('.rule-text').textContent()).toBe(v.ruleTextZh);
    }
    expect(report.verdicts.find((v) => v.rule === 'permanent-farmland')!.status).toBe('conflict');
    expect(await page.locator('[data-testid=overall]').getAttribute('data-status')).toBe('conflict');

    // 亩 (and 公顷, m²) figures
    expectFigure(figureBefore(await text(page.locator('[data-field=siteArea]')), '亩'), report.site.area.mu, MU, 'site area');
    for (const l of report.layers) {
      const row = page.locator(`[data-testid=overlay-table] tr[data-layer="${l.layerId}"]`);
      expectFigure(await text(row.locator('td[data-unit=mu]')), l.area.mu, MU, l.layerId);
      expectFigure(await text(row.locator('td[data-unit=ha]')), l.area.ha, HA, l.layerId);
      expectFigure(await text(row.locator('td[data-unit=m2]')), l.area.m2, M2, l.layerId);
      if (l.outside) {
        expectFigure(await text(page.locator(`tr[data-layer="${l.layerId}:outside"] td[data-unit=mu]`)), l.outside.mu, MU, `${l.layerId} outside`);
      }
    }
    const pf = report.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(await page.locator('[data-testid=features-table] tbody tr').count()).toBe(report.layers.reduce((n, l) => n + l.features.length, 0));
    for (const f of pf.features) {
      expectFigure(await text(page.locator(`[data-testid=features-table] tr[data-code="${f.code}"] td[data-unit=mu]`)), f.overlapArea.mu, MU, f.code);
    }
    expectFigure(await text(page.locator('[data-testid=trimmed-table] tr[data-row=trimmed] td[data-unit=mu]')), report.trimmed.area.mu, MU, 'trimmed');

    // maps: drawn, and not blank
    const touched = report.layers.filter((l) => l.intersects).length;
    // the site map and its overview inset, one a touched layer, the trimmed part
    expect(await figuresDrawn(page)).toBe(2 + touched + 1);
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-figure=site] canvas')!;
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const colours = new Set<number>();
      let site = 0;
      for (let i = 0; i < px.length; i += 4 * 7) {
        colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
        // the site outline, #c2255c
        if (Math.abs(px[i]! - 0xc2) < 30 && Math.abs(px[i + 1]! - 0x25) < 30 && Math.abs(px[i + 2]! - 0x5c) < 30) site++;
      }
      return { width: canvas.width, colours: colours.size, site };
    });
    expect(drawn.width).toBeGreaterThan(600);
    expect(drawn.colours).toBeGreaterThan(20);
    expect(drawn.site).toBeGreaterThan(50);

    // exports: links for each format, the 界址点 file in the zone chosen (38 by default)
    const href = (kind: string) => page.locator(`[data-export=${kind}]`).getAttribute('href');
    expect(await href('xlsx')).toBe(`/api/site-checks/${report.id}/export.xlsx`);
    expect(await href('geojson')).toBe(`/api/site-checks/${report.id}/export.geojson`);
    expect(await href('zip')).toBe(`/api/site-checks/${report.id}/export.zip`);
    expect(await href('boundary-points')).toContain('boundary-points.txt?zone=38&zoneWidth=3');
    await page.locator('[data-testid=zone-select]').selectOption('39');
    expect(await href('boundary-points')).toContain('zone=39');
    await page.locator('[data-testid=zone-select]').selectOption('38');

    expect(await page.locator('[data-testid=print]').isVisible()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/report-${backend}.png`, fullPage: true });

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('[data-testid=print]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid=report-toolbar]').isVisible()).toBe(false);
    expect(await page.locator('h1').isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/report-print-${backend}.png`, fullPage: true });
    const pdf = `test-results/report-${backend}.pdf`;
    await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(statSync(pdf).size).toBeGreaterThan(50_000);
    const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(6);
    await page.emulateMedia({ media: 'screen' });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches to English and back, and keeps the choice in the URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${base}/reports/${report.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    await page.locator('.lang-button').click();
    expect(await page.locator('h1').textContent()).toBe('Site check report');
    expect(await page.locator('[data-section=stock-first] h2').textContent()).toBe('Stock land first');
    expect(await page.locator('[data-section=stock-first] [data-field=reason]').textContent()).toBe('Other');
    expect(await page.locator('[data-testid=verdict-permanent-farmland] .status-badge').textContent()).toBe('Conflict');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    expect(await page.locator('[data-field=filedBy]').textContent()).toBe(`${report.filedBy!.displayName} (administrator)`);
    expect(await page.locator('[data-field=time]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\)$/);
    expect(await page.locator('[data-section=boundary-points] h2').textContent()).toBe('Boundary points');
    expect(await page.locator('[data-testid=sign-off] th').allTextContents()).toEqual(['Prepared by', 'Date', 'Reviewed by', 'Date']);
    await page.locator('.lang-button').click();
    expect(await page.locator('h1').textContent()).toBe('建设项目选址套核报告');
    await page.close();
  });

  it('shows the public its version: whether and about how much of each restricted layer, no feature count, and when it lapses', async () => {
    expect(pub.redacted).toBe(true);
    const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } }); // no session: the public
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/reports/${pub.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=coarse-note]').textContent()).toContain('按 0.1 亩取整');
    expect(await page.locator('[data-testid=lapses-note]').textContent()).toContain('本报告为未登录时所做的套核，保存至');
    const pf = pub.layers.find((l) => l.layerId === 'permanent-farmland')!;
    expect(pf.intersects).toBe(true);
    const row = page.locator('[data-testid=overlay-table] tr[data-layer="permanent-farmland"]');
    expect(await row.locator('td[data-count]').textContent()).toBe('—');
    // the API rounds the public's figure to a tenth of a 亩; the page shows that figure
    expect(Math.abs(pf.area.mu * 10 - Math.round(pf.area.mu * 10))).toBeLessThan(1e-9);
    const shownMu = readFigure(await text(row.locator('td[data-unit=mu]')));
    expectFigure(shownMu, pf.area.mu, MU, 'public permanent farmland');
    expect(shownMu.text).toMatch(/\.\d0$/);
    expectFigures(await text(page.locator('[data-testid=verdict-permanent-farmland] td').nth(1)), '占用永久基本农田 约 {} 亩，一般建设项目不得占用。', [pf.area.mu], [1], 'public verdict');
    expect(await page.locator('[data-testid=features-table]').count()).toBe(0);
    expect(await page.locator('[data-section=features]').textContent()).toContain('图斑不在公众版报告中列出');
    expectFigure(await text(page.locator('[data-testid=trimmed-table] tr[data-row=lost] td[data-unit=mu]')), pub.trimmed.lost.mu, MU, 'public trimmed lost');
    expect(await page.locator('[data-section=trimmed]').textContent()).not.toContain('扣除后没有剩余部分');

    // what it withholds, said: which layers (those the API gives without a count), that the
    // figures are the server's, rounded, and that the compliant outline is withheld, not absent
    const withheld = pub.layers.filter((l) => l.count === null);
    expect(withheld.map((l) => l.layerId).sort()).toEqual(['eco-redline', 'general-farmland', 'permanent-farmland', 'purple-line']);
    expect(await page.locator('[data-testid=withheld-layers]').textContent()).toBe(`受控图层：${withheld.map((l) => l.nameZh).join('、')}。`);
    const note = await text(page.locator('[data-testid=coarse-note]'));
    expect(note).toContain('由服务器依据完整数据计算');
    expect(note).toContain('不给出其图形');
    expect(pub.trimmed.geometry).toBeNull();
    expect(pub.trimmed.area.m2).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=trimmed-withheld]').textContent()).toContain('合规范围的图形不在公众版中给出');
    expect(await page.locator('[data-testid=trimmed-none]').count()).toBe(0);
    // the farmland figure says in its frame that the layer is not drawn, with the API's area; no legend lists it
    const frame = page.locator('.report-figure:has([data-figure="permanent-farmland"]) [data-testid=frame-note]');
    expectFigures(await text(frame), '永久基本农田为受控图层，公众版不绘出其范围；面积 {} 亩 由服务器计算。', [pf.area.mu], [MU], 'public frame note');
    expect(await page.locator('.report-figure:has([data-figure="site"]) [data-testid=frame-note]').textContent()).toBe('受控图层（永久基本农田）不在公众版中绘出。');
    const legends = await page.locator('.figure-legend').allTextContents();
    for (const l of withheld) for (const legend of legends) expect(legend, l.layerId).not.toContain(l.nameZh);
    expect(await page.locator('[data-field=filedBy]').textContent()).toBe('公众（未登录）');
    expect(pub.filedBy).toEqual({ role: 'public', displayName: null });
    await expectPageFigures(page, pub, 'public');
    await page.screenshot({ path: `${ARTIFACTS}/report-public-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('prints every figure of the planner’s report as the API has it, rounded the same way', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(`${base}/reports/${report.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    await figuresDrawn(page);
    expect(report.redacted).toBeUndefined();
    await expectPageFigures(page, report, 'planner');
    await page.close();
  });

  it('frames the whole site in every map on A4, Letter and A5 paper and in a narrow window', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/reports/${report.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    await figuresDrawn(page);
    await expectSiteInFrames(page, report, 'screen 1100 px');
    // a window narrower than the sheet: the sheet and its maps follow it
    await page.setViewportSize({ width: 560, height: 1400 });
    await expectSiteInFrames(page, report, 'screen 560 px');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.emulateMedia({ media: 'print' });
    for (const paper of PAPERS) {
      await page.setViewportSize({ width: PRINTABLE_PX(paper.widthMm), height: 1400 });
      await expectSiteInFrames(page, report, `print ${paper.name}`);
      await page.screenshot({ path: `${ARTIFACTS}/report-print-${paper.name}-${backend}.png`, fullPage: true });
      const pdf = `test-results/report-${paper.name}-${backend}.pdf`;
      await page.pdf({ path: pdf, format: paper.format, printBackground: true });
      const bytes = readFileSync(pdf);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages, paper.name).toBeGreaterThanOrEqual(2);
      expect(pages, paper.name).toBeLessThanOrEqual(10);
      // every page numbered "k / n" in its bottom margin, as poppler's pdftotext reads the PDF
      const texts = execFileSync('pdftotext', ['-layout', pdf, '-']).toString().split('\f').filter((t) => t.trim());
      expect(texts.length, paper.name).toBe(pages);
      expect(texts.map((t) => /(\d+)\s*\/\s*(\d+)\s*$/.exec(t)?.slice(1).join('/')), paper.name).toEqual(texts.map((_, k) => `${k + 1}/${pages}`));
    }
    // drawn for A4, printed by the printer's layout on A5 and on Letter without a refit
    await page.setViewportSize({ width: PRINTABLE_PX(210), height: 1400 });
    await expectSiteInFrames(page, report, 'print A4 again');
    await expectSiteInUnrefittedFrames(page, report, 148 - 24, 'A4 drawing printed on A5');
    await expectSiteInUnrefittedFrames(page, report, 215.9 - 24 + 30, 'A4 drawing printed wider');
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says who filed it and when in Beijing time whatever the browser’s zone, lists the 界址点 as cs2cs projects the site, leaves the sign-off blank and links to its verification', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, timezoneId: 'America/New_York' });
    await page.goto(`${base}/reports/${report.id}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');

    // Beijing wall-clock time of the filed instant, written by Intl (not the app's formatter)
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(report.createdAt))
        .map((p) => [p.type, p.value]),
    );
    expect(await page.locator('[data-field=time]').textContent()).toBe(`${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}（北京时间）`);

    // the filer: the workspace's signed-in administrator
    expect(report.filedBy?.role).toBe('admin');
    expect(report.filedBy?.displayName).toBeTruthy();
    expect(await page.locator('[data-field=filedBy]').textContent()).toBe(`${report.filedBy!.displayName}（管理员）`);

    // 界址点坐标表: zone 38 with the prefix by default; each point is a site vertex as PROJ's
    // cs2cs puts it in CGCS2000 / 3-degree Gauss-Kruger zone 38 (EPSG:4526: X northing, Y easting), to the millimetre
    const table = page.locator('[data-testid=boundary-points]');
    await table.waitFor({ timeout: 30_000 });
    expect(await table.getAttribute('data-zone')).toBe('38');
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ name: tr.getAttribute('data-point')!, ring: Number(tr.getAttribute('data-ring')), x: Number(tr.querySelector('[data-field=x]')!.textContent), y: Number(tr.querySelector('[data-field=y]')!.textContent), xText: tr.querySelector('[data-field=x]')!.textContent! })),
    );
    const vertices = positionsOf(report.site.geometry as Geo);
    const projected = execFileSync('cs2cs', ['-f', '%.4f', 'EPSG:4490', 'EPSG:4526'], { input: vertices.map(([lon, lat]) => `${lat} ${lon}`).join('\n') + '\n' })
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.length).toBe(vertices.length); // every ring closed, as the file writes it
    expect(rows[0]!.name).toBe('J1');
    expect(rows.at(-1)!.name).toBe('J1');
    for (const r of rows) {
      expect(r.xText, r.name).toMatch(/^\d{7}\.\d{3}$/);
      const nearest = Math.min(...projected.map(([x, y]) => Math.hypot(x! - r.x, y! - r.y)));
      expect(nearest, `${r.name} against cs2cs`).toBeLessThan(0.002);
      expect(r.y, r.name).toBeGreaterThan(38_000_000);
    }
    // the same coordinates as the 界址点 file the toolbar exports
    const file = await (await page.request.get(`${base}/api/site-checks/${report.id}/boundary-points.txt?zone=38&zoneWidth=3&prefix=true&encoding=utf-8`)).text();
    const filePoints = file.split('\r\n').filter((l) => /^J\d+,/.test(l));
    expect(filePoints).toEqual(rows.map((r) => `${r.name},${r.ring},${r.xText},${r.y.toFixed(3)}`));
    const json = BoundaryPointsTable.parse(await (await page.request.get(`${base}/api/site-checks/${report.id}/boundary-points.json`)).json());
    expect(json.pointCount).toBe(rows.length);
    // another zone in the toolbar: the table follows it
    await page.locator('[data-testid=zone-select]').selectOption('39');
    await page.locator('[data-testid=boundary-points][data-zone="39"]').waitFor({ timeout: 30_000 });

    // sign-off blanks
    for (const f of ['handler', 'reviewer']) {
      const row = page.locator(`[data-testid=sign-off] tr[data-field=${f}]`);
      expect(await row.locator('th').allTextContents()).toEqual([f === 'handler' ? '经办人' : '审核人', '日期']);
      expect(await row.locator('td.blank').allTextContents()).toEqual(['', '']);
    }

    // the verification link: the stored report with its hash, which the page checks
    const link = await page.locator('[data-testid=verify-link]').getAttribute('href');
    expect(link).toBe(`${base}/reports/${report.id}?sha256=${report.contentHash}`);
    // its QR code, as printed, read back by an independent decoder (zbar), is the same address
    const qrShot = `${ARTIFACTS}/report-verify-qr.png`;
    await page.locator('[data-testid=verify-qr]').screenshot({ path: qrShot, scale: 'device' });
    expect(execFileSync('zbarimg', ['--quiet', '--raw', qrShot]).toString().trim()).toBe(link);
    await page.goto(link!);
    expect(await page.locator('[data-testid=verify-result]').getAttribute('data-verified')).toBe('true');
    expect(await page.locator('[data-testid=verify-result]').textContent()).toBe('核验通过：地址中的校验码与系统保存的报告一致。');
    const forged = `${report.contentHash.slice(0, -1)}${report.contentHash.endsWith('0') ? '1' : '0'}`;
    await page.goto(`${base}/reports/${report.id}?sha256=${forged}`);
    expect(await page.locator('[data-testid=verify-result]').getAttribute('data-verified')).toBe('false');
    await page.close();
  });

  it('says so in Chinese when the report does not exist', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/reports/00000000-0000-4000-8000-000000000000`);
    const alert = page.locator('.report-error');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('没有编号为 00000000-0000-4000-8000-000000000000 的选址套核报告');
    await page.close();
  });
});
