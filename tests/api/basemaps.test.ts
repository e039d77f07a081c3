/**
 * Base maps on whichever backend the suite runs: Tianditu through the server's proxy against a
 * local server speaking its WMTS GetTile (Tianditu itself cannot be reached from here) — the
 * request's format, the key kept on the server, the tile arriving, upstream failures in words;
 * an administrator adding the bureau's own XYZ/TMS service (checked by one tile), refused for a
 * page that is not a tile, an unreachable host and GCJ-02 providers; the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { actAs, signInAs } from '../helpers/session.ts';
import { startTileServer, type TileServer } from '../helpers/tile-server.ts';

const KEY = 'abcdef0123456789abcdef0123456789';

describe(`base maps on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let upstream: TileServer;
  beforeAll(async () => {
    upstream = await startTileServer({ key: KEY });
    ({ db, close } = await openPrivateDatabase());
    // a short time-out so the hanging upstream is given up on soon (the default is 8 s)
    app = await buildApp({ db, basemapSources: { tianditu: { key: KEY, url: upstream.url, reviewNumber: 'GS(2099)0001号' }, upstreamTimeoutMs: 1_500 } });
    await actAs(app, db, 'admin');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await close?.();
    await upstream?.close();
  });

  const config = async () => (await app.inject({ url: '/api/config', headers: { cookie: '' } })).json().basemaps as { id: string; tiles: string[]; labelTiles?: string[]; attribution: string; nameEn?: string }[];

  it('offers Tianditu vector, imagery and terrain, each with its annotation layer, without the key', async () => {
    const res = await app.inject({ url: '/api/config', headers: { cookie: '' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(KEY);
    const maps = await config();
    const tdt = maps.filter((b) => b.id.startsWith('tianditu-'));
    expect(tdt.map((b) => b.id)).toEqual(['tianditu-vec', 'tianditu-img', 'tianditu-ter']);
    expect(tdt[1]).toMatchObject({ tiles: ['/tiles/basemaps/tianditu/img/{z}/{x}/{y}'], labelTiles: ['/tiles/basemaps/tianditu/cia/{z}/{x}/{y}'], nameEn: 'Tianditu imagery' });
    expect(tdt[0]!.attribution).toBe('天地图 · 国家地理信息公共服务平台 · 审图号：GS(2099)0001号');
  });

  it('proxies a tile as WMTS GetTile on the tile set w with the key, and the PNG arrives', async () => {
    upstream.requests.length = 0;
    const res = await app.inject({ url: '/tiles/basemaps/tianditu/img/10/837/407', headers: { cookie: '' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.rawPayload.equals(await upstream.png('img'))).toBe(true);
    expect(upstream.requests).toHaveLength(1);
    const u = upstream.requests[0]!;
    expect(u.pathname).toBe('/img_w/wmts');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      SERVICE: 'WMTS',
      REQUEST: 'GetTile',
      VERSION: '1.0.0',
      LAYER: 'img',
      STYLE: 'default',
      TILEMATRIXSET: 'w',
      FORMAT: 'tiles',
      TILEMATRIX: '10',
      TILEROW: '407',
      TILECOL: '837',
      tk: KEY,
    });
    // the annotation layer of the same tile
    const labels = await app.inject({ url: '/tiles/basemaps/tianditu/cia/10/837/407', headers: { cookie: '' } });
    expect(labels.statusCode).toBe(200);
    expect(upstream.requests[1]!.searchParams.get('LAYER')).toBe('cia');
    // asked again: from the server's cache, upstream not asked
    await app.inject({ url: '/tiles/basemaps/tianditu/img/10/837/407', headers: { cookie: '' } });
    expect(upstream.requests).toHaveLength(2);
  });

  it('fetches nothing but Tianditu’s layers and tiles in range', async () => {
    upstream.requests.length = 0;
    const unknown = await app.inject({ url: '/tiles/basemaps/tianditu/evil/1/0/0', headers: { cookie: '' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toMatch(/天地图没有图层“evil”/);
    const past = await app.inject({ url: '/tiles/basemaps/tianditu/vec/3/8/0', headers: { cookie: '', 'accept-language': 'en' } });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.message).toBe("At zoom 3 a tile's column and row are 0–7");
    const deep = await app.inject({ url: '/tiles/basemaps/tianditu/ter/16/0/0', headers: { cookie: '' } });
    expect(deep.statusCode).toBe(404);
    expect(deep.json().error.code).toBe('BASEMAP_ZOOM_OUT_OF_RANGE');
    expect(upstream.requests).toHaveLength(0);
  });

  it('adds the bureau’s XYZ service after fetching one tile, serves it, and logs it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/basemaps/services',
      payload: { nameZh: '本局影像 2025', nameEn: 'Bureau imagery 2025', url: `${upstream.url}/xyz/{z}/{x}/{y}.png`, kind: 'xyz', attribution: '开封市自然资源和规划局', minZoom: 8, maxZoom: 18 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    const listed = (await config()).find((b) => b.id === `service-${id}`);
    expect(listed).toMatchObject({ tiles: [`/tiles/basemaps/services/${id}/{z}/{x}/{y}`], attribution: '开封市自然资源和规划局', nameEn: 'Bureau imagery 2025' });
    upstream.requests.length = 0;
    const tile = await app.inject({ url: `/tiles/basemaps/services/${id}/12/3349/1631`, headers: { cookie: '' } });
    expect(tile.statusCode).toBe(200);
    expect(tile.rawPayload.equals(await upstream.png('xyz'))).toBe(true);
    expect(upstream.requests.map((u) => u.pathname)).toEqual(['/xyz/12/3349/1631.png']);
    const log = await db.query<{ action: string; target: string; details: { url: string } }>(`SELECT action, target, details FROM audit_log WHERE action LIKE 'basemap-%' ORDER BY id`);
    expect(log.at(-1)).toMatchObject({ action: 'basemap-service-added', target: '本局影像 2025', details: { url: `${upstream.url}/xyz/{z}/{x}/{y}.png` } });
    // removed: gone from the list, its tiles 404, and logged
    expect((await app.inject({ method: 'DELETE', url: `/api/admin/basemaps/services/${id}` })).statusCode).toBe(204);
    expect((await config()).some((b) => b.id === `service-${id}`)).toBe(false);
    expect((await app.inject({ url: `/tiles/basemaps/services/${id}/12/3349/1631`, headers: { cookie: '' } })).statusCode).toBe(404);
    const after = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'basemap-%' ORDER BY id DESC LIMIT 1`);
    expect(after[0]!.action).toBe('basemap-service-removed');
  });

  it('counts a TMS service’s rows from the bottom', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/admin/basemaps/services', payload: { nameZh: 'TMS 测试', nameEn: 'TMS test', url: `${upstream.url}/xyz/{z}/{x}/{y}.png`, kind: 'tms' } });
    expect(res.statusCode, res.body).toBe(201);
    upstream.requests.length = 0;
    await app.inject({ url: `/tiles/basemaps/services/${res.json().id}/12/3349/1631`, headers: { cookie: '' } });
    expect(upstream.requests.map((u) => u.pathname)).toEqual([`/xyz/12/3349/${2 ** 12 - 1 - 1631}.png`]);
    await app.inject({ method: 'DELETE', url: `/api/admin/basemaps/services/${res.json().id}` });
  });

  it('refuses a service whose tile is not an image, cannot be reached, fails or hangs — saying why', async () => {
    const add = (url: string, lang = 'zh') =>
      app.inject({ method: 'POST', url: '/api/admin/basemaps/services', headers: { 'accept-language': lang }, payload: { nameZh: '测试', nameEn: 'Test', url, kind: 'xyz' } });
    const html = await add(`${upstream.url}/html/{z}/{x}/{y}`);
    expect(html.statusCode).toBe(422);
    expect(html.json().error.message).toBe('取一块瓦片检查未通过，未保存：该服务返回的不是图片（text/html）');
    const closed = await add('http://127.0.0.1:9/{z}/{x}/{y}.png', 'en');
    expect(closed.statusCode).toBe(422);
    expect(closed.json().error.message).toMatch(/^Fetching one tile to check failed, nothing was saved: The service cannot be reached/);
    const fail = await add(`${upstream.url}/fail/{z}/{x}/{y}`);
    expect(fail.json().error.message).toMatch(/返回 HTTP 500$/);
    const hang = await add(`${upstream.url}/hang/{z}/{x}/{y}`);
    expect(hang.statusCode).toBe(422);
    expect(hang.json().error.message).toMatch(/在 1\.5 秒内没有应答$/);
    const noPlaceholders = await add(`${upstream.url}/xyz/tile.png`);
    expect(noPlaceholders.statusCode).toBe(400);
    expect(noPlaceholders.json().error.message).toMatch(/须含级别、列、行占位符/);
    const ftp = await add('ftp://example.org/{z}/{x}/{y}');
    expect(ftp.statusCode).toBe(400);
    const services = (await app.inject({ url: '/api/admin/basemaps' })).json().services;
    expect(services).toEqual([]);
  });

  it('refuses 高德, 腾讯 and 百度 tiles (GCJ-02 / BD-09 offsets) without fetching them', async () => {
    upstream.requests.length = 0;
    for (const [url, who] of [
      ['https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}', '高德'],
      ['https://wprd02.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=6', '高德'],
      ['https://rt1.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector', '腾讯'],
      ['https://maponline0.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}', '百度'],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/admin/basemaps/services', payload: { nameZh: '偏移', nameEn: 'Offset', url, kind: 'xyz' } });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().error.code).toBe('BASEMAP_OFFSET_DATUM');
      expect(res.json().error.message).toContain(who);
    }
    const en = await app.inject({ method: 'POST', url: '/api/admin/basemaps/services', headers: { 'accept-language': 'en' }, payload: { nameZh: '偏移', nameEn: 'Offset', url: 'https://webst01.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}', kind: 'xyz' } });
    expect(en.json().error.message).toMatch(/^AutoNavi \(Amap\) tiles are in the GCJ-02 offset coordinates, hundreds of metres from CGCS2000/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('lets only administrators change base maps', async () => {
    const planner = await signInAs(app, db, 'planner');
    const body = { nameZh: '测试', nameEn: 'Test', url: `${upstream.url}/xyz/{z}/{x}/{y}.png`, kind: 'xyz' };
    const res = await app.inject({ method: 'POST', url: '/api/admin/basemaps/services', payload: body, headers: { cookie: planner.cookie, 'x-csrf-token': planner.csrfToken } });
    expect(res.statusCode).toBe(403);
    const anon = await app.inject({ method: 'PATCH', url: '/api/admin/basemaps/tianditu', payload: { key: 'x'.repeat(32) }, headers: { cookie: '' } });
    expect(anon.statusCode).toBe(401);
    const state = await app.inject({ url: '/api/admin/basemaps', headers: { cookie: planner.cookie } });
    expect(state.statusCode).toBe(403);
  });

  it('takes a key set on the admin page after checking it on one tile, and uses it instead of the environment’s', async () => {
    const wrong = await app.inject({ method: 'PATCH', url: '/api/admin/basemaps/tianditu', payload: { key: '0000000000000000ffffffffffffffff' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.message).toMatch(/天地图拒绝了请求（HTTP 403）：密钥可能无效/);
    const before = (await app.inject({ url: '/api/admin/basemaps' })).json().tianditu;
    expect(before).toMatchObject({ keySource: 'env', keyHint: `…${KEY.slice(-4)}` });
    // the local server takes only KEY; an admin key equal to it but set here counts as the admin's
    const ok = await app.inject({ method: 'PATCH', url: '/api/admin/basemaps/tianditu', payload: { key: KEY, reviewNumber: 'GS(2099)0002号' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().tianditu).toMatchObject({ keySource: 'admin', reviewNumber: 'GS(2099)0002号' });
    expect(JSON.stringify(ok.json())).not.toContain(KEY);
    expect((await config())[0]!.attribution).toMatch(/审图号：GS\(2099\)0002号$/);
    const [entry] = await db.query<{ details: Record<string, string> }>(`SELECT details FROM audit_log WHERE action = 'basemap-tianditu-changed' ORDER BY id DESC LIMIT 1`);
    expect(entry!.details).toEqual({ keyHint: `…${KEY.slice(-4)}`, reviewNumber: 'GS(2099)0002号' });
    // removed here: the environment's key applies again
    const removed = await app.inject({ method: 'PATCH', url: '/api/admin/basemaps/tianditu', payload: { key: null } });
    expect(removed.json().tianditu.keySource).toBe('env');
  });

  it('answers an upstream failure with 502 and a hang with 504, in words, never a 500', async () => {
    const broken = await buildApp({ db, basemapSources: { tianditu: { key: KEY, url: `${upstream.url}/fail` }, upstreamTimeoutMs: 1_500 } });
    const hanging = await buildApp({ db, basemapSources: { tianditu: { key: KEY, url: `${upstream.url}/hang` }, upstreamTimeoutMs: 1_500 } });
    try {
      const bad = await broken.inject({ url: '/tiles/basemaps/tianditu/vec/10/837/407' });
      expect(bad.statusCode).toBe(502);
      expect(bad.json().error.message).toBe('天地图返回 HTTP 500');
      const slow = await hanging.inject({ url: '/tiles/basemaps/tianditu/vec/10/837/407', headers: { 'accept-language': 'en' } });
      expect(slow.statusCode).toBe(504);
      expect(slow.json().error.message).toBe('Tianditu did not answer within 1.5 s');
    } finally {
      await broken.close();
      await hanging.close();
    }
  });

  it('offers no Tianditu without a key', async () => {
    const bare = await buildApp({ db });
    try {
      const maps = (await bare.inject({ url: '/api/config' })).json().basemaps as { id: string }[];
      expect(maps.some((b) => b.id.startsWith('tianditu'))).toBe(false);
      const tile = await bare.inject({ url: '/tiles/basemaps/tianditu/vec/10/837/407' });
      expect(tile.statusCode).toBe(404);
      expect(tile.json().error.code).toBe('TIANDITU_NOT_CONFIGURED');
    } finally {
      await bare.close();
    }
  });
});
