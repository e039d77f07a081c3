/**
 * Stock first (存量优先) in the site check, on whichever backend the suite runs: every report
 * records the server's own stock-land match for the site's use and area near the site — the
 * same candidates POST /api/stock-parcels/match gives — and the reason for going on to new
 * land; "none found" is refused while the library has something that fits; the request's
 * use and stockFirst are checked field by field; a report filed before the step says so.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SiteCheckReport, type StockFirstRecord } from '../../core/contracts/site-check.ts';
import { ellipsoidalArea } from '../../core/ellipsoidal-area.ts';
import { toAreaUnits } from '../../core/units.ts';
import { StockMatchResponse } from '../../core/contracts/stock.ts';
import type { Database } from '../../server/src/db/database.ts';
import { hashReport, readFiledReport } from '../../server/src/modules/site-check/service.ts';
import { saveReport } from '../../server/src/modules/site-check/repo.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { withRollback } from '../helpers/rollback.ts';

type Polygon = { type: 'Polygon'; coordinates: number[][][] };
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/site-check/in/${name}.geojson`, import.meta.url), 'utf8')).geometry as Polygon;

/** A 150 m square inside the urban development boundary (≈ 33.7 亩). */
const SMALL = fixture('inside-boundary');

/** The site's area in 亩, measured as the server measures it (on the CGCS2000 ellipsoid). */
const areaMuOf = (g: Polygon) => toAreaUnits(ellipsoidalArea(g)).mu;

/** A square of `sideM` metres centred where SMALL lies. */
function square(sideM: number): Polygon {
  const ring = SMALL.coordinates[0]!;
  const cx = (Math.min(...ring.map((p) => p[0]!)) + Math.max(...ring.map((p) => p[0]!))) / 2;
  const cy = (Math.min(...ring.map((p) => p[1]!)) + Math.max(...ring.map((p) => p[1]!))) / 2;
  const dx = sideM / 2 / 91_400;
  const dy = sideM / 2 / 110_940;
  return { type: 'Polygon', coordinates: [[[cx - dx, cy - dy], [cx + dx, cy - dy], [cx + dx, cy + dy], [cx - dx, cy + dy], [cx - dx, cy - dy]]] };
}

const recorded = (r: SiteCheckReport): StockFirstRecord => {
  if (!r.stockFirst.checked) throw new Error('the report records no stock-first step');
  return r.stockFirst;
};

