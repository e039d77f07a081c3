/**
 * The seeded demo dataset as stored: valid, non-overlapping, with areas that
 * agree with PostGIS's own ellipsoidal area, and the generator's invariants
 * between layers; the ledger's history, enterprises' requests, and the cases' decisions and rectifications.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers } from '../../core/layers.ts';
import { checkDecision, type CaseStatus } from '../../core/case-status.ts';
import { stockTransition, type StockEventKind } from '../../core/ledger.ts';
import { beijingToday } from '../../core/beijing-time.ts';
import type { Database } from '../../server/src/db/database.ts';
import { generateDataset } from '../../seeds/generate.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { TEST_SEED, backend } from '../helpers/backend.ts';

describe(`seeded demo dataset on ${backend}`, () => {
  let db: Database;
  let close: () => Promise<void>;
  const expected = generateDataset({ scale: 'demo', seed: TEST_SEED });
  for (const l of expected.layers) for (const _ of l.features());

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(async () => close?.());

  it('holds exactly the generated features, under the generator checksum', async () => {
    const info = await db.query<{ scale: string; seed: number; checksum: string }>(`SELECT scale, seed, checksum FROM seed_info`);
    expect(info).toEqual([{ scale: 'demo', seed: TEST_SEED, checksum: expected.checksum() }]);
    const counts = expected.counts();
    for (const layer of layers) {
      if (layer.id === 'admin-county') continue;
      const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layer.table}`);
      expect(n[0]!.n, layer.id).toBe(counts[layer.id]);
    }
  });

  it.each(layers.map((l) => [l.id, l.table] as const))('%s: every geometry is valid and non-empty', async (_id, table) => {
    const rows = await db.query<{ total: number; invalid: number; empty: number }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE NOT ST_IsValid(geom))::int AS invalid,
              count(*) FILTER (WHERE ST_IsEmpty(geom))::int AS empty
         FROM ${table}`,
    );
    expect(rows[0]!.total).toBeGreaterThan(0);
    expect(rows[0]!.invalid).toBe(0);
    expect(rows[0]!.empty).toBe(0);
  });

  it.each(layers.map((l) => [l.id, l.table] as const))('%s: no two features overlap', async (_id, table) => {
    // Counties share long borders: GEOS before 3.13 can fail to relate near-coincident edges,
    // so they are checked with a fixed-precision (1e-7°) intersection instead.
    // Townships and villages tile their parents: their shared edges are checked the same way, to
    // the width of the grid's rounding (tests/api/townships.test.ts says why villages need 1.5e-7°).
    const overlap =
      table === 'admin_county'
        ? `ST_Area(ST_Intersection(a.geom, b.geom, 1e-7)) > 0`
        : table === 'admin_township' || table === 'admin_village'
          ? `ST_Area(ST_Intersection(ST_Buffer(a.geom, -1.5e-7), b.geom)) > 0`
          : `ST_Relate(a.geom, b.geom, '2********')`;
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n
         FROM ${table} a JOIN ${table} b ON a.id < b.id AND a.geom && b.geom
        WHERE ${overlap}`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('keeps farmland out of the urban development boundary and the red line, and the two farmland layers apart', async () => {
    const pairs = [
      ['permanent_farmland', 'general_farmland'],
      ['permanent_farmland', 'urban_boundary'],
      ['general_farmland', 'urban_boundary'],
      ['permanent_farmland', 'eco_redline'],
      ['general_farmland', 'eco_redline'],
      ['urban_boundary', 'eco_redline'],
    ];
    for (const [a, b] of pairs) {
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${a} a JOIN ${b} b ON a.geom && b.geom WHERE ST_Relate(a.geom, b.geom, '2********')`,
      );
      expect(rows[0]!.n, `${a} × ${b}`).toBe(0);
    }
  });

  it('stores areas equal to PostGIS ellipsoidal area (to the 0.01 m² they are recorded in, and 1e-7 relative)', async () => {
    // edges straight in lon/lat, as the product measures them: PostGIS's geography area of the
    // polygon with every edge cut into pieces of at most 1e-4° (its geodesics then follow the edges)
    for (const layer of layers) {
      const rows = await db.query<{ worst: number }>(
        `SELECT max(abs(area_m2 - a) - (0.005 + 1e-7 * a)) AS worst
           FROM (SELECT area_m2, ST_Area(ST_Segmentize(geom, 1e-4)::geography) AS a FROM ${layer.table}) t`,
      );
      expect(rows[0]!.worst, layer.id).toBeLessThanOrEqual(0);
    }
  });

  it('places most stock land inside the urban development boundary, at 5–300 亩', async () => {
    const rows = await db.query<{ total: number; inside: number; small: number; large: number }>(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM urban_boundary u WHERE ST_Within(s.geom, u.geom)))::int AS inside,
              count(*) FILTER (WHERE area_m2 < 10000.0 / 15 * 5 - 1)::int AS small,
              count(*) FILTER (WHERE area_m2 > 10000.0 / 15 * 300 + 1)::int AS large
         FROM stock_parcel s`,
    );
    const r = rows[0]!;
    expect(r.inside / r.total).toBeGreaterThan(0.6);
    expect(r.small).toBe(0);
    expect(r.large).toBe(0);
  });

  it('puts most encroachment polygons on farmland, some in the red line, and some on neither', async () => {
    const rows = await db.query<{ total: number; farmland: number; redline: number; neither: number }>(
      `WITH e AS (
         SELECT e.id,
                EXISTS (SELECT 1 FROM permanent_farmland f WHERE f.geom && e.geom AND ST_Intersects(f.geom, e.geom))
             OR EXISTS (SELECT 1 FROM general_farmland f WHERE f.geom && e.geom AND ST_Intersects(f.geom, e.geom)) AS farmland,
                EXISTS (SELECT 1 FROM eco_redline r WHERE r.geom && e.geom AND ST_Intersects(r.geom, e.geom)) AS redline
           FROM encroachment e)
       SELECT count(*)::int AS total,
              count(*) FILTER (WHERE farmland)::int AS farmland,
              count(*) FILTER (WHERE redline)::int AS redline,
              count(*) FILTER (WHERE NOT farmland AND NOT redline)::int AS neither
         FROM e`,
    );
    const r = rows[0]!;
    expect(r.farmland / r.total).toBeGreaterThan(0.5);
    expect(r.redline).toBeGreaterThan(0);
    expect(r.neither).toBeGreaterThan(0);
  });

  it('stores the nine counties with a total area close to Kaifeng’s 6 266 km²', async () => {
    const rows = await db.query<{ n: number; km2: number }>(
      `SELECT count(*)::int AS n, sum(ST_Area(geom::geography)) / 1e6 AS km2 FROM admin_county`,
    );
    expect(rows[0]!.n).toBe(9);
    expect(rows[0]!.km2).toBeGreaterThan(6266 * 0.95);
    expect(rows[0]!.km2).toBeLessThan(6266 * 1.05);
  });

  it('keeps every generated feature inside its county', async () => {
    for (const layer of layers.filter((l) => l.id !== 'admin-county')) {
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${layer.table} t JOIN admin_county c ON c.code = t.county_code
          WHERE NOT ST_Intersects(ST_PointOnSurface(t.geom), c.geom)`,
      );
      expect(rows[0]!.n, layer.id).toBe(0);
    }
  });

  it('keeps a ledger history the API would have accepted: each event a transition of the ledger, in date order, leaving the parcel as it is', async () => {
    const events = await db.query<{ parcel_code: string; kind: StockEventKind; event_date: string; category_before: string; status_before: string; category_after: string; status_after: string; details: Record<string, unknown>; recorded_on: string; category: string; status: string }>(
      `SELECT e.parcel_code, e.kind, e.event_date::text AS event_date, e.category_before, e.status_before, e.category_after, e.status_after, e.details,
              p.recorded_on::text AS recorded_on, p.category, p.status
         FROM stock_event e JOIN stock_parcel p ON p.code = e.parcel_code
        WHERE e.actor_id IS NULL ORDER BY e.parcel_code, e.event_date, e.id`,
    );
    expect(events.length).toBeGreaterThan(100);
    const today = beijingToday();
    let last: (typeof events)[number] | undefined;
    for (const e of events) {
      const t = stockTransition({ category: e.category_before, status: e.status_before }, { kind: e.kind, method: e.kind === 'dispose' ? String(e.details.method) : undefined });
      expect(t.ok ? t.after : t.zh, `${e.parcel_code} ${e.kind}`).toEqual({ category: e.category_after, status: e.status_after });
      expect(e.event_date > e.recorded_on && e.event_date <= today, `${e.parcel_code} ${e.event_date}`).toBe(true);
      if (last?.parcel_code === e.parcel_code) expect([last.category_after, last.status_after]).toEqual([e.category_before, e.status_before]);
      else if (last) expect([last.category_after, last.status_after], last.parcel_code).toEqual([last.category, last.status]);
      last = e;
    }
    // something to show for every year of the revitalisation figure, in every kind
    const years = await db.query<{ y: number; kinds: string[] }>(
      `SELECT extract(year FROM event_date)::int AS y, array_agg(DISTINCT kind ORDER BY kind) AS kinds FROM stock_event WHERE actor_id IS NULL AND event_date >= '2021-01-01' GROUP BY 1 ORDER BY 1`,
    );
    expect(years.map((r) => r.y)).toEqual([2021, 2022, 2023, 2024, 2025, 2026]);
    for (const r of years) expect(r.kinds, String(r.y)).toEqual(expect.arrayContaining(['dispose', 'redevelop', 'supply']));
  });

  it('seeds decisions and rectifications the API would have accepted: each case as its history leaves it, dates in order, none after today', async () => {
    const today = beijingToday();
    const decided = await db.query<{ code: string; status: string; version: number; to_status: string; approval_no: string | null; comment: string | null; from_status: string; n: number }>(
      `SELECT e.code, e.status, e.version, d.to_status, d.approval_no, d.comment, d.from_status, (SELECT count(*)::int FROM case_decision x WHERE x.case_id = e.id) AS n
         FROM encroachment e JOIN case_decision d ON d.case_id = e.id WHERE e.import_id IS NULL`,
    );
    expect(decided.length).toBeGreaterThan(60);
    for (const d of decided) {
      expect(checkDecision({ from: d.from_status as CaseStatus, to: d.to_status as CaseStatus, approvalNo: d.approval_no, comment: d.comment }).ok, d.code).toBe(true);
      expect([d.n, d.status, d.version], d.code).toEqual([1, d.to_status, 2]);
    }
    // still plenty to review
    const [{ pending } = { pending: 0 }] = await db.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM encroachment WHERE status = '待核查'`);
    expect(pending).toBeGreaterThan(200);

    const entries = await db.query<{ code: string; status: string; detected_on: string; deadline: string; rectified_on: string | null; at: string; last: boolean; case_deadline: string | null; case_done: string | null }>(
      `SELECT e.code, e.status, e.detected_on::text AS detected_on, r.deadline::text AS deadline, r.rectified_on::text AS rectified_on, r.at::text AS at,
              r.id = (SELECT max(id) FROM case_rectification x WHERE x.case_id = e.id) AS last, e.rectify_deadline::text AS case_deadline, e.rectified_on::text AS case_done
         FROM case_rectification r JOIN encroachment e ON e.id = r.case_id ORDER BY e.code, r.id`,
    );
    expect(entries.length).toBeGreaterThan(40);
    let prev: (typeof entries)[number] | undefined;
    for (const r of entries) {
      expect(r.status, r.code).toBe('违法占用');
      expect(r.deadline >= r.detected_on, r.code).toBe(true);
      if (r.rectified_on) expect(r.rectified_on >= r.detected_on && r.rectified_on <= today, r.code).toBe(true);
      if (prev?.code === r.code) expect(r.at > prev.at, r.code).toBe(true);
      if (r.last) expect([r.case_deadline, r.case_done], r.code).toEqual([r.deadline, r.rectified_on]);
      prev = r;
    }
    // each year has cases rectified in time, in the next year, and not at all
    const years = await db.query<{ y: number; in_time: number; late: number; open: number }>(
      `SELECT extract(year FROM detected_on)::int AS y,
              count(*) FILTER (WHERE rectified_on <= make_date(extract(year FROM detected_on)::int, 12, 31))::int AS in_time,
              count(*) FILTER (WHERE rectified_on > make_date(extract(year FROM detected_on)::int, 12, 31))::int AS late,
              count(*) FILTER (WHERE rectified_on IS NULL)::int AS open
         FROM encroachment WHERE status = '违法占用' AND import_id IS NULL GROUP BY 1 ORDER BY 1`,
    );
    expect(years.map((r) => r.y)).toEqual([2024, 2025, 2026]);
    for (const r of years) {
      expect(r.in_time, String(r.y)).toBeGreaterThan(r.late + r.open);
      expect(r.open, String(r.y)).toBeGreaterThan(0);
      if (r.y < 2026) expect(r.late, String(r.y)).toBeGreaterThan(0);
    }
  });

  it('seeds enterprises’ land requests: owned by demo accounts that cannot sign in, a matched one’s parcel reserved for it by the ledger', async () => {
    const requests = await db.query<{ id: number; status: string; role: string; disabled: boolean; password_hash: string; accepted: string | null; pending: number }>(
      `SELECT r.id, r.status, u.role, u.disabled, u.password_hash,
              (SELECT parcel_code FROM land_request_proposal p WHERE p.request_id = r.id AND p.decision = 'accepted') AS accepted,
              (SELECT count(*)::int FROM land_request_proposal p WHERE p.request_id = r.id AND p.decision IS NULL) AS pending
         FROM land_request r JOIN app_user u ON u.id = r.owner_id WHERE u.username LIKE 'demo-enterprise-%'`,
    );
    expect(new Set(requests.map((r) => r.status))).toEqual(new Set(['open', 'matched', 'withdrawn']));
    for (const r of requests) {
      expect([r.role, r.disabled, r.password_hash]).toEqual(['enterprise', true, '!']);
      if (r.status !== 'open') expect(r.pending, `request ${r.id}`).toBe(0);
      if (r.status !== 'matched') continue;
      const [parcel] = await db.query<{ status: string; request: string | null }>(
        `SELECT p.status, (SELECT e.details ->> 'requestId' FROM stock_event e WHERE e.parcel_code = p.code AND e.kind = 'intent' ORDER BY e.id DESC LIMIT 1) AS request
           FROM stock_parcel p WHERE p.code = $1`,
        [r.accepted],
      );
      expect(parcel, `request ${r.id}`).toEqual({ status: '已意向', request: String(r.id) });
    }
    expect(requests.some((r) => r.status === 'open' && r.pending > 0)).toBe(true);
  });

  it('seeds approved site checks over 2021–2026 by a demo planner who cannot sign in, each approval the check’s own figures, dated on or after its filing', async () => {
    const rows = await db.query<{ id: string; report: unknown; created_at: Date | string; approved_on: string; approval_no: string; county_code: string; site_m2: number; pf: number; gf: number; role: string; disabled: boolean; password_hash: string; within: boolean }>(
      `SELECT s.id, s.report, s.created_at, a.approved_on::text AS approved_on, a.approval_no, a.county_code, a.site_m2, a.permanent_farmland_m2 AS pf, a.general_farmland_m2 AS gf,
              u.role, u.disabled, u.password_hash,
              ST_Area(ST_Intersection(s.geom, c.geom)) > ST_Area(s.geom) / 2 AS within
         FROM site_check_approval a JOIN site_check s ON s.id = a.check_id JOIN app_user u ON u.id = a.approver_id JOIN admin_county c ON c.code = a.county_code
        WHERE u.username = 'demo-planner' ORDER BY a.approved_on`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(24);
    const today = beijingToday();
    for (const r of rows) {
      expect([r.role, r.disabled, r.password_hash]).toEqual(['planner', true, '!']);
      const report = (typeof r.report === 'string' ? JSON.parse(r.report) : r.report) as { site: { area: { m2: number } }; layers: { layerId: string; area: { m2: number } }[]; bufferMeters: number };
      const overlap = (id: string) => report.layers.find((l) => l.layerId === id)!.area.m2;
      expect([Number(r.site_m2), Number(r.pf), Number(r.gf)], r.id).toEqual([report.site.area.m2, overlap('permanent-farmland'), overlap('general-farmland')]);
      expect(report.bufferMeters).toBe(0);
      expect(r.approved_on >= beijingToday(new Date(r.created_at)) && r.approved_on <= today, `${r.id} ${r.approved_on}`).toBe(true);
      expect(r.within, `${r.id} lies mostly in ${r.county_code}`).toBe(true);
      expect(r.approval_no).toMatch(/^豫政土〔\d{4}〕\d+号$/);
    }
    const years = new Map<string, { counties: Set<string>; farmland: number }>();
    for (const r of rows) {
      const y = years.get(r.approved_on.slice(0, 4)) ?? { counties: new Set(), farmland: 0 };
      y.counties.add(r.county_code);
      y.farmland += Number(r.gf) + Number(r.pf);
      years.set(r.approved_on.slice(0, 4), y);
    }
    // every year of the figure has several counties approving, and farmland taken
    expect([...years.keys()]).toEqual(['2021', '2022', '2023', '2024', '2025', '2026']);
    for (const [y, v] of years) {
      expect(v.counties.size, y).toBeGreaterThanOrEqual(3);
      expect(v.farmland, y).toBeGreaterThan(0);
    }
    // ordinary projects: none takes permanent farmland
    expect(rows.every((r) => Number(r.pf) === 0)).toBe(true);
  });
});
