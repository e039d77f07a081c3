/**
 * Hostile uploads (issue 12, "small uploads freeze everything"): files made by python3, sqlite3 and
 * ogr2ogr (tests/fixtures/hostile/make_bounds.py) — zip bombs, lying Shapefiles, GeoPackage views, sites of
 * tens of thousands of vertices or parts — sent to every upload route and to the site check. Each is
 * refused with a 4xx naming the file's problem; `/api/health` answers while one is being read; an
 * upload finding the parse pool full is answered 503 with Retry-After rather than queued without end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { PARSE_POOLS, parseInPool } from '../../server/src/http/parse-pool.ts';

const DIR = join(import.meta.dirname, '../fixtures/hostile');
const fixture = (name: string) => readFileSync(join(DIR, name));

function multipart(filename: string, content: Uint8Array) {
  const boundary = '----yizhangtu-hostile-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const ROUTES = {
  parse: '/api/geometry/parse',
  cases: '/api/cases/import',
  layer: '/api/admin/layers/permanent-farmland/imports',
} as const;

describe(`hostile uploads (${backend})`, () => {
  let app: FastifyInstance;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, stop } = await startApi({ as: 'admin' }));
  });
  afterAll(async () => stop?.());

  /** An upload as the public (no session) or as the signed-in admin. */
  const upload = (route: keyof typeof ROUTES, file: string, opts: { asPublic?: boolean; lang?: string } = {}) => {
    const m = multipart(file, fixture(file));
    return app.inject({
      method: 'POST',
      url: ROUTES[route],
      payload: m.payload,
      headers: { ...m.headers, ...(opts.asPublic ? { cookie: '' } : {}), ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
    });
  };

  const cases: { file: string; route: keyof typeof ROUTES; code: string; says: string[] }[] = [
    { file: 'zip-bomb-shp.zip', route: 'parse', code: 'ZIP_TOO_LARGE', says: ['压缩包解压后超过 200 MB', 'bomb.shp'] },
    { file: 'zip-bomb-shp.zip', route: 'cases', code: 'ZIP_TOO_LARGE', says: ['解压后超过 200 MB'] },
    { file: 'zip-bomb-lying-sizes.zip', route: 'parse', code: 'ZIP_RATIO', says: ['bomb.shp', '压缩比超过 200:1'] },
    { file: 'zip-1200-entries.zip', route: 'parse', code: 'ZIP_TOO_MANY_ENTRIES', says: ['1200 个文件', '上限 1000'] },
    { file: 'shp-zeros-after-header.zip', route: 'cases', code: 'SHP_INCONSISTENT', says: ['zeros.shp', '长度为 0', '文件头之后是空字节'] },
    { file: 'shp-zeros-after-header.zip', route: 'layer', code: 'SHP_INCONSISTENT', says: ['长度为 0'] },
    { file: 'shp-claims-1gb.zip', route: 'parse', code: 'SHP_INCONSISTENT', says: ['claims.shp', '声明长度 1000000000 字节', '实际只有 236 字节'] },
    { file: 'shp-dbf-claims-3m-records.zip', route: 'layer', code: 'SHP_INCONSISTENT', says: ['.dbf', '3000000 条记录'] },
    { file: 'gpkg-recursive-view.gpkg', route: 'layer', code: 'GPKG_NOT_A_TABLE', says: ['“hostile”', '视图'] },
    { file: 'gpkg-recursive-view.gpkg', route: 'cases', code: 'GPKG_NOT_A_TABLE', says: ['视图'] },
    { file: 'gpkg-blob-view.gpkg', route: 'parse', code: 'GPKG_NOT_A_TABLE', says: ['“hostile”', '视图'] },
  ];
  for (const c of cases) {
    it(`${c.route}: ${c.file} is refused with 422 ${c.code}`, async () => {
      const res = await upload(c.route, c.file, { asPublic: c.route === 'parse' });
      expect(res.statusCode, res.body).toBe(422);
      const { error } = res.json();
      expect(error.code).toBe(c.code);
      for (const s of c.says) expect(error.message).toContain(s);
    });
  }

  it('names the problem in English when asked', async () => {
    const res = await upload('parse', 'zip-bomb-shp.zip', { asPublic: true, lang: 'en' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toContain('inflates to more than 200 MB');
  });

  it('reads a GeoPackage table without its generated column (a 900 MB blob computed on read)', async () => {
    const res = await upload('parse', 'gpkg-generated-column.gpkg', { asPublic: true });
    expect(res.statusCode, res.body).toBe(200);
    const { features } = res.json();
    expect(features.features).toHaveLength(1);
    expect(features.features[0].properties).toMatchObject({ BSM: '1', MC: 'site' });
    expect(features.features[0].properties).not.toHaveProperty('pad');
  });

  it('answers /api/health while a hostile upload is being read', async () => {
    let uploadDone = false;
    const hostile = upload('parse', 'zip-bomb-lying-sizes.zip', { asPublic: true }).then((r) => {
      uploadDone = true;
      return r;
    });
    // the worker inflates the bomb for a while; health is asked in the meantime
    await new Promise((r) => setTimeout(r, 50));
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    const answeredDuringUpload = !uploadDone;
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('ok');
    expect(answeredDuringUpload).toBe(true);
    expect((await hostile).statusCode).toBe(422);
  });

  it('answers 503 with Retry-After when the parse pool is full, and reads uploads again once it drains', async () => {
    const { threads, queue } = PARSE_POOLS.site;
    // fill the site pool's threads and queue with bombs straight away (what a flood of uploads does)
    const flood = Array.from({ length: threads + queue }, () =>
      parseInPool('site', { fileName: 'bomb.zip', bytes: new Uint8Array(fixture('zip-bomb-lying-sizes.zip')) }, {}).catch((e: Error) => e),
    );
    const res = await upload('parse', 'shp-claims-1gb.zip', { asPublic: true });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error.code).toBe('PARSER_BUSY');
    expect(res.json().error.message).toContain('服务器正忙');
    for (const e of await Promise.all(flood)) expect((e as { code?: string }).code).toMatch(/^(ZIP_RATIO|PARSE_TIMEOUT)$/);
    const again = await upload('parse', 'shp-claims-1gb.zip', { asPublic: true });
    expect(again.statusCode).toBe(422);
  });

  describe('site checks', () => {
    const check = (file: string, asPublic: boolean, lang?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/site-checks',
        payload: fixture(file),
        headers: { 'content-type': 'application/json', ...(asPublic ? { cookie: '' } : {}), ...(lang ? { 'accept-language': lang } : {}) },
      });

    it('refuses the public a 1.2 MB site of 49 000 vertices unread, with 413 naming the limit', async () => {
      const res = await check('site-49000-vertices.json', true);
      expect(res.statusCode, res.body).toBe(413);
      expect(res.json().error.code).toBe('SITE_TOO_LARGE');
      expect(res.json().error.message).toContain('未登录时选址套核的请求体上限 512 KB、选址范围上限 5000 个顶点');
      expect(res.json().error.message).toContain('登录');
    });

    it('refuses the public a small body of 6 000 vertices before any overlay, with 422 naming the limit', async () => {
      // a ring of 6 000 vertices at 4 decimals (~110 KB): under the size cap, over the public's vertex limit
      const ring = Array.from({ length: 6000 }, (_, i) => {
        const a = (2 * Math.PI * i) / 6000;
        return [Number((114.35 + 0.01 * Math.cos(a)).toFixed(4)), Number((34.79 + 0.01 * Math.sin(a)).toFixed(4))];
      });
      ring.push(ring[0]!);
      const res = await app.inject({
        method: 'POST',
        url: '/api/site-checks',
        payload: { geometry: { type: 'Polygon', coordinates: [ring] }, use: '工业', stockFirst: { reason: 'other', note: '测试' } },
        headers: { cookie: '' },
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('TOO_MANY_VERTICES');
      expect(res.json().error.message).toContain('顶点超过 5000 个');
    });

    it('refuses a site of 10 000 parts: unread for the public (its size), by its part count when signed in', async () => {
      const pub = await check('site-10000-parts.json', true, 'en');
      expect(pub.statusCode).toBe(413);
      expect(pub.json().error).toMatchObject({ code: 'SITE_TOO_LARGE' });
      expect(pub.json().error.message).toContain('without signing in a site check\'s body is at most 512 KB and the site (geometry) at most 5000 vertices');
      const signedIn = await check('site-10000-parts.json', false);
      expect(signedIn.statusCode).toBe(422);
      expect(signedIn.json().error.message).toContain('10000 个部分，超过每次套核的上限 1000 个');
    });
  });
});
