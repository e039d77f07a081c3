/**
 * Splitting a stock parcel from its page in headless Chromium: a planner draws a dividing line
 * across the parcel on the location map, records the split with its document number, and sees
 * the new parcels linked and the parcel retired; a merge with a parcel that does not touch it
 * shows the server's reason. The public sees no such form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.skipIf(!hasChromium)(`splitting a parcel on its page in Chromium (${backend})`, () => {
  let ws: Workspace;
  let code: string;
  let far: string;
  let box: { x0: number; y0: number; x1: number; y1: number };
  beforeAll(async () => {
    // a ledger event cannot be deleted: a database of this file's own
    ws = await startWorkspace({ as: 'planner', privateDatabase: true });
    const pick = `SELECT code, ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1 FROM stock_parcel s
                   WHERE category = '批而未供' AND status = '可供应' AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code = s.code)`;
    const [row] = await ws.db.query<{ code: string; x0: number; y0: number; x1: number; y1: number }>(`${pick} ORDER BY area_m2 DESC LIMIT 1`);
    code = row!.code;
    box = { x0: Number(row!.x0), y0: Number(row!.y0), x1: Number(row!.x1), y1: Number(row!.y1) };
    const [other] = await ws.db.query<{ code: string }>(
      `${pick} AND code <> $1 AND NOT ST_DWithin(geom, (SELECT geom FROM stock_parcel WHERE code = $1), 0.01) ORDER BY code LIMIT 1`,
      [code],
    );
    far = other!.code;
  }, 120_000);
  afterAll(async () => {
    await ws?.stop();
  });

  it('draws a dividing line on the map, splits the parcel, links the new parcels and retires it; a merge with a far parcel is refused', async () => {
    const page = await ws.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      await page.goto(`${ws.base}/stock/${encodeURIComponent(code)}`);
      await page.locator('[data-testid=parcel-map][data-rendered=true]').waitFor({ timeout: 60_000 });
      const form = page.locator('[data-testid=reshape-form]');
      await form.waitFor({ timeout: 30_000 });

      // a merge with a parcel far away: the server's reason shown
      await form.locator('[name=mode]').selectOption('merge');
      await form.locator('[name=others]').fill(far);
      await form.locator('[name=docNo]').fill('汴自然资〔2026〕合1号');
      await form.locator('[data-testid=reshape-submit]').click();
      await page.locator('[data-testid=reshape-error]', { hasText: '互不相连' }).waitFor({ timeout: 15_000 });

      // the line x = middle of the parcel, from below it to above it
      await form.locator('[name=mode]').selectOption('split');
      await page.locator('[data-testid=split-draw]').click();
      const mid = (box.x0 + box.x1) / 2;
      const dy = (box.y1 - box.y0) * 0.2;
      const canvas = page.locator('[data-testid=parcel-map] canvas');
      const at = async (lon: number, lat: number) => {
        const p = await page.evaluate(([x, y]) => window.yizhangtuStock!.map.map.project([x!, y!]), [lon, lat]);
        await canvas.click({ position: { x: p.x, y: p.y } });
      };
      await at(mid, box.y0 - dy);
      await at(mid, box.y1 + dy);
      await page.locator('[data-testid=split-drawing][data-points="2"]').waitFor();
      await page.locator('[data-testid=split-draw]').click();
      await form.locator('[name=docNo]').fill('汴自然资〔2026〕分1号');
      await page.screenshot({ path: `${ARTIFACTS}/ledger-split-line-${backend}.png`, fullPage: true });
      await form.locator('[data-testid=reshape-submit]').click();
      const done = page.locator('[data-testid=reshape-done]');
      await page.locator('[data-testid=reshape-done], [data-testid=reshape-error]:not(:has-text("互不相连"))').waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid=reshape-error]').count(), (await page.locator('[data-testid=reshape-error]').first().textContent().catch(() => '')) ?? '').toBe(0);
      expect(await done.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-code')))).toEqual([`${code}-1`, `${code}-2`]);
      await page.locator('[data-testid=parcel-attributes] [data-field=status]', { hasText: '已注销' }).waitFor({ timeout: 15_000 });

      const rows = await ws.db.query<{ code: string; status: string }>(`SELECT code, status FROM stock_parcel WHERE code = ANY($1::text[]) ORDER BY code`, [[code, `${code}-1`, `${code}-2`]]);
      expect(rows.map((r) => r.status)).toEqual(['已注销', '可供应', '可供应']);
      expect(await page.locator('[data-testid=reshape]').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('shows the public no split or merge form', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${ws.base}/stock/${encodeURIComponent(far)}`);
      await page.locator('[data-testid=parcel-attributes]').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid=reshape]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
