/**
 * The yearly figures page in headless Chromium: a planner sees the revitalisation rate per
 * county as GET /api/figures/revitalisation answers it, after a supply recorded in the year; the
 * rule and its source are printed; the export link carries the year; the public is told to sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevitalisationResponse } from '../../core/contracts/figures.ts';
import { beijingYear } from '../../core/beijing-time.ts';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.skipIf(!hasChromium)(`the yearly figures page in Chromium (${backend})`, () => {
  let ws: Workspace;
  let county: string;
  let before: number;
  const year = beijingYear();
  beforeAll(async () => {
    // a ledger event cannot be deleted: a database of this file's own
    ws = await startWorkspace({ as: 'planner', privateDatabase: true });
    const [p] = await ws.db.query<{ code: string; county_code: string }>(
      `SELECT code, county_code FROM stock_parcel WHERE category = '批而未供' AND status = '可供应' AND recorded_on < make_date($1, 1, 1)
         AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code = stock_parcel.code) ORDER BY area_m2 DESC LIMIT 1`,
      [year],
    );
    county = p!.county_code;
    // the seeded history has revitalised land this year already: the page must count one more
    const was = RevitalisationResponse.parse((await ws.app.inject({ method: 'GET', url: `/api/figures/revitalisation?year=${year}` })).json());
    before = was.counties.find((c) => c.countyCode === county)!.revitalisedCount;
    const res = await ws.app.inject({
      method: 'POST',
      url: `/api/stock-parcels/${encodeURIComponent(p!.code)}/events`,
      payload: { kind: 'supply', eventDate: `${year}-01-15`, docNo: '供〔测试〕1号', details: { method: '出让', contractNo: 'HT-1', landUser: '某公司', priceWan: 500 } },
    });
    expect(res.statusCode, res.body).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await ws?.stop();
  });

  it('shows each county’s rate as the API has it, with the rule, the source and the export', async () => {
    const api = RevitalisationResponse.parse((await ws.app.inject({ method: 'GET', url: `/api/figures/revitalisation?year=${year}` })).json());
    const want = api.counties.find((c) => c.countyCode === county)!;
    expect(want.revitalisedCount).toBe(before + 1);
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/figures/revitalisation?year=${year}`);
      const row = page.locator(`[data-testid=figures-table] tr[data-county="${county}"]`);
      await row.waitFor({ timeout: 30_000 });
      expect(await row.locator('[data-field=revitalisedCount]').textContent()).toBe(String(before + 1));
      expect(Number(await row.locator('[data-field=rate]').getAttribute('data-value'))).toBe(want.ratePct);
      expect(Number(await row.locator('[data-field=start]').getAttribute('data-value'))).toBeCloseTo(want.start.mu, 6);
      expect(await page.locator('[data-testid=figures-rule]').textContent()).toContain('汴政〔2023〕6号');
      expect(await page.locator('[data-testid=figures-export]').getAttribute('href')).toBe(`/api/figures/revitalisation/export.xlsx?year=${year}`);
      expect(await page.locator(`[data-testid=figures-chart] g[data-county="${county}"]`).getAttribute('data-rate')).toBe(String(want.ratePct));
      await page.screenshot({ path: `${ARTIFACTS}/figures-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('tells the public to sign in, in English when asked', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ws.base}/figures/revitalisation?lang=en`);
      const denied = page.locator('[data-testid=figures-denied]');
      await denied.waitFor({ timeout: 30_000 });
      expect(await denied.textContent()).toContain('planners and above');
    } finally {
      await context.close();
    }
  });
});
