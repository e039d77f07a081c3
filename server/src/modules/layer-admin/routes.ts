/**
 * The administrators' layer management over HTTP (图层数据管理):
 *
 * - `GET /api/admin/layers` — each importable control layer with its versions;
 * - `POST /api/admin/layers/{layer}/imports` (multipart `file`) → 202 with a job that checks
 *   the file and waits at `ready` with the summary;
 * - `GET /api/admin/layer-jobs/{jobId}` — progress, summary, outcome;
 * - `POST /api/admin/layer-jobs/{jobId}/commit` → replaces the layer (202);
 * - `POST /api/admin/layer-jobs/{jobId}/cancel` — drops a check or rolls back a replacement;
 * - `POST /api/admin/layers/{layer}/versions/{versionNo}/restore` → 202 with a job.
 *
 * Routes only translate HTTP; the work is in service.ts and repo.ts.
 */
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { atLeast } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  IMPORTABLE_LAYERS,
  LayerCommitRequest,
  LayerImportQuery,
  LayerJob,
  LayerJobParams,
  LayerParams,
  LayerVersionParams,
  ManagedLayerList,
} from '../../../../core/contracts/layer-admin.ts';
import { getLayer } from '../../../../core/layers.ts';
import { rm } from 'node:fs/promises';
import { parseOptionsOf, uploadErrorHandler, uploadedFileToDisk } from '../../http/upload.ts';
import { AppError, requestLang } from '../../plugins/errors.ts';
import { readDataVersions } from '../data-version/service.ts';
import { ensureFirstVersion, findVersion, listVersions } from './repo.ts';
import type { LayerJobs } from './service.ts';
import { openLayerSource } from './source.ts';

/** Largest layer file taken: a city's permanent farmland as a zipped Shapefile or GeoPackage runs to a few GB. */
export const MAX_LAYER_FILE_BYTES = 4 * 1024 * 1024 * 1024;
const GB = MAX_LAYER_FILE_BYTES / 1024 / 1024 / 1024;

const tooLarge = () =>
  new AppError(413, 'FILE_TOO_LARGE', `文件过大：最大 ${GB} GB；请删去无关字段，或按县区分成几个文件`, `The file is too large: at most ${GB} GB; drop unneeded fields or split it by county`);

const admin = { access: atLeast('admin') };

export interface LayerAdminOptions {
  /** Where uploads are written while they are checked. */
  uploadDir: string;
  /** The app's layer jobs (app.ts starts and closes them). */
  jobs: LayerJobs;
}

