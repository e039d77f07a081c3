/**
 * Layout at office screen widths (1280, 1440 and 1920 px), in Chinese and in English: on every
 * page with tables, panels and controls — the map with its side panel (the site check's
 * stock-first step, the new-land reason and a result), a feature popup, the stock search and a
 * parcel, the audit queue, a case, the counties and the import, the admin pages, /me and a
 * filed report — nothing may overflow its box, no column may be clipped and no short word may
 * be broken a character a line. Each offence is reported with its page, width, language and a
 * selector, e.g.
 *   "/stock @1440 en — clipped cell: [data-testid=stock-list] td[data-field=status] (scrollWidth 92 > clientWidth 71) ×20".
 *
 * One browser and one workspace (signed in as an administrator, who may open every page; the
 * public's pages in a context without the session), each page loaded once a language and
 * resized in place.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const WIDTHS = [1280, 1440, 1920] as const;
const HEIGHT = 900;
const LANGS = ['zh', 'en'] as const;
type Lang = (typeof LANGS)[number];

type Polygon = { type: 'Polygon'; coordinates: number[][][] };
/** A 150 m square inside the urban development boundary, with stock candidates for 工业 (6–9 km off). */
const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/inside-boundary.geojson', import.meta.url), 'utf8')).geometry as Polygon;

interface Offence {
  kind: string;
  selector: string;
  detail: string;
}

/**
 * Runs in the page: every offence against the layout as it is now drawn.
 * - overflow: a box (block, flex, grid, table, list item…) whose content is wider than it
 *   (scrollWidth > clientWidth + 1) — a table's own scroller too: at these widths a table must
 *   fit, not hide its last columns behind a sideways scroll; the page scrolling sideways too;
 * - control outside: an input, select, textarea or button whose rectangle reaches outside a box
 *   around it (a section, form, fieldset, list item, cell, a bordered or scrolling box, up to
 *   the page) — horizontally, as a too-wide control does;
 * - clipped cell: a th or td whose content is wider than the cell;
 * - emoji: an emoji in the page's text (a box where no emoji font is installed);
 * - broken word: a short text (at most 6 CJK characters, or one word of at most 24 letters)
 *   laid out on more than one line, as "工/业".
 */
