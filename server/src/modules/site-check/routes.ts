import { atLeast, maySeeLayer, ROLES } from '../../../../core/access.ts';
import { beijingToday } from '../../../../core/beijing-time.ts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { countVertices, MAX_PARTS, MAX_PUBLIC_PARTS, MAX_PUBLIC_VERTICES, MAX_VERTICES } from '../../../../core/geometry-validation.ts';
import { z } from 'zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { SiteCheckApproval, SiteCheckApprovalRequest, SiteCheckReport, SiteCheckRequest, SitePreviewRequest, SitePreviewResponse } from '../../../../core/contracts/site-check.ts';
import { audit } from '../auth/service.ts';
import { approveSiteCheck, readApproval } from './approval.ts';
import { AppError } from '../../plugins/errors.ts';
import { previewSiteCheck, readFiledReport, runSiteCheck } from './service.ts';
import { OverlayFailed } from './repo.ts';
import { previewFor, reportFor } from './redact.ts';
import { roleOf } from '../../plugins/auth.ts';
import { DEFAULT_SITE_CHECK_LIMITS, SiteCheckBudget, SiteCheckQuotaExceeded, type SiteCheckLimits } from './budget.ts';

/**
 * A site of 50 000 vertices at full precision is ~2 MB of JSON, its source coordinates
 * (provenance.source, 3 decimals in metres) ~1.3 MB more; more is refused before it is parsed.
 */
export const MAX_SITE_CHECK_BODY_BYTES = 4 * 1024 * 1024;
/**
 * The public's 5 000 vertices are ~200 KB of JSON, ~330 KB with their source coordinates: a larger
 * body is refused unread (parsing 2 MB holds the event loop ~0.1 s).
 */
export const MAX_PUBLIC_SITE_CHECK_BODY_BYTES = 512 * 1024;

/** Previews one address may ask for per minute (the client asks ~300 ms after each edit). */
export const PREVIEWS_PER_MINUTE = 120;

function refuseLargePublicBody(req: FastifyRequest): void {
  if (roleOf(req) !== 'public') return;
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_PUBLIC_SITE_CHECK_BODY_BYTES) {
    throw new AppError(
      413,
      'SITE_TOO_LARGE',
      `请求体过大（${Math.round(length / 1024)} KB）：未登录时选址套核的请求体上限 ${MAX_PUBLIC_SITE_CHECK_BODY_BYTES / 1024} KB、选址范围上限 ${MAX_PUBLIC_VERTICES} 个顶点；请先抽稀，或登录后套核`,
      `The request body is too large (${Math.round(length / 1024)} KB): without signing in a site check's body is at most ${MAX_PUBLIC_SITE_CHECK_BODY_BYTES / 1024} KB and the site (geometry) at most ${MAX_PUBLIC_VERTICES} vertices; simplify it or sign in`,
    );
  }
}

/**
 * The site's vertex and part counts against the caller's limits, counted on the parsed JSON before
 * the schema validation and any overlay work (both grow with them): the public's are lower.
 */
function refuseOversizeSite(req: FastifyRequest): void {
  const publicCaller = roleOf(req) === 'public';
  const maxVertices = publicCaller ? MAX_PUBLIC_VERTICES : MAX_VERTICES;
  const maxParts = publicCaller ? MAX_PUBLIC_PARTS : MAX_PARTS;
  const { vertices, parts } = countVertices((req.body as { geometry?: unknown } | null)?.geometry, maxVertices);
  const who = publicCaller ? { zh: '未登录时', en: ' without signing in' } : { zh: '每次套核', en: '' };
  if (parts > maxParts) {
    throw new AppError(
      422,
      'TOO_MANY_PARTS',
      `选址范围有 ${parts} 个部分，超过${who.zh}的上限 ${maxParts} 个；请合并或分开套核`,
      `The site (geometry) has ${parts} parts; at most ${maxParts} are allowed${who.en} — merge them or check them separately`,
    );
  }
  // the file's own coordinates travel with the site (provenance.source): no more of them than the site may have
  const source = (req.body as { provenance?: { source?: { geometries?: unknown } | null } } | null)?.provenance?.source?.geometries;
  if (Array.isArray(source)) {
    if (source.length > maxParts) {
      throw new AppError(
        422,
        'TOO_MANY_PARTS',
        `来源文件的原始坐标有 ${source.length} 个要素，超过${who.zh}的上限 ${maxParts} 个`,
        `The source coordinates (provenance.source) have ${source.length} features; at most ${maxParts} are allowed${who.en}`,
      );
    }
    let n = 0;
    for (const g of source) n += countVertices(g, maxVertices).vertices;
    if (n > maxVertices) {
      throw new AppError(
        422,
        'TOO_MANY_VERTICES',
        `来源文件的原始坐标的顶点超过 ${maxVertices} 个（${who.zh}的上限）`,
        `The source coordinates (provenance.source) have more than ${maxVertices} vertices, the most allowed${who.en}`,
      );
    }
  }
  if (vertices > maxVertices) {
    throw new AppError(
      422,
      'TOO_MANY_VERTICES',
      `选址范围的顶点超过 ${maxVertices} 个（${who.zh}的上限）；请先抽稀${publicCaller ? '，或登录后套核' : ''}`,
      `The site (geometry) has more than ${maxVertices} vertices, the most allowed${who.en}; simplify it${publicCaller ? ' or sign in' : ''}`,
    );
  }
}

