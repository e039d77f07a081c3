/**
 * Derived data follows a layer change where it touched, on whichever backend the suite runs:
 * a permanent-farmland field added under a seeded case and a stock parcel, then
 * followLayerChange — the case's overlap grows by exactly the new field's overlap and the case
 * page says against which version it was recomputed, the parcel's standing likewise, nothing
 * outside the box is rewritten, and a full rebuild afterwards gives the same rows. The same for
 * a stock parcel added beside another (its pairs). Expected areas come from PostGIS's own
 * ST_Area(geography) of the intersection, not from the code under test (GeographicLib in Node
 * for the cases). A private database: what the test changes, it takes back, and no other file
 * sees it meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CaseDetail } from '../../core/contracts/cases.ts';
import { M2_PER_MU } from '../../core/units.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { followLayerChange } from '../../server/src/modules/layer-admin/follow.ts';
import { refreshStockDerived } from '../../server/src/modules/stock/derived.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { actAs } from '../helpers/session.ts';

type Bbox = [number, number, number, number];

describe(`derived data following a layer change on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  let app: FastifyInstance;
  const FIELD = 'TEST-FOLLOW-PF-1';
  const PARCEL = 'TEST-FOLLOW-SP-1';

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db });
    await actAs(app, db, 'auditor');
    // the catalogue's and the cases' own preparation, as a page would do it before the test changes anything
    await refreshStockDerived(db);
  });
  afterAll(async () => {
    // leave the layers as found, and what is derived from them with them
    if (db) {
      const gone = await db.query<{ bbox: Bbox }>(
        `DELETE FROM permanent_farmland WHERE code = $1
         RETURNING json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) AS bbox`,
        [FIELD],
      );
      for (const g of gone) await followLayerChange(db, 'permanent-farmland', { bbox: json(g.bbox) });
      const parcels = await db.query<{ bbox: Bbox }>(
        `DELETE FROM stock_parcel WHERE code = $1
         RETURNING json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) AS bbox`,
        [PARCEL],
      );
      for (const g of parcels) await followLayerChange(db, 'stock-parcel', { bbox: json(g.bbox) });
    }
    await app?.close();
    await close?.();
  });

  const json = <T,>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  const standingRows = () =>
    db.query<Record<string, unknown>>(
      `SELECT parcel_id, urban_boundary_id, urban_boundary_share, permanent_farmland_m2, general_farmland_m2, eco_redline_m2
         FROM stock_standing ORDER BY parcel_id`,
    );
  const adjacencyRows = () => db.query<Record<string, unknown>>('SELECT a_id, b_id, gap_m FROM stock_adjacency ORDER BY a_id, b_id');
  /** Row versions (xmin) by id: a row rewritten gets a new one. */
  const xmins = async (sql: string) => new Map((await db.query<{ id: number; x: string }>(sql)).map((r) => [Number(r.id), r.x]));
  const envelope = (b: Bbox) => `ST_MakeEnvelope(${b.map(Number).join(', ')}, 4490)`;

  it('recomputes the overlaps of the cases and the standing of the parcels under a new farmland field, and nothing else', async () => {
    // a case lying on a stock parcel (the demo dataset has a few)
    const [pick] = await db.query<{ case_id: number; parcel_id: number }>(
      `SELECT c.id AS case_id, s.id AS parcel_id FROM encroachment c JOIN stock_parcel s ON s.geom && c.geom AND ST_Intersects(s.geom, c.geom)
        WHERE ST_Area(ST_Intersection(s.geom, c.geom)::geography) > 1000 ORDER BY c.id, s.id LIMIT 1`,
    );
    expect(pick, 'the demo dataset has a case on a stock parcel').toBeDefined();
    const caseId = Number(pick!.case_id);
    const parcelId = Number(pick!.parcel_id);
    // a ~40 m square of new permanent farmland around a point inside both
    await db.query(
      `INSERT INTO permanent_farmland (code, county_code, land_class_code, land_class_name, quality_grade, area_m2, source, vintage, geom)
       SELECT $1, c.county_code, '0101', '水田', 5, ST_Area(sq::geography), '测试', '2026', ST_Multi(sq)
         FROM encroachment c, stock_parcel s,
              LATERAL (SELECT ST_SetSRID(ST_Expand(ST_PointOnSurface(ST_Intersection(c.geom, s.geom)), 0.0002), 4490) AS sq) q
        WHERE c.id = $2 AND s.id = $3`,
      [FIELD, caseId, parcelId],
    );
    const [field] = await db.query<{ id: number; bbox: Bbox; case_m2: number; parcel_m2: number }>(
      `SELECT f.id, json_build_array(ST_XMin(f.geom), ST_YMin(f.geom), ST_XMax(f.geom), ST_YMax(f.geom)) AS bbox,
              ST_Area(ST_Intersection(f.geom, c.geom)::geography) AS case_m2,
              ST_Area(ST_Intersection(f.geom, s.geom)::geography) AS parcel_m2
         FROM permanent_farmland f, encroachment c, stock_parcel s WHERE f.code = $1 AND c.id = $2 AND s.id = $3`,
      [FIELD, caseId, parcelId],
    );
    const bbox = json(field!.bbox);
    expect(field!.case_m2).toBeGreaterThan(100);
    expect(field!.parcel_m2).toBeGreaterThan(100);

    const [caseBefore] = await db.query<{ pf: number; version: number; decisions: number }>(
      `SELECT permanent_farmland_m2 AS pf, version, (SELECT count(*)::int FROM case_decision d WHERE d.case_id = e.id) AS decisions FROM encroachment e WHERE id = $1`,
      [caseId],
    );
    const [standingBefore] = await db.query<{ pf: number }>('SELECT permanent_farmland_m2 AS pf FROM stock_standing WHERE parcel_id = $1', [parcelId]);
    const standingX = await xmins('SELECT parcel_id AS id, xmin::text AS x FROM stock_standing');
    const caseX = await xmins('SELECT id, xmin::text AS x FROM encroachment');
    const adjacencyBefore = await adjacencyRows();
    const inBox = async (table: string) =>
      new Set((await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE ST_Intersects(geom, ${envelope(bbox)})`)).map((r) => Number(r.id)));
    const parcelsIn = await inBox('stock_parcel');
    const casesIn = await inBox('encroachment');
    expect(parcelsIn.has(parcelId) && casesIn.has(caseId)).toBe(true);

    const result = await followLayerChange(db, 'permanent-farmland', { bbox });

    // what it answers it did
    expect(result.stock?.mode).toBe('incremental');
    expect(result.stock?.parcels).toBe(parcelsIn.size);
    expect(result.stock?.pairs).toBe(0); // farmland moves no parcel out of its boundary polygon
    expect(result.cases?.recomputed).toBe(casesIn.size);
    const [{ active } = { active: 1 }] = await db.query<{ active: number }>(
      `SELECT coalesce((SELECT version_no FROM layer_version WHERE layer = 'permanent-farmland' AND state = 'active'), 1) AS active`,
    );
    expect(result.cases?.versionNo).toBe(Number(active));

    // the case: its overlap grew by the field's, the field listed, its decisions and version as they were
    const [caseAfter] = await db.query<{ pf: number; version: number; decisions: number }>(
      `SELECT permanent_farmland_m2 AS pf, version, (SELECT count(*)::int FROM case_decision d WHERE d.case_id = e.id) AS decisions FROM encroachment e WHERE id = $1`,
      [caseId],
    );
    expect(Math.abs(caseAfter!.pf - caseBefore!.pf - field!.case_m2)).toBeLessThan(0.01);
    expect(caseAfter!.version).toBe(caseBefore!.version);
    expect(caseAfter!.decisions).toBe(caseBefore!.decisions);
    const res = await app.inject({ method: 'GET', url: `/api/cases/${caseId}` });
    expect(res.statusCode, res.body).toBe(200);
    const page = CaseDetail.parse(res.json());
    const listed = page.overlapFeatures.find((f) => f.layerId === 'permanent-farmland' && f.featureId === Number(field!.id));
    expect(listed?.featureCode).toBe(FIELD);
    expect(Math.abs(listed!.overlapArea.m2 - field!.case_m2)).toBeLessThan(0.01);
    expect(page.overlaps.permanentFarmland.m2).toBeCloseTo(caseAfter!.pf, 2);
    expect(page.overlaps.permanentFarmland.mu).toBeCloseTo(caseAfter!.pf / M2_PER_MU, 3);
    expect(page.overlapsAsOf).toEqual([
      { layerId: 'permanent-farmland', layerNameZh: '永久基本农田', layerNameEn: expect.any(String), versionNo: Number(active), at: expect.any(String) },
    ]);

    // the parcel: its standing grew by the field's overlap
    const [standingAfter] = await db.query<{ pf: number }>('SELECT permanent_farmland_m2 AS pf FROM stock_standing WHERE parcel_id = $1', [parcelId]);
    expect(standingAfter!.pf - standingBefore!.pf).toBeCloseTo(field!.parcel_m2, 3);

    // outside the box nothing was rewritten; inside, every row was
    const standingX2 = await xmins('SELECT parcel_id AS id, xmin::text AS x FROM stock_standing');
    const caseX2 = await xmins('SELECT id, xmin::text AS x FROM encroachment');
    expect(standingX2.size).toBe(standingX.size);
    for (const [id, x] of standingX2) expect(x === standingX.get(id), `parcel ${id}`).toBe(!parcelsIn.has(id));
    for (const [id, x] of caseX2) expect(x === caseX.get(id), `case ${id}`).toBe(!casesIn.has(id));
    expect(await adjacencyRows()).toEqual(adjacencyBefore);

    // the bookkeeping says current: the catalogue does not rebuild everything again
    expect((await refreshStockDerived(db)).rebuilt).toBe(false);
    // and the incremental rows are the full rebuild's
    const incremental = await standingRows();
    expect((await refreshStockDerived(db, { force: true })).rebuilt).toBe(true);
    expect(await standingRows()).toEqual(incremental);
    expect(await adjacencyRows()).toEqual(adjacencyBefore);
  });

  it('rebuilds the pairs of a stock parcel added beside another, as the full rebuild does', async () => {
    // a parcel inside a boundary polygon with a copy of it placed 10 m to its east
    const [src] = await db.query<{ id: number; dx: number }>(
      `SELECT s.id, ST_XMax(s.geom) - ST_XMin(s.geom) + 10 * 1.0 / 91000 AS dx
         FROM stock_parcel s JOIN stock_standing st ON st.parcel_id = s.id
         JOIN urban_boundary u ON u.id = st.urban_boundary_id AND ST_Covers(u.geom, ST_Expand(s.geom, 0.01))
        ORDER BY s.id LIMIT 1`,
    );
    expect(src, 'a parcel well inside a boundary polygon').toBeDefined();
    const [added] = await db.query<{ id: number; bbox: Bbox }>(
      `INSERT INTO stock_parcel (code, county_code, name, category, planned_use, area_m2, status, contact_dept, geom)
       SELECT $1, county_code, '测试地块', category, planned_use, area_m2, status, contact_dept, ST_Translate(geom, $3::float8, 0)
         FROM stock_parcel WHERE id = $2
       RETURNING id, json_build_array(ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)) AS bbox`,
      [PARCEL, src!.id, src!.dx],
    );
    const bbox = json(added!.bbox);
    const pairsBefore = await adjacencyRows();
    const result = await followLayerChange(db, 'stock-parcel', { bbox });
    expect(result.stock?.mode).toBe('incremental');
    expect(result.stock!.pairs).toBeGreaterThanOrEqual(1);
    const pairs = await adjacencyRows();
    const newId = Number(added!.id);
    const lo = Math.min(newId, Number(src!.id));
    const hi = Math.max(newId, Number(src!.id));
    const pair = pairs.find((p) => Number(p.a_id) === lo && Number(p.b_id) === hi);
    expect(pair, 'the copy pairs with its source').toBeDefined();
    const [{ gap } = { gap: -1 }] = await db.query<{ gap: number }>(
      'SELECT ST_Distance(a.geom::geography, b.geom::geography) AS gap FROM stock_parcel a, stock_parcel b WHERE a.id = $1 AND b.id = $2',
      [lo, hi],
    );
    expect(Number(pair!.gap_m)).toBeCloseTo(gap, 6);
    // pairs away from the new parcel stay as they were
    const away = (rows: Record<string, unknown>[]) => rows.filter((p) => Number(p.a_id) !== newId && Number(p.b_id) !== newId);
    expect(away(pairs)).toEqual(away(pairsBefore).filter((p) => pairs.some((q) => q.a_id === p.a_id && q.b_id === p.b_id)));
    expect((await refreshStockDerived(db)).rebuilt).toBe(false);
    const standing = await standingRows();
    expect(standing.some((r) => Number(r.parcel_id) === newId)).toBe(true);
    await refreshStockDerived(db, { force: true });
    expect(await standingRows()).toEqual(standing);
    expect(await adjacencyRows()).toEqual(pairs);
  });

  it('follows a version that renumbers its features (as an import or a restore writes them), wherever the box is', async () => {
    const [ov] = await db.query<{ case_id: number; feature_id: number; m2: number }>(
      `SELECT case_id, feature_id, overlap_m2 AS m2 FROM case_overlap WHERE layer = 'permanent-farmland' ORDER BY overlap_m2 DESC, case_id LIMIT 1`,
    );
    const [ub] = await db.query<{ id: number; n: number }>(
      'SELECT urban_boundary_id AS id, count(*)::int AS n FROM stock_standing WHERE urban_boundary_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1',
    );
    expect(ov && ub, 'a case on permanent farmland and a boundary polygon holding parcels').toBeTruthy();
    const SHIFT = 10_000_000;
    const nowhere: Bbox = [100, 20, 100.001, 20.001]; // far from the data: only the renumbering counts
    const renumber = async (by: number) => {
      // one layer at a time, each followed before the next changes (as the layer pipeline does)
      await db.query('UPDATE permanent_farmland SET id = id + $2 WHERE id = $1', [Number(ov!.feature_id) + (by > 0 ? 0 : SHIFT), by]);
      const farmland = await followLayerChange(db, 'permanent-farmland', { bbox: nowhere });
      await db.query('UPDATE urban_boundary SET id = id + $2 WHERE id = $1', [Number(ub!.id) + (by > 0 ? 0 : SHIFT), by]);
      return { farmland, boundary: await followLayerChange(db, 'urban-boundary', { bbox: nowhere }) };
    };
    const adjacencyBefore = await adjacencyRows();
    const r = await renumber(SHIFT);
    try {
      const [moved] = await db.query<{ feature_id: number; m2: number }>(
        `SELECT feature_id, overlap_m2 AS m2 FROM case_overlap WHERE layer = 'permanent-farmland' AND case_id = $1 AND feature_id = $2`,
        [ov!.case_id, Number(ov!.feature_id) + SHIFT],
      );
      expect(moved?.m2, 'the case lists the field by its new id').toBeCloseTo(Number(ov!.m2), 6);
      expect(r.farmland.cases!.recomputed).toBeGreaterThanOrEqual(1);
      expect(r.farmland.stock).toMatchObject({ mode: 'incremental', parcels: 0 });
      expect(r.boundary.stock?.mode).toBe('incremental');
      expect(r.boundary.stock!.parcels).toBe(Number(ub!.n));
      const [{ n } = { n: -1 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_standing WHERE urban_boundary_id = $1', [Number(ub!.id) + SHIFT]);
      expect(n).toBe(Number(ub!.n));
      // the pairs inside the renumbered polygon are kept, as the full rebuild keeps them
      expect(await adjacencyRows()).toEqual(adjacencyBefore);
      expect((await refreshStockDerived(db)).rebuilt).toBe(false);
      const standing = await standingRows();
      await refreshStockDerived(db, { force: true });
      expect(await standingRows()).toEqual(standing);
      expect(await adjacencyRows()).toEqual(adjacencyBefore);
    } finally {
      await renumber(-SHIFT);
    }
    const [back] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_standing WHERE urban_boundary_id = $1', [ub!.id]);
    expect(back!.n).toBe(Number(ub!.n));
  });

  it('rebuilds everything when the derived tables missed more than this change', async () => {
    // another source changed without a follow-up: a partial rebuild would miss it
    await db.query(`UPDATE eco_redline SET name = name WHERE id = (SELECT min(id) FROM eco_redline)`);
    const result = await followLayerChange(db, 'general-farmland', { bbox: [114.3, 34.7, 114.31, 34.71] });
    expect(result.stock?.mode).toBe('full');
    expect((await refreshStockDerived(db)).rebuilt).toBe(false);
  });
});
