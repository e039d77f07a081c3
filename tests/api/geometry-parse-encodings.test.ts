/**
 * `POST /api/geometry/parse` with the new encodings: a Big5 界址点 file forced with `?encoding=big5`,
 * a GDAL Big5 Shapefile named by its .cpg and a GB18030 one, answered within the response contract
 * (`detected.encoding` 'big5' / 'gb18030'); an encoding the parsers do not know is a 400 naming the
 * ones they do. Fixtures: tests/fixtures/boundary-points (make.py) and shapefile-encodings (make.sh).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUpload, geometryApp } from '../helpers/geometry-app.ts';
import { ErrorResponse } from '../../core/contracts/common.ts';
import { ParseResponse } from '../../core/contracts/geometry.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');
const fixture = (path: string) => readFileSync(join(fixtures, path));


describe('POST /api/geometry/parse — Big5 and GB18030', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await geometryApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  const upload = (filename: string, content: Buffer, query = '') => {
    const body = fileUpload(filename, content);
    return app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload: body.payload, headers: body.headers });
  };

  it('reads a Big5 界址点 file forced with ?encoding=big5', async () => {
    const res = await upload('界址點.txt', fixture('boundary-points/enc-big5.txt'), '?encoding=big5');
    expect(res.statusCode).toBe(200);
    const body = ParseResponse.parse(res.json());
    expect(body.detected.encoding).toBe('big5');
    expect(body.features.features.map((f) => f.properties.name)).toEqual(['開封東區工業地塊', '城西示例地塊']);
  });

  it('reads a GDAL Big5 Shapefile by its .cpg (950) and a GB18030 one', async () => {
    const big5 = ParseResponse.parse((await upload('用地.zip', fixture('shapefile-encodings/big5-cpg-950.zip'))).json());
    expect(big5.detected.encoding).toBe('big5');
    expect(big5.warnings).toEqual([]);
    expect(big5.features.features[0]!.properties.DKMC).toBe('開封東區工業地塊');
    const gb = ParseResponse.parse((await upload('用地.zip', fixture('shapefile-encodings/gb18030-gdal.zip'))).json());
    expect(gb.detected.encoding).toBe('gb18030');
    expect(gb.features.features[0]!.properties.DKMC).toBe('𠮷家东区工业地块');
  });

  it('refuses an encoding it does not know with a 400 naming the ones it does', async () => {
    const res = await upload('界址点.txt', fixture('boundary-points/enc-gbk.txt'), '?encoding=latin1');
    expect(res.statusCode).toBe(400);
    const e = ErrorResponse.parse(res.json()).error;
    expect(e.details).toEqual([expect.objectContaining({ field: 'encoding', message: expect.stringContaining('utf-8、gbk、gb18030 或 big5') })]);
  });
});
