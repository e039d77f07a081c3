/**
 * The ledger's workbook page (/stock-ledger) in headless Chromium: a planner sees the export
 * link follow the county and year chosen, uploads a workbook made by GDAL with one new supply
 * and one refused row, reads the trial's verdicts, commits, and the parcel is supplied; in
 * English the page says so in English; the public is told to sign in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.skipIf(!hasChromium)(`the ledger workbook page in Chromium (${backend})`, () => {
  let ws: Workspace;
  let dir: string;
  let code: string;
  let county: string;
  let book: string;
  beforeAll(async () => {
    // a ledger event cannot be deleted: a database of this file's own
    ws = await startWorkspace({ as: 'planner', privateDatabase: true });
    dir = mkdtempSync(join(tmpdir(), 'yzt-ledger-page-'));
    const [row] = await ws.db.query<{ code: string; county_code: string }>(
      `SELECT code, county_code FROM stock_parcel s WHERE category = '批而未供' AND status = '可供应' AND recorded_on < DATE '2026-01-01'
          AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code = s.code) ORDER BY code LIMIT 1`,
    );
    code = row!.code;
    county = row!.county_code;
    const csv = join(dir, '变动记录.csv');
    writeFileSync(
      csv,
      [
        '记录号,地块编号,变动类型,变动日期,文号,供应或处置方式,合同编号,用地单位,成交价（万元）,再开发项目',
        `,${code},供应,2026-02-03,汴自然资供〔2026〕8号,出让,HT-2026-008,开封某新能源有限公司,990,`,
        `,${code},低效用地再开发,2026-02-04,汴低效〔2026〕1号,,,,,老厂房改造`,
      ].join('\n') + '\n',
    );
    book = join(dir, 'ledger.xlsx');
    await promisify(execFile)('ogr2ogr', ['-f', 'XLSX', book, csv, '-nln', '变动记录']);
  }, 120_000);
  afterAll(async () => {
    await ws?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports by county and year, tries an upload, shows each row’s verdict, commits it', async () => {
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/stock-ledger`);
      await page.locator('[data-testid=lb-county] option:nth-child(2)').waitFor({ state: 'attached', timeout: 30_000 });
      expect(await page.locator('[data-testid=lb-export-link]').getAttribute('href')).toBe('/api/stock-ledger/export.xlsx');
      await page.locator('[data-testid=lb-county]').selectOption(county);
      await page.locator('[data-testid=lb-year]').selectOption('2025');
      expect(await page.locator('[data-testid=lb-export-link]').getAttribute('href')).toBe(`/api/stock-ledger/export.xlsx?county=${county}&year=2025`);

      await page.locator('[data-testid=lb-file]').setInputFiles(book);
      await page.locator('[data-testid=lb-try]').click();
      const summary = page.locator('[data-testid=lb-summary]');
      await summary.waitFor({ timeout: 30_000 });
      expect(await summary.getAttribute('data-ok')).toBe('1');
      expect(await summary.getAttribute('data-invalid')).toBe('1');
      expect(await page.locator('[data-testid=lb-rows] tr[data-row="2"]').getAttribute('data-status')).toBe('ok');
      expect(await page.locator('[data-testid=lb-rows] tr[data-row="3"]').textContent()).toContain('只有低效用地可以登记再开发');
      expect(await ws.db.query('SELECT 1 FROM stock_event WHERE parcel_code = $1', [code])).toHaveLength(0);
      await page.screenshot({ path: `${ARTIFACTS}/ledger-book-trial-${backend}.png`, fullPage: true });

      await page.locator('[data-testid=lb-commit]').click();
      await page.locator('[data-testid=lb-summary][data-written="1"]').waitFor({ timeout: 30_000 });
      const [p] = await ws.db.query<{ status: string }>('SELECT status FROM stock_parcel WHERE code = $1', [code]);
      expect(p!.status).toBe('已供应');
      expect(await page.locator('[data-testid=lb-commit]').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('speaks English when asked, and tells the public to sign in', async () => {
    const page = await ws.browser.newPage();
    try {
      await page.goto(`${ws.base}/stock-ledger?lang=en`);
      await page.locator('[data-testid=lb-import] h2').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid=lb-import] h2').textContent()).toBe('Import ledger changes');
      expect(await page.title()).toContain('Ledger workbook');
    } finally {
      await page.close();
    }
    const context = await ws.browser.newContext();
    const pub = await context.newPage();
    try {
      await pub.goto(`${ws.base}/stock-ledger`);
      await pub.locator('[data-testid=lb-denied]').waitFor({ timeout: 30_000 });
      expect(await pub.locator('[data-testid=lb-denied]').textContent()).toContain('请先登录');
    } finally {
      await context.close();
    }
  });
});
