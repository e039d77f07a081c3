/**
 * The ledger as a workbook and back (docs/domain.md, "The stock-land ledger"), for land-supply
 * staff (planners and above):
 * - `GET /api/stock-ledger/export.xlsx?county=&year=` — the provincial layout (workbook.ts):
 *   台账 (every parcel, its current state and latest change), 变动记录 (the events), 说明;
 * - `POST /api/stock-ledger/import?dryRun=` (multipart `file`) → 202 with a job on the app's
 *   queue (import.ts); `GET /api/stock-ledger/import/{jobId}`, `…/commit`, `…/cancel`.
 */
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { atLeast } from '../../../../core/access.ts';
import { beijingStamp, beijingToday } from '../../../../core/beijing-time.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { LedgerExportQuery, type LedgerExportQuery as ExportQuery, LedgerImportAccepted, LedgerImportJob, LedgerImportQuery, LedgerJobParams, type StockEvent } from '../../../../core/contracts/ledger.ts';
import { contentDisposition } from '../../http/download.ts';
import { uploadErrorHandler, uploadedFileToDisk } from '../../http/upload.ts';
import { AppError, requestLang } from '../../plugins/errors.ts';
import { audit } from '../auth/service.ts';
import { assertInScope, describeScope, scopeOf } from '../auth/scope.ts';
import type { LayerJobs } from '../layer-admin/service.ts';
import { LedgerImports, MAX_LEDGER_FILE_BYTES, ledgerJobNotFound } from './import.ts';
import { ledgerEvents, ledgerParcels } from './ledger-rows.ts';
import { ledgerWorkbook } from './workbook.ts';

const STAFF = atLeast('planner');
const MB = MAX_LEDGER_FILE_BYTES / 1024 / 1024;
const tooLarge = () => new AppError(413, 'FILE_TOO_LARGE', `文件过大：最大 ${MB} MB，请分批导入`, `The file is too large: at most ${MB} MB; import it in parts`);
const NO_FILE = { zh: '没有收到文件：请上传台账工作簿（.xlsx，字段名 file）', en: 'No file received: upload a ledger workbook (.xlsx, field "file")' };

export interface LedgerIoOptions {
  jobs: LayerJobs;
  uploadDir: string;
}

