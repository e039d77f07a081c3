/**
 * Enterprise land requests (企业找地, docs/domain.md "Enterprise land requests"):
 *
 * - `POST /api/land-requests` — an enterprise files a request; answers it with its matches;
 * - `GET /api/land-requests` — an enterprise's own requests, or (staff) every request, each
 *   with its match count, new matches and best match;
 * - `GET /api/land-requests/{id}` — one request: the need, the matches (new ones flagged), the
 *   proposals; `POST …/{id}/seen` — the enterprise has seen its matches;
 * - `POST …/{id}/withdraw` — the enterprise withdraws it;
 * - `POST …/{id}/proposals` — staff propose an available parcel;
 * - `POST …/{id}/proposals/{proposalId}/accept` | `…/decline` — the enterprise answers.
 *
 * Every change is audited in its own transaction. An enterprise sees only public parcels and
 * its own requests (another's answers 404).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  DeclineRequest,
  LandRequestDetail,
  LandRequestInput,
  LandRequestList,
  LandRequestListQuery,
  LandRequestParams,
  ProposalParams,
  ProposalRequest,
  WithdrawRequest,
} from '../../../../core/contracts/land-requests.ts';
import { audit } from '../auth/service.ts';
import { accept, decline, fileRequest, listRequests, markSeen, propose, REQUEST_STAFF, requestDetail, withdrawRequest } from './service.ts';

const OWNER = ['enterprise'] as const;
const ANY_ACCOUNT = ['enterprise', ...REQUEST_STAFF] as const;
const tags = ['land-requests'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/land-requests',
    {
      config: { access: OWNER },
      schema: {
        summary: '提交找地需求 File a land request',
        description:
          '企业提交用地需求：用途、面积范围（亩）、县区或位置与半径、容积率范围、预算（万元）、用地时间、联系人与电话。' +
          '随即按存量土地套核给出符合的地块（单宗或相邻组合；面积在范围内、越接近下限越优；容积率范围相交；参考价×面积不超过预算），以后列出新增的符合地块。',
        tags,
        body: LandRequestInput,
        response: { 201: LandRequestDetail, 400: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = req.user!;
      const id = await fileRequest(app.db, app.stockCatalogue, user, req.body);
      await audit(app.db, { action: 'land-request', user, ip: req.ip, target: String(id), details: { use: req.body.use, areaMinMu: req.body.areaMinMu, areaMaxMu: req.body.areaMaxMu } });
      return reply.status(201).send(await requestDetail(app.db, app.stockCatalogue, user, id));
    },
  );

  app.get(
    '/api/land-requests',
    {
      config: { access: ANY_ACCOUNT },
      schema: {
        summary: '找地需求列表 Land requests',
        description: '企业：本企业的需求；规划人员及以上：全部需求（含联系人）。每条给出现在符合的地块数、自上次查看以来新增的数目、最佳匹配和待答复的推荐数。默认只列对接中的需求（status=all 为全部）。',
        tags,
        querystring: LandRequestListQuery,
        response: { 200: LandRequestList, 400: ErrorResponse },
      },
    },
    async (req) => {
      const { total, items } = await listRequests(app.db, app.stockCatalogue, req.user!, req.query);
      return { total, page: req.query.page, pageSize: req.query.pageSize, items };
    },
  );

  app.get(
    '/api/land-requests/:id',
    {
      config: { access: ANY_ACCOUNT },
      schema: {
        summary: '找地需求详情 A land request',
        description: '需求、现在符合的地块（isNew：上次查看时还不在其中）与推荐记录。企业只能查看本企业的需求，其他需求返回 404。',
        tags,
        params: LandRequestParams,
        response: { 200: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => requestDetail(app.db, app.stockCatalogue, req.user!, req.params.id),
  );

  app.post(
    '/api/land-requests/:id/seen',
    {
      config: { access: OWNER },
      schema: { summary: '标记匹配为已查看 Mark the matches seen', description: '记下现在符合的地块：新增数归零。', tags, params: LandRequestParams, response: { 200: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse } },
    },
    async (req) => {
      await markSeen(app.db, app.stockCatalogue, req.user!, req.params.id);
      return requestDetail(app.db, app.stockCatalogue, req.user!, req.params.id);
    },
  );

  app.post(
    '/api/land-requests/:id/withdraw',
    {
      config: { access: OWNER },
      schema: {
        summary: '撤回找地需求 Withdraw a land request',
        description: '企业撤回对接中的需求；待答复的推荐随之作为不接受记下。已对接或已撤回的需求返回 409。',
        tags,
        params: LandRequestParams,
        body: WithdrawRequest,
        response: { 200: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await withdrawRequest(app.db, user, req.params.id, req.body.reason, (tx) => audit(tx, { action: 'land-request-withdraw', user, ip: req.ip, target: String(req.params.id) }));
      return requestDetail(app.db, app.stockCatalogue, user, req.params.id);
    },
  );

  app.post(
    '/api/land-requests/:id/proposals',
    {
      config: { access: REQUEST_STAFF },
      schema: {
        summary: '向需求推荐地块 Propose a parcel',
        description: '规划人员及以上向对接中的需求推荐一宗可供应的存量地块（地块编号、说明）。同一地块在企业答复前不能重复推荐；地块不可供应返回 409。',
        tags,
        params: LandRequestParams,
        body: ProposalRequest,
        response: { 201: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const user = req.user!;
      await propose(app.db, user, req.params.id, req.body, (tx, proposalId) =>
        audit(tx, { action: 'land-request-propose', user, ip: req.ip, target: String(req.params.id), details: { parcel: req.body.parcelCode, proposal: proposalId } }),
      );
      return reply.status(201).send(await requestDetail(app.db, app.stockCatalogue, user, req.params.id));
    },
  );

  app.post(
    '/api/land-requests/:id/proposals/:proposalId/accept',
    {
      config: { access: OWNER },
      schema: {
        summary: '接受推荐 Accept a proposal',
        description: '企业接受推荐的地块：地块登记为已意向（台账变动 intent），需求转为已对接，其余待答复的推荐作为不接受记下。地块已不可供应时返回 409。',
        tags,
        params: ProposalParams,
        response: { 200: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await accept(app.db, user, req.params.id, req.params.proposalId, (tx, eventId) =>
        audit(tx, { action: 'land-request-accept', user, ip: req.ip, target: String(req.params.id), details: { proposal: req.params.proposalId, event: eventId } }),
      );
      return requestDetail(app.db, app.stockCatalogue, user, req.params.id);
    },
  );

  app.post(
    '/api/land-requests/:id/proposals/:proposalId/decline',
    {
      config: { access: OWNER },
      schema: {
        summary: '不接受推荐 Decline a proposal',
        description: '企业不接受推荐的地块，须说明理由；需求仍在对接中。',
        tags,
        params: ProposalParams,
        body: DeclineRequest,
        response: { 200: LandRequestDetail, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req) => {
      const user = req.user!;
      await decline(app.db, user, req.params.id, req.params.proposalId, req.body.reason, (tx) =>
        audit(tx, { action: 'land-request-decline', user, ip: req.ip, target: String(req.params.id), details: { proposal: req.params.proposalId } }),
      );
      return requestDetail(app.db, app.stockCatalogue, user, req.params.id);
    },
  );
};

export default routes;
