/**
 * A planner uploads a GBK 界址点 file (two parcels, one with a hole), sees what was detected,
 * puts it on the map — where GDAL places its parcels (tests/fixtures/parse/expected) — and checks it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bbox } from '@turf/bbox';
import { feature, featureCollection } from '@turf/helpers';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const FIXTURE = join(process.cwd(), 'tests/fixtures/parse/boundary-gbk.txt');
const gdal = JSON.parse(readFileSync(join(process.cwd(), 'tests/fixtures/parse/expected/boundary-gbk.geojson'), 'utf8')) as {
  features: { geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon }[];
};

async function mapReady(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
}

describe.runIf(hasChromium || process.env.CI)(`uploading a site file in headless Chromium (${backend})`, () => {
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ base, browser, stop } = await startWorkspace());
  });
  afterAll(async () => {
    await stop?.();
  });

  it('reads a GBK 界址点 file, shows the detection, places the parcels where they belong and checks them', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base + '/');
    await mapReady(page);
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('[data-testid=site-file]').setInputFiles(FIXTURE);
    const result = page.locator('[data-testid=parse-result]');
    await result.waitFor({ timeout: 15_000 });
    expect(await result.locator('dd[data-field=format]').textContent()).toBe('界址点坐标文件');
    expect(await result.locator('dd[data-field=crs]').textContent()).toBe('EPSG:4526');
    expect(await result.locator('dd[data-field=zone]').textContent()).toBe('38（3°）');
    expect(await result.locator('dd[data-field=axisOrder]').textContent()).toContain('X 北坐标');
    expect(await result.locator('dd[data-field=encoding]').textContent()).toBe('GBK');
    expect(await result.locator('[data-testid=parsed-summary]').textContent()).toMatch(/^\d+ 个地块 · [\d.]+ 亩/);

    await page.locator('[data-testid=use-parsed]').click();
    // the map moves to the parcels: its centre falls inside their bounding box
    const [minX, minY, maxX, maxY] = bbox(featureCollection(gdal.features.map((f) => feature(f.geometry))));
    await page.waitForFunction(
      ([a, b, c, d]) => {
        const m = window.yizhangtu!.controller.map;
        const ctr = m.getCenter();
        return !m.isMoving() && ctr.lng > a! && ctr.lng < c! && ctr.lat > b! && ctr.lat < d!;
      },
      [minX, minY, maxX, maxY],
      { timeout: 15_000 },
    );
    // the site's name is the one the file gives — its first parcel header's 地块名称 — not the file's name
    expect(await page.locator('.sc-form input[name=name]').inputValue()).toBe('开封东区工业地块');
    // the file's 工业用地 is read as the planned use 工业: the stock-land library is checked first
    expect(await page.locator('.sc-form select[name=use]').inputValue()).toBe('工业');
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=new-land] select[name=reason]').selectOption('location');
    await page.locator('button[data-action=run]').click();
    const verdicts = page.locator('[data-testid=site-result]');
    await verdicts.waitFor({ timeout: 30_000 });
    expect(await verdicts.locator('[data-testid=site-area]').textContent()).toMatch(/亩/);
    await page.screenshot({ path: `${ARTIFACTS}/site-upload-${backend}.png` });
    await page.close();
  });

  it('shows the parser’s message for a file it cannot read', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base + '/');
    await mapReady(page);
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('[data-testid=site-file]').setInputFiles({ name: 'site.txt', mimeType: 'text/plain', buffer: Buffer.from('这不是坐标\n也不是界址点文件\n') });
    const err = page.locator('[data-testid=parse-error]');
    await err.waitFor({ timeout: 15_000 });
    expect((await err.textContent())!.length).toBeGreaterThan(5);
    await page.close();
  });
});