/** Lapsed public checks purged in passing when the public files one (the timer takes the rest). */
const PURGE_IN_PASSING = 20;

const routes: FastifyPluginAsyncZod<{ limits?: Partial<SiteCheckLimits>; clock?: () => Date }> = async (app, opts) => {
  const limits: SiteCheckLimits = { ...DEFAULT_SITE_CHECK_LIMITS, ...opts.limits };
  const clock = opts.clock ?? (() => new Date());
  const budget = new SiteCheckBudget(app.db, limits);
  const previewBudget = new SiteCheckBudget(app.db, limits, 'preview');

  // lapsed public checks are deleted hourly, a bounded batch at a time
  let timer: NodeJS.Timeout | undefined;
  if (limits.purgeEveryMs > 0) {
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        budget.purge().catch((err: unknown) => app.log.warn({ err }, 'purging lapsed public site checks failed'));
      }, limits.purgeEveryMs);
      timer.unref();
    });
    app.addHook('onClose', async () => clearInterval(timer));
  }

  app.post(
    '/api/site-checks',
    {
      config: { access: ROLES },
      bodyLimit: MAX_SITE_CHECK_BODY_BYTES,
      // after the access check (the auth plugin's preParsing hook), before the body is read
      preParsing: async (req, _reply, payload) => (refuseLargePublicBody(req), payload),
      preValidation: async (req) => refuseOversizeSite(req),
      schema: {
        summary: '选址套核 Site check',
        description:
          '存量优先：先按规划用途（use）和选址面积在选址附近套核存量土地图库，报告记录前 5 个候选方案和继续新增用地的理由（stockFirst.reason，“其他”须填 note）；' +
          '存量土地中有符合条件的方案时，理由不能为“未找到可用的存量地块”（none-found），否则返回 422 STOCK_CANDIDATES_EXIST。' +
          '再将选址（GeoJSON Polygon/MultiPolygon，EPSG:4490）与永久基本农田、生态保护红线、城镇开发边界、一般耕地叠加，逐条判定规则，保存并返回报告。几何无效时返回 422 并说明原因（repair: true 可自动修复）。' +
          'provenance（来源）：取自 POST /api/geometry/parse 的 provenance（在地图上绘制的选址 format 为 drawn，上传后修改过的 edited 为 true），随报告保存并计入校验码；其中原始坐标（source）换算后须与选址各顶点相差不超过 1 毫米，否则不予保存并在报告中说明原因。' +
          '未以规划人员、执法督察人员或管理员身份登录时：受控图层只给出是否涉及和按 0.1 亩取整的面积（不给图斑数），每个地址（企业另按账号）每天可套核的选址面积（含缓冲区）和次数有限，超出返回 429 SITE_CHECK_QUOTA；未登录所做的套核报告到期（expiresAt）后删除。',
        tags: ['site-check'],
        body: SiteCheckRequest,
        response: { 201: SiteCheckReport, 400: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const role = roleOf(req);
      // the public and enterprises: a daily budget per address, and per account too
      const subjects = maySeeLayer(role, 'restricted') ? [] : [`ip:${req.ip}`, ...(req.user ? [`user:${req.user.id}`] : [])];
      const expiresAt = req.user ? null : new Date(Date.now() + limits.publicReportDays * 86_400_000);
      // the public files a check: a few lapsed ones go first
      if (expiresAt) await budget.purge(PURGE_IN_PASSING).catch((err: unknown) => req.log.warn({ err }, 'purging lapsed public site checks failed'));
      try {
        const report = await runSiteCheck(app.db, req.body, {
          matchStock: (r) => app.stockCatalogue.match(r, { geometry: false }),
          ownerId: req.user?.id ?? null,
          expiresAt,
          ...(opts.clock ? { now: opts.clock } : {}),
          ...(subjects.length ? { charge: (m2: number) => budget.charge(subjects, m2) } : {}),
        });
        // the report is built to its contract; plain JSON.stringify spares re-validating megabytes
        return reply
          .status(201)
          .header('location', `/api/site-checks/${report.id}`)
          .type('application/json; charset=utf-8')
          .serializer(JSON.stringify)
          // a check just filed is not approved yet
          .send(reportFor({ ...report, filedBy: req.user ? { role: req.user.role, displayName: req.user.displayName } : { role: 'public', displayName: null }, approval: null }, role));
      } catch (err) {
        if (err instanceof SiteCheckQuotaExceeded) reply.header('retry-after', String(err.retryAfterS));
        if (err instanceof OverlayFailed) {
          req.log.error({ err }, 'overlay lost rows');
          throw new AppError(
            422,
            'OVERLAY_FAILED',
            `与${err.layer}的叠加分析未能完成（${err.got}/${err.expected}），结果不可靠，未保存报告。请检查选址几何。`,
            `The overlay with ${err.layer} did not complete (${err.got}/${err.expected} rows); no report was filed. Check the site geometry.`,
          );
        }
        throw err;
      }
    },
  );

  app.post(
    '/api/site-checks/preview',
    {
      // figures only, nothing filed (the budget is charged on the primary by its own calls): reads may go to the replica
      config: { access: ROLES, readOnly: true, rateLimit: { max: PREVIEWS_PER_MINUTE, timeWindow: '1 minute' } },
      bodyLimit: MAX_SITE_CHECK_BODY_BYTES,
      preParsing: async (req, _reply, payload) => (refuseLargePublicBody(req), payload),
      preValidation: async (req) => refuseOversizeSite(req),
      schema: {
        summary: '选址预览 Site preview (figures only)',
        description:
          '选址套核的实时预览：与套核相同的几何校验和叠加分析（不保存报告、不套核存量土地、不裁剪），只返回数字——选址面积、分析面积、各图层的叠加面积（平方米，CGCS2000 椭球面积）、城镇开发边界内外面积，不返回任何图斑几何。' +
          '未以规划人员、执法督察人员或管理员身份登录时，受控图层的面积与套核报告一样按 0.1 亩取整、不给图斑数（count 为 null）；' +
          `预览另有每日额度（按地址、企业另按账号；与套核额度分开，不计为套核），超出返回 429 SITE_PREVIEW_QUOTA；单次预览的分析面积不超过每日套核面积额度；每个地址每分钟至多 ${PREVIEWS_PER_MINUTE} 次。几何无效时返回 422 并说明原因。`,
        tags: ['site-check'],
        body: SitePreviewRequest,
        response: { 200: SitePreviewResponse, 400: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const role = roleOf(req);
      const budgeted = !maySeeLayer(role, 'restricted');
      const subjects = budgeted ? [`ip:${req.ip}`, ...(req.user ? [`user:${req.user.id}`] : [])] : [];
      try {
        const preview = await previewSiteCheck(req.reader, req.body, {
          ...(budgeted ? { maxAreaM2: limits.dailyAreaM2, charge: (m2: number) => previewBudget.charge(subjects, m2) } : {}),
        });
        return reply.status(200).send(previewFor(preview, role));
      } catch (err) {
        if (err instanceof SiteCheckQuotaExceeded) reply.header('retry-after', String(err.retryAfterS));
        if (err instanceof OverlayFailed) {
          req.log.error({ err }, 'preview overlay lost rows');
          throw new AppError(
            422,
            'OVERLAY_FAILED',
            `与${err.layer}的叠加分析未能完成（${err.got}/${err.expected}），预览不可靠。请检查选址几何。`,
            `The overlay with ${err.layer} did not complete (${err.got}/${err.expected} rows); no preview. Check the site geometry.`,
          );
        }
        throw err;
      }
    },
  );

  app.get(
    '/api/site-checks/:id',
    {
      config: { access: ROLES },
      schema: {
        summary: '选址套核报告 Saved site check',
        description:
          '读取已保存的选址套核报告；报告保存后不可修改。未登录时所做的套核只保存若干天（默认 7 天，见 expiresAt），过期后返回 404 REPORT_LAPSED 并被删除。' +
          'approval：批准情况（批准文号、批准日期、计入的县区），未批准时为 null；批准另行记录，不属于报告内容、不计入校验码。',
        tags: ['site-check'],
        params: z.object({ id: z.string() }),
        response: { 200: SiteCheckReport, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const report = await readFiledReport(req.reader, req.params.id);
      return reportFor({ ...report, approval: await readApproval(req.reader, report.id) }, roleOf(req));
    },
  );

  app.post(
    '/api/site-checks/:id/approval',
    {
      config: { access: atLeast('planner') },
      schema: {
        summary: '批准选址 Mark a site check approved',
        description:
          '规划人员及以上将一份已保存的选址套核标记为已批准：批准文号（approvalNo）和批准日期（approvedOn，北京时间的日期）。批准另行记录、只记录一次，报告本身不变；' +
          '已批准的选址即当年的新增建设用地，按选址最大部分所在的县区计入占耕比（GET /api/figures/farmland-share），面积和占用耕地（永久基本农田、一般耕地）取自该报告。' +
          '已批准的再次批准返回 409；批准日期晚于今天或早于套核日期返回 422；未登录所做的套核（会过期删除）和带缓冲区的套核不能批准（422）；没有该报告返回 404。',
        tags: ['site-check'],
        params: z.object({ id: z.string() }),
        body: SiteCheckApprovalRequest,
        response: { 201: SiteCheckApproval, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = req.user!;
      const approval = await approveSiteCheck(app.db, req.params.id, req.body, { id: user.id, name: user.displayName || user.username }, {
        today: beijingToday(clock()),
        onCommit: (tx, a) =>
          audit(tx, { action: 'site-check-approve', user, ip: req.ip, target: a.checkId, details: { approvalNo: a.approvalNo, approvedOn: a.approvedOn, county: a.countyCode } }),
      });
      return reply.status(201).send(approval);
    },
  );
};
export default routes;
