/**
 * Every call of the pages to our own API: JSON in and out, in the page's language
 * (Accept-Language), checked against the contract's schema when one is given, and on failure an
 * ApiError carrying the server's status, code and message (`{ error: { code, message } }`, in the
 * user's language) and the fields a 400 names.
 *
 * Changes (POST, PUT, PATCH, DELETE) carry the session's CSRF token in `x-csrf-token`, added
 * here and nowhere else; a change refused for a stale token (the user signed in again in
 * another tab) is sent once more with the session's fresh one. Nothing global is patched: the
 * page's `fetch` and `XMLHttpRequest` are the browser's own, and map tiles load as MapLibre
 * fetches them (GETs need no token).
 *
 * @example
 * const c = await getJson(`/api/cases/${id}`, { lang, schema: CaseDetail, signal });
 * await postJson('/api/me/saved-searches', { name, query }, { lang });
 * await upload(`/api/admin/layers/${id}/imports`, form, { lang, onProgress: (share) => … });
 */
import type { SessionInfo } from '../../core/contracts/auth.ts';
import { PROVINCE } from '../../core/divisions.ts';
import { translate, type Lang } from './i18n.ts';

export const CSRF_HEADER = 'x-csrf-token';
const CSRF_REFUSED = 'CSRF_TOKEN_INVALID';

/** A failed call: the server's status, code and message, or status 0 and code NETWORK. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields a 400 names, e.g. ['minArea']. */
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

/** Any failure as an ApiError (a failure that is not one becomes status 0, code NETWORK). */
export const asApiError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, 'NETWORK', (e as Error).message));

export interface CallOptions<T> {
  lang: Lang;
  signal?: AbortSignal;
  /** The contract's schema the answer is checked with (zod); without it the body as it came. */
  schema?: { parse(body: unknown): T };
}

/** How the page asks for answers in its language. */
export const acceptLanguage = (lang: Lang) => (lang === 'en' ? 'en' : 'zh-CN');

let session: Promise<SessionInfo> | null = null;

/** What the page knows when the session could not be read: the public, working across the province. */
const NO_SESSION: SessionInfo = { user: null, csrfToken: null, scope: { ...PROVINCE, level: 'province', bbox: null } };

/**
 * Who is signed in (null for the public) and the session's CSRF token; fetched once per page,
 * or again with `fresh` (the server refused a stale token).
 */
export function currentSession(fresh = false): Promise<SessionInfo> {
  if (fresh) session = null;
  session ??= fetch('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<SessionInfo>) : NO_SESSION))
    .catch(() => NO_SESSION);
  return session;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string }[] };
}

/** The error an answer with `status` and (parsed) `body` stands for. */
function errorOf(status: number, body: unknown, lang: Lang): ApiError {
  const e = (body as ErrorBody | null)?.error;
  const fields = (e?.details ?? []).map((d) => d.field ?? '').filter(Boolean);
  return new ApiError(status, e?.code ?? `HTTP_${status}`, e?.message ?? translate(lang, 'httpFailed', { status }), fields);
}

const codeOf = (body: unknown) => (body as ErrorBody | null)?.error?.code;

const isAbort = (e: unknown) => (e as { name?: string } | null)?.name === 'AbortError';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The headers of a call: JSON answers in the page's language, and the token on a change. */
async function headersFor(method: Method, lang: Lang, fresh: boolean, contentType?: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': acceptLanguage(lang) };
  if (contentType) headers['content-type'] = contentType;
  if (method !== 'GET') {
    const { csrfToken } = await currentSession(fresh);
    if (csrfToken) headers[CSRF_HEADER] = csrfToken;
  }
  return headers;
}

