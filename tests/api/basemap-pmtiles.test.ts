/**
 * The offline vector base map: a PMTiles file placed on the server, served by range requests
 * (206, Accept-Ranges, Content-Range, ETag, 304, 416) and read through the app by the
 * independent `pmtiles` library, which finds the tiles GDAL made.
 *
 * The fixture: GDAL 3.6 writes vector MBTiles (the MVT driver) but not PMTiles, and no PMTiles
 * writer is installed, so GDAL's tiles (`ogr2ogr -f MBTiles`, read back with better-sqlite3) are
 * packed into PMTiles v3 by tests/helpers/pmtiles-writer.ts, written from the specification.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FetchSource, PMTiles } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { decodeTile } from '../helpers/mvt.ts';
import { gdalPmtiles } from '../helpers/basemap-fixture.ts';

describe(`the offline vector base map (PMTiles) on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let base: string;
  let dir: string;
  let file: Buffer;
  let tiles: { z: number; x: number; y: number; data: Buffer }[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yzt-pmtiles-'));
    ({ file, tiles } = gdalPmtiles(dir));
    ({ db, close } = await openTestDatabase());
    app = await buildApp({ db, basemapSources: { pmtiles: join(dir, 'basemap.pmtiles'), mbtiles: join(dir, 'base.mbtiles') } });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is offered to the workspace once the file is placed', async () => {
    const maps = (await app.inject({ url: '/api/config' })).json().basemaps;
    expect(maps[0]).toMatchObject({ id: 'pmtiles', kind: 'pmtiles', url: '/tiles/basemaps/offline.pmtiles' });
    const bare = await buildApp({ db, basemapSources: { pmtiles: join(dir, 'not-there.pmtiles') } });
    try {
      expect((await bare.inject({ url: '/api/config' })).json().basemaps.some((b: { id: string }) => b.id === 'pmtiles')).toBe(false);
      const missing = await bare.inject({ url: '/tiles/basemaps/offline.pmtiles', headers: { 'accept-language': 'en' } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.message).toBe('No offline vector base map file is placed on the server (BASEMAP_PMTILES)');
    } finally {
      await bare.close();
    }
  });

  it('answers a range with 206, the bytes asked for, Content-Range, Accept-Ranges and an ETag', async () => {
    const res = await fetch(`${base}/tiles/basemaps/offline.pmtiles`, { headers: { range: 'bytes=0-126' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-range')).toBe(`bytes 0-126/${file.length}`);
    expect(res.headers.get('content-length')).toBe('127');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(file.subarray(0, 127))).toBe(true);
    // a suffix range, an open range
    const tail = await fetch(`${base}/tiles/basemaps/offline.pmtiles`, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(file.subarray(file.length - 10))).toBe(true);
    const open = await fetch(`${base}/tiles/basemaps/offline.pmtiles`, { headers: { range: `bytes=${file.length - 5}-` } });
    expect(Buffer.from(await open.arrayBuffer()).equals(file.subarray(file.length - 5))).toBe(true);
    // unchanged: 304; past the end: 416 naming the length; no range: the whole file
    const again = await fetch(`${base}/tiles/basemaps/offline.pmtiles`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    const past = await fetch(`${base}/tiles/basemaps/offline.pmtiles`, { headers: { range: `bytes=${file.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${file.length}`);
    expect((await past.json()).error.message).toBe(`请求的字节范围超出文件长度（${file.length} 字节）`);
    const whole = await fetch(`${base}/tiles/basemaps/offline.pmtiles`);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(file)).toBe(true);
  });

  it('is read through the app by the pmtiles library: every tile GDAL made, with its layers and names', async () => {
    const reader = new PMTiles(new FetchSource(`${base}/tiles/basemaps/offline.pmtiles`));
    const header = await reader.getHeader();
    expect(header).toMatchObject({ specVersion: 3, minZoom: 10, maxZoom: 12, numAddressedTiles: tiles.length });
    expect(header.minLon).toBeCloseTo(114.2, 6);
    for (const t of tiles) {
      const got = await reader.getZxy(t.z, t.x, t.y);
      expect(got, `${t.z}/${t.x}/${t.y}`).toBeDefined();
      expect(Buffer.from(got!.data).equals(gunzipSync(t.data))).toBe(true);
    }
    // the tile over Kaifeng's centre holds the three layers, names in Chinese
    const z12 = tiles.filter((t) => t.z === 12).map((t) => decodeTile(gunzipSync(t.data)));
    const names = z12.flatMap((layersOf) => Object.entries(layersOf).flatMap(([layer, fs]) => fs.map((f) => `${layer}:${f.properties.name}`)));
    expect(new Set(names)).toEqual(new Set(['water:黄河', 'roads:郑开大道', 'places:开封']));
    expect(await reader.getZxy(9, 0, 0)).toBeUndefined();
    expect(readFileSync(join(dir, 'basemap.pmtiles')).equals(file)).toBe(true);
  });

  it('serves GDAL’s MBTiles file too, tile by tile (rows from the top, the stored gzip passed on)', async () => {
    const maps = (await app.inject({ url: '/api/config' })).json().basemaps;
    expect(maps.find((b: { id: string }) => b.id === 'mbtiles')).toMatchObject({ kind: 'vector', tiles: ['/tiles/basemaps/offline/{z}/{x}/{y}.mvt'], minzoom: 10, maxzoom: 12 });
    for (const t of tiles) {
      const res = await app.inject({ url: `/tiles/basemaps/offline/${t.z}/${t.x}/${t.y}.mvt` });
      expect(res.statusCode, `${t.z}/${t.x}/${t.y}`).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
      expect(res.rawPayload.equals(t.data)).toBe(true);
    }
    // as a browser reads it: the road where GDAL put it
    const road = tiles.find((t) => t.z === 12 && Object.keys(decodeTile(gunzipSync(t.data))).includes('roads'))!;
    const got = await fetch(`${base}/tiles/basemaps/offline/${road.z}/${road.x}/${road.y}.mvt`);
    expect(decodeTile(new Uint8Array(await got.arrayBuffer())).roads![0]!.properties.name).toBe('郑开大道');
    expect((await app.inject({ url: '/tiles/basemaps/offline/12/0/0.mvt' })).statusCode).toBe(204);
    expect((await app.inject({ url: '/tiles/basemaps/offline/3/9/0.mvt' })).statusCode).toBe(400);
  });
});
