/**
 * Migrations, the registry and the database agree, on whichever backend the
 * suite runs (embedded, or PostGIS when TEST_DATABASE_URL/DATABASE_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';

describe(`migrations on a fresh ${backend} database`, () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
  });
  afterAll(async () => close?.());

  it('create every registry layer as geometry(MultiPolygon, 4490)', async () => {
    const rows = await db.query<{ table: string; type: string; srid: number }>(
      `SELECT f_table_name AS table, type, srid FROM geometry_columns WHERE f_geometry_column = 'geom'`,
    );
    for (const layer of layers) {
      expect(rows.find((r) => r.table === layer.table), layer.table).toEqual({
        table: layer.table,
        type: 'MULTIPOLYGON',
        srid: 4490,
      });
    }
  });

  it('give every layer table a GiST index on its geometry', async () => {
    const rows = await db.query<{ tablename: string; indexdef: string }>(
      `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    for (const layer of layers) {
      expect(
        rows.some((r) => r.tablename === layer.table && /USING gist \(geom\)/i.test(r.indexdef)),
        `${layer.table} has a GiST index`,
      ).toBe(true);
    }
  });

  it('expose as columns every attribute the registry names', async () => {
    const cols = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    for (const layer of layers) {
      for (const attr of [...layer.attributes.map((a) => a.name), layer.codeColumn]) {
        expect(cols.some((c) => c.table_name === layer.table && c.column_name === attr), `${layer.table}.${attr}`).toBe(true);
      }
    }
  });

  it('refuse an invalid (self-intersecting) geometry', async () => {
    await expect(
      db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, geom)
         VALUES ('X', '410202', '蝴蝶形地块', '闲置土地', '工业', 1, '可供应', '测试',
                 ST_GeomFromText('MULTIPOLYGON(((114.3 34.8,114.31 34.81,114.31 34.8,114.3 34.81,114.3 34.8)))', 4490))`,
      ),
    ).rejects.toThrow(/stock_parcel_geom_valid/);
  });

  it('refuse a geometry in another coordinate system', async () => {
    await expect(
      db.query(
        `INSERT INTO encroachment (code, county_code, source, detected_on, area_m2, geom)
         VALUES ('X', '410202', '卫片', '2026-01-01', 1,
                 ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))', 3857))`,
      ),
    ).rejects.toThrow(/SRID/i);
  });

  it('can be applied again without change', async () => {
    await db.migrate();
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM data_version`);
    expect(n[0]!.n).toBe(layers.length + 1); // the layers and the offline base map (migration 0016)
  });

  it('start every layer at data version 0', async () => {
    const rows = await db.query<{ layer: string; version: number }>(`SELECT layer, version FROM data_version ORDER BY layer`);
    expect(rows.map((r) => r.layer).sort()).toEqual([...layers.map((l) => l.id), 'basemap'].sort());
    expect(rows.every((r) => r.version === 0)).toBe(true);
  });
});
