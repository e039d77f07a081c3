/**
 * Enterprise land requests (企业找地) through the API, on a hand-made world of one county and
 * ten parcels whose areas, uses, plot ratios and prices are chosen so which of them a request of
 * 工业, 30–50 亩, plot ratio 1.0–2.0, budget 2 000 万元 matches can be said by hand: the
 * request → match → propose → accept flow between an enterprise and a planner, the new matches
 * as a parcel becomes available, what another enterprise and the public reach, every refusal,
 * and the proposals' history unalterable by direct SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LandRequestDetail, LandRequestList } from '../../core/contracts/land-requests.ts';
import { StockTimeline } from '../../core/contracts/ledger.ts';
import { StockParcelDetail } from '../../core/contracts/stock.ts';
import { muToM2 } from '../../core/units.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { openEmptyDatabase } from '../helpers/db.ts';
import { backend } from '../helpers/backend.ts';
import { signInAs, type SignedIn } from '../helpers/session.ts';
import { layerSql, rect } from '../fixtures/cases/world.ts';

const COUNTY = '410221';
const OTHER_COUNTY = '410222';
/** code, use, area 亩, plot ratio, 参考价 万元/亩, status, x (each a 100 m wide strip; the area is stored as given). */
const PARCELS: [string, string, number, [number, number] | null, number | null, string, number][] = [
  ['R-FIT', '工业', 33.75, [1.0, 2.0], 20, '可供应', 0], // 675 万元: matches, nearest the lower end
  ['R-EDGE', '工业', 50, [1.2, 2.5], 39.9, '可供应', 200], // exactly 50 亩, 1 995 万元: matches
  ['R-NOPRICE', '仓储', 40, null, null, '可供应', 400], // compatible use, no plot ratio or price set: matches
  ['R-HOUSE', '住宅', 45, [1.0, 2.0], 20, '可供应', 600], // a use 工业 may not take
  ['R-SMALL', '工业', 29.9, [1.0, 2.0], 20, '可供应', 800], // below the range
  ['R-BIG', '工业', 50.1, [1.0, 2.0], 20, '可供应', 1000], // above it
  ['R-DENSE', '工业', 40, [2.5, 4.0], 20, '可供应', 1200], // plot ratios do not meet
  ['R-DEAR', '工业', 40, [1.0, 2.0], 60, '可供应', 1400], // 2 400 万元: over the budget
  ['R-SOLD', '工业', 40, [1.0, 2.0], 20, '已供应', 1600], // supplied already
  ['R-HELD', '工业', 35, [1.0, 2.0], 20, '已意向', 1800], // reserved now, available later
];
const REQUEST = {
  company: '开封某装备制造有限公司',
  use: '工业',
  areaMinMu: 30,
  areaMaxMu: 50,
  county: COUNTY,
  plotRatioMin: 1.0,
  plotRatioMax: 2.0,
  budgetWan: 2000,
  neededBy: '2027-03-01',
  contactName: '王经理',
  contactPhone: '0371-23456789',
  note: '新建厂房，需临近道路',
};

