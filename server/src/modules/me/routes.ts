/**
 * A signed-in account's own things (我的), for enterprises and above:
 *
 * - `GET/POST /api/me/saved-searches`, `PATCH/DELETE /api/me/saved-searches/{id}` — saved
 *   stock-land searches, each with how many parcels match now and how many of them are new
 *   since the last visit (added to the library, or changed to match: the codes matching at
 *   the last visit are kept);
 * - `GET /api/me/saved-searches/{id}/new` — those new parcels; `POST …/{id}/visit` — seen now;
 * - `GET /api/me/site-checks` — the site checks the account filed, newest first.
 *
 * An account only ever reaches its own: another account's search answers 404.
 */
import { fieldName, issueMessage, type IssueLike } from '../../../../core/validation-messages.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atLeast } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  MAX_NEW_LISTED,
  MAX_SAVED_SEARCHES,
  MySiteChecks,
  MySiteChecksQuery,
  SavedSearch,
  SavedSearchList,
  SavedSearchNew,
  SavedSearchParamsId,
  SavedSearchRename,
  SavedSearchRequest,
} from '../../../../core/contracts/me.ts';
import { StockSearchQuery } from '../../../../core/contracts/stock.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import { AppError } from '../../plugins/errors.ts';

interface Row {
  id: number;
  name: string;
  query: Record<string, string> | string;
  seen_codes: string[];
  created_at: string | Date;
  last_visited_at: string | Date;
}

const iso = (t: string | Date) => (t instanceof Date ? t : new Date(t)).toISOString();
const queryOf = (r: Row): Record<string, string> => (typeof r.query === 'string' ? JSON.parse(r.query) : r.query);

/** The saved parameters as a search (no paging: a saved search is all of its parcels). */
function searchOf(params: Record<string, string>): StockSearchQuery {
  const { page: _p, pageSize: _s, ...rest } = params;
  // a parameter the search does not know would be kept and shown, yet select nothing
  const unknown = Object.keys(rest).filter((k) => !(k in StockSearchQuery.shape));
  if (unknown.length) {
    const list = (lang: 'zh' | 'en') => unknown.map((k) => fieldName([k], lang, '/api/stock-parcels')).join(lang === 'zh' ? '、' : ', ');
    throw new AppError(400, 'INVALID_SEARCH', `检索条件中有未知参数：${list('zh')}`, `The search has unknown parameters: ${list('en')}`);
  }
  const parsed = StockSearchQuery.safeParse(rest, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const say = (lang: 'zh' | 'en') => issueMessage({ ...(issue as IssueLike), path: issue.path }, lang, '/api/stock-parcels');
    throw new AppError(400, 'INVALID_SEARCH', `检索条件无效：${say('zh')}`, `The search is not valid: ${say('en')}`);
  }
  return parsed.data;
}

const NOT_FOUND = (id: number) => new AppError(404, 'SAVED_SEARCH_NOT_FOUND', `没有编号为 ${id} 的已保存检索`, `No saved search ${id}`);

