/**
 * Base maps over HTTP (底图):
 *
 * - `GET /tiles/basemaps/tianditu/{layer}/{z}/{x}/{y}` — a Tianditu tile (vec, cva, img, cia,
 *   ter, cta) through the server, with the bureau's key added here;
 * - `GET /tiles/basemaps/services/{id}/{z}/{x}/{y}` — a tile of a service an administrator added;
 * - `GET /tiles/basemaps/offline.pmtiles` — the offline vector base map, by range requests;
 * - `GET /tiles/basemaps/offline/{z}/{x}/{y}.mvt` — the same from an MBTiles file, tile by tile;
 * - `GET /api/admin/basemaps`, `PATCH /api/admin/basemaps/tianditu`,
 *   `POST /api/admin/basemaps/services`, `DELETE /api/admin/basemaps/services/{id}` — the
 *   administrators' settings; every change is checked (one tile fetched) and logged.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atLeast, ROLES } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  BasemapAdminResponse,
  BasemapService,
  BasemapServiceParams,
  BasemapServiceRequest,
  ServiceTileParams,
  TiandituSettingsRequest,
  TiandituTileParams,
} from '../../../../core/contracts/basemaps.ts';
import { fillTemplate, offsetProviderOf, templateProblem, tileOf, tiandituTileUrl } from '../../../../core/basemaps.ts';
import { AppError } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { fetchTile, serviceOf } from './service.ts';
import { sendFileRange } from './pmtiles.ts';

const admin = { access: atLeast('admin') };
const everyone = { access: ROLES };
/** Where a service is checked: the tile over the city of Kaifeng at zoom 10 (or the nearest zoom the service has). */
const CHECK_POINT = { lon: 114.35, lat: 34.79, zoom: 10 };

const keyHint = (key: string | null) => (key ? `…${key.slice(-4)}` : null);

