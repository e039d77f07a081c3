/**
 * Encroachment review on a hand-made world (tests/fixtures/cases/world.ts) in a fresh database
 * of the suite's backend: overlaps against the site check's engine, every status transition,
 * the append-only history, the 409 on a stale decision, the county view worked out by hand,
 * the list's filters and the exports.
 */
import { actAs, signInAs } from '../helpers/session.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { CASE_STATUSES, type CaseStatus } from '../../core/case-status.ts';
import { CaseDetail, CaseListResponse, CaseStatsResponse } from '../../core/contracts/cases.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { parseSiteFile } from '../../server/src/formats/parsers/index.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { CASES, EXPECTED_2026, K1, K2, K3, MU, POOL, areaOf, insertWorld, rect } from '../fixtures/cases/world.ts';

describe(`encroachment review on a hand-made world (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  const ids = new Map<string, number>();
  let pool = 0;
  /** A pool case not used by any other test. */
  const freshCase = () => ids.get(POOL[pool++]!.code)!;

  const get = async (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const detail = async (id: number) => {
    const res = await get(`/api/cases/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return CaseDetail.parse(res.json());
  };
  const decide = (id: number, body: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/cases/${id}/decisions`, payload: body, headers });
  /** Brings a case to a status through the API (from 待核查, which may go anywhere). */
  const bring = async (id: number, status: CaseStatus, approvalNo?: string) => {
    if (status === '待核查') return;
    const { version } = await detail(id);
    const res = await decide(id, { version, status, actor: '测试员', comment: '初核', ...(status === '合法用地' ? { approvalNo: approvalNo ?? '汴土〔2024〕1号' } : {}) });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await insertWorld(db);
    app = await buildApp({ db });
    await actAs(app, db, 'auditor', '测试核查员');
    for (const r of await db.query<{ id: number; code: string }>('SELECT id, code FROM encroachment')) ids.set(r.code, Number(r.id));
    for (const c of CASES) await bring(ids.get(c.code)!, c.status, c.approvalNo);
    for (const c of CASES.filter((k) => k.rectifiedOn)) {
      const res = await app.inject({ method: 'POST', url: `/api/cases/${ids.get(c.code)}/rectification`, payload: { done: true, doneOn: c.rectifiedOn, note: '已复耕' } });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('computes every overlap of a case with the site check’s engine, feature by feature', async () => {
    for (const [code, geometry] of [['K1', K1], ['K2', K2], ['K3', K3]] as const) {
      const c = await detail(ids.get(code)!);
      // the planner's site check on the same polygon (use and stock-first reason are the planner's, immaterial here)
      const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, use: '工业', stockFirst: { reason: 'other', note: '与图斑核查比对' } } });
      expect(res.statusCode, res.body).toBe(201);
      const report = SiteCheckReport.parse(res.json());
      for (const layer of report.layers) {
        const mine = c.overlapFeatures.filter((f) => f.layerId === layer.layerId);
        expect(mine.map((f) => f.featureCode).sort(), `${code} ${layer.layerId}`).toEqual(layer.features.map((f) => f.code).sort());
        for (const f of layer.features) {
          expect(Math.abs(mine.find((m) => m.featureCode === f.code)!.overlapArea.m2 - f.overlapArea.m2), `${code} ${f.code}`).toBeLessThan(1e-6);
        }
      }
      const total = (id: string) => report.layers.find((l) => l.layerId === id)!.area.m2;
      expect(c.overlaps.permanentFarmland.m2).toBeCloseTo(total('permanent-farmland'), 6);
      expect(c.overlaps.generalFarmland.m2).toBeCloseTo(total('general-farmland'), 6);
      expect(c.overlaps.ecoRedline.m2).toBeCloseTo(total('eco-redline'), 6);
      expect(c.overlaps.urbanBoundary.m2).toBeCloseTo(total('urban-boundary'), 6);
    }
    // and the figures worked out by hand from the layout
    const k1 = await detail(ids.get('K1')!);
    expect(k1.overlaps.permanentFarmland.m2 / areaOf(rect([1000, 500, 100, 100]))).toBeCloseTo(1, 9);
    expect(k1.overlaps.generalFarmland.m2 / areaOf(rect([1200, 500, 100, 100]))).toBeCloseTo(1, 9);
    expect(k1.overlaps.farmland.mu).toBeCloseTo(30, 1);
    expect(k1.overlaps.urbanBoundaryPosition).toBe('outside');
    const k2 = await detail(ids.get('K2')!);
    expect(k2.overlaps.urbanBoundary.m2 / areaOf(rect([800, 2000, 200, 200]))).toBeCloseTo(1, 9);
    expect(k2.overlaps.urbanBoundaryShare).toBeCloseTo(2 / 3, 3);
    expect(k2.overlaps.urbanBoundaryPosition).toBe('partly');
    expect(k2.overlaps.onStockLand).toBe(true);
    expect(k2.overlaps.stockLand.m2 / areaOf(rect([800, 2100, 100, 100]))).toBeCloseTo(1, 9);
    expect(k2.overlapFeatures.map((f) => [f.layerId, f.featureCode, f.label])).toEqual([
      ['urban-boundary', 'U-A', '测试城区'],
      ['stock-parcel', 'S-A', '批而未供 测试地块'],
    ]);
    const k3 = await detail(ids.get('K3')!);
    // a shared edge with PF-B is not an overlap; the hole is not on the red line
    expect(k3.overlaps.permanentFarmland.m2).toBe(0);
    expect(k3.overlapFeatures.map((f) => f.featureCode)).toEqual(['RL-B']);
    expect(k3.overlaps.ecoRedline.m2 / (areaOf(rect([4200, 500, 200, 300])) - areaOf(rect([4250, 600, 100, 100])))).toBeCloseTo(1, 9);
    expect(k3.overlapFeatures[0]!.shareOfCase).toBeCloseTo(k3.overlaps.ecoRedline.m2 / k3.area.m2, 9);
    expect(k3.township).toBeNull();
  });

  it('allows and refuses each status transition as the rule says', async () => {
    type Rule = 'allowed' | 'needs-comment' | 'forbidden';
    const outcomeRow: Record<CaseStatus, Rule> = { 待核查: 'forbidden', 违法占用: 'needs-comment', 合法用地: 'needs-comment', 误报: 'needs-comment', 需实地核查: 'needs-comment' };
    const expected: Record<CaseStatus, Record<CaseStatus, Rule>> = {
      待核查: { 待核查: 'forbidden', 违法占用: 'allowed', 合法用地: 'allowed', 误报: 'allowed', 需实地核查: 'allowed' },
      需实地核查: { 待核查: 'forbidden', 违法占用: 'allowed', 合法用地: 'allowed', 误报: 'allowed', 需实地核查: 'needs-comment' },
      违法占用: outcomeRow,
      合法用地: outcomeRow,
      误报: outcomeRow,
    };
    for (const from of CASE_STATUSES) {
      for (const to of CASE_STATUSES) {
        const id = freshCase();
        await bring(id, from, '汴土〔2024〕7号');
        const before = await detail(id);
        expect(before.allowedTransitions.find((t) => t.status === to)?.needsComment ?? 'forbidden', `${from} → ${to} offered`).toBe(
          expected[from][to] === 'forbidden' ? 'forbidden' : expected[from][to] === 'needs-comment',
        );
        const body = { version: before.version, status: to, actor: '李四', ...(to === '合法用地' ? { approvalNo: '汴土〔2024〕9号' } : {}) };
        const bare = await decide(id, body);
        const rule = expected[from][to];
        if (rule === 'allowed') {
          expect(bare.statusCode, `${from} → ${to}: ${bare.body}`).toBe(200);
          expect(CaseDetail.parse(bare.json())).toMatchObject({ status: to, version: before.version + 1 });
          continue;
        }
        expect(bare.statusCode, `${from} → ${to} without a comment`).toBe(422);
        expect(bare.json().error.code).toBe(rule === 'forbidden' ? 'TRANSITION_FORBIDDEN' : 'COMMENT_REQUIRED');
        const withComment = await decide(id, { ...body, comment: '复核后改判' });
        if (rule === 'forbidden') {
          expect(withComment.statusCode, `${from} → ${to} with a comment`).toBe(422);
          expect(withComment.json().error.message).toContain('核查结论不能从');
          expect((await detail(id)).version).toBe(before.version);
        } else {
          expect(withComment.statusCode, `${from} → ${to} with a comment: ${withComment.body}`).toBe(200);
          const after = CaseDetail.parse(withComment.json());
          expect(after.status).toBe(to);
          expect(after.comment).toBe('复核后改判');
          // the decider is the signed-in auditor, whatever the body says
          expect(after.history.at(-1)).toMatchObject({ fromStatus: from, toStatus: to, actor: '测试核查员', comment: '复核后改判' });
        }
      }
    }
  });

  it('asks for an approval number with 合法用地 only, and names the field of every refusal in Chinese', async () => {
    const id = freshCase();
    const { version } = await detail(id);
    const refused = async (body: object, status: number, code: string, text: string, headers: Record<string, string> = {}) => {
      const res = await decide(id, body, headers);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.message).toContain(text);
    };
    await refused({ version, status: '合法用地', actor: '王五' }, 422, 'APPROVAL_NO_REQUIRED', '批准文号必填：认定为合法用地须填写用地批准文号');
    await refused({ version, status: '合法用地', actor: '王五', approvalNo: '   ' }, 422, 'APPROVAL_NO_REQUIRED', '批准文号必填');
    await refused({ version, status: '违法占用', actor: '王五', approvalNo: '汴土〔2024〕1号' }, 422, 'APPROVAL_NO_NOT_ALLOWED', '批准文号只在核查结论为合法用地时填写');
    await refused({ version, status: '已拆除', actor: '王五' }, 400, 'VALIDATION_FAILED', '核查结论只能是');
    await refused({ status: '违法占用', actor: '王五' }, 400, 'VALIDATION_FAILED', '版本须为整数');
    await refused({ version, status: '合法用地', actor: '王五' }, 422, 'APPROVAL_NO_REQUIRED', 'The approval number is required', { 'accept-language': 'en' });
    await refused({ status: '违法占用', actor: '王五' }, 400, 'VALIDATION_FAILED', 'Invalid request body: Version is required', { 'accept-language': 'en' });
    const legal = await decide(id, { version, status: '合法用地', actor: '王五', approvalNo: ' 汴政土〔2024〕33号 ' });
    expect(legal.statusCode, legal.body).toBe(200);
    expect(CaseDetail.parse(legal.json())).toMatchObject({ status: '合法用地', approvalNo: '汴政土〔2024〕33号', decidedBy: '测试核查员' });
    // re-opened to 违法占用: the approval number goes, and the history says so
    const reopened = await decide(id, { version: version + 1, status: '违法占用', actor: '王五', comment: '批文范围不含此地块' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    const after = CaseDetail.parse(reopened.json());
    expect(after.approvalNo).toBeNull();
    expect(after.history.at(-1)!.changes).toEqual({
      status: { from: '合法用地', to: '违法占用' },
      approvalNo: { from: '汴政土〔2024〕33号', to: null },
      comment: { from: null, to: '批文范围不含此地块' },
    });
    const again = await decide(id, { version: version + 2, status: '违法占用', actor: '王五', comment: '批文范围不含此地块' });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.code).toBe('NO_CHANGE');
    expect((await get('/api/cases/999999')).statusCode).toBe(404);
    const badId = await get('/api/cases/abc');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.message).toContain('图斑编号须为');
  });

  it('keeps every decision in a history the database will not let anyone alter', async () => {
    const id = freshCase();
    const steps: { status: CaseStatus; comment: string; actor: string }[] = [
      { status: '需实地核查', comment: '卫片显示有新建厂房，需到现场确认', actor: '赵六' },
      { status: '违法占用', comment: '现场确认未批先建', actor: '钱七' },
      { status: '误报', comment: '复核：为临时农业设施', actor: '孙八' },
    ];
    for (const [i, s] of steps.entries()) {
      // each step by a different signed-in auditor
      const who = await signInAs(app, db, 'auditor', s.actor);
      const res = await decide(id, { version: i + 1, status: s.status, comment: s.comment }, { cookie: who.cookie, 'x-csrf-token': who.csrfToken });
      expect(res.statusCode, res.body).toBe(200);
    }
    const c = await detail(id);
    expect(c).toMatchObject({ status: '误报', version: 4, decidedBy: '孙八', comment: '复核：为临时农业设施' });
    expect(c.history.map((h) => [h.fromStatus, h.toStatus, h.actor, h.version, h.comment])).toEqual([
      ['待核查', '需实地核查', '赵六', 2, steps[0]!.comment],
      ['需实地核查', '违法占用', '钱七', 3, steps[1]!.comment],
      ['违法占用', '误报', '孙八', 4, steps[2]!.comment],
    ]);
    expect(c.history[1]!.changes.status).toEqual({ from: '需实地核查', to: '违法占用' });
    const times = c.history.map((h) => Date.parse(h.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // the database refuses to change or remove history, whoever asks
    await expect(db.query(`UPDATE case_decision SET actor = '某人' WHERE case_id = $1`, [id])).rejects.toThrow(/核查记录不可修改或删除/);
    await expect(db.query(`DELETE FROM case_decision WHERE case_id = $1`, [id])).rejects.toThrow(/核查记录不可修改或删除/);
    await expect(db.query('TRUNCATE case_decision')).rejects.toThrow(/核查记录不可修改或删除/);
    await expect(db.query('DELETE FROM encroachment WHERE id = $1', [id])).rejects.toThrow(/case_decision/);
    expect((await detail(id)).history.map((h) => h.actor)).toEqual(['赵六', '钱七', '孙八']);
  });

  it('refuses a decision made on a version that has moved on, with 409, and writes nothing', async () => {
    const id = freshCase();
    const seenByA = await detail(id);
    const seenByB = await detail(id);
    const jia = await signInAs(app, db, 'auditor', '甲');
    const yi = await signInAs(app, db, 'auditor', '乙');
    const a = await decide(id, { version: seenByA.version, status: '违法占用', comment: '已核实' }, { cookie: jia.cookie, 'x-csrf-token': jia.csrfToken });
    expect(a.statusCode, a.body).toBe(200);
    const b = await decide(id, { version: seenByB.version, status: '误报' }, { cookie: yi.cookie, 'x-csrf-token': yi.csrfToken });
    expect(b.statusCode, b.body).toBe(409);
    expect(b.json().error.code).toBe('VERSION_CONFLICT');
    expect(b.json().error.message).toContain('已被他人修改');
    // a sentence a reviewer reads: the versions as 第 n 版, no field name
    expect(b.json().error.message).toMatch(/在您打开之后已被他人修改（您看到的是第 1 版，现在是第 2 版）/);
    expect(b.json().error.message).not.toMatch(/version/i);
    const now = await detail(id);
    expect(now).toMatchObject({ status: '违法占用', version: 2, decidedBy: '甲' });
    expect(now.history).toHaveLength(1);
    // two decisions on the same version at once: one is recorded, the other refused
    const id2 = freshCase();
    const { version } = await detail(id2);
    const both = await Promise.all([
      decide(id2, { version, status: '违法占用', actor: '甲' }),
      decide(id2, { version, status: '需实地核查', actor: '乙' }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await detail(id2)).history).toHaveLength(1);
  });

  it('sums the county view of a year as worked out by hand, with the 20-亩 threshold', async () => {
    const res = await get('/api/cases/stats?year=2026');
    expect(res.statusCode, res.body).toBe(200);
    const stats = CaseStatsResponse.parse(res.json());
    expect(stats.counties.map((c) => [c.countyCode, c.countyName])).toEqual([
      ['410221', '杞县'],
      ['410222', '通许县'],
      ['410223', '尉氏县'],
    ]);
    for (const c of stats.counties) {
      const want = EXPECTED_2026[c.countyCode as keyof typeof EXPECTED_2026];
      expect({ cases: c.cases, pending: c.pending, fieldCheck: c.fieldCheck, illegal: c.illegal, standing: c.standing, penalty: c.quotaPenaltyMu }, c.countyName).toEqual({
        cases: want.cases,
        pending: want.pending,
        fieldCheck: want.fieldCheck,
        illegal: want.illegal,
        standing: want.standing,
        penalty: want.penalty,
      });
      expect(c.illegalFarmland.mu).toBeCloseTo(want.farmlandMu, 6);
      expect(c.illegalPermanentFarmland.mu).toBeCloseTo(want.permanentMu, 6);
      expect(c.illegalEcoRedline.mu).toBeCloseTo(want.redlineMu, 6);
      expect(c.headroomMu).toBeCloseTo(20 - want.farmlandMu, 4);
    }
    expect(stats.total).toMatchObject({ cases: 12, pending: 5, fieldCheck: 1, illegal: 5, countiesOver: 1, countiesClose: 2 });
    expect(stats.total.illegalFarmland.mu).toBeCloseTo(55.5, 6);
    expect(stats.total.illegalPermanentFarmland.mu).toBeCloseTo(27, 6);
    expect(stats.total.illegalEcoRedline.mu).toBeCloseTo(2, 6);
    expect(stats.thresholds).toMatchObject({ limitMu: 20, closeMu: 15, penaltyMu: 200 });
    expect(stats.years).toEqual([2026, 2025, 2024]);
    // 2025 holds A5 alone: 10 亩 of permanent farmland, under the threshold
    const y2025 = CaseStatsResponse.parse((await get('/api/cases/stats?year=2025')).json());
    expect(y2025.counties[0]).toMatchObject({ countyCode: '410221', illegal: 1, standing: 'ok', quotaPenaltyMu: 0 });
    expect(y2025.counties[0]!.illegalFarmland.mu).toBeCloseTo(10, 6);
    const bad = await get('/api/cases/stats?year=1999');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('年度须');
  });

  it('filters, sorts and pages the list', async () => {
    const list = async (qs: string) => {
      const res = await get(`/api/cases?${qs}`);
      expect(res.statusCode, res.body).toBe(200);
      return CaseListResponse.parse(res.json());
    };
    const codes = (r: CaseListResponse) => r.items.map((i) => i.code).sort();
    expect(codes(await list('county=410222'))).toEqual(['B1', 'B2', 'B3', 'K3']);
    expect(codes(await list(`status=${encodeURIComponent('违法占用')}&from=2025-01-01`))).toEqual(['A1', 'A2', 'A5', 'B1', 'B2', 'C1']);
    expect(codes(await list('from=2026-01-01&to=2026-03-31'))).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(codes(await list('minOverlapMu=11&from=2025-01-01'))).toEqual(['A1', 'A3', 'B1', 'C1', 'K1']);
    expect(codes(await list('minOverlapMu=1&overlap=eco-redline'))).toEqual(['B2', 'K3']);
    expect(codes(await list('minOverlapMu=1&overlap=stock-land'))).toEqual(['K2']);
    expect(codes(await list(`source=${encodeURIComponent('巡查,举报')}`))).toEqual([]);
    expect(codes(await list('q=K'))).toEqual(['K1', 'K2', 'K3']);
    const page1 = await list('from=2026-01-01&sort=-area&pageSize=2');
    const page2 = await list('from=2026-01-01&sort=-area&pageSize=2&page=2');
    expect([...page1.items, ...page2.items].map((i) => i.code)).toEqual(['K3', 'K2', 'K1', 'A3']);
    expect(page1.total).toBe(12);
    expect(page1.statusCounts).toEqual({ 待核查: 4, 违法占用: 5, 合法用地: 1, 误报: 1, 需实地核查: 1 });
    const onlyPending = await list(`from=2026-01-01&status=${encodeURIComponent('待核查')}`);
    expect(onlyPending.total).toBe(4);
    expect(onlyPending.statusCounts['违法占用']).toBe(5); // counts ignore the status filter, for tabs
    const bad = await get('/api/cases?from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('发现日期起');
    const reversed = await get('/api/cases?from=2026-05-01&to=2026-01-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.message).toContain('不能晚于');
  });

  it('exports the filtered list as Excel, GeoJSON and a GBK Shapefile with the overlap columns', async () => {
    const qs = 'from=2026-01-01&sort=code';
    const geo = await get(`/api/cases/export.geojson?${qs}`);
    expect(geo.statusCode).toBe(200);
    expect(geo.headers['x-total-count']).toBe('12');
    const fc = geo.json() as { features: { properties: Record<string, unknown> }[] };
    expect(fc.features.map((f) => f.properties.code)).toEqual(['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'C1', 'C2', 'K1', 'K2', 'K3']);
    const k1 = fc.features.find((f) => f.properties.code === 'K1')!.properties;
    expect(k1.permanent_farmland_m2 as number).toBeCloseTo(areaOf(rect([1000, 500, 100, 100])), 2);
    expect(k1.farmland_mu as number).toBeCloseTo(30, 1);
    expect(fc.features.find((f) => f.properties.code === 'C2')!.properties).toMatchObject({ status: '合法用地', approval_no: '汴政土〔2025〕18号', county_name: '尉氏县' });

    const xlsx = await get(`/api/cases/export.xlsx?${qs}`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('违法占地图斑')!;
    expect(ws.rowCount).toBe(13);
    const headers = (ws.getRow(1).values as unknown[]).slice(1);
    expect(headers).toContain('占永久基本农田（亩）');
    expect(headers).toContain('占生态保护红线（平方米）');
    expect(ws.getRow(2).getCell(1).value).toBe('A1');

    const shp = await get(`/api/cases/export.shp.zip?${qs}`);
    expect(shp.statusCode).toBe(200);
    const zip = await JSZip.loadAsync(shp.rawPayload);
    expect(Object.keys(zip.files).sort()).toEqual(['cases.cpg', 'cases.dbf', 'cases.prj', 'cases.shp', 'cases.shx', '说明.txt']);
    expect(await zip.file('cases.cpg')!.async('string')).toBe('GBK');
    expect(await zip.file('cases.prj')!.async('string')).toContain('CGCS2000');
    const dbf = await zip.file('cases.dbf')!.async('uint8array');
    const fieldNames: string[] = [];
    for (let at = 32; dbf[at] !== 0x0d; at += 32) fieldNames.push(new TextDecoder().decode(dbf.subarray(at, at + 11)).replace(/\0.*$/, ''));
    expect(fieldNames.every((n) => n.length <= 10)).toBe(true);
    expect(fieldNames).toEqual(expect.arrayContaining(['CODE', 'COUNTY_ZH', 'PF_M2', 'PF_MU', 'GF_MU', 'RL_MU', 'FARM_MU', 'ON_STOCK', 'UDB_SHARE']));
    // read back with the site-file parser: GBK text, the same figures, the same polygons
    const parsed = await parseSiteFile({ fileName: 'cases.zip', bytes: new Uint8Array(shp.rawPayload) });
    expect(parsed.detected).toMatchObject({ format: 'shapefile', crs: 'EPSG:4490', encoding: 'gbk' });
    const props = parsed.features.features.map((f) => f.properties);
    expect(props.map((p) => p.CODE)).toEqual(fc.features.map((f) => f.properties.code));
    expect(props.find((p) => p.CODE === 'B2')).toMatchObject({ COUNTY_ZH: '通许县', STATUS: '违法占用', DETECTED: '2026-05-02' });
    expect(props.find((p) => p.CODE === 'K2')!.ON_STOCK).toBe('是');
    expect(Number(props.find((p) => p.CODE === 'B2')!.RL_MU)).toBeCloseTo(2, 3);
    const k3 = parsed.features.features.find((f) => f.properties.CODE === 'K3')!;
    // exported at 1e-9° (0.1 mm): the area agrees to a few hundredths of a m² over 8 ha
    expect(Math.abs(areaOf(k3.geometry as ReturnType<typeof rect>) - areaOf(K3))).toBeLessThan(0.05);

    const stats = await get('/api/cases/stats/export.xlsx?year=2026');
    expect(stats.statusCode).toBe(200);
    const swb = new ExcelJS.Workbook();
    await swb.xlsx.load(stats.rawPayload as unknown as ArrayBuffer);
    const sheet = swb.worksheets[0]!;
    const rows = [4, 5, 6, 7].map((r) => (sheet.getRow(r).values as unknown[]).slice(1));
    expect(rows.map((r) => r[0])).toEqual(['杞县', '通许县', '尉氏县', '开封市']);
    expect(rows[0]![6]).toBe(20.5);
    expect(rows[0]![13]).toBe('扣减指标');
    expect(rows[0]![14]).toBe('超过 20 亩');
    expect(rows[0]![15]).toBe(200);
    expect(rows[2]![13]).toBe('需关注');
    expect(rows[2]![14]).toBe('接近 20 亩');
  });
});

// keep the unit of the fixture honest
it('lays out the world in 亩 as the fixture says', () => {
  expect(areaOf(CASES.find((c) => c.code === 'C1')!.geometry) / MU).toBeCloseTo(20, 9);
});
