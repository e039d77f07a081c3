/**
 * The site's provenance in headless Chromium, with the cs2cs-made 界址点 files of
 * tests/fixtures/provenance:
 *
 * - a planner uploads the Beijing 1954 file, is refused (no shift parameters), accepts an
 *   approximate placement explicitly, files the check, and the report page prints the
 *   provenance with the approximate placement in red — in Chinese and in English, on screen
 *   and in print (this needs the parser's datum policy: DATUM_NEEDS_TRANSFORM);
 * - pasted coordinates whose eastings name no zone are refused with the zone choice open, and
 *   read in the zone chosen (the parser's zone policy: ZONE_AMBIGUOUS);
 * - a CGCS2000 file uploaded and checked through the panel: the report prints its file, format,
 *   detected and confirmed CRS, zone, axis order and encoding;
 * - pasted lon/lat over farmland, checked, then its compliant part re-checked from the panel:
 *   the parse's signed provenance goes with it, flagged edited, and is verified;
 * - a report filed with the parser's accepted approximate placement prints the red warning in
 *   both languages; the same provenance with the warning stripped prints 来源信息未经服务器核验.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { ParseResponse } from '../../core/contracts/geometry.ts';
import { SiteCheckReport, type SiteProvenance } from '../../core/contracts/site-check.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const FIX = new URL('../fixtures/provenance/', import.meta.url);
const fixturePath = (name: string) => new URL(name, FIX).pathname;
const RED = 'rgb(201, 42, 42)';

async function mapReady(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
}

/** Uploads a file in the panel and waits for the parse to answer (a result or a refusal). */
async function upload(page: Page, name: string) {
  await page.locator('[data-testid=sc-upload] summary').click();
  await page.locator('[data-testid=site-file]').setInputFiles(fixturePath(name));
  await page.locator('[data-testid=parse-result], [data-testid=parse-refusal]').first().waitFor({ timeout: 15_000 });
}

/** Puts the parsed site on the map, goes on to new land and files the check; the report id. */
async function fileCheck(page: Page): Promise<string> {
  await page.locator('[data-testid=use-parsed]').click();
  await page.locator('.sc-form select[name=use]').selectOption('工业');
  await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=new-land] select[name=reason]').selectOption('location');
  await page.locator('button[data-action=run]').click();
  const result = page.locator('[data-testid=site-result]');
  await result.waitFor({ timeout: 30_000 });
  return (await result.getAttribute('data-report'))!;
}

const colour = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).color);

