/**
 * Imagery layers over HTTP (影像):
 *
 * - `GET /api/imagery` — the periods the caller may see (the public: public ones only);
 * - `GET /api/imagery/{id}` — one; 401/403 for a restricted one the caller may not see;
 * - `GET /api/imagery/{id}/tiles/{z}/{x}/{y}.png|jpg|webp` — a Web Mercator tile rendered from the
 *   file (render.ts in the pool of pool.ts); transparent outside the image; ETag, Cache-Control;
 * - `POST /api/admin/imagery?name=…&nameEn=…&periodLabel=…&periodDate=…&access=…` (multipart
 *   `file`) — registers an uploaded GeoTIFF, streamed to IMAGERY_DIR/uploads;
 * - `POST /api/admin/imagery/from-path` — registers a file already under IMAGERY_DIR;
 * - `PATCH` / `DELETE /api/admin/imagery/{id}` — names, period, access; removal (an uploaded file
 *   is deleted with its row, a file registered by path is left where it was).
 *
 * Restricted imagery is seen by the roles that see the registry's restricted layers
 * (core/access.ts `maySeeLayer`): planners, auditors, administrators.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atLeast, maySeeLayer, ROLE_LABEL, ROLES } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { ImageryFromPath, ImageryLayer, ImageryList, ImageryMeta, ImageryParams, ImageryPatch } from '../../../../core/contracts/imagery.ts';
import { uploadErrorHandler, uploadedFileToDisk } from '../../http/upload.ts';
import { roleOf } from '../../plugins/auth.ts';
import { AppError } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { isValidTile, MAX_TILE_ZOOM } from '../tiles/tile-math.ts';
import { describeGeoTiff, ImageryFileError } from './geotiff-source.ts';
import { closeImageryPool, emptyTile, encodeTile, renderInPool, type TileFormat } from './pool.ts';
import { deleteImagery, fileOf, getImagery, imageryOut, insertImagery, listImagery, resolveServerPath, updateImagery, type ImageryRow } from './store.ts';

/** Largest orthophoto taken by upload: a county's 0.5 m imagery as a COG runs to tens of GB; larger ones are placed on the server and registered by path. */
export const MAX_IMAGERY_UPLOAD_BYTES = 20 * 1024 * 1024 * 1024;

export interface ImageryOptions {
  /** Where orthophotos live (IMAGERY_DIR; uploads in its uploads/). */
  imageryDir: string;
}

const admin = { access: atLeast('admin') };
const everyone = { access: ROLES };
const MIME: Record<TileFormat, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

const TileParams = z.object({ id: z.string(), z: z.string(), x: z.string(), y: z.string(), format: z.string() });
const intParam = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : NaN);

