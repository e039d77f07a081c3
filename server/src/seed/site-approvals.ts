/**
 * Files and approves the demo's new construction sites (seeds/lib/site-approvals.ts) through the
 * app's own site check (runSiteCheck: the stock-first match, the overlays, the filed immutable
 * report) and approval (approveSiteCheck: the figures the yearly farmland share counts), on the
 * days the plan gives, as a demo planner account that cannot sign in. Runs after the stock-land
 * derived tables are built (the check's stock-first step reads them).
 *
 * Reports are immutable and stay through a reload; their ids come from the seed, so a reload with
 * the same seed finds its checks filed and only approves them again (the reload's reset takes the
 * approvals with it, as it takes the ledger's history).
 */
import { beijingToday } from '../../../core/beijing-time.ts';
import { candidateBoxes, planSiteApprovals, type Box, type CandidateSite } from '../../../seeds/lib/site-approvals.ts';
import { Rng } from '../../../seeds/lib/rng.ts';
import type { Database } from '../db/database.ts';
import { StockCatalogue } from '../modules/stock/catalogue.ts';
import { approveSiteCheck } from '../modules/site-check/approval.ts';
import { runSiteCheck } from '../modules/site-check/service.ts';

/** The random stream of the approved sites (after the ledger history's 10 and 11). */
const SITES_STREAM = 12;
/** The last day of the seeded history (as the ledger's, or today were it earlier). */
const HISTORY_END = '2026-11-30';
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];
const DEMO_PLANNER = 'demo-planner';

export async function loadSiteApprovals(db: Database, seed: number, scale: string): Promise<{ checks: number; approved: number }> {
  const rng = new Rng(seed).fork(SITES_STREAM);
  const box = (r: { x0: number; y0: number; x1: number; y1: number }): Box => [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)];
  const extent = `ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1`;
  const fields = (await db.query<{ x0: number; y0: number; x1: number; y1: number }>(`SELECT ${extent} FROM general_farmland ORDER BY id`)).map(box);
  const towns = (await db.query<{ x0: number; y0: number; x1: number; y1: number }>(`SELECT ${extent} FROM urban_boundary ORDER BY id`)).map(box);
  const boxes = candidateBoxes(fields, towns, rng, 600);
  // each candidate against the layers: in one county, no permanent farmland, no red line; its share on general farmland
  const measured = await db.query<{ i: number; county: string | null; blocked: boolean; share: number }>(
    `WITH r AS (
       SELECT i, ST_MakeEnvelope(x0, y0, x1, y1, 4490) AS g
         FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) WITH ORDINALITY AS v(x0, y0, x1, y1, i))
     SELECT i::int AS i,
            (SELECT c.code FROM admin_county c WHERE ST_Within(r.g, c.geom) LIMIT 1) AS county,
            EXISTS (SELECT 1 FROM permanent_farmland t WHERE t.geom && r.g AND ST_Intersects(t.geom, r.g))
              OR EXISTS (SELECT 1 FROM eco_redline t WHERE t.geom && r.g AND ST_Intersects(t.geom, r.g)) AS blocked,
            coalesce((SELECT sum(ST_Area(ST_Intersection(t.geom, r.g))) FROM general_farmland t WHERE t.geom && r.g), 0) / ST_Area(r.g) AS share
       FROM r ORDER BY i`,
    [boxes.map((b) => b[0]), boxes.map((b) => b[1]), boxes.map((b) => b[2]), boxes.map((b) => b[3])],
  );
  const candidates: CandidateSite[] = measured
    .filter((m) => m.county && !m.blocked)
    .map((m) => ({ box: boxes[Number(m.i) - 1]!, countyCode: m.county!, farmlandShare: Number(m.share) }));
  const counties = await db.query<{ code: string; name: string }>('SELECT code, name FROM admin_county ORDER BY code');
  const today = beijingToday();
  const end = today < HISTORY_END ? today : HISTORY_END;
  const plan = planSiteApprovals(candidates, counties, rng, { seed, scale, years: YEARS, end });
  if (!plan.length) return { checks: 0, approved: 0 };

  await db.query(
    `INSERT INTO app_user (username, display_name, role, password_hash, disabled)
     SELECT $1, '用途管制科（演示数据）', 'planner', '!', true WHERE NOT EXISTS (SELECT 1 FROM app_user WHERE lower(username) = lower($1))`,
    [DEMO_PLANNER],
  );
  const [planner] = await db.query<{ id: number; display_name: string }>('SELECT id, display_name FROM app_user WHERE lower(username) = lower($1)', [DEMO_PLANNER]);
  const catalogue = new StockCatalogue(db);
  let approved = 0;
  for (const p of plan) {
    const [filed] = await db.query('SELECT 1 FROM site_check WHERE id = $1', [p.id]);
    if (!filed) {
      await runSiteCheck(db, { geometry: p.geometry, name: p.name, use: p.use, stockFirst: { reason: p.reason } }, {
        matchStock: (r) => catalogue.match(r, { geometry: false }),
        ownerId: Number(planner!.id),
        now: () => new Date(p.filedAt),
        id: p.id,
      });
    }
    if (p.approval) {
      await approveSiteCheck(db, p.id, p.approval, { id: Number(planner!.id), name: planner!.display_name }, { today: end });
      approved++;
    }
  }
  return { checks: plan.length, approved };
}
