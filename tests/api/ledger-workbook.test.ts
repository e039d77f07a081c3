/**
 * The ledger as a workbook and back, on a hand-made world: the export read by GDAL's own XLSX
 * reader (each parcel's current state and latest change, each event as recorded); an import
 * made by GDAL (ogr2ogr from CSV — not this app's writer) with rows already in the ledger, an
 * altered one, new rows in any order within the file, and refusals in the parcel page's words;
 * a trial run writes nothing, the commit records the new rows in date order in one transaction,
 * and a commit the ledger has moved under fails naming the row and writes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LedgerImportAccepted, LedgerImportJob } from '../../core/contracts/ledger.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { multipart } from '../helpers/fuzz.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';
import { areaOf, layerSql, rect, type Rect } from '../fixtures/cases/world.ts';

const run = promisify(execFile);
const COUNTY = '410221';
const PARCELS: { code: string; category: string; box: Rect }[] = [
  { code: 'W-SOLD', category: '批而未供', box: [100, 100, 200, 150] },
  { code: 'W-NEW', category: '批而未供', box: [400, 100, 150, 150] },
  { code: 'W-LATER', category: '批而未供', box: [700, 100, 150, 150] },
  { code: 'W-IDLE', category: '闲置土地', box: [100, 400, 150, 150] },
];
const HEADERS = ['记录号', '地块编号', '县（市、区）', '变动类型', '变动日期', '文号', '供应或处置方式', '合同编号', '用地单位', '成交价（万元）', '再开发项目', '意向企业', '撤回理由', '备注'];

/** Rows as CSV (every cell quoted), made into an .xlsx by GDAL with the sheet 变动记录. */
async function gdalWorkbook(dir: string, rows: Record<string, string>[], sheet = '变动记录'): Promise<Buffer> {
  const csv = join(dir, `${sheet}.csv`);
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  writeFileSync(csv, [HEADERS.map(quote).join(','), ...rows.map((r) => HEADERS.map((h) => quote(r[h] ?? '')).join(','))].join('\n') + '\n');
  const out = join(dir, `${sheet}-${Date.now()}.xlsx`);
  await run('ogr2ogr', ['-f', 'XLSX', out, csv, '-nln', sheet]);
  return readFileSync(out);
}

/** A sheet of an .xlsx as GDAL reads it: one object per row, by header. */
async function gdalRows(file: string, sheet: string): Promise<Record<string, string>[]> {
  const { stdout } = await run('ogr2ogr', ['--config', 'OGR_XLSX_HEADERS', 'FORCE', '--config', 'OGR_XLSX_FIELD_TYPES', 'STRING', '-f', 'CSV', '/vsistdout/', file, sheet], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  const split = (l: string) => [...l.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1);
  const head = split(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i]!, v])));
}