function findOffences(): Offence[] {
  const out: Offence[] = [];
  const cssId = (s: string) => (/^[A-Za-z_][\w-]*$/.test(s) ? s : JSON.stringify(s));
  /** A selector a developer can find the element by: its nearest named ancestor, then itself. */
  const describe = (el: Element): string => {
    const own = (e: Element) => {
      let s = e.tagName.toLowerCase();
      const testid = e.getAttribute('data-testid');
      if (testid) return `${s}[data-testid=${cssId(testid)}]`;
      if (e.id) return `${s}#${e.id}`;
      const classes = [...e.classList].filter((c) => !/^maplibregl-|^yzt-/.test(c) || e.classList.length === 1).slice(0, 3);
      if (classes.length) s += classes.map((c) => `.${c}`).join('');
      for (const a of ['data-field', 'data-attr', 'name', 'data-action', 'data-section', 'data-layer', 'data-part']) {
        const v = e.getAttribute(a);
        if (v) {
          s += `[${a}=${cssId(v)}]`;
          break;
        }
      }
      return s;
    };
    const parts = [own(el)];
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (p.getAttribute('data-testid') || p.id || p.matches('section, aside, form, main, header, nav, table, .side-panel')) {
        parts.unshift(own(p));
        if (p.getAttribute('data-testid') || p.id) break;
      }
      if (parts.length >= 3) break;
    }
    return parts.join(' ');
  };
  const visible = (el: Element) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  };
  const skip = (el: Element) => !!el.closest('svg, canvas, option, .maplibregl-canvas-container, .maplibregl-ctrl-attrib, script, style');
  const scrollsX = (s: CSSStyleDeclaration) => s.overflowX === 'auto' || s.overflowX === 'scroll';
  /** A table's own horizontal scroller: a box that scrolls sideways and holds just one table. */
  const tableScroller = (el: Element, s: CSSStyleDeclaration) => scrollsX(s) && el.children.length === 1 && el.children[0]!.tagName === 'TABLE';

  // emoji: a box on PCs without an emoji font (Kylin, UOS); icons are inline SVG (client/src/Icon.tsx)
  const emoji = /\p{Emoji_Presentation}|\uFE0F/u;
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = texts.nextNode(); n; n = texts.nextNode()) {
    const m = emoji.exec(n.textContent ?? '');
    if (m && n.parentElement && !skip(n.parentElement)) out.push({ kind: 'emoji', selector: describe(n.parentElement), detail: `“${m[0]}” U+${m[0].codePointAt(0)!.toString(16).toUpperCase()}` });
  }

  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push({ kind: 'page scrolls sideways', selector: 'html', detail: `scrollWidth ${doc.scrollWidth} > ${doc.clientWidth}` });

  const all = [...document.body.querySelectorAll('*')].filter((el) => !skip(el) && visible(el));
  for (const el of all) {
    const s = getComputedStyle(el);
    const tag = el.tagName;
    // boxes that overflow
    if (s.display !== 'inline' && s.display !== 'contents' && !['SELECT', 'INPUT', 'TEXTAREA', 'BUTTON', 'IMG'].includes(tag)) {
      const over = el.scrollWidth - el.clientWidth;
      // a table's own scroller too: at these widths a list must show all its columns, not hide
      // the last behind a sideways scroll (what "Status cut off at 1440 px" was)
      if (over > 1 && el.clientWidth > 0) {
        const cell = tag === 'TD' || tag === 'TH';
        out.push({ kind: cell ? 'clipped cell' : 'overflow', selector: describe(el), detail: `scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}` });
      }
    }
    // controls reaching outside a box around them
    if (['SELECT', 'INPUT', 'TEXTAREA', 'BUTTON'].includes(tag) && (el as HTMLInputElement).type !== 'hidden') {
      const r = el.getBoundingClientRect();
      for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
        const ps = getComputedStyle(p);
        const boxed =
          p === document.body ||
          p.matches('section, aside, form, fieldset, main, header, nav, footer, li, td, th, dialog, details') ||
          ps.overflowX !== 'visible' ||
          parseFloat(ps.borderLeftWidth) > 0 ||
          parseFloat(ps.borderRightWidth) > 0;
        if (!boxed || ps.display === 'contents') continue;
        const pr = p.getBoundingClientRect();
        if (r.left < pr.left - 1 || r.right > pr.right + 1) {
          out.push({
            kind: 'control outside its box',
            selector: `${describe(el)} ⊄ ${describe(p)}`,
            detail: `control ${Math.round(r.left)}–${Math.round(r.right)} px, box ${Math.round(pr.left)}–${Math.round(pr.right)} px`,
          });
          break;
        }
        // a table's scroller is where a control may go on sideways
        if (tableScroller(p, ps)) break;
      }
    }
    // short words broken over lines: an element holding only text (and inline elements of text)
    if (['TD', 'TH', 'BUTTON', 'LABEL', 'A', 'SPAN', 'STRONG', 'LEGEND', 'H1', 'H2', 'H3', 'H4', 'DT', 'DD', 'LI', 'P', 'SUMMARY'].includes(tag)) {
      const inner = [...el.querySelectorAll('*')];
      const textOnly = inner.every((c) => !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'IMG', 'svg', 'BR'].includes(c.tagName) && getComputedStyle(c).display === 'inline');
      const text = (el.textContent ?? '').trim();
      // at most 6 CJK characters (a use, a status, a layer's name), or one word of other letters
      const cjk = /^[\u3400-\u9fff\uf900-\ufaff]{2,6}$/.test(text);
      const word = /^[^\s\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]{2,24}$/.test(text);
      if (textOnly && text && (cjk || word)) {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const tops: number[] = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(n);
          for (const rect of range.getClientRects()) if (rect.width > 0.5 && rect.height > 0.5) tops.push(rect.top);
        }
        // lines: distinct tops more than half a line apart
        const sorted = tops.sort((a, b) => a - b);
        const lh = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2;
        let lines = sorted.length ? 1 : 0;
        for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! > lh / 2) lines++;
        if (lines > 1) out.push({ kind: 'broken word', selector: describe(el), detail: `“${text}” on ${lines} lines` });
      }
    }
  }
  return out;
}

