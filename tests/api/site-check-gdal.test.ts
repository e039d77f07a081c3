/**
 * GDAL reads the site-check exports back (gdal-bin's ogrinfo and ogr2ogr, as CI installs them):
 * the GeoJSON and the Shapefile zip are EPSG:4490, their Chinese names read as the .cpg says,
 * and every coordinate is the report's to the last digit (ogr2ogr writes GeoJSON with 17
 * significant figures). A site from a cs2cs-made 界址点 file (tests/fixtures/provenance) is
 * filed with its provenance, which the GeoJSON carries as a member.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import JSZip from 'jszip';
import { ParseResponse } from '../../core/contracts/geometry.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

const run = promisify(execFile);

/** Runs a GDAL tool; a missing one fails the test naming what to install. */
async function gdal(tool: 'ogrinfo' | 'ogr2ogr', args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${tool} is not installed: these round trips need GDAL (apt-get install gdal-bin, as .ci/run does)`);
    throw new Error(`${tool} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

type Geometry = { type: string; coordinates: unknown };
const polygonsOf = (g: Geometry) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
/** Rings as sets of exact positions (a Shapefile may turn a ring's direction and start). */
const ringKeys = (g: Geometry) => polygonsOf(g).flat().map((r) => r.slice(0, -1).map((p) => `${p[0]},${p[1]}`).sort().join(';')).sort();

const FIX = new URL('../fixtures/provenance/', import.meta.url);

describe(`GDAL reads the site-check exports back (${backend})`, () => {
  let app: FastifyInstance;
  let stop: () => Promise<void>;
  let report: SiteCheckReport;
  let dir: string;

  beforeAll(async () => {
    ({ app, stop } = await startApi());
    dir = mkdtempSync(join(tmpdir(), 'yzt-gdal-'));
    const boundary = '----yizhangtu-gdal';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="site-cgcs2000-zone38.txt"\r\n\r\n`),
      readFileSync(new URL('site-cgcs2000-zone38.txt', FIX)),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode, res.body).toBe(200);
    const parsed = ParseResponse.parse(res.json());
    const [f] = parsed.features.features;
    const filed = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: f!.geometry, name: 'GDAL 往返', use: '工业', stockFirst: { reason: 'other', note: '往返' }, provenance: parsed.provenance },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    report = SiteCheckReport.parse(filed.json());
  });
  afterAll(async () => {
    await stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const download = async (path: string, name: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}/${path}` });
    expect(res.statusCode).toBe(200);
    const file = join(dir, name);
    writeFileSync(file, res.rawPayload);
    return file;
  };

  it('the GeoJSON export: EPSG:4490, the site to the last digit, names in UTF-8, the provenance as a member', async () => {
    const file = await download('export.geojson', 'export.geojson');
    const info = await gdal('ogrinfo', ['-so', '-al', file]);
    expect(info).toMatch(/ID\["EPSG",4490\]\]\s*$/m);
    const back = JSON.parse(await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', file])) as { features: { geometry: Geometry; properties: Record<string, unknown> }[] };
    const site = back.features.find((x) => x.properties.kind === 'site')!;
    expect(site.properties.kind_zh).toBe('选址范围');
    expect(site.geometry).toEqual(report.site.geometry);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { provenance: unknown };
    expect(exported.provenance).toEqual(report.provenance);
  });

  it('the Shapefile zip: every shapefile EPSG:4490, names as the .cpg says, the site to the last digit', async () => {
    const file = await download('export.zip', 'export.zip');
    for (const base of ['site', 'site_trimmed']) {
      const info = await gdal('ogrinfo', ['-so', '-al', `/vsizip/${file}/${base}.shp`]);
      expect(info, base).toMatch(/ID\["EPSG",4490\]\]\s*$/m);
    }
    const features = await gdal('ogrinfo', ['-al', '-q', `/vsizip/${file}/site.shp`]);
    expect(features).toContain('KIND_ZH (String) = 选址范围');
    const back = JSON.parse(await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${file}/site.shp`])) as { features: { geometry: Geometry; properties: Record<string, unknown> }[] };
    expect(back.features).toHaveLength(1);
    expect(back.features[0]!.properties.REPORT_ID).toBe(report.id);
    expect(ringKeys(back.features[0]!.geometry)).toEqual(ringKeys(report.site.geometry));
    // the provenance goes with the shapefiles, in 说明.txt
    const zip = await JSZip.loadAsync(readFileSync(file));
    expect((await zip.file('site.cpg')!.async('string')).trim()).toBe('UTF-8');
    const text = await zip.file('说明.txt')!.async('string');
    expect(text).toContain('原始文件：site-cgcs2000-zone38.txt');
    expect(text).toContain('采用的坐标系：EPSG:4526');
    expect(text).toContain('Original file: site-cgcs2000-zone38.txt');
  });

  it('the GBK Shapefile zip: the .cpg says GBK, GDAL reads the names with SHAPE_ENCODING=CP936, EPSG:4490, the site to the last digit', async () => {
    const file = await download('export.zip?encoding=gbk', 'export-gbk.zip');
    const zip = await JSZip.loadAsync(readFileSync(file));
    expect((await zip.file('site.cpg')!.async('string')).trim()).toBe('GBK');
    const dbf = await zip.file('site.dbf')!.async('uint8array');
    expect(dbf[29]).toBe(0x4d); // language driver: code page 936
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(dbf)).toThrow(); // it really is GBK
    const info = await gdal('ogrinfo', ['-al', '-q', `/vsizip/${file}/site.shp`], { SHAPE_ENCODING: 'CP936' });
    expect(info).toContain('KIND_ZH (String) = 选址范围');
    expect(info).toContain('LAYER_ZH (String) = (null)');
    const srs = await gdal('ogrinfo', ['-so', '-al', `/vsizip/${file}/site.shp`]);
    expect(srs).toMatch(/ID\["EPSG",4490\]\]\s*$/m);
    const back = JSON.parse(await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${file}/site.shp`], { SHAPE_ENCODING: 'CP936' })) as { features: { geometry: Geometry; properties: Record<string, unknown> }[] };
    expect(back.features[0]!.properties.KIND_ZH).toBe('选址范围');
    expect(ringKeys(back.features[0]!.geometry)).toEqual(ringKeys(report.site.geometry));
    // and the trimmed site, whose kind name is the longest
    const hits = JSON.parse(await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${file}/site_trimmed.shp`], { SHAPE_ENCODING: 'CP936' })) as { features: { properties: Record<string, unknown> }[] };
    expect(hits.features[0]!.properties.KIND_ZH).toBe('合规范围（扣除永久基本农田和生态保护红线）');
  });
});
