/**
 * The project name a site file gives (issue 15, item 11): `POST /api/geometry/parse` answers the
 * file's own name — a 项目名称 attribute, a GeoJSON FeatureCollection's `name`, a feature's name
 * (a 界址点 header's 地块名称, a Shapefile's 名称) — and null when it names none, for the page to
 * fall back to the file's name. Fixtures: tests/fixtures/project-name (ogr2ogr) and the
 * hand-made 界址点 files of tests/fixtures/boundary-points with their expected.json.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseResponse } from '../../core/contracts/geometry.ts';
import { fileUpload, geometryApp } from '../helpers/geometry-app.ts';

const here = (dir: string, name: string) => readFileSync(new URL(`../fixtures/${dir}/${name}`, import.meta.url));
const BOUNDARY_EXPECTED = JSON.parse(here('boundary-points', 'expected.json').toString('utf8')) as Record<string, { names: string[] }>;

describe('the project name of an uploaded site', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await geometryApp();
  });
  afterAll(async () => app?.close());

  const parse = async (uploadedAs: string, content: Buffer) => {
    const res = await app.inject({ method: 'POST', url: '/api/geometry/parse', ...fileUpload(uploadedAs, content) });
    expect(res.statusCode, res.body).toBe(200);
    return ParseResponse.parse(res.json());
  };

  it('a GeoJSON FeatureCollection’s own name, not the file’s', async () => {
    const r = await parse('export_20261120.geojson', here('project-name', 'named-collection.geojson'));
    expect(r.name).toBe('开封市祥符区产业园一期');
  });

  it('a parcel’s name over a collection named only as the uploaded file (ogr2ogr’s default layer name)', async () => {
    const r = await parse('stem-named.geojson', here('project-name', 'stem-named.geojson'));
    expect(r.name).toBe('祥符区纺织产业园地块');
    // uploaded under another name, the collection's name is the file's own again
    expect((await parse('导出.geojson', here('project-name', 'stem-named.geojson'))).name).toBe('stem-named');
  });

  it('a 项目名称 attribute over the layer name and a parcel’s name', async () => {
    const r = await parse('layer.geojson', here('project-name', 'project-attribute.geojson'));
    expect(r.name).toBe('开封汽车零部件产业园项目');
  });

  it('a 界址点 header’s 地块名称', async () => {
    for (const file of ['area-ha.txt', 'enc-gbk.txt', 'enc-big5.txt']) {
      const r = await parse(`upload-${file}`, here('boundary-points', file));
      expect(r.name, file).toBe(BOUNDARY_EXPECTED[file]!.names[0]);
    }
  });

  it('a Shapefile’s 名称 field (GBK)', async () => {
    const r = await parse('site.zip', here('project-name', 'named-shapefile.zip'));
    expect(r.name).toBe('开封西区物流园地块');
  });

  it('none when the file names none (the page takes the file’s name)', async () => {
    const r = await parse('西区地块.geojson', here('project-name', 'unnamed.geojson'));
    expect(r.name).toBeNull();
  });
});