describe(`stock first in the site check on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  const check = (body: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/api/site-checks', payload: body, headers });
  const match = async (body: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: body });
    expect(res.statusCode, res.body).toBe(200);
    return StockMatchResponse.parse(res.json());
  };
  const filed = async (name: string) =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM site_check WHERE name = $1', [name]))[0]!.n;

  it('files the server’s own match: the candidates, scores and tally the match API gives for the site’s use, area and place', async () => {
    const res = await check({ geometry: SMALL, name: '存量优先-工业', use: '工业', stockFirst: { reason: 'location', note: '需靠近港区' } });
    expect(res.statusCode, res.body).toBe(201);
    const report = SiteCheckReport.parse(res.json());
    const sf = recorded(report);
    expect(sf.use).toBe('工业');
    expect(sf.need).toEqual(report.site.area);

    const api = await match({ use: '工业', areaMu: sf.need.mu, near: SMALL, stockFirst: true, limit: 5 });
    expect(api.candidates.length).toBeGreaterThan(0);
    expect(sf.candidates).toEqual(
      api.candidates.map((c) => ({
        rank: c.rank,
        kind: c.kind,
        parcels: c.parcels.map((p) => ({ code: p.code, name: p.name, plannedUse: p.plannedUse, area: p.area })),
        totalArea: c.totalArea,
        score: c.score,
        distanceM: c.distanceM,
      })),
    );
    expect(sf.tally).toEqual(api.tally);
    expect(sf.summaryZh).toBe(api.summaryZh);
    expect(sf.summaryEn).toBe(api.summaryEn);
    expect(sf.summaryZh).toMatch(/^已套核存量土地图库/);
    expect(sf.radiusKm).toBe(10);
    for (const c of sf.candidates) expect(c.distanceM).toBeLessThanOrEqual(10_000);
    // 工业 may take 仓储 land (用途兼容表), nothing else
    for (const c of sf.candidates) for (const p of c.parcels) expect(['工业', '仓储']).toContain(p.plannedUse);
    expect(sf.reason).toEqual({ code: 'location', labelZh: '区位不符', labelEn: 'The location does not fit', note: '需靠近港区' });
  });

  it('refuses “none found” with a 422 giving the count when the library has something that fits, and files nothing', async () => {
    const api = await match({ use: '工业', areaMu: areaMuOf(SMALL), near: SMALL, stockFirst: true, limit: 5 });
    const found = api.tally.singles + api.tally.combinations;
    expect(found).toBeGreaterThan(0);
    const name = `none-found-${randomUUID()}`;
    const res = await check({ geometry: SMALL, name, use: '工业', stockFirst: { reason: 'none-found' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('STOCK_CANDIDATES_EXIST');
    expect(res.json().error.message).toContain(`选址 10 公里内有 ${found} 个符合条件的存量用地方案`);
    expect(res.json().error.message).toContain(`单宗地块 ${api.tally.singles} 个、组合供应 ${api.tally.combinations} 个`);
    const en = await check({ geometry: SMALL, name, use: '工业', stockFirst: { reason: 'none-found' } }, { 'accept-language': 'en' });
    expect(en.statusCode).toBe(422);
    expect(en.json().error.message).toContain(`offers ${found} fitting option${found === 1 ? '' : 's'} within 10 km of the site`);
    expect(await filed(name)).toBe(0);
  });

  it('accepts “none found” when the library really has nothing that fits: 住宅 on a 1.5 km square', async () => {
    const site = square(1500);
    const areaMu = areaMuOf(site);
    const api = await match({ use: '住宅', areaMu, near: site, stockFirst: true, limit: 5 });
    expect(api.candidates).toEqual([]);
    expect(api.tally.singles + api.tally.combinations).toBe(0);
    expect(api.tally.compatibleUse).toBeGreaterThan(0); // there is 住宅 land; none is large enough

    const res = await check({ geometry: site, name: '存量优先-住宅', use: '住宅', stockFirst: { reason: 'none-found' } });
    expect(res.statusCode, res.body).toBe(201);
    const sf = recorded(SiteCheckReport.parse(res.json()));
    expect(sf.candidates).toEqual([]);
    expect(sf.tally).toEqual(api.tally);
    expect(sf.summaryZh).toContain('选址 10 公里内没有符合条件的存量地块');
    expect(sf.reason).toEqual({ code: 'none-found', labelZh: '未找到可用的存量地块', labelEn: 'No usable stock parcel found', note: null });
  });

  it.each([
    ['no stockFirst', { use: '工业' }, 'stockFirst', '存量优先为必填项'],
    ['no use', { stockFirst: { reason: 'area' } }, 'use', '规划用途为必填项'],
    ['a use outside the list', { use: '工业用地', stockFirst: { reason: 'area' } }, 'use', '工业、仓储、商业、商务、住宅、公共管理与公共服务'],
    ['no reason', { use: '工业', stockFirst: {} }, 'stockFirst.reason', '继续新增用地的理由为必填项'],
    ['an unknown reason', { use: '工业', stockFirst: { reason: 'cheaper' } }, 'stockFirst.reason', 'none-found（未找到可用的存量地块）'],
    ['“other” without a note', { use: '工业', stockFirst: { reason: 'other' } }, 'stockFirst.note', '理由为“其他”时须填写理由说明'],
    ['“other” with a blank note', { use: '工业', stockFirst: { reason: 'other', note: '   ' } }, 'stockFirst.note', '理由为“其他”时须填写理由说明'],
    ['a note over 500 characters', { use: '工业', stockFirst: { reason: 'area', note: '长'.repeat(501) } }, 'stockFirst.note', '最多 500 个字符'],
  ])('answers %s with a 400 naming the field', async (_what, body, field, text) => {
    const name = `bad-${randomUUID()}`;
    const res = await check({ geometry: SMALL, name, ...body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(res.json().error.message).toContain(text);
    // the field in words, not its JSON name
    expect(res.json().error.message).not.toContain(field);
    expect(await filed(name)).toBe(0);
  });

  it('keeps the reason in the filed report: GET returns it, trimmed, under the report’s hash', async () => {
    const posted = await check({ geometry: SMALL, name: '存量优先-其他', use: '仓储', stockFirst: { reason: 'other', note: '  需配套铁路专用线，图库地块均不临线  ' } });
    expect(posted.statusCode, posted.body).toBe(201);
    const got = await app.inject({ method: 'GET', url: `/api/site-checks/${posted.json().id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(posted.json());
    const report = SiteCheckReport.parse(got.json());
    const sf = recorded(report);
    expect(sf.reason).toEqual({ code: 'other', labelZh: '其他', labelEn: 'Other', note: '需配套铁路专用线，图库地块均不临线' });
    expect(sf.use).toBe('仓储');
    expect(hashReport(report)).toBe(report.contentHash);
    // the stock-first record is covered by the hash
    expect(hashReport({ ...report, stockFirst: { ...sf, reason: { ...sf.reason, note: '改过' } } })).not.toBe(report.contentHash);
  });

  it('matches a repaired site as repaired: the need is the repaired area', async () => {
    const bow = fixture('bow-tie');
    const res = await check({ geometry: bow, use: '工业', repair: true, stockFirst: { reason: 'area' } });
    expect(res.statusCode, res.body).toBe(201);
    const report = SiteCheckReport.parse(res.json());
    expect(report.site.repaired).toBe(true);
    expect(recorded(report).need).toEqual(report.site.area);
  });

  it('says of a report filed before the stock-first step that no stock-land check is recorded, and its hash still holds', async () => {
    const posted = SiteCheckReport.parse((await check({ geometry: SMALL, name: '旧报告', use: '工业', stockFirst: { reason: 'area' } })).json());
    const { stockFirst: _none, contentHash: _hash, ...legacy } = { ...posted, id: randomUUID(), use: '工业用地' };
    const hash = hashReport(legacy as SiteCheckReport);
    await withRollback(db, async (tx) => {
      await saveReport(tx, {
        id: legacy.id,
        createdAt: legacy.createdAt,
        name: legacy.name,
        use: legacy.use,
        dataVersion: legacy.dataVersion,
        areaM2: legacy.site.area.m2,
        contentHash: hash,
        report: { ...legacy, contentHash: hash },
        site: JSON.stringify(legacy.site.geometry),
      });
      const read = await readFiledReport(tx, legacy.id);
      expect(read.stockFirst).toEqual({
        checked: false,
        noteZh: '本报告生成于存量优先套核功能上线之前，未记录存量土地套核情况。',
        noteEn: 'This report was filed before the stock-first step existed; no stock-land check is recorded.',
      });
      expect(read.use).toBe('工业用地');
      expect(hashReport(read)).toBe(hash);
    });
  });
});

