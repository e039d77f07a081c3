/**
 * Every kind of layer goes through the one import pipeline, on a private seeded database of the
 * suite's backend: the stock-land library from a bureau's ledger (a GBK Shapefile in GK zone 38
 * written by GDAL — tests/fixtures/layer-import/make.sh) with its Chinese field names mapped to
 * the ledger's columns, values outside the vocabulary refused by row, the field it does not keep
 * named; and the counties themselves, replaced and restored. Each is then served (the parcel's
 * page, the counties' tiles) and restored to exactly what was there.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LayerJob } from '../../core/contracts/layer-admin.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/layer-import/${name}`, import.meta.url));

function multipart(filename: string, content: Buffer | string) {
  const boundary = '----yizhangtu-kinds-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe(`importing the stock-land library and the counties (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;

  const until = async (id: string, phases: string[]) => {
    for (let i = 0; i < 3000; i++) {
      const res = await app.inject({ method: 'GET', url: `/api/admin/layer-jobs/${id}` });
      const j = LayerJob.parse(res.json());
      if (phases.includes(j.phase)) return j;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`job ${id} never reached ${phases.join('/')}`);
  };
  const importFile = async (layer: string, name: string, content: Buffer | string) => {
    const res = await app.inject({ method: 'POST', url: `/api/admin/layers/${layer}/imports`, ...multipart(name, content) });
    expect(res.statusCode, res.body).toBe(202);
    const ready = await until(res.json().jobId, ['ready', 'failed']);
    expect(ready.phase, JSON.stringify(ready.error)).toBe('ready');
    return ready;
  };
  const commit = async (id: string) => {
    const res = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${id}/commit`, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const done = await until(id, ['done', 'failed']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    return done;
  };
  const restore = async (layer: string, versionNo: number) => {
    const res = await app.inject({ method: 'POST', url: `/api/admin/layers/${layer}/versions/${versionNo}/restore`, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const done = await until(res.json().jobId, ['done', 'failed']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
  };
  const fingerprint = async (table: string) =>
    (await db.query<{ n: number; fp: string }>(`SELECT count(*)::int AS n, md5(string_agg(to_jsonb(t)::text, ',' ORDER BY t.id)) AS fp FROM ${table} t`))[0]!;

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db, layerJobs: { pollMs: 50 } });
    await actAs(app, db, 'admin', '测试管理员');
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('lists the stock-land library and the counties among the importable layers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/admin/layers' });
    const ids = (res.json().layers as { layer: string }[]).map((l) => l.layer);
    expect(ids).toEqual(expect.arrayContaining(['stock-parcel', 'admin-county', 'permanent-farmland', 'eco-redline']));
  });

  it('maps a ledger’s Chinese fields to the stock-land columns, refuses values outside the vocabulary, and names the field it does not keep', async () => {
    const before = await fingerprint('stock_parcel');
    const ready = await importFile('stock-parcel', '存量土地台账.zip', fixture('stock-ledger.zip'));
    const s = ready.summary!;
    expect(s.detected.format).toBe('shapefile');
    expect(s.detected.crs).toBe('EPSG:4526');
    expect(s.detected.encoding).toBe('gbk');
    expect(s.rows).toBe(4);
    expect(s.fields).toMatchObject({
      code: '地块编号',
      name: '地块名称',
      category: '存量类型',
      four_un_stage: '四未阶段',
      planned_use: '规划用途',
      plot_ratio_min: '容积率下限',
      plot_ratio_max: '容积率上限',
      approval_no: '批准文号',
      approval_date: '批准日期',
      status: '供应状态',
      ref_price: '参考价格',
      zone_name: '所在园区',
      contact_dept: '联系部门',
    });
    expect(s.unmappedFields).toEqual(['备注']);
    expect(s.featureCount).toBe(2);
    const reasons = Object.fromEntries(s.problems.map((p) => [p.code, p.reasons.map((r) => r.code)]));
    expect(reasons, JSON.stringify(s.problems)).toEqual({ 'WS-2026-003': ['FIELD_VALUE_NOT_ALLOWED'], 'WS-2026-004': ['FIELD_MISSING'] });
    expect(s.problems[0]!.reasons[0]!.zh).toBe('存量类型“其他”不是可用的值（批而未供、闲置土地、低效用地）');
    expect(s.problems[1]!.reasons[0]!.zh).toBe('缺少规划用途');
    // 0.002° squares at 34.4°N, two kept: 221.9 m of latitude × 183.7 m of longitude ≈ 40 770 m² each
    // (after a round trip through GK zone 38, so not to the square metre)
    expect(s.area.m2 / 2).toBeGreaterThan(40_600);
    expect(s.area.m2 / 2).toBeLessThan(40_950);
    expect(await fingerprint('stock_parcel')).toEqual(before); // the check wrote nothing

    await commit(ready.jobId);
    const page = await app.inject({ method: 'GET', url: '/api/stock-parcels/WS-2026-001' });
    expect(page.statusCode, page.body).toBe(200);
    const p = page.json();
    expect(JSON.stringify(p)).toContain('汴政土〔2021〕12号');
    expect(JSON.stringify(p)).toContain('2021-03-05');
    expect(JSON.stringify(p)).toContain('尉氏县产业集聚区');
    const rows = await db.query<{ code: string; county_code: string; category: string; planned_use: string; plot_ratio_max: number; status: string; ref_price: number | null }>(
      'SELECT code, county_code, category, planned_use, plot_ratio_max, status, ref_price FROM stock_parcel ORDER BY code',
    );
    expect(rows).toEqual([
      { code: 'WS-2026-001', county_code: '410223', category: '批而未供', planned_use: '工业', plot_ratio_max: 2.5, status: '可供应', ref_price: 18.5 },
      { code: 'WS-2026-002', county_code: '410223', category: '闲置土地', planned_use: '商业', plot_ratio_max: 3, status: '已意向', ref_price: null },
    ]);
    // the derived standing follows the new parcels
    const [standing] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_standing s JOIN stock_parcel p ON p.id = s.parcel_id');
    expect(standing!.n).toBe(2);

    await restore('stock-parcel', 1);
    expect(await fingerprint('stock_parcel')).toEqual(before);
  });

  it('replaces the counties from a file with division codes, and restores them', async () => {
    const before = await fingerprint('admin_county');
    const counties = await db.query<{ code: string; name: string; g: string }>('SELECT code, name, ST_AsGeoJSON(geom, 9) AS g FROM admin_county ORDER BY code');
    const fc = {
      type: 'FeatureCollection',
      features: [
        ...counties.map((c) => ({ type: 'Feature', properties: { XZQDM: c.code, XZQMC: c.name, JB: c.code === '410223' || c.code === '410221' || c.code === '410225' ? '县' : '市辖区' }, geometry: JSON.parse(c.g) })),
        { type: 'Feature', properties: { XZQDM: '41022', XZQMC: '代码错误' }, geometry: JSON.parse(counties[0]!.g) },
      ],
    };
    const ready = await importFile('admin-county', '县级行政区.geojson', JSON.stringify(fc));
    const s = ready.summary!;
    expect(s.fields).toMatchObject({ code: 'XZQDM', name: 'XZQMC', level: 'JB' });
    expect(s.featureCount).toBe(counties.length);
    expect(s.problems.map((p) => [p.row, p.reasons.map((r) => r.code)])).toEqual([[counties.length + 1, ['CODE_NOT_DIVISION']]]);
    await commit(ready.jobId);
    const served = await db.query<{ code: string; name: string }>('SELECT code, name FROM admin_county ORDER BY code');
    expect(served).toEqual(counties.map((c) => ({ code: c.code, name: c.name })));
    const tile = await app.inject({ method: 'GET', url: '/tiles/admin-county/8/210/102.mvt' });
    expect(tile.statusCode).toBeLessThan(300);
    await restore('admin-county', 1);
    expect(await fingerprint('admin_county')).toEqual(before);
  });
});
