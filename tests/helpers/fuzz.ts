/**
 * Malformed requests generated from the OpenAPI document (`app.swagger()`): for every route,
 * each parameter and body field is given values its schema refuses — wrong types, empty, NUL
 * and unpaired surrogates, a 1 MB string, numbers out of range (2^31, −1, 1e300, NaN, Infinity),
 * unknown enum values, null, deep nesting — and whole bodies go missing, malformed, oversized or
 * of the wrong content type. Every case says which words its refusal must contain (the field's
 * name), so a test can check that the message names the problem.
 *
 * Only values the schema itself refuses are generated (checked against its type, enum, pattern,
 * length and bounds), so an answer other than a 4xx is a fault of the application.
 */
import type { InjectOptions } from 'fastify';

export interface FuzzCase {
  /** Class of input, for the tally (e.g. "query: NUL inside"). */
  kind: string;
  /** "METHOD /path/{param}" as the OpenAPI document names the route. */
  route: string;
  request: InjectOptions;
  /** The refusal's message must contain one of these (case-insensitive). */
  names: string[];
  /** What the case is, for a failure message. */
  label: string;
}

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  prefixItems?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  nullable?: boolean;
};

interface Operation {
  parameters?: { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
  consumes?: string[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export const MB = 1024 * 1024;
const HUGE = 'x'.repeat(MB);
const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

/** A request the route accepts, to change one thing at a time: path values and a JSON body. */
export interface Baseline {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

function resolve(doc: OpenApiDoc, s: Schema | undefined): Schema {
  let out = s ?? {};
  for (let i = 0; out.$ref && i < 10; i++) out = doc.components?.schemas?.[out.$ref.replace('#/components/schemas/', '')] ?? {};
  return out;
}

const types = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/**
 * Would the schema refuse this value? For path and query strings `coerce` reads numbers the way
 * z.coerce.number does (Number(value)). Unknown keywords count as accepting: a value is only
 * called invalid when the schema says so.
 */
export function refuses(doc: OpenApiDoc, schema: Schema, value: unknown, coerce = false): boolean {
  const s = resolve(doc, schema);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf)!.every((b) => refuses(doc, b, value, coerce));
  if (s.allOf) return s.allOf.some((b) => refuses(doc, b, value, coerce));
  if (s.enum) return !s.enum.includes(value);
  if (s.const !== undefined) return s.const !== value;
  const t = types(s);
  if (value === null) return !(t.includes('null') || s.nullable === true);
  if (t.includes('integer') || t.includes('number')) {
    const n = coerce && typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) return true;
    if (t.includes('integer') && !Number.isInteger(n)) return true;
    if (s.minimum !== undefined && n < s.minimum) return true;
    if (s.maximum !== undefined && n > s.maximum) return true;
    if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) return true;
    if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum) return true;
    return false;
  }
  if (t.includes('string')) {
    if (typeof value !== 'string') return true;
    if (s.minLength !== undefined && value.length < s.minLength) return true;
    if (s.maxLength !== undefined && value.length > s.maxLength) return true;
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) return true;
    return false;
  }
  if (t.includes('boolean')) return typeof value !== 'boolean';
  if (t.includes('array')) return !Array.isArray(value) || (s.minItems !== undefined && value.length < s.minItems);
  if (t.includes('object')) return value === null || typeof value !== 'object' || Array.isArray(value);
  return false;
}

