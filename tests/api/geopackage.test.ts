/**
 * GeoPackage uploads (.gpkg): a file built here with SQLite (sql.js) as a GIS would write it —
 * polygons in CGCS2000 3° Gauss–Krüger zone 38 (EPSG:4526) as GeoPackage binary, a second
 * feature table — is read by the site parse and checked by the layer import: placed where the
 * lon/lat squares it was made from lie, areas equal, fields read, the other table named; a
 * plain SQLite file is refused with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import wkx from 'wkx';
import type { FastifyInstance } from 'fastify';
import { LayerJob } from '../../core/contracts/layer-admin.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../core/ellipsoidal-area.ts';
import { lonLatToGaussKruger } from '../../core/gauss-kruger.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';

function multipart(filename: string, content: Uint8Array) {
  const boundary = '----yizhangtu-gpkg-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/geopackage+sqlite3\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** GeoPackage binary: "GP", version 0, flags (little-endian, no envelope), SRS id, then WKB. */
function gpkgGeometry(geometry: wkx.Geometry, srsId: number): Uint8Array {
  const header = Buffer.alloc(8);
  header.write('GP', 0, 'ascii');
  header[2] = 0;
  header[3] = 0b00000001;
  header.writeInt32LE(srsId, 4);
  return Buffer.concat([header, geometry.toWkb()]);
}

type Ring = [number, number][];
const square = (lon: number, lat: number, d: number): Ring => [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]];

async function buildGeoPackage(squares: { ring: Ring; props: Record<string, string> }[]): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`);
  db.run(`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`);
  db.run(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`);
  db.run(`INSERT INTO gpkg_spatial_ref_sys VALUES ('CGCS2000 / 3-degree Gauss-Kruger zone 38', 4526, 'EPSG', 4526, 'PROJCS[...]', NULL)`);
  db.run(`INSERT INTO gpkg_spatial_ref_sys VALUES ('China Geodetic Coordinate System 2000', 4490, 'EPSG', 4490, 'GEOGCS[...]', NULL)`);
  db.run(`INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('城镇开发边界', 'features', '城镇开发边界', 4526), ('notes', 'features', 'notes', 4490)`);
  db.run(`INSERT INTO gpkg_geometry_columns VALUES ('城镇开发边界', 'geom', 'MULTIPOLYGON', 4526, 0, 0), ('notes', 'geom', 'POINT', 4490, 0, 0)`);
  db.run(`CREATE TABLE "城镇开发边界" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, BSM TEXT, MC TEXT)`);
  db.run(`CREATE TABLE notes (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, text TEXT)`);
  for (const s of squares) {
    const ring = s.ring.map(([lon, lat]) => {
      const { northing, easting } = lonLatToGaussKruger(lon, lat, { zone: 38, zoneWidth: 3, zonePrefix: true });
      return new wkx.Point(easting, northing);
    });
    const polygon = new wkx.MultiPolygon([new wkx.Polygon(ring)]);
    db.run(`INSERT INTO "城镇开发边界" (geom, BSM, MC) VALUES (?, ?, ?)`, [gpkgGeometry(polygon, 4526), s.props.BSM!, s.props.MC!]);
  }
  db.run(`INSERT INTO notes (geom, text) VALUES (?, '备注')`, [gpkgGeometry(new wkx.Point(114.3, 34.8), 4490)]);
  const bytes = db.export();
  db.close();
  return bytes;
}

describe(`GeoPackage uploads (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let here: { lon: number; lat: number };

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    app = await buildApp({ db });
    await actAs(app, db, 'admin');
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    here = { lon: Number(p!.lon), lat: Number(p!.lat) };
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  const squares = () => [
    { ring: square(here.lon, here.lat, 0.01), props: { BSM: 'GPKG-1', MC: '北片区' } },
    { ring: square(here.lon + 0.02, here.lat, 0.005), props: { BSM: 'GPKG-2', MC: '南片区' } },
  ];
  const expectedM2 = () => squares().map((s) => ellipsoidalArea({ type: 'Polygon', coordinates: [s.ring] } as AreaGeometry));

  it('reads a GeoPackage in Gauss–Krüger zone 38 back onto the map, for the site parse', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/geometry/parse', ...multipart('边界.gpkg', await buildGeoPackage(squares())) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.detected.crs).toBe('EPSG:4526');
    expect(body.warnings[0].code).toBe('GEOPACKAGE_TABLE');
    expect(body.warnings[0].zh).toContain('城镇开发边界');
    expect(body.warnings[0].zh).toContain('notes');
    expect(body.features.features).toHaveLength(2);
    const [first] = body.features.features;
    expect(first.properties).toMatchObject({ BSM: 'GPKG-1', MC: '北片区' });
    const [lon0, lat0] = first.geometry.type === 'Polygon' ? first.geometry.coordinates[0][0] : first.geometry.coordinates[0][0][0];
    expect(lon0).toBeCloseTo(here.lon, 7);
    expect(lat0).toBeCloseTo(here.lat, 7);
  });

  it('checks a GeoPackage for a layer import: count, area and fields as in the file', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', ...multipart('城镇开发边界.gpkg', await buildGeoPackage(squares())) });
    expect(res.statusCode, res.body).toBe(202);
    let job = LayerJob.parse(res.json());
    for (let i = 0; i < 500 && !['ready', 'failed'].includes(job.phase); i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = LayerJob.parse((await app.inject({ method: 'GET', url: `/api/admin/layer-jobs/${job.jobId}` })).json());
    }
    expect(job.phase, JSON.stringify(job.error)).toBe('ready');
    const s = job.summary!;
    expect(s.featureCount).toBe(2);
    expect(s.detected.crs).toBe('EPSG:4526');
    expect(s.fields).toMatchObject({ code: 'BSM', name: 'MC' });
    const [a, b] = expectedM2();
    expect(s.area.m2 / (a! + b!)).toBeCloseTo(1, 6);
    // the check wrote nothing; drop it
    expect((await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${job.jobId}/cancel` })).json().phase).toBe('cancelled');
  });

  it('refuses an SQLite file that is not a GeoPackage, saying so', async () => {
    const SQL = await initSqlJs();
    const plain = new SQL.Database();
    plain.run('CREATE TABLE t (a INTEGER)');
    const bytes = plain.export();
    plain.close();
    const res = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', ...multipart('data.gpkg', bytes) });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toContain('不是 GeoPackage');
  });
});
