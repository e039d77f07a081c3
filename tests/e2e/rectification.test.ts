/**
 * Rectification (整改) in headless Chromium, as an auditor: the county view of a past year shows
 * a county under 20 亩 penalised for a case on farmland not rectified within the year (and why) —
 * arranged through the API: its other cases put right, a pending case confirmed illegal — the case
 * opens from the view's list, the auditor marks it rectified on 31 December on its page — the
 * page shows it rectified in time and the entry in its history as the API has it — and the
 * county view no longer penalises the county. The page refuses a completion date before the
 * detection date before sending it.
 *
 * A rectification leaves history the database keeps for good, so this file runs on a private
 * seeded database of the suite's backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { CaseDetail, CaseListResponse, CaseStatsResponse } from '../../core/contracts/cases.ts';
import { OVERLAP_EPSILON_M2 } from '../../core/rules.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

const YEAR = 2025;

describe.runIf(hasChromium || process.env.CI)(`rectification in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;

  const stats = async () => {
    const res = await app.inject({ method: 'GET', url: `/api/cases/stats?year=${YEAR}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseStatsResponse.parse(res.json());
  };
  const detail = async (id: number) => {
    const res = await app.inject({ method: 'GET', url: `/api/cases/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseDetail.parse(res.json());
  };

  beforeAll(async () => {
    ({ app, db, base, browser, stop } = await startWorkspace({ as: 'auditor', privateDatabase: true }));
  });
  afterAll(async () => {
    await stop?.();
  });

  it('marks a case rectified on its page and the county view stops penalising the county', async () => {
    // a county of the past year under 20 亩, with a pending case on its farmland that keeps it under 20 亩 once confirmed illegal
    const before = await stats();
    expect(before.yearClosed).toBe(true);
    let county: CaseStatsResponse['counties'][number] | undefined;
    let pick: CaseListResponse['items'][number] | undefined;
    for (const c of before.counties.filter((k) => !k.breaches.includes('farmland'))) {
      const room = before.thresholds.limitMu - c.illegalFarmland.mu;
      const res = await app.inject({ method: 'GET', url: `/api/cases?county=${c.countyCode}&status=待核查&from=${YEAR}-01-01&to=${YEAR}-12-31&minOverlapMu=1&sort=farmland&pageSize=1` });
      const first = CaseListResponse.parse(res.json()).items[0];
      if (first && first.overlaps.farmland.mu < room - 0.5) {
        county = c;
        pick = first;
        break;
      }
    }
    expect(pick, 'a county under 20 亩 with a pending case on farmland').toBeDefined();
    // its cases not rectified in time are put right (through the API), and the pending one confirmed illegal: it alone decides
    const others = await db.query<{ id: number }>(
      `SELECT id FROM encroachment WHERE county_code = $1 AND status = '违法占用'
          AND permanent_farmland_m2 + general_farmland_m2 > $2
          AND detected_on BETWEEN '${YEAR}-01-01' AND '${YEAR}-12-31' AND (rectified_on IS NULL OR rectified_on > '${YEAR}-12-31')`,
      [county!.countyCode, OVERLAP_EPSILON_M2],
    );
    for (const { id } of others) {
      const res = await app.inject({ method: 'POST', url: `/api/cases/${id}/rectification`, payload: { done: true, doneOn: `${YEAR}-12-31`, note: '已复耕' } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const decided = await app.inject({ method: 'POST', url: `/api/cases/${pick!.id}/decisions`, payload: { version: pick!.version, status: '违法占用', comment: '实地核查：占用耕地硬化场地' } });
    expect(decided.statusCode, decided.body).toBe(200);
    const target = { id: pick!.id };
    const was = (await stats()).counties.find((c) => c.countyCode === county!.countyCode)!;
    expect(was).toMatchObject({ unrectified: 1, standing: 'over', breaches: ['rectification'], quotaPenaltyMu: 200 });
    expect(was.unrectifiedCases.map((u) => [u.id, u.doneOn])).toEqual([[target.id, null]]);

    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/audit/counties?year=${YEAR}`);
    const row = page.locator(`[data-testid=county-table] tbody tr[data-county="${county!.countyCode}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-standing')).toBe('over');
    expect(await row.locator('[data-field=standing]').getAttribute('data-breaches')).toBe('rectification');
    expect(await row.locator('[data-testid=standing-word]').textContent()).toBe('扣减 200 亩指标');
    expect(await row.locator('[data-testid=standing-why]').textContent()).toBe('未按期整改 1 宗');
    expect(await row.locator('[data-field=unrectified]').getAttribute('data-value')).toBe('1');
    expect(await page.locator('[data-testid=stats-rule]').textContent()).toBe(before.thresholds.ruleZh);
    expect(await page.locator('[data-testid=stats-source]').textContent()).toBe(`依据：${before.thresholds.sourceZh}`);

    // the case, from the view's list of cases not rectified in time
    await page.locator(`[data-testid=unrectified-cases] tr[data-id="${target.id}"] a[data-testid=unrectified-case]`).click();
    await page.locator(`[data-testid=case][data-id="${target.id}"]`).waitFor({ timeout: 30_000 });
    const section = page.locator('[data-testid=rectification]');
    expect(await section.getAttribute('data-status')).toBe('未整改');
    expect(await section.getAttribute('data-may-rectify')).toBe('true');
    const kase = await detail(target.id);
    expect(kase.rectification).toMatchObject({ status: '未整改', dueBy: `${YEAR}-12-31`, inTime: false, overdue: true });
    expect(await page.locator('[data-testid=rectification-status]').textContent()).toBe('未整改 · 已逾期');
    const entries = kase.rectificationHistory.length;

    // a completion date before the detection date: the page says so, nothing is sent
    const form = page.locator('[data-testid=rectify-form]');
    await form.locator('input[name=done]').check();
    const dayBefore = new Date(Date.parse(`${kase.detectedOn}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await form.locator('input[name=doneOn]').fill(dayBefore);
    await form.locator('textarea[name=rectifyNote]').fill('已拆除复耕');
    await form.locator('[data-testid=rectify]').click();
    expect(await form.locator('[data-testid=rectify-problem]').getAttribute('data-field')).toBe('doneOn');
    expect(await form.locator('[data-testid=rectify-problem]').textContent()).toBe(`整改完成日期不能早于发现日期（${kase.detectedOn}）。`);
    expect((await detail(target.id)).rectificationHistory).toHaveLength(entries);

    // rectified on 31 December: in time
    await form.locator('input[name=doneOn]').fill(`${YEAR}-12-31`);
    await form.locator('input[name=docNo]').fill(`汴自然资执复〔${YEAR}〕99号`);
    const note = '违法建筑已拆除，场地已复耕，经现场复查合格';
    await form.locator('textarea[name=rectifyNote]').fill(note);
    await form.locator('[data-testid=rectify]').click();
    await form.locator('[data-testid=rectify-done]').waitFor({ timeout: 20_000 });
    expect(await form.locator('[data-testid=rectify-done]').textContent()).toBe('已登记整改：已整改');
    expect(await section.getAttribute('data-status')).toBe('已整改');
    const after = await detail(target.id);
    expect(after.rectification).toMatchObject({ status: '已整改', doneOn: `${YEAR}-12-31`, inTime: true, overdue: false, note, docNo: `汴自然资执复〔${YEAR}〕99号` });
    expect(after.rectificationHistory).toHaveLength(entries + 1);
    const last = after.rectificationHistory.at(-1)!;
    const summary = (k: string) => page.locator(`[data-testid=rectification-summary] [data-field=${k}]`).textContent();
    expect(await summary('doneOn')).toBe(`${YEAR}-12-31`);
    expect(await summary('dueBy')).toBe(`已于 ${YEAR}-12-31 前完成整改（按期）`);
    expect(await summary('note')).toBe(note);
    const hist = page.locator('[data-testid=rectify-history] tbody tr');
    expect(await hist.count()).toBe(entries + 1);
    expect(await hist.last().getAttribute('data-status')).toBe('已整改');
    expect(await hist.last().getAttribute('data-done-on')).toBe(`${YEAR}-12-31`);
    expect(await hist.last().locator('[data-field=actor]').textContent()).toBe(last.actor);
    expect(await hist.last().locator('[data-field=note]').textContent()).toContain(note);
    await page.screenshot({ path: `${ARTIFACTS}/rectification-case-${backend}.png`, fullPage: true });

    // the county view: no longer penalised, as the API now says
    const now = (await stats()).counties.find((c) => c.countyCode === county!.countyCode)!;
    expect(now).toMatchObject({ unrectified: 0, quotaPenaltyMu: 0, breaches: [] });
    expect(now.standing).not.toBe('over');
    await page.goto(`${base}/audit/counties?year=${YEAR}`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('data-standing')).toBe(now.standing);
    expect(await row.locator('[data-field=standing]').getAttribute('data-breaches')).toBe('');
    expect(await row.locator('[data-testid=standing-word]').textContent()).toBe(now.standing === 'close' ? '需关注' : '正常');
    expect(await row.locator('[data-field=unrectified]').getAttribute('data-value')).toBe('0');
    expect(await page.locator(`[data-testid=unrectified-cases] tr[data-id="${target.id}"]`).count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/rectification-counties-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