describe(`enterprise land requests through the API (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  let planner: SignedIn;
  let firm: SignedIn;
  let rival: SignedIn;
  let requestId: number;

  const as = (who: SignedIn | null, lang = 'zh-CN') =>
    who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken, 'accept-language': lang } : { 'accept-language': lang };
  const call = (method: 'GET' | 'POST', url: string, who: SignedIn | null, payload?: object, lang?: string) =>
    app.inject({ method, url, headers: as(who, lang), ...(payload ? { payload } : {}) });
  const ok = async (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object, status = 200) => {
    const res = await call(method, url, who, payload);
    expect(res.statusCode, res.body).toBe(status);
    return LandRequestDetail.parse(res.json());
  };
  const matched = (d: LandRequestDetail) => d.matches.map((m) => m.parcels.map((p) => p.code).join('+'));
  const parcelStatus = async (code: string) => StockParcelDetail.parse((await call('GET', `/api/stock-parcels/${code}`, null)).json()).status;

  beforeAll(async () => {
    ({ db, close } = await openEmptyDatabase());
    await db.migrate();
    await db.query(layerSql.county, [COUNTY, '测试县', JSON.stringify(rect([0, 0, 3000, 3000]))]);
    await db.query(layerSql.county, [OTHER_COUNTY, '邻县', JSON.stringify(rect([3000, 0, 3000, 3000]))]);
    for (const [code, use, mu, ratio, price, status, x] of PARCELS) {
      await db.query(
        `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, plot_ratio_min, plot_ratio_max, ref_price, status, contact_dept, recorded_on, geom)
         SELECT $1, $2, '测试地块', '批而未供', $3, $4, $5, $6, $7, $8, '测试县自然资源局', '2021-05-01', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($9), 4490))`,
        [code, COUNTY, use, muToM2(mu), ratio?.[0] ?? null, ratio?.[1] ?? null, price, status, JSON.stringify(rect([x + 10, 100, 100, 100]))],
      );
    }
    app = await buildApp({ db });
    planner = await signInAs(app, db, 'planner', '供地科李四');
    firm = await signInAs(app, db, 'enterprise', '开封某装备制造有限公司');
    rival = await signInAs(app, db, 'enterprise', '另一家企业');
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('files a request and shows its matches at once: in the range, use, plot ratio and budget; the nearest the lower end first', async () => {
    const d = await ok('POST', '/api/land-requests', firm, REQUEST, 201);
    requestId = d.id;
    expect(d).toMatchObject({ status: 'open', staff: false, newCount: 0, pendingProposals: 0, acceptedParcel: null });
    expect(d.need).toMatchObject({ company: REQUEST.company, use: '工业', areaMinMu: 30, areaMaxMu: 50, county: COUNTY, countyName: '测试县', budgetWan: 2000, neededBy: '2027-03-01' });
    // scored against the lower end, 30 亩 (area 40, use 30, availability 10, scaled to 100 without a location):
    // 33.75 亩 (ratio 1.125: the whole area part), then 50 亩 of the same use (ratio 1.667: area part
    // 1 − 0.467/1.8 = 0.741; 0.5·0.741 + 0.375·1 = 0.745), then 40 亩 of a compatible use (ratio
    // 1.333: 0.926; 0.5·0.926 + 0.375·0.7 = 0.726)
    expect(matched(d)).toEqual(['R-FIT', 'R-EDGE', 'R-NOPRICE']);
    expect(d.matches.every((m) => !m.isNew)).toBe(true);
    expect(d.matches[0]!.totalPriceWan).toBeCloseTo(675, 6);
    expect(d.matches.find((m) => m.parcels[0]!.code === 'R-NOPRICE')!.totalPriceWan).toBeNull();
    expect(d.matches.find((m) => m.parcels[0]!.code === 'R-EDGE')!.totalPriceWan).toBeCloseTo(1995, 6);
  });

  it('refuses a request that does not hold together, naming the field, in both languages', async () => {
    const minMax = await call('POST', '/api/land-requests', firm, { ...REQUEST, areaMinMu: 60 });
    expect(minMax.statusCode).toBe(400);
    expect(minMax.json().error.message).toContain('最小面积不能大于最大面积');
    const en = await call('POST', '/api/land-requests', firm, { ...REQUEST, areaMinMu: 60 }, 'en');
    expect(en.statusCode).toBe(400);
    expect(en.json().error.message).toMatch(/minimum area may not exceed the maximum/i);
    const near = await call('POST', '/api/land-requests', firm, { ...REQUEST, near: [114.3, 34.8] });
    expect(near.statusCode).toBe(400);
    expect(near.json().error.message).toContain('位置和半径');
    const phone = await call('POST', '/api/land-requests', firm, { ...REQUEST, contactPhone: 'call me' });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.message).toContain('联系电话');
    const county = await call('POST', '/api/land-requests', firm, { ...REQUEST, county: '419999' });
    expect(county.statusCode).toBe(400);
    expect(county.json().error.message).toContain('419999');
  });

  it('is filed by enterprises only, and an enterprise reaches only its own requests', async () => {
    expect((await call('POST', '/api/land-requests', null, REQUEST)).statusCode).toBe(401);
    expect((await call('POST', '/api/land-requests', planner, REQUEST)).statusCode).toBe(403);
    expect((await call('GET', '/api/land-requests', null)).statusCode).toBe(401);
    expect((await call('GET', `/api/land-requests/${requestId}`, rival)).statusCode).toBe(404);
    const theirs = LandRequestList.parse((await call('GET', '/api/land-requests', rival)).json());
    expect(theirs.items).toEqual([]);
    const mine = LandRequestList.parse((await call('GET', '/api/land-requests', firm)).json());
    expect(mine.items.map((r) => r.id)).toEqual([requestId]);
    expect(mine.items[0]).toMatchObject({ matchCount: 3, newCount: 0, best: { codes: ['R-FIT'] } });
  });

  it('lists a parcel that becomes available as a new match, until the enterprise has seen it', async () => {
    const res = await call('POST', '/api/stock-parcels/R-HELD/events', planner, { kind: 'intent-withdrawn', eventDate: '2026-01-05', docNo: '意向撤回〔2026〕1号', details: {} });
    expect(res.statusCode, res.body).toBe(200);
    const d = await ok('GET', `/api/land-requests/${requestId}`, firm);
    expect(matched(d)).toEqual(['R-FIT', 'R-HELD', 'R-EDGE', 'R-NOPRICE']); // 35 亩 of the same use ties R-FIT; the older parcel first
    expect(d.matches.filter((m) => m.isNew).map((m) => m.parcels[0]!.code)).toEqual(['R-HELD']);
    expect(d.newCount).toBe(1);
    // staff opening it changes nothing of what the enterprise has seen
    expect((await ok('GET', `/api/land-requests/${requestId}`, planner)).newCount).toBe(1);
    expect((await call('POST', `/api/land-requests/${requestId}/seen`, planner)).statusCode).toBe(403);
    const seen = await ok('POST', `/api/land-requests/${requestId}/seen`, firm);
    expect(seen.newCount).toBe(0);
    expect((await ok('GET', `/api/land-requests/${requestId}`, firm)).newCount).toBe(0);
  });

  it('shows staff every open request with its contact and best match; staff propose available parcels only', async () => {
    const list = LandRequestList.parse((await call('GET', '/api/land-requests', planner)).json());
    const mine = list.items.find((r) => r.id === requestId)!;
    expect(mine.need).toMatchObject({ contactName: '王经理', contactPhone: '0371-23456789' });
    expect(mine.best?.codes).toEqual(['R-FIT']);

    const d = await ok('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-EDGE', note: '临近园区主干道' }, 201);
    expect(d.proposals).toHaveLength(1);
    expect(d.proposals[0]).toMatchObject({ parcelCode: 'R-EDGE', note: '临近园区主干道', proposerName: '供地科李四', decision: null });
    expect(d.pendingProposals).toBe(1);

    const again = await call('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-EDGE' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ALREADY_PROPOSED');
    const sold = await call('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-SOLD' });
    expect(sold.statusCode).toBe(409);
    expect(sold.json().error.message).toContain('只有可供应的地块可以推荐');
    const unknown = await call('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'NO-SUCH' });
    expect(unknown.statusCode).toBe(404);
    expect((await call('POST', `/api/land-requests/${requestId}/proposals`, firm, { parcelCode: 'R-FIT' })).statusCode).toBe(403);
    expect((await call('POST', `/api/land-requests/${requestId}/proposals`, null, { parcelCode: 'R-FIT' })).statusCode).toBe(401);

    await ok('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-FIT' }, 201);
    await ok('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-NOPRICE' }, 201);
    // the enterprise sees the proposals, not who at the bureau made them
    const seenByFirm = await ok('GET', `/api/land-requests/${requestId}`, firm);
    expect(seenByFirm.proposals.map((p) => [p.parcelCode, p.proposerName])).toEqual([
      ['R-EDGE', null],
      ['R-FIT', null],
      ['R-NOPRICE', null],
    ]);
    expect(JSON.stringify(seenByFirm)).not.toContain('供地科李四');
  });

  it('lets the enterprise decline with a reason, once', async () => {
    const d = await ok('GET', `/api/land-requests/${requestId}`, firm);
    const fit = d.proposals.find((p) => p.parcelCode === 'R-FIT')!;
    const noReason = await call('POST', `/api/land-requests/${requestId}/proposals/${fit.id}/decline`, firm, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toContain('不接受的理由');
    expect((await call('POST', `/api/land-requests/${requestId}/proposals/${fit.id}/decline`, rival, { reason: '—' })).statusCode).toBe(404);
    const declined = await ok('POST', `/api/land-requests/${requestId}/proposals/${fit.id}/decline`, firm, { reason: '距高速出口太远' });
    expect(declined.proposals.find((p) => p.id === fit.id)).toMatchObject({ decision: 'declined', declineReason: '距高速出口太远' });
    expect(declined.status).toBe('open');
    const twice = await call('POST', `/api/land-requests/${requestId}/proposals/${fit.id}/decline`, firm, { reason: '再说一次' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('PROPOSAL_DECIDED');
    expect(await parcelStatus('R-FIT')).toBe('可供应');
  });

  it('reserves the parcel when the enterprise accepts: a ledger intent, the request matched, the other proposal closed', async () => {
    const d = await ok('GET', `/api/land-requests/${requestId}`, firm);
    const edge = d.proposals.find((p) => p.parcelCode === 'R-EDGE')!;
    expect((await call('POST', `/api/land-requests/${requestId}/proposals/${edge.id}/accept`, rival)).statusCode).toBe(404);
    expect((await call('POST', `/api/land-requests/${requestId}/proposals/${edge.id}/accept`, planner)).statusCode).toBe(403);
    const accepted = await ok('POST', `/api/land-requests/${requestId}/proposals/${edge.id}/accept`, firm);
    expect(accepted).toMatchObject({ status: 'matched', acceptedParcel: 'R-EDGE', pendingProposals: 0 });
    expect(accepted.proposals.find((p) => p.parcelCode === 'R-NOPRICE')).toMatchObject({ decision: 'declined', declineReason: '已接受地块 R-EDGE' });
    expect(await parcelStatus('R-EDGE')).toBe('已意向');

    const t = StockTimeline.parse((await call('GET', '/api/stock-parcels/R-EDGE/events', planner)).json());
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({ kind: 'intent', statusBefore: '可供应', statusAfter: '已意向', actorName: REQUEST.company, docNo: `企业找地第 ${requestId} 号` });
    expect((t.events[0] as { details: object }).details).toMatchObject({ requestId, enterprise: REQUEST.company });

    // a matched request takes no more proposals, answers or withdrawal
    const more = await call('POST', `/api/land-requests/${requestId}/proposals`, planner, { parcelCode: 'R-FIT' });
    expect(more.statusCode).toBe(409);
    expect(more.json().error.code).toBe('LAND_REQUEST_CLOSED');
    expect((await call('POST', `/api/land-requests/${requestId}/withdraw`, firm, {})).statusCode).toBe(409);
    // the open list no longer has it; status=all does
    expect(LandRequestList.parse((await call('GET', '/api/land-requests', firm)).json()).items).toEqual([]);
    expect(LandRequestList.parse((await call('GET', '/api/land-requests?status=all', firm)).json()).items[0]).toMatchObject({ id: requestId, status: 'matched' });
  });

  it('refuses an acceptance when the parcel has been supplied meanwhile, and changes nothing', async () => {
    const other = await ok('POST', '/api/land-requests', rival, { ...REQUEST, company: '另一家企业' }, 201);
    // R-EDGE is reserved now: no longer a match
    expect(matched(other)).toEqual(['R-FIT', 'R-HELD', 'R-NOPRICE']);
    const proposed = await ok('POST', `/api/land-requests/${other.id}/proposals`, planner, { parcelCode: 'R-HELD' }, 201);
    const supply = await call('POST', '/api/stock-parcels/R-HELD/events', planner, {
      kind: 'supply', eventDate: '2026-02-01', docNo: '汴自然资供〔2026〕3号', details: { method: '出让', contractNo: 'HT-2026-3', landUser: '第三家企业', priceWan: 700 },
    });
    expect(supply.statusCode, supply.body).toBe(200);
    const late = await call('POST', `/api/land-requests/${other.id}/proposals/${proposed.proposals[0]!.id}/accept`, rival);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('STOCK_TRANSITION_REFUSED');
    const after = await ok('GET', `/api/land-requests/${other.id}`, rival);
    expect(after).toMatchObject({ status: 'open', pendingProposals: 1 });
    expect(await parcelStatus('R-HELD')).toBe('已供应');

    const withdrawn = await ok('POST', `/api/land-requests/${other.id}/withdraw`, rival, { reason: '项目延期' });
    expect(withdrawn).toMatchObject({ status: 'withdrawn', closedReason: '项目延期', pendingProposals: 0 });
    expect(withdrawn.proposals[0]).toMatchObject({ decision: 'declined', declineReason: '需求已撤回：项目延期' });
  });

  it('keeps the proposals as made: not deleted, not changed once decided, by direct SQL either', async () => {
    await expect(db.query('DELETE FROM land_request_proposal')).rejects.toThrow(/不可删除|decided once/);
    await expect(db.query(`UPDATE land_request_proposal SET decline_reason = '改过' WHERE decision = 'declined'`)).rejects.toThrow(/不可修改|decided once/);
    await expect(db.query(`UPDATE land_request_proposal SET decision = 'declined', decline_reason = '改过' WHERE decision = 'accepted'`)).rejects.toThrow(/不可修改|decided once/);
    await expect(db.query('TRUNCATE land_request_proposal CASCADE')).rejects.toThrow(/decided once|refused/);
    const [{ n } = { n: -1 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM land_request_proposal');
    expect(n).toBe(4);
  });

  it('audits every change', async () => {
    const rows = await db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_log WHERE action LIKE 'land-request%' ORDER BY id`);
    const actions = rows.map((r) => r.action);
    expect(actions.filter((a) => a === 'land-request')).toHaveLength(2);
    expect(actions.filter((a) => a === 'land-request-propose')).toHaveLength(4);
    expect(actions).toContain('land-request-decline');
    expect(actions).toContain('land-request-accept');
    expect(actions).toContain('land-request-withdraw');
  });
});