describe(`the ledger as a workbook and back (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  let enterprise: SignedIn;
  let dir: string;
  let soldEventId: number;

  const as = (who: SignedIn | null) => (who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken } : {});
  const record = async (code: string, body: object) => {
    const res = await app.inject({ method: 'POST', url: `/api/stock-parcels/${code}/events`, payload: body, headers: as(planner) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().events[0].id as number;
  };
  const eventCount = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_event'))[0]!.n);
  const status = async (code: string) => (await db.query<{ status: string }>('SELECT status FROM stock_parcel WHERE code = $1', [code]))[0]!.status;

  async function upload(file: Buffer, qs = '', lang = 'zh-CN') {
    const body = multipart([{ field: 'file', filename: '台账.xlsx', content: file }]);
    const res = await app.inject({ method: 'POST', url: `/api/stock-ledger/import${qs}`, payload: body.payload, headers: { ...body.headers, ...as(planner), 'accept-language': lang } });
    expect(res.statusCode, res.body).toBe(202);
    return follow(LedgerImportAccepted.parse(res.json()).statusUrl, lang);
  }
  async function follow(url: string, lang = 'zh-CN') {
    for (;;) {
      const s = await app.inject({ method: 'GET', url, headers: { ...as(planner), 'accept-language': lang } });
      expect(s.statusCode, s.body).toBe(200);
      const job = LedgerImportJob.parse(s.json());
      if (['ready', 'done', 'failed', 'cancelled'].includes(job.phase)) return job;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yzt-ledger-book-'));
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await db.query(layerSql.county, [COUNTY, '测试县', JSON.stringify(rect([0, 0, 2000, 2000]))]);
    for (const p of PARCELS) {
      await db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, recorded_on, approval_no, geom)
         SELECT $1, $2, '测试地块', $3, '工业', ST_Area(g::geography), '可供应', '测试局', '2021-05-01', '豫政土〔2020〕7号', g
           FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4490)) AS g) s`,
        [p.code, COUNTY, p.category, JSON.stringify(rect(p.box))],
      );
    }
    app = await buildApp({ db });
    planner = await signInAs(app, db, 'planner', '供地科张三');
    enterprise = await signInAs(app, db, 'enterprise', '某企业');
    soldEventId = await record('W-SOLD', {
      kind: 'supply',
      eventDate: '2024-05-06',
      docNo: '汴自然资供〔2024〕5号',
      details: { method: '出让', contractNo: 'HT-2024-005', landUser: '开封某机械有限公司', priceWan: 1280 },
    });
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports the provincial layout, read back by GDAL: every parcel’s state and latest change, every event as recorded', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/stock-ledger/export.xlsx', headers: as(planner) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const file = join(dir, 'export.xlsx');
    writeFileSync(file, res.rawPayload);
    const { stdout } = await run('ogrinfo', ['-ro', '-q', file]);
    for (const sheet of ['台账', '变动记录', '说明']) expect(stdout).toContain(sheet);

    const parcels = await gdalRows(file, '台账');
    expect(parcels.map((p) => p['地块编号'])).toEqual(PARCELS.map((p) => p.code).sort());
    const sold = parcels.find((p) => p['地块编号'] === 'W-SOLD')!;
    expect(sold).toMatchObject({ 行政区划代码: COUNTY, '县（市、区）': '测试县', 存量类型: '批而未供', 当前状态: '已供应', 最近变动: '供应', 最近变动日期: '2024-05-06' });
    expect(sold).toMatchObject({ 供应方式: '出让', 合同编号: 'HT-2024-005', 用地单位: '开封某机械有限公司', 入库日期: '2021-05-01', 批准文号: '豫政土〔2020〕7号' });
    expect(Number(sold['成交价（万元）'])).toBe(1280);
    expect(Number(sold['面积（亩）'])).toBeCloseTo((areaOf(rect(PARCELS[0]!.box)) * 15) / 10_000, 2);
    expect(parcels.find((p) => p['地块编号'] === 'W-NEW')).toMatchObject({ 当前状态: '可供应', 最近变动: '' });

    const events = await gdalRows(file, '变动记录');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ 记录号: String(soldEventId), 地块编号: 'W-SOLD', 变动类型: '供应', 变动日期: '2024-05-06', 文号: '汴自然资供〔2024〕5号', 变动前状态: '可供应', 变动后状态: '已供应', 登记人: '供地科张三' });

    // the year filters the events only
    const other = await app.inject({ method: 'GET', url: '/api/stock-ledger/export.xlsx?year=2025', headers: as(planner) });
    writeFileSync(join(dir, 'y2025.xlsx'), other.rawPayload);
    // (a sheet of its header alone: GDAL reads that one row as data)
    expect((await gdalRows(join(dir, 'y2025.xlsx'), '变动记录')).filter((r) => Object.values(r).includes('W-SOLD'))).toHaveLength(0);
    expect(await gdalRows(join(dir, 'y2025.xlsx'), '台账')).toHaveLength(PARCELS.length);
  });

  it('tries a workbook first: rows in the ledger left alone, altered ones refused, new ones checked in date order, nothing written', async () => {
    const before = await eventCount();
    const book = await gdalWorkbook(dir, [
      // row 2: the supply as the ledger has it
      { 记录号: String(soldEventId), 地块编号: 'W-SOLD', 变动类型: '供应', 变动日期: '2024-05-06', 文号: '汴自然资供〔2024〕5号' },
      // row 3: the same record with another document number
      { 记录号: String(soldEventId), 地块编号: 'W-SOLD', 变动类型: '供应', 变动日期: '2024-05-06', 文号: '改过的文号' },
      // row 4: W-LATER supplied after (row 5) its reservation, which the file lists after it
      { 地块编号: 'W-LATER', 变动类型: '供应', 变动日期: '2025-09-01', 文号: '供〔2025〕9号', 供应或处置方式: '出让', 合同编号: 'HT-9', 用地单位: '某公司', '成交价（万元）': '860' },
      { 地块编号: 'W-LATER', 变动类型: '意向', 变动日期: '2025-03-01', 文号: '意向〔2025〕1号', 意向企业: '某公司' },
      // row 6: a supply without its price
      { 地块编号: 'W-NEW', 变动类型: '供应', 变动日期: '2025-04-01', 文号: '供〔2025〕4号', 供应或处置方式: '出让', 合同编号: 'HT-4', 用地单位: '某厂' },
      // row 7: an allocation needs no price
      { 地块编号: 'W-NEW', 变动类型: '供应', 变动日期: '2025-04-02', 文号: '供〔2025〕5号', 供应或处置方式: '划拨', 合同编号: 'HB-5', 用地单位: '某学校' },
      // row 8: W-NEW again, after row 7 has supplied it
      { 地块编号: 'W-NEW', 变动类型: '供应', 变动日期: '2025-06-01', 文号: '供〔2025〕6号', 供应或处置方式: '划拨', 合同编号: 'HB-6', 用地单位: '某学校' },
      // row 9: an unknown parcel; row 10: a split; row 11: a disposal without method; row 12: a disposal
      { 地块编号: 'NO-SUCH', 变动类型: '意向', 变动日期: '2025-03-01', 文号: 'x', 意向企业: '某公司' },
      { 地块编号: 'W-IDLE', 变动类型: '分割', 变动日期: '2025-03-01', 文号: 'x' },
      { 地块编号: 'W-IDLE', 变动类型: '闲置土地处置', 变动日期: '2025-03-01', 文号: '闲〔2025〕1号' },
      { 地块编号: 'W-IDLE', 变动类型: '闲置土地处置', 变动日期: '2025年3月2日', 文号: '闲〔2025〕2号', 供应或处置方式: '动工开发' },
    ]);
    const job = await upload(book);
    expect(job.phase, JSON.stringify(job.error)).toBe('ready');
    const r = job.report!;
    expect(r).toMatchObject({ dryRun: true, rows: 11, recorded: 1, ok: 4, invalid: 6, written: 0 });
    const at = (row: number) => r.items.find((i) => i.row === row)!;
    expect(at(3)).toMatchObject({ status: 'invalid' });
    expect(at(3).reasonZh).toContain('台账记录只增不改');
    expect(at(4)).toMatchObject({ status: 'ok', kind: 'supply', eventDate: '2025-09-01' });
    expect(at(5)).toMatchObject({ status: 'ok', kind: 'intent' });
    expect(at(6).reasonZh).toContain('成交价');
    expect(at(7)).toMatchObject({ status: 'ok', kind: 'supply' });
    expect(at(8).reasonZh).toContain('已经供应，不能再次供应');
    expect(at(9).reasonZh).toContain('NO-SUCH');
    expect(at(10).reasonZh).toContain('分割、合并须在地图上编辑');
    expect(at(11).reasonZh).toContain('处置方式');
    expect(at(12)).toMatchObject({ status: 'ok', kind: 'dispose', eventDate: '2025-03-02' });
    expect(r.items.find((i) => i.row === 2)).toBeUndefined();
    // a trial writes nothing
    expect(await eventCount()).toBe(before);
    expect(await status('W-LATER')).toBe('可供应');

    // the commit records the checked rows, in date order
    const commit = await app.inject({ method: 'POST', url: `/api/stock-ledger/import/${job.jobId}/commit`, headers: as(planner) });
    expect(commit.statusCode, commit.body).toBe(202);
    const done = await follow(LedgerImportAccepted.parse(commit.json()).statusUrl);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(done.report).toMatchObject({ dryRun: false, written: 4 });
    expect(await eventCount()).toBe(before + 4);
    const later = await db.query<{ kind: string; event_date: string; actor_name: string }>(
      `SELECT kind, event_date::text AS event_date, actor_name FROM stock_event WHERE parcel_code = 'W-LATER' ORDER BY id`,
    );
    expect(later).toEqual([
      { kind: 'intent', event_date: '2025-03-01', actor_name: '供地科张三' },
      { kind: 'supply', event_date: '2025-09-01', actor_name: '供地科张三' },
    ]);
    expect(await status('W-LATER')).toBe('已供应');
    expect(await status('W-NEW')).toBe('已供应');
    expect(await status('W-IDLE')).toBe('已盘活');
    const audit = await db.query<{ target: string }>(`SELECT target FROM audit_log WHERE action = 'ledger-import'`);
    expect(audit).toEqual([{ target: '台账.xlsx' }]);
    // a finished job cannot be committed again
    expect((await app.inject({ method: 'POST', url: `/api/stock-ledger/import/${job.jobId}/commit`, headers: as(planner) })).statusCode).toBe(409);
  });

  it('fails a commit the ledger has moved under since the trial, naming the row, and records nothing', async () => {
    await db.query(
      `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, recorded_on, geom)
       SELECT 'W-RACE', $1, '测试地块', '批而未供', '工业', ST_Area(g::geography), '可供应', '测试局', '2021-05-01', g
         FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4490)) AS g) s`,
      [COUNTY, JSON.stringify(rect([1000, 1000, 100, 100]))],
    );
    const book = await gdalWorkbook(dir, [
      { 地块编号: 'W-RACE', 变动类型: '意向', 变动日期: '2025-10-01', 文号: '意向〔2025〕7号', 意向企业: '甲公司' },
      { 地块编号: 'W-RACE', 变动类型: '撤回意向', 变动日期: '2025-10-02', 文号: '意向〔2025〕7号' },
    ]);
    const job = await upload(book, '', 'en');
    expect(job.report).toMatchObject({ ok: 2, invalid: 0 });
    // meanwhile the parcel is supplied from its page
    await record('W-RACE', { kind: 'supply', eventDate: '2025-11-01', docNo: '供〔2025〕11号', details: { method: '划拨', contractNo: 'HB-11', landUser: '某医院' } });
    const before = await eventCount();
    const commit = await app.inject({ method: 'POST', url: `/api/stock-ledger/import/${job.jobId}/commit`, headers: as(planner) });
    expect(commit.statusCode).toBe(202);
    const failed = await follow(LedgerImportAccepted.parse(commit.json()).statusUrl, 'en');
    expect(failed.phase).toBe('failed');
    expect(failed.error!.message).toMatch(/^Row 2 cannot be recorded now/);
    expect(await eventCount()).toBe(before);
    expect(await status('W-RACE')).toBe('已供应');
  });

  it('refuses a workbook without the ledger’s sheet or not a workbook at all, and anyone but land-supply staff', async () => {
    const wrong = await upload(await gdalWorkbook(dir, [{ 地块编号: 'W-NEW' }], 'Sheet1'));
    expect(wrong.phase).toBe('failed');
    expect(wrong.error!.message).toContain('没有“变动记录”表');
    const text = await upload(Buffer.from('not a workbook'));
    expect(text.phase).toBe('failed');
    expect(text.error!.message).toContain('不是可读的 Excel 工作簿');
    expect((await app.inject({ method: 'GET', url: '/api/stock-ledger/export.xlsx', headers: as(enterprise) })).statusCode).toBe(403);
    expect([401, 403]).toContain((await app.inject({ method: 'GET', url: '/api/stock-ledger/export.xlsx' })).statusCode);
    const body = multipart([{ field: 'file', filename: 'a.xlsx', content: Buffer.from('x') }]);
    const ent = await app.inject({ method: 'POST', url: '/api/stock-ledger/import', payload: body.payload, headers: { ...body.headers, ...as(enterprise) } });
    expect(ent.statusCode).toBe(403);
  });
});
