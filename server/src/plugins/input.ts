/**
 * Text the application can store: every string a request brings — path parameters, the query
 * string, headers, a JSON body's keys and values, a form's text fields and file names — is
 * refused with a 400 naming the field when it holds a NUL character (U+0000, which PostgreSQL
 * cannot store in text) or an unpaired surrogate (not Unicode: it would be stored as U+FFFD).
 *
 * One check for every route: `onRequest` looks at the path, the query and the headers before
 * anything else runs (sessions, access), `preValidation` at the parsed JSON body; uploads call
 * `refuseIllFormedText` on the form's fields as they read them (server/src/http/upload.ts).
 */
import { fieldLabel } from '../../../core/validation-messages.ts';
import fp from 'fastify-plugin';
import { AppError } from './errors.ts';

export type TextPlace = 'params' | 'querystring' | 'headers' | 'body' | 'form';

const PLACE: Record<TextPlace, { zh: string; en: string }> = {
  params: { zh: '路径参数', en: 'path parameter' },
  querystring: { zh: '查询参数', en: 'query parameter' },
  headers: { zh: '请求头', en: 'header' },
  body: { zh: '请求体字段', en: 'request body field' },
  form: { zh: '表单字段', en: 'form field' },
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string, or null when it can be stored as it is. */
function flaw(s: string): { zh: string; en: string } | null {
  if (s.includes('\u0000')) return { zh: '空字符（U+0000）', en: 'a NUL character (U+0000)' };
  if (LONE_SURROGATE.test(s)) return { zh: '不成对的代理字符（U+D800–U+DFFF，文字编码有误）', en: 'an unpaired surrogate (U+D800–U+DFFF: the text is not well-formed Unicode)' };
  return null;
}

function refusal(place: TextPlace, field: string, what: { zh: string; en: string }, route?: string): AppError {
  const name = field.length > 60 ? `${field.slice(0, 60)}…` : field;
  // a field in words ("请求体字段“用户名”"); a name no schema declares, as it was sent
  const words = (lang: 'zh' | 'en') => fieldLabel(name, lang, route) ?? name;
  return new AppError(
    400,
    'INVALID_CHARACTER',
    `${PLACE[place].zh}“${words('zh')}”含有不允许的字符：${what.zh}`,
    `The ${PLACE[place].en} "${words('en')}" contains a character that is not allowed: ${what.en}`,
  );
}

/**
 * Throws the 400 for the first ill-formed string in `value` (keys included), named by its path
 * under `field`, e.g. `stockFirst.note` or `query.q`. Walks without recursion: a deeply nested
 * body cannot overflow the stack here.
 */
export function refuseIllFormedText(value: unknown, place: TextPlace, field = '', route?: string): void {
  if (typeof value === 'string') {
    const f = flaw(value);
    if (f) throw refusal(place, field || '(value)', f, route);
    return;
  }
  // containers only on the stack, each linked to its parent; a path is built only for a flaw, so
  // a site of 50 000 coordinate pairs costs one pass over numbers and no strings
  interface Node { v: object; parent: Node | null; key: string | number }
  const pathOf = (n: Node | null, key?: string | number): string => {
    const keys: (string | number)[] = key === undefined ? [] : [key];
    for (let at = n; at && at.parent; at = at.parent) keys.unshift(at.key);
    return [field, ...keys].filter((k) => k !== '').join('.');
  };
  const stack: Node[] = [];
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) stack.push({ v: value, parent: null, key: '' });
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.v;
    const visit = (child: unknown, key: string | number) => {
      if (typeof child === 'string') {
        const f = flaw(child);
        if (f) throw refusal(place, pathOf(node, key) || '(value)', f, route);
      } else if (child !== null && typeof child === 'object' && !Buffer.isBuffer(child)) stack.push({ v: child, parent: node, key });
    };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) visit(v[i], i);
    } else {
      for (const [k, child] of Object.entries(v)) {
        const fk = flaw(k);
        if (fk) throw refusal(place, pathOf(node, JSON.stringify(k).slice(1, -1)), fk, route);
        visit(child, k);
      }
    }
  }
}

/**
 * A NUL, any surrogate, or a percent sign (which may decode to either): a string without one of
 * these cannot be ill-formed, nor can the params and query parsed from a URL without one.
 */
const SUSPECT = /[\u0000\uD800-\uDFFF%]/;
const SUSPECT_TEXT = /[\u0000\uD800-\uDFFF]/;

function headersSuspect(headers: Record<string, string | string[] | undefined>): boolean {
  for (const k in headers) {
    const v = headers[k];
    if (typeof v !== 'string' || SUSPECT_TEXT.test(v) || SUSPECT_TEXT.test(k)) return true;
  }
  return false;
}

/**
 * The query string's parser keeps a percent-encoding that is not UTF-8 (`q=%ED%A0%80`, `%FF`) as
 * the literal characters; such a parameter is refused instead, naming it.
 */
function refuseUndecodableQuery(url: string, route?: string): void {
  const q = url.indexOf('?');
  if (q === -1 || !url.includes('%', q)) return;
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    let key = rawKey;
    try {
      key = decode(rawKey);
      if (eq !== -1) decode(pair.slice(eq + 1));
    } catch {
      throw refusal('querystring', key, { zh: '不是有效 UTF-8 的百分号编码', en: 'a percent-encoding that is not valid UTF-8' }, route);
    }
  }
}

export default fp(
  async (app) => {
    // synchronous hooks (no promise per request); most requests hold no suspect character at
    // all, which one scan of the raw head tells
    app.addHook('onRequest', (req, _reply, done) => {
      try {
        const route = req.routeOptions?.url;
        refuseUndecodableQuery(req.url, route);
        if (SUSPECT.test(req.url) || headersSuspect(req.headers)) {
          refuseIllFormedText(req.params, 'params', '', route);
          refuseIllFormedText(req.query, 'querystring', '', route);
          refuseIllFormedText(req.headers, 'headers', '', route);
        }
      } catch (err) {
        return done(err as Error);
      }
      done();
    });
    app.addHook('preValidation', (req, _reply, done) => {
      if (req.body === undefined || req.body === null) return done();
      try {
        refuseIllFormedText(req.body, 'body', '', req.routeOptions?.url);
      } catch (err) {
        return done(err as Error);
      }
      done();
    });
  },
  { name: 'input', dependencies: ['errors'] },
);
