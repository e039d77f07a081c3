/**
 * The encroachment review (违法占地图斑核查) in headless Chromium, against what the API
 * answers: /audit lists what GET /api/cases answers for the filters in its URL, with the map in
 * step (hover, click) and the keyboard moving the selection (across pages) and opening a case;
 * /audit/cases/{id} shows the overlap table of GET /api/cases/{id} and next/previous follow the
 * queue; a decision shows in the history as the API records it and moves the county table by
 * the case's farmland; a stale decision gets the 409 message and a reload; the import's dry
 * run reports rows as the API does, and the commit creates the cases; the exports hold the
 * filtered list.
 *
 * Decisions and imports leave history the database keeps for good, so this file runs on a
 * private seeded database of the suite's backend (an embedded copy, or a new PostGIS database
 * with the demo dataset), never the PostGIS database the other files share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { CaseDetail, CaseImportAccepted, CaseImportJob, CaseListResponse, CaseStatsResponse, type CaseImportReport } from '../../core/contracts/cases.ts';
import { checkDecision } from '../../core/case-status.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';
import { expectFigure, expectFigures, readFigure } from '../helpers/figures.ts';

// The pages' figures are read back as numbers and compared with the API's (tests/helpers/figures.ts),
// with the decimals the pages promise: 亩 and m² 2, 公顷 4, a share's percentage 2.

/** An overlap in the list: a dash for none (nothing at 0.01 m²), else its 亩. */
function expectMuOrDash(shown: string | null, a: { m2: number; mu: number }, label: string) {
  expect(shown === '—', `${label}: “${shown}” for ${a.m2} m²`).toBe(a.m2 < 0.005);
  if (shown !== '—') expectFigure(shown!, a.mu, 2, label);
}

/** An instant in Beijing time, "YYYY-MM-DD HH:mm:ss", by the browser-independent Intl route. */
const beijing = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    .format(new Date(iso))
    .replace('T', ' ');

/** A query string as the pages write it: percent-encoded by URLSearchParams, commas kept. */
const norm = (query: string) => new URLSearchParams(query).toString().replace(/%2C/g, ',');

/** The page's queue as the API query it stands for: its own query string without the language. */
const apiQueryOf = (url: string) => {
  const p = new URL(url).searchParams;
  p.delete('lang');
  return p.toString().replace(/%2C/g, ',');
};

/** Waits until the queue shows the answer to exactly this API query. */
async function listShows(page: Page, query: string) {
  await page.locator(`[data-testid=audit-results][data-state=ready][data-query="${norm(query)}"]`).waitFor({ timeout: 20_000 });
}

const rows = (page: Page) =>
  page.locator('[data-testid=audit-list] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      id: Number(tr.getAttribute('data-id')),
      code: tr.getAttribute('data-code'),
      // the county's cell holds the township under the county's name
      county: (() => {
        const cell = tr.querySelector('[data-field=county]')!;
        const town = cell.querySelector('[data-field=township]');
        return town ? cell.textContent!.slice(0, cell.textContent!.length - town.textContent!.length) : cell.textContent;
      })(),
      township: tr.querySelector('[data-field=county] [data-field=township]')?.textContent ?? null,
      detectedOn: tr.querySelector('[data-field=detectedOn]')!.textContent,
      area: tr.querySelector('[data-field=area]')!.textContent,
      farmland: tr.querySelector('[data-field=farmland]')!.textContent,
      permanent: tr.querySelector('[data-field=permanentFarmland]')!.textContent,
      redline: tr.querySelector('[data-field=ecoRedline]')!.textContent,
      status: tr.querySelector('[data-field=status]')!.textContent,
      selected: tr.getAttribute('data-selected') === 'true',
    })),
  );

const selectedId = async (page: Page) => {
  const sel = page.locator('[data-testid=audit-list] tbody tr[data-selected=true]');
  return (await sel.count()) === 1 ? Number(await sel.getAttribute('data-id')) : null;
};

/** Waits until the map exists, has its style and has finished rendering. */
async function mapIdle(page: Page) {
  await page.waitForFunction(() => !!window.yizhangtuAudit?.map.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.yizhangtuAudit!.map.map;
        if (!map.isMoving() && map.loaded() && map.areTilesLoaded()) resolve();
        else map.once('idle', () => resolve());
      }),
  );
}

/** Screen coordinates of a lon/lat on the review's map. */
const screenPoint = (page: Page, at: [number, number]) =>
  page.evaluate(([lon, lat]) => {
    const map = window.yizhangtuAudit!.map.map;
    const pt = map.project([lon!, lat!]);
    const rect = map.getCanvas().getBoundingClientRect();
    return { x: rect.left + pt.x, y: rect.top + pt.y };
  }, at);