/** Values a path or query parameter refuses, each with its class. */
function badStrings(doc: OpenApiDoc, schema: Schema): { kind: string; value: string }[] {
  const candidates: { kind: string; value: string }[] = [
    { kind: 'wrong type (text for a number)', value: 'abc' },
    { kind: 'empty', value: '' },
    { kind: 'huge string (1 MB)', value: HUGE },
    { kind: 'out of range: 2^31', value: '2147483648' },
    { kind: 'out of range: -1', value: '-1' },
    { kind: 'out of range: 1e300', value: '1e300' },
    { kind: 'not a number: NaN', value: 'NaN' },
    { kind: 'not a number: Infinity', value: 'Infinity' },
    { kind: 'fraction for an integer', value: '1.5' },
    { kind: 'unknown enum value', value: 'no-such-value' },
  ];
  const t = types(resolve(doc, schema));
  const numeric = t.includes('integer') || t.includes('number');
  const seen = new Set<string>();
  return candidates.filter((c) => {
    // a text value for a number is "wrong type"; for a text field it is only an unknown value
    if (c.kind.startsWith('wrong type') && !numeric) return false;
    if (c.kind === 'unknown enum value' && !resolve(doc, schema).enum) return false;
    if (!refuses(doc, schema, c.value, true) || seen.has(c.value)) return false;
    seen.add(c.value);
    return true;
  });
}

/** Values a JSON body field refuses, each with its class. */
function badValues(doc: OpenApiDoc, schema: Schema): { kind: string; value: unknown }[] {
  const s = resolve(doc, schema);
  const t = types(s);
  const candidates: { kind: string; value: unknown }[] = [
    { kind: 'wrong type: number', value: 12345 },
    { kind: 'wrong type: string', value: 'abc' },
    { kind: 'wrong type: boolean', value: true },
    { kind: 'wrong type: object', value: { a: 1 } },
    { kind: 'wrong type: array', value: ['a'] },
    { kind: 'null', value: null },
    { kind: 'empty', value: '' },
    { kind: 'huge string (1 MB)', value: HUGE },
    { kind: 'out of range: 2^31', value: 2147483648 },
    { kind: 'out of range: -1', value: -1 },
    { kind: 'out of range: 1e300', value: 1e300 },
    { kind: 'fraction for an integer', value: 1.5 },
    { kind: 'unknown enum value', value: 'no-such-value' },
    { kind: 'deep nesting (10 000 levels)', value: deep(10_000) },
  ];
  const isString = t.includes('string') || !!s.enum;
  const isNumber = t.includes('integer') || t.includes('number');
  return candidates.filter((c) => {
    // one wrong type per field is enough: the first the schema refuses
    if (c.kind.startsWith('wrong type')) return false;
    if ((c.kind === 'empty' || c.kind === 'huge string (1 MB)') && !isString) return false;
    if (c.kind.startsWith('out of range') || c.kind.startsWith('fraction')) if (!isNumber) return false;
    if (c.kind === 'unknown enum value' && !s.enum) return false;
    if (c.value === DEEP) return refuses(doc, s, [['x']]) && !types(s).includes('array');
    return refuses(doc, s, c.value);
  }).concat(candidates.filter((c) => c.kind.startsWith('wrong type') && refuses(doc, s, c.value)).slice(0, 1));
}

/** Stands for 10 000 nested arrays (JSON.stringify would overflow the stack on them): see json(). */
const DEEP = 'zz-deep-nesting-zz';
const DEEP_TEXT = '['.repeat(10_000) + '"x"' + ']'.repeat(10_000);
const deep = (_n: number): unknown => DEEP;