/** What a failure says: each offence once with how many elements share it. */
function summarize(where: string, offences: Offence[]): string[] {
  const counts = new Map<string, number>();
  for (const o of offences) {
    const k = `${where} — ${o.kind}: ${o.selector}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const detail = new Map(offences.map((o) => [`${where} — ${o.kind}: ${o.selector}`, o.detail]));
  return [...counts].map(([k, n]) => `${k} (${detail.get(k)})${n > 1 ? ` ×${n}` : ''}`);
}

const settle = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        void document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
      }),
  );

// the client's words and layout do not depend on the database: checked once, on the embedded run
describe.runIf((hasChromium || process.env.CI) && backend === 'embedded')(`layout at 1280, 1440 and 1920 px in Chinese and English (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  let reportId: string;
  let publicContext: BrowserContext;

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace({ as: 'admin' }));
    publicContext = await browser.newContext();
    // a filed report of this account (its page, and /me's list), with stock candidates and a reason
    const filed = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: SITE, name: '某工业项目（一期）', use: '工业', stockFirst: { reason: 'other', note: '需临近铁路专用线' } },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    reportId = SiteCheckReport.parse(filed.json()).id;
    // a saved search, for /me
    const saved = await app.inject({ method: 'POST', url: '/api/me/saved-searches', payload: { name: '工业 · 20–80 亩', query: { use: '工业', minArea: '20', maxArea: '80' } } });
    expect(saved.statusCode, saved.body).toBeLessThan(300);
  });
  afterAll(async () => {
    await publicContext?.close();
    await stop?.();
  });

  /** Checks the page as it is at each width; `name` and `lang` say where in the failure. */
  async function checkWidths(page: Page, name: string, lang: Lang, failures: string[]) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: HEIGHT });
      await settle(page);
      const found = summarize(`${name} @${width} ${lang}`, await page.evaluate(findOffences));
      // LAYOUT_SHOTS=1 keeps a picture of every page at every width, to look at
      if (found.length || process.env.LAYOUT_SHOTS) await page.screenshot({ path: `${ARTIFACTS}/layout-${name.replace(/[^\w]+/g, '_')}-${width}-${lang}.png` });
      failures.push(...found);
    }
  }

  /** The pages that need only loading: path, what shows they are ready. */
  const PAGES = async (): Promise<{ name: string; path: string; ready: string; who?: 'public' }[]> => {
    const [parcel] = await db.query<{ code: string }>(`SELECT code FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`);
    const [kase] = await db.query<{ id: number }>(`SELECT id FROM encroachment ORDER BY id LIMIT 1`);
    return [
      { name: '/stock', path: '/stock', ready: '[data-testid=stock-results][data-state=ready] [data-testid=stock-list]' },
      // sorted by distance from a picked point: the last column is the distance (距离 / Distance)
      { name: '/stock?sort=distance', path: `/stock?sort=distance&near=${SITE.coordinates[0]![0]!.join(',')}`, ready: '[data-testid=stock-results][data-state=ready] [data-testid=stock-list] td[data-field=distance]' },
      { name: '/stock (public)', path: '/stock', ready: '[data-testid=stock-results][data-state=ready] [data-testid=stock-list]', who: 'public' },
      { name: '/stock/{code}', path: `/stock/${encodeURIComponent(parcel!.code)}`, ready: '[data-testid=parcel-attributes]' },
      { name: '/audit', path: '/audit', ready: '[data-testid=audit-results][data-state=ready] [data-testid=audit-list]' },
      ...(kase ? [{ name: '/audit/cases/{id}', path: `/audit/cases/${kase.id}`, ready: '[data-testid=overlap-table], [data-testid=overlap-none]' }] : []),
      { name: '/audit/counties', path: '/audit/counties', ready: '[data-testid=county-table]' },
      { name: '/audit/import', path: '/audit/import', ready: '[data-testid=import-form]' },
      { name: '/admin/layers', path: '/admin/layers', ready: '[data-testid=layer-versions]' },
      { name: '/admin/users', path: '/admin/users', ready: '[data-testid=user-table] tbody tr' },
      { name: '/admin/audit-log', path: '/admin/audit-log', ready: '[data-testid=audit-table] tbody tr' },
      { name: '/me', path: '/me', ready: '[data-testid=saved-searches] li, [data-testid=my-site-checks] table' },
      { name: '/figures/revitalisation', path: '/figures/revitalisation?year=2025', ready: '[data-testid=revitalisation] [data-testid=figures-chart]' },
      // the seeded year's approved sites: the county table, the chart and the list of approvals
      { name: '/figures/farmland-share', path: '/figures/farmland-share?year=2025', ready: '[data-testid=farmland-share] [data-testid=figures-approvals]' },
      { name: '/stock-ledger', path: '/stock-ledger', ready: '[data-testid=lb-export][data-ready=true]' },
      { name: '/requests', path: '/requests', ready: '[data-testid=request-table] tbody tr, [data-testid=request-none]' },
      { name: '/reports/{id}', path: `/reports/${reportId}`, ready: '[data-testid=report] [data-section=verdicts]' },
      { name: '/reports/{id} (public)', path: `/reports/${reportId}`, ready: '[data-testid=report] [data-section=verdicts]', who: 'public' },
      { name: '/ (public)', path: '/', ready: '[data-testid=health]', who: 'public' },
    ];
  };

  it('the map’s side panel with the stock-first step, the new-land reason and a result, and a popup', async () => {
    const failures: string[] = [];
    const page = await browser.newPage({ viewport: { width: WIDTHS[0], height: HEIGHT } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
    await page.locator('button[data-tool=polygon]:not([disabled])').waitFor({ timeout: 30_000 });
    // the site, pasted as coordinates, and its use: the stock-first step lists candidates
    await page.locator('[data-testid=sc-upload] summary').click();
    await page.locator('[data-testid=sc-upload] textarea').fill(SITE.coordinates[0]!.map(([lon, lat]) => `${lon} ${lat}`).join('\n'));
    await page.locator('[data-testid=sc-upload] button', { hasText: '读取粘贴的坐标' }).click();
    await page.locator('[data-testid=use-parsed]').click({ timeout: 15_000 });
    await page.locator('.sc-form select[name=use]').selectOption('工业');
    // (candidates, or none within the search radius: either way the step and the reason show)
    await page.locator('[data-testid=stock-first][data-status=ready]').waitFor({ timeout: 30_000 });
    // the reason for new land (the longest of the options shows once picked) and the check's result
    const section = page.locator('[data-testid=new-land]');
    await section.locator('select[name=reason]').selectOption('other');
    await section.locator('textarea[name=note]').fill('项目需临近铁路专用线，候选地块均不临线');
    await page.locator('button[data-action=run]').click();
    await page.locator('[data-testid=site-result]').waitFor({ timeout: 60_000 });

    // a feature's popup, opened as a click on the map opens it
    const [p] = await db.query<{ id: number; lon: number; lat: number }>(
      `SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM stock_parcel ORDER BY area_m2 DESC LIMIT 1`,
    );
    const openPopup = async () => {
      await page.evaluate(
        ([id, lon, lat]) => {
          const c = window.yizhangtu!.controller;
          c.map.jumpTo({ center: [lon!, lat!] });
          void c.openPopup({ source: 'stock-parcel', id } as never, [lon!, lat!]);
        },
        [p!.id, p!.lon, p!.lat],
      );
      await page.locator(`.feature-popup[data-id="${p!.id}"] table`).waitFor({ timeout: 15_000 });
    };
    await openPopup();

    for (const lang of LANGS) {
      if (lang === 'en') {
        // the panel keeps the site, the step and the result across the language switch
        await page.locator('.lang-switch').click();
        await page.locator('html[lang=en]').waitFor({ state: 'attached' });
        await openPopup();
      }
      await checkWidths(page, '/ (site check)', lang, failures);

      // the popup: the app's font, at the app's size
      const fonts = await page.evaluate(() => {
        const f = (sel: string) => {
          const s = getComputedStyle(document.querySelector(sel)!);
          return { family: s.fontFamily, size: parseFloat(s.fontSize) };
        };
        return { app: f('.side-panel'), popup: f('.maplibregl-popup-content'), cell: f('.feature-popup td'), panelCell: f('.sc-table td, .sc-figure') };
      });
      expect.soft(fonts.popup.family, `popup font (${lang})`).toBe(fonts.app.family);
      expect.soft(fonts.popup.size, `popup font size (${lang})`).toBe(fonts.app.size);
      expect.soft(fonts.cell.size, `popup cells no smaller than the panel's (${lang})`).toBeGreaterThanOrEqual(fonts.panelCell.size);

      // the side panel's header stays in view as its body scrolls
      const header = await page.evaluate(() => {
        const panel = document.querySelector('.side-panel')!;
        const scroller = [panel, ...panel.querySelectorAll('*')].find((e) => e.scrollHeight > e.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(e).overflowY));
        if (!scroller) return { scrolled: false, top: 0, bottom: 0 };
        scroller.scrollTop = scroller.scrollHeight;
        const r = document.querySelector('.side-panel .app-header')!.getBoundingClientRect();
        const out = { scrolled: scroller.scrollTop > 0, top: r.top, bottom: r.bottom };
        scroller.scrollTop = 0;
        return out;
      });
      expect.soft(header.scrolled, 'the side panel scrolls (the step and a result make it long)').toBe(true);
      expect.soft(header.top, `the side panel's header is at the top when scrolled (${lang})`).toBeGreaterThanOrEqual(-0.5);
      expect.soft(header.bottom, `the side panel's header is in view when scrolled (${lang})`).toBeGreaterThan(20);
    }
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/layout-site-check-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
    expect(failures, `layout offences:\n${failures.join('\n')}`).toEqual([]);
  });

  it('every page with tables, panels and controls', async () => {
    const failures: string[] = [];
    const admin = await browser.newPage({ viewport: { width: WIDTHS[0], height: HEIGHT } });
    const pub = await publicContext.newPage();
    for (const spec of await PAGES()) {
      const page = spec.who === 'public' ? pub : admin;
      for (const lang of LANGS) {
        await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
        await page.goto(`${base}${spec.path}${lang === 'en' ? `${spec.path.includes('?') ? '&' : '?'}lang=en` : ''}`);
        await page.locator(spec.ready).first().waitFor({ timeout: 30_000 });
        await checkWidths(page, spec.name, lang, failures);
      }
    }
    await admin.close();
    await pub.close();
    expect(failures, `layout offences:\n${failures.join('\n')}`).toEqual([]);
  });
});
