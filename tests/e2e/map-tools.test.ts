/**
 * The map tools in headless Chromium: identify across layers, measuring a distance and an area,
 * search for a code and for Gauss–Krüger coordinates, and the export of the view as PNG and PDF.
 * Expected features come from SQL, expected lengths and areas from GeographicLib (the test's own
 * reading of the clicked vertices), GK positions from PROJ's cs2cs, the PDF's text from poppler's
 * pdftotext — never from the product's own formatting.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import geodesic from 'geographiclib-geodesic';
import { PNG } from 'pngjs';
import type { Database } from '../../server/src/db/database.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { figureBefore, readFigure } from '../helpers/figures.ts';
import { HealthResponse } from '../../core/contracts/health.ts';

const GRS80 = new geodesic.Geodesic.Geodesic(6_378_137, 1 / 298.257222101);

/** The screen position of a lon/lat on the workspace map. */
const screenOf = (page: Page, lon: number, lat: number) =>
  page.evaluate(
    ([x, y]) => {
      const map = window.yizhangtu!.controller.map;
      const pt = map.project([x!, y!]);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + pt.x, y: rect.top + pt.y };
    },
    [lon, lat],
  );

/** A length as the tools write it ("812.34 m", "1.234 km"), in metres with the precision shown. */
function shownLength(text: string): { m: number; halfUnit: number } {
  const km = / km$/.test(text);
  const f = readFigure(text.replace(/ (k?m)$/, ''));
  const unit = km ? 1000 : 1;
  return { m: f.value * unit, halfUnit: 0.5 * 10 ** -f.decimals * unit };
}

