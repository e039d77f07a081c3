/**
 * Rectification of illegal occupation (整改) and the county rule's two clauses (core/rectification.ts;
 * Jiaozuo 2026, item 17: more than 20 亩 of new illegal farmland occupation in a year, OR such
 * occupation not rectified within the year, costs 200 亩 of next year's quota), on a hand-made
 * world in an empty database of the suite's backend, every state brought about through the API:
 *
 *   four counties, each with one general-farmland field (x0 + 100 … x0 + 2600, y 100 … 2100)
 *   2025 (a past year):
 *     杞县 A1 12 亩 + A2 8 亩, both rectified in 2025          → exactly 20.00 亩: not over (close)
 *     通许县 B1 20.01 亩, rectified in 2025                    → over 20 亩: penalised
 *     尉氏县 C1 3 亩 on farmland, deadline 2025-06-30, undone  → not rectified within 2025: penalised;
 *            rectified on 2025-12-31: not; rectified on 2026-01-01 instead: penalised again
 *            C2 2 亩 off farmland, illegal, undone           → no farmland: not counted
 *     兰考县 D1 25 亩, undone                                  → both clauses, one penalty of 200 亩
 *   the running year: 兰考县 Y1 5 亩, deadline 31 December      → a warning (close), no penalty; done today: ok
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { beijingToday, beijingYear } from '../../core/beijing-time.ts';
import { CaseDetail, CaseStatsResponse } from '../../core/contracts/cases.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { actAs, signInAs } from '../helpers/session.ts';
import { MU, areaOf, layerSql, rect, rectOfArea, type Poly } from '../fixtures/cases/world.ts';

const A = '410221';
const B = '410222';
const C = '410223';
const D = '410225';
const COUNTIES: [string, string, number][] = [[A, '杞县', 0], [B, '通许县', 3000], [C, '尉氏县', 6000], [D, '兰考县', 9000]];
const x0 = (county: string) => COUNTIES.find(([c]) => c === county)![2];
/** The running year and today, in Beijing. */
const Y = beijingYear();
const TODAY = beijingToday();
const TOMORROW = new Date(Date.parse(`${TODAY}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

interface Case { code: string; county: string; detectedOn: string; geometry: Poly; status: '违法占用' | '待核查' | '误报' }
/** A case on the county's farmland field, `dx` metres into it, of exactly `mu` 亩. */
const onFarmland = (code: string, county: string, detectedOn: string, dx: number, mu: number, status: Case['status'] = '违法占用'): Case => ({
  code, county, detectedOn, status, geometry: rectOfArea(x0(county) + 200 + dx, 200, 100, mu * MU),
});
const CASES: Case[] = [
  onFarmland('A1', A, '2025-03-01', 0, 12),
  onFarmland('A2', A, '2025-04-01', 200, 8),
  onFarmland('X1', A, '2025-08-01', 400, 1, '待核查'),
  onFarmland('X2', A, '2025-08-02', 600, 1, '误报'),
  onFarmland('B1', B, '2025-03-01', 0, 20.01),
  onFarmland('C1', C, '2025-05-01', 0, 3),
  // north of the field: no farmland
  { code: 'C2', county: C, detectedOn: '2025-05-02', status: '违法占用', geometry: rectOfArea(x0(C) + 200, 2500, 100, 2 * MU) },
  onFarmland('D1', D, '2025-02-01', 0, 25),
  onFarmland('Y1', D, `${Y}-01-01`, 400, 5),
];

describe(`rectification and the county rule’s two clauses (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  const ids = new Map<string, number>();
  const id = (code: string) => ids.get(code)!;

  const detail = async (code: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/cases/${id(code)}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseDetail.parse(res.json());
  };
  const rectify = (code: string, body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/cases/${id(code)}/rectification`, payload: body, headers });
  const rectifyOk = async (code: string, body: object) => {
    const res = await rectify(code, { note: '复查', ...body });
    expect(res.statusCode, res.body).toBe(200);
    return CaseDetail.parse(res.json());
  };
  const stats = async (year: number) => {
    const res = await app.inject({ method: 'GET', url: `/api/cases/stats?year=${year}` });
    expect(res.statusCode, res.body).toBe(200);
    const s = CaseStatsResponse.parse(res.json());
    return { s, by: (county: string) => s.counties.find((c) => c.countyCode === county)! };
  };
  const historyCount = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_rectification'))[0]!.n);
  const auditCount = async () => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case-rectify'`))[0]!.n);

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    for (const [code, name, x] of COUNTIES) {
      await db.query(layerSql.county, [code, name, JSON.stringify(rect([x, 0, 3000, 3000]))]);
      await db.query(layerSql.general, [`GF-${code}`, code, JSON.stringify(rect([x + 100, 100, 2500, 2000]))]);
    }
    for (const k of CASES) await db.query(layerSql.case, [k.code, k.county, '卫片', k.detectedOn, areaOf(k.geometry), JSON.stringify(k.geometry)]);
    for (const r of await db.query<{ id: number; code: string }>('SELECT id, code FROM encroachment')) ids.set(r.code, Number(r.id));
    app = await buildApp({ db });
    await actAs(app, db, 'auditor', '整改核查员');
    for (const k of CASES.filter((c) => c.status !== '待核查')) {
      const res = await app.inject({ method: 'POST', url: `/api/cases/${id(k.code)}/decisions`, payload: { version: 1, status: k.status, comment: '初核' } });
      expect(res.statusCode, res.body).toBe(200);
    }
    // rectified within 2025
    await rectifyOk('A1', { deadline: '2025-05-31', done: true, doneOn: '2025-06-01' });
    await rectifyOk('A2', { done: true, doneOn: '2025-07-01' });
    await rectifyOk('B1', { done: true, doneOn: '2025-05-01' });
    // to be rectified, not done
    await rectifyOk('C1', { deadline: '2025-06-30', note: '责令限期拆除复耕' });
    await rectifyOk('Y1', { deadline: `${Y}-12-31`, note: '责令限期拆除复耕' });
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('judges more than 20 亩 on 亩 at two decimals: exactly 20 亩 is not over, 20.01 亩 is', async () => {
    const { by } = await stats(2025);
    const a = by(A);
    expect(a.illegalFarmland.mu).toBeCloseTo(20, 6);
    expect(a).toMatchObject({ illegal: 2, illegalOnFarmland: 2, unrectified: 0, standing: 'close', breaches: [], warnings: ['farmland'], quotaPenaltyMu: 0 });
    const b = by(B);
    expect(b.illegalFarmland.mu).toBeCloseTo(20.01, 6);
    expect(b).toMatchObject({ illegal: 1, unrectified: 0, standing: 'over', breaches: ['farmland'], warnings: [], quotaPenaltyMu: 200 });
  });

  it('penalises a county under 20 亩 for a past year’s case not rectified; rectified on 31 December it is not, on 1 January next year it is again', async () => {
    const before = await stats(2025);
    expect(before.s).toMatchObject({ year: 2025, yearClosed: true, rectifyBy: '2025-12-31', asOf: TODAY });
    const c = before.by(C);
    // C2 (illegal, no farmland, undone) is no farmland occupation: counted as illegal, not as unrectified
    expect(c).toMatchObject({ illegal: 2, illegalOnFarmland: 1, unrectified: 1, rectifiedLate: 0, overdue: 1, earliestDeadline: '2025-06-30', standing: 'over', breaches: ['rectification'], warnings: [], quotaPenaltyMu: 200 });
    expect(c.illegalFarmland.mu).toBeCloseTo(3, 6);
    expect(c.unrectifiedFarmland.mu).toBeCloseTo(3, 6);
    expect(c.unrectifiedCases.map((u) => [u.code, u.deadline, u.doneOn])).toEqual([['C1', '2025-06-30', null]]);

    const onTime = await rectifyOk('C1', { done: true, doneOn: '2025-12-31', note: '已拆除复耕，复查合格' });
    expect(onTime.rectification).toMatchObject({ status: '已整改', doneOn: '2025-12-31', deadline: '2025-06-30', dueBy: '2025-12-31', inTime: true, overdue: false });
    const fixed = (await stats(2025)).by(C);
    expect(fixed).toMatchObject({ unrectified: 0, rectifiedLate: 0, overdue: 0, earliestDeadline: null, standing: 'ok', breaches: [], warnings: [], quotaPenaltyMu: 0, unrectifiedCases: [] });

    // the completion date corrected: the day after the year — late
    const late = await rectifyOk('C1', { done: true, doneOn: '2026-01-01', note: '更正完成日期' });
    expect(late.rectification).toMatchObject({ status: '已整改', doneOn: '2026-01-01', inTime: false });
    const again = (await stats(2025)).by(C);
    expect(again).toMatchObject({ unrectified: 1, rectifiedLate: 1, overdue: 0, standing: 'over', breaches: ['rectification'], quotaPenaltyMu: 200 });
    expect(again.unrectifiedCases.map((u) => [u.code, u.doneOn])).toEqual([['C1', '2026-01-01']]);
  });

  it('penalises once when both clauses hold, and sums the city', async () => {
    const { s, by } = await stats(2025);
    expect(by(D)).toMatchObject({ unrectified: 1, standing: 'over', breaches: ['farmland', 'rectification'], quotaPenaltyMu: 200 });
    expect(s.total).toMatchObject({
      illegal: 2 + 1 + 2 + 1,
      illegalOnFarmland: 2 + 1 + 1 + 1,
      unrectified: 0 + 0 + 1 + 1, // C1 (late) and D1
      rectifiedLate: 1,
      countiesOver: 3,
      countiesClose: 1,
      countiesOverLimit: 2,
      countiesUnrectified: 2,
      quotaPenaltyMu: 600,
    });
    expect(s.total.unrectifiedFarmland.mu).toBeCloseTo(3 + 25, 6);
    expect(s.thresholds.ruleZh).toContain('超过 20 亩，或新增违法违规占用耕地问题本年度内未完成整改');
    expect(s.thresholds.sourceZh).toContain('焦作');
    expect(s.thresholds.ruleEn).toMatch(/more than 20 mu, or .* not rectified within that year/);
  });

  it('counts the running year’s case still to rectify as a warning, not a penalty, until it is done', async () => {
    const { s, by } = await stats(Y);
    expect(s).toMatchObject({ yearClosed: false, rectifyBy: `${Y}-12-31` });
    const d = by(D);
    expect(d).toMatchObject({ illegal: 1, unrectified: 1, earliestDeadline: `${Y}-12-31`, overdue: 0, standing: 'close', breaches: [], warnings: ['rectification'], quotaPenaltyMu: 0 });
    expect(d.unrectifiedCases.map((u) => u.code)).toEqual(['Y1']);
    expect(s.total).toMatchObject({ countiesOver: 0, countiesClose: 1, unrectified: 1 });
    const done = await rectifyOk('Y1', { done: true, doneOn: TODAY, note: '已拆除复耕' });
    expect(done.rectification).toMatchObject({ status: '已整改', doneOn: TODAY, inTime: true });
    expect((await stats(Y)).by(D)).toMatchObject({ unrectified: 0, standing: 'ok', warnings: [], quotaPenaltyMu: 0 });
  });

  it('keeps the history on the case page, oldest first, with who and what changed', async () => {
    const c = await detail('C1');
    expect(c.mayRectify).toBe(true);
    expect(c.rectificationHistory.map((h) => [h.status, h.deadline, h.doneOn, h.actor])).toEqual([
      ['未整改', '2025-06-30', null, '整改核查员'],
      ['已整改', '2025-06-30', '2025-12-31', '整改核查员'],
      ['已整改', '2025-06-30', '2026-01-01', '整改核查员'],
    ]);
    expect(c.rectificationHistory[0]!.changes).toEqual({ deadline: { from: null, to: '2025-06-30' } });
    expect(c.rectificationHistory[1]!.changes).toEqual({ status: { from: '未整改', to: '已整改' }, doneOn: { from: null, to: '2025-12-31' } });
    expect(c.rectificationHistory[2]!.note).toBe('更正完成日期');
    expect(c.rectification).toMatchObject({ note: '更正完成日期', updatedBy: '整改核查员' });
    // found not done after all
    const reopened = await rectifyOk('A2', { done: false, note: '复查发现未复耕' });
    expect(reopened.rectification).toMatchObject({ status: '未整改', doneOn: null });
    expect((await stats(2025)).by(A)).toMatchObject({ unrectified: 1, standing: 'over', breaches: ['rectification'] });
    await rectifyOk('A2', { done: true, doneOn: '2025-07-01', note: '复耕完成' });
    const log = await db.query<{ target: string; details: Record<string, unknown> }>(`SELECT target, details FROM audit_log WHERE action = 'case-rectify' ORDER BY id`);
    expect(log).toHaveLength(await historyCount());
    expect(log.at(-1)).toMatchObject({ target: String(id('A2')), details: { done: true, doneOn: '2025-07-01' } });
  });

  it('refuses a case not confirmed illegal with 409 naming its status, a date out of range with 422, and writes nothing', async () => {
    const n = await historyCount();
    const logged = await auditCount();
    const pending = await rectify('X1', { deadline: '2025-12-31', note: '整改' });
    expect(pending.statusCode).toBe(409);
    expect(pending.json().error).toMatchObject({ code: 'CASE_NOT_ILLEGAL' });
    expect(pending.json().error.message).toContain('“待核查”');
    const en = await rectify('X2', { deadline: '2025-12-31', note: 'x' }, { 'accept-language': 'en' });
    expect(en.statusCode).toBe(409);
    expect(en.json().error.message).toContain('False alarm');
    expect((await detail('X1')).mayRectify).toBe(false);
    expect((await detail('X1')).rectification).toBeNull();

    const before = await rectify('C1', { done: true, doneOn: '2025-04-30', note: '整改' });
    expect(before.statusCode).toBe(422);
    expect(before.json().error).toMatchObject({ code: 'RECTIFY_DATE' });
    expect(before.json().error.message).toContain('早于发现日期 2025-05-01');
    const future = await rectify('C1', { done: true, doneOn: TOMORROW, note: '整改' });
    expect(future.statusCode).toBe(422);
    expect(future.json().error.message).toContain(`晚于今天（${TODAY}）`);
    const deadline = await rectify('C1', { deadline: '2025-04-01', note: '整改' });
    expect(deadline.statusCode).toBe(422);
    expect(deadline.json().error).toMatchObject({ code: 'RECTIFY_DEADLINE' });
    const same = await rectify('C1', { deadline: '2025-06-30', note: '整改' });
    expect(same.statusCode).toBe(422);
    expect(same.json().error).toMatchObject({ code: 'NO_CHANGE' });
    // the request's own shape: 400 naming the field
    const noDate = await rectify('C1', { done: true, note: '整改' });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.json().error.message).toContain('整改完成日期');
    const noNote = await rectify('C1', { done: false }, { 'accept-language': 'en' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().error.message).toContain('Rectification note');
    const nothing = await rectify('C1', { note: '整改' });
    expect(nothing.statusCode).toBe(400);
    const missing = await app.inject({ method: 'POST', url: '/api/cases/999999/rectification', payload: { done: false, note: '整改' } });
    expect(missing.statusCode).toBe(404);

    expect(await historyCount()).toBe(n);
    expect(await auditCount()).toBe(logged);
  });

  it('lets only auditors and administrators record it: the public must sign in (401), a planner is refused (403)', async () => {
    const n = await historyCount();
    const body = { done: false, note: '整改' };
    const pub = await rectify('C1', body, { cookie: '' });
    expect(pub.statusCode).toBe(401);
    for (const role of ['planner', 'enterprise'] as const) {
      const s = await signInAs(app, db, role);
      const res = await rectify('C1', body, { cookie: s.cookie, 'x-csrf-token': s.csrfToken });
      expect(res.statusCode, role).toBe(403);
    }
    const admin = await signInAs(app, db, 'admin', '系统管理员甲');
    const ok = await rectify('D1', { deadline: '2026-03-31', note: '责令限期整改' }, { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(CaseDetail.parse(ok.json()).rectification).toMatchObject({ deadline: '2026-03-31', updatedBy: '系统管理员甲' });
    expect(await historyCount()).toBe(n + 1);
  });

  it('keeps the history in a table the database will not let anyone alter', async () => {
    const n = await historyCount();
    expect(n).toBeGreaterThan(0);
    await expect(db.query(`UPDATE case_rectification SET note = '改写' WHERE case_id = $1`, [id('C1')])).rejects.toThrow(/整改记录不可修改或删除/);
    await expect(db.query(`UPDATE case_rectification SET rectified_on = '2025-12-31' WHERE rectified_on = '2026-01-01'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM case_rectification WHERE case_id = $1`, [id('C1')])).rejects.toThrow(/整改记录不可修改或删除/);
    await expect(db.query('TRUNCATE case_rectification')).rejects.toThrow(/整改记录不可修改或删除/);
    expect(await historyCount()).toBe(n);
    expect((await detail('C1')).rectificationHistory.at(-1)!.doneOn).toBe('2026-01-01');
  });

  it('exports the county table with the unrectified columns, the reason and the rule with both clauses and its source', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/cases/stats/export.xlsx?year=2025' });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(3).values as unknown[]).slice(1) as string[];
    const col = (h: string) => {
      const i = header.indexOf(h);
      expect(i, h).toBeGreaterThanOrEqual(0);
      return i;
    };
    const rows = [4, 5, 6, 7, 8].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
    expect(rows.map((r) => r[0])).toEqual(['杞县', '通许县', '尉氏县', '兰考县', '开封市']);
    const [a, b, c, d, city] = rows as unknown[][];
    expect(c![col('未于 12 月 31 日前整改（宗）')]).toBe(1);
    expect(c![col('未按期整改的耕地（亩）')]).toBe(3);
    expect(c![col('其中次年才整改（宗）')]).toBe(1);
    expect(c![col('状态')]).toBe('扣减指标');
    expect(c![col('原因')]).toBe('未按期整改 1 宗（其中次年整改 1 宗）');
    expect(c![col('扣减下一年度指标（亩）')]).toBe(200);
    expect(d![col('原因')]).toBe('超过 20 亩；未按期整改 1 宗');
    expect(b![col('原因')]).toBe('超过 20 亩');
    expect(a![col('状态')]).toBe('需关注');
    expect(a![col('原因')]).toBe('接近 20 亩');
    expect(city![col('未于 12 月 31 日前整改（宗）')]).toBe(2);
    expect(city![col('扣减下一年度指标（亩）')]).toBe(600);
    const text = Array.from({ length: ws.rowCount }, (_, i) => String((ws.getRow(i + 1).values as unknown[])[1] ?? '')).join('\n');
    expect(text).toContain('规则：年度新增违法违规占用耕地超过 20 亩，或新增违法违规占用耕地问题本年度内未完成整改的县区');
    expect(text).toMatch(/依据：焦作市自然资源和规划局，2026 年，第十七项/);
    expect(text).toContain('2025 年度已结束');
  });
});