const routes: FastifyPluginAsyncZod = async (app) => {
  // app.ts decorates the app with its Basemaps (the config route reads it too)
  const bm = app.basemaps;
  app.addHook('onClose', async () => bm.mbtiles?.close());

  const sendTile = (reply: import('fastify').FastifyReply, tile: { bytes: Buffer; contentType: string }) =>
    reply.header('content-type', tile.contentType).header('cache-control', 'public, max-age=86400').send(tile.bytes);

  app.get(
    '/tiles/basemaps/tianditu/:layer/:z/:x/:y',
    {
      config: everyone,
      schema: {
        summary: '天地图瓦片（经服务器代理）Tianditu tile (proxied)',
        description: '向天地图（TIANDITU_URL）发出 WMTS GetTile（瓦片矩阵集 w，Web 墨卡托），附上本局密钥；未配置密钥 404，上游超时 504，拒绝或返回的不是图片 502。',
        tags: ['basemaps'],
        params: TiandituTileParams,
        response: { 400: ErrorResponse, 404: ErrorResponse, 502: ErrorResponse, 504: ErrorResponse },
      },
    },
    async (req, reply) => sendTile(reply, await bm.tiandituTile(req.params.layer, req.params.z, req.params.x, req.params.y)),
  );

  app.get(
    '/tiles/basemaps/services/:id/:z/:x/:y',
    {
      config: everyone,
      schema: {
        summary: '本局底图服务的瓦片（经服务器代理）Tile of a bureau service (proxied)',
        description: '管理员添加的 XYZ / TMS / WMTS 服务的一块瓦片；上游超时 504，拒绝或返回的不是图片 502。',
        tags: ['basemaps'],
        params: ServiceTileParams,
        response: { 400: ErrorResponse, 404: ErrorResponse, 502: ErrorResponse, 504: ErrorResponse },
      },
    },
    async (req, reply) => sendTile(reply, await bm.serviceTile(req.params.id, req.params.z, req.params.x, req.params.y)),
  );

  app.get(
    '/tiles/basemaps/offline.pmtiles',
    {
      config: everyone,
      schema: {
        summary: '离线矢量底图（PMTiles，按字节范围读取）Offline vector base map (PMTiles, range requests)',
        description: '服务器上放置的 PMTiles 文件（BASEMAP_PMTILES）；支持 Range（206）、ETag、If-None-Match。未放置时 404。',
        tags: ['basemaps'],
        response: { 404: ErrorResponse, 416: ErrorResponse },
      },
    },
    async (req, reply) => {
      const file = await bm.pmtilesFile();
      if (!file) throw new AppError(404, 'PMTILES_NOT_PLACED', '服务器上没有放置离线矢量底图文件（BASEMAP_PMTILES）', 'No offline vector base map file is placed on the server (BASEMAP_PMTILES)');
      return sendFileRange(req, reply, file, 'application/vnd.pmtiles');
    },
  );

  app.get(
    '/tiles/basemaps/offline/:z/:x/:y.mvt',
    {
      config: everyone,
      schema: {
        summary: '离线矢量底图瓦片（MBTiles）Offline vector base map tile (MBTiles)',
        description: '服务器上放置的 MBTiles 文件（BASEMAP_MBTILES）中的一块矢量瓦片；该处无瓦片 204，未放置文件 404。',
        tags: ['basemaps'],
        params: ServiceTileParams.omit({ id: true }),
        response: { 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { z, x, y } = req.params;
      const n = 2 ** z;
      if (z < 0 || z > 24 || x < 0 || y < 0 || x >= n || y >= n) {
        throw new AppError(400, 'TILE_OUT_OF_RANGE', `第 ${z} 级的瓦片行列号须在 0–${n - 1} 之间`, `At zoom ${z} a tile's column and row are 0–${n - 1}`);
      }
      if (!bm.mbtiles || !(await bm.mbtiles.info())) {
        throw new AppError(404, 'MBTILES_NOT_PLACED', '服务器上没有放置离线矢量底图文件（BASEMAP_MBTILES）', 'No offline vector base map file is placed on the server (BASEMAP_MBTILES)');
      }
      const tile = await bm.mbtiles.tile(z, x, y);
      const raw = reply as unknown as import('fastify').FastifyReply;
      raw.header('cache-control', 'public, max-age=300');
      if (!tile) return raw.code(204).send();
      raw.header('content-type', 'application/vnd.mapbox-vector-tile');
      if (tile.gzip) raw.header('content-encoding', 'gzip');
      return raw.send(tile.data);
    },
  );

  const adminState = async () => {
    const s = await bm.settings();
    const file = await bm.pmtilesFile();
    return {
      tianditu: { keySource: s.keySource, keyHint: keyHint(s.key), attribution: s.attribution, reviewNumber: s.reviewNumber, url: s.url },
      services: await bm.services(),
      pmtiles: file ? { path: file.path, bytes: file.bytes } : null,
    };
  };

  app.get(
    '/api/admin/basemaps',
    {
      config: admin,
      schema: {
        summary: '底图设置 Base-map settings',
        description: '天地图密钥来源（只给出末 4 位）、版权说明与审图号，本局添加的底图服务，离线矢量底图文件。',
        tags: ['admin'],
        response: { 200: BasemapAdminResponse },
      },
    },
    async () => adminState(),
  );

  app.patch(
    '/api/admin/basemaps/tianditu',
    {
      config: admin,
      schema: {
        summary: '设置天地图密钥与版权说明 Set the Tianditu key and attribution',
        description: '新密钥先取一块瓦片检查（失败 422，不保存）；key 为 null 删除此处设置的密钥（环境变量 TIANDITU_KEY 仍生效）。',
        tags: ['admin'],
        body: TiandituSettingsRequest,
        response: { 200: BasemapAdminResponse, 400: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const { key, attribution, reviewNumber } = req.body;
      const by = req.user?.username ?? null;
      const details: Record<string, unknown> = {};
      if (typeof key === 'string') {
        const s = await bm.settings();
        const { x, y } = tileOf(CHECK_POINT.lon, CHECK_POINT.lat, CHECK_POINT.zoom);
        try {
          await fetchTile(tiandituTileUrl(s.url, 'vec', CHECK_POINT.zoom, x, y, key), { zh: '天地图', en: 'Tianditu' }, bm.timeoutMs);
        } catch (e) {
          throw checkFailed(e);
        }
      }
      if (key !== undefined) {
        await bm.setSetting(app.db, 'tianditu.key', key, by);
        details.keyHint = keyHint(key) ?? '-';
      }
      if (attribution !== undefined) {
        await bm.setSetting(app.db, 'tianditu.attribution', attribution, by);
        details.attribution = attribution;
      }
      if (reviewNumber !== undefined) {
        await bm.setSetting(app.db, 'tianditu.reviewNumber', reviewNumber, by);
        details.reviewNumber = reviewNumber;
      }
      if (Object.keys(details).length) await audit(app.db, { action: 'basemap-tianditu-changed', user: req.user, ip: req.ip, target: 'tianditu', details });
      return adminState();
    },
  );

  app.post(
    '/api/admin/basemaps/services',
    {
      config: admin,
      schema: {
        summary: '添加底图服务 Add a base-map service',
        description:
          'XYZ（{z}/{x}/{y}）、TMS（行号自下而上）或 WMTS（KVP 或 REST 模板，{TileMatrix}/{TileRow}/{TileCol}，Web 墨卡托瓦片矩阵集）。' +
          '保存前取开封上空的一块瓦片检查：不可达、非图片或出错返回 422 并说明原因。高德、腾讯（GCJ-02）与百度（BD-09）的瓦片有数百米偏移，拒绝（422）。',
        tags: ['admin'],
        body: BasemapServiceRequest,
        response: { 201: BasemapService, 400: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const problem = templateProblem(b.url);
      if (problem) throw new AppError(400, 'BASEMAP_URL_INVALID', `瓦片地址模板无效：${problem.zh}`, `The tile address template is invalid: ${problem.en}`);
      const offset = offsetProviderOf(b.url);
      if (offset) {
        throw new AppError(
          422,
          'BASEMAP_OFFSET_DATUM',
          `${offset.zh}地图的瓦片采用 ${offset.datum} 加密坐标，与 CGCS2000 相差数百米，地块会画错位置，不能作为底图；请改用天地图或本局 CGCS2000 / WGS84 的服务`,
          `${offset.en} tiles are in the ${offset.datum} offset coordinates, hundreds of metres from CGCS2000 — parcels would be drawn in the wrong place; use Tianditu or a CGCS2000 / WGS84 service of the bureau`,
        );
      }
      if (b.minZoom > b.maxZoom) throw new AppError(400, 'BASEMAP_ZOOM_RANGE', '最小级别不能大于最大级别', 'The minimum zoom may not exceed the maximum');
      const z = Math.min(b.maxZoom, Math.max(b.minZoom, CHECK_POINT.zoom));
      const { x, y } = tileOf(CHECK_POINT.lon, CHECK_POINT.lat, z);
      try {
        await fetchTile(fillTemplate(b.url, b.kind, z, x, y), { zh: '该服务', en: 'The service' }, bm.timeoutMs);
      } catch (e) {
        throw checkFailed(e);
      }
      const [row] = await app.db.query<Parameters<typeof serviceOf>[0]>(
        `INSERT INTO basemap_service (name_zh, name_en, url, kind, attribution, min_zoom, max_zoom, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [b.nameZh, b.nameEn, b.url, b.kind, b.attribution, b.minZoom, b.maxZoom, req.user?.username ?? null],
      );
      bm.changed();
      await audit(app.db, { action: 'basemap-service-added', user: req.user, ip: req.ip, target: b.nameZh, details: { url: b.url, kind: b.kind } });
      return reply.code(201).send(serviceOf(row!));
    },
  );

  app.delete(
    '/api/admin/basemaps/services/:id',
    {
      config: admin,
      schema: {
        summary: '删除底图服务 Remove a base-map service',
        tags: ['admin'],
        params: BasemapServiceParams,
        response: { 204: z.null(), 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const rows = await app.db.query<{ name_zh: string; url: string }>(`DELETE FROM basemap_service WHERE id = $1 RETURNING name_zh, url`, [req.params.id]);
      if (!rows.length) throw new AppError(404, 'BASEMAP_NOT_FOUND', `没有编号为 ${req.params.id} 的底图服务`, `No base-map service number ${req.params.id}`);
      bm.changed();
      await audit(app.db, { action: 'basemap-service-removed', user: req.user, ip: req.ip, target: rows[0]!.name_zh, details: { url: rows[0]!.url } });
      return reply.code(204).send(null);
    },
  );
};

/** A check that fetched no usable tile: 422 with the reason (time-out, unreachable, refused, not an image). */
function checkFailed(e: unknown): AppError {
  if (!(e instanceof AppError)) throw e;
  return new AppError(422, 'BASEMAP_CHECK_FAILED', `取一块瓦片检查未通过，未保存：${e.zh}`, `Fetching one tile to check failed, nothing was saved: ${e.en}`);
}

export default routes;
