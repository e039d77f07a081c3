/**
 * The yearly stock revitalisation rate against a hand-computed ledger (three counties, events
 * recorded through the API): the stock on 1 January worked out from the events (a parcel
 * supplied before the year is not stock; one changed only after the year was), exactly 15.00 %
 * meeting the target, a county short of it with its shortfall in 亩, a county without stock,
 * supplied idle land counted as stock until disposed of, land entered during the year left out,
 * the city total, and the Excel export holding the same figures with the rule beside them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { RevitalisationResponse } from '../../core/contracts/figures.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { actAs } from '../helpers/session.ts';
import { layerSql, rect, type Rect } from '../fixtures/cases/world.ts';

const MU = 10_000 / 15;
const A = '410221';
const B = '410222';
const C = '410223';
const D = '410224';
// area_m2 is the ledger's figure (set here, not measured): the figures read it
const PARCELS: { code: string; county: string; category: string; status: string; m2: number; recorded: string; box: Rect }[] = [
  { code: 'A1', county: A, category: '批而未供', status: '可供应', m2: 1_500, recorded: '2021-03-01', box: [100, 100, 50, 50] },
  { code: 'A2', county: A, category: '闲置土地', status: '可供应', m2: 3_500, recorded: '2021-03-01', box: [200, 100, 50, 50] },
  { code: 'A3', county: A, category: '批而未供', status: '可供应', m2: 1_000, recorded: '2025-06-01', box: [300, 100, 50, 50] },
  { code: 'A4', county: A, category: '批而未供', status: '已供应', m2: 4_000, recorded: '2021-03-01', box: [400, 100, 50, 50] },
  { code: 'A5', county: A, category: '低效用地', status: '可供应', m2: 5_000, recorded: '2022-01-01', box: [500, 100, 50, 50] },
  { code: 'B1', county: B, category: '批而未供', status: '可供应', m2: 10_000, recorded: '2023-01-01', box: [2100, 100, 50, 50] },
  { code: 'B2', county: B, category: '低效用地', status: '可供应', m2: 2_000, recorded: '2023-01-01', box: [2200, 100, 50, 50] },
  { code: 'B3', county: B, category: '批而未供', status: '可供应', m2: 58_000, recorded: '2023-01-01', box: [2300, 100, 50, 50] },
  // idle land is often supplied land left undeveloped: stock until disposed of
  { code: 'D1', county: D, category: '闲置土地', status: '已供应', m2: 2_500, recorded: '2021-03-01', box: [6100, 100, 50, 50] },
  // entered and supplied in the same year: never in the start's stock
  { code: 'D2', county: D, category: '批而未供', status: '可供应', m2: 1_000, recorded: '2025-03-01', box: [6200, 100, 50, 50] },
  { code: 'D3', county: D, category: '批而未供', status: '可供应', m2: 500, recorded: '2021-03-01', box: [6300, 100, 50, 50] },
];
const supply = (date: string) => ({ kind: 'supply', eventDate: date, docNo: `供〔${date}〕`, details: { method: '出让', contractNo: `HT-${date}`, landUser: '某公司', priceWan: 100 } });
const EVENTS: [string, object][] = [
  ['A2', { kind: 'dispose', eventDate: '2024-05-01', docNo: '处〔2024〕1号', details: { method: '收回' } }], // before 2025: A2 is available stock on 1 Jan 2025
  ['A1', supply('2025-03-01')], // 1 500 of A's 10 000 at the start of 2025: exactly 15.00 %
  ['A3', supply('2026-04-01')], // entered in 2025: stock at the start of 2026, not of 2025
  ['A5', { kind: 'redevelop', eventDate: '2026-02-01', docNo: '低〔2026〕1号', details: { project: '改造' } }],
  ['B2', { kind: 'redevelop', eventDate: '2024-12-31', docNo: '低〔2024〕9号', details: { project: '改造' } }], // revitalised before 2025
  ['B1', { kind: 'intent', eventDate: '2025-02-01', docNo: '意〔2025〕1号', details: { enterprise: '某公司' } }], // not revitalising
  ['B1', supply('2025-04-01')],
  ['D1', { kind: 'dispose', eventDate: '2025-05-01', docNo: '处〔2025〕2号', details: { method: '动工开发' } }],
  ['D2', supply('2025-06-01')],
  ['D3', supply('2025-01-01')], // on 1 January: stock that morning, revitalised in 2025
];

describe(`the yearly stock revitalisation rate (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  const figures = async (year: number) => {
    const res = await app.inject({ method: 'GET', url: `/api/figures/revitalisation?year=${year}` });
    expect(res.statusCode, res.body).toBe(200);
    const f = RevitalisationResponse.parse(res.json());
    return { f, by: (code: string) => f.counties.find((c) => c.countyCode === code)! };
  };

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    for (const [code, x] of [[A, 0], [B, 2000], [C, 4000], [D, 6000]] as const) await db.query(layerSql.county, [code, `县${code}`, JSON.stringify(rect([x, 0, 2000, 2000]))]);
    for (const p of PARCELS) {
      await db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, recorded_on, geom)
         VALUES ($1, $2, '测试地块', $3, '工业', $4, $5, '测试局', $6, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($7), 4490)))`,
        [p.code, p.county, p.category, p.m2, p.status, p.recorded, JSON.stringify(rect(p.box))],
      );
    }
    app = await buildApp({ db });
    await actAs(app, db, 'planner', '供地科');
    for (const [code, body] of EVENTS) {
      const res = await app.inject({ method: 'POST', url: `/api/stock-parcels/${code}/events`, payload: body });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('counts the stock on 1 January from the events and meets the target at exactly 15.00 %', async () => {
    const { by } = await figures(2025);
    const a = by(A);
    // A1 + A2 + A5; A3 entered later, A4 supplied before the ledger
    expect(a.startCount).toBe(3);
    expect(a.start.m2).toBe(10_000);
    expect(a.revitalisedCount).toBe(1);
    expect(a.revitalised.m2).toBe(1_500);
    expect(a.byKind.supply.m2).toBe(1_500);
    expect(a.ratePct).toBe(15);
    expect(a.met).toBe(true);
    expect(a.shortfallMu).toBe(0);
  });

  it('names a county short of the target with what it still needs in 亩; a reservation is not revitalisation', async () => {
    const { by } = await figures(2025);
    const b = by(B);
    // B1 + B3 (B2 was redeveloped on 31 December 2024)
    expect(b.startCount).toBe(2);
    expect(b.start.m2).toBe(68_000);
    expect(b.revitalisedCount).toBe(1);
    expect(b.revitalised.m2).toBe(10_000);
    expect(b.ratePct).toBe(14.71); // 10 000 / 68 000 = 14.7059 %
    expect(b.met).toBe(false);
    expect(b.shortfallMu).toBe(0.3); // 15 % of 68 000 m² is 10 200 m²: 200 m² = 0.3 亩 short
    const c = by(C);
    expect(c).toMatchObject({ startCount: 0, revitalisedCount: 0, ratePct: null, met: null });
  });

  it('counts supplied idle land as stock until disposed of, and land entered during the year not at all; an event on 1 January falls in that year', async () => {
    const d = (await figures(2025)).by(D);
    // D1 (idle, supplied, undeveloped) + D3; D2 entered on 2025-03-01
    expect(d.startCount).toBe(2);
    expect(d.start.m2).toBe(3_000);
    expect(d.revitalisedCount).toBe(2);
    expect(d.byKind.dispose.m2).toBe(2_500);
    expect(d.byKind.supply.m2).toBe(500);
    expect(d.ratePct).toBe(100);
    const before = (await figures(2024)).by(D);
    expect(before.startCount).toBe(2);
    expect(before.revitalisedCount).toBe(0);
  });

  it('sums the city, and reads the next year from the same ledger', async () => {
    const { f } = await figures(2025);
    expect(f.total.start.m2).toBe(81_000);
    expect(f.total.revitalised.m2).toBe(14_500);
    expect(f.total.ratePct).toBe(17.9); // 14 500 / 81 000 = 17.901 %
    expect(f.targetPct).toBe(15);
    expect(f.rule.zh).toContain('15%');

    const next = (await figures(2026)).by(A);
    // A2, A3 (entered 2025-06-01), A5: A1 was supplied in 2025
    expect(next.startCount).toBe(3);
    expect(next.start.m2).toBe(9_500);
    expect(next.revitalised.m2).toBe(6_000);
    expect(next.byKind.redevelop.m2).toBe(5_000);
    expect(next.ratePct).toBe(63.16);
  });

  it('exports the same figures to Excel with the rule and its source, and refuses a bad year naming it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/figures/revitalisation/export.xlsx?year=2025' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('revitalisation-2025.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    const b = rows.find((r) => r[1] === B)!;
    expect(b[2]).toBe(2);
    expect(b[3]).toBeCloseTo(68_000 / MU, 2);
    expect(b[9]).toBe(14.71);
    expect(b[10]).toBe('未达标');
    expect(rows.find((r) => r[1] === A)![10]).toBe('达标');
    const text = rows.flat().join('\n');
    expect(text).toContain('开封市“十四五”自然资源保护和利用规划');
    const bad = await app.inject({ method: 'GET', url: '/api/figures/revitalisation?year=1999', headers: { 'accept-language': 'zh-CN' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('年度须在 2000–2100 之间');
  });

  it('is for staff: an enterprise is refused', async () => {
    const other = await buildApp({ db });
    try {
      await actAs(other, db, 'enterprise');
      expect((await other.inject({ method: 'GET', url: '/api/figures/revitalisation?year=2025' })).statusCode).toBe(403);
    } finally {
      await other.close();
    }
  });
});
