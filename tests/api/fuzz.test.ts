/**
 * The fuzz suite, on whichever backend the suite runs: every route of the OpenAPI document gets
 * requests generated from its schema (tests/helpers/fuzz.ts) — wrong types, empty values, NUL
 * and unpaired surrogates, 1 MB strings, numbers out of range, unknown enum values, deep and
 * oversized JSON, missing fields, the wrong content type — and the upload routes get broken
 * multipart bodies and every hostile file in tests/fixtures/hostile/ (see make.py there).
 *
 * Each case runs as the public (in Chinese) and as a signed-in role allowed to call the route (in
 * English). Every answer must be a 4xx `{ error: { code, message } }` whose message names the
 * field or the file's problem — 401/403 only for the public on a restricted route — never a 5xx,
 * and within 5 s. At the end the suite prints how many cases each class of input had.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRole } from '../../core/access.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { casesFor, multipart, multipartCases, type Baseline, type FuzzCase, type OpenApiDoc } from '../helpers/fuzz.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';
import { fieldLabel } from '../../core/validation-messages.ts';

const HOSTILE = new URL('../fixtures/hostile/', import.meta.url);
const SITE = JSON.parse(readFileSync(new URL('../fixtures/site-check/in/crossing-farmland.geojson', import.meta.url), 'utf8')).geometry;
const UUID = '00000000-0000-4000-8000-000000000000';
/** The bound the issue sets for any answer. */
const SLOWEST_MS = 5_000;
const BATCH = 6;

/** Values each route accepts, so that a case breaks one thing (by "METHOD /path"). */
function baselineOf(route: string): Baseline {
  // ids no row has: a case that were accepted by mistake would change nothing (404)
  const params: Record<string, string> = { id: '2147483647', versionNo: '2147483647', jobId: UUID, code: 'CL-NO-SUCH', z: '10', x: '838', y: '407', layer: route.includes('/api/admin/layers/') ? 'eco-redline' : 'stock-parcel' };
  if (route.includes('/api/site-checks/{id}')) params.id = UUID;
  const query: Record<string, string> = route === 'GET /api/layers/{layer}/features' ? { bbox: '114.30,34.76,114.36,34.80' } : {};
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /api/session': { username: 'fuzz-nobody', password: 'x' },
    'POST /api/admin/users': { username: 'fuzz-user', role: 'planner', password: 'Fuzz-password-2026' },
    'PATCH /api/admin/users/{id}': { displayName: '模糊测试' },
    'POST /api/admin/users/{id}/password': { password: 'Fuzz-password-2026' },
    'POST /api/site-checks': { geometry: SITE, use: '工业', stockFirst: { reason: 'other', note: '模糊测试' } },
    'POST /api/site-checks/{id}/approval': { approvalNo: '模糊测试', approvedOn: '2026-01-01' },
    'POST /api/stock-parcels/match': { use: '工业', areaMu: 10 },
    'POST /api/cases/{id}/decisions': { version: 1, status: '违法占用' },
    'POST /api/cases/{id}/rectification': { deadline: '2026-12-31', done: false, note: '模糊测试' },
    'POST /api/admin/layer-jobs/{jobId}/commit': { note: '模糊测试' },
    'POST /api/admin/layers/{layer}/versions/{versionNo}/restore': { note: '模糊测试' },
    'POST /api/me/saved-searches': { name: '模糊测试', query: {} },
    'PATCH /api/me/saved-searches/{id}': { name: '模糊测试' },
  };
  return { params, query, body: bodies[route] };
}

const UPLOADS: Record<string, string> = {
  'POST /api/geometry/parse': '/api/geometry/parse',
  'POST /api/cases/import': '/api/cases/import',
  'POST /api/admin/layers/{layer}/imports': '/api/admin/layers/eco-redline/imports',
};

interface Expectation {
  /** Words the refusal's message must contain one of. */
  names?: string[];
  /** Routes that must read the file (200/202), with the warning code the answer carries, if any. */
  reads?: Record<string, { warning?: string }>;
}
const EXPECT: Record<string, Expectation> = JSON.parse(readFileSync(new URL('expect.json', HOSTILE), 'utf8'));
// every file here but the scripts, notes and site-check bodies (site-*.json go to POST /api/site-checks in hostile-uploads.test.ts)
const HOSTILE_FILES = readdirSync(HOSTILE).filter((f) => !/\.(py|md)$/.test(f) && !/^site-.*\.json$/.test(f) && f !== 'expect.json').sort();
/** Words that say what is wrong with a file, when expect.json names none. */
const FILE_WORDS = ['文件', 'file', 'zip', 'shapefile', 'geopackage', 'kml', '界址点', '坐标', 'coordinate', '.shp', '.dbf', '编码', 'encoding', '带号', 'zone'];

