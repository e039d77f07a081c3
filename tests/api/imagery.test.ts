/**
 * Imagery layers (影像): GeoTIFFs made by GDAL (tests/helpers/imagery-fixtures.ts) registered by
 * path and by upload, in EPSG:4490, 3857, 4326 (COG) and CGCS2000 3° zone 38 with and without the
 * zone prefix; files that cannot be read or placed refused with a 422 naming why (zh/en); paths
 * outside IMAGERY_DIR refused; tiles compared pixel by pixel with gdalwarp's rendering of the same
 * Web Mercator tile from the same file, and at known pattern pixels with the pattern itself;
 * cache headers; restricted imagery hidden from the public and enterprises.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageryLayer, ImageryList } from '../../core/contracts/imagery.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { multipart } from '../helpers/fuzz.ts';
import { compareTiles, decodeTile, expectedTile, makeImageryFixtures, PATTERN_ULLR, patternAt, tileAt, tileBounds, type ImageryFixtures } from '../helpers/imagery-fixtures.ts';
import { signInAs } from '../helpers/session.ts';

let app: FastifyInstance;
let db: Database;
let stop: () => Promise<void>;
let fx: ImageryFixtures;
let imageryDir: string;
const registered: number[] = [];
const tag = `t${process.pid}-${Date.now()}`;

const meta = (name: string, access: 'public' | 'restricted' = 'public') => ({ name: `${name} ${tag}`, nameEn: `${name} ${tag}`, periodLabel: '2026 Q3', periodDate: '2026-09-30', access });

async function byPath(path: string, name: string, access: 'public' | 'restricted' = 'public', lang = 'zh') {
  const res = await app.inject({ method: 'POST', url: '/api/admin/imagery/from-path', payload: { path, ...meta(name, access) }, headers: { 'accept-language': lang } });
  if (res.statusCode === 201) registered.push(res.json().id);
  return res;
}

beforeAll(async () => {
  fx = await makeImageryFixtures();
  imageryDir = mkdtempSync(join(tmpdir(), 'yzt-imagery-dir-'));
  mkdirSync(join(imageryDir, 'gdal'));
  for (const f of readdirSync(fx.dir)) if (f.endsWith('.tif')) cpSync(join(fx.dir, f), join(imageryDir, 'gdal', f));
  symlinkSync('/etc/hostname', join(imageryDir, 'gdal', 'escape.tif'));
  ({ app, db, stop } = await startApi({ imageryDir }));
}, 120_000);

afterAll(async () => {
  for (const id of registered) await app.inject({ method: 'DELETE', url: `/api/admin/imagery/${id}` });
  await stop();
  rmSync(imageryDir, { recursive: true, force: true });
  rmSync(fx.dir, { recursive: true, force: true });
});

/** A tile of a registered image as RGBA. */
async function tile(id: number, z: number, x: number, y: number, cookie?: string) {
  const res = await app.inject({ url: `/api/imagery/${id}/tiles/${z}/${x}/${y}.png`, headers: cookie === undefined ? {} : { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('image/png');
  return decodeTile(res.rawPayload);
}

describe('registration by path, in each CRS', () => {
  const cases = [
    ['k4490.tif', 4490, 3],
    ['k3857.tif', 3857, 1],
    ['k4326cog.tif', 4326, 3],
    ['k4526.tif', 4526, 1],
    ['k4547.tif', 4547, 1],
  ] as const;
  for (const [file, epsg, levels] of cases) {
    it(`${file}: the CRS from its geokeys, the extent where GDAL put it, tiles as gdalwarp draws them`, async () => {
      const res = await byPath(`gdal/${file}`, file);
      expect(res.statusCode, res.body).toBe(201);
      const layer = ImageryLayer.parse(res.json());
      expect(layer.epsg).toBe(epsg);
      expect(layer.levels).toBe(levels);
      const [w, n, e, s] = PATTERN_ULLR;
      expect(layer.bbox[0]).toBeCloseTo(w, 3);
      expect(layer.bbox[1]).toBeCloseTo(s, 3);
      expect(layer.bbox[2]).toBeCloseTo(e, 3);
      expect(layer.bbox[3]).toBeCloseTo(n, 3);
      for (const z of [15, 17]) {
        const t = tileAt(114.322, 34.806, z);
        const mine = await tile(layer.id, z, t.x, t.y);
        // gdalwarp of the same tile from the same file, at its full resolution
        const theirs = await expectedTile(join(imageryDir, 'gdal', file), z, t.x, t.y);
        const c = compareTiles(mine, theirs, 8);
        expect(c.both, `z${z}: opaque pixels`).toBeGreaterThan(20_000);
        // nearest-neighbour samples agree but where a pixel centre falls within rounding of a source pixel edge
        expect(c.share, `z${z}: ${JSON.stringify(c)}`).toBeGreaterThan(0.97);
        expect(c.onlyOne / c.both, `z${z}: edge pixels`).toBeLessThan(0.02);
      }
    });
  }

  it('draws the pattern pixel at its place (EPSG:4490, z18)', async () => {
    const id = registered[0]!;
    const [w, n, e, s] = PATTERN_ULLR;
    // centres of a few source pixels, each in the middle of a 20-pixel checker square
    for (const [px, py] of [[110, 90], [350, 250], [530, 430]] as const) {
      const lon = w + ((px + 0.5) / 600) * (e - w);
      const lat = n - ((py + 0.5) / 480) * (n - s);
      const z = 18;
      const t = tileAt(lon, lat, z);
      const [bw, bs, be, bn] = tileBounds(z, t.x, t.y);
      const mx = (lon * Math.PI * 6378137) / 180;
      const my = Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) * 6378137;
      const i = Math.floor(((mx - bw) / (be - bw)) * 256);
      const j = Math.floor(((bn - my) / (bn - bs)) * 256);
      const rgba = await tile(id, z, t.x, t.y);
      const o = (j * 256 + i) * 4;
      expect([rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]]).toEqual([...patternAt(px, py), 255]);
    }
  });

  it('a tile beside the image is transparent; a far-off zoomed-out one draws the image small', async () => {
    const id = registered[0]!;
    const t = tileAt(114.5, 34.9, 15);
    const res = await app.inject({ url: `/api/imagery/${id}/tiles/15/${t.x}/${t.y}.png` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-imagery-empty']).toBe('1');
    const rgba = await decodeTile(res.rawPayload);
    expect(rgba.filter((_, k) => k % 4 === 3 && rgba[k] !== 0).length).toBe(0);
    const t10 = tileAt(114.322, 34.806, 10);
    const small = await tile(id, 10, t10.x, t10.y);
    let opaque = 0;
    for (let p = 0; p < 65536; p++) if (small[p * 4 + 3]! > 0) opaque++;
    // 0.045° × 0.03° at z10 is about 33 × 27 pixels
    expect(opaque).toBeGreaterThan(500);
    expect(opaque).toBeLessThan(1500);
  });

  it('tiles carry an ETag, answer 304 to it, and are cached publicly; jpg and webp too', async () => {
    const id = registered[0]!;
    const t = tileAt(114.322, 34.806, 16);
    const url = `/api/imagery/${id}/tiles/16/${t.x}/${t.y}`;
    const res = await app.inject({ url: `${url}.png` });
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = String(res.headers.etag);
    expect(etag).toMatch(/^"img-/);
    const again = await app.inject({ url: `${url}.png`, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    for (const [fmt, mime] of [['jpg', 'image/jpeg'], ['webp', 'image/webp']] as const) {
      const r = await app.inject({ url: `${url}.${fmt}` });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe(mime);
      const rgba = await decodeTile(r.rawPayload);
      const png = await decodeTile(res.rawPayload);
      expect(compareTiles(rgba, png, 40).share).toBeGreaterThan(0.9);
    }
    expect((await app.inject({ url: `${url}.gif` })).statusCode).toBe(400);
    expect((await app.inject({ url: `/api/imagery/${id}/tiles/16/99999999/1.png` })).statusCode).toBe(400);
  });
});

describe('refusals', () => {
  const bad = [
    ['no-crs.tif', 'IMAGERY_NO_CRS', /coordinate system/],
    ['utm.tif', 'IMAGERY_CRS_UNSUPPORTED', /32650/],
    ['uint16.tif', 'IMAGERY_SAMPLE_FORMAT', /8-bit/],
    ['far.tif', 'IMAGERY_OUTSIDE_EXTENT', /outside the city/],
    ['not-a-tiff.tif', 'IMAGERY_UNREADABLE', /not a readable GeoTIFF/],
  ] as const;
  for (const [file, code, en] of bad) {
    it(`${file}: 422 ${code}, in Chinese and in English`, async () => {
      const zh = await byPath(`gdal/${file}`, file);
      expect(zh.statusCode, zh.body).toBe(422);
      expect(zh.json().error.code).toBe(code);
      expect(zh.json().error.message).toMatch(/^影像无法登记：/);
      const enRes = await byPath(`gdal/${file}`, file, 'public', 'en');
      expect(enRes.json().error.message).toMatch(en);
    });
  }

  it('paths outside IMAGERY_DIR: ../, absolute, a symlink out — 400; a missing file 404', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'gdal/../../x.tif', 'gdal/escape.tif']) {
      const res = await byPath(p, 'escape');
      expect(res.statusCode, p).toBe(400);
      expect(res.json().error.code).toBe('IMAGERY_PATH_OUTSIDE');
    }
    const missing = await byPath('gdal/none.tif', 'none');
    expect(missing.statusCode).toBe(404);
  });

  it('bad metadata: 400 naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/admin/imagery/from-path', payload: { path: 'gdal/k4490.tif', ...meta('x'), periodDate: '2026/09/30' } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toMatch(/YYYY-MM-DD/);
  });
});

describe('upload', () => {
  it('streams the GeoTIFF to IMAGERY_DIR/uploads and registers it; a refused one leaves nothing there', async () => {
    const q = new URLSearchParams(meta('upload')).toString();
    const good = multipart([{ field: 'file', filename: 'k4547.tif', content: readFileSync(fx.k4547), type: 'image/tiff' }]);
    const res = await app.inject({ method: 'POST', url: `/api/admin/imagery?${q}`, ...good });
    expect(res.statusCode, res.body).toBe(201);
    registered.push(res.json().id);
    expect(res.json().epsg).toBe(4547);
    expect(res.json().fileName).toBe('k4547.tif');
    expect(readdirSync(join(imageryDir, 'uploads'))).toHaveLength(1);
    const badFile = multipart([{ field: 'file', filename: 'utm.tif', content: readFileSync(fx.utm) }]);
    const refused = await app.inject({ method: 'POST', url: `/api/admin/imagery?${q}`, ...badFile });
    expect(refused.statusCode).toBe(422);
    expect(readdirSync(join(imageryDir, 'uploads'))).toHaveLength(1);
    // removing an uploaded layer removes its file
    const del = await app.inject({ method: 'DELETE', url: `/api/admin/imagery/${res.json().id}` });
    expect(del.statusCode).toBe(204);
    registered.pop();
    expect(readdirSync(join(imageryDir, 'uploads'))).toHaveLength(0);
  });
});

describe('access', () => {
  it('the public and enterprises neither list nor read restricted imagery; planners do', async () => {
    const r = await byPath('gdal/k4490.tif', 'restricted', 'restricted');
    expect(r.statusCode).toBe(201);
    const id = r.json().id as number;
    const pub = registered[0]!;
    const t = tileAt(114.322, 34.806, 16);
    const url = `/api/imagery/${id}/tiles/16/${t.x}/${t.y}.png`;

    const anon = { cookie: '' };
    const list = ImageryList.parse((await app.inject({ url: '/api/imagery', headers: anon })).json());
    expect(list.layers.some((l) => l.id === id)).toBe(false);
    expect(list.layers.some((l) => l.id === pub)).toBe(true);
    expect(list.layers.every((l) => l.filePath === undefined)).toBe(true);
    expect((await app.inject({ url: `/api/imagery/${id}`, headers: anon })).statusCode).toBe(401);
    const anonTile = await app.inject({ url, headers: anon });
    expect(anonTile.statusCode).toBe(401);
    expect(anonTile.headers['content-type']).toMatch(/json/);
    expect((await app.inject({ url: `/api/imagery/${pub}/tiles/16/${t.x}/${t.y}.png`, headers: anon })).statusCode).toBe(200);

    const ent = await signInAs(app, db, 'enterprise');
    expect((await app.inject({ url, headers: { cookie: ent.cookie } })).statusCode).toBe(403);
    const planner = await signInAs(app, db, 'planner');
    const ok = await app.inject({ url, headers: { cookie: planner.cookie } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toMatch(/private/);
    const plannerList = ImageryList.parse((await app.inject({ url: '/api/imagery', headers: { cookie: planner.cookie } })).json());
    expect(plannerList.layers.some((l) => l.id === id)).toBe(true);

    // made public by the administrator: the public sees it; a new ETag
    const before = String(ok.headers.etag);
    const patched = await app.inject({ method: 'PATCH', url: `/api/admin/imagery/${id}`, payload: { access: 'public' } });
    expect(patched.statusCode).toBe(200);
    const now = await app.inject({ url, headers: anon });
    expect(now.statusCode).toBe(200);
    expect(String(now.headers.etag)).not.toBe(before);
    // administrators only
    expect((await app.inject({ method: 'POST', url: '/api/admin/imagery/from-path', payload: { path: 'gdal/k4490.tif', ...meta('p') }, headers: { cookie: planner.cookie, 'x-csrf-token': planner.csrfToken } })).statusCode).toBe(403);
  });
});
