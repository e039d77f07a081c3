/**
 * Sign-in and sessions (`/api/session`), and the admins' users and audit log (`/api/admin/…`).
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { atLeast, ROLES } from '../../../../core/access.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  AdminUser,
  AdminUserList,
  AuditLogQuery,
  AuditLogResponse,
  NewUserRequest,
  PasswordResetRequest,
  SessionInfo,
  SignInRequest,
  UserChangeRequest,
  UserIdParams,
} from '../../../../core/contracts/auth.ts';
import { AppError } from '../../plugins/errors.ts';
import { checkScopeGrant, describeScope, scopeOf } from './scope.ts';
import { scopeWithin } from '../../../../core/divisions.ts';
import { audit, createUser, listUsers, resetPassword, SESSION_COOKIE, SESSION_MAX_MS, signIn, signOut, updateUser } from './service.ts';

const everyone = ROLES;
const admin = atLeast('admin');

const routes: FastifyPluginAsyncZod<{ signInPerMinute: number }> = async (app, opts) => {
  /** An administrator manages the accounts inside their own scope only (a city's administrator not the province's). */
  const assertManages = async (req: FastifyRequest, id: number) => {
    const [target] = await app.db.query<{ scope: string }>('SELECT scope FROM app_user WHERE id = $1', [id]);
    if (!target) throw new AppError(404, 'USER_NOT_FOUND', `没有编号为 ${id} 的用户`, `No user has the id ${id}`);
    if (!scopeWithin(scopeOf(req), target.scope)) {
      throw new AppError(403, 'SCOPE_NOT_YOURS', '该账号的工作范围不在您的范围内，请由上级管理员操作', "This account's scope lies outside yours; ask an administrator whose scope holds it");
    }
  };
  app.get(
    '/api/session',
    {
      config: { access: everyone },
      schema: { summary: '当前会话 Current session', tags: ['auth'], response: { 200: SessionInfo } },
    },
    async (req) => ({
      user: req.user && { id: req.user.id, username: req.user.username, displayName: req.user.displayName, role: req.user.role, scope: req.user.scope },
      csrfToken: req.csrfToken,
      scope: await describeScope(app.db, scopeOf(req)),
    }),
  );

  app.post(
    '/api/session',
    {
      config: { access: everyone, rateLimit: { max: opts.signInPerMinute, timeWindow: '1 minute' } },
      schema: {
        summary: '登录 Sign in',
        description: '用户名与密码登录；连续 5 次密码错误锁定 15 分钟。成功时设置 HttpOnly 会话 Cookie，并返回 CSRF 令牌。',
        tags: ['auth'],
        body: SignInRequest,
        response: { 200: SessionInfo, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const s = await signIn(app.db, req.body, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      reply.setCookie(SESSION_COOKIE, s.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: req.protocol === 'https',
        maxAge: SESSION_MAX_MS / 1000,
      });
      const { id, username, displayName, role, scope } = s.user;
      return { user: { id, username, displayName, role, scope }, csrfToken: s.csrfToken, scope: await describeScope(app.db, scope) };
    },
  );

  app.delete(
    '/api/session',
    {
      config: { access: everyone },
      schema: { summary: '退出登录 Sign out', tags: ['auth'], response: { 204: z.null() } },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        await signOut(app.db, token);
        app.dropSessionCache();
        if (req.user) await audit(app.db, { action: 'sign-out', user: req.user, ip: req.ip });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/admin/users',
    { config: { access: admin }, schema: { summary: '用户列表 Users', tags: ['admin'], response: { 200: AdminUserList } } },
    async (req) => ({ users: (await listUsers(app.db)).filter((u) => scopeWithin(scopeOf(req), u.scope)) }),
  );

  app.post(
    '/api/admin/users',
    {
      config: { access: admin },
      schema: { summary: '新建用户 Create a user', tags: ['admin'], body: NewUserRequest, response: { 201: AdminUser, 400: ErrorResponse, 409: ErrorResponse } },
    },
    async (req, reply) => {
      // an account works inside its administrator's scope unless given a narrower one
      const scope = req.body.scope ?? scopeOf(req);
      await checkScopeGrant(app.db, scope, scopeOf(req));
      const user = await createUser(app.db, { ...req.body, scope });
      await audit(app.db, { action: 'user-created', user: req.user, ip: req.ip, target: user.username, details: { role: user.role, scope: user.scope } });
      return reply.code(201).send({ ...user, createdAt: new Date().toISOString(), lockedUntil: null });
    },
  );

  app.patch(
    '/api/admin/users/:id',
    {
      config: { access: admin },
      schema: { summary: '修改用户（角色、姓名、停用）Change a user', tags: ['admin'], params: UserIdParams, body: UserChangeRequest, response: { 200: AdminUser, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse } },
    },
    async (req) => {
      // an administrator cannot lock themselves out: another administrator must do it
      if (req.user?.id === req.params.id && (req.body.disabled === true || (req.body.role !== undefined && req.body.role !== 'admin'))) {
        throw new AppError(409, 'SELF_CHANGE', '不能停用自己的账号或取消自己的管理员角色：请由另一位管理员操作', 'You cannot disable your own account or drop your own administrator role; ask another administrator');
      }
      await assertManages(req, req.params.id);
      if (req.body.scope !== undefined) await checkScopeGrant(app.db, req.body.scope, scopeOf(req));
      const user = await updateUser(app.db, req.params.id, req.body);
      app.dropSessionCache();
      await audit(app.db, { action: 'user-changed', user: req.user, ip: req.ip, target: user.username, details: req.body });
      return (await listUsers(app.db)).find((u) => u.id === user.id)!;
    },
  );

  app.post(
    '/api/admin/users/:id/password',
    {
      config: { access: admin },
      schema: { summary: '重置密码 Reset a password', tags: ['admin'], params: UserIdParams, body: PasswordResetRequest, response: { 200: AdminUser, 400: ErrorResponse, 404: ErrorResponse } },
    },
    async (req) => {
      await assertManages(req, req.params.id);
      const user = await resetPassword(app.db, req.params.id, req.body.password);
      app.dropSessionCache();
      await audit(app.db, { action: 'password-reset', user: req.user, ip: req.ip, target: user.username });
      return (await listUsers(app.db)).find((u) => u.id === user.id)!;
    },
  );

  app.get(
    '/api/admin/audit-log',
    {
      config: { access: admin },
      schema: { summary: '审计日志 Audit log', description: '登录、登录失败、退出、导入、核查决定与账号管理的记录，新的在前。', tags: ['admin'], querystring: AuditLogQuery, response: { 200: AuditLogResponse } },
    },
    async (req) => {
      const params: unknown[] = [req.query.limit];
      const where = req.query.action ? (params.push(req.query.action), 'WHERE action = $2') : '';
      const rows = await app.db.query<{ id: number; at: Date | string; action: string; user_id: number | null; username: string | null; ip: string | null; target: string | null; details: unknown }>(
        `SELECT id, at, action, user_id, username, ip, target, details FROM audit_log ${where} ORDER BY id DESC LIMIT $1`,
        params,
      );
      return {
        entries: rows.map((r) => ({
          id: Number(r.id),
          at: new Date(r.at).toISOString(),
          action: r.action,
          userId: r.user_id === null ? null : Number(r.user_id),
          username: r.username,
          ip: r.ip,
          target: r.target,
          details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
        })),
      };
    },
  );
};
export default routes;