/** The class of a hostile file, from its name. */
const kindOfFile = (f: string) =>
  /gbk|utf8|mixed/i.test(f) ? 'GBK/UTF-8 mix-up' : /^(zip-|not-a-zip)/.test(f) ? 'archive' : f.startsWith('shp-') ? 'Shapefile' : f.startsWith('gpkg-') ? 'GeoPackage' : f.startsWith('kml-') ? 'KML' : f.startsWith('boundary-') ? '界址点 file' : 'other';

const tally = new Map<string, number>();
const count = (kind: string, n = 1) => tally.set(kind, (tally.get(kind) ?? 0) + n);

describe(`fuzz: every route refuses malformed input with a 4xx naming the problem on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let doc: OpenApiDoc;
  const sessions = new Map<AccountRole, SignedIn>();

  beforeAll(async () => {
    const t = await openTestDatabase();
    db = t.db;
    // a fuzz run is a burst: limits that do not throttle it (the 429 itself: tests/api/malformed.test.ts)
    app = await buildApp({ db, rateLimitPerMinute: { public: 10_000_000, signedIn: 10_000_000, signIn: 10_000_000 } });
    close = async () => {
      await app.close();
      await t.close();
    };
    for (const role of ['enterprise', 'planner', 'auditor', 'admin'] as const) sessions.set(role, await signInAs(app, db, role));
    doc = app.swagger() as unknown as OpenApiDoc;
  }, 120_000);

  afterAll(async () => {
    await close?.();
    const rows = [...tally.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    const total = rows.reduce((s, [, n]) => s + n, 0);
    const width = Math.max(...rows.map(([k]) => k.length), 10);
    console.log(
      [`fuzz cases by class of input (${backend}; each run as the public and as an allowed role):`, ...rows.map(([k, n]) => `  ${k.padEnd(width)}  ${String(n).padStart(4)}`), `  ${'total'.padEnd(width)}  ${String(total).padStart(4)}`].join('\n'),
    );
  });

  /** The least role allowed to call a route, from its declared access; null when the public may. */
  const roleFor = (route: string): { role: AccountRole; publicMay: boolean } => {
    const access = app.accessTable.get(route.replace(/\{(\w+)\}/g, ':$1'));
    if (!access) throw new Error(`no access declared for ${route}`);
    if (access.startsWith('public layer')) return { role: 'planner', publicMay: true };
    const roles = access.split(', ');
    const first = roles.find((r) => r !== 'public') as AccountRole;
    return { role: first, publicMay: roles.includes('public') };
  };

  /** Runs one case as one caller and returns what is wrong with the answer, or null. */
  const check = async (c: FuzzCase, as: SignedIn | null, restrictedForCaller: boolean, extra?: (body: string) => string | null): Promise<string | null> => {
    const headers: Record<string, string> = { ...((c.request.headers as Record<string, string>) ?? {}), 'accept-language': as ? 'en' : 'zh-CN' };
    if (as) Object.assign(headers, { cookie: as.cookie, 'x-csrf-token': as.csrfToken });
    const started = Date.now();
    let res;
    try {
      res = await app.inject({ ...c.request, headers } as InjectOptions);
    } catch (e) {
      return `${c.label} as ${as ? as.username : 'public'}: the request could not be made (${(e as Error).message})`;
    }
    const ms = Date.now() - started;
    const who = as ? as.username.replace(/-[0-9a-f]+$/, '') : 'public';
    const what = `${c.label} as ${who}: ${res.statusCode} ${res.body.slice(0, 300)}`;
    if (ms > SLOWEST_MS) return `${what} — took ${ms} ms`;
    if (res.statusCode >= 500) return `${what} — a 5xx`;
    if (res.statusCode < 400) return `${what} — accepted`;
    let body: { error?: { code?: unknown; message?: unknown } };
    try {
      body = res.json();
    } catch {
      return `${what} — not JSON`;
    }
    if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string' || !body.error.message) return `${what} — not { error: { code, message } }`;
    if (res.statusCode === 401 || res.statusCode === 403) return restrictedForCaller ? null : `${what} — refused the caller's access`;
    const message = body.error.message.toLowerCase();
    const lang = as ? 'en' : 'zh';
    // a body refused unread for its size (413) cannot name a field inside it: it must say it is too large
    const names = res.statusCode === 413 ? ['过大', 'too large'] : c.names;
    // a field is named in words in the request's language (用户名, "User name"), its JSON name kept in details
    const fastifyRoute = c.route.replace(/^\S+ /, '').replace(/\{(\w+)\}/g, ':$1');
    const words = names.flatMap((n) => [n, fieldLabel(n, lang, fastifyRoute) ?? n]);
    if (!words.some((n) => message.includes(n.toLowerCase()))) return `${what} — the message names none of ${JSON.stringify(words)}`;
    // no internal (camelCase) name and none of zod's English defaults in Chinese text; values quoted as sent are data
    if (lang === 'zh' && /[\u4e00-\u9fff]/.test(body.error.message)) {
      const unquoted = body.error.message.replace(/“[^”]*”|"[^"]*"/g, '');
      const camel = /(?<![\w-])[a-z]+[A-Z][A-Za-z0-9]*/.exec(unquoted);
      if (camel) return `${what} — the Chinese message holds the internal name ${camel[0]}`;
      if (/Invalid input|expected|received/.test(unquoted)) return `${what} — the Chinese message holds zod's English`;
    }
    return extra ? extra(res.body) : null;
  };

  const runAll = async (cases: FuzzCase[], runs: { as: SignedIn | null; restricted: boolean }[], extra?: (body: string) => string | null) => {
    const jobs = cases.flatMap((c) => runs.map((r) => () => check(c, r.as, r.restricted, extra)));
    const problems: string[] = [];
    for (let i = 0; i < jobs.length; i += BATCH) {
      for (const p of await Promise.all(jobs.slice(i, i + BATCH).map((j) => j()))) if (p) problems.push(p);
    }
    for (const c of cases) count(c.kind);
    return problems;
  };

  const routes = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method, route: `${method.toUpperCase()} ${path}` })));

  it('documents every route it fuzzes', () => {
    expect(routes().length).toBeGreaterThanOrEqual(45);
  });

  it('refuses every generated case on every route', async () => {
    const problems: string[] = [];
    let n = 0;
    for (const { path, method, route } of routes()) {
      const cases = casesFor(doc, path, method, baselineOf(route));
      // a layer no one defined is "no such layer", naming it
      if (path.includes('{layer}') && !route.includes('/api/admin/')) {
        cases.push({ kind: 'path: unknown value', route, label: `${route} layer=no-such-layer`, names: ['no-such-layer'], request: { method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, (_, k: string) => (k === 'layer' ? 'no-such-layer' : baselineOf(route).params![k]!)) + (route.endsWith('/features') ? '?bbox=114.30,34.76,114.36,34.80' : '') } });
      }
      if (UPLOADS[route]) cases.push(...multipartCases(route, UPLOADS[route]!));
      const { role, publicMay } = roleFor(route);
      problems.push(...(await runAll(cases, [{ as: null, restricted: !publicMay }, { as: sessions.get(role)!, restricted: false }])));
      n += cases.length;
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(300);
  });

  describe('hostile files on the upload routes', () => {
    for (const file of HOSTILE_FILES) {
      it(file, async () => {
        const bytes = readFileSync(new URL(file, HOSTILE));
        const expectation = EXPECT[file] ?? {};
        const problems: string[] = [];
        for (const [route, url] of Object.entries(UPLOADS)) {
          const upload = multipart([{ field: 'file', filename: file, content: bytes }]);
          const reads = expectation.reads?.[route];
          const kind = `hostile file: ${kindOfFile(file)}`;
          const { role, publicMay } = roleFor(route);
          const as = sessions.get(role)!;
          if (reads) {
            // read as it should be: the answer says what it found (e.g. an encoding that was wrong)
            const res = await app.inject({ method: 'POST', url, ...upload, headers: { ...upload.headers, cookie: as.cookie, 'x-csrf-token': as.csrfToken } });
            if (res.statusCode !== 200 && res.statusCode !== 202) problems.push(`${file} on ${route}: ${res.statusCode} ${res.body.slice(0, 300)} — should be read`);
            else if (reads.warning && !res.body.includes(reads.warning)) problems.push(`${file} on ${route}: no ${reads.warning} warning in ${res.body.slice(0, 300)}`);
            count(kind);
            continue;
          }
          const c: FuzzCase = { kind, route, label: `${file} on ${route}`, names: expectation.names ?? FILE_WORDS, request: { method: 'POST', url, ...upload } };
          problems.push(
            ...(await runAll([c], [{ as: null, restricted: !publicMay }, { as, restricted: false }], (body) => (/root:.*:0:0:/.test(body) ? `${file} on ${route}: the answer holds /etc/passwd` : null))),
          );
        }
        expect(problems, problems.join('\n')).toEqual([]);
      });
    }
  });
});
