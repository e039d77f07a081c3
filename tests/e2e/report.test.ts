/**
 * The printable site-check report in headless Chromium: a site over farmland is checked
 * through the API, /reports/{id} shows its title, verdicts and 亩 figures as the report
 * has them, draws its map figures, hides the toolbar in print, and prints to A4 PDF.
 * The figures are read off the page as numbers and compared with GET /api/site-checks/{id}
 * (tests/helpers/figures.ts), never rebuilt with the page's own formatting.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
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

describe.runIf(hasChromium || process.env.CI)(`the printable site-check report in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  let report: SiteCheckReport;

  beforeAll(async () => {
    ({ app, base, browser, stop } = await startWorkspace());
    const res = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: SITE, name: '某工业项目（一期）', use: '工业', stockFirst: { reason: 'other', note: '需临近铁路专用线' } },
    });
    expect(res.statusCode).toBe(201);
    report = await saved(SiteCheckReport.parse(res.json()).id);
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
    await page.locator('.lang-button').click();
    expect(await page.locator('h1').textContent()).toBe('建设项目选址套核报告');
    await page.close();
  });

  it('shows the public its version: whether and about how much of each restricted layer, no feature count, and when it lapses', async () => {
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
    const pub = await saved(SiteCheckReport.parse(filed.json()).id, { cookie: '' });
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
    await page.screenshot({ path: `${ARTIFACTS}/report-public-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
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
