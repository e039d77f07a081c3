/**
 * The signed-in session, as the page sees it: who is signed in (GET /api/session) and the
 * session's CSRF token, which every same-origin request that changes something must carry
 * in `x-csrf-token` — added here to every fetch and XMLHttpRequest of the page, so no call
 * site can forget it. Imported once, first, by main.tsx.
 */
import type { SessionInfo } from '../../core/contracts/auth.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const nativeFetch = window.fetch.bind(window);
let token: string | null = null;
let session: Promise<SessionInfo> | null = null;

/**
 * Who is signed in (null for the public); fetched once per page, or again with `fresh` (the
 * server refused a stale CSRF token: the user signed in again elsewhere).
 */
export function currentSession(fresh = false): Promise<SessionInfo> {
  if (fresh) session = null;
  session ??= nativeFetch('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    .then((r) => (r.ok ? (r.json() as Promise<SessionInfo>) : { user: null, csrfToken: null }))
    .catch(() => ({ user: null, csrfToken: null }))
    .then((s) => {
      token = s.csrfToken;
      return s;
    });
  return session;
}

const sameOrigin = (url: string) => new URL(url, window.location.href).origin === window.location.origin;

async function withToken(input: RequestInfo | URL, init: RequestInit | undefined, fresh: boolean): Promise<Response> {
  const { csrfToken } = await currentSession(fresh);
  if (!csrfToken) return nativeFetch(input, init);
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set('x-csrf-token', csrfToken);
  return nativeFetch(input, { ...init, headers });
}

window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!UNSAFE.has(method) || !sameOrigin(url)) return nativeFetch(input, init);
  const res = await withToken(input, init, false);
  // a token from before a new sign-in (in another tab): once more with the session's own
  if (res.status === 403 && !(input instanceof Request)) {
    const code = await res
      .clone()
      .json()
      .then((b: { error?: { code?: string } }) => b.error?.code)
      .catch(() => undefined);
    if (code === 'CSRF_TOKEN_INVALID') return withToken(input, init, true);
  }
  return res;
};

const open = XMLHttpRequest.prototype.open;
const send = XMLHttpRequest.prototype.send;
const pending = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
  pending.set(this, { method: method.toUpperCase(), url: String(url) });
  return (open as (...a: unknown[]) => void).call(this, method, url, ...rest);
} as typeof XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
  const p = pending.get(this);
  if (p && UNSAFE.has(p.method) && sameOrigin(p.url) && token) this.setRequestHeader('x-csrf-token', token);
  return send.call(this, body);
};

void currentSession();