const routes: FastifyPluginAsyncZod<LedgerIoOptions> = async (app, opts) => {
  await app.register(multipart, { limits: { fileSize: MAX_LEDGER_FILE_BYTES, files: 1 } });
  const uploadErrors = uploadErrorHandler(tooLarge);
  const jobs = new LedgerImports(app.db, opts.jobs);
  const jobOf = async (id: string) => {
    const job = await jobs.get(id);
    if (!job) throw ledgerJobNotFound(id);
    return job;
  };

  app.get(
    '/api/stock-ledger/export.xlsx',
    {
      config: { access: STAFF },
      schema: {
        summary: '导出存量土地台账 Export the stock-land ledger',
        description:
          '按省级台账的列导出 Excel：“台账”表每宗地块一行（县区、编号、名称、类型、四未阶段、用途、面积/公顷与亩、容积率、批准文号与日期、入库日期、当前状态、参考价格、最近一次变动及其供应或处置内容）；' +
          '“变动记录”表每条台账记录一行（记录号、地块、变动类型、日期、文号、供应或处置方式、合同、用地单位、成交价、项目、意向企业、变动前后的类型与状态、登记人）；“说明”表写明导出条件与导入方法。' +
          'county 只导出一个县区；year 只列该年度的变动记录。导出的工作簿填上新的变动行（记录号留空）即可由 POST /api/stock-ledger/import 导回。',
        tags: ['stock'],
        querystring: LedgerExportQuery,
        response: { 400: ErrorResponse },
      },
    },
    async (req, reply: FastifyReply) => {
      const { county, year } = req.query as ExportQuery;
      const scope = scopeOf(req);
      if (county) await assertInScope(app.db, req, county, { zh: '该县区', en: 'county' });
      const parcels = await ledgerParcels(app.db, county, scope);
      const events: (StockEvent & { countyName: string })[] = await ledgerEvents(app.db, { county, year, scope });
      const stamp = beijingStamp();
      const notes = [
        '存量土地台账（一张图导出）',
        `导出时间：${beijingToday()}（北京时间）；导出人：${req.user!.displayName}`,
        `范围：${county ? `县区 ${county}` : `${(await describeScope(app.db, scope)).name}全部县区`}；变动记录：${year ? `${year} 年` : '全部年度'}`,
        `地块 ${parcels.length} 宗，变动记录 ${events.length} 条。面积为 CGCS2000 椭球面积；1 公顷 = 15 亩。`,
      ];
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', contentDisposition(`存量土地台账-${stamp}.xlsx`, `stock-ledger-${stamp}.xlsx`))
        .header('cache-control', 'no-store')
        .header('x-total-count', String(parcels.length));
      await audit(app.db, { action: 'ledger-export', user: req.user, ip: req.ip, target: county ?? 'all', details: { parcels: parcels.length, events: events.length, year: year ?? null } });
      return reply.send(ledgerWorkbook({ parcels, events, notes }));
    },
  );

  app.post(
    '/api/stock-ledger/import',
    {
      config: { access: STAFF },
      errorHandler: uploadErrors,
      bodyLimit: MAX_LEDGER_FILE_BYTES,
      schema: {
        summary: '导入台账变动 Import ledger changes',
        description:
          '上传本系统导出的台账工作簿（.xlsx，multipart/form-data，字段名 file），读取其“变动记录”表：有记录号的行须与台账一致（只核对，不改动），没有记录号的行是新的变动，按变动日期先后、以与逐条登记相同的规则检查。' +
          '返回 202 与任务号，进度和逐行报告在 GET /api/stock-ledger/import/{jobId}。默认试导入（dryRun=true）：报告可登记（ok）与有误（invalid，写明原因）的行，不登记；' +
          '确认后 POST /api/stock-ledger/import/{jobId}/commit 在一个事务中登记全部可登记的行（无需再次上传），若台账在试导入后有变动致某行不能登记，整批不登记并指出该行。' +
          `分割、合并不能由表格导入。文件超过 ${MB} MB 返回 413。`,
        tags: ['stock'],
        consumes: ['multipart/form-data'],
        querystring: LedgerImportQuery,
        response: { 202: LedgerImportAccepted, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const file = await uploadedFileToDisk(req, opts.uploadDir, NO_FILE);
      const dryRun = req.query.dryRun;
      const job = await jobs.start({ fileName: file.fileName, path: file.path, bytes: file.bytes, commit: !dryRun }, { user: req.user ?? null, ip: req.ip });
      return reply.status(202).send({ jobId: job.id, dryRun, statusUrl: `/api/stock-ledger/import/${job.id}` });
    },
  );

  app.post(
    '/api/stock-ledger/import/:jobId/commit',
    {
      config: { access: STAFF },
      schema: {
        summary: '提交台账试导入 Commit a trial ledger import',
        description: '把一个已完成的试导入中可登记的行在一个事务中登记（不再上传）。任务不在“试导入完成”状态时返回 409。',
        tags: ['stock'],
        params: LedgerJobParams,
        response: { 202: LedgerImportAccepted, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const found = await jobOf(req.params.jobId);
      await jobs.commit(found.id, { user: req.user ?? null, ip: req.ip });
      return reply.status(202).send({ jobId: found.id, dryRun: false, statusUrl: `/api/stock-ledger/import/${found.id}` });
    },
  );

  app.post(
    '/api/stock-ledger/import/:jobId/cancel',
    {
      config: { access: STAFF },
      schema: {
        summary: '取消台账导入 Cancel a ledger import',
        description: '排队、检查中或等待提交的任务即被放弃；提交中的任务在事务完成前停止并整体回滚。已结束的任务返回 409。',
        tags: ['stock'],
        params: LedgerJobParams,
        response: { 200: LedgerImportJob, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const found = await jobOf(req.params.jobId);
      return jobs.view(await jobs.cancel(found.id), requestLang(req));
    },
  );

  app.get(
    '/api/stock-ledger/import/:jobId',
    {
      config: { access: STAFF },
      schema: {
        summary: '台账导入任务 Ledger import job',
        description: '导入任务的阶段、进度；试导入完成或提交后给出逐行报告（report），失败时给出原因（error）。',
        tags: ['stock'],
        params: LedgerJobParams,
        response: { 200: LedgerImportJob, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => jobs.view(await jobOf(req.params.jobId), requestLang(req)),
  );
};

export default routes;
