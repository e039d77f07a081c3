/**
 * The seeded demo cases (read only: a decision would leave history the database keeps for
 * good): every case has its overlaps, they agree with an independent overlay in PostGIS
 * (ST_Area on the geography) and with the planner's site check, and the list and county view
 * agree with plain SQL counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseDetail, CaseListResponse, CaseStatsResponse } from '../../core/contracts/cases.ts';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

describe(`seeded encroachment cases (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });
  const list = async (qs: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/cases?${qs}` });
    expect(res.statusCode, res.body).toBe(200);
    return CaseListResponse.parse(res.json());
  };

  it('gives every seeded case its overlaps, as an independent overlay in PostGIS finds them', async () => {
    const [{ n, missing } = { n: 0, missing: -1 }] = await db.query<{ n: number; missing: number }>(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE overlaps_at IS NULL)::int AS missing FROM encroachment',
    );
    expect(n).toBe(400);
    expect(missing).toBe(0);
    // PostGIS's geography area draws geodesics between vertices; cut every edge into pieces of at
    // most 1e-4° first, and it measures the polygon with edges straight in lon/lat, as the overlay
    // cuts it and the product measures it (core/ellipsoidal-area.ts)
    const rows = await db.query<{ code: string; kind: string; mine: number; theirs: number }>(`
      WITH t AS (
        SELECT e.code, e.permanent_farmland_m2, e.general_farmland_m2, e.eco_redline_m2, e.stock_land_m2, e.urban_boundary_m2,
          (SELECT coalesce(sum(ST_Area(ST_Segmentize(ST_Intersection(f.geom, e.geom), 1e-4)::geography)), 0) FROM permanent_farmland f WHERE f.geom && e.geom) AS pf,
          (SELECT coalesce(sum(ST_Area(ST_Segmentize(ST_Intersection(f.geom, e.geom), 1e-4)::geography)), 0) FROM general_farmland f WHERE f.geom && e.geom) AS gf,
          (SELECT coalesce(sum(ST_Area(ST_Segmentize(ST_Intersection(r.geom, e.geom), 1e-4)::geography)), 0) FROM eco_redline r WHERE r.geom && e.geom) AS rl,
          (SELECT coalesce(sum(ST_Area(ST_Segmentize(ST_Intersection(s.geom, e.geom), 1e-4)::geography)), 0) FROM stock_parcel s WHERE s.geom && e.geom) AS sl,
          (SELECT coalesce(sum(ST_Area(ST_Segmentize(ST_Intersection(u.geom, e.geom), 1e-4)::geography)), 0) FROM urban_boundary u WHERE u.geom && e.geom) AS ub
        FROM encroachment e)
      SELECT code, 'permanent' AS kind, permanent_farmland_m2 AS mine, pf AS theirs FROM t
      UNION ALL SELECT code, 'general', general_farmland_m2, gf FROM t
      UNION ALL SELECT code, 'redline', eco_redline_m2, rl FROM t
      UNION ALL SELECT code, 'stock', stock_land_m2, sl FROM t
      UNION ALL SELECT code, 'boundary', urban_boundary_m2, ub FROM t`);
    expect(rows).toHaveLength(5 * 400);
    const off = rows.filter((r) => Math.abs(Number(r.mine) - Number(r.theirs)) > 0.01);
    expect(off).toEqual([]);
    // and there is something to see: most on farmland, some in the red line or the boundary
    const kinds = (k: string) => rows.filter((r) => r.kind === k && Number(r.mine) > 0.01).length;
    expect(kinds('permanent') + kinds('general')).toBeGreaterThan(200);
    expect(kinds('redline')).toBeGreaterThan(0);
    expect(kinds('boundary')).toBeGreaterThan(0);
    // the per-feature rows add up to the summary
    const [sums] = await db.query<{ bad: number }>(`
      SELECT count(*)::int AS bad FROM encroachment e
       WHERE abs(e.permanent_farmland_m2 - coalesce((SELECT sum(overlap_m2) FROM case_overlap o WHERE o.case_id = e.id AND o.layer = 'permanent-farmland'), 0)) > 1e-6
          OR abs(e.eco_redline_m2 - coalesce((SELECT sum(overlap_m2) FROM case_overlap o WHERE o.case_id = e.id AND o.layer = 'eco-redline'), 0)) > 1e-6`);
    expect(sums!.bad).toBe(0);
  });

  it('agrees with the planner’s site check on seeded cases of every kind', async () => {
    const picks = await db.query<{ id: number }>(`
      (SELECT id FROM encroachment ORDER BY permanent_farmland_m2 + general_farmland_m2 DESC LIMIT 2)
      UNION (SELECT id FROM encroachment WHERE eco_redline_m2 > 0 ORDER BY id LIMIT 1)
      UNION (SELECT id FROM encroachment WHERE urban_boundary_m2 > 0 AND urban_boundary_m2 < area_m2 - 1 ORDER BY id LIMIT 1)
      UNION (SELECT id FROM encroachment WHERE stock_land_m2 > 0 ORDER BY id LIMIT 1)`);
    expect(picks.length).toBeGreaterThanOrEqual(4);
    for (const { id } of picks) {
      const c = CaseDetail.parse((await app.inject({ method: 'GET', url: `/api/cases/${id}` })).json());
      const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: c.geometry, use: '工业', stockFirst: { reason: 'other', note: '与图斑核查比对' } } });
      expect(res.statusCode, res.body).toBe(201);
      const report = SiteCheckReport.parse(res.json());
      for (const layer of report.layers) {
        const mine = c.overlapFeatures.filter((f) => f.layerId === layer.layerId);
        expect(mine.map((f) => f.featureCode).sort(), `${c.code} ${layer.layerId}`).toEqual(layer.features.map((f) => f.code).sort());
        const total = mine.reduce((s, f) => s + f.overlapArea.m2, 0);
        // the case geometry comes back at 1e-9° here; the stored one is what was overlaid
        expect(Math.abs(total - layer.area.m2), `${c.code} ${layer.layerId}`).toBeLessThan(0.05);
      }
    }
  });

  it('lists and counts as plain SQL does', async () => {
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM encroachment WHERE county_code = '410221' AND detected_on BETWEEN '2025-01-01' AND '2025-12-31'`);
    const r = await list('county=410221&from=2025-01-01&to=2025-12-31&pageSize=200');
    expect(r.total).toBe(n);
    expect(r.items).toHaveLength(Math.min(200, n));
    expect(r.items.every((i) => i.countyCode === '410221' && i.detectedOn.startsWith('2025'))).toBe(true);
    const byFarmland = await list('sort=-farmland&pageSize=50');
    const mu = byFarmland.items.map((i) => i.overlaps.farmland.m2);
    expect(mu).toEqual([...mu].sort((a, b) => b - a));
    const [{ m } = { m: 0 }] = await db.query<{ m: number }>(`SELECT count(*)::int AS m FROM encroachment WHERE permanent_farmland_m2 + general_farmland_m2 >= 10 * 10000.0 / 15`);
    expect((await list('minOverlapMu=10')).total).toBe(m);
    const pages = [await list('sort=code&pageSize=7&page=3'), await list('sort=code&pageSize=7&page=4')];
    const [{ codes } = { codes: [] }] = await db.query<{ codes: string[] }>(`SELECT array_agg(code ORDER BY code) AS codes FROM (SELECT code FROM encroachment ORDER BY code OFFSET 14 LIMIT 14) s`);
    expect(pages.flatMap((p) => p.items.map((i) => i.code))).toEqual(codes);
    expect(Object.values(r.statusCounts).reduce((a, b) => a + b, 0)).toBe(n);
    const big = await app.inject({ method: 'GET', url: '/api/cases?pageSize=500' });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toContain('每页条数最多为 200');
  });

  it('shows all nine counties in the county view of a year, with the city total', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/cases/stats?year=2025' });
    expect(res.statusCode, res.body).toBe(200);
    const s = CaseStatsResponse.parse(res.json());
    expect(s.counties).toHaveLength(9);
    const [{ n, pending } = { n: 0, pending: 0 }] = await db.query<{ n: number; pending: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status IN ('待核查', '需实地核查'))::int AS pending
         FROM encroachment WHERE detected_on >= '2025-01-01' AND detected_on < '2026-01-01'`,
    );
    expect(s.total.cases).toBe(n);
    expect(s.total.pending).toBe(pending);
    expect(s.counties.reduce((a, c) => a + c.cases, 0)).toBe(n);
    expect(s.years).toEqual([2026, 2025, 2024]);
  });
});
