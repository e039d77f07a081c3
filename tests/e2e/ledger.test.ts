/**
 * The ledger on a stock parcel's page in headless Chromium: a planner (land-supply staff)
 * records a supply through the form and sees it in the timeline, with the parcel's status
 * changed on the page; a refused second supply shows the server's reason; the public sees the
 * timeline without the form and without the contract, land user or price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { StockTimeline } from '../../core/contracts/ledger.ts';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.skipIf(!hasChromium)(`the ledger on a parcel page in Chromium (${backend})`, () => {
  let ws: Workspace;
  let code: string;
  let approvedOn: string;
  beforeAll(async () => {
    // a ledger event cannot be deleted: a database of this file's own
    ws = await startWorkspace({ as: 'planner', privateDatabase: true });
    const [row] = await ws.db.query<{ code: string; approved_on: string }>(
      `SELECT code, approval_date::text AS approved_on FROM stock_parcel WHERE category = '批而未供' AND status = '可供应' AND approval_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code = stock_parcel.code) ORDER BY code LIMIT 1`,
    );
    code = row!.code;
    approvedOn = row!.approved_on;
  }, 120_000);
  afterAll(async () => {
    await ws?.stop();
  });

  const fill = async (page: Page, name: string, value: string) => page.locator(`[data-testid=ledger-form] [name=${name}]`).fill(value);

  it('records a supply from the form: the timeline and the status follow, a second supply is refused with the reason', async () => {
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/stock/${encodeURIComponent(code)}`);
      await page.locator('[data-testid=ledger-form]').waitFor({ timeout: 30_000 });
      await page.locator('[data-testid=ledger-empty]').waitFor();
      // a seeded parcel entered the ledger on its approval date
      expect(await page.locator('[data-testid=ledger-recorded-on]').textContent()).toContain(approvedOn);
      await page.locator('[data-testid=ledger-form] [name=kind]').selectOption('supply');
      await fill(page, 'eventDate', '2026-05-20');
      await fill(page, 'docNo', '汴自然资供〔2026〕31号');
      await fill(page, 'contractNo', 'HT-2026-031');
      await fill(page, 'landUser', '开封某装备制造有限公司');
      await fill(page, 'priceWan', '2350');
      await page.locator('[data-testid=ledger-submit]').click();
      await page.locator('[data-testid=ledger-done]').waitFor({ timeout: 15_000 });
      const row = page.locator('[data-testid=ledger-events] tbody tr[data-kind=supply]');
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('已供应');
      const text = await row.textContent();
      expect(text).toContain('2026-05-20');
      expect(text).toContain('开封某装备制造有限公司');
      expect(text).toContain('2350');
      await page.locator('[data-testid=parcel-attributes] [data-field=status]', { hasText: '已供应' }).waitFor({ timeout: 10_000 });

      // the server holds the same
      const api = StockTimeline.parse((await ws.app.inject({ method: 'GET', url: `/api/stock-parcels/${encodeURIComponent(code)}/events` })).json());
      expect(api.events.map((e) => [e.kind, e.eventDate, e.statusAfter])).toEqual([['supply', '2026-05-20', '已供应']]);

      await fill(page, 'docNo', '汴自然资供〔2026〕32号');
      await fill(page, 'contractNo', 'HT-2026-032');
      await fill(page, 'landUser', '另一企业');
      await fill(page, 'priceWan', '100');
      await page.locator('[data-testid=ledger-submit]').click();
      const error = page.locator('[data-testid=ledger-error]');
      await error.waitFor({ timeout: 15_000 });
      expect(await error.textContent()).toContain('不能再次供应');
      expect(await page.locator('[data-testid=ledger-events] tbody tr').count()).toBe(1);
      await page.screenshot({ path: `${ARTIFACTS}/ledger-planner-${backend}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows the public the timeline without the form, the contract, the land user or the price', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ws.base}/stock/${encodeURIComponent(code)}?lang=en`);
      const row = page.locator('[data-testid=ledger-events][data-full=false] tbody tr[data-kind=supply]');
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain('Supplied');
      const ledger = (await page.locator('[data-testid=ledger]').textContent()) ?? '';
      for (const secret of ['开封某装备制造有限公司', 'HT-2026-031', '2350', '汴自然资供〔2026〕31号']) expect(ledger).not.toContain(secret);
      expect(await page.locator('[data-testid=ledger-form]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