const routes: FastifyPluginAsyncZod<LayerAdminOptions> = async (app, opts) => {
  await app.register(multipart, { limits: { fileSize: MAX_LAYER_FILE_BYTES, files: 1 } });
  // the upload's own errors in words (on its route only: the JSON routes keep the app's)
  const uploadErrors = uploadErrorHandler(tooLarge);
  const { jobs } = opts;

  const jobOf = async (req: FastifyRequest<{ Params: { jobId: string } }>) => {
    const job = await jobs.get(req.params.jobId);
    // a case import runs on the same queue but is answered at /api/cases/import/{jobId}
    if (!job || (job.kind !== 'import' && job.kind !== 'restore')) throw new AppError(404, 'LAYER_JOB_NOT_FOUND', `没有任务 ${req.params.jobId}`, `No job ${req.params.jobId}`);
    return job;
  };
  const actorOf = (req: FastifyRequest) => ({ user: req.user ?? null, ip: req.ip });

  app.get(
    '/api/admin/layers',
    {
      config: admin,
      schema: {
        summary: '可导入的图层及其版本 Managed layers',
        description: '城镇开发边界、永久基本农田、生态保护红线、一般耕地：在用版本与全部历史版本（第 1 版为首次导入前的数据）。',
        tags: ['admin'],
        response: { 200: ManagedLayerList },
      },
    },
    async () => {
      const { byLayer } = await readDataVersions(app.db);
      const out = [];
      for (const layer of IMPORTABLE_LAYERS) {
        await ensureFirstVersion(app.db, layer);
        const versions = await listVersions(app.db, layer);
        const def = getLayer(layer)!;
        out.push({ layer, nameZh: def.nameZh, nameEn: def.nameEn, active: versions.find((v) => v.state === 'active')!, versions, dataVersion: byLayer[layer] ?? 0 });
      }
      return { layers: out };
    },
  );

  app.post(
    '/api/admin/layers/:layer/imports',
    {
      config: admin,
      errorHandler: uploadErrors,
      schema: {
        summary: '导入图层新版本：检查 Import a layer: check',
        description:
          '上传 GeoJSON、Shapefile（.zip，含 .shp/.dbf/.prj，可含 .cpg）或 GeoPackage（.gpkg，读第一个要素图层）（multipart/form-data，字段名 file），按共用的解析器读取并转换到 EPSG:4490；返回 202 与任务。' +
          '任务检查每个要素的属性（编号 BSM/TBBH、县区 XZQDM/ZLDWDM、地类 DLBM/DLMC 等，缺省时取默认值）与图形（GEOS 有效性、所在县区），' +
          '然后停在 ready，给出要素数、范围、椭球面积合计、字段对应和逐个问题要素的原因；repair=true 时用 ST_MakeValid 修复无效图形，否则不导入它们。' +
          '文件边收边写入服务器磁盘（不大于 4 GB），任务存于数据库：服务重启后继续。检查不改动在用数据；确认用 POST /api/admin/layer-jobs/{jobId}/commit。文件无法读取返回 422，超过 4 GB 返回 413。',
        tags: ['admin'],
        consumes: ['multipart/form-data'],
        params: LayerParams,
        querystring: LayerImportQuery,
        response: { 202: LayerJob, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const options = parseOptionsOf(req.query);
      const file = await uploadedFileToDisk(req, opts.uploadDir, {
        zh: '没有收到文件：请上传 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg）',
        en: 'No file received: upload a GeoJSON, a zipped Shapefile or a GeoPackage (field "file")',
      });
      try {
        // refused at once when it cannot be read at all; the records are read by the job
        const source = await openLayerSource(file.path, file.fileName, options);
        await source.close();
      } catch (e) {
        await rm(file.path, { force: true });
        throw e;
      }
      const job = await jobs.startImport(req.params.layer, { ...file, repair: req.query.repair, options }, actorOf(req));
      return reply.status(202).send(jobs.view(job, requestLang(req)));
    },
  );

  app.get(
    '/api/admin/layer-jobs/:jobId',
    {
      config: admin,
      schema: {
        summary: '图层任务进度 Layer job',
        description: '阶段（phase）、本阶段进度（done/total）、本步骤总进度（progress，0–1：先是检查，确认后是替换）、检查结果（summary）、启用的版本（versionNo）或错误（error）。',
        tags: ['admin'],
        params: LayerJobParams,
        response: { 200: LayerJob, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => jobs.view(await jobOf(req), requestLang(req)),
  );

  app.post(
    '/api/admin/layer-jobs/:jobId/commit',
    {
      config: admin,
      schema: {
        summary: '确认替换图层 Confirm the replacement',
        description:
          '在一个事务中把在用版本存档、写入新要素并启用为新版本；失败或取消时整体回滚，原版本继续使用。完成后更新由控制线派生的存量土地管控情况。' +
          '任务不在 ready 阶段时返回 409；没有可导入的要素时返回 422。',
        tags: ['admin'],
        params: LayerJobParams,
        body: LayerCommitRequest,
        response: { 202: LayerJob, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const job = await jobs.commit((await jobOf(req)).id, actorOf(req), req.body.note);
      return reply.status(202).send(jobs.view(job, requestLang(req)));
    },
  );

  app.post(
    '/api/admin/layer-jobs/:jobId/cancel',
    {
      config: admin,
      schema: {
        summary: '取消图层任务 Cancel a layer job',
        description: '检查中或等待确认的任务即被放弃；替换中的任务在下一批写入前停止并整体回滚，原版本不受影响。已结束的任务返回 409。',
        tags: ['admin'],
        params: LayerJobParams,
        response: { 200: LayerJob, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const job = await jobs.cancel((await jobOf(req)).id);
      return jobs.view(job, requestLang(req));
    },
  );

  app.post(
    '/api/admin/layers/:layer/versions/:versionNo/restore',
    {
      config: admin,
      schema: {
        summary: '恢复图层的历史版本 Restore a layer version',
        description: '把一个已存档的版本换回在用（在用版本存档），一个事务完成；返回 202 与任务。没有该版本返回 404，该版本正在使用返回 409。',
        tags: ['admin'],
        params: LayerVersionParams,
        body: LayerCommitRequest,
        response: { 202: LayerJob, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { layer, versionNo } = req.params;
      await ensureFirstVersion(app.db, layer);
      const v = await findVersion(app.db, layer, versionNo);
      const name = getLayer(layer)!.nameZh;
      if (!v) throw new AppError(404, 'NO_SUCH_VERSION', `${name}没有第 ${versionNo} 版`, `The layer has no version ${versionNo}`);
      if (v.state === 'active') throw new AppError(409, 'VERSION_ACTIVE', `第 ${versionNo} 版就是${name}当前在用的版本`, `Version ${versionNo} is the one in use`);
      const job = await jobs.startRestore(layer, versionNo, actorOf(req), req.body?.note);
      return reply.status(202).send(jobs.view(job, requestLang(req)));
    },
  );
};
export default routes;
