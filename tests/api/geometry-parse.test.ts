/**
 * `POST /api/geometry/parse` on a minimal app (the same compilers and error handler as
 * buildApp, plus the geometry module): uploads, pasted text, overrides, and every
 * refusal answered with a 4xx that names the problem — never a 500.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geometryApp } from '../helpers/geometry-app.ts';
import { ErrorResponse } from '../../core/contracts/common.ts';
import { MAX_SITE_FILE_BYTES, ParseResponse } from '../../core/contracts/geometry.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/parse');
const fixture = (name: string) => readFileSync(join(dir, name));

/** A multipart/form-data body with the given file parts. */
function multipart(parts: { field: string; filename: string; content: Buffer | string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----yizhangtu-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('POST /api/geometry/parse', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await geometryApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const upload = (filename: string, content: Buffer | string, query = '', headers: Record<string, string> = {}) => {
    const body = multipart([{ field: 'file', filename, content }]);
    return app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload: body.payload, headers: { ...body.headers, ...headers } });
  };
  const post = (payload: string | Buffer, contentType: string, query = '', headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload, headers: { 'content-type': contentType, ...headers } });
  const error = (res: { json: () => unknown }) => ErrorResponse.parse(res.json()).error;

  it('reads an uploaded GBK 界址点 file: zone 38, Chinese names, one hole, each parcel validated', async () => {
    const res = await upload('界址点坐标.txt', fixture('boundary-gbk.txt'));
    expect(res.statusCode).toBe(200);
    const body = ParseResponse.parse(res.json());
    expect(body.detected).toEqual({
      format: 'boundary-points',
      crs: 'EPSG:4526',
      zone: 38,
      zoneWidth: 3,
      axisOrder: 'northing-easting',
      encoding: 'gbk',
      datum: 'cgcs2000',
      epsg: 4526,
      crsName: 'CGCS2000 / 3-degree Gauss-Kruger zone 38',
      datumTransform: 'none',
    });
    expect(body.features.features.map((f) => f.properties.name)).toEqual(['开封东区工业地块', '城西示例地块']);
    expect(body.features.features[0]!.geometry.coordinates).toHaveLength(2);
    expect(body.validation).toEqual([{ valid: true, problems: [] }, { valid: true, problems: [] }]);
    expect(body.warnings).toEqual([]);
  });

  it('reads an uploaded zipped Shapefile with GBK attributes', async () => {
    const res = await upload('用地范围.zip', fixture('shapefile-gbk-4526.zip'));
    expect(res.statusCode).toBe(200);
    const body = ParseResponse.parse(res.json());
    expect(body.detected).toMatchObject({ format: 'shapefile', crs: 'EPSG:4526', encoding: 'gbk' });
    expect(body.features.features.map((f) => f.properties['地块名称'])).toEqual(['开封东区工业地块', '城西示例地块', '城北两片地块']);
    expect(body.validation).toHaveLength(3);
  });

  it('reads pasted coordinates as text/plain, lat/lon swapped back with a warning', async () => {
    const res = await post(fixture('coords-swapped.txt'), 'text/plain; charset=utf-8');
    expect(res.statusCode).toBe(200);
    const body = ParseResponse.parse(res.json());
    expect(body.detected).toMatchObject({ format: 'coordinates', crs: 'EPSG:4490', axisOrder: 'northing-easting' });
    expect(body.warnings.map((w) => w.code)).toEqual(['AXES_SWAPPED']);
  });

  it('detects GBK in a text/plain body too', async () => {
    const res = await post(fixture('boundary-gbk.txt'), 'text/plain');
    expect(res.statusCode).toBe(200);
    expect(ParseResponse.parse(res.json()).detected.encoding).toBe('gbk');
  });

  it('reads {"text": …} as JSON', async () => {
    const res = await post(JSON.stringify({ text: fixture('boundary-utf8.txt').toString('utf8') }), 'application/json');
    expect(res.statusCode).toBe(200);
    const body = ParseResponse.parse(res.json());
    expect(body.detected.format).toBe('boundary-points');
    expect(body.features.features[1]!.properties.header_area_ha).toBe(2.1828);
  });

  it('reads pasted text sent as a form field named "text"', async () => {
    const boundary = '----form';
    const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n${fixture('coords-lonlat.txt').toString('utf8')}\r\n--${boundary}--\r\n`);
    const res = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode).toBe(200);
    expect(ParseResponse.parse(res.json()).detected).toMatchObject({ format: 'coordinates', crs: 'EPSG:4490' });
  });

  it('lets the query give the zone, and refuses eastings without prefix or zone naming the choices (no zone is assumed)', async () => {
    const ambiguous = await post(fixture('coords-gk-noprefix.txt'), 'text/plain');
    expect(ambiguous.statusCode).toBe(422);
    expect(error(ambiguous).code).toBe('ZONE_AMBIGUOUS');
    expect(error(ambiguous).message).toContain('3 度带 25–45 带');
    const res = await post(fixture('coords-gk-noprefix.txt'), 'text/plain', '?zone=39&zoneWidth=3');
    const body = ParseResponse.parse(res.json());
    expect(body.detected).toMatchObject({ crs: 'EPSG:4548', zone: 39, zoneWidth: 3 });
    // a zone without a system leaves the datum an assumption; a chosen EPSG code does not
    expect(body.warnings.map((w) => w.code)).toEqual(['CRS_UNDECLARED']);
    // outside Kaifeng now: the validation says where and why
    expect(body.validation[0]!.problems.map((p) => p.code)).toEqual(['OUTSIDE_DATA_EXTENT']);
    const crs = ParseResponse.parse((await post(fixture('coords-gk-noprefix.txt'), 'text/plain', '?crs=EPSG:4547')).json());
    expect(crs.warnings).toEqual([]);
  });

  it('lets the query force the encoding', async () => {
    const res = await upload('用地范围.zip', fixture('shapefile-gbk-4526.zip'), '?encoding=utf-8');
    const body = ParseResponse.parse(res.json());
    expect(body.detected.encoding).toBe('utf-8');
    expect(body.warnings.map((w) => w.code)).toContain('ENCODING_DOUBT');
  });

  it('returns a self-intersecting site with its crossing point in the validation', async () => {
    const res = await post('114.30 34.80\n114.31 34.81\n114.31 34.80\n114.30 34.81\n', 'text/plain');
    expect(res.statusCode).toBe(200);
    const v = ParseResponse.parse(res.json()).validation[0]!;
    expect(v.valid).toBe(false);
    expect(v.problems[0]).toMatchObject({ code: 'SELF_INTERSECTION', location: [114.305, 34.805] });
  });

  it('answers 422 naming the problem, in Chinese or in English', async () => {
    const zh = await upload('道路.geojson', fixture('geojson-lines.geojson'));
    expect(zh.statusCode).toBe(422);
    expect(error(zh)).toEqual({
      code: 'GEOJSON_NOT_POLYGON',
      message: 'GeoJSON 中只有点或线要素（1 个线（LineString）、1 个点（Point）），用地范围须为面（Polygon / MultiPolygon）',
    });
    const en = await upload('道路.geojson', fixture('geojson-lines.geojson'), '', { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' });
    expect(error(en).message).toBe('The GeoJSON holds only points or lines (1 LineString, 1 Point); a site must be a polygon (Polygon / MultiPolygon)');
  });

  it.each([
    ['a zip without .shp', 'site.zip', 'zip', 'ZIP_NO_SHP', '压缩包中没有 .shp 文件；包内文件：说明.txt'],
    ['a 界址点 file without [地块坐标]', '界址点.txt', '[属性描述]\n坐标系=2000国家大地坐标系\n', 'BOUNDARY_NO_SECTION', '界址点文件缺少 [地块坐标] 段'],
    ['a bad coordinate', 'coords.txt', '114.35 34.79\n114.36 34.79\n114.3x 34.80\n', 'COORD_NOT_NUMBER', '第 3 行坐标不是数字：“114.3x”'],
    ['an empty file', 'empty.txt', '', 'EMPTY_INPUT', '文件“empty.txt”是空的'],
    ['a binary file', 'x.bin', Buffer.from([0, 1, 2, 3, 0, 0, 7]), 'UNSUPPORTED_FORMAT', undefined],
    ['a damaged zip', 'a.zip', Buffer.from([0x50, 0x4b, 3, 4, 9, 9, 9]), 'INVALID_ZIP', '“a.zip”不是有效的 ZIP 压缩包（可能已损坏，或是 RAR/7z 格式）'],
    ['a truncated shapefile', 'a.zip', 'truncated-shp', 'SHP_INCONSISTENT', undefined],
  ])('answers 422 for %s', async (_what, filename, content, code, message) => {
    let bytes: Buffer | string = content;
    if (content === 'zip') {
      const zip = new JSZip();
      zip.file('说明.txt', '见附件');
      bytes = Buffer.from(await zip.generateAsync({ type: 'uint8array' }));
    } else if (content === 'truncated-shp') {
      const src = await JSZip.loadAsync(fixture('shapefile-gbk-4526.zip'));
      const zip = new JSZip();
      for (const [n, f] of Object.entries(src.files)) {
        if (f.dir) continue;
        const data = await f.async('uint8array');
        zip.file(n, n.endsWith('.shp') ? data.subarray(0, 180) : data);
      }
      bytes = Buffer.from(await zip.generateAsync({ type: 'uint8array' }));
    }
    const res = await upload(filename, bytes);
    expect(res.statusCode).toBe(422);
    const e = error(res);
    expect(e.code).toBe(code);
    if (message) expect(e.message).toBe(message);
    expect(e.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers 413 for a file over 20 MB', async () => {
    const big = Buffer.alloc(MAX_SITE_FILE_BYTES + 1024, 0x20);
    const res = await upload('big.txt', big);
    expect(res.statusCode).toBe(413);
    expect(error(res)).toEqual({ code: 'FILE_TOO_LARGE', message: '文件过大：最大 20 MB；请删去无关图层或要素后再上传' });
    const text = await post(big, 'text/plain', '', { 'accept-language': 'en' });
    expect(text.statusCode).toBe(413);
    expect(error(text)).toEqual({ code: 'FILE_TOO_LARGE', message: 'The file is too large: at most 20 MB; remove unrelated layers or features and upload again' });
  });

  it('answers 400 for two files, a wrong field name, no content, or a bad JSON body', async () => {
    const two = multipart([
      { field: 'file', filename: 'a.txt', content: fixture('coords-lonlat.txt') },
      { field: 'file', filename: 'b.txt', content: fixture('coords-lonlat.txt') },
    ]);
    const r1 = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload: two.payload, headers: two.headers });
    expect(r1.statusCode).toBe(400);
    expect(error(r1).code).toBe('TOO_MANY_FILES');
    expect(error(r1).message).toContain('一次只能上传一个文件');

    const wrong = multipart([{ field: 'upload', filename: 'a.txt', content: fixture('coords-lonlat.txt') }]);
    const r2 = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload: wrong.payload, headers: wrong.headers });
    expect(r2.statusCode).toBe(400);
    expect(error(r2)).toEqual({ code: 'FILE_FIELD', message: '文件字段名应为 file，收到“upload”' });

    const none = await app.inject({ method: 'POST', url: '/api/geometry/parse' });
    expect(none.statusCode).toBe(400);
    expect(error(none).code).toBe('NO_INPUT');

    const empty = multipart([]);
    const r3 = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload: empty.payload, headers: empty.headers });
    expect(r3.statusCode).toBe(400);
    expect(error(r3).code).toBe('NO_INPUT');

    const json = await post(JSON.stringify({ coordinates: [] }), 'application/json');
    expect(json.statusCode).toBe(400);
    expect(error(json).code).toBe('INVALID_BODY');
  });

  it('answers 400 for bad overrides and 415 for an unsupported content type', async () => {
    const width = await post('114.35 34.79', 'text/plain', '?zoneWidth=5');
    expect(width.statusCode).toBe(400);
    expect(error(width).code).toBe('VALIDATION_FAILED');
    const crs = await post('114.35 34.79', 'text/plain', '?crs=mercator');
    expect(crs.statusCode).toBe(400);
    expect(error(crs).code).toBe('INVALID_OPTION');
    expect(error(crs).message).toContain('不认识的坐标系“mercator”');
    const unknown = await post('114.35 34.79', 'text/plain', '?crs=EPSG:99999');
    expect(unknown.statusCode).toBe(400);
    expect(error(unknown).code).toBe('CRS_UNKNOWN');
    expect(error(unknown).message).toContain('99999');
    const unsupported = await post('114.35 34.79', 'text/plain', '?crs=EPSG:3395');
    expect(unsupported.statusCode).toBe(400);
    expect(error(unsupported).code).toBe('CRS_UNSUPPORTED');
    expect(error(unsupported).message).toContain('WGS 84 / World Mercator');
    const accept = await post('114.35 34.79', 'text/plain', '?acceptApproximateDatum=yes');
    expect(accept.statusCode).toBe(400);
    expect(error(accept).code).toBe('VALIDATION_FAILED');
    const xml = await post('<a/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    expect(error(xml).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('reads a GBK 界址点 file even when its name is Chinese and its text is posted as bytes', async () => {
    const text = iconv.decode(fixture('boundary-gbk.txt'), 'gbk');
    const res = await upload('开封东区.TXT', iconv.encode(text, 'gbk'));
    expect(res.statusCode).toBe(200);
    expect(ParseResponse.parse(res.json()).features.features[0]!.properties.name).toBe('开封东区工业地块');
  });
});
