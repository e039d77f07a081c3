/**
 * Turns every failure into `{ error: { code, message, details? } }` with a
 * message in the user's language (Chinese unless the request prefers English).
 * Validation failures name the field; nothing leaks a stack trace.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { issueMessage, type IssueLike } from '../../../core/validation-messages.ts';

export type Lang = 'zh' | 'en';

/** The request's language: English only when Accept-Language ranks it above Chinese. */
export function requestLang(req: FastifyRequest): Lang {
  const header = String(req.headers['accept-language'] ?? '').toLowerCase();
  const en = header.indexOf('en');
  const zh = header.indexOf('zh');
  return en !== -1 && (zh === -1 || en < zh) ? 'en' : 'zh';
}

/** An error a route throws on purpose: status, code and both languages' messages. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/** Seconds a client is asked to wait when the database is unreachable (`Retry-After`). */
export const DATABASE_RETRY_AFTER_S = 5;

const LOST_CONNECTION_CODES = new Set([
  // the server is going away, or not taking connections yet (restart, failover, too many clients)
  '57P01', '57P02', '57P03', '53300',
  // sockets
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
]);
const LOST_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;

/**
 * Whether a failure means the database cannot be reached right now (rather than that the
 * request or the query is wrong): connection refused or cut, the server shutting down or
 * starting up, SQLSTATE class 08, no connection within the pool's timeout. Looks through
 * `cause` and AggregateError (a host name with several addresses).
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (LOST_CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof e.message === 'string' && LOST_CONNECTION_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

const where: Record<string, { zh: string; en: string }> = {
  querystring: { zh: '查询参数', en: 'query parameter' },
  params: { zh: '路径参数', en: 'path parameter' },
  body: { zh: '请求体', en: 'request body' },
  headers: { zh: '请求头', en: 'header' },
};

/** The value at a path of what the request sent (undefined when it sent none there). */
function valueAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/**
 * The router's own refusals, before any route or hook runs (Fastify's `frameworkErrors`): a path
 * whose percent-encoding is not UTF-8, a path parameter longer than the router allows.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const lang = requestLang(req);
  const known: Record<string, [number, string, string]> = {
    FST_ERR_BAD_URL: [400, '地址（路径）中的百分号编码不是有效的 UTF-8 文字', 'The address (path) holds a percent-encoding that is not valid UTF-8 text'],
    FST_ERR_MAX_PARAM_LENGTH: [414, '地址（路径）参数过长：每个路径参数最多 100 个字符', 'A path parameter of the address is too long: at most 100 characters each'],
    FST_ERR_ASYNC_CONSTRAINT: [400, '请求无效', 'Invalid request'],
  };
  const [status, zh, en] = known[err.code] ?? [400, '请求无效', 'Invalid request'];
  void reply.status(status).send({ error: { code: err.code ?? 'BAD_REQUEST', message: lang === 'zh' ? zh : en } });
}

export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      const lang = requestLang(req);
      if (err instanceof AppError) {
        return reply.status(err.statusCode).send({ error: { code: err.code, message: lang === 'zh' ? err.zh : err.en } });
      }
      if (hasZodFastifySchemaValidationErrors(err)) {
        const ctx = where[err.validationContext ?? 'body'] ?? where.body!;
        const route = req.routeOptions?.url;
        const details = err.validation.map((v) => {
          const params = v.params as IssueLike & { path?: PropertyKey[] };
          const path = (v.instancePath || '').replace(/^\//, '').split('/').filter(Boolean);
          const issuePath = path.length ? path : (params?.path ?? []).map(String);
          const sent = { body: req.body, querystring: req.query, params: req.params, headers: req.headers }[err.validationContext ?? 'body'];
          const input = valueAt(sent, issuePath);
          return { field: issuePath.join('.'), message: issueMessage({ ...params, code: v.keyword, path: issuePath, message: v.message ?? '', input }, lang, route) };
        });
        const message =
          lang === 'zh'
            ? `${ctx.zh}无效：${details.map((d) => d.message).join('；')}`
            : `Invalid ${ctx.en}: ${details.map((d) => d.message).join('; ')}`;
        return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message, details } });
      }
      if (isResponseSerializationError(err)) {
        req.log.error({ err }, 'response did not match its schema');
        return reply.status(500).send({
          error: { code: 'INTERNAL', message: lang === 'zh' ? '服务器内部错误' : 'Internal server error' },
        });
      }
      if (isDatabaseUnavailable(err)) {
        req.log.warn({ err: { code: (err as { code?: string }).code, message: err.message } }, 'database unavailable');
        return reply
          .status(503)
          .header('Retry-After', String(DATABASE_RETRY_AFTER_S))
          .send({
            error: {
              code: 'DATABASE_UNAVAILABLE',
              message:
                lang === 'zh'
                  ? `数据库暂时无法连接，请 ${DATABASE_RETRY_AFTER_S} 秒后重试`
                  : `The database is unreachable right now; please try again in ${DATABASE_RETRY_AFTER_S} seconds`,
            },
          });
      }
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err }, 'request failed');
        return reply.status(status).send({
          error: { code: 'INTERNAL', message: lang === 'zh' ? '服务器内部错误，请稍后重试' : 'Internal server error' },
        });
      }
      // Fastify's own 4xx (bad JSON, body too large, unsupported media type …)
      const zh: Record<string, string> = {
        FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是有效的 JSON',
        FST_ERR_CTP_EMPTY_JSON_BODY: '请求体为空，但声明为 JSON',
        FST_ERR_CTP_BODY_TOO_LARGE: '请求体过大',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持的请求内容类型',
      };
      return reply.status(status).send({
        error: { code: err.code ?? 'BAD_REQUEST', message: lang === 'zh' ? (zh[err.code] ?? `请求无效（错误代码 ${err.code ?? status}）`) : err.message },
      });
    });

    app.setNotFoundHandler((req, reply) => {
      const lang = requestLang(req);
      return reply.status(404).send({
        error: {
          code: 'NOT_FOUND',
          message: lang === 'zh' ? `找不到 ${req.method} ${req.url}` : `Not found: ${req.method} ${req.url}`,
        },
      });
    });
  },
  { name: 'errors' },
);
