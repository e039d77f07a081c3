/**
 * Every page in English, as the role that uses it: no Chinese character anywhere a reader sees
 * (visible text, document title, title / placeholder / aria-label attributes, the options of
 * every drop-down, the map's popups), except inside elements marked as data that has no
 * translation — people's, parcels', projects', sites' and organisations' names, addresses,
 * approval numbers — with `data-i18n="data"`; and no Chinese punctuation (，。：；（）、“” …) in
 * the English text, and no "1 features" or "parcel(s)". County names drawn on the map's canvas are checked in the style: its label
 * layer must draw the English name, and every label point must carry one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import type { AccountRole } from '../../core/access.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium, mapIdle } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs } from '../helpers/session.ts';
import * as vocabulary from '../../core/vocabulary.ts';

/** Every word of the data's enumerations (core/vocabulary.ts): what a page must translate, never mark as data. */
const VOCABULARY_WORDS = [
  ...Object.values(vocabulary).flatMap((t) => (typeof t === 'object' && t !== null && !('zh' in t) ? Object.keys(t) : [])),
  vocabulary.CITY_NAME.zh,
];

/** What a reader of `page` sees that is not English: one line per offending text, with where it is. */
async function nonEnglish(page: Page): Promise<string[]> {
  return page.evaluate((words) => {
    const HAN = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef\u201c\u201d]/u;
    // data with no translation, and the switch's name of the other language (中文), written in that language
    const isData = (el: Element | null) => !!el?.closest('[data-i18n="data"], [data-i18n="language"]');
    const where = (el: Element) => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 4; e = e.parentElement) {
        const id = e.getAttribute('data-testid') ?? e.getAttribute('data-field') ?? e.getAttribute('data-attr') ?? (e.className && typeof e.className === 'string' ? e.className.split(' ')[0] : '');
        parts.unshift(`${e.tagName.toLowerCase()}${id ? `[${id}]` : ''}`);
      }
      return parts.join(' > ');
    };
    const found: string[] = [];
    // the title may name what the page shows (a parcel, a project) where the page marks it as data
    let title = document.title;
    for (const el of Array.from(document.querySelectorAll('[data-i18n="data"]'))) {
      const v = el.textContent?.trim();
      if (v) title = title.split(v).join('');
    }
    if (HAN.test(title)) found.push(`title: ${document.title}`);
    // visible text
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      const el = n.parentElement;
      if (!el || !HAN.test(text) || isData(el)) continue;
      if (el.closest('script, style, noscript, template')) continue;
      // <option>s are checked below, whether their list is open or not
      if (el.closest('option, optgroup')) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      found.push(`${where(el)}: ${text.trim().slice(0, 120)}`);
    }
    // attributes a reader meets (tooltips, placeholders, screen readers) and every option
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (isData(el)) continue;
      for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
        const v = el.getAttribute(a);
        if (v && HAN.test(v)) found.push(`${where(el)} @${a}: ${v.slice(0, 120)}`);
      }
      if ((el.tagName === 'OPTION' || el.tagName === 'OPTGROUP') && HAN.test((el as HTMLOptionElement).label || el.textContent || '')) {
        found.push(`${where(el)}: ${((el as HTMLOptionElement).label || el.textContent || '').slice(0, 120)}`);
      }
      if (el.tagName === 'INPUT' && ['button', 'submit'].includes((el as HTMLInputElement).type) && HAN.test((el as HTMLInputElement).value)) {
        found.push(`${where(el)} @value: ${(el as HTMLInputElement).value}`);
      }
    }
    // English plurals: "1 features", "1 parcel(s)"
    for (const line of document.body.innerText.split('\n')) {
      if (/(?<![\d.,])\b1 (?!is\b|was\b|has\b|does\b)[a-z]+s\b|\w\(s\)/.test(line)) found.push(`plural: ${line.trim().slice(0, 120)}`);
    }
    // marked as data but a word with a translation: the mark would hide what must be translated
    const known = new Set(words);
    for (const el of Array.from(document.querySelectorAll('[data-i18n="data"]'))) {
      const v = el.textContent?.trim() ?? '';
      if (known.has(v)) found.push(`${where(el)}: "${v}" is marked as data but has an English word`);
    }
    return found;
  }, VOCABULARY_WORDS);
}

