/**
 * The yearly farmland share of new construction land (占耕比) against a hand-made world: four
 * counties, farmland from tests/fixtures/cases/world.ts, site checks filed and approved through
 * the API on a fixed clock, the provincial average set to 40 %. Every site lies in the band
 * y 200–300 m, so its areas are in proportion to its widths and the shares can be worked out by
 * hand: 杞县 exactly at the average (no consequence), 通许县 just below it (39.99 %: +200 亩),
 * 尉氏县 just above it (40.01 %: −100 亩), a fourth county with a check filed but none approved
 * (no figure); an approval of another year counted in its own year only; the refusals (a second
 * approval, dates, roles, an unknown check, a public or buffered check); the approval row
 * unalterable by direct SQL; the report showing its approval with its content hash unchanged;
 * and the Excel export holding the same figures with the rule and its source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { FarmlandShareResponse } from '../../core/contracts/figures.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { hashReport } from '../../server/src/modules/site-check/service.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { actAs } from '../helpers/session.ts';
import { COUNTIES, LAYERS, layerSql, MU, rect, type Rect } from '../fixtures/cases/world.ts';

const A = '410221';
const B = '410222';
const C = '410223';
const D = '410224';
const AVERAGE = 40;
/** The main app's clock: 2025-11-20 12:00 in Beijing. */
const TODAY = '2025-11-20';
const NOW = new Date('2025-11-20T04:00:00Z');
/** Another year's: 2024-08-01 12:00 in Beijing. */
const THEN = new Date('2024-08-01T04:00:00Z');
/** Just after midnight of 1 January 2025 in Beijing, still 31 December 2024 in UTC. */
const NEW_YEAR_NIGHT = new Date('2024-12-31T16:30:00Z');
const band = (x0: number, x1: number): Rect => [x0, 200, x1 - x0, 100];

// 杞县: A1 wholly on general farmland GF-A (100 m), A2 on nothing (150 m): 100 / 250 = 40.00 %
const A1 = rect(band(1300, 1400));
const A2 = rect(band(2300, 2450));
// 通许县: across permanent farmland PF-B's east edge (x 4100): 39.99 m of 100 m = 39.99 %
const B1 = rect(band(4060.01, 4160.01));
// 尉氏县: across general farmland GF-C's west edge (x 6100): 40.01 m of 100 m = 40.01 %
const C1 = rect(band(6040.01, 6140.01));
// the fourth county: filed, never approved
const D1 = rect(band(9100, 9200));
// 杞县 again, in 2024: no farmland; counted in 2024, not in 2025
const A_2024 = rect(band(2500, 2600));