const routes: FastifyPluginAsyncZod = async (app) => {
  const access = { access: atLeast('enterprise') };

  const view = async (r: Row): Promise<SavedSearch> => {
    const codes = await app.stockCatalogue.codes(searchOf(queryOf(r)));
    const seen = new Set(r.seen_codes);
    return {
      id: Number(r.id),
      name: r.name,
      query: queryOf(r),
      createdAt: iso(r.created_at),
      lastVisitedAt: iso(r.last_visited_at),
      total: codes.length,
      newCount: codes.reduce((n, c) => n + (seen.has(c) ? 0 : 1), 0),
    };
  };
  const own = async (userId: number, id: number): Promise<Row> => {
    const [row] = await app.db.query<Row>('SELECT * FROM saved_search WHERE id = $1 AND user_id = $2', [id, userId]);
    if (!row) throw NOT_FOUND(id);
    return row;
  };

  app.get(
    '/api/me/saved-searches',
    {
      config: access,
      schema: {
        summary: '我的已保存检索 My saved searches',
        description: '每个已保存的存量土地检索：名称、条件、现在符合的地块数（total）和自上次查看以来新增的地块数（newCount：新入库的地块或变得符合条件的地块）。',
        tags: ['me'],
        response: { 200: SavedSearchList },
      },
    },
    async (req) => {
      const rows = await app.db.query<Row>('SELECT * FROM saved_search WHERE user_id = $1 ORDER BY created_at DESC, id DESC', [req.user!.id]);
      return { searches: await Promise.all(rows.map(view)) };
    },
  );

  app.post(
    '/api/me/saved-searches',
    {
      config: access,
      schema: {
        summary: '保存检索 Save a search',
        description: `保存 /stock 页面的检索条件（与 GET /api/stock-parcels 的查询参数相同，不含分页），并记下现在符合的地块，以后据此列出新增地块。每个账号最多 ${MAX_SAVED_SEARCHES} 个。`,
        tags: ['me'],
        body: SavedSearchRequest,
        response: { 201: SavedSearch, 400: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const search = searchOf(req.body.query);
      const { page: _p, pageSize: _s, ...query } = req.body.query;
      const [{ n } = { n: 0 }] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM saved_search WHERE user_id = $1', [req.user!.id]);
      if (n >= MAX_SAVED_SEARCHES) {
        throw new AppError(409, 'TOO_MANY_SAVED_SEARCHES', `已保存 ${n} 个检索，达到上限 ${MAX_SAVED_SEARCHES} 个：请先删除不用的`, `You have ${n} saved searches, the most allowed; delete some first`);
      }
      const codes = await app.stockCatalogue.codes(search);
      const [row] = await app.db.query<Row>('INSERT INTO saved_search (user_id, name, query, seen_codes) VALUES ($1, $2, $3::json, $4::text[]) RETURNING *', [
        req.user!.id,
        req.body.name,
        JSON.stringify(query),
        codes,
      ]);
      return reply.status(201).send(await view(row!));
    },
  );

  app.patch(
    '/api/me/saved-searches/:id',
    {
      config: access,
      schema: { summary: '重命名检索 Rename a saved search', tags: ['me'], params: SavedSearchParamsId, body: SavedSearchRename, response: { 200: SavedSearch, 400: ErrorResponse, 404: ErrorResponse } },
    },
    async (req) => {
      await own(req.user!.id, req.params.id);
      const [row] = await app.db.query<Row>('UPDATE saved_search SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING *', [req.params.id, req.user!.id, req.body.name]);
      return view(row!);
    },
  );

  app.delete(
    '/api/me/saved-searches/:id',
    {
      config: access,
      schema: { summary: '删除检索 Delete a saved search', tags: ['me'], params: SavedSearchParamsId, response: { 204: z.null(), 400: ErrorResponse, 404: ErrorResponse } },
    },
    async (req, reply) => {
      await own(req.user!.id, req.params.id);
      await app.db.query('DELETE FROM saved_search WHERE id = $1 AND user_id = $2', [req.params.id, req.user!.id]);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/saved-searches/:id/new',
    {
      config: access,
      schema: {
        summary: '自上次查看以来的新增地块 New parcels since the last visit',
        description: `符合该检索、但上次查看时还不符合的地块（新入库，或状态、面积等变化后符合），按检索的排序，最多列出 ${MAX_NEW_LISTED} 宗；不改变“上次查看”。`,
        tags: ['me'],
        params: SavedSearchParamsId,
        response: { 200: SavedSearchNew, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const row = await own(req.user!.id, req.params.id);
      const { items } = await app.stockCatalogue.newSince(searchOf(queryOf(row)), new Set(row.seen_codes), MAX_NEW_LISTED);
      return { search: await view(row), items };
    },
  );

  app.post(
    '/api/me/saved-searches/:id/visit',
    {
      config: access,
      schema: {
        summary: '标记为已查看 Mark as seen',
        description: '记下现在符合的地块和查看时间：新增数归零，以后的新增从此刻算起。',
        tags: ['me'],
        params: SavedSearchParamsId,
        response: { 200: SavedSearch, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const row = await own(req.user!.id, req.params.id);
      const codes = await app.stockCatalogue.codes(searchOf(queryOf(row)));
      const [updated] = await app.db.query<Row>('UPDATE saved_search SET seen_codes = $3::text[], last_visited_at = now() WHERE id = $1 AND user_id = $2 RETURNING *', [
        row.id,
        req.user!.id,
        codes,
      ]);
      return view(updated!);
    },
  );

  app.get(
    '/api/me/site-checks',
    {
      config: access,
      schema: {
        summary: '我的选址套核 My site checks',
        description: '本账号登录后提交的选址套核报告，最新的在前；报告本身按角色可见（GET /api/site-checks/{id}）。',
        tags: ['me'],
        querystring: MySiteChecksQuery,
        response: { 200: MySiteChecks, 400: ErrorResponse },
      },
    },
    async (req) => {
      const { page, pageSize } = req.query;
      const [{ n } = { n: 0 }] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM site_check WHERE owner_id = $1', [req.user!.id]);
      const rows = await app.db.query<{ id: string; created_at: string | Date; name: string | null; planned_use: string | null; area_m2: number; conflicts: number; warnings: number }>(
        `SELECT id, created_at, name, planned_use, area_m2,
                (SELECT count(*)::int FROM json_array_elements(report -> 'verdicts') v WHERE v ->> 'status' = 'conflict') AS conflicts,
                (SELECT count(*)::int FROM json_array_elements(report -> 'verdicts') v WHERE v ->> 'status' = 'warn') AS warnings
           FROM site_check WHERE owner_id = $1
          ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
        [req.user!.id, pageSize, (page - 1) * pageSize],
      );
      return {
        total: n,
        page,
        pageSize,
        items: rows.map((r) => ({
          id: r.id,
          createdAt: iso(r.created_at),
          name: r.name,
          plannedUse: r.planned_use,
          area: toAreaUnits(Number(r.area_m2)),
          conflicts: Number(r.conflicts),
          warnings: Number(r.warnings),
        })),
      };
    },
  );
};
export default routes;
