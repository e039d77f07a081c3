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

/** Who is signed in (null for the public); fetched once per page. */
export function currentSession(): Promise<SessionInfo> {
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

window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (UNSAFE.has(method) && sameOrigin(url)) {
    const { csrfToken } = await currentSession();
    if (csrfToken) {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set('x-csrf-token', csrfToken);
      init = { ...init, headers };
    }
  }
  return nativeFetch(input, init);
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
