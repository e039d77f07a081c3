/**
 * The farmland share of new construction land (占耕比) in headless Chromium: a planner records a
 * check's approval on its report page (the report then says 已批准 with the number and date, the
 * form is gone), and the figures page shows the check's county as GET /api/figures/farmland-share
 * has it — one more approved site on top of the seeded year, the share, the standing and the
 * quota, the chart's bar, the provincial average's line and figure, the rule and its source, the
 * Excel link, the approved site listed with a link to its report, the tab to the revitalisation
 * page and back; in English with no Chinese outside data; the public told to sign in and offered
 * no approval form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FarmlandShareResponse } from '../../core/contracts/figures.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { beijingToday, beijingYear } from '../../core/beijing-time.ts';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.skipIf(!hasChromium)(`the farmland share page and approving a check in Chromium (${backend})`, () => {
  let ws: Workspace;
  let id: string;
  let county: string;
  let before: number;
  const year = beijingYear();
  const today = beijingToday();
  const approvalNo = `豫政土〔${year}〕9088号`;
  const figures = async (lang = 'zh-CN') => FarmlandShareResponse.parse((await ws.app.inject({ method: 'GET', url: `/api/figures/farmland-share?year=${year}`, headers: { 'accept-language': lang } })).json());

  beforeAll(async () => {
    // an approval cannot be undone: a database of this file's own
    ws = await startWorkspace({ as: 'planner', privateDatabase: true });
    // a site around a general-farmland field's west edge, inside the field's county
    const [f] = await ws.db.query<{ x: number; y: number; county_code: string }>(
      `SELECT ST_XMin(geom) AS x, (ST_YMin(geom) + ST_YMax(geom)) / 2 AS y, county_code FROM general_farmland g
        WHERE ST_Within(ST_Expand(g.geom, 0.002), (SELECT c.geom FROM admin_county c WHERE c.code = g.county_code))
        ORDER BY area_m2 DESC LIMIT 1`,
    );
    const [x, y] = [Number(f!.x), Number(f!.y)];
    county = f!.county_code;
    const geometry = { type: 'Polygon', coordinates: [[[x - 0.0008, y - 0.0006], [x + 0.0008, y - 0.0006], [x + 0.0008, y + 0.0006], [x - 0.0008, y + 0.0006], [x - 0.0008, y - 0.0006]]] };
    const filed = await ws.app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, name: '浏览器测试产业园', use: '工业', stockFirst: { reason: 'location' } } });
    expect(filed.statusCode, filed.body).toBe(201);
    id = SiteCheckReport.parse(filed.json()).id;
    before = (await figures()).counties.find((c) => c.countyCode === county)!.approvedCount;
  }, 180_000);
  afterAll(async () => {
    await ws?.stop();
  });

  it('records the approval on the report page, which then says 已批准 with the number and date', async () => {
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/reports/${id}`);
      const row = page.locator('[data-testid=report] [data-field=approval]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.getAttribute('data-approved')).toBe('false');
      expect(await row.textContent()).toBe('未批准');
      await page.locator('[data-testid=approve-form]').waitFor({ timeout: 30_000 });
      // a date after today is refused, in the server's words
      await page.locator('[data-testid=approve-no]').fill(approvalNo);
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      await page.locator('[data-testid=approve-date]').fill(tomorrow);
      await page.locator('[data-testid=approve-submit]').click();
      const error = page.locator('[data-testid=approve-error]');
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toContain('晚于今天');
      await page.locator('[data-testid=approve-date]').fill(today);
      await page.locator('[data-testid=approve-submit]').click();
      await page.locator('[data-testid=report] [data-field=approval][data-approved=true]').waitFor({ timeout: 30_000 });
      expect(await row.locator('[data-field=approvalNo]').textContent()).toBe(approvalNo);
      expect(await row.locator('[data-field=approvedOn]').textContent()).toBe(today);
      expect(await row.textContent()).toContain('已批准');
      expect(await page.locator('[data-testid=approve-form]').count()).toBe(0);
      await page.locator('[data-testid=approve-done]').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/farmland-share-approved-${backend}.png`, fullPage: true });
      // read again: the approval is the server's
      await page.reload();
      await page.locator('[data-testid=report] [data-field=approval][data-approved=true]').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid=approve-form]').count()).toBe(0);
    } finally {
      await page.close();
    }
    const report = SiteCheckReport.parse((await ws.app.inject({ method: 'GET', url: `/api/site-checks/${id}` })).json());
    expect(report.approval).toMatchObject({ approvalNo, approvedOn: today, countyCode: county });
  });

  it('shows the county’s farmland share as the API has it, with the average, the rule and source, the chart, the site and the export', async () => {
    const api = await figures();
    const want = api.counties.find((c) => c.countyCode === county)!;
    expect(want.approvedCount).toBe(before + 1);
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/figures/farmland-share?year=${year}`);
      const row = page.locator(`[data-testid=figures-table] tr[data-county="${county}"]`);
      await row.waitFor({ timeout: 30_000 });
      expect(await row.locator('[data-field=approvedCount]').textContent()).toBe(String(before + 1));
      expect(Number(await row.locator('[data-field=share]').getAttribute('data-value'))).toBe(want.sharePct);
      expect(Number(await row.locator('[data-field=newLand]').getAttribute('data-value'))).toBeCloseTo(want.newLand.mu, 6);
      expect(Number(await row.locator('[data-field=farmland]').getAttribute('data-value'))).toBeCloseTo(want.farmland.mu, 6);
      expect(await row.getAttribute('data-standing')).toBe(want.standing);
      expect(Number(await row.getAttribute('data-quota'))).toBe(want.quotaMu);
      const quota = await row.locator('[data-field=quota]').textContent();
      expect(quota).toBe(want.quotaMu > 0 ? `奖励 ${want.quotaMu} 亩` : want.quotaMu < 0 ? `扣减 ${-want.quotaMu} 亩` : '不奖不扣');
      // a county without approved land this year, if any: no share, no consequence
      const none = api.counties.find((c) => c.standing === null);
      if (none) expect(await page.locator(`[data-testid=figures-table] tr[data-county="${none.countyCode}"] [data-field=share]`).textContent()).toBe('—');
      expect(Number(await page.locator('[data-testid=figures-average]').getAttribute('data-pct'))).toBe(api.averagePct);
      expect(await page.locator('[data-testid=figures-average]').textContent()).toContain(`全省平均占耕比 ${api.averagePct}%`);
      expect(Number(await page.locator('[data-testid=average-line]').getAttribute('data-pct'))).toBe(api.averagePct);
      expect(await page.locator(`[data-testid=figures-chart] g[data-county="${county}"]`).getAttribute('data-share')).toBe(String(want.sharePct));
      const rule = await page.locator('[data-testid=figures-rule]').textContent();
      expect(rule).toContain('焦作市自然资源和规划局 2026 年文件第十六项');
      expect(rule).toContain('200 亩');
      expect(await page.locator('[data-testid=figures-export]').getAttribute('href')).toBe(`/api/figures/farmland-share/export.xlsx?year=${year}`);
      const listed = page.locator(`[data-testid=figures-approvals] tr[data-check="${id}"]`);
      expect(await listed.textContent()).toContain(approvalNo);
      expect(await listed.locator('a').getAttribute('href')).toBe(`/reports/${id}`);
      await page.screenshot({ path: `${ARTIFACTS}/farmland-share-${backend}.png`, fullPage: true });

      // the tabs: to the revitalisation page and back, the year kept
      await page.locator('[data-testid=figures-nav-revitalisation]').click();
      await page.waitForURL((u) => u.pathname === '/figures/revitalisation');
      await page.locator('[data-testid=revitalisation] [data-testid=figures-table]').waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get('year')).toBe(String(year));
      await page.locator('[data-testid=figures-nav-farmland-share]').click();
      await page.waitForURL((u) => u.pathname === '/figures/farmland-share');
      await page.locator('[data-testid=farmland-share] [data-testid=figures-table]').waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
    }
  });

  it('reads in English, with no Chinese outside data', async () => {
    const api = await figures('en');
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/figures/farmland-share?year=${year}&lang=en`);
      await page.locator(`[data-testid=figures-approvals] tr[data-check="${id}"]`).waitFor({ timeout: 30_000 });
      const found = await page.evaluate(() => {
        const HAN = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef\u201c\u201d]/u;
        const out: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || !HAN.test(n.textContent ?? '') || el.closest('[data-i18n="data"], [data-i18n="language"], option, script, style')) continue;
          out.push(n.textContent!.trim());
        }
        for (const o of Array.from(document.querySelectorAll('option'))) if (HAN.test(o.textContent ?? '')) out.push(o.textContent!);
        if (HAN.test(document.title)) out.push(`title: ${document.title}`);
        return out;
      });
      expect(found).toEqual([]);
      expect(await page.locator('[data-testid=figures-average]').textContent()).toContain(`Provincial average share: ${api.averagePct} %`);
      expect(await page.locator('[data-testid=figures-rule]').textContent()).toContain('Jiaozuo natural resources and planning bureau, 2026 document, item 16');
      const want = api.counties.find((c) => c.countyCode === county)!;
      expect(await page.locator(`[data-testid=figures-table] tr[data-county="${county}"] [data-field=county]`).textContent()).toBe(want.countyNameEn);
      await page.screenshot({ path: `${ARTIFACTS}/farmland-share-en-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('tells the public to sign in, and offers the public no approval form on a report', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ws.base}/figures/farmland-share?lang=en`);
      const denied = page.locator('[data-testid=figures-denied]');
      await denied.waitFor({ timeout: 30_000 });
      expect(await denied.textContent()).toContain('planners and above');
      await page.goto(`${ws.base}/reports/${id}?lang=en`);
      const row = page.locator('[data-testid=report] [data-field=approval][data-approved=true]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('Approved');
      expect(await page.locator('[data-testid=approve-form]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