describe.runIf(hasChromium || process.env.CI)(`the site's provenance in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  /** The report page, its provenance rows by field. */
  async function provenanceOf(page: Page, id: string, lang: 'zh' | 'en') {
    await page.goto(`${base}/reports/${id}${lang === 'en' ? '?lang=en' : ''}`);
    await page.locator('[data-testid=report]').waitFor({ timeout: 30_000 });
    const rows = await page.locator('[data-testid=provenance-table] tr').evaluateAll((trs) =>
      Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-field'), tr.querySelector('td')?.textContent ?? ''])),
    );
    return rows as Record<string, string>;
  }

  it('uploads a Beijing 1954 file, accepts an approximate placement, files the check and sees it in red on the report, in Chinese and English', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await mapReady(page);
    await upload(page, 'site-beijing54-zone38.txt');
    const refusal = page.locator('[data-testid=parse-refusal]');
    expect(await refusal.count(), 'a Beijing 1954 file without shift parameters must be refused (DATUM_NEEDS_TRANSFORM), not placed').toBe(1);
    expect(await refusal.getAttribute('data-code')).toBe('DATUM_NEEDS_TRANSFORM');
    expect(await refusal.locator('[data-testid=parse-error]').textContent()).toMatch(/1954/);
    const accept = page.locator('[data-testid=accept-approximate]');
    expect(await accept.textContent()).toBe('按近似位置接受（误差可达数十米）');
    await accept.click();
    const result = page.locator('[data-testid=parse-result]');
    await result.waitFor({ timeout: 15_000 });
    expect(await colour(page, '[data-testid=parse-warnings] li[data-code=DATUM_APPROXIMATE]')).toBe(RED);
    const id = await fileCheck(page);
    expect(await page.locator('[data-testid=site-approximate]').isVisible()).toBe(true);

    const report = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    report.on('pageerror', (e) => errors.push(e.message));
    const zh = await provenanceOf(report, id, 'zh');
    expect(zh.fileName).toBe('site-beijing54-zone38.txt');
    expect(zh.format).toBe('界址点坐标文件');
    expect(zh.datum).toBe('1954北京坐标系');
    expect(zh.datumTransform).toContain('近似位置');
    expect(zh.overrides).toContain('接受近似位置');
    expect(Object.entries(zh).some(([k, v]) => k.startsWith('warning-') && v.includes('DATUM_APPROXIMATE'))).toBe(true);
    expect(await colour(report, '[data-testid=provenance-table] tr[data-field=datumTransform] td')).toBe(RED);
    expect(await colour(report, '[data-testid=approximate-alert]')).toBe(RED);
    await report.emulateMedia({ media: 'print' });
    expect(await colour(report, '[data-testid=provenance-table] tr[data-field=datumTransform] td')).toBe(RED);
    expect(await report.locator('[data-testid=approximate-alert]').isVisible()).toBe(true);
    await report.screenshot({ path: `${ARTIFACTS}/provenance-approximate-print-${backend}.png`, fullPage: true });
    await report.emulateMedia({ media: 'screen' });
    const en = await provenanceOf(report, id, 'en');
    expect(en.format).toBe('Boundary-point file');
    expect(en.datum).toBe('Beijing 1954');
    expect(en.datumTransform).toContain('placed approximately');
    expect(await report.locator('[data-section=provenance] h2').textContent()).toBe('Where the site came from');
    expect(await report.locator('[data-testid=approximate-alert]').textContent()).toMatch(/^Approximate placement/);
    expect(errors).toEqual([]);
    await report.close();
    await page.close();
  });

  it('asks for the zone of pasted coordinates whose eastings do not name it, and reads them in the zone chosen (the parser’s zone policy)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base + '/');
    await mapReady(page);
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('textarea.paste').fill(readFileSync(new URL('../fixtures/parse/coords-gk-noprefix.txt', import.meta.url), 'utf8'));
    await page.locator('[data-testid=site-upload] button', { hasText: '读取粘贴的坐标' }).click();
    await page.locator('[data-testid=parse-result], [data-testid=parse-refusal]').first().waitFor({ timeout: 15_000 });
    const refusal = page.locator('[data-testid=parse-refusal]');
    expect(await refusal.count(), 'eastings without a zone prefix must be refused (ZONE_AMBIGUOUS), not placed in an assumed zone').toBe(1);
    expect(await refusal.getAttribute('data-code')).toBe('ZONE_AMBIGUOUS');
    const zone = refusal.locator('[data-testid=parse-overrides] input[type=number]');
    expect(await zone.isVisible()).toBe(true);
    await zone.fill('38');
    const result = page.locator('[data-testid=parse-result]');
    await result.waitFor({ timeout: 15_000 });
    expect(await result.locator('dd[data-field=zone]').textContent()).toBe('38（3°）');
    await page.close();
  });

  it('prints the provenance of a CGCS2000 file uploaded and checked through the panel', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await mapReady(page);
    await upload(page, 'site-cgcs2000-zone38.txt');
    expect(await page.locator('[data-testid=parse-result] dd[data-field=datum]').textContent()).toBe('2000国家大地坐标系（CGCS2000）');
    const id = await fileCheck(page);
    const filed = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${id}` })).json());
    expect(filed.provenance).toMatchObject({ fileName: 'site-cgcs2000-zone38.txt', format: 'boundary-points', edited: false });
    // the parse's signature went through the panel untouched: the server vouches for it
    expect(filed.provenance!.verification).toMatchObject({ verified: true });

    const report = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const zh = await provenanceOf(report, id, 'zh');
    expect(zh.fileName).toBe('site-cgcs2000-zone38.txt');
    expect(zh.format).toBe('界址点坐标文件');
    expect(zh.detectedCrs).toMatch(/^EPSG:4526( |$)/);
    expect(zh.confirmedCrs).toBe(zh.detectedCrs);
    expect(zh.zone).toBe('38（3°带）');
    expect(zh.axisOrder).toBe('X 北坐标、Y 东坐标');
    expect(zh.encoding).toBe('GBK');
    expect(zh.datum).toBe('2000国家大地坐标系（CGCS2000）');
    expect(zh.overrides).toBe('无（按自动识别）');
    expect(zh.verification).toMatch(/^来源信息经服务器核验/);
    expect(await report.locator('[data-testid=approximate-alert]').count()).toBe(0);
    // the 界址点 export starts in the file's zone, with its prefix; a CGCS2000 file has no datum choice
    expect(await report.locator('[data-export=boundary-points]').getAttribute('href')).toContain('boundary-points.txt?zone=38&zoneWidth=3&prefix=true');
    expect(await report.locator('[data-testid=datum-select]').count()).toBe(0);
    const en = await provenanceOf(report, id, 'en');
    expect(en.axisOrder).toBe('X northing, Y easting');
    expect(en.zone).toBe('38 (3° zone)');
    expect(en.overrides).toBe('none (as detected)');
    expect(errors).toEqual([]);
    await report.close();
    await page.close();
  });

  it('re-checks the compliant part of an uploaded site from the panel: the file’s signed provenance goes with it, flagged edited, and is verified', async () => {
    // pasted lon/lat around the largest permanent-farmland field, so the check trims something
    const [f] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM permanent_farmland ORDER BY area_m2 DESC, id LIMIT 1`,
    );
    const d = 0.004;
    const corners = [[-d, -d], [d, -d], [d, d], [-d, d], [-d, -d]].map(([x, y]) => `${(f!.lon + x!).toFixed(8)},${(f!.lat + y!).toFixed(8)}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await mapReady(page);
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('textarea.paste').fill(['经度,纬度', ...corners].join('\n'));
    await page.locator('[data-testid=site-upload] button', { hasText: '读取粘贴的坐标' }).click();
    await page.locator('[data-testid=parse-result]').waitFor({ timeout: 15_000 });
    const id = await fileCheck(page);
    const first = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${id}` })).json());
    expect(first.provenance).toMatchObject({ format: 'coordinates', edited: false, verification: { verified: true } });
    expect(first.trimmed.lost.m2).toBeGreaterThan(0);
    await page.locator('[data-testid=site-result] button', { hasText: '按合规范围重新套核' }).click();
    await page.waitForFunction((old) => {
      const el = document.querySelector('[data-testid=site-result]');
      return !!el && !!el.getAttribute('data-report') && el.getAttribute('data-report') !== old;
    }, id, { timeout: 60_000 });
    const againId = (await page.locator('[data-testid=site-result]').getAttribute('data-report'))!;
    const again = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${againId}` })).json());
    expect(again.provenance).toMatchObject({ format: 'coordinates', edited: true, verification: { verified: true } });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('prints an accepted approximate placement in red, in Chinese and English (a report filed with it through the API)', async () => {
    const boundary = '----yizhangtu-e2e';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="site-beijing54-zone38.txt"\r\n\r\n`),
      readFileSync(new URL('site-beijing54-zone38.txt', FIX)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await app.inject({ method: 'POST', url: '/api/geometry/parse?acceptApproximateDatum=true', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode, res.body).toBe(200);
    const parsed = ParseResponse.parse(res.json());
    const provenance: SiteProvenance = parsed.provenance;
    // the parser's own acceptance
    expect(provenance.confirmed).toMatchObject({ datum: 'beijing54', datumTransform: 'approximate' });
    expect(provenance.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    const filed = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: parsed.features.features[0]!.geometry, name: '近似位置', use: '工业', stockFirst: { reason: 'location' }, provenance },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const id = SiteCheckReport.parse(filed.json()).id;
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const zh = await provenanceOf(page, id, 'zh');
    const warningRow = page.locator('[data-testid=provenance-table] tr.alert', { hasText: 'DATUM_APPROXIMATE' });
    expect(await warningRow.count()).toBe(1);
    expect(await warningRow.locator('td').evaluate((el) => getComputedStyle(el).color)).toBe(RED);
    expect(zh.datumTransform).toBe('未经转换参数，按近似位置放置（误差可达数十米），规划人员已确认接受');
    // an approximate placement has no CGCS2000 coordinates to export: no datum choice
    expect(await page.locator('[data-testid=datum-select]').count()).toBe(0);
    expect(await page.locator('[data-testid=approximate-alert]').textContent()).toMatch(/^近似位置/);
    await page.emulateMedia({ media: 'print' });
    expect(await warningRow.locator('td').evaluate((el) => getComputedStyle(el).color)).toBe(RED);
    await page.emulateMedia({ media: 'screen' });
    const en = await provenanceOf(page, id, 'en');
    expect(en.datumTransform).toBe('no shift parameters: placed approximately (off by tens of metres), accepted by the planner');
    expect(await colour(page, '[data-testid=provenance-table] tr[data-field=datumTransform] td')).toBe(RED);
    expect(await page.locator('[data-section=provenance] h2').textContent()).toBe('Where the site came from');
    await page.screenshot({ path: `${ARTIFACTS}/provenance-approximate-${backend}.png`, fullPage: true });

    // the same provenance with its approximate-placement warning stripped: filed, but marked unverified in red
    const stripped = { ...provenance, warnings: provenance.warnings.filter((w) => w.code !== 'DATUM_APPROXIMATE') };
    const forged = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: parsed.features.features[0]!.geometry, name: '改动的来源', use: '工业', stockFirst: { reason: 'location' }, provenance: stripped },
    });
    expect(forged.statusCode, forged.body).toBe(201);
    const forgedId = SiteCheckReport.parse(forged.json()).id;
    const fzh = await provenanceOf(page, forgedId, 'zh');
    expect(fzh.verification).toMatch(/^来源信息未经服务器核验：/);
    expect(await colour(page, '[data-testid=provenance-table] tr[data-field=verification] td')).toBe(RED);
    const fen = await provenanceOf(page, forgedId, 'en');
    expect(fen.verification).toMatch(/^The provenance was not verified by the server: /);
    await page.close();
  });
});
