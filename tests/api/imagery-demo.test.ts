/**
 * The demo's imagery (seeds/lib/imagery.ts via server/src/seed/imagery.ts): two periods
 * registered, 2025 Q3 public and 2026 Q3 restricted; every sampled encroachment case shows as a
 * new built-up patch (blue roofs) in the second period at its centre and not in the first; away
 * from the cases the periods are the same image. GDAL reads the files as EPSG:4490 with their
 * overviews.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageryList } from '../../core/contracts/imagery.ts';
import type { Database } from '../../server/src/db/database.ts';
import { DEMO_PERIODS, loadDemoImagery } from '../../server/src/seed/imagery.ts';
import { generateDataset } from '../../seeds/generate.ts';
import { startApi } from '../helpers/api.ts';
import { TEST_SEED } from '../helpers/backend.ts';
import { decodeTile, gdal, tileAt, tileBounds } from '../helpers/imagery-fixtures.ts';

let app: FastifyInstance;
let db: Database;
let stop: () => Promise<void>;
let dir: string;
let files: { path: string; bytes: number }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yzt-demo-imagery-'));
  ({ app, db, stop } = await startApi({ imageryDir: dir }));
  ({ files } = await loadDemoImagery(db, dir, generateDataset({ scale: 'demo', seed: TEST_SEED })));
}, 300_000);

afterAll(async () => {
  await db.query('DELETE FROM imagery_layer WHERE demo');
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The RGBA pixel of a tile of an image at a lon/lat. */
async function pixel(id: number, lon: number, lat: number, z: number): Promise<number[]> {
  const t = tileAt(lon, lat, z);
  const res = await app.inject({ url: `/api/imagery/${id}/tiles/${z}/${t.x}/${t.y}.png` });
  expect(res.statusCode, res.body).toBe(200);
  const rgba = await decodeTile(res.rawPayload);
  const [w, s, e, n] = tileBounds(z, t.x, t.y);
  const mx = (lon * Math.PI * 6378137) / 180;
  const my = Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) * 6378137;
  const i = Math.floor(((mx - w) / (e - w)) * 256);
  const j = Math.floor(((n - my) / (n - s)) * 256);
  const o = (j * 256 + i) * 4;
  return [rgba[o]!, rgba[o + 1]!, rgba[o + 2]!, rgba[o + 3]!];
}

const isRoof = (p: number[]) => p[2]! > p[0]! + 50 && p[2]! > p[1]! + 30;

describe('demo imagery', () => {
  it('is small, and GDAL reads it as EPSG:4490 with overviews', async () => {
    for (const f of files) expect(f.bytes).toBeLessThan(30 * 1024 * 1024);
    const info = await gdal('gdalinfo', [files[1]!.path]);
    expect(info).toMatch(/ID\["EPSG",4490\]/);
    expect(info).toMatch(/Overviews: /);
  });

  it('registers two periods, the later one restricted', async () => {
    const list = ImageryList.parse((await app.inject({ url: '/api/imagery' })).json());
    const demo = list.layers.filter((l) => l.demo);
    expect(demo.map((l) => [l.periodLabel, l.access])).toEqual([
      [DEMO_PERIODS.before.periodLabel, 'public'],
      [DEMO_PERIODS.after.periodLabel, 'restricted'],
    ]);
  });

  it('every sampled case is a new built-up patch in 2026 Q3 only', async () => {
    const list = ImageryList.parse((await app.inject({ url: '/api/imagery' })).json()).layers.filter((l) => l.demo);
    const [before, after] = [list[0]!.id, list[1]!.id];
    // a point inside each polygon, well away from its edge
    const cases = await db.query<{ code: string; lon: number; lat: number }>(
      `SELECT code, ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT code, ST_PointOnSurface(ST_Buffer(geom::geography, -8)::geometry) AS p FROM encroachment ORDER BY code LIMIT 12) s WHERE NOT ST_IsEmpty(p)`,
    );
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) {
      const a = await pixel(after, c.lon, c.lat, 18);
      const b = await pixel(before, c.lon, c.lat, 18);
      expect(a[3], c.code).toBe(255);
      expect(isRoof(a) || (a[0]! > 215 && a[1]! > 215), `${c.code} 2026 Q3 ${a}`).toBe(true);
      expect(isRoof(b), `${c.code} 2025 Q3 ${b}`).toBe(false);
    }
    // far from any case the two periods agree
    const [far] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM permanent_farmland f
         WHERE NOT EXISTS (SELECT 1 FROM encroachment e WHERE ST_DWithin(e.geom, f.geom, 0.01)) ORDER BY code LIMIT 1) s`,
    );
    expect(await pixel(after, far!.lon, far!.lat, 15)).toEqual(await pixel(before, far!.lon, far!.lat, 15));
  });
});
