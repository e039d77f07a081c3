/**
 * Writes the generated library's history (seeds/lib/ledger-history.ts) inside the seed's
 * transaction: the ledger's events, the parcels' states they leave, the demo enterprises (accounts
 * that cannot sign in: disabled, no password) and their land requests with the bureau's proposals.
 * After the stock-land derived tables are built, `markSeededRequestsSeen` records what each
 * open request's enterprise has seen of its matches — all but a few, so the demo shows new ones.
 */
import { beijingToday } from '../../../core/beijing-time.ts';
import { ledgerHistory, type HistoryParcel } from '../../../seeds/lib/ledger-history.ts';
import { Rng } from '../../../seeds/lib/rng.ts';
import type { Database, Queryable } from '../db/database.ts';
import { StockCatalogue } from '../modules/stock/catalogue.ts';

/** The random streams of the history (separate from the generator's layers). */
const HISTORY_STREAM = 10;
const SEEN_STREAM = 11;
/** The last day of the seeded history (or today, were it earlier). */
const HISTORY_END = '2026-11-30';

/** The day the seeded histories (the ledger's, the cases') end: HISTORY_END, or today were it earlier. */
export const seedHistoryEnd = (today: string = beijingToday()): string => (today < HISTORY_END ? today : HISTORY_END);

const requestCount = (parcels: number) => Math.max(6, Math.min(60, Math.round(parcels / 40)));

export async function loadLedgerHistory(tx: Queryable, seed: number): Promise<{ events: number; requests: number }> {
  const rows = await tx.query<{
    code: string; county_code: string; category: string; status: string; planned_use: string; area_m2: number; ref_price: number | null; recorded_on: string; contact_dept: string;
  }>(`SELECT code, county_code, category, status, planned_use, area_m2, ref_price, recorded_on::text AS recorded_on, contact_dept FROM stock_parcel ORDER BY code`);
  const parcels: HistoryParcel[] = rows.map((r) => ({
    code: r.code,
    countyCode: r.county_code,
    category: r.category,
    status: r.status,
    plannedUse: r.planned_use,
    areaM2: Number(r.area_m2),
    refPrice: r.ref_price === null ? null : Number(r.ref_price),
    recordedOn: r.recorded_on,
    contactDept: r.contact_dept,
  }));
  const counties = (await tx.query<{ code: string }>('SELECT code FROM admin_county ORDER BY code')).map((c) => c.code);
  const h = ledgerHistory(parcels, new Rng(seed).fork(HISTORY_STREAM), { end: seedHistoryEnd(), requests: requestCount(parcels.length), counties });

  for (let i = 0; i < h.events.length; i += 5_000) {
    const part = h.events.slice(i, i + 5_000);
    const c = <T>(f: (e: (typeof h.events)[number]) => T) => part.map(f);
    await tx.query(
      `INSERT INTO stock_event (parcel_code, kind, event_date, doc_no, actor_name, county_code, category_before, status_before, category_after, status_after, area_m2, details)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::jsonb[])`,
      [c((e) => e.parcelCode), c((e) => e.kind), c((e) => e.eventDate), c((e) => e.docNo), c((e) => e.actorName), c((e) => e.countyCode), c((e) => e.categoryBefore),
        c((e) => e.statusBefore), c((e) => e.categoryAfter), c((e) => e.statusAfter), c((e) => e.areaM2), c((e) => JSON.stringify(e.details))],
    );
  }
  const changed = [...h.finalState];
  if (changed.length) {
    await tx.query(
      `UPDATE stock_parcel s SET category = v.category, status = v.status
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(code, category, status) WHERE s.code = v.code`,
      [changed.map(([code]) => code), changed.map(([, s]) => s.category), changed.map(([, s]) => s.status)],
    );
  }

  for (const c of h.companies) {
    await tx.query(
      `INSERT INTO app_user (username, display_name, role, password_hash, disabled)
       SELECT $1, $2, 'enterprise', '!', true WHERE NOT EXISTS (SELECT 1 FROM app_user WHERE lower(username) = lower($1))`,
      [c.username, `${c.name}（演示数据）`],
    );
  }
  const ids = new Map((await tx.query<{ id: number; username: string }>(`SELECT id, username FROM app_user WHERE username LIKE 'demo-enterprise-%'`)).map((u) => [u.username, Number(u.id)]));
  for (const r of h.requests) {
    await tx.query(
      `INSERT INTO land_request (id, owner_id, company, planned_use, area_min_mu, area_max_mu, county_code, plot_ratio_min, plot_ratio_max, budget_wan, needed_by,
                                 contact_name, contact_phone, note, status, seen_at, created_at, closed_at, closed_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18)`,
      [r.id, ids.get(r.owner), r.company, r.use, r.areaMinMu, r.areaMaxMu, r.countyCode, r.plotRatioMin, r.plotRatioMax, r.budgetWan, r.neededBy,
        r.contactName, r.contactPhone, r.note, r.status, r.createdAt, r.closedAt, r.closedReason],
    );
  }
  if (h.requests.length) await tx.query(`SELECT setval(pg_get_serial_sequence('land_request', 'id'), $1)`, [h.requests.length]);
  for (const p of h.proposals) {
    await tx.query(
      `INSERT INTO land_request_proposal (request_id, parcel_code, proposer_name, note, created_at, decision, decided_at, decline_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [p.requestId, p.parcelCode, p.proposerName, p.note, p.createdAt, p.decision, p.decidedAt, p.declineReason],
    );
  }
  return { events: h.events.length, requests: h.requests.length };
}

export async function markSeededRequestsSeen(db: Database, seed: number): Promise<void> {
  const rng = new Rng(seed).fork(SEEN_STREAM);
  const catalogue = new StockCatalogue(db);
  const open = await db.query<{
    id: number; planned_use: string; area_min_mu: number; area_max_mu: number; county_code: string | null; plot_ratio_min: number | null; plot_ratio_max: number | null; budget_wan: number | null;
  }>(`SELECT id, planned_use, area_min_mu, area_max_mu, county_code, plot_ratio_min, plot_ratio_max, budget_wan FROM land_request WHERE status = 'open' ORDER BY id`);
  for (const r of open) {
    const { candidates } = await catalogue.matchRequest(
      {
        use: r.planned_use as Parameters<StockCatalogue['matchRequest']>[0]['use'],
        areaMinMu: Number(r.area_min_mu),
        areaMaxMu: Number(r.area_max_mu),
        county: r.county_code,
        plotRatioMin: r.plot_ratio_min === null ? null : Number(r.plot_ratio_min),
        plotRatioMax: r.plot_ratio_max === null ? null : Number(r.plot_ratio_max),
        budgetWan: r.budget_wan === null ? null : Number(r.budget_wan),
      },
      10,
    );
    const codes = candidates.flatMap((c) => c.parcels.map((p) => p.code));
    // one in three has a match it has not seen yet
    const unseen = codes.length && rng.chance(1 / 3) ? new Set(candidates[rng.int(0, candidates.length - 1)]!.parcels.map((p) => p.code)) : new Set<string>();
    await db.query('UPDATE land_request SET seen_codes = $2::text[] WHERE id = $1', [r.id, codes.filter((c) => !unseen.has(c))]);
  }
}