/**
 * The stock-first search radius: a parcel farther from the site than the radius (default 10 km,
 * STOCK_FIRST_RADIUS_KM) is no offer — it is not listed and does not block "none found" — and the
 * server holds to it when it judges the planner's reason.
 */
describe(`the stock-first search radius on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  /** ~300 亩 squares at the inner points of 祥符区 (rural: the nearest industrial offers are far) and 龙亭区 (the old city). */
  let far: Polygon;
  let near: Polygon;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
    const at = async (name: string): Promise<Polygon> => {
      const [c] = await db.query<{ lon: number; lat: number }>(`SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM admin_county WHERE name = $1`, [name]);
      const d = 0.0022; // ≈ 400 m × 490 m, ≈ 294 亩
      const { lon, lat } = c!;
      return { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
    };
    far = await at('祥符区');
    near = await at('龙亭区');
  });
  afterAll(async () => stop?.());

  const match = async (body: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: body });
    expect(res.statusCode, res.body).toBe(200);
    return StockMatchResponse.parse(res.json());
  };
  const check = (geometry: Polygon, reason: string, on = app) =>
    on.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry, use: '工业', stockFirst: { reason } } });

  it('offers nothing for a site whose only fitting parcels lie beyond 10 km, and lets it take “none found”', async () => {
    const areaMu = areaMuOf(far);
    // without a radius the library has offers for this site, every one farther than 10 km
    const unbounded = await match({ use: '工业', areaMu, near: far, limit: 50 });
    expect(unbounded.candidates.length).toBeGreaterThan(0);
    for (const c of unbounded.candidates) expect(c.distanceM!).toBeGreaterThan(10_000);

    const stockFirst = await match({ use: '工业', areaMu, near: far, stockFirst: true, limit: 5 });
    expect(stockFirst.need.maxDistanceKm).toBe(10);
    expect(stockFirst.candidates).toEqual([]);
    expect(stockFirst.tally.singles + stockFirst.tally.combinations).toBe(0);
    expect(stockFirst.tally.tooFar).toBeGreaterThan(0);
    expect(stockFirst.summaryZh).toContain('选址 10 公里内没有符合条件的存量地块');
    expect(stockFirst.summaryEn).toContain('none fits within 10 km');

    const res = await check(far, 'none-found');
    expect(res.statusCode, res.body).toBe(201);
    const sf = recorded(SiteCheckReport.parse(res.json()));
    expect(sf.candidates).toEqual([]);
    expect(sf.radiusKm).toBe(10);
    expect(sf.reason.code).toBe('none-found');
  });

  it('offers the parcels within 10 km, and refuses “none found” for them', async () => {
    const stockFirst = await match({ use: '工业', areaMu: areaMuOf(near), near, stockFirst: true, limit: 5 });
    expect(stockFirst.candidates.length).toBeGreaterThan(0);
    for (const c of stockFirst.candidates) expect(c.distanceM!).toBeLessThanOrEqual(10_000);
    const res = await check(near, 'none-found');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('STOCK_CANDIDATES_EXIST');
    expect(res.json().error.message).toContain('选址 10 公里内有');
  });

  it('follows the configured radius: with 40 km the far site has offers, and the server refuses “none found” for it', async () => {
    const wide = await startApi({ stockFirstRadiusKm: 40 });
    try {
      const res = await wide.app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use: '工业', areaMu: areaMuOf(far), near: far, stockFirst: true, limit: 5 } });
      const m = StockMatchResponse.parse(res.json());
      expect(m.need.maxDistanceKm).toBe(40);
      expect(m.candidates.length).toBeGreaterThan(0);
      const refused = await check(far, 'none-found', wide.app);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.message).toContain('选址 40 公里内有');
    } finally {
      await wide.stop();
    }
  });

  it('refuses stockFirst without a site, or with a radius of the caller’s own', async () => {
    const noSite = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use: '工业', areaMu: 10, stockFirst: true } });
    expect(noSite.statusCode).toBe(400);
    expect(noSite.json().error.message).toContain('按存量优先匹配时须同时给出选址');
    const both = await app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: { use: '工业', areaMu: 10, near: far, stockFirst: true, maxDistanceKm: 50 } });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toContain('不能同时给出最大距离');
  });
});
