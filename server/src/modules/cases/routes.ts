/**
 * Encroachment review (违法占地图斑核查) over HTTP:
 *
 * - `GET /api/cases` — the filtered, sorted, paged list with counts per status;
 * - `GET /api/cases/export.xlsx` · `.geojson` · `.shp.zip` — the same filters, every row;
 * - `GET /api/cases/stats?year=` and `/api/cases/stats/export.xlsx?year=` — the county view;
 * - `GET /api/cases/{id}` — the case page; `POST /api/cases/{id}/decisions` — a decision;
 * - `POST /api/cases/{id}/rectification` — a rectification entry (整改: deadline, done and when);
 * - `POST /api/cases/import` (multipart `file`) → 202 with a job; `GET /api/cases/import/{jobId}`;
 *   `POST /api/cases/import/{jobId}/commit` (a trial run's rows, committed) and `…/cancel`.
 *
 * Routes only translate HTTP; the rules are in service.ts and core/case-status.ts.
 */
import { atLeast } from '../../../../core/access.ts';
import { beijingStamp } from '../../../../core/beijing-time.ts';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  CaseDecisionRequest,
  CaseDetail,
  CaseExportQuery,
  CaseIdParams,
  CaseImportAccepted,
  CaseImportCommitRequest,
  CaseImportJob,
  CaseImportQuery,
  CaseListQuery,
  CaseListResponse,
  CaseRectificationRequest,
  CaseStatsQuery,
  CaseStatsResponse,
  ImportJobParams,
} from '../../../../core/contracts/cases.ts';
import { ParseQuery } from '../../../../core/contracts/geometry.ts';
import { rm } from 'node:fs/promises';
import { contentDisposition } from '../../http/download.ts';
import { parseOptionsOf, uploadErrorHandler, uploadedFileToDisk } from '../../http/upload.ts';
import { AppError, requestLang } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { assertInScope, scopeOf } from '../auth/scope.ts';
import { casesGeoJson, casesShapefileZip, casesWorkbook, statsWorkbook, type ExportCase } from './exports.ts';
import type { LayerJobs } from '../layer-admin/service.ts';
import { CaseImports, MAX_CASE_FILE_BYTES, countCaseRows, noSuchRow, type CaseImportInput } from './import.ts';
import { ensureCaseOverlaps } from './overlaps.ts';
import { listCases, searchCases, toSummary } from './repo.ts';
import { beijingYear, caseStats, decideCase, readCase, rectifyCase } from './service.ts';

const MB = MAX_CASE_FILE_BYTES / 1024 / 1024;

const tooLarge = () => new AppError(413, 'FILE_TOO_LARGE', `文件过大：最大 ${MB} MB，请分批导入`, `The file is too large: at most ${MB} MB; import it in parts`);
const NO_FILE = { zh: '没有收到文件：请上传 GeoJSON 或 Shapefile（.zip）', en: 'No file received: upload a GeoJSON or a zipped Shapefile (field "file")' };

/** "违法占地图斑-20261122" in Beijing time. */
const today = () => beijingStamp();

function download(reply: FastifyReply, zh: string, ascii: string, type: string, count?: number) {
  reply.header('content-type', type).header('content-disposition', contentDisposition(zh, ascii)).header('cache-control', 'no-store');
  if (count !== undefined) reply.header('x-total-count', String(count));
  return reply;
}

/** The query string a request came with, for the export's 说明. */
const filtersOf = (req: FastifyRequest) => decodeURIComponent(req.url.split('?')[1] ?? '');

export interface CaseRoutesOptions {
  /** The app's job queue (layer-admin/service.ts): a case import is one of its kinds. */
  jobs: LayerJobs;
  /** Where uploads are written while they are read. */
  uploadDir: string;
}