describe.runIf(hasChromium || process.env.CI)(`the map tools in headless Chromium (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace({ as: 'planner' }));
  });
  afterAll(async () => {
    await stop?.();
  });

  const open = async (url: string) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base + url);
    await mapIdle(page);
    await page.locator('[data-testid=map-tools]').waitFor({ timeout: 30_000 });
    return page;
  };

  it('identifies every layer at a clicked point, topmost first, with the county by name and a link', async () => {
    const [f] = await db.query<{ id: number; code: string; lon: number; lat: number; county: string }>(
      `SELECT f.id, f.code, ST_X(ST_PointOnSurface(f.geom)) AS lon, ST_Y(ST_PointOnSurface(f.geom)) AS lat, c.name AS county
         FROM permanent_farmland f JOIN admin_county c ON c.code = f.county_code ORDER BY f.area_m2 DESC LIMIT 1`,
    );
    const page = await open(`/?layers=permanent-farmland,admin-county#map=16/${f!.lat}/${f!.lon}`);
    const at = await screenOf(page, f!.lon, f!.lat);
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('[data-testid=mt-identify-panel]');
    await panel.locator('[data-testid=mt-identify-layer]').first().waitFor({ timeout: 15_000 });
    const layers = await panel.locator('[data-testid=mt-identify-layer]').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
    // the field and the administrative units it lies in, whatever the panel shows: every layer, not the topmost only
    expect(layers).toEqual(expect.arrayContaining(['permanent-farmland', 'village', 'township', 'admin-county']));
    expect(layers.indexOf('permanent-farmland')).toBeLessThan(layers.indexOf('admin-county'));
    const field = panel.locator('[data-layer=permanent-farmland] [data-testid=mt-identify-feature]').first();
    expect(await field.getAttribute('data-id')).toBe(String(f!.id));
    expect(await field.locator('tr[data-attr=code] td').textContent()).toBe(f!.code);
    expect(await field.locator('tr[data-attr=county] td').textContent()).toBe(f!.county);
    expect(await field.locator('tr[data-attr=county_code]').count()).toBe(0);
    expect(await field.locator('[data-testid=mt-identify-link]').getAttribute('href')).toBe(`/api/layers/permanent-farmland/features/${f!.id}`);
    // the topmost feature's popup still opens beside it
    await page.locator('.feature-popup[data-layer=permanent-farmland]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${ARTIFACTS}/map-tools-identify-${backend}.png` });
    await page.close();
  });

  it('measures a distance and an area on the ellipsoid, drawn on the map', async () => {
    const page = await open('/?layers=admin-county#map=15/34.79/114.35');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const box = (await page.locator('[data-testid=map]').boundingBox())!;
    const cx = box.x + box.width * 0.6;
    const cy = box.y + box.height * 0.5;
    await page.locator('[data-testid=mt-measure-distance]').click();
    for (const [dx, dy] of [[-150, -100], [150, -100], [150, 120]] as const) {
      await page.mouse.click(cx + dx, cy + dy);
      await page.waitForTimeout(350); // two clicks within the double-click interval would be a double-click
    }
    await page.keyboard.press('Enter');
    const m = await page.evaluate(() => window.yizhangtuTools!.measure.measurement()!);
    expect(m.vertices).toHaveLength(3);
    expect(m.done).toBe(true);
    let expected = 0;
    for (let i = 1; i < m.vertices.length; i++) {
      const [a, b] = [m.vertices[i - 1]!, m.vertices[i]!];
      expected += GRS80.Inverse(a[1], a[0], b[1], b[0]).s12!;
    }
    const shown = shownLength((await page.locator('[data-testid=mt-length]').textContent())!);
    expect(Math.abs(shown.m - expected)).toBeLessThanOrEqual(shown.halfUnit + 1e-9);
    expect(expected).toBeGreaterThan(100);
    const drawn = await page.evaluate(() => window.yizhangtu!.controller.map.queryRenderedFeatures({ layers: ['measure-line'] }).length);
    expect(drawn).toBeGreaterThan(0);

    await page.locator('[data-testid=mt-measure-area]').click();
    for (const [dx, dy] of [[-120, -120], [120, -120], [120, 120], [-120, 120]] as const) {
      await page.mouse.click(cx + dx, cy + dy);
      await page.waitForTimeout(350);
    }
    await page.keyboard.press('Enter');
    const a = await page.evaluate(() => window.yizhangtuTools!.measure.measurement()!);
    expect(a.vertices).toHaveLength(4);
    const poly = GRS80.Polygon(false);
    for (const v of a.vertices) poly.AddPoint(v[1], v[0]);
    const geodesicArea = Math.abs(poly.Compute(false, true).area!);
    const text = (await page.locator('[data-testid=mt-area]').textContent())!;
    // the product's edges are straight in lon/lat; for edges of a few hundred metres the geodesic's differ by < 1e-6 of the area
    const m2 = figureBefore(text, 'm²');
    expect(Math.abs(m2.value - geodesicArea) / geodesicArea).toBeLessThan(1e-6);
    expect(Math.abs(figureBefore(text, '亩').value - geodesicArea / (10_000 / 15))).toBeLessThan(0.006);
    expect(Math.abs(figureBefore(text, '公顷').value - geodesicArea / 10_000)).toBeLessThan(0.00006);
    expect(await page.evaluate(() => window.yizhangtu!.controller.map.queryRenderedFeatures({ layers: ['measure-fill'] }).length)).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/map-tools-measure-${backend}.png` });
    expect(errors).toEqual([]);
    await page.locator('[data-testid=mt-measure-clear]').click();
    expect(await page.evaluate(() => !!window.yizhangtu!.controller.map.getSource('measure'))).toBe(false);
    await page.close();
  });

  it('searches a stock parcel’s code, flies there and outlines the parcel', async () => {
    const [p] = await db.query<{ id: number; code: string; xmin: number; ymin: number; xmax: number; ymax: number }>(
      `SELECT id, code, ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax FROM stock_parcel ORDER BY id LIMIT 1 OFFSET 31`,
    );
    const page = await open('/#map=9/34.7/114.5');
    await page.locator('[data-testid=mt-search-input]').fill(p!.code);
    await page.locator('[data-testid=mt-search-input]').press('Enter');
    const result = page.locator(`[data-testid=mt-result][data-kind=stock-parcel][data-id="${p!.id}"]`);
    await result.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => !window.yizhangtu!.controller.map.isMoving(), null, { timeout: 10_000 });
    await mapIdle(page);
    const center = await page.evaluate(() => window.yizhangtu!.controller.map.getBounds().toArray().flat());
    // the parcel lies inside the view
    expect(center[0]).toBeLessThan(p!.xmin);
    expect(center[2]).toBeGreaterThan(p!.xmax);
    expect(center[1]).toBeLessThan(p!.ymin);
    expect(center[3]).toBeGreaterThan(p!.ymax);
    await page.waitForFunction(() => window.yizhangtu!.controller.renderedOverlay('map-tools-highlight').length > 0, null, { timeout: 10_000 });
    await page.close();
  });

  it('searches Gauss–Krüger coordinates with and without the zone prefix and centres the map where cs2cs puts them', async () => {
    const page = await open('/#map=9/34.7/114.5');
    for (const [q, epsg, easting] of [['3851234.5 38523456.7', 4526, 38523456.7], ['X=3851234.5 Y=523456.7', 4547, 523456.7]] as const) {
      const out = execFileSync('cs2cs', ['-f', '%.10f', `EPSG:${epsg}`, 'EPSG:4490'], { input: `3851234.5 ${easting}\n` }).toString();
      const [lat, lon] = out.trim().split(/\s+/).map(Number) as [number, number];
      await page.locator('[data-testid=mt-search-input]').fill(q);
      await page.locator('[data-testid=mt-search-input]').press('Enter');
      await page.locator('[data-testid=mt-result][data-kind=coordinates]').waitFor({ timeout: 15_000 });
      await page.waitForFunction(() => !window.yizhangtu!.controller.map.isMoving(), null, { timeout: 10_000 });
      const c = await page.evaluate(() => window.yizhangtu!.controller.map.getCenter().toArray());
      expect(Math.abs(c[0]! - lon), q).toBeLessThan(1e-6);
      expect(Math.abs(c[1]! - lat), q).toBeLessThan(1e-6);
      expect(await page.locator('.maplibregl-marker').count()).toBe(1);
    }
    await page.close();
  });

  it('exports the view as a PNG of the view’s size and a PDF whose text has the date and the data version', async () => {
    const page = await open('/?layers=admin-county,urban-boundary,stock-parcel#map=12/34.79/114.35');
    const size = await page.evaluate(() => {
      const c = window.yizhangtu!.controller.map.getCanvas();
      return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
    });
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=mt-export-png]').click()]);
    const png = PNG.sync.read(readFileSync((await pngDownload.path())!));
    expect({ width: png.width, height: png.height }).toEqual({ width: size.cssWidth, height: size.cssHeight });
    expect(pngDownload.suggestedFilename()).toMatch(/^yizhangtu-\d{8}-\d{4}\.png$/);
    // not blank: the counties' outlines and the legend are drawn
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(20);

    const health = HealthResponse.parse(await (await page.request.get(`${base}/api/health`)).json());
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=mt-export-pdf]').click()]);
    const pdfPath = (await pdfDownload.path())!;
    const text = execFileSync('pdftotext', [pdfPath, '-']).toString();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(text).toContain(today);
    expect(text).toContain(`Data version ${health.dataVersion}`);
    expect(text).toMatch(/Scale about 1:[\d,]+/);
    await page.close();
  });
});