describe(`the yearly farmland share of new construction land (${backend})`, () => {
  let app: FastifyInstance;
  let before: FastifyInstance;
  let night: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  const ids: Record<string, string> = {};

  const file = async (a: FastifyInstance, geometry: object, name: string, extra: object = {}, headers?: Record<string, string>) => {
    const res = await a.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, name, use: '工业', stockFirst: { reason: 'location' }, ...extra }, ...(headers ? { headers } : {}) });
    expect(res.statusCode, res.body).toBe(201);
    return SiteCheckReport.parse(res.json()).id;
  };
  const approve = (a: FastifyInstance, id: string, approvedOn: string, approvalNo = `豫政土〔${approvedOn.slice(0, 4)}〕${id.slice(0, 4)}号`, headers?: Record<string, string>) =>
    a.inject({ method: 'POST', url: `/api/site-checks/${id}/approval`, payload: { approvalNo, approvedOn }, ...(headers ? { headers } : {}) });
  const figures = async (year: number) => {
    const res = await app.inject({ method: 'GET', url: `/api/figures/farmland-share?year=${year}` });
    expect(res.statusCode, res.body).toBe(200);
    const f = FarmlandShareResponse.parse(res.json());
    return { f, by: (code: string) => f.counties.find((c) => c.countyCode === code)! };
  };

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    for (const k of [...COUNTIES, { code: D, name: '第四县', box: [9000, 0, 3000, 3000] as Rect }]) await db.query(layerSql.county, [k.code, k.name, JSON.stringify(rect(k.box))]);
    for (const f of LAYERS.permanent) await db.query(layerSql.permanent, [f.code, f.county, JSON.stringify(rect(f.box))]);
    for (const f of LAYERS.general) await db.query(layerSql.general, [f.code, f.county, JSON.stringify(rect(f.box))]);
    for (const f of LAYERS.redline) await db.query(layerSql.redline, [f.code, f.county, JSON.stringify(rect(f.box))]);
    for (const f of LAYERS.boundary) await db.query(layerSql.boundary, [f.code, f.county, JSON.stringify(rect(f.box))]);

    app = await buildApp({ db, farmlandShareAveragePct: AVERAGE, clock: () => NOW });
    await actAs(app, db, 'planner', '用途管制科');
    before = await buildApp({ db, farmlandShareAveragePct: AVERAGE, clock: () => THEN });
    await actAs(before, db, 'planner', '用途管制科');
    night = await buildApp({ db, farmlandShareAveragePct: AVERAGE, clock: () => NEW_YEAR_NIGHT });
    await actAs(night, db, 'planner', '用途管制科');

    for (const [key, g] of Object.entries({ A1, A2, B1, C1, D1 })) ids[key] = await file(app, g, `项目${key}`);
    ids.A_2024 = await file(before, A_2024, '项目A_2024');
    ids.night = await file(night, rect(band(2700, 2800)), '元旦凌晨的项目');

    for (const key of ['A1', 'A2', 'B1', 'C1']) {
      const res = await approve(app, ids[key]!, TODAY);
      expect(res.statusCode, res.body).toBe(201);
    }
    const res = await approve(before, ids.A_2024!, '2024-08-01');
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await before?.close();
    await night?.close();
    await close?.();
  });

  it('exactly at the provincial average: the share is shown, no quota either way', async () => {
    const { by, f } = await figures(2025);
    expect(f.averagePct).toBe(AVERAGE);
    const a = by(A);
    expect(a.approvedCount).toBe(2);
    expect(a.generalFarmland.mu).toBeCloseTo(a.newLand.mu * 0.4, 9);
    expect(a.permanentFarmland.m2).toBe(0);
    expect(a.sharePct).toBe(40);
    expect(a.standing).toBe('equal');
    expect(a.quotaMu).toBe(0);
  });

  it('just below the average earns 200 亩, just above it costs 100 亩; permanent farmland counts as farmland', async () => {
    const { by } = await figures(2025);
    const b = by(B);
    expect(b.approvedCount).toBe(1);
    expect(b.generalFarmland.m2).toBe(0);
    expect(b.permanentFarmland.m2).toBeGreaterThan(0);
    expect(b.sharePct).toBe(39.99);
    expect(b).toMatchObject({ standing: 'below', quotaMu: 200 });
    const c = by(C);
    expect(c.sharePct).toBe(40.01);
    expect(c).toMatchObject({ standing: 'above', quotaMu: -100 });
  });

  it('a county with no approved land has no figure and no consequence, though a check was filed there', async () => {
    const { by } = await figures(2025);
    expect(by(D)).toMatchObject({ approvedCount: 0, sharePct: null, standing: null, quotaMu: 0 });
    expect(by(D).newLand.m2).toBe(0);
  });

  it('the figures are the checks’ own: new land is the sites’ area, farmland their overlaps, each check in its county', async () => {
    const { by, f } = await figures(2025);
    const report = async (id: string) => SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${id}` })).json());
    const [a1, a2, b1] = await Promise.all([report(ids.A1!), report(ids.A2!), report(ids.B1!)]);
    expect(by(A).newLand.m2).toBeCloseTo(a1.site.area.m2 + a2.site.area.m2, 6);
    expect(by(A).farmland.m2).toBe(a1.layers.find((l) => l.layerId === 'general-farmland')!.area.m2);
    expect(by(B).farmland.m2).toBe(b1.layers.find((l) => l.layerId === 'permanent-farmland')!.area.m2);
    // 100 m × 100 m on GF-A
    expect(by(A).farmland.mu).toBeCloseTo(10_000 / MU, 1);
    expect(f.approvals.map((x) => x.checkId).sort()).toEqual([ids.A1, ids.A2, ids.B1, ids.C1].sort());
    expect(f.total.approvedCount).toBe(4);
    expect(f.total.quotaMu).toBe(100);
  });

  it('counts an approval in the year of its date only', async () => {
    const { by } = await figures(2024);
    expect(by(A)).toMatchObject({ approvedCount: 1, sharePct: 0, standing: 'below', quotaMu: 200 });
    expect(by(B).sharePct).toBeNull();
    const { f } = await figures(2025);
    expect(f.approvals.map((x) => x.checkId)).not.toContain(ids.A_2024);
    expect((await figures(2026)).f.total.approvedCount).toBe(0);
  });

  it('shows the approval with the report, whose content hash it leaves alone', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/site-checks/${ids.B1}` });
    const report = SiteCheckReport.parse(res.json());
    expect(report.approval).toMatchObject({ checkId: ids.B1, approvedOn: TODAY, approverName: '用途管制科', countyCode: B, countyName: '通许县' });
    expect(report.approval!.approvalNo).toBe(`豫政土〔2025〕${ids.B1!.slice(0, 4)}号`);
    expect(hashReport(report)).toBe(report.contentHash);
    const unapproved = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${ids.D1}` })).json());
    expect(unapproved.approval).toBeNull();
    // the public reads a report by its id, approval included
    const pub = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${ids.B1}`, headers: { cookie: '' } })).json());
    expect(pub.approval?.approvalNo).toBe(report.approval!.approvalNo);
  });

  it('refuses a second approval with 409 naming the first', async () => {
    const res = await approve(app, ids.A1!, TODAY, '豫政土〔2025〕999号', { 'accept-language': 'zh-CN' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ALREADY_APPROVED');
    expect(res.json().error.message).toContain(`豫政土〔2025〕${ids.A1!.slice(0, 4)}号`);
    const [row] = await db.query<{ approval_no: string }>('SELECT approval_no FROM site_check_approval WHERE check_id = $1', [ids.A1]);
    expect(row!.approval_no).toBe(`豫政土〔2025〕${ids.A1!.slice(0, 4)}号`);
  });

  it('refuses a date after today or before the check was filed with 422, by Beijing days', async () => {
    const late = await approve(app, ids.D1!, '2025-11-21');
    expect(late.statusCode).toBe(422);
    expect(late.json().error.code).toBe('APPROVAL_DATE');
    const early = await approve(app, ids.D1!, '2025-11-19');
    expect(early.statusCode).toBe(422);
    expect(early.json().error.code).toBe('APPROVAL_DATE');
    // filed at 00:30 on 1 January 2025 in Beijing: 31 December is before it, though UTC still says 31 December
    const beforeFiling = await approve(night, ids.night!, '2024-12-31');
    expect(beforeFiling.statusCode).toBe(422);
    expect(beforeFiling.json().error.message).toContain('2025-01-01');
    const bad = await approve(app, ids.D1!, '2025-02-30', '豫政土〔2025〕1号', { 'accept-language': 'en' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Approval date');
    const blank = await approve(app, ids.D1!, TODAY, '  ', { 'accept-language': 'zh-CN' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.message).toContain('批准文号');
    expect(await db.query('SELECT 1 FROM site_check_approval WHERE check_id = ANY($1::text[])', [[ids.D1, ids.night]])).toHaveLength(0);
  });

  it('is for planners and above: the public must sign in, an enterprise is refused; an unknown check is 404', async () => {
    expect((await approve(app, ids.D1!, TODAY, '豫政土〔2025〕1号', { cookie: '' })).statusCode).toBe(401);
    const enterprise = await buildApp({ db, clock: () => NOW });
    try {
      await actAs(enterprise, db, 'enterprise');
      expect((await approve(enterprise, ids.D1!, TODAY)).statusCode).toBe(403);
      expect((await enterprise.inject({ method: 'GET', url: '/api/figures/farmland-share?year=2025' })).statusCode).toBe(403);
    } finally {
      await enterprise.close();
    }
    const unknown = await approve(app, '00000000-0000-4000-8000-000000000000', TODAY);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('REPORT_NOT_FOUND');
    expect((await approve(app, 'not-a-report', TODAY)).statusCode).toBe(400);
    expect((await figures(2025)).by(D).approvedCount).toBe(0);
  });

  it('refuses a public check (it lapses) and a buffered one (its figures are of more than the site)', async () => {
    const publicId = await file(app, rect(band(9300, 9400)), '公众套核', {}, { cookie: '' });
    const pub = await approve(app, publicId, TODAY);
    expect(pub.statusCode).toBe(422);
    expect(pub.json().error.code).toBe('CHECK_NOT_PERMANENT');
    const buffered = await file(app, rect(band(9500, 9600)), '带缓冲区', { bufferMeters: 50 });
    const res = await approve(app, buffered, TODAY);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('CHECK_BUFFERED');
  });

  it('keeps the approval as recorded: the database refuses to change or delete it', async () => {
    await expect(db.query(`UPDATE site_check_approval SET approval_no = '改过' WHERE check_id = $1`, [ids.A1])).rejects.toThrow(/批准记录不可修改|recorded once/);
    await expect(db.query(`UPDATE site_check_approval SET approved_on = '2024-01-01' WHERE check_id = $1`, [ids.C1])).rejects.toThrow(/recorded once/);
    await expect(db.query('DELETE FROM site_check_approval WHERE check_id = $1', [ids.B1])).rejects.toThrow(/recorded once/);
    await expect(db.query('TRUNCATE site_check_approval')).rejects.toThrow(/recorded once/);
    expect(await db.query('SELECT 1 FROM site_check_approval')).toHaveLength(5);
    expect((await figures(2025)).by(C).sharePct).toBe(40.01);
  });

  it('records who approved in the audit log', async () => {
    const rows = await db.query<{ action: string; target: string; details: unknown }>(`SELECT action, target, details FROM audit_log WHERE action = 'site-check-approve' ORDER BY id`);
    expect(rows.map((r) => r.target)).toEqual([ids.A1, ids.A2, ids.B1, ids.C1, ids.A_2024]);
    const details = rows[2]!.details;
    expect(typeof details === 'string' ? JSON.parse(details) : details).toMatchObject({ approvedOn: TODAY, county: B });
  });

  it('exports the same figures to Excel with the rule, its source and the average', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/figures/farmland-share/export.xlsx?year=2025' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('farmland-share-2025.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    const row = (code: string) => rows.find((r) => r[1] === code)!;
    expect(row(A)[7]).toBe(40);
    expect(row(A)[8]).toBe('等于全省平均');
    expect(row(A)[9]).toBe('0');
    expect(row(B)[7]).toBe(39.99);
    expect(row(B)[9]).toBe('+200');
    expect(row(C)[7]).toBe(40.01);
    expect(row(C)[9]).toBe('-100');
    expect(row(D)[7]).toBe('—');
    expect(row(D)[2]).toBe(0);
    const text = rows.flat().join('\n');
    expect(text).toContain('焦作市自然资源和规划局 2026 年文件第十六项');
    expect(text).toContain('全省平均占耕比：40%');
    const list: unknown[][] = [];
    wb.worksheets[1]!.eachRow((r) => list.push((r.values as unknown[]).slice(1)));
    expect(list.slice(1).map((r) => r[6]).sort()).toEqual([ids.A1, ids.A2, ids.B1, ids.C1].sort());
    const bad = await app.inject({ method: 'GET', url: '/api/figures/farmland-share?year=1999', headers: { 'accept-language': 'zh-CN' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('年度须在 2000–2100 之间');
  });

  it('takes the provincial average from the server’s setting, 35 % unless set', async () => {
    const plain = await buildApp({ db });
    try {
      await actAs(plain, db, 'planner');
      const f = FarmlandShareResponse.parse((await plain.inject({ method: 'GET', url: '/api/figures/farmland-share?year=2025' })).json());
      expect(f.averagePct).toBe(35);
      // 杞县's 40 % is above 35 %
      expect(f.counties.find((c) => c.countyCode === A)).toMatchObject({ sharePct: 40, standing: 'above', quotaMu: -100 });
    } finally {
      await plain.close();
    }
  });
});
