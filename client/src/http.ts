/**
 * JSON calls to our own API from the pages: the request in the page's language
 * (Accept-Language), a JSON body when given, and on failure an Error carrying the server's
 * message (`{ error: { message } }`) — what the user should read. The CSRF header is added to
 * every change by session.ts.
 */
import type { Lang } from './i18n.ts';

/** A word in the page's language. */
export const w = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** The server's message from an error answer, or a general one naming the status. */
export async function messageOf(res: Response, lang: Lang): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? w(lang, `请求失败（${res.status}）`, `The request failed (${res.status})`);
}

/** fetch with JSON in and out; null for a 204; throws the server's message. */
export async function callApi<T>(lang: Lang, url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'accept-language': lang === 'en' ? 'en' : 'zh-CN',
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...((rest.headers as Record<string, string> | undefined) ?? {}),
    },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  if (!res.ok) throw new Error(await messageOf(res, lang));
  return (res.status === 204 ? null : await res.json()) as T;
}