async function call<T>(method: Method, url: string, opts: CallOptions<T>, body?: BodyInit, contentType?: string): Promise<T> {
  const send = async (fresh: boolean) => {
    const headers = await headersFor(method, opts.lang, fresh, contentType);
    try {
      const res = await fetch(url, { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
      const parsed: unknown = res.status === 204 ? null : await res.json().catch(() => (res.ok ? undefined : null));
      return { res, parsed };
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new ApiError(0, 'NETWORK', translate(opts.lang, 'httpNetwork'));
    }
  };
  let { res, parsed } = await send(false);
  // a token from before a new sign-in (in another tab): once more with the session's own
  if (res.status === 403 && method !== 'GET' && codeOf(parsed) === CSRF_REFUSED) ({ res, parsed } = await send(true));
  if (!res.ok) throw errorOf(res.status, parsed, opts.lang);
  if (parsed === undefined) throw new ApiError(res.status, 'BAD_RESPONSE', translate(opts.lang, 'httpBadAnswer', { status: res.status }));
  return opts.schema ? opts.schema.parse(parsed) : (parsed as T);
}

/** GET a JSON answer. */
export const getJson = <T = unknown>(url: string, opts: CallOptions<T>) => call<T>('GET', url, opts);

/** POST a JSON body (none when `body` is undefined); answers the JSON answer (null for a 204). */
export const postJson = <T = unknown>(url: string, body: unknown, opts: CallOptions<T>) =>
  body === undefined ? call<T>('POST', url, opts) : call<T>('POST', url, opts, JSON.stringify(body), 'application/json');

/** PATCH with a JSON body. */
export const patchJson = <T = unknown>(url: string, body: unknown, opts: CallOptions<T>) =>
  call<T>('PATCH', url, opts, JSON.stringify(body), 'application/json');

/** PUT a JSON body. */
export const putJson = <T = unknown>(url: string, body: unknown, opts: CallOptions<T>) =>
  call<T>('PUT', url, opts, JSON.stringify(body), 'application/json');

/** DELETE; answers the JSON answer (null for a 204). */
export const del = <T = unknown>(url: string, opts: CallOptions<T>) => call<T>('DELETE', url, opts);

/** POST a form (a file); the browser writes the multipart boundary. */
export const postForm = <T = unknown>(url: string, form: FormData, opts: CallOptions<T>) => call<T>('POST', url, opts, form);

/** POST plain text (pasted coordinates). */
export const postText = <T = unknown>(url: string, text: string, opts: CallOptions<T>) =>
  call<T>('POST', url, opts, text, 'text/plain; charset=utf-8');

/**
 * POST a form with XMLHttpRequest, for its upload progress (`onProgress` gets the share sent,
 * 0–1); otherwise as postForm: the token, the language, the server's message, one retry.
 */
export function upload<T = unknown>(url: string, form: FormData, opts: CallOptions<T> & { onProgress?: (share: number) => void }): Promise<T> {
  const send = (fresh: boolean) =>
    headersFor('POST', opts.lang, fresh).then(
      (headers) =>
        new Promise<{ status: number; parsed: unknown }>((resolve, reject) => {
          const xhr = new XMLHttpRequest();
          xhr.open('POST', url);
          for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
          xhr.upload.onprogress = (e) => e.lengthComputable && opts.onProgress?.(e.loaded / e.total);
          xhr.onload = () => {
            let parsed: unknown = null;
            try {
              parsed = xhr.status === 204 ? null : JSON.parse(xhr.responseText);
            } catch {
              parsed = xhr.status >= 200 && xhr.status < 300 ? undefined : null;
            }
            resolve({ status: xhr.status, parsed });
          };
          xhr.onerror = () => reject(new ApiError(0, 'NETWORK', translate(opts.lang, 'httpUploadNetwork')));
          xhr.onabort = () => reject(new DOMException('The upload was aborted', 'AbortError'));
          opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
          xhr.send(form);
        }),
    );
  return (async () => {
    let { status, parsed } = await send(false);
    if (status === 403 && codeOf(parsed) === CSRF_REFUSED) ({ status, parsed } = await send(true));
    if (status < 200 || status >= 300) throw errorOf(status, parsed, opts.lang);
    if (parsed === undefined) throw new ApiError(status, 'BAD_RESPONSE', translate(opts.lang, 'httpBadAnswer', { status }));
    return opts.schema ? opts.schema.parse(parsed) : (parsed as T);
  })();
}