const fill = (path: string, params: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, k: string) => encodeText(params[k] ?? '1'));
const qs = (q: Record<string, string>) => {
  const s = Object.entries(q)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeText(v)}`)
    .join('&');
  return s ? `?${s}` : '';
};
/** Percent-encoding that also carries an unpaired surrogate (as its CESU-8 bytes, not UTF-8). */
function encodeText(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[\ud800-\udfff]/g, '\u0001').split('\u0001').map(encodeURIComponent).join('%ED%A0%80');
  }
}

/**
 * Every generated case of one route. `baseline` gives values that pass (path params, required
 * query params, a valid JSON body) so that each case breaks exactly one thing.
 */
export function casesFor(doc: OpenApiDoc, path: string, method: string, baseline: Baseline): FuzzCase[] {
  const op = doc.paths[path]![method]!;
  const route = `${method.toUpperCase()} ${path}`;
  const M = method.toUpperCase() as InjectOptions['method'];
  const params = { ...(baseline.params ?? {}) };
  const query = { ...(baseline.query ?? {}) };
  const jsonBody = op.requestBody?.content?.['application/json'];
  const body = baseline.body;
  const json = (payload: unknown): InjectOptions =>
    jsonBody ? { payload: JSON.stringify(payload).replace(`"${DEEP}"`, DEEP_TEXT), headers: { 'content-type': 'application/json' } } : {};
  const base = (over: { params?: Record<string, string>; query?: Record<string, string>; rest?: InjectOptions }): InjectOptions => ({
    method: M,
    url: fill(path, over.params ?? params) + qs(over.query ?? query),
    ...(over.rest ?? json(body ?? {})),
  });
  const out: FuzzCase[] = [];
  const add = (kind: string, label: string, request: InjectOptions, names: string[]) => out.push({ kind, route, request, names, label: `${route} ${label}` });

  for (const p of op.parameters ?? []) {
    if (p.in === 'header') continue;
    const where = p.in === 'path' ? 'path' : 'query';
    const put = (v: string) => (p.in === 'path' ? { params: { ...params, [p.name]: v } } : { query: { ...query, [p.name]: v } });
    // a wrong path value may be answered "no such …" naming the value rather than the parameter
    // (or, for what the router itself refuses, the address's path)
    const names = (v: string) => (p.in === 'path' ? [p.name, v.slice(0, 20), '路径', 'path'].filter(Boolean) : [p.name]);
    for (const { kind, value } of badStrings(doc, p.schema)) {
      // a path segment cannot be empty: "/api/cases/" is another route
      if (p.in === 'path' && value === '') continue;
      add(`${where}: ${kind}`, `${p.name}=${value.slice(0, 30)}`, base(put(value)), names(value));
    }
    add(`${where}: NUL inside`, `${p.name} with U+0000`, base(put((params[p.name] ?? query[p.name] ?? 'a') + '\u0000')), names(''));
    add(`${where}: unpaired surrogate`, `${p.name} with U+D800`, base(put((params[p.name] ?? query[p.name] ?? 'a') + '\ud800')), names(''));
    if (p.required && p.in === 'query') {
      const { [p.name]: _gone, ...rest } = query;
      add('query: required missing', `without ${p.name}`, base({ query: rest }), [p.name]);
    }
  }
  // a parameter no route declares, carrying NUL: refused all the same (text that cannot be stored)
  add('query: NUL in an undeclared parameter', 'x=NUL', base({ query: { ...query, x: NUL } }), ['x']);
  add('header: NUL inside', 'user-agent with U+0000', { ...base({}), headers: { ...(base({}).headers ?? {}), 'x-client-note': NUL } }, ['x-client-note']);

  if (jsonBody && body) {
    const schema = resolve(doc, jsonBody.schema);
    const fields = (s: Schema, prefix: string, value: Record<string, unknown>, set: (v: Record<string, unknown>) => Record<string, unknown>) => {
      for (const [name, child] of Object.entries(s.properties ?? {})) {
        const field = prefix + name;
        const with_ = (v: unknown) => set({ ...value, [name]: v });
        const c = resolve(doc, child);
        for (const { kind, value: bad } of badValues(doc, c)) add(`body: ${kind}`, `${field}=${JSON.stringify(bad)?.slice(0, 30)}`, base({ rest: json(with_(bad)) }), [field]);
        if (types(c).includes('string') || c.enum) {
          add('body: NUL inside', `${field} with U+0000`, base({ rest: json(with_(NUL)) }), [field]);
          add('body: unpaired surrogate', `${field} with U+D800`, base({ rest: json(with_(LONE)) }), [field]);
        }
        if (s.required?.includes(name) && name in value) {
          const { [name]: _gone, ...rest } = value;
          add('body: required field missing', `without ${field}`, base({ rest: json(set(rest)) }), [field]);
        }
        // one level down (e.g. stockFirst.reason), on a valid value of the object
        const inner = value[name];
        if (c.properties && inner && typeof inner === 'object' && !Array.isArray(inner) && !prefix) {
          fields(c, `${field}.`, inner as Record<string, unknown>, (v) => set({ ...value, [name]: v }));
        }
      }
      if (s.additionalProperties === false) add('body: unknown field (strict schema)', `${prefix}zzUnknown`, base({ rest: json(set({ ...value, zzUnknown: 1 })) }), [`${prefix}zzUnknown`]);
      if (!prefix) {
        add('body: NUL in a key', 'key with U+0000', base({ rest: json(set({ ...value, 'k\u0000': 'v' })) }), ['k']);
      }
    };
    fields(schema, '', body, (v) => v);
    add('body: not an object (array)', '[]', base({ rest: json([]) }), ['请求体', 'request body']);
    add('body: invalid JSON', '{ cut', base({ rest: { payload: '{"a": ', headers: { 'content-type': 'application/json' } } }), ['JSON']);
    add('body: empty with a JSON content type', '(empty)', base({ rest: { payload: '', headers: { 'content-type': 'application/json' } } }), ['JSON', '请求体', 'body']);
    add('body: wrong content type', 'text/html', base({ rest: { payload: '<p>hi</p>', headers: { 'content-type': 'text/html' } } }), ['内容类型', 'media type', 'content type', 'content-type']);
    add('body: oversized (11 MB)', '11 MB', base({ rest: json({ ...body, pad: 'x'.repeat(11 * MB) }) }), ['过大', 'too large']);
    add('body: prototype pollution', '__proto__', base({ rest: { payload: `{"__proto__":{"admin":true},${JSON.stringify(body).slice(1)}`, headers: { 'content-type': 'application/json' } } }), ['prototype', '__proto__', 'JSON']);
  }
  return out;
}

/** A multipart/form-data body of the given parts (file parts have a filename). */
export function multipart(parts: { field: string; filename?: string; content: Buffer | string; type?: string }[], boundary = '----yzt-fuzz'): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.field}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Broken multipart bodies every upload route must refuse, naming the problem. */
export function multipartCases(route: string, url: string): FuzzCase[] {
  const geojson = JSON.stringify({ type: 'Polygon', coordinates: [[[114.35, 34.79], [114.353, 34.79], [114.353, 34.7927], [114.35, 34.79]]] });
  const ok = multipart([{ field: 'file', filename: 'site.geojson', content: geojson }]);
  const cases: [string, string, InjectOptions, string[]][] = [
    ['multipart: no boundary', 'no boundary', { payload: ok.payload, headers: { 'content-type': 'multipart/form-data' } }, ['boundary']],
    ['multipart: cut short', 'cut short', { payload: ok.payload.subarray(0, ok.payload.length - 40), headers: ok.headers }, ['不完整', 'cut short']],
    ['multipart: boundary that never occurs', 'boundary mismatch', { payload: ok.payload, headers: { 'content-type': 'multipart/form-data; boundary=other' } }, ['不完整', 'cut short', '没有收到', 'no file', 'nothing received']],
    ['multipart: no file', 'no parts', multipart([]), ['file']],
    ['multipart: wrong field name', 'field upload', multipart([{ field: 'upload', filename: 'site.geojson', content: geojson }]), ['file']],
    ['multipart: two files', 'two files', multipart([{ field: 'file', filename: 'a.geojson', content: geojson }, { field: 'file', filename: 'b.geojson', content: geojson }]), ['一个文件', 'one file']],
    ['multipart: NUL in the file name', 'filename NUL', multipart([{ field: 'file', filename: 'si\u0000te.geojson', content: geojson }]), ['file']],
    ['multipart: NUL in a text field', 'text field NUL', multipart([{ field: 'text', content: NUL }, { field: 'file', filename: 'site.geojson', content: geojson }]), ['text']],
    ['multipart: empty file', 'empty file', multipart([{ field: 'file', filename: 'site.geojson', content: '' }]), ['空', 'empty']],
    ['body: wrong content type', 'urlencoded', { payload: 'file=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, ['multipart', '内容类型']],
  ];
  return cases.map(([kind, label, rest, names]) => ({ kind, route, request: { method: 'POST', url, ...rest }, names, label: `${route} ${label}` }));
}
