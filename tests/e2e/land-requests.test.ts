/**
 * 企业找地 in headless Chromium, between two accounts on the seeded demo: an enterprise files a
 * request through the form and sees its matches at once; a planner finds it in the list with the
 * contact, proposes the best match from the request's page; the enterprise accepts it and the
 * parcel is reserved (已意向) for it; the pages in English say the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { StockParcelDetail } from '../../core/contracts/stock.ts';
import { M2_PER_MU } from '../../core/units.ts';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs } from '../helpers/session.ts';

describe.skipIf(!hasChromium)(`enterprise land requests in Chromium (${backend})`, () => {
  let ws: Workspace;
  let plannerContext: BrowserContext;
  let target: { code: string; county: string; mu: number };
  let requestUrl: string;
  beforeAll(async () => {
    // an accepted proposal writes a ledger event, which cannot be deleted: a database of this file's own
    ws = await startWorkspace({ as: 'enterprise', privateDatabase: true });
    const [row] = await ws.db.query<{ code: string; county_code: string; area_m2: number }>(
      `SELECT s.code, s.county_code, s.area_m2 FROM stock_parcel s JOIN stock_standing st ON st.parcel_id = s.id
        WHERE s.status = '可供应' AND s.planned_use = '工业' AND st.permanent_farmland_m2 < 0.01 AND st.eco_redline_m2 < 0.01
          AND s.plot_ratio_min IS NULL AND s.ref_price IS NULL
        ORDER BY s.area_m2 DESC LIMIT 1`,
    );
    const fallback = row ?? (await ws.db.query<{ code: string; county_code: string; area_m2: number }>(
      `SELECT s.code, s.county_code, s.area_m2 FROM stock_parcel s JOIN stock_standing st ON st.parcel_id = s.id
        WHERE s.status = '可供应' AND s.planned_use = '工业' AND st.permanent_farmland_m2 < 0.01 AND st.eco_redline_m2 < 0.01
        ORDER BY s.area_m2 DESC LIMIT 1`,
    ))[0]!;
    target = { code: fallback.code, county: fallback.county_code, mu: Number(fallback.area_m2) / M2_PER_MU };
    const planner = await signInAs(ws.app, ws.db, 'planner', '供地科王五');
    const { hostname } = new URL(ws.base);
    plannerContext = await ws.browser.newContext({
      storageState: { cookies: [{ name: 'yzt_session', value: planner.cookie.split('=')[1]!, domain: hostname, path: '/', httpOnly: true, secure: false, sameSite: 'Lax', expires: -1 }], origins: [] },
    });
  }, 180_000);
  afterAll(async () => {
    await plannerContext?.close();
    await ws?.stop();
  });

  it('an enterprise files a request from the form and sees its matches at once', async () => {
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/requests`);
      await page.locator('[data-testid=request-none]').waitFor({ timeout: 30_000 });
      await page.locator('[data-testid=request-new]').click();
      const form = page.locator('[data-testid=request-form]');
      await form.waitFor({ timeout: 15_000 });
      const fill = (name: string, value: string) => form.locator(`[name=${name}]`).fill(value);
      await fill('company', '开封某装备制造有限公司');
      await form.locator('[name=use]').selectOption('工业');
      // a range the chosen parcel sits in the middle of
      await fill('areaMinMu', (Math.floor(target.mu * 0.95 * 100) / 100).toFixed(2));
      await fill('areaMaxMu', (Math.ceil(target.mu * 1.05 * 100) / 100).toFixed(2));
      await form.locator('[name=county]').selectOption(target.county);
      await fill('contactName', '王经理');
      await fill('contactPhone', '0371-23456789');
      // a refusal first: the server's reason, naming the field, on the form
      await fill('contactPhone', 'call me');
      await page.locator('[data-testid=request-submit]').click();
      const error = page.locator('[data-testid=request-error]');
      await error.waitFor({ timeout: 15_000 });
      expect(await error.textContent()).toContain('联系电话');
      await fill('contactPhone', '0371-23456789');
      await page.locator('[data-testid=request-submit]').click();
      await page.waitForURL(/\/requests\/\d+/, { timeout: 15_000 });
      requestUrl = new URL(page.url()).pathname;
      const matches = page.locator('[data-testid=request-matches] tbody tr');
      await matches.first().waitFor({ timeout: 15_000 });
      const codes = await matches.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-codes')));
      expect(codes).toContain(target.code);
      // nothing is new on the day it was filed
      expect(await page.locator('[data-testid=request-matches] tr[data-new=true]').count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}/land-request-enterprise-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a planner sees it with its contact and proposes a match; the enterprise accepts it and the parcel is reserved', async () => {
    const staff = await plannerContext.newPage();
    try {
      await staff.goto(`${ws.base}/requests`);
      const row = staff.locator('[data-testid=request-table] tbody tr', { hasText: '开封某装备制造有限公司' });
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('0371-23456789');
      await row.locator('a').first().click();
      await staff.locator(`[data-testid=propose-match][data-code="${target.code}"]`).click();
      expect(await staff.locator('[data-testid=propose-form] [name=parcelCode]').inputValue()).toBe(target.code);
      await staff.locator('[data-testid=propose-form] [name=note]').fill('临近园区主干道');
      await staff.locator('[data-testid=propose-submit]').click();
      await staff.locator('[data-testid=request-notice]').waitFor({ timeout: 15_000 });
      const proposal = staff.locator(`[data-testid=request-proposals] tr[data-code="${target.code}"]`);
      await proposal.waitFor();
      expect(await proposal.textContent()).toContain('待答复');
      expect(await proposal.textContent()).toContain('供地科王五');
    } finally {
      await staff.close();
    }

    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}${requestUrl}`);
      const proposal = page.locator(`[data-testid=request-proposals] tr[data-code="${target.code}"]`);
      await proposal.waitFor({ timeout: 30_000 });
      // the enterprise does not see who at the bureau proposed it
      expect(await proposal.textContent()).not.toContain('供地科王五');
      expect(await proposal.textContent()).toContain('临近园区主干道');
      await proposal.locator('[data-testid=proposal-accept]').click();
      await page.locator('[data-testid=request-need][data-status=matched]').waitFor({ timeout: 15_000 });
      expect(await page.locator(`[data-testid=request-proposals] tr[data-code="${target.code}"]`).getAttribute('data-decision')).toBe('accepted');
      const parcel = StockParcelDetail.parse((await ws.app.inject({ method: 'GET', url: `/api/stock-parcels/${encodeURIComponent(target.code)}` })).json());
      expect(parcel.status).toBe('已意向');

      // the same page in English
      await page.goto(`${ws.base}/requests?lang=en&status=all`);
      const row = page.locator('[data-testid=request-table] tbody tr').first();
      await row.waitFor({ timeout: 30_000 });
      expect(await row.locator('[data-status]').textContent()).toBe('Matched');
      expect(await page.locator('[data-testid=request-list] h2').textContent()).toBe('My land requests');
      expect(await row.textContent()).toContain(`${target.code} accepted`);
      await page.screenshot({ path: `${ARTIFACTS}/land-request-accepted-en-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