/** A multipart/form-data body with one file in the field `file`. */
function multipart(filename: string, content: string) {
  const boundary = '----yizhangtu-audit-e2e';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe.runIf(hasChromium || process.env.CI)(`the encroachment review in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  /** The browser user's session for the API calls of the test (none on a server without sign-in). */
  let auth: Record<string, string> = {};

  const inject = (o: InjectOptions) => app.inject({ ...o, headers: { ...auth, ...(o.headers ?? {}) } });
  const list = async (query: string) => {
    const res = await inject({ method: 'GET', url: `/api/cases${query ? `?${query}` : ''}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseListResponse.parse(res.json());
  };
  const detail = async (id: number) => {
    const res = await inject({ method: 'GET', url: `/api/cases/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseDetail.parse(res.json());
  };
  const stats = async (year: number) => {
    const res = await inject({ method: 'GET', url: `/api/cases/stats?year=${year}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseStatsResponse.parse(res.json());
  };

  async function openPage(url: string) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + url);
    return { page, errors };
  }

  /** The name the history will show for the browser's user: the signed-in user's, or the one typed. */
  async function actorOn(page: Page, typed: string) {
    const signedIn = page.locator('[data-testid=signed-in-actor]');
    const input = page.locator('[data-testid=decision-form] input[name=actor]');
    await signedIn.or(input).first().waitFor();
    if (await signedIn.count()) return (await signedIn.getAttribute('data-actor'))!;
    await input.fill(typed);
    return typed;
  }

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace({ privateDatabase: true }));
    // the session the browser's pages carry, if the server signs users in
    const probe = await browser.newPage();
    const session = (await probe.context().cookies(base)).find((c) => c.name === 'yzt_session');
    await probe.close();
    if (session) {
      const cookie = `yzt_session=${session.value}`;
      const info = (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json() as { csrfToken?: string | null };
      auth = { cookie, ...(info.csrfToken ? { 'x-csrf-token': info.csrfToken } : {}) };
    }
  });
  afterAll(async () => {
    await stop?.();
  });

  it('lists what GET /api/cases answers for the filters in the URL, and the map follows the list', async () => {
    const query = 'county=410221,410223&status=待核查&minOverlapMu=1&sort=-farmland';
    const want = await list(query);
    expect(want.total).toBeGreaterThan(want.pageSize); // more than one page, so paging is real
    const { page, errors } = await openPage(`/audit?${query}`);
    await listShows(page, query);

    expect(await page.locator('h1').textContent()).toContain('违法占地图斑核查');
    expect(Number(await page.locator('[data-testid=audit-total]').getAttribute('data-total'))).toBe(want.total);
    expect(await page.locator('[data-testid=audit-total]').textContent()).toBe(`共 ${want.total} 个图斑`);
    expect(await page.locator('[data-testid=audit-page]').textContent()).toBe(`第 1 / ${Math.ceil(want.total / want.pageSize)} 页`);
    const shown = await rows(page);
    expect(shown.map((r) => r.code)).toEqual(want.items.map((i) => i.code));
    for (const [i, r] of shown.entries()) {
      const c = want.items[i]!;
      expect(r.id).toBe(c.id);
      expect(r.county).toBe(c.countyName);
      expect(r.township).toBe(c.township?.name ?? null);
      expect(r.detectedOn).toBe(c.detectedOn);
      expectFigure(r.area!, c.area.mu, 2, `${c.code} area`);
      expectMuOrDash(r.farmland, c.overlaps.farmland, `${c.code} farmland`);
      expectMuOrDash(r.permanent, c.overlaps.permanentFarmland, `${c.code} permanent farmland`);
      expectMuOrDash(r.redline, c.overlaps.ecoRedline, `${c.code} red line`);
      expect(r.status).toBe('待核查');
      expect(c.overlaps.farmland.mu).toBeGreaterThanOrEqual(1);
    }
    // sorted by farmland, largest first, as the API sorts
    const farmland = want.items.map((i) => i.overlaps.farmland.m2);
    expect(farmland).toEqual([...farmland].sort((a, b) => b - a));
    // the filters show what the URL says, with the count per status under the other filters
    expect(await page.locator('input[name=county][value="410221"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=county][value="410223"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=county][value="410222"]').isChecked()).toBe(false);
    expect(await page.locator('input[name=status][value="待核查"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=status][value="违法占用"]').isChecked()).toBe(false);
    expect(await page.locator('input[name=minOverlapMu]').inputValue()).toBe('1');
    expect(await page.locator('select[name=overlap]').inputValue()).toBe('farmland');
    expect(await page.locator('select[name=sort]').inputValue()).toBe('-farmland');
    const count = page.locator('[data-filter=status] label', { has: page.locator('input[value="待核查"]') }).locator('.audit-count');
    expect(Number(await count.getAttribute('data-count'))).toBe(want.statusCounts['待核查']);

    // the map: every listed case is drawn and marked `listed`, nothing else is
    await mapIdle(page);
    const rendered = await page.evaluate(() => window.yizhangtuAudit!.map.renderedCases());
    const listedIds = new Set(want.items.map((i) => i.id));
    const marked = rendered.filter((c) => c.state.listed === true);
    expect(new Set(marked.map((c) => c.id))).toEqual(listedIds);
    for (const c of rendered.filter((c) => !listedIds.has(c.id))) expect(c.state.listed ?? false).toBe(false);

    // hovering a row lights its case, and only that one
    const [a, b] = [want.items[2]!, want.items[5]!];
    await page.locator(`tr[data-id="${a.id}"]`).hover();
    expect(await page.evaluate((id) => window.yizhangtuAudit!.map.featureState(id), a.id)).toMatchObject({ hover: true });
    await page.locator(`tr[data-id="${b.id}"]`).hover();
    expect(await page.evaluate((id) => window.yizhangtuAudit!.map.featureState(id), b.id)).toMatchObject({ hover: true });
    expect(await page.evaluate((id) => window.yizhangtuAudit!.map.featureState(id), a.id)).toMatchObject({ hover: false });
    await mapIdle(page);
    const hovered = (await page.evaluate(() => window.yizhangtuAudit!.map.renderedCases())).filter((c) => c.state.hover === true);
    expect(hovered.map((c) => c.id)).toEqual([b.id]);

    // clicking a case's polygon on the map selects its row
    const target = want.items[3]!;
    await page.evaluate((c) => window.yizhangtuAudit!.map.map.jumpTo({ center: c, zoom: 16 }), target.center);
    await mapIdle(page);
    const at = await screenPoint(page, target.center);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((id) => document.querySelector(`tr[data-id="${id}"]`)?.getAttribute('data-selected') === 'true', target.id);
    expect(await page.locator('tr[data-selected=true]').count()).toBe(1);
    expect(await page.evaluate((id) => window.yizhangtuAudit!.map.featureState(id), target.id)).toMatchObject({ selected: true });
    const polygons = (await page.evaluate(() => window.yizhangtuAudit!.map.renderedCases())).filter((c) => c.id === target.id);
    expect(polygons.map((c) => c.code)).toEqual([target.code]);
    await page.screenshot({ path: `${ARTIFACTS}/audit-queue-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moves the selection with j/k, ↓/↑ and n/p, across pages, and opens the case with Enter', async () => {
    const query = 'county=410221&status=待核查';
    const page1 = await list(query);
    const page2 = await list(`${query}&page=2`);
    expect(page1.items).toHaveLength(20);
    expect(page2.items.length).toBeGreaterThan(0);
    const { page, errors } = await openPage(`/audit?${query}`);
    await listShows(page, query);
    expect(await selectedId(page)).toBeNull();
    const ids = page1.items.map((i) => i.id);

    await page.keyboard.press('j');
    expect(await selectedId(page)).toBe(ids[0]);
    await page.keyboard.press('j');
    expect(await selectedId(page)).toBe(ids[1]);
    await page.keyboard.press('k');
    expect(await selectedId(page)).toBe(ids[0]);
    await page.keyboard.press('ArrowDown');
    expect(await selectedId(page)).toBe(ids[1]);
    await page.keyboard.press('n');
    expect(await selectedId(page)).toBe(ids[2]);
    await page.keyboard.press('ArrowUp');
    expect(await selectedId(page)).toBe(ids[1]);
    await page.keyboard.press('p');
    expect(await selectedId(page)).toBe(ids[0]);
    await mapIdle(page);
    expect(await page.evaluate((id) => window.yizhangtuAudit!.map.featureState(id), ids[0]!)).toMatchObject({ selected: true });

    // past the last row: the next page, its first case
    await page.locator(`tr[data-id="${ids[19]}"] td[data-field=county]`).click();
    expect(await selectedId(page)).toBe(ids[19]);
    await page.keyboard.press('j');
    await listShows(page, `${query}&page=2`);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.waitForFunction((id) => document.querySelector('tr[data-selected=true]')?.getAttribute('data-id') === String(id), page2.items[0]!.id);
    expect((await rows(page)).map((r) => r.id)).toEqual(page2.items.map((i) => i.id));
    // and back: the previous page, its last case
    await page.keyboard.press('k');
    await listShows(page, query);
    await page.waitForFunction((id) => document.querySelector('tr[data-selected=true]')?.getAttribute('data-id') === String(id), ids[19]!);

    // Enter opens the selected case, with the queue in its address
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid=case][data-id="${ids[19]}"]`).waitFor({ timeout: 20_000 });
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/audit/cases/${ids[19]}`);
    expect(apiQueryOf(page.url())).toBe(norm(query));
    // the way back selects it in the same queue
    await page.locator('[data-testid=back-to-queue]').click();
    await listShows(page, query);
    expect(await selectedId(page)).toBe(ids[19]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes filter, sort and page changes to the URL and restores them on reload', async () => {
    const { page } = await openPage('/audit?status=待核查');
    await listShows(page, 'status=待核查');
    await page.locator('input[name=source][value="巡查"]').check();
    await listShows(page, 'status=待核查&source=巡查');
    await page.locator('input[name=from]').fill('2025-01-01');
    await listShows(page, 'status=待核查&source=巡查&from=2025-01-01');
    await page.locator('input[name=to]').fill('2025-12-31');
    await listShows(page, 'status=待核查&source=巡查&from=2025-01-01&to=2025-12-31');
    await page.locator('select[name=sort]').selectOption('-area');
    const query = 'status=待核查&source=巡查&from=2025-01-01&to=2025-12-31&sort=-area';
    await listShows(page, query);
    const want = await list(apiQueryOf(page.url()));
    expect(apiQueryOf(page.url())).toBe(norm(query));
    expect((await rows(page)).map((r) => r.id)).toEqual(want.items.map((i) => i.id));
    for (const r of await rows(page)) expect(r.detectedOn!.startsWith('2025-')).toBe(true);
    const before = await rows(page);
    await page.reload();
    await listShows(page, query);
    expect(await rows(page)).toEqual(before);
    expect(await page.locator('input[name=source][value="巡查"]').isChecked()).toBe(true);
    expect(await page.locator('input[name=from]').inputValue()).toBe('2025-01-01');
    expect(await page.locator('select[name=sort]').inputValue()).toBe('-area');

    // a bad value: the server's 400 message, naming the field
    const res = await inject({ method: 'GET', url: '/api/cases?minOverlapMu=-3', headers: { 'accept-language': 'zh-CN' } });
    expect(res.statusCode).toBe(400);
    const message = (res.json() as { error: { message: string } }).error.message;
    await page.goto(`${base}/audit?minOverlapMu=-3`);
    const alert = page.locator('[data-testid=audit-error]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toBe(`查询失败：${message}`);
    expect(await page.locator('input[name=minOverlapMu]').getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });

  it('shows a case with every overlapped feature as GET /api/cases/{id} has it, and next/previous follow the queue', async () => {
    // a case meeting more than one feature (found from the base tables), neither first nor last
    // of its county's cases by code
    const candidates = await db.query<{ id: number }>('SELECT case_id AS id FROM case_overlap GROUP BY case_id HAVING count(*) >= 2 ORDER BY case_id LIMIT 20');
    let c: CaseDetail | null = null;
    let all: number[] = [];
    for (const { id } of candidates) {
      const d = await detail(Number(id));
      const ids: number[] = [];
      for (let p = 1; ; p++) {
        const l = await list(`county=${d.countyCode}&sort=code&pageSize=200&page=${p}`);
        ids.push(...l.items.map((i) => i.id));
        if (ids.length >= l.total) break;
      }
      const i = ids.indexOf(d.id);
      if (i > 0 && i < ids.length - 1) {
        c = d;
        all = ids;
        break;
      }
    }
    expect(c).not.toBeNull();
    if (!c) return;
    expect(c.overlapFeatures.length).toBeGreaterThanOrEqual(2);
    const at = all.indexOf(c.id);
    const query = `county=${c.countyCode}&sort=code&pageSize=50`;
    const { page, errors } = await openPage(`/audit/cases/${c.id}?${query}`);
    await page.locator(`[data-testid=case][data-id="${c.id}"]`).waitFor({ timeout: 20_000 });

    // the overlap table: every feature, in the API's order, with its 亩, m² and share
    const table = await page.locator('[data-testid=overlap-table] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        layer: tr.getAttribute('data-layer'),
        featureId: Number(tr.getAttribute('data-feature-id')),
        name: tr.querySelector('[data-field=layer]')!.textContent,
        code: tr.querySelector('[data-field=featureCode]')!.textContent,
        label: tr.querySelector('[data-field=label]')!.textContent,
        mu: tr.querySelector('[data-field=mu]')!.textContent,
        m2: tr.querySelector('[data-field=m2]')!.textContent,
        share: tr.querySelector('[data-field=share]')!.textContent,
      })),
    );
    expect(table.map(({ mu: _mu, m2: _m2, share: _share, ...t }) => t)).toEqual(
      c.overlapFeatures.map((f) => ({ layer: f.layerId, featureId: f.featureId, name: f.layerNameZh, code: f.featureCode, label: f.label ?? '—' })),
    );
    c.overlapFeatures.forEach((f, i) => {
      expectFigure(table[i]!.mu!, f.overlapArea.mu, 2, `${f.featureCode} 亩`);
      expectFigure(table[i]!.m2!, f.overlapArea.m2, 2, `${f.featureCode} m²`);
      expectFigures(table[i]!.share!, '{}%', [f.shareOfCase * 100], [2], `${f.featureCode} share`);
    });
    const field = (k: string) => page.locator(`[data-testid=case-attributes] [data-field=${k}]`).textContent();
    expect(await field('code')).toBe(c.code);
    expect(await field('county')).toBe(`${c.countyName}（${c.countyCode}）`);
    expect(await field('detectedOn')).toBe(c.detectedOn);
    expectFigures((await field('area'))!, '{} 亩（{} 公顷，{} m²）', [c.area.mu, c.area.ha, c.area.m2], [2, 4, 2], 'area');
    const occupation = (k: string) => page.locator(`[data-testid=case-occupation] [data-field=${k}]`).textContent();
    for (const k of ['farmland', 'permanentFarmland', 'generalFarmland', 'ecoRedline'] as const) expectFigure((await occupation(k))!, c.overlaps[k].mu, 2, k);
    // the decision form offers what the rules allow from 待核查, nothing more
    const options = await page.locator('[data-testid=decision-form] select[name=status] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(options).toEqual(c.allowedTransitions.map((t) => t.status));
    expect(options).not.toContain('待核查');

    // the map draws the case over the control layers; a table row lights its feature
    await page.locator('[data-testid=case-map][data-rendered=true]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => window.yizhangtuAudit!.map.renderedOutline())).toBeGreaterThan(0);
    const f0 = c.overlapFeatures[0]!;
    await page.locator(`[data-testid=overlap-table] tr[data-feature-id="${f0.featureId}"][data-layer="${f0.layerId}"]`).hover();
    expect(
      await page.evaluate(
        ([layer, id]) => window.yizhangtuAudit!.map.map.getFeatureState({ source: layer as string, sourceLayer: (layer as string).replace(/-/g, '_'), id: id as number }),
        [f0.layerId, f0.featureId] as const,
      ),
    ).toMatchObject({ hover: true });
    await page.screenshot({ path: `${ARTIFACTS}/audit-case-${backend}.png`, fullPage: true });

    // its place in the queue, and its neighbours
    const place = page.locator('[data-testid=queue-nav]');
    await page.locator('[data-testid=queue-place]').filter({ hasText: /^队列中第/ }).waitFor();
    expect(Number(await place.getAttribute('data-index'))).toBe(at);
    expect(await page.locator('[data-testid=queue-place]').textContent()).toBe(`队列中第 ${at + 1} / ${all.length} 个`);
    expect(Number(await page.locator('[data-testid=prev-case]').getAttribute('data-id'))).toBe(all[at - 1]);
    expect(Number(await page.locator('[data-testid=next-case]').getAttribute('data-id'))).toBe(all[at + 1]);
    await page.keyboard.press('j');
    await page.locator(`[data-testid=case][data-id="${all[at + 1]}"]`).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe(`/audit/cases/${all[at + 1]}`);
    expect(new URL(page.url()).searchParams.get('county')).toBe(c.countyCode);
    await page.locator('[data-testid=queue-place]').filter({ hasText: /^队列中第/ }).waitFor();
    await page.keyboard.press('k');
    await page.locator(`[data-testid=case][data-id="${c.id}"]`).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=queue-place]').filter({ hasText: /^队列中第/ }).waitFor();
    await page.locator('[data-testid=prev-case]').click();
    await page.locator(`[data-testid=case][data-id="${all[at - 1]}"]`).waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('records a decision: the history shows it as the API has it, and the county table moves by the case’s farmland', async () => {
    // the pending 2025 case with the most farmland
    const year = 2025;
    const [pick] = (await list(`status=待核查&from=${year}-01-01&to=${year}-12-31&sort=-farmland&pageSize=1`)).items;
    expect(pick).toBeDefined();
    expect(pick!.overlaps.farmland.mu).toBeGreaterThan(1);
    const before = await stats(year);
    const county = (s: CaseStatsResponse) => s.counties.find((c) => c.countyCode === pick!.countyCode)!;
    const b = county(before);

    // the county table before, as the API has it
    const { page, errors } = await openPage(`/audit/counties?year=${year}`);
    const row = (p: Page) => p.locator(`[data-testid=county-table] tbody tr[data-county="${pick!.countyCode}"]`);
    await row(page).waitFor({ timeout: 20_000 });
    expectFigure((await row(page).locator('[data-field=illegalFarmland]').textContent())!, b.illegalFarmland.mu, 2, 'illegal farmland before');
    expect(await row(page).locator('[data-field=pending]').textContent()).toBe(String(b.pending));
    expect(await row(page).getAttribute('data-standing')).toBe(b.standing);

    // the decision
    await page.goto(`${base}/audit/cases/${pick!.id}`);
    await page.locator(`[data-testid=case][data-id="${pick!.id}"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=history-none]').isVisible()).toBe(true);
    await page.locator('select[name=status]').selectOption('违法占用');
    expect(await page.locator('[data-testid=comment-label]').getAttribute('data-required')).toBe('false');
    expect(await page.locator('input[name=approvalNo]').count()).toBe(0);
    const comment = '实地核查：已建钢结构厂房，未见用地批准文件';
    await page.locator('textarea[name=comment]').fill(comment);
    const actor = await actorOn(page, '王核查');
    await page.locator('[data-testid=decide]').click();
    await page.locator('[data-testid=history] tbody tr').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=decision-done]').textContent()).toBe('已记录：待核查 → 违法占用');
    expect(await page.locator('[data-testid=case]').getAttribute('data-status')).toBe('违法占用');

    const after = await detail(pick!.id);
    expect(after.status).toBe('违法占用');
    expect(after.version).toBe(pick!.version + 1);
    expect(after.history).toHaveLength(1);
    const h = after.history[0]!;
    expect(h).toMatchObject({ fromStatus: '待核查', toStatus: '违法占用', comment, actor, approvalNo: null });
    const hist = page.locator('[data-testid=history] tbody tr');
    expect(await hist.count()).toBe(1);
    expect(await hist.first().locator('[data-field=at]').textContent()).toBe(beijing(h.at));
    expect(await hist.first().locator('[data-field=actor]').textContent()).toBe(actor);
    expect(await hist.first().locator('[data-field=change]').textContent()).toBe('待核查 → 违法占用');
    expect(await hist.first().locator('[data-field=approvalNo]').textContent()).toBe('—');
    expect(await hist.first().locator('[data-field=comment]').textContent()).toBe(comment);
    expect(await page.locator('[data-testid=decision-form]').getAttribute('data-version')).toBe(String(after.version));
    // the next decision on a closed case needs a comment, and says so
    await page.locator('select[name=status]').selectOption('误报');
    expect(await page.locator('[data-testid=comment-label]').getAttribute('data-required')).toBe('true');
    await page.screenshot({ path: `${ARTIFACTS}/audit-decided-${backend}.png`, fullPage: true });
    // the auditor's name is remembered on this computer (when nobody is signed in)
    await page.reload();
    await page.locator(`[data-testid=case][data-id="${pick!.id}"]`).waitFor({ timeout: 20_000 });
    const signedIn = page.locator('[data-testid=signed-in-actor]');
    const input = page.locator('[data-testid=decision-form] input[name=actor]');
    await signedIn.or(input).first().waitFor();
    expect(await ((await signedIn.count()) ? signedIn.getAttribute('data-actor') : input.inputValue())).toBe(actor);

    // the county table after: by the case's farmland, as the API computes it
    const now = await stats(year);
    const a = county(now);
    expect(a.illegalFarmland.m2 - b.illegalFarmland.m2).toBeCloseTo(pick!.overlaps.farmland.m2, 6);
    expect(a.illegalPermanentFarmland.m2 - b.illegalPermanentFarmland.m2).toBeCloseTo(pick!.overlaps.permanentFarmland.m2, 6);
    expect(a.illegal).toBe(b.illegal + 1);
    expect(a.pending).toBe(b.pending - 1);
    await page.goto(`${base}/audit/counties?year=${year}`);
    await row(page).waitFor({ timeout: 20_000 });
    const illegalAfter = (await row(page).locator('[data-field=illegalFarmland]').textContent())!;
    expectFigure(illegalAfter, a.illegalFarmland.mu, 2, 'illegal farmland after');
    expect(readFigure(illegalAfter).value).toBeGreaterThan(b.illegalFarmland.mu + 0.5); // the case's farmland (over 1 亩) added
    expectFigure((await row(page).locator('[data-field=illegalPermanentFarmland]').textContent())!, a.illegalPermanentFarmland.mu, 2, 'illegal permanent farmland after');
    expect(await row(page).locator('[data-field=illegal]').textContent()).toBe(String(a.illegal));
    expect(await row(page).locator('[data-field=pending]').textContent()).toBe(String(a.pending));
    expectFigure((await row(page).locator('[data-field=headroom]').textContent())!, a.headroomMu, 2, 'headroom');
    expect(await row(page).getAttribute('data-standing')).toBe(a.standing);
    const words = { over: `扣减 ${now.thresholds.penaltyMu} 亩指标`, close: '需关注', ok: '正常' };
    expect(await row(page).locator('[data-testid=standing-word]').textContent()).toBe(words[a.standing]);
    // the case, confirmed illegal on farmland in a year that is over and not rectified, is a breach of the rule's second clause
    expect(a.unrectified).toBe(b.unrectified + 1);
    expect(a.breaches).toContain('rectification');
    expect(await row(page).locator('[data-field=standing]').getAttribute('data-breaches')).toBe(a.breaches.join(','));
    expect(await row(page).locator('[data-field=unrectified]').getAttribute('data-value')).toBe(String(a.unrectified));
    expect(await row(page).locator('[data-testid=standing-why]').textContent()).toContain(`未按期整改 ${a.unrectified} 宗`);
    // the chart's bar and the city total agree
    const bar = page.locator(`[data-testid=county-chart] g[data-county="${pick!.countyCode}"]`);
    expect(Number(await bar.getAttribute('data-mu'))).toBeCloseTo(a.illegalFarmland.mu, 9);
    expect(Number(await page.locator('[data-testid=limit-line]').getAttribute('data-mu'))).toBe(20);
    expectFigure((await page.locator('[data-testid=county-table] tfoot [data-field=illegalFarmland]').textContent())!, now.total.illegalFarmland.mu, 2, 'city total');
    expect(await page.locator('a[data-export=stats-xlsx]').getAttribute('href')).toBe(`/api/cases/stats/export.xlsx?year=${year}`);
    await page.screenshot({ path: `${ARTIFACTS}/audit-counties-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a decision on a stale case with the server’s 409 message, and reloads it keeping what was typed', async () => {
    const [c] = (await list('status=待核查&from=2024-01-01&to=2024-12-31&sort=-area&pageSize=1')).items;
    const { page, errors } = await openPage(`/audit/cases/${c!.id}`);
    await page.locator(`[data-testid=case][data-id="${c!.id}"]`).waitFor({ timeout: 20_000 });

    // someone else decides in the meantime
    const other = await inject({ method: 'POST', url: `/api/cases/${c!.id}/decisions`, payload: { version: c!.version, status: '需实地核查', comment: '需到现场核实', actor: '另一位核查人' } });
    expect(other.statusCode, other.body).toBe(200);
    const theirs = CaseDetail.parse(other.json());

    // a rule the page checks before sending: 合法用地 needs its approval number
    await page.locator('select[name=status]').selectOption('合法用地');
    expect(await page.locator('input[name=approvalNo]').isVisible()).toBe(true);
    await actorOn(page, '王核查');
    await page.locator('[data-testid=decide]').click();
    const rule = checkDecision({ from: '待核查', to: '合法用地', approvalNo: '' });
    expect(rule.ok).toBe(false);
    expect(await page.locator('[data-testid=decision-problem]').textContent()).toBe((rule as { zh: string }).zh);
    expect(await page.locator('[data-testid=decision-problem]').getAttribute('data-field')).toBe('approvalNo');
    expect(await page.locator('input[name=approvalNo]').getAttribute('aria-invalid')).toBe('true');

    const comment = '复核：为农业设施大棚，非建设占用';
    await page.locator('select[name=status]').selectOption('误报');
    await page.locator('textarea[name=comment]').fill(comment);
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${c!.id}/decisions`) && r.request().method() === 'POST');
    await page.locator('[data-testid=decide]').click();
    const res = await answer;
    expect(res.status()).toBe(409);
    const message = ((await res.json()) as { error: { message: string } }).error.message;
    const conflict = page.locator('[data-testid=decision-conflict]');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain(message);
    expect(message).toContain(c!.code);
    expect(await conflict.textContent()).toContain('图斑已被他人修改，本次结论未保存。');
    // nothing written
    expect((await detail(c!.id)).history).toHaveLength(1);
    expect(await page.locator('[data-testid=history-none]').isVisible()).toBe(true);

    // reload: the other decision shows, the typed decision is kept and goes through
    await page.locator('[data-testid=reload-case]').click();
    await page.locator(`[data-testid=case][data-version="${theirs.version}"]`).waitFor();
    expect(await page.locator('[data-testid=decision-conflict]').count()).toBe(0);
    expect(await page.locator('[data-testid=history] tbody tr [data-field=change]').allTextContents()).toEqual(['待核查 → 需实地核查']);
    expect(await page.locator('select[name=status]').inputValue()).toBe('误报');
    expect(await page.locator('textarea[name=comment]').inputValue()).toBe(comment);
    await page.locator('[data-testid=decide]').click();
    await page.locator('[data-testid=history] tbody tr').nth(1).waitFor({ timeout: 20_000 });
    const final = await detail(c!.id);
    expect(final.status).toBe('误报');
    expect(final.history.map((x) => `${x.fromStatus}→${x.toStatus}`)).toEqual(['待核查→需实地核查', '需实地核查→误报']);
    expect(await page.locator('[data-testid=history] tbody tr [data-field=change]').allTextContents()).toEqual(['待核查 → 需实地核查', '需实地核查 → 误报']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('imports detection polygons: the dry run reports rows as the API does, the commit creates the cases', async () => {
    // the geometry of an existing case (a duplicate), the same moved 2 km east (new), a bow tie (invalid)
    const [src] = (await list('sort=-farmland&pageSize=1')).items;
    const g = (await detail(src!.id)).geometry as { type: string; coordinates: unknown };
    const shift = (c: unknown, dx: number): unknown => (typeof (c as unknown[])[0] === 'number' ? [(c as number[])[0]! + dx, (c as number[])[1]] : (c as unknown[]).map((x) => shift(x, dx)));
    const [lon, lat] = src!.center;
    const bowtie = { type: 'Polygon', coordinates: [[[lon + 0.01, lat], [lon + 0.011, lat + 0.001], [lon + 0.011, lat], [lon + 0.01, lat + 0.001], [lon + 0.01, lat]]] };
    const file = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { 来源: '巡查', 发现日期: '2026-03-01' }, geometry: { type: g.type, coordinates: shift(g.coordinates, 0.02) } },
        { type: 'Feature', properties: {}, geometry: g },
        { type: 'Feature', properties: {}, geometry: bowtie },
      ],
    });

    const totalBefore = (await list('')).total;
    // the API's own dry run of the same file
    const started = await inject({ method: 'POST', url: '/api/cases/import?dryRun=true&source=卫片&detectedOn=2026-05-01', ...multipart('detections.geojson', file) });
    expect(started.statusCode, started.body).toBe(202);
    let job = CaseImportJob.parse((await inject({ method: 'GET', url: CaseImportAccepted.parse(started.json()).statusUrl })).json());
    while (job.phase !== 'done' && job.phase !== 'failed') {
      await new Promise((r) => setTimeout(r, 100));
      job = CaseImportJob.parse((await inject({ method: 'GET', url: `/api/cases/import/${job.jobId}` })).json());
    }
    const want = job.report as CaseImportReport;
    expect(want.rows.map((r) => r.status)).toEqual(['ok', 'duplicate', 'invalid']);
    expect(want.rows[1]!.duplicateOf[0]).toMatchObject({ caseCode: src!.code, caseId: src!.id });

    const { page, errors } = await openPage('/audit/import');
    await page.locator('input[type=file]').setInputFiles({ name: 'detections.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(file) });
    await page.locator('input[name=detectedOn]').fill('2026-05-01');
    await page.locator('[data-testid=dry-run]').click();
    const report = page.locator('[data-testid=dry-report]');
    await report.waitFor({ timeout: 30_000 });
    const counts = page.locator('[data-testid=dry-counts]');
    expect(Number(await counts.getAttribute('data-ok'))).toBe(want.counts.ok);
    expect(Number(await counts.getAttribute('data-invalid'))).toBe(want.counts.invalid);
    expect(Number(await counts.getAttribute('data-duplicate'))).toBe(want.counts.duplicate);
    const shown = await page.locator('[data-testid=import-rows] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        row: Number(tr.getAttribute('data-row')),
        status: tr.getAttribute('data-status'),
        source: tr.querySelector('[data-field=source]')!.textContent,
        detectedOn: tr.querySelector('[data-field=detectedOn]')!.textContent,
        reasons: [...tr.querySelectorAll('.audit-reason')].map((r) => r.getAttribute('data-code')),
        notes: [...tr.querySelectorAll('.audit-row-note')].map((r) => r.getAttribute('data-code')),
        county: tr.querySelector('[data-field=county]')!.textContent,
        dup: [...tr.querySelectorAll('.audit-dup')].map((d) => ({ code: d.getAttribute('data-case'), share: Number(d.getAttribute('data-share')), text: d.textContent })),
      })),
    );
    expect(shown.map((r) => [r.row, r.status, r.source, r.detectedOn])).toEqual(want.rows.map((r) => [r.row, r.status, r.source ?? '—', r.detectedOn ?? '—']));
    expect(shown[2]!.reasons).toEqual(want.rows[2]!.reasons.map((r) => r.code));
    // the rows without a date say they took the chosen default date; the county by its name
    expect(shown.map((r) => r.notes)).toEqual([[], ['DATE_DEFAULTED'], ['DATE_DEFAULTED']]);
    expect(shown[0]!.county).toBe(want.rows[0]!.countyName);
    expect(shown[0]!.county).toMatch(/^[\u4e00-\u9fff]+$/);
    const d = want.rows[1]!.duplicateOf[0]!;
    expect(shown[1]!.dup.map(({ text: _t, ...x }) => x)).toEqual([{ code: src!.code, share: d.share }]);
    expectFigures(shown[1]!.dup[0]!.text!, `与图斑 ${src!.code} 重叠 {}%`, [d.share * 100], [2], 'duplicate share');
    // nothing written by the dry runs
    expect((await list('')).total).toBe(totalBefore);

    // confirm, with the duplicate ticked
    await page.locator('input[name=include][value="2"]').check();
    expect(await page.locator('[data-testid=commit]').textContent()).toBe('确认导入 2 个图斑');
    await page.locator('[data-testid=commit]').click();
    const result = page.locator('[data-testid=import-result]');
    await result.waitFor({ timeout: 60_000 });
    expect(Number(await page.locator('[data-testid=result-counts]').getAttribute('data-created'))).toBe(2);
    const created = await page.locator('[data-testid=import-rows] tbody tr[data-created=true] [data-field=code] a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), code: a.textContent })));
    expect(created).toHaveLength(2);
    expect((await list('')).total).toBe(totalBefore + 2);
    for (const x of created) {
      const id = Number(/\/audit\/cases\/(\d+)/.exec(x.href!)![1]);
      const made = await detail(id);
      expect(made.code).toBe(x.code);
      expect(made.status).toBe('待核查');
      expect(made.importId).not.toBeNull();
    }
    await page.screenshot({ path: `${ARTIFACTS}/audit-import-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports the whole filtered list: the links carry the filters, the GeoJSON holds every matching case', async () => {
    const query = 'county=410221,410222&status=待核查&sort=-farmland&page=2';
    const filters = 'county=410221,410222&status=待核查&sort=-farmland';
    const { page } = await openPage(`/audit?${query}`);
    await listShows(page, query);
    const href = (k: string) => page.locator(`a[data-export=${k}]`).getAttribute('href');
    expect(await href('xlsx')).toBe(`/api/cases/export.xlsx?${norm(filters)}`);
    expect(await href('geojson')).toBe(`/api/cases/export.geojson?${norm(filters)}`);
    expect(await href('shp')).toBe(`/api/cases/export.shp.zip?${norm(filters)}`);
    const total = Number(await page.locator('[data-testid=audit-total]').getAttribute('data-total'));
    expect(total).toBeGreaterThan(20);
    const all = await list(`${filters}&pageSize=200`);
    expect(all.total).toBe(total);

    const geojson = await page.request.get(base + (await href('geojson')));
    expect(geojson.status()).toBe(200);
    const fc = (await geojson.json()) as { features: { properties: Record<string, unknown> }[] };
    expect(fc.features).toHaveLength(total);
    expect(Number(geojson.headers()['x-total-count'])).toBe(total);
    const shp = await page.request.get(base + (await href('shp')));
    expect(shp.status()).toBe(200);
    expect(shp.headers()['content-type']).toContain('zip');
    expect((await shp.body()).subarray(0, 2).toString()).toBe('PK');
    const xlsx = await page.request.get(base + (await href('xlsx')));
    expect(xlsx.status()).toBe(200);
    expect(Number(xlsx.headers()['x-total-count'])).toBe(total);
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');
    await page.close();
  });

  it('is linked from the map workspace’s header, and speaks English on request', async () => {
    const { page } = await openPage('/');
    const link = page.locator('[data-testid=audit-link]');
    await link.waitFor({ timeout: 20_000 });
    expect(await link.textContent()).toBe('违法占地核查');
    await link.click();
    await listShows(page, '');
    expect(Number(await page.locator('[data-testid=audit-total]').getAttribute('data-total'))).toBe((await list('')).total);

    const want = await list('status=待核查');
    await page.goto(`${base}/audit?status=待核查&lang=en`);
    await listShows(page, 'status=待核查');
    expect(await page.locator('h1').textContent()).toContain('Encroachment review');
    expect(await page.locator('[data-testid=audit-total]').textContent()).toBe(`${want.total} cases`);
    expect(await page.locator('tbody tr').first().locator('[data-field=status]').textContent()).toBe('Pending review');
    expect(await page.locator('a[data-tab=counties]').getAttribute('href')).toBe('/audit/counties?lang=en');
    await page.close();
  });
});