/** Fails with every non-English text of the page, after a screenshot of it. */
async function expectEnglish(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}/english-${name}-${backend}.png`, fullPage: true });
  const found = await nonEnglish(page);
  expect.soft(found, `${name} (${page.url()}):\n  ${found.join("\n  ")}\n`).toEqual([]);
  // the page says it is English
  expect(await page.evaluate(() => document.documentElement.lang), name).toBe('en');
}

/** The map's label layer draws the English county names: text-field reads an English property every label point has. */
async function expectEnglishLabels(page: Page, name: string) {
  const labels = await page.evaluate(() => {
    const w = window as unknown as { yizhangtu?: { controller: { map: MapLike } }; yizhangtuStock?: { map: { map: MapLike } }; yizhangtuAudit?: { map: { map: MapLike } } };
    type MapLike = { getStyle(): { layers: { id: string; layout?: Record<string, unknown> }[]; sources: Record<string, { type: string; data?: unknown }> } };
    const map = w.yizhangtu?.controller.map ?? w.yizhangtuStock?.map.map ?? w.yizhangtuAudit?.map.map;
    if (!map) return null;
    const style = map.getStyle();
    const layer = style.layers.find((l) => l.id === 'county-labels');
    const source = style.sources['county-labels'];
    const features = (source?.data as { features?: { properties: Record<string, unknown> }[] } | undefined)?.features ?? [];
    return { textField: layer?.layout?.['text-field'], properties: features.map((f) => f.properties) };
  });
  expect(labels, `${name}: a map with county labels`).not.toBeNull();
  const field = JSON.stringify(labels!.textField);
  const m = /^\["get","([a-z_A-Z]+)"\]$/.exec(field);
  expect(m, `${name}: text-field ${field} reads one property`).not.toBeNull();
  const prop = m![1]!;
  expect(labels!.properties.length, name).toBeGreaterThan(0);
  for (const p of labels!.properties) {
    const v = p[prop];
    expect.soft(typeof v === 'string' && v.length > 0 && !/\p{Script=Han}/u.test(v), `${name}: label ${JSON.stringify(p)} draws ${prop}`).toBe(true);
  }
}

/** Clicks the map at a lon/lat and waits for the popup of that layer's feature. */
async function openPopup(page: Page, layer: string, lon: number, lat: number) {
  const point = await page.evaluate(
    ([x, y]) => {
      const map = window.yizhangtu!.controller.map;
      const pt = map.project([x!, y!]);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + pt.x, y: rect.top + pt.y };
    },
    [lon, lat],
  );
  await page.mouse.click(point.x, point.y);
  await page.locator(`.feature-popup[data-layer=${layer}]`).waitFor({ timeout: 15_000 });
}

const BOUNDARY_FILE = join(process.cwd(), 'tests/fixtures/parse/boundary-gbk.txt');

// the client's words and layout do not depend on the database: checked once, on the embedded run
describe.runIf((hasChromium || process.env.CI) && backend === 'embedded')(`every page in English (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // one workspace: the administrator's browser, and contexts signed in as the other roles
    ({ app, db, base, browser, stop } = await startWorkspace({ as: 'admin' }));
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await stop?.();
  });

  /** A page of a browser signed in as `role` (`public`: none), 1440 px wide. */
  async function pageAs(role: AccountRole | 'public'): Promise<Page> {
    const viewport = { width: 1440, height: 900 };
    if (role === 'admin') return browser.newPage({ viewport });
    const cookies = [];
    if (role !== 'public') {
      const s = await signInAs(app, db, role, role === 'enterprise' ? '开封某制造有限公司' : '张三');
      cookies.push({ name: 'yzt_session', value: s.cookie.split('=')[1]!, domain: new URL(base).hostname, path: '/', httpOnly: true, secure: false, sameSite: 'Lax' as const, expires: -1 });
    }
    const context = await browser.newContext({ viewport, storageState: { cookies, origins: [] } });
    contexts.push(context);
    return context.newPage();
  }

  const pageErrors = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return errors;
  };

  it('the public map, its popups, the upload panel and a checked site with its result', async () => {
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
         FROM stock_parcel WHERE status = '可供应' AND category = '批而未供' AND ref_price IS NOT NULL ORDER BY area_m2 DESC LIMIT 1`,
    );
    const page = await pageAs('public');
    const errors = pageErrors(page);
    await page.goto(`${base}/?lang=en&layers=stock-parcel,urban-boundary,admin-county#map=16/${p!.lat}/${p!.lon}`);
    await mapIdle(page);
    await expectEnglishLabels(page, 'map');
    // the switch redraws the labels in Chinese, and back
    const textField = () => page.evaluate(() => JSON.stringify(window.yizhangtu!.controller.map.getLayoutProperty('county-labels', 'text-field')));
    await page.locator('.lang-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await textField()).toBe('["get","name"]');
    await page.locator('.lang-switch').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await textField()).toBe('["get","name_en"]');
    await expectEnglish(page, 'map');
    // a stock parcel's popup: category, status, use and price unit are words of the register
    await openPopup(page, 'stock-parcel', p!.lon, p!.lat);
    await page.locator('.feature-popup[data-layer=stock-parcel] table').waitFor();
    await expectEnglish(page, 'map-popup-stock');

    // a county's popup: its English name and level
    const [county] = await db.query<{ lon: number; lat: number; name_en: string }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat, name_en FROM admin_county WHERE code = '410212'`,
    );
    await page.goto(`${base}/?lang=en&layers=admin-county#map=10/${county!.lat}/${county!.lon}`);
    await mapIdle(page);
    // the labels are drawn: their English letters too (MapLibre places no label it has no glyphs for)
    const drawn = await page.evaluate(() => window.yizhangtu!.controller.map.queryRenderedFeatures({ layers: ['county-labels'] }).map((f) => f.properties as Record<string, string>));
    expect(drawn.map((p) => p.name_en)).toContain(county!.name_en);
    await openPopup(page, 'admin-county', county!.lon, county!.lat);
    const countyPopup = page.locator('.feature-popup[data-layer=admin-county] table');
    await countyPopup.waitFor();
    expect(await countyPopup.locator('tr[data-attr=name] td').textContent()).toBe('Xiangfu District');
    expect(await countyPopup.locator('tr[data-attr=level] td').textContent()).toBe('City district');
    await expectEnglish(page, 'map-popup-county');
    await page.goto(`${base}/?lang=en&layers=stock-parcel,urban-boundary,admin-county#map=16/${p!.lat}/${p!.lon}`);
    await mapIdle(page);

    // the upload panel: the file's detection with every choice of coordinate system, zone and axis order
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('[data-testid=site-file]').setInputFiles(BOUNDARY_FILE);
    await page.locator('[data-testid=parse-result]').waitFor({ timeout: 15_000 });
    await expectEnglish(page, 'upload');
    await page.locator('[data-testid=use-parsed]').click();
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    await expectEnglish(page, 'stock-first');
    const reason = page.locator('[data-testid=new-land] select[name=reason]');
    if ((await reason.inputValue()) === '') await reason.selectOption('location');
    await page.locator('button[data-action=run]').click();
    await page.locator('[data-testid=site-result]').waitFor({ timeout: 60_000 });
    await expectEnglish(page, 'site-result');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the planner’s map with the restricted layers and their popups', async () => {
    const [f] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM eco_redline ORDER BY area_m2 DESC LIMIT 1`,
    );
    const [e] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM encroachment ORDER BY area_m2 DESC LIMIT 1`,
    );
    const page = await pageAs('planner');
    const errors = pageErrors(page);
    await page.goto(`${base}/?lang=en&layers=eco-redline,admin-county#map=14/${f!.lat}/${f!.lon}`);
    await mapIdle(page);
    await openPopup(page, 'eco-redline', f!.lon, f!.lat);
    await page.locator('.feature-popup[data-layer=eco-redline] table').waitFor();
    await expectEnglish(page, 'map-popup-redline');
    await page.goto(`${base}/?lang=en&layers=encroachment#map=17/${e!.lat}/${e!.lon}`);
    await mapIdle(page);
    await openPopup(page, 'encroachment', e!.lon, e!.lat);
    await page.locator('.feature-popup[data-layer=encroachment] table').waitFor();
    await expectEnglish(page, 'map-popup-encroachment');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a report, as filed and as the public reads it', async () => {
    const [c] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM permanent_farmland ORDER BY area_m2 DESC LIMIT 1`,
    );
    const [lon, lat] = [Number(c!.lon), Number(c!.lat)];
    const geometry = { type: 'Polygon', coordinates: [[[lon - 0.004, lat - 0.003], [lon + 0.004, lat - 0.003], [lon + 0.004, lat + 0.003], [lon - 0.004, lat + 0.003], [lon - 0.004, lat - 0.003]]] };
    const filed = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, name: '某工业项目（一期）', use: '工业', stockFirst: { reason: 'other', note: '需临近铁路专用线' } } });
    expect(filed.statusCode, filed.body).toBe(201);
    const byPublic = await app.inject({ method: 'POST', url: '/api/site-checks', headers: { cookie: '' }, payload: { geometry, name: '某商业项目', use: '商业', stockFirst: { reason: 'area' } } });
    expect(byPublic.statusCode, byPublic.body).toBe(201);
    for (const [who, id] of [['admin', filed.json().id], ['public', byPublic.json().id]] as const) {
      const page = await pageAs(who);
      const errors = pageErrors(page);
      await page.goto(`${base}/reports/${id}?lang=en`);
      await page.locator('[data-testid=report]').first().waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll('.report-map[data-ready=true], .report-map canvas').length > 0, null, { timeout: 30_000 }).catch(() => undefined);
      await expectEnglish(page, `report-${who}`);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('the stock search, a parcel page and the enterprise’s own page', async () => {
    const page = await pageAs('enterprise');
    const errors = pageErrors(page);
    await page.goto(`${base}/stock?lang=en`);
    await page.locator('[data-testid=stock-total]').waitFor({ timeout: 30_000 });
    await page.locator('table tbody tr').first().waitFor();
    await page.waitForFunction(() => !!(window as unknown as { yizhangtuStock?: unknown }).yizhangtuStock, null, { timeout: 30_000 });
    await expectEnglishLabels(page, 'stock');
    await expectEnglish(page, 'stock');
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL((u) => /^\/stock\/.+/.test(u.pathname));
    await page.locator('[data-testid=standing]').waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await expectEnglish(page, 'parcel');
    // a saved search and a filed check on /me
    const saved = await page.request.post(`${base}/api/me/saved-searches`, {
      data: { name: '园区工业用地', query: { use: '工业', category: '批而未供' } },
      headers: { 'x-csrf-token': await csrfOf(page) },
    });
    expect(saved.status(), await saved.text()).toBe(201);
    await page.goto(`${base}/me?lang=en`);
    await page.locator('li.me-search').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await expectEnglish(page, 'me');
    expect(errors).toEqual([]);
    await page.close();
  });

  /** The CSRF token of the page's session, as the client reads it. */
  async function csrfOf(page: Page): Promise<string> {
    const res = await page.request.get(`${base}/api/session`);
    return ((await res.json()) as { csrfToken?: string }).csrfToken ?? '';
  }

  it('the auditor’s queue, a case, the county view and the import page', async () => {
    const page = await pageAs('auditor');
    const errors = pageErrors(page);
    await page.goto(`${base}/audit?lang=en`);
    await page.locator('table tbody tr').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !!(window as unknown as { yizhangtuAudit?: unknown }).yizhangtuAudit, null, { timeout: 30_000 });
    await expectEnglishLabels(page, 'audit-queue');
    await expectEnglish(page, 'audit-queue');
    const [c] = await db.query<{ id: number }>(
      `SELECT c.id FROM encroachment c JOIN case_overlap o ON o.case_id = c.id GROUP BY c.id ORDER BY count(DISTINCT o.layer) DESC, c.id LIMIT 1`,
    );
    await page.goto(`${base}/audit/cases/${c!.id}?lang=en`);
    await page.locator('[data-testid=overlap-table]').waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await expectEnglish(page, 'audit-case');
    // a case confirmed illegal with its rectification, its form and its history
    const [r] = await db.query<{ id: number }>(`SELECT case_id AS id FROM case_rectification GROUP BY case_id ORDER BY count(*) DESC, case_id LIMIT 1`);
    await page.goto(`${base}/audit/cases/${r!.id}?lang=en`);
    await page.locator('[data-testid=rectify-history] tbody tr').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await expectEnglish(page, 'audit-case-rectification');
    await page.goto(`${base}/audit/counties?lang=en`);
    await page.locator('[data-testid=county-table] tbody tr').first().waitFor({ timeout: 30_000 });
    await expectEnglish(page, 'audit-counties');
    await page.goto(`${base}/audit/import?lang=en`);
    await page.locator('input[type=file]').first().waitFor({ state: 'attached', timeout: 30_000 });
    await expectEnglish(page, 'audit-import');
    // a dry run (it writes nothing): an existing case again (a duplicate), and a bow tie (invalid)
    const [dup] = await db.query<{ g: string; lon: number; lat: number }>(
      `SELECT ST_AsGeoJSON(geom) AS g, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM encroachment ORDER BY id LIMIT 1`,
    );
    const [lon, lat] = [Number(dup!.lon), Number(dup!.lat)];
    const bowtie = { type: 'Polygon', coordinates: [[[lon + 0.01, lat], [lon + 0.011, lat + 0.001], [lon + 0.011, lat], [lon + 0.01, lat + 0.001], [lon + 0.01, lat]]] };
    const file = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { 来源: '巡查', 发现日期: '2026-03-01' }, geometry: JSON.parse(dup!.g) },
        { type: 'Feature', properties: {}, geometry: bowtie },
      ],
    });
    await page.locator('input[type=file]').setInputFiles({ name: 'detections.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(file) });
    await page.locator('input[name=detectedOn]').fill('2026-05-01');
    await page.locator('[data-testid=dry-run]').click();
    await page.locator('[data-testid=dry-report]').waitFor({ timeout: 30_000 });
    await expectEnglish(page, 'audit-import-dry-run');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the administrator’s users, layers and audit log, and the sign-in page', async () => {
    const page = await pageAs('admin');
    const errors = pageErrors(page);
    await page.goto(`${base}/admin/users?lang=en`);
    await page.locator('[data-testid=user-table]').waitFor({ timeout: 30_000 });
    await expectEnglish(page, 'admin-users');
    await page.goto(`${base}/admin/layers?lang=en`);
    await page.locator('[data-testid=admin-layers] table tbody tr, [data-testid=layer-versions]').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    // every layer's versions
    for (const d of await page.locator('details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
    await expectEnglish(page, 'admin-layers');
    await page.goto(`${base}/admin/audit-log?lang=en`);
    await page.locator('[data-testid=audit-table] tbody tr').first().waitFor({ timeout: 30_000 });
    await expectEnglish(page, 'admin-audit-log');
    const anon = await pageAs('public');
    await anon.goto(`${base}/signin?lang=en&next=%2Faudit`);
    await anon.locator('input[name=username]').waitFor();
    await expectEnglish(anon, 'signin');
    expect(errors).toEqual([]);
    await page.close();
  });
});
