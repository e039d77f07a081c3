/**
 * An account's scope (工作范围): the province, a city or a county. A Jiaozuo auditor works in
 * Jiaozuo — lists, counts, exports and the county view hold only Jiaozuo's cases, and a Kaifeng
 * case is refused by id, for reading and for deciding; a county's auditor sees that county only,
 * whatever the query string asks; the province sees all. Planners record ledger events only on
 * parcels in their scope. Administrators give scopes inside their own, known division codes only,
 * and manage only the accounts inside theirs. The session says where the caller works and the
 * extent the map opens on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AccountRole } from '../../core/access.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { TEST_PASSWORD } from '../helpers/session.ts';
import { multipart } from '../helpers/fuzz.ts';
import { CaseImportAccepted, CaseImportJob } from '../../core/contracts/cases.ts';
import { areaOf, insertWorld, layerSql, rect } from '../fixtures/cases/world.ts';

/** 山阳区, a district of 焦作市, beside the test world's three Kaifeng counties. */
const JIAOZUO_COUNTY = '410811';
const JIAOZUO_CASES = ['JZ1', 'JZ2', 'JZ3'];

interface Caller {
  headers: Record<string, string>;
  id: number;
}

describe(`account scopes (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let n = 0;

  const callerOf = async (role: AccountRole, scope?: string): Promise<Caller> => {
    const username = `scope-${role}-${++n}`;
    const user = await createUser(db, { username, role, password: TEST_PASSWORD, ...(scope ? { scope } : {}) });
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password: TEST_PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'yzt_session')!;
    return { id: user.id, headers: { cookie: `yzt_session=${cookie.value}`, 'x-csrf-token': res.json().csrfToken } };
  };
  const get = (c: Caller | null, url: string, lang?: 'en') =>
    app.inject({ method: 'GET', url, headers: { ...(c?.headers ?? {}), ...(lang ? { 'accept-language': 'en' } : {}) } });
  const post = (c: Caller, url: string, payload: object, method: 'POST' | 'PATCH' = 'POST') => app.inject({ method, url, payload, headers: c.headers });
  const caseId = async (code: string) => Number((await db.query<{ id: number }>('SELECT id FROM encroachment WHERE code = $1', [code]))[0]!.id);
  const countOf = async (where: string) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM encroachment ${where}`))[0]!.n);
  const extentOf = async (where: string) =>
    (await db.query<{ b: number[] }>(`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(geom) AS e FROM admin_county ${where}) x`))[0]!.b.map(Number);

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await insertWorld(db);
    await db.query(layerSql.county, [JIAOZUO_COUNTY, '山阳区', JSON.stringify(rect([9000, 0, 3000, 3000]))]);
    for (const [i, code] of JIAOZUO_CASES.entries()) {
      const g = rect([9100 + i * 200, 100, 100, 100]);
      await db.query(layerSql.case, [code, JIAOZUO_COUNTY, '卫片', '2026-03-01', areaOf(g), JSON.stringify(g)]);
    }
    app = await buildApp({ db });
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it("a Jiaozuo auditor lists, counts and exports Jiaozuo's cases only", async () => {
    const jz = await callerOf('auditor', '410800');
    const list = await get(jz, '/api/cases?pageSize=100');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().total).toBe(JIAOZUO_CASES.length);
    expect(list.json().items.map((c: { code: string }) => c.code).sort()).toEqual(JIAOZUO_CASES);
    const statusTotal = Object.values(list.json().statusCounts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(statusTotal).toBe(JIAOZUO_CASES.length);

    // asking for a Kaifeng county does not widen the scope
    const widened = await get(jz, '/api/cases?county=410221');
    expect(widened.json().total).toBe(0);

    const geojson = await get(jz, '/api/cases/export.geojson');
    expect(geojson.statusCode).toBe(200);
    const features = JSON.parse(geojson.body).features as { properties: Record<string, unknown> }[];
    expect(features.length).toBe(JIAOZUO_CASES.length);

    const stats = await get(jz, '/api/cases/stats?year=2026');
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.json().counties.map((c: { countyCode: string }) => c.countyCode)).toEqual([JIAOZUO_COUNTY]);
    expect(stats.json().total.cases).toBe(JIAOZUO_CASES.length);
    expect(stats.json().total.countyName).toBe('焦作市');
  });

  it('a Jiaozuo auditor cannot read or decide a Kaifeng case; their own is theirs', async () => {
    const jz = await callerOf('auditor', '410800');
    const kaifeng = await caseId('K1');
    const read = await get(jz, `/api/cases/${kaifeng}`);
    expect(read.statusCode).toBe(403);
    expect(read.json().error.code).toBe('OUT_OF_SCOPE');
    expect(read.json().error.message).toContain('开封市');
    expect(read.json().error.message).toContain('焦作市');
    const en = await get(jz, `/api/cases/${kaifeng}`, 'en');
    expect(en.json().error.message).toContain('Kaifeng');
    expect(en.json().error.message).toContain('Jiaozuo');

    const before = (await db.query<{ status: string; version: number }>('SELECT status, version FROM encroachment WHERE id = $1', [kaifeng]))[0]!;
    const decide = await post(jz, `/api/cases/${kaifeng}/decisions`, { status: '误报', comment: '不是本市的图斑', version: before.version });
    expect(decide.statusCode).toBe(403);
    const after = (await db.query<{ status: string; version: number }>('SELECT status, version FROM encroachment WHERE id = $1', [kaifeng]))[0]!;
    expect(after).toEqual(before);
    expect(await countOf(`e JOIN case_decision d ON d.case_id = e.id WHERE e.id = ${kaifeng}`)).toBe(0);

    const own = await get(jz, `/api/cases/${await caseId('JZ1')}`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().code).toBe('JZ1');
  });

  it("a county's auditor sees that county only; the province sees every county", async () => {
    const qi = await callerOf('auditor', '410221');
    const list = await get(qi, '/api/cases?pageSize=1');
    expect(list.json().total).toBe(await countOf(`WHERE county_code = '410221'`));
    expect((await get(qi, '/api/cases?county=410222')).json().total).toBe(0);
    const stats = (await get(qi, '/api/cases/stats?year=2026')).json();
    expect(stats.counties.map((c: { countyCode: string }) => c.countyCode)).toEqual(['410221']);
    expect(stats.total.countyName).toBe('杞县');
    expect((await get(qi, `/api/cases/${await caseId('K3')}`)).statusCode).toBe(403); // 通许县
    expect((await get(qi, `/api/cases/${await caseId('K1')}`)).statusCode).toBe(200);

    const province = await callerOf('auditor');
    expect((await get(province, '/api/cases?pageSize=1')).json().total).toBe(await countOf(''));
    const all = (await get(province, '/api/cases/stats?year=2026')).json();
    expect(all.counties.map((c: { countyCode: string }) => c.countyCode)).toEqual(['410221', '410222', '410223', JIAOZUO_COUNTY]);
    // counties of two cities total to the province
    expect(all.total.countyName).toBe('河南省');
  });

  it('the yearly figures hold the counties of the scope', async () => {
    const jz = await callerOf('planner', '410800');
    const rev = (await get(jz, '/api/figures/revitalisation?year=2026')).json();
    expect(rev.counties.map((c: { countyCode: string }) => c.countyCode)).toEqual([JIAOZUO_COUNTY]);
    const share = (await get(jz, '/api/figures/farmland-share?year=2026')).json();
    expect(share.counties.map((c: { countyCode: string }) => c.countyCode)).toEqual([JIAOZUO_COUNTY]);
    const kf = await callerOf('planner', '410200');
    const kfRev = (await get(kf, '/api/figures/revitalisation?year=2026')).json();
    expect(kfRev.counties.map((c: { countyCode: string }) => c.countyCode)).toEqual(['410221', '410222', '410223']);
    expect(kfRev.total.countyName).toBe('全市');
  });

  it("a planner records ledger events only on parcels in their scope, and exports only their scope's ledger", async () => {
    const jz = await callerOf('planner', '410800');
    const events = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_event'))[0]!.n);
    const before = await events();
    const res = await post(jz, '/api/stock-parcels/S-A/events', { kind: 'intent', eventDate: '2026-05-01', docNo: '意〔2026〕1号', details: { enterprise: '某公司' } });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().error.code).toBe('OUT_OF_SCOPE');
    expect(await events()).toBe(before);
    const refused = await get(jz, '/api/stock-ledger/export.xlsx?county=410221');
    expect(refused.statusCode).toBe(403);
    const own = await get(jz, '/api/stock-ledger/export.xlsx');
    expect(own.statusCode).toBe(200);
    expect(own.headers['x-total-count']).toBe('0');
  });

  it("a Jiaozuo auditor's import refuses the polygons that lie in Kaifeng, row by row", async () => {
    const jz = await callerOf('auditor', '410800');
    const feature = (g: object, code: string) => ({ type: 'Feature', properties: { code, 来源: '卫片', 发现日期: '2026-05-01' }, geometry: g });
    const file = JSON.stringify({ type: 'FeatureCollection', features: [feature(rect([2500, 2500, 80, 80]), 'IMP-KF'), feature(rect([11000, 2500, 80, 80]), 'IMP-JZ')] });
    const upload = multipart([{ field: 'file', filename: 'detections.geojson', content: file }]);
    const res = await app.inject({ method: 'POST', url: '/api/cases/import?dryRun=true', payload: upload.payload, headers: { ...upload.headers, ...jz.headers } });
    expect(res.statusCode, res.body).toBe(202);
    const accepted = CaseImportAccepted.parse(res.json());
    let job: CaseImportJob;
    for (;;) {
      job = CaseImportJob.parse((await get(jz, accepted.statusUrl)).json());
      if (job.phase === 'done' || job.phase === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job.phase, JSON.stringify(job.error)).toBe('done');
    const rows = job.report!.rows;
    expect(rows[0]!.reasons.map((r) => r.code)).toEqual(['OUT_OF_SCOPE']);
    expect(rows[0]!.reasons[0]!.zh).toContain('杞县');
    expect(rows[1]).toMatchObject({ status: 'ok', countyCode: JIAOZUO_COUNTY });
  });

  it('the session says where the caller works and the extent of its counties', async () => {
    const pub = (await get(null, '/api/session')).json();
    expect(pub.scope.code).toBe('410000');
    expect(pub.scope.bbox).toEqual(await extentOf(''));
    const qi = (await get(await callerOf('enterprise', '410221'), '/api/session')).json();
    expect(qi.user.scope).toBe('410221');
    expect(qi.scope).toMatchObject({ code: '410221', level: 'county', name: '杞县' });
    expect(qi.scope.bbox).toEqual(await extentOf(`WHERE code = '410221'`));
    const jz = (await get(await callerOf('planner', '410800'), '/api/session')).json();
    expect(jz.scope).toMatchObject({ code: '410800', level: 'city', name: '焦作市', nameEn: 'Jiaozuo' });
    expect(jz.scope.bbox).toEqual(await extentOf(`WHERE code = '${JIAOZUO_COUNTY}'`));
  });

  it('administrators give known scopes inside their own and manage only the accounts in theirs', async () => {
    const root = await callerOf('admin');
    const made = await post(root, '/api/admin/users', { username: 'jz-auditor', role: 'auditor', password: 'Jiaozuo-auditor-2026', scope: '410800' });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().scope).toBe('410800');
    const unknown = await post(root, '/api/admin/users', { username: 'nowhere', role: 'auditor', password: 'Nowhere-auditor-2026', scope: '419999' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('UNKNOWN_SCOPE');
    const malformed = await post(root, '/api/admin/users', { username: 'nowhere2', role: 'auditor', password: 'Nowhere-auditor-2026', scope: '41' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toContain('工作范围');

    const kfAdmin = await callerOf('admin', '410200');
    const wider = await post(kfAdmin, '/api/admin/users', { username: 'too-wide', role: 'auditor', password: 'Too-wide-auditor-2026', scope: '410000' });
    expect(wider.statusCode).toBe(403);
    // an account the Kaifeng administrator creates works in Kaifeng unless given a county of it
    const kfUser = await post(kfAdmin, '/api/admin/users', { username: 'kf-auditor', role: 'auditor', password: 'Kaifeng-auditor-2026' });
    expect(kfUser.json().scope).toBe('410200');
    const listed = (await get(kfAdmin, '/api/admin/users')).json().users as { username: string; scope: string }[];
    expect(listed.every((u) => u.scope.startsWith('4102'))).toBe(true);
    expect(listed.some((u) => u.username === 'jz-auditor')).toBe(false);
    const meddle = await post(kfAdmin, `/api/admin/users/${made.json().id}`, { disabled: true }, 'PATCH');
    expect(meddle.statusCode).toBe(403);
    expect((await db.query<{ disabled: boolean }>('SELECT disabled FROM app_user WHERE id = $1', [made.json().id]))[0]!.disabled).toBe(false);

    // a narrower scope ends the account's sessions: it signs in again into its new area
    const moved = await callerOf('auditor', '410200');
    const change = await post(kfAdmin, `/api/admin/users/${moved.id}`, { scope: '410221' }, 'PATCH');
    expect(change.statusCode, change.body).toBe(200);
    expect(change.json().scope).toBe('410221');
    expect((await get(moved, '/api/cases')).statusCode).toBe(401);
  });
});
