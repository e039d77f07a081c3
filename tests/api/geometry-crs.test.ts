/**
 * `POST /api/geometry/parse` with files made by GDAL in many coordinate systems (tests/fixtures/crs):
 * placed within 1 mm of GDAL's placement and labelled with their true EPSG code, or refused with a
 * 4xx naming the system; Beijing 1954 / Xi'an 1980 refused without parameters, placed approximately
 * with acceptApproximateDatum=true, shifted with the bureau's DATUM_TRANSFORMS or the file's own
 * parameters. GeoPackages' srs_id included (an EPSG code, a definition of their own).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileUpload, geometryApp } from '../helpers/geometry-app.ts';
import { expected, maxMetres } from '../helpers/crs-fixtures.ts';
import { ErrorResponse } from '../../core/contracts/common.ts';
import { ParseResponse } from '../../core/contracts/geometry.ts';
import { datumTransformsOf, loadConfig } from '../../server/src/config.ts';
import { crsOfSrs } from '../../server/src/formats/parsers/geopackage.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/crs');
const fixture = (path: string) => readFileSync(join(dir, path));



describe('POST /api/geometry/parse: coordinate systems', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await geometryApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(() => {
    delete process.env.DATUM_TRANSFORMS;
  });

  const upload = (path: string, query = '') => {
    const body = fileUpload(path.replace(/^.*\//, ''), fixture(path));
    return app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload: body.payload, headers: body.headers });
  };
  const error = (res: { json: () => unknown }) => ErrorResponse.parse(res.json()).error;
  const ok = (res: { statusCode: number; json: () => unknown; body: string }) => {
    expect(res.statusCode, res.body).toBe(200);
    return ParseResponse.parse(res.json());
  };

  it.each([
    ['geojson/epsg-4526.geojson', 4526, 'epsg-4526'],
    ['geojson/epsg-4498.geojson', 4498, 'epsg-4498'],
    ['geojson/epsg-32650.geojson', 32650, 'epsg-32650'],
    ['geojson/epsg-3857.geojson', 3857, 'epsg-3857'],
    ['shapefile/esri-4547.zip', 4547, 'shp-esri-4547'],
    ['shapefile/wkt2-4526.zip', 4526, 'shp-wkt2-4526'],
    ['shapefile/esri-32650.zip', 32650, 'shp-esri-32650'],
    ['geopackage/epsg-4547.gpkg', 4547, 'gpkg-epsg-4547'],
  ] as const)('places %s as EPSG:%i within 1 mm of GDAL', async (path, epsg, golden) => {
    const body = ok(await upload(path));
    expect(body.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, datumTransform: 'none' });
    expect(maxMetres(body.features.features[0]!.geometry, expected(golden))).toBeLessThan(0.001);
  });

  it.each([
    ['geojson/epsg-2414.geojson', 2414, '1954 北京坐标系', 'approx-2414'],
    ['shapefile/esri-2362.zip', 2362, '1980 西安坐标系', 'approx-2362'],
    ['geopackage/epsg-2362.gpkg', 2362, '1980 西安坐标系', 'approx-2362'],
  ] as const)('refuses %s without parameters (422 DATUM_NEEDS_TRANSFORM), places it approximately when accepted', async (path, epsg, datum, golden) => {
    const refused = await upload(path);
    expect(refused.statusCode).toBe(422);
    expect(error(refused).code).toBe('DATUM_NEEDS_TRANSFORM');
    expect(error(refused).message).toContain(datum);
    expect(error(refused).message).toContain(`EPSG:${epsg}`);
    expect(error(refused).message).toContain('数十米');
    const body = ok(await upload(path, '?acceptApproximateDatum=true'));
    expect(body.detected).toMatchObject({ crs: `EPSG:${epsg}`, epsg, datumTransform: 'approximate' });
    expect(body.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    expect(maxMetres(body.features.features[0]!.geometry, expected(golden))).toBeLessThan(0.001);
    // an override of the zone does not lose the refusal
    const zone = await upload(path, '?zone=38&zoneWidth=3');
    expect(error(zone).code).toBe('DATUM_NEEDS_TRANSFORM');
  });

  it('shifts a Beijing 1954 file with the bureau’s DATUM_TRANSFORMS, where GDAL shifts it with them', async () => {
    const p = fixture('bj54-parameters.txt').toString('utf8').trim();
    process.env.DATUM_TRANSFORMS = JSON.stringify({ beijing54: p.split(',').map(Number) });
    expect(datumTransformsOf(process.env.DATUM_TRANSFORMS)).toEqual({ beijing54: p.split(',').map(Number) });
    const body = ok(await upload('geojson/epsg-2414.geojson'));
    expect(body.detected).toMatchObject({ crs: 'EPSG:2414', epsg: 2414, datum: 'beijing54', datumTransform: 'bureau-parameters' });
    expect(body.warnings.find((w) => w.code === 'DATUM_TRANSFORMED')?.zh).toContain(p.split(',').join(', '));
    expect(maxMetres(body.features.features[0]!.geometry, expected('bureau-2414'))).toBeLessThan(0.001);
  });

  it('shifts a GeoPackage whose definition carries its own TOWGS84 (organization NONE)', async () => {
    const body = ok(await upload('geopackage/towgs84-bj54.gpkg'));
    expect(body.detected).toMatchObject({ crs: 'EPSG:2414', epsg: 2414, datum: 'beijing54', datumTransform: 'file-parameters' });
    expect(maxMetres(body.features.features[0]!.geometry, expected('gpkg-towgs84-bj54'))).toBeLessThan(0.001);
  });

  it('judges a GeoPackage without a coordinate system (srs_id 0) by its numbers: a prefix places it, no prefix is refused naming the choices', async () => {
    const prefixed = ok(await upload('geopackage/undefined-4526-numbers.gpkg'));
    expect(prefixed.detected).toMatchObject({ crs: 'EPSG:4526', epsg: 4526, zone: 38, zoneWidth: 3 });
    expect(prefixed.warnings.find((w) => w.code === 'GEOPACKAGE_TABLE')?.zh).toContain('未声明坐标系');
    // the datum is an assumption, said as for any file that names no system
    expect(prefixed.detected.datumAssumed).toBe(true);
    expect(prefixed.warnings.find((w) => w.code === 'CRS_UNDECLARED')?.zh).toContain('1954 北京或 1980 西安坐标系，位置可差数十米');
    expect(maxMetres(prefixed.features.features[0]!.geometry, expected('epsg-4526'))).toBeLessThan(0.001);
    const plain = await upload('geopackage/undefined-4547-numbers.gpkg');
    expect(plain.statusCode).toBe(422);
    expect(error(plain).code).toBe('ZONE_AMBIGUOUS');
    const given = ok(await upload('geopackage/undefined-4547-numbers.gpkg', '?zone=38'));
    expect(given.detected).toMatchObject({ crs: 'EPSG:4547', epsg: 4547 });
    expect(maxMetres(given.features.features[0]!.geometry, expected('epsg-4547'))).toBeLessThan(0.001);
  });

  it('answers 422 for a chosen system on another datum than the file declares, naming both', async () => {
    for (const q of ['?crs=EPSG:32650', '?crs=EPSG:3857&acceptApproximateDatum=true', '?crs=EPSG:4526']) {
      const res = await upload('shapefile/towgs84-bj54.zip', q);
      expect(res.statusCode, q).toBe(422);
      expect(error(res).code).toBe('INVALID_OPTION');
      expect(error(res).message).toContain('1954 北京坐标系');
    }
  });

  it('refuses unknown and unsupported systems naming them', async () => {
    const unknown = await upload('geojson/epsg-99999.geojson');
    expect(unknown.statusCode).toBe(422);
    expect(error(unknown)).toMatchObject({ code: 'CRS_UNKNOWN', message: expect.stringContaining('99999') });
    const unsupported = await upload('geojson/epsg-3395.geojson');
    expect(unsupported.statusCode).toBe(422);
    expect(error(unsupported)).toMatchObject({ code: 'CRS_UNSUPPORTED', message: expect.stringContaining('EPSG:3395') });
    const member = await upload('geojson/crs-unreadable.geojson');
    expect(error(member)).toMatchObject({ code: 'CRS_UNKNOWN', message: expect.stringContaining('Kaifeng local grid') });
  });

  it('passes a GeoPackage srs_id on as its EPSG code, its own definition, or nothing for the undefined systems', () => {
    expect(crsOfSrs(4547, { organization: 'EPSG', organization_coordsys_id: 4547, definition: 'PROJCS[…]' })).toEqual({ member: 'urn:ogc:def:crs:EPSG::4547', label: 'EPSG:4547' });
    expect(crsOfSrs(0, { organization: 'NONE', organization_coordsys_id: 0, definition: 'undefined' })).toBeNull();
    expect(crsOfSrs(-1, { organization: 'NONE', organization_coordsys_id: -1, definition: 'undefined' })).toBeNull();
    expect(crsOfSrs(0, undefined)).toBeNull();
    expect(crsOfSrs(102100, { organization: 'ESRI', organization_coordsys_id: 102100, definition: 'PROJCS[…]' })).toEqual({ member: 'ESRI:102100', label: 'ESRI:102100' });
    expect(crsOfSrs(100000, { srs_name: 'BJ54 local', organization: 'NONE', organization_coordsys_id: 100000, definition: 'PROJCS["x"]' })).toEqual({ member: 'PROJCS["x"]', label: 'BJ54 local' });
    expect(() => crsOfSrs(7, undefined)).toThrow(expect.objectContaining({ code: 'CRS_UNKNOWN' }));
  });

  it('refuses a malformed DATUM_TRANSFORMS with the reason', () => {
    expect(() => datumTransformsOf('{"xian80":[1,2,3]}')).toThrow(/xian80 须为 7 个数/);
    expect(() => datumTransformsOf('{"tokyo":[1,2,3,4,5,6,7]}')).toThrow(/tokyo/);
    // a coordinate-frame set: the rotations turned to position vector at start; the bare array is position vector
    expect(datumTransformsOf('{"beijing54":{"parameters":[-12.6,-149.8,-77.9,-0.35,0.41,-0.62,2.1],"convention":"coordinate-frame"}}')).toEqual({ beijing54: [-12.6, -149.8, -77.9, 0.35, -0.41, 0.62, 2.1] });
    expect(datumTransformsOf('{"xian80":{"parameters":[24.5,-123.7,-94.2,0.02,-0.25,-0.13,1.1],"convention":"position-vector"}}')).toEqual({ xian80: [24.5, -123.7, -94.2, 0.02, -0.25, -0.13, 1.1] });
    expect(() => datumTransformsOf('{"xian80":{"parameters":[1,2,3,0,0,0,0],"convention":"frame"}}')).toThrow(/convention 应为/);
    expect(() => datumTransformsOf('{"xian80":{"params":[1,2,3,0,0,0,0]}}')).toThrow(/未知的键“params”/);
    // the bounds the parsers apply to a file's own parameters (server/src/formats/parsers/seven-parameters.ts)
    expect(() => datumTransformsOf('{"beijing54":[1000000,0,0,0,0,0,0]}')).toThrow(/beijing54：ΔX = 1000000 米超出合理范围/);
    expect(() => datumTransformsOf('{"xian80":[24.5,-123.7,-94.2,0.02,-0.25,-0.13,1.0000011]}')).toThrow(/尺度 1\.0000011 像是比例因子.*应写作 1\.1/);
    expect(() => datumTransformsOf('xian80=1,2,3')).toThrow(/JSON/);
    expect(datumTransformsOf('')).toBeUndefined();
    // checked at start, with the rest of the configuration
    expect(() => loadConfig({ DATUM_TRANSFORMS: '{"xian80":[1,2,3,4,5,6,"7"]}' })).toThrow(/DATUM_TRANSFORMS/);
    expect(loadConfig({ DATUM_TRANSFORMS: '{"xian80":[24.5,-123.7,-94.2,0.02,-0.25,-0.13,1.1]}' }).datumTransforms).toEqual({ xian80: [24.5, -123.7, -94.2, 0.02, -0.25, -0.13, 1.1] });
  });
});