const routes: FastifyPluginAsyncZod<CaseRoutesOptions> = async (app, opts) => {
  await app.register(multipart, { limits: { fileSize: MAX_CASE_FILE_BYTES, files: 1 } });
  // the upload's own errors in words (on its route only: the JSON routes keep the app's)
  const uploadErrors = uploadErrorHandler(tooLarge);
  const jobs = new CaseImports(app.db, opts.jobs);
  /** A case list's reader: the request's, or the primary when the overlaps were computed there just now. */
  const readerOf = async (req: FastifyRequest) => ((await ensureCaseOverlaps(app.db)).cases ? app.db : req.reader);
  const jobOf = async (id: string) => {
    const job = await jobs.get(id);
    if (!job) throw new AppError(404, 'IMPORT_JOB_NOT_FOUND', `没有导入任务 ${id}（试导入的结果保留 24 小时）`, `No import job ${id} (a trial run is kept for 24 hours)`);
    return job;
  };
  /** A case of a county outside the caller's scope is refused (403) before anything is read or written; an unknown one is the handler's 404. */
  const assertCaseInScope = async (req: FastifyRequest, id: number) => {
    const [row] = await app.db.query<{ county_code: string }>('SELECT county_code FROM encroachment WHERE id = $1', [id]);
    if (row) await assertInScope(app.db, req, row.county_code, { zh: '该图斑', en: 'case' });
  };
  const acceptedOf = (id: string, dryRun: boolean, total: number) => ({ jobId: id, dryRun, statusUrl: `/api/cases/import/${id}`, total });

  app.get(
    '/api/cases',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '违法占地图斑列表 Encroachment cases',
        description:
          '按县区、核查状态、线索来源、发现日期范围、最小占用面积（亩；占用耕地、永久基本农田、一般耕地、生态保护红线、存量土地或任一）和图斑编号筛选，排序并分页；' +
          '同时返回其他条件下各核查状态的图斑数（statusCounts）。面积为 CGCS2000 椭球面积。',
        tags: ['cases'],
        querystring: CaseListQuery,
        response: { 200: CaseListResponse, 400: ErrorResponse },
      },
    },
    async (req) => searchCases(await readerOf(req), { ...req.query, scope: scopeOf(req) }),
  );

  const exportRows = async (req: FastifyRequest, geometry: boolean) => {
    const rows = await listCases(await readerOf(req), { ...(req.query as CaseExportQuery), scope: scopeOf(req) }, { geometry });
    return rows.map((r) => ({ c: { ...toSummary(r), comment: r.decision_comment } as ExportCase, geometry: r.geometry ? (JSON.parse(r.geometry) as { type: string; coordinates: unknown[] }) : null }));
  };
  const exportSchema = (format: string) => ({
    summary: `违法占地图斑导出 Cases as ${format}`,
    description: '与 /api/cases 相同的筛选与排序，导出全部符合条件的图斑（不分页），含各类占用面积（平方米与亩）、核查状态与结论。',
    tags: ['cases'],
    querystring: CaseExportQuery,
    response: { 400: ErrorResponse },
  });

  app.get('/api/cases/export.xlsx', { config: { access: atLeast('auditor') }, schema: exportSchema('Excel') }, async (req, reply: FastifyReply) => {
    const rows = await exportRows(req, false);
    download(reply, `违法占地图斑-${today()}.xlsx`, `cases-${today()}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', rows.length);
    return reply.send(casesWorkbook(rows.map((r) => r.c), '违法占地图斑清单'));
  });

  app.get('/api/cases/export.geojson', { config: { access: atLeast('auditor') }, schema: exportSchema('GeoJSON') }, async (req, reply: FastifyReply) => {
    const rows = await exportRows(req, true);
    download(reply, `违法占地图斑-${today()}.geojson`, `cases-${today()}.geojson`, 'application/geo+json; charset=utf-8', rows.length);
    return reply.send(casesGeoJson(rows.map((r) => ({ c: r.c, geometry: r.geometry! })), `违法占地图斑-${today()}`));
  });

  app.get('/api/cases/export.shp.zip', { config: { access: atLeast('auditor') }, schema: { ...exportSchema('zipped Shapefile'), description: exportSchema('').description + 'ZIP 内 cases.shp/.shx/.dbf（GBK）/.cpg/.prj（CGCS2000）与说明.txt；字段名不超过 10 个字符。' } }, async (req, reply: FastifyReply) => {
    const rows = await exportRows(req, true);
    const zip = await casesShapefileZip(rows.map((r) => ({ c: r.c, geometry: r.geometry! })), filtersOf(req));
    download(reply, `违法占地图斑-${today()}.zip`, `cases-${today()}.zip`, 'application/zip', rows.length);
    return reply.send(zip);
  });

  app.get(
    '/api/cases/stats',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '县区违法占地统计 County view',
        description:
          '按发现日期所在年度，逐县区统计发现图斑数、待核查数、认定违法占用的图斑占用耕地（永久基本农田 + 一般耕地）、其中永久基本农田和生态保护红线的面积（亩），' +
          '以及占用耕地的违法图斑中未在当年 12 月 31 日（北京时间）前完成整改的图斑数与耕地面积（unrectified、unrectifiedFarmland；含次年才整改的 rectifiedLate）。' +
          '按“年度新增违法违规占用耕地超过 20 亩，或本年度内未完成整改的，扣除下年度新增建设用地计划指标 200 亩”（焦作 2026，第十七项）判断：' +
          '超过 20 亩（按 2 位小数的亩数判断），或年度已结束而仍有未按期整改的图斑，为 over（breaches 说明原因：farmland、rectification），扣减 200 亩；' +
          '达到 15 亩，或本年度尚有待整改的图斑（年内整改即不扣减），为 close（warnings 说明原因）；其余 ok。',
        tags: ['cases'],
        querystring: CaseStatsQuery,
        response: { 200: CaseStatsResponse, 400: ErrorResponse },
      },
    },
    async (req) => caseStats(app.db, req.query.year ?? beijingYear(), scopeOf(req), undefined, req.reader),
  );

  app.get(
    '/api/cases/stats/export.xlsx',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '县区违法占地统计导出 County view as Excel',
        description: '与 /api/cases/stats 相同的年度县区统计表（含未按期整改的图斑数与耕地面积、扣减原因），含全市合计、规则说明及其依据。',
        tags: ['cases'],
        querystring: CaseStatsQuery,
        response: { 400: ErrorResponse },
      },
    },
    async (req, reply: FastifyReply) => {
      const stats = await caseStats(app.db, (req.query as { year?: number }).year ?? beijingYear(), scopeOf(req), undefined, req.reader);
      download(reply, `违法占地县区统计-${stats.year}.xlsx`, `case-stats-${stats.year}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      return reply.send(await statsWorkbook(stats));
    },
  );

  app.post(
    '/api/cases/import',
    {
      config: { access: atLeast('auditor') },
      errorHandler: uploadErrors,
      bodyLimit: MAX_CASE_FILE_BYTES,
      schema: {
        summary: '图斑批量导入 Import detection polygons',
        description:
          '上传 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg）（multipart/form-data，字段名 file），边收边写入服务器磁盘，再逐条流式读取（与图层导入相同的读取器）；导入人取自登录会话；返回 202 与导入任务号，进度和报告在 GET /api/cases/import/{jobId}。' +
          '任务存于数据库（layer_job）：服务重启后继续，可在任一实例上查看或取消（POST /api/cases/import/{jobId}/cancel）。' +
          '每个要素可带图斑编号（code/编号/图斑编号/TBBH）、线索来源（source/来源/线索来源）和发现日期（detectedOn/发现日期/JCRQ），缺省时取查询参数 source 与 detectedOn。' +
          '默认试导入（dryRun=true）：逐行报告 ok / invalid（原因）/ duplicate（与已有图斑或前面某行重叠超过 duplicateShare，给出重叠比例与图斑编号），不写入。' +
          '试导入完成后用 POST /api/cases/import/{jobId}/commit 提交其检查过的行（无需再次上传）；dryRun=false 则检查后直接提交：在一个事务中写入有效且不重复的行（以及 includeDuplicates 列出的重复行），分配缺省编号，并计算占用情况。' +
          `文件无法读取返回 422，超过 ${MB} MB 返回 413。`,
        tags: ['cases'],
        consumes: ['multipart/form-data'],
        querystring: CaseImportQuery.extend(ParseQuery.shape),
        response: { 202: CaseImportAccepted, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const options = parseOptionsOf(req.query);
      const file = await uploadedFileToDisk(req, opts.uploadDir, NO_FILE);
      let total: number;
      try {
        // the rows numbered, and a file that cannot be read refused at once; the job reads it again to check it
        total = await countCaseRows(file.path, file.fileName, options);
        const beyond = (req.query.includeDuplicates ?? []).filter((n) => n < 1 || n > total);
        if (beyond.length) throw noSuchRow(beyond, total);
      } catch (e) {
        await rm(file.path, { force: true });
        throw e;
      }
      // the importer is the signed-in user
      const { dryRun, duplicateShare, includeDuplicates, source, detectedOn } = req.query;
      const query = { dryRun, duplicateShare, source, ...(includeDuplicates ? { includeDuplicates } : {}), ...(detectedOn ? { detectedOn } : {}), actor: req.user ? req.user.displayName : req.query.actor };
      const input: Omit<CaseImportInput, 'host'> = { fileName: file.fileName, path: file.path, bytes: file.bytes, options, query, rows: total, commit: !dryRun, scope: scopeOf(req) };
      const job = await jobs.start(input, { user: req.user ?? null, ip: req.ip });
      if (!dryRun) await audit(app.db, { action: 'case-import', user: req.user, ip: req.ip, target: file.fileName, details: { rows: total, job: job.id } });
      return reply.status(202).send(acceptedOf(job.id, dryRun, total));
    },
  );

  app.post(
    '/api/cases/import/:jobId/commit',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '提交试导入 Commit a trial import',
        description:
          '把一个已完成的试导入按其检查过的行写入（不再上传文件）：在一个事务中，重新查找与已有图斑的重复（试导入之后可能有新图斑），写入有效且不重复的行以及 includeDuplicates 列出的重复行，分配缺省编号，计算占用情况并记录导入批次。' +
          '返回 202，进度和报告在同一任务号下。任务不在“试导入完成”状态时返回 409；行号不存在返回 400。',
        tags: ['cases'],
        params: ImportJobParams,
        body: CaseImportCommitRequest,
        response: { 202: CaseImportAccepted, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const found = await jobOf(req.params.jobId);
      const job = await jobs.commit(found.id, req.body?.includeDuplicates ?? [], { user: req.user ?? null, ip: req.ip });
      const input = job.input as unknown as CaseImportInput;
      await audit(app.db, { action: 'case-import', user: req.user, ip: req.ip, target: input.fileName, details: { rows: input.rows, job: job.id } });
      return reply.status(202).send(acceptedOf(job.id, false, input.rows));
    },
  );

  app.post(
    '/api/cases/import/:jobId/cancel',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '取消导入任务 Cancel an import',
        description: '排队、检查中或等待提交的任务即被放弃；提交中的任务在写入事务完成前停止并整体回滚，不写入任何图斑。已结束的任务返回 409。',
        tags: ['cases'],
        params: ImportJobParams,
        response: { 200: CaseImportJob, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const found = await jobOf(req.params.jobId);
      return jobs.view(await jobs.cancel(found.id), requestLang(req));
    },
  );

  app.get(
    '/api/cases/import/:jobId',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '导入任务进度 Import job',
        description: '导入任务的阶段（phase）、本阶段进度（done/total）、总进度（progress，0–1）；结束后给出逐行报告（report）或错误（error）。任务存于数据库，读自任务表。',
        tags: ['cases'],
        params: ImportJobParams,
        response: { 200: CaseImportJob, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => jobs.view(await jobOf(req.params.jobId), requestLang(req)),
  );

  app.get(
    '/api/cases/:id',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '违法占地图斑详情 Case page',
        description:
          '一个图斑的全部信息：属性、范围、占用情况（逐个涉及的永久基本农田、生态保护红线、一般耕地、城镇开发边界和存量地块及其重叠面积）、核查结论与全部核查记录（只增不改），以及可作出的结论。' +
          '乡镇（township）：占图斑面积最大的乡镇级行政区，读取时按当前乡镇界线计算；无乡镇数据时为 null。',
        tags: ['cases'],
        params: CaseIdParams,
        response: { 200: CaseDetail, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      await assertCaseInScope(req, req.params.id);
      return readCase(app.db, req.params.id, req.reader);
    },
  );

  app.post(
    '/api/cases/:id/decisions',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '作出核查结论 Decide on a case',
        description:
          '提交核查结论（status）、批准文号（approvalNo，合法用地时必填）、核查意见（comment）以及加载时的版本（version）；核查人取自登录会话。' +
          '图斑在加载后已被修改时返回 409，不写入。规则：待核查可改为任一结论；需实地核查可改为违法占用、合法用地、误报；已办结（违法占用、合法用地、误报）的图斑改判、退回需实地核查或补充更正须填写核查意见；不能改回待核查。' +
          '违反规则返回 422 并指出字段。成功返回更新后的图斑详情（含新的核查记录）。',
        tags: ['cases'],
        params: CaseIdParams,
        body: CaseDecisionRequest,
        response: { 200: CaseDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      // the decider is the signed-in user, whatever the body says
      await assertCaseInScope(req, req.params.id);
      const decision = { ...req.body, actor: req.user ? req.user.displayName : req.body.actor ?? '' };
      await decideCase(app.db, req.params.id, decision);
      await audit(app.db, { action: 'case-decision', user: req.user, ip: req.ip, target: String(req.params.id), details: { status: decision.status, version: decision.version } });
      return readCase(app.db, req.params.id);
    },
  );

  app.post(
    '/api/cases/:id/rectification',
    {
      config: { access: atLeast('auditor') },
      schema: {
        summary: '登记整改 Record a rectification',
        description:
          '在认定违法占用的图斑上登记整改情况：整改期限（deadline，不早于发现日期，可晚于年底；null 清除）、是否已完成整改（done）及完成日期（doneOn：done=true 时必填，不早于发现日期、不晚于今天，北京时间）、整改文书号（docNo）和整改说明（note，必填）；登记人取自登录会话。' +
          'done=false 把已整改改回未整改（如复查未通过）。图斑不是“违法占用”时返回 409 并说明其核查状态；日期不符返回 422；与现状相同返回 422。' +
          '整改记录只增不改（数据库拒绝修改或删除）。占用耕地的违法图斑须在发现年度的 12 月 31 日前完成整改，否则计入县区统计的未按期整改（GET /api/cases/stats）。成功返回更新后的图斑详情。',
        tags: ['cases'],
        params: CaseIdParams,
        body: CaseRectificationRequest,
        response: { 200: CaseDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await assertCaseInScope(req, req.params.id);
      await rectifyCase(app.db, req.params.id, req.body, { id: user.id, name: user.displayName }, (tx) =>
        audit(tx, {
          action: 'case-rectify',
          user,
          ip: req.ip,
          target: String(req.params.id),
          details: { ...(req.body.deadline !== undefined ? { deadline: req.body.deadline } : {}), ...(req.body.done !== undefined ? { done: req.body.done, doneOn: req.body.doneOn ?? null } : {}) },
        }),
      );
      return readCase(app.db, req.params.id);
    },
  );
};

export default routes;