const routes: FastifyPluginAsyncZod<ImageryOptions> = async (app, opts) => {
  const { imageryDir } = opts;
  await app.register(multipart, { limits: { fileSize: MAX_IMAGERY_UPLOAD_BYTES, files: 1 } });
  app.addHook('onClose', async () => closeImageryPool());
  const GB = MAX_IMAGERY_UPLOAD_BYTES / 1024 ** 3;
  const uploadErrors = uploadErrorHandler(
    () => new AppError(413, 'FILE_TOO_LARGE', `影像文件过大：上传最大 ${GB} GB；更大的请放到服务器的影像目录后按路径登记`, `The image is too large: uploads take at most ${GB} GB; place a larger one in the server's imagery directory and register it by path`),
  );

  const isAdmin = (req: FastifyRequest) => req.user?.role === 'admin';

  /** The row, or 404; 401/403 when the caller may not see a restricted one. */
  const visible = async (req: FastifyRequest, id: number): Promise<ImageryRow> => {
    const row = await getImagery(app.db, id);
    if (!row) throw new AppError(404, 'IMAGERY_NOT_FOUND', `没有编号为 ${id} 的影像`, `No imagery layer ${id}`);
    const role = roleOf(req);
    if (!maySeeLayer(role, row.access)) {
      const what = { zh: `查看受控影像“${row.name}”`, en: `see the restricted imagery "${row.name_en}"` };
      throw req.user
        ? new AppError(403, 'FORBIDDEN', `当前角色（${ROLE_LABEL[role].zh}）无权${what.zh}`, `Your role (${ROLE_LABEL[role].en}) may not ${what.en}`)
        : new AppError(401, 'SIGN_IN_REQUIRED', `请先登录：${what.zh}需要相应权限`, `Please sign in: to ${what.en} needs a role that may`);
    }
    return row;
  };

  /** Reads the file and registers it; the file's problem as a 422 (an uploaded file is removed then). */
  const register = async (
    req: FastifyRequest,
    meta: ImageryMeta,
    file: { abs: string; rel: string; fileName: string; source: 'upload' | 'path' },
  ) => {
    let info;
    try {
      info = await describeGeoTiff(file.abs);
    } catch (e) {
      if (file.source === 'upload') await rm(file.abs, { force: true });
      if (e instanceof ImageryFileError) throw new AppError(422, e.code, `影像无法登记：${e.zh}`, `The image cannot be registered: ${e.en}`);
      throw e;
    }
    const row = await insertImagery(app.db, meta, { relPath: file.rel, fileName: file.fileName, source: file.source }, info, req.user?.username ?? null);
    await audit(app.db, { action: 'imagery-registered', user: req.user ?? undefined, ip: req.ip, target: String(row.id), details: { name: meta.name, period: meta.periodLabel, access: meta.access, file: file.fileName, epsg: info.epsg } });
    return imageryOut(row, true);
  };

  app.get(
    '/api/imagery',
    { config: everyone, schema: { summary: '影像图层 Imagery layers', description: '调用者可见的影像期次（公众只见公开影像）。', tags: ['imagery'], response: { 200: ImageryList } } },
    async (req) => {
      const role = roleOf(req);
      const rows = (await listImagery(app.db)).filter((r) => maySeeLayer(role, r.access));
      return { layers: rows.map((r) => imageryOut(r, isAdmin(req))) };
    },
  );

  app.get(
    '/api/imagery/:id',
    { config: everyone, schema: { summary: '影像图层 Imagery layer', tags: ['imagery'], params: ImageryParams, response: { 200: ImageryLayer, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse } } },
    async (req) => imageryOut(await visible(req, req.params.id), isAdmin(req)),
  );

  app.get(
    '/api/imagery/:id/tiles/:z/:x/:y.:format',
    {
      config: everyone,
      schema: {
        summary: '影像瓦片 Imagery tile',
        description: 'Web 墨卡托（EPSG:3857 XYZ）256×256 影像瓦片，png / jpg / webp；影像范围外透明。受控影像须登录（规划、督察、管理员）。',
        tags: ['imagery'],
        params: TileParams,
        response: { 200: z.any().meta({ description: 'image/png | image/jpeg | image/webp' }), 304: z.null(), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      const id = intParam(req.params.id);
      const format = req.params.format as TileFormat;
      if (!(format in MIME)) throw new AppError(400, 'IMAGERY_TILE_FORMAT', `影像瓦片格式只能是 png、jpg 或 webp，收到“${req.params.format}”`, `An imagery tile is png, jpg or webp, not "${req.params.format}"`);
      const z = intParam(req.params.z);
      const x = intParam(req.params.x);
      const y = intParam(req.params.y);
      if (!(id >= 1) || !isValidTile(z, x, y)) {
        throw new AppError(
          400,
          'INVALID_TILE',
          `瓦片坐标无效：${req.params.z}/${req.params.x}/${req.params.y}（z 须为 0–${MAX_TILE_ZOOM} 的整数，x、y 须为 0 到 2^z−1 的整数）`,
          `Invalid tile ${req.params.z}/${req.params.x}/${req.params.y} (z must be an integer 0–${MAX_TILE_ZOOM}, x and y integers 0 to 2^z−1)`,
        );
      }
      const row = await visible(req, id);
      const etag = `"img-${row.id}-${Math.round(row.updated_ms)}-${z}-${x}-${y}-${format}"`;
      reply.header('etag', etag);
      reply.header('cache-control', row.access === 'public' ? 'public, max-age=86400' : 'private, max-age=3600');
      if (row.access === 'restricted') reply.header('vary', 'Cookie');
      if (req.headers['if-none-match'] === etag) return reply.status(304).send(null);
      const rgba = await renderInPool({ path: fileOf(imageryDir, row.file_path), epsg: row.epsg, version: row.updated_ms, z, x, y });
      reply.header('x-imagery-empty', rgba ? '0' : '1');
      return reply.type(MIME[format]).send(rgba ? await encodeTile(rgba, format) : await emptyTile(format));
    },
  );

  app.post(
    '/api/admin/imagery',
    {
      config: admin,
      errorHandler: uploadErrors,
      schema: {
        summary: '上传影像 Upload imagery',
        description: 'multipart 字段 file：GeoTIFF / COG（EPSG:4490、4326、3857 或 CGCS2000 高斯-克吕格分带），名称、期次、访问权限在查询参数中。',
        tags: ['admin'],
        querystring: ImageryMeta,
        response: { 201: ImageryLayer, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const file = await uploadedFileToDisk(req, join(imageryDir, 'uploads'), { zh: '请上传 GeoTIFF 影像文件（字段名 file）', en: 'Upload a GeoTIFF image (field "file")' });
      const out = await register(req, req.query, { abs: file.path, rel: join('uploads', file.path.split(/[\\/]/).pop()!), fileName: file.fileName, source: 'upload' });
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/api/admin/imagery/from-path',
    {
      config: admin,
      schema: {
        summary: '按服务器路径登记影像 Register imagery by path',
        description: '服务器影像目录（IMAGERY_DIR）下的 GeoTIFF / COG，路径相对于该目录；目录外的路径（含 ../ 与符号链接）一律拒绝。',
        tags: ['admin'],
        body: ImageryFromPath,
        response: { 201: ImageryLayer, 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { path, ...meta } = req.body;
      const found = await resolveServerPath(imageryDir, path);
      const out = await register(req, meta, { ...found, fileName: found.rel.split(/[\\/]/).pop()!, source: 'path' });
      return reply.status(201).send(out);
    },
  );

  app.patch(
    '/api/admin/imagery/:id',
    { config: admin, schema: { summary: '修改影像 Edit imagery', tags: ['admin'], params: ImageryParams, body: ImageryPatch, response: { 200: ImageryLayer, 404: ErrorResponse } } },
    async (req) => {
      const row = await updateImagery(app.db, req.params.id, req.body);
      if (!row) throw new AppError(404, 'IMAGERY_NOT_FOUND', `没有编号为 ${req.params.id} 的影像`, `No imagery layer ${req.params.id}`);
      await audit(app.db, { action: 'imagery-changed', user: req.user ?? undefined, ip: req.ip, target: String(row.id), details: req.body });
      return imageryOut(row, true);
    },
  );

  app.delete(
    '/api/admin/imagery/:id',
    { config: admin, schema: { summary: '删除影像 Remove imagery', tags: ['admin'], params: ImageryParams, response: { 204: z.null(), 404: ErrorResponse } } },
    async (req, reply) => {
      const row = await deleteImagery(app.db, req.params.id);
      if (!row) throw new AppError(404, 'IMAGERY_NOT_FOUND', `没有编号为 ${req.params.id} 的影像`, `No imagery layer ${req.params.id}`);
      if (row.source === 'upload') await rm(fileOf(imageryDir, row.file_path), { force: true });
      await audit(app.db, { action: 'imagery-removed', user: req.user ?? undefined, ip: req.ip, target: String(row.id), details: { name: row.name } });
      return reply.status(204).send(null);
    },
  );
};
export default routes;
