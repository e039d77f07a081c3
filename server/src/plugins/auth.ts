/**
 * Who is asking, and may they. Registered before every route so its hooks see them all:
 *
 * - `onRoute`: every /api and /tiles route must declare `config.access` (core/access.ts) or
 *   the app refuses to start; the table of declarations is kept in `app.accessTable` (a test
 *   snapshots it). Routes outside /api and /tiles — the built client's files and /docs — are
 *   public by rule.
 * - `onRequest`: the session cookie becomes `req.user` (sessions cached for 10 s, so a map
 *   drawing 100 tiles costs one lookup; dropped at once when any instance ends a session or
 *   changes an account — `app.changes`). A request without a cookie costs no lookup at all. The rate limit (app.ts) counts the request next, in
 *   its own `onRequest` hook, so refused requests count against the address's limit too.
 * - `preParsing` (before any body is read): the route's access is checked — 401 when the
 *   caller is not signed in, 403 when their role is not allowed; a restricted layer named in
 *   the path is refused the same way to roles that may not see it.
 * - `onSend`: caching. A response that may carry restricted data or depend on who asks is
 *   `Vary: Cookie`, and `private` when the caller is signed in or the route is not open to the
 *   public, so no shared cache keeps a planner's farmland tile for the next caller; a public
 *   layer's tiles and features stay publicly cacheable.
 * - CSRF: a request that changes something (POST, PUT, PATCH, DELETE) with a session must
 *   carry that session's token in `x-csrf-token`; the cookie is SameSite=Lax besides.
 */
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import { LRUCache } from 'lru-cache';
import type { FastifyRequest } from 'fastify';
import { ROLE_LABEL, describeAccess, maySeeLayer, type Access, type Role } from '../../../core/access.ts';
import { getLayer } from '../../../core/layers.ts';
import { AppError, requestLang } from './errors.ts';
import { CSRF_HEADER, SESSION_COOKIE, sessionOf, type User } from '../modules/auth/service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (required on every /api and /tiles route). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in user, or null for the public. */
    user: User | null;
    /** The session's CSRF token (null without a session). */
    csrfToken: string | null;
  }
  interface FastifyInstance {
    /** "METHOD /path" → who may call it, for every declared route. */
    accessTable: Map<string, string>;
    /** Forget cached sessions (after sign-out, or a change to a user). */
    dropSessionCache: () => void;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const roleOf = (req: FastifyRequest): Role => req.user?.role ?? 'public';

/**
 * How a response may be cached: `shared` — the same for everyone (a public layer's tiles and
 * features, the client's files); `vary` — open to the public but may differ with a session
 * (Vary: Cookie); `private` — for the signed-in caller only, or from a route the public may not
 * call (Vary: Cookie, Cache-Control private).
 */
export function cachePolicyOf(req: FastifyRequest): 'shared' | 'vary' | 'private' {
  const access = req.routeOptions.config?.access;
  if (!access) return 'shared';
  if (!Array.isArray(access)) {
    const id = (req.params as Record<string, string> | undefined)?.[(access as { layerParam: string }).layerParam];
    const layer = id ? getLayer(id) : undefined;
    if (!layer || layer.sensitivity === 'public') return 'shared';
    return 'private';
  }
  if (req.user || !(access as readonly Role[]).includes('public')) return 'private';
  return 'vary';
}

export default fp(
  async (app) => {
    await app.register(cookie);
    app.decorateRequest('user', null);
    app.decorateRequest('csrfToken', null);
    const table = new Map<string, string>();
    app.decorate('accessTable', table);
    const cache = new LRUCache<string, { user: User; csrfToken: string } | false>({ max: 5_000, ttl: 10_000 });
    app.decorate('dropSessionCache', () => cache.clear());
    // a session ended or an account changed on another instance (migration 0028's triggers)
    app.changes.on('sessions', () => cache.clear());

    app.addHook('onRoute', (route) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
      if (methods.length === 0) return;
      const guarded = route.url.startsWith('/api/') || route.url.startsWith('/tiles/');
      const access = route.config?.access;
      if (!access) {
        if (guarded) throw new Error(`路由 ${methods.join(',')} ${route.url} 没有声明访问权限（config.access）`);
        return;
      }
      for (const m of methods) table.set(`${m} ${route.url}`, describeAccess(access));
    });

    // synchronous hooks, but for the one session lookup a cookie the cache does not hold needs
    app.addHook('onRequest', (req, _reply, done) => {
      const token = req.cookies[SESSION_COOKIE];
      if (!token) return done();
      const known = cache.get(token);
      if (known !== undefined) {
        if (known) {
          req.user = known.user;
          req.csrfToken = known.csrfToken;
        }
        return done();
      }
      sessionOf(app.db, token).then((found) => {
        const s = found ? { user: found.user, csrfToken: found.csrfToken } : false;
        cache.set(token, s);
        if (s) {
          req.user = s.user;
          req.csrfToken = s.csrfToken;
        }
        done();
      }, done);
    });

    app.addHook('preParsing', (req, _reply, payload, done) => {
      try {
        checkAccess(req);
      } catch (err) {
        return done(err as Error);
      }
      done(null, payload);
    });

    app.addHook('onSend', (req, reply, payload, done) => {
      const policy = cachePolicyOf(req);
      if (policy !== 'shared') {
        const vary = String(reply.getHeader('vary') ?? '');
        if (!/\bcookie\b/i.test(vary)) reply.header('vary', vary ? `${vary}, Cookie` : 'Cookie');
        if (policy === 'private') {
          const cc = reply.getHeader('cache-control');
          // private, and nothing addressed to shared caches (s-maxage) left
          reply.header('cache-control', cc ? String(cc).replace(/\bpublic\b/i, 'private').replace(/,\s*s-maxage=\d+/i, '') : 'private, no-cache');
        }
      }
      done(null, payload);
    });

    function checkAccess(req: FastifyRequest): void {
      const access = req.routeOptions.config?.access;
      if (!access) return;
      const role = roleOf(req);
      const zh = requestLang(req) === 'zh';
      const refuse = (what: { zh: string; en: string }) =>
        req.user
          ? new AppError(403, 'FORBIDDEN', `当前角色（${ROLE_LABEL[role].zh}）无权${what.zh}`, `Your role (${ROLE_LABEL[role].en}) may not ${what.en}`)
          : new AppError(401, 'SIGN_IN_REQUIRED', `请先登录：${what.zh}需要相应权限`, `Please sign in: to ${what.en} needs a role that may`);
      if (Array.isArray(access)) {
        if (!(access as readonly Role[]).includes(role)) throw refuse({ zh: '访问此功能', en: 'use this' });
      } else {
        const id = (req.params as Record<string, string>)[(access as { layerParam: string }).layerParam];
        const layer = id ? getLayer(id) : undefined;
        if (layer && !maySeeLayer(role, layer.sensitivity)) {
          throw refuse({ zh: `查看受控图层“${zh ? layer.nameZh : layer.nameEn}”`, en: `see the restricted layer "${layer.nameEn}"` });
        }
      }
      if (req.user && UNSAFE.has(req.method) && req.routeOptions.url !== '/api/session') {
        if (req.headers[CSRF_HEADER] !== req.csrfToken) {
          throw new AppError(403, 'CSRF_TOKEN_INVALID', '请求缺少有效的 CSRF 令牌，请刷新页面后重试', 'The request lacks a valid CSRF token; reload the page and try again');
        }
      }
    }
  },
  { name: 'auth', dependencies: ['db', 'changes'] },
);
