/**
 * The client's one HTTP module (client/src/http.ts) against a real HTTP server on a loopback
 * port: the CSRF token on changes and never on reads, the page's language, the server's
 * `{ error: { code, message } }` surfaced, and one retry with a fresh token after a new sign-in.
 *
 * The page's addresses are relative ('/api/…'); Node's fetch needs them absolute, so the test
 * resolves them against the server's origin as a browser resolves them against the page.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, currentSession, del, getJson, patchJson, postForm, postJson, postText } from '../../client/src/http.ts';

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  lang: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** What the server does: the session's token (null for the public), and what it answers. */
const server = {
  token: null as string | null,
  /** Refuse every change as carrying a stale token (a session that keeps changing). */
  refuseChanges: false,
  seen: [] as Seen[],
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

let http: Server;
let origin: string;
const nodeFetch = globalThis.fetch;

beforeAll(async () => {
  http = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = req.url ?? '/';
      const token = req.headers['x-csrf-token'] as string | undefined;
      server.seen.push({ method: req.method!, url, token, lang: req.headers['accept-language'], contentType: req.headers['content-type'], body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(value));
      };
      const zh = !(req.headers['accept-language'] ?? '').startsWith('en');
      if (url === '/api/session') return json(200, { user: server.token ? { id: 1, username: 'p', displayName: '规划员', role: 'planner' } : null, csrfToken: server.token });
      // what the server's auth plugin does: a signed-in change must carry the session's token
      if (req.method !== 'GET' && ((server.token && token !== server.token) || server.refuseChanges)) {
        return json(403, { error: { code: 'CSRF_TOKEN_INVALID', message: zh ? '请求缺少有效的 CSRF 令牌，请刷新页面后重试' : 'The request lacks a valid CSRF token' } });
      }
      if (url === '/api/forbidden') return json(403, { error: { code: 'FORBIDDEN', message: zh ? '当前角色无权访问此功能' : 'Your role may not use this' } });
      if (url === '/api/invalid') return json(400, { error: { code: 'VALIDATION', message: zh ? 'name（名称）不能为空' : 'name must not be empty', details: [{ field: 'name' }] } });
      if (url === '/api/broken') {
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html>bad gateway</html>');
      }
      if (req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      return json(200, { ok: true, method: req.method, body });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  globalThis.fetch = (input, init) => nodeFetch(typeof input === 'string' ? new URL(input, origin) : input, init);
});

afterAll(async () => {
  globalThis.fetch = nodeFetch;
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

/** Signs the "browser" in with a token (or out with null) and lets the page read its session. */
async function signedIn(token: string | null) {
  server.token = token;
  await currentSession(true);
  server.seen.length = 0;
}

const calls = (path: string) => server.seen.filter((s) => s.url === path);

describe('client/src/http.ts', () => {
  beforeEach(() => signedIn('token-1'));

  it('adds the token to changes and never to reads, and asks in the page language', async () => {
    expect(await getJson('/api/thing', { lang: 'en' })).toMatchObject({ ok: true, method: 'GET' });
    await postJson('/api/thing', { name: '东区' }, { lang: 'zh' });
    await patchJson('/api/thing', { name: '西区' }, { lang: 'zh' });
    expect(await del('/api/thing', { lang: 'zh' })).toBeNull();
    const form = new FormData();
    form.append('file', new Blob(['{}'], { type: 'application/geo+json' }), 'a.geojson');
    await postForm('/api/thing', form, { lang: 'zh' });
    await postText('/api/thing', '1 2\n3 4', { lang: 'en' });

    const seen = calls('/api/thing');
    expect(seen.map((s) => [s.method, s.token ?? null, s.lang])).toEqual([
      ['GET', null, 'en'],
      ['POST', 'token-1', 'zh-CN'],
      ['PATCH', 'token-1', 'zh-CN'],
      ['DELETE', 'token-1', 'zh-CN'],
      ['POST', 'token-1', 'zh-CN'],
      ['POST', 'token-1', 'en'],
    ]);
    expect(seen[1]!.contentType).toBe('application/json');
    expect(JSON.parse(seen[1]!.body)).toEqual({ name: '东区' });
    expect(seen[4]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[4]!.body).toContain('filename="a.geojson"');
    expect(seen[5]!.contentType).toBe('text/plain; charset=utf-8');
    expect(seen[5]!.body).toBe('1 2\n3 4');
    // the session was read once for the page, not once a change
    expect(calls('/api/session')).toHaveLength(0);
  });

  it('sends no token for the public', async () => {
    await signedIn(null);
    await postJson('/api/thing', { a: 1 }, { lang: 'zh' });
    expect(calls('/api/thing').map((s) => s.token)).toEqual([undefined]);
  });

  it('after a new sign-in elsewhere, sends the change once more with the fresh token', async () => {
    server.token = 'token-2'; // signed in again in another tab: the page still holds token-1
    expect(await postJson('/api/thing', { a: 1 }, { lang: 'zh' })).toMatchObject({ ok: true, method: 'POST' });
    expect(calls('/api/thing').map((s) => s.token)).toEqual(['token-1', 'token-2']);
    expect(calls('/api/session')).toHaveLength(1);
    // the body went both times
    expect(calls('/api/thing').map((s) => JSON.parse(s.body))).toEqual([{ a: 1 }, { a: 1 }]);
    // and the next change goes with the fresh token at once
    server.seen.length = 0;
    await postJson('/api/thing', { a: 2 }, { lang: 'zh' });
    expect(calls('/api/thing').map((s) => s.token)).toEqual(['token-2']);
  });

  it('retries a form once too (the same file sent again)', async () => {
    server.token = 'token-3';
    const form = new FormData();
    form.append('file', new Blob(['abc']), 'x.zip');
    await postForm('/api/thing', form, { lang: 'zh' });
    const seen = calls('/api/thing');
    expect(seen.map((s) => s.token)).toEqual(['token-1', 'token-3']);
    expect(seen.every((s) => s.body.includes('filename="x.zip"') && s.body.includes('abc'))).toBe(true);
  });

  it('retries only once: a token still refused is the server’s error', async () => {
    server.refuseChanges = true;
    try {
      const err = await postJson('/api/thing', {}, { lang: 'en' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 403, code: 'CSRF_TOKEN_INVALID', message: 'The request lacks a valid CSRF token' });
      expect(calls('/api/thing')).toHaveLength(2);
      expect(calls('/api/session')).toHaveLength(1);
    } finally {
      server.refuseChanges = false;
    }
  });

  it('does not retry other refusals', async () => {
    const err = await postJson('/api/forbidden', {}, { lang: 'zh' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN', message: '当前角色无权访问此功能' });
    expect(calls('/api/forbidden')).toHaveLength(1);
    expect(calls('/api/session')).toHaveLength(0);
  });

  it('surfaces the server’s message and the fields it names, in the page language', async () => {
    const zh = await postJson('/api/invalid', {}, { lang: 'zh' }).catch((e: unknown) => e);
    expect(zh).toBeInstanceOf(ApiError);
    expect(zh).toMatchObject({ status: 400, code: 'VALIDATION', message: 'name（名称）不能为空', fields: ['name'] });
    const en = await getJson('/api/invalid', { lang: 'en' }).catch((e: unknown) => e);
    expect(en).toMatchObject({ message: 'name must not be empty' });
  });

  it('names the status when the answer carries no message', async () => {
    expect(await getJson('/api/broken', { lang: 'zh' }).catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'HTTP_502', message: '请求失败（502）' });
    expect(await getJson('/api/broken', { lang: 'en' }).catch((e: unknown) => e)).toMatchObject({ message: 'The request failed (502)' });
  });

  it('checks the answer with the contract’s schema', async () => {
    const Ok = z.object({ ok: z.literal(true), method: z.string() });
    expect(await getJson('/api/thing', { lang: 'zh', schema: Ok })).toEqual({ ok: true, method: 'GET' });
    await expect(getJson('/api/thing', { lang: 'zh', schema: z.object({ missing: z.string() }) })).rejects.toThrow();
  });

  it('says the server could not be reached, and lets an abort through', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await getJson(`http://127.0.0.1:${port}/api/thing`, { lang: 'zh' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'NETWORK', message: '无法连接服务器，请检查网络后重试' });

    const abort = new AbortController();
    abort.abort();
    const aborted = await getJson('/api/thing', { lang: 'zh', signal: abort.signal }).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe('AbortError');
  });
});
