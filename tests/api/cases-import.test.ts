/**
 * Batch import of detection polygons (POST /api/cases/import) on the hand-made world of
 * tests/fixtures/cases/world.ts in a fresh database of the suite's backend: the dry-run
 * report by row (valid, invalid with the reason, duplicates with the share and the case or
 * row they repeat), the commit in one transaction with the overlaps computed, progress, and
 * a zipped Shapefile (GDAL's, of the cases exported) read back.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { actAs } from '../helpers/session.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseDetail, CaseImportAccepted, CaseImportJob, type CaseImportReport } from '../../core/contracts/cases.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { LAT0, LON0, areaOf, insertWorld, rect, type Poly } from '../fixtures/cases/world.ts';

/** Runs a GDAL tool; a missing one fails the test naming what to install. */
async function gdal(tool: 'ogr2ogr', args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)(tool, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is not installed: this test needs GDAL (apt-get install gdal-bin, as .ci/run does)`);
    throw e;
  }
}

/** A multipart/form-data body with one file in the field `file`. */
function multipart(filename: string, content: Buffer | string, field = 'file') {
  const boundary = '----yizhangtu-cases-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const feature = (geometry: object, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties, geometry });

// world: C1 x 6200–6300 y 200–333.3 (20 亩), C2 x 6600–6700 y 200–226.7 (4 亩), on GF-C x 6100–7100 y 100–1100
const ROW1 = rect([6500, 600, 100, 100]);
const bowtie = (): Poly => {
  const [a, b, c, d] = rect([7300, 500, 100, 100]).coordinates[0]!;
  return { type: 'Polygon', coordinates: [[a!, c!, b!, d!, a!]] };
};
const holeOutside = (): Poly => ({ type: 'Polygon', coordinates: [rect([7600, 500, 100, 100]).coordinates[0]!, [...rect([7800, 500, 50, 50]).coordinates[0]!].reverse()] });

const FILE = {
  type: 'FeatureCollection',
  features: [
    feature(ROW1, { code: 'IMP-001', 来源: '巡查', 发现日期: '2025/7/15' }), // 1 ok
    feature(rect([6210, 200, 100, 20 * (10_000 / 15) / 100])), // 2 ≈ C1 shifted 10 m: 90 % of it
    feature(bowtie()), // 3 self-intersection
    feature(rect([6505, 605, 100, 100])), // 4 ≈ row 1 shifted 5 m: 90 % of it
    feature(rect([9500, 500, 100, 100])), // 5 east of the last county
    feature(rect([7500, 500, 50, 50]), { source: '卫星' }), // 6 unknown source
    feature(rect([6670, 200, 100, 4 * (10_000 / 15) / 100])), // 7 30 % of C2
    feature(holeOutside()), // 8 a hole outside its shell: valid in Node's eyes, not in GEOS's
    feature(rect([7700, 800, 50, 50]), { JCRQ: '2025-13-40' }), // 9 not a date
    feature(rect([8000, 500, 50, 50]), { 图斑编号: 'C1' }), // 10 the code of an existing case
    feature({ type: 'Point', coordinates: [LON0 + 0.08, LAT0 + 0.005] }), // not a polygon: skipped, not numbered
  ],
};

describe(`batch import of detection polygons (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await insertWorld(db);
    app = await buildApp({ db });
    await actAs(app, db, 'auditor', '测试核查员');
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  /** Posts a file, follows the job to its end, and returns the phases seen and the finished job. */
  async function importFile(qs: string, filename = 'detections.geojson', content: Buffer | string = JSON.stringify(FILE)) {
    const res = await app.inject({ method: 'POST', url: `/api/cases/import?${qs}`, ...multipart(filename, content) });
    expect(res.statusCode, res.body).toBe(202);
    const accepted = CaseImportAccepted.parse(res.json());
    const phases: string[] = [];
    for (;;) {
      const s = await app.inject({ method: 'GET', url: accepted.statusUrl });
      expect(s.statusCode, s.body).toBe(200);
      const job = CaseImportJob.parse(s.json());
      if (phases.at(-1) !== job.phase) phases.push(job.phase);
      expect(job.progress).toBeGreaterThanOrEqual(0);
      expect(job.progress).toBeLessThanOrEqual(1);
      if (job.phase === 'done' || job.phase === 'failed') return { accepted, job, phases };
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const row = (r: CaseImportReport, n: number) => r.rows.find((x) => x.row === n)!;
  const codes = (r: CaseImportReport, n: number) => row(r, n).reasons.map((x) => x.code);
  const caseCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment'))[0]!.n;

  it('tries a file first and reports every row: valid, invalid with the reason, duplicates with the share', async () => {
    const before = await caseCount();
    const { job, accepted } = await importFile('detectedOn=2025-08-01');
    expect(accepted).toMatchObject({ dryRun: true, total: 10 });
    expect(job.phase, JSON.stringify(job.error)).toBe('done');
    expect(job.progress).toBe(1);
    const r = job.report!;
    expect(r.dryRun).toBe(true);
    expect(r.counts).toEqual({ rows: 10, ok: 2, invalid: 6, duplicate: 2, created: 0, duplicatesIncluded: 0 });
    expect(r.rows.map((x) => x.status)).toEqual(['ok', 'duplicate', 'invalid', 'duplicate', 'invalid', 'invalid', 'ok', 'invalid', 'invalid', 'invalid']);
    expect(row(r, 1)).toMatchObject({ code: 'IMP-001', countyCode: '410223', source: '巡查', detectedOn: '2025-07-15', created: false, caseId: null });
    expect(row(r, 1).area!.m2).toBeCloseTo(areaOf(ROW1), 6);
    expect(row(r, 2)).toMatchObject({ code: null, source: '卫片', detectedOn: '2025-08-01' });
    // the preview names the county, and says a row took the chosen default date
    expect(row(r, 1).countyName).toBe('尉氏县');
    expect(row(r, 1).notes).toEqual([]);
    expect(row(r, 2).notes).toEqual([{ code: 'DATE_DEFAULTED', zh: '文件中没有发现日期：按所选的缺省发现日期 2025-08-01 记录', en: expect.stringContaining('default date 2025-08-01') }]);
    expect(row(r, 2).duplicateOf).toHaveLength(1);
    expect(row(r, 2).duplicateOf[0]).toMatchObject({ caseCode: 'C1', row: null });
    expect(row(r, 2).duplicateOf[0]!.share).toBeCloseTo(0.9, 3);
    expect(row(r, 2).reasons[0]!.zh).toBe('与已有图斑 C1 重叠 90.0%（超过 50.0%）');
    expect(codes(r, 3)).toEqual(['SELF_INTERSECTION']);
    expect(row(r, 4).duplicateOf).toEqual([{ caseCode: null, caseId: null, row: 1, share: expect.closeTo(0.9025, 3) }]);
    expect(row(r, 4).reasons[0]!.zh).toContain('与第 1 行重叠');
    expect(codes(r, 5)).toEqual(['OUTSIDE_COUNTIES']);
    expect(codes(r, 6)).toEqual(['SOURCE_INVALID']);
    expect(row(r, 6).reasons[0]!.zh).toContain('卫星');
    expect(row(r, 7).duplicateOf).toEqual([]); // 30 % is under the default 50 %
    expect(codes(r, 8)).toEqual(['INVALID_GEOMETRY']);
    expect(row(r, 8).reasons[0]!.en).toMatch(/hole/i);
    expect(codes(r, 9)).toEqual(['DATE_INVALID']);
    expect(codes(r, 10)).toEqual(['CODE_EXISTS']);
    expect(r.warnings.map((w) => w.code)).toContain('SKIPPED_NON_POLYGON');
    expect(await caseCount()).toBe(before);
  });

  it('takes the duplicate share from the request', async () => {
    const { job } = await importFile('duplicateShare=0.25&detectedOn=2025-08-01');
    const r7 = row(job.report!, 7);
    expect(r7.status).toBe('duplicate');
    expect(r7.duplicateOf[0]).toMatchObject({ caseCode: 'C2' });
    expect(r7.duplicateOf[0]!.share).toBeCloseTo(0.3, 3);
  });

  it('commits the valid rows and the duplicates asked for in one go, with codes, overlaps and the batch recorded', async () => {
    const before = await caseCount();
    const { job, phases } = await importFile(`dryRun=false&includeDuplicates=2&detectedOn=2025-08-01`);
    expect(job.phase, JSON.stringify(job.error)).toBe('done');
    expect(phases.at(-1)).toBe('done');
    const r = job.report!;
    expect(r.counts).toMatchObject({ rows: 10, ok: 2, duplicate: 2, created: 3, duplicatesIncluded: 1 });
    expect(r.rows.filter((x) => x.created).map((x) => [x.row, x.code])).toEqual([
      [1, 'IMP-001'],
      [2, 'WP2025410223-00001'],
      [7, 'WP2025410223-00002'],
    ]);
    expect(row(r, 4).created).toBe(false);
    expect(await caseCount()).toBe(before + 3);
    const [batch] = await db.query<{ actor: string; rows: number; created: number; file_name: string }>('SELECT actor, rows, created, file_name FROM case_import WHERE id = $1', [r.importId]);
    expect(batch).toEqual({ actor: '测试核查员', rows: 10, created: 3, file_name: 'detections.geojson' });
    // the overlaps are there at once, by the same engine as every other case
    const res = await app.inject({ method: 'GET', url: `/api/cases/${row(r, 1).caseId}` });
    const c = CaseDetail.parse(res.json());
    expect(c).toMatchObject({ code: 'IMP-001', status: '待核查', source: '巡查', detectedOn: '2025-07-15', countyName: '尉氏县', importId: r.importId, version: 1 });
    expect(c.overlaps.generalFarmland.m2 / areaOf(ROW1)).toBeCloseTo(1, 9);
    expect(c.overlapFeatures.map((f) => f.featureCode)).toEqual(['GF-C']);
    // the same file again: row 1 is now a repeat of the case it created
    const again = await importFile('');
    expect(codes(again.job.report!, 1)).toEqual(['CODE_EXISTS', 'DUPLICATE_OF_CASE']);
    expect(row(again.job.report!, 1).duplicateOf[0]).toMatchObject({ caseCode: 'IMP-001', share: 1 });
  });

  it('reads a zipped Shapefile like the site check does: GDAL’s Shapefile of the export comes back as duplicates of its own cases', async () => {
    // the cases as GeoJSON, written as a GBK Shapefile by ogr2ogr (field names within the .dbf's 10 bytes)
    const exported = await app.inject({ method: 'GET', url: '/api/cases/export.geojson?county=410223&sort=code' });
    expect(exported.statusCode).toBe(200);
    const n = Number(exported.headers['x-total-count']);
    const layer = (exported.json() as { name: string }).name;
    const dir = mkdtempSync(join(tmpdir(), 'yzt-cases-shp-'));
    let zipped: Buffer;
    try {
      writeFileSync(join(dir, 'cases.geojson'), exported.rawPayload);
      await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=CP936', '-nln', '图斑', '-sql', `SELECT code, source, detected_on AS detected FROM "${layer}"`, join(dir, '图斑.shp'), join(dir, 'cases.geojson')]);
      const zip = new JSZip();
      for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) zip.file(`图斑.${ext}`, readFileSync(join(dir, `图斑.${ext}`)));
      zipped = Buffer.from(await zip.generateAsync({ type: 'uint8array' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { job } = await importFile('', '尉氏县图斑.zip', zipped);
    const r = job.report!;
    expect(r.detected).toMatchObject({ format: 'shapefile', crs: 'EPSG:4490', encoding: 'gbk' });
    expect(r.counts.rows).toBe(n);
    for (const x of r.rows) {
      expect(x.status).toBe('invalid'); // its codes exist already …
      expect(x.reasons[0]!.code).toBe('CODE_EXISTS');
      // … and each repeats the case it came from (C1 and the row imported as its near-copy repeat each other too)
      expect(x.duplicateOf.find((d) => d.caseCode === x.code)!.share).toBeCloseTo(1, 4); // exported at 1e-9°
      expect(x.detectedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(r.rows.find((x) => x.code === 'IMP-001')!.detectedOn).toBe('2025-07-15');
  });

  it('never dates a row without a date as today: with no default date chosen, such a row is invalid and says why', async () => {
    const dated = feature(rect([8000, 500, 50, 50]), { code: 'ND-001', 发现日期: '2025-07-15' });
    const undated = feature(rect([8200, 500, 50, 50]), { code: 'ND-002' });
    const content = JSON.stringify({ type: 'FeatureCollection', features: [dated, undated] });
    const { job } = await importFile('', 'no-dates.geojson', content);
    const r = job.report!;
    expect(row(r, 1)).toMatchObject({ status: 'ok', detectedOn: '2025-07-15' });
    expect(row(r, 2)).toMatchObject({ status: 'invalid', detectedOn: null });
    expect(codes(r, 2)).toEqual(['DATE_MISSING']);
    expect(row(r, 2).reasons[0]!.zh).toContain('没有发现日期');
    expect(row(r, 2).reasons[0]!.zh).toContain('缺省发现日期');
    // committed without a default date: the dateless row is not written (nor dated today)
    const before = await caseCount();
    const { job: commit } = await importFile('dryRun=false', 'no-dates.geojson', content);
    expect(commit.report!.counts).toMatchObject({ created: 1, invalid: 1 });
    expect(await caseCount()).toBe(before + 1);
    const [stored] = await db.query<{ detected_on: string }>(`SELECT detected_on::text FROM encroachment WHERE code = 'ND-001'`);
    expect(stored!.detected_on).toBe('2025-07-15');
    expect(await db.query(`SELECT 1 FROM encroachment WHERE code = 'ND-002'`)).toEqual([]);
  });

  it('refuses what it cannot import with the reason, naming the field', async () => {
    const post = (qs: string, body: { payload: Buffer; headers: Record<string, string> }) =>
      app.inject({ method: 'POST', url: `/api/cases/import?${qs}`, ...body });
    const beyond = await post('includeDuplicates=3,99', multipart('a.geojson', JSON.stringify(FILE)));
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().error.message).toContain('第 99 行不存在');
    const share = await post('duplicateShare=1.5', multipart('a.geojson', JSON.stringify(FILE)));
    expect(share.statusCode).toBe(400);
    expect(share.json().error.message).toContain('重复阈值');
    const text = await post('', multipart('界址点.txt', '114.5,34.6\n114.51,34.6\n114.51,34.61\n'));
    expect(text.statusCode).toBe(422);
    expect(text.json().error.code).toBe('UNSUPPORTED_FORMAT');
    const broken = await post('', multipart('a.geojson', '{"type": "FeatureCollection", "features": ['));
    expect(broken.statusCode).toBe(422);
    expect(broken.json().error.message).toContain('文件无法导入');
    // a Xi'an 1980 file (made by GDAL) without shift parameters: refused naming the datum and what to do
    const xian80 = readFileSync(new URL('../fixtures/crs/geojson/epsg-2362.geojson', import.meta.url));
    const local = await post('', multipart('xian80.geojson', xian80));
    expect(local.statusCode).toBe(422);
    expect(local.json().error.code).toBe('DATUM_NEEDS_TRANSFORM');
    expect(local.json().error.message).toContain('1980 西安坐标系');
    expect(local.json().error.message).toContain('DATUM_TRANSFORMS');
    expect(local.json().error.message).not.toContain('acceptApproximateDatum=true');
    const badAccept = await post('acceptApproximateDatum=yes', multipart('xian80.geojson', xian80));
    expect(badAccept.statusCode).toBe(400);
    // an import is placed exactly or not at all: no approximate placement
    const accepted = await post('acceptApproximateDatum=true', multipart('xian80.geojson', xian80));
    expect(accepted.statusCode).toBe(400);
    expect(accepted.json().error.code).toBe('APPROXIMATE_NOT_FOR_IMPORT');
    expect(accepted.json().error.message).toContain('不接受近似放置');
    const wrongField = await post('', multipart('a.geojson', JSON.stringify(FILE), 'upload'));
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().error.message).toContain('文件字段名应为 file');
    const notMultipart = await app.inject({ method: 'POST', url: '/api/cases/import', payload: FILE });
    expect(notMultipart.statusCode).toBe(415);
    const unknown = await app.inject({ method: 'GET', url: '/api/cases/import/00000000-0000-0000-0000-000000000000' });
    expect(unknown.statusCode).toBe(404);
  });
});
