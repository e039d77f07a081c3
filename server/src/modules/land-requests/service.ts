/**
 * Enterprise land requests on the server (企业找地, docs/domain.md "Enterprise land requests").
 *
 * - filing: the need is stored with the codes of its matches at that moment, so the enterprise
 *   sees its matches at once and, later, the ones that are new since it last looked;
 * - matching: the stock catalogue's matcher with the request's area range, county or radius,
 *   plot ratio and budget (StockCatalogue.matchRequest), only ever parcels the public may see;
 * - proposing (staff): a parcel that is 可供应 now; the same parcel once per request while a
 *   proposal of it is undecided;
 * - accepting (the enterprise): in one transaction, the parcel becomes 已意向 by a ledger event
 *   of kind intent (the ledger's own checks: refused with 409 when the parcel is no longer
 *   available), the proposal is accepted, the request's other undecided proposals are declined
 *   for it, and the request is matched; declining needs a reason.
 *
 * An enterprise reaches only its own requests: another's answers 404, as an unknown one.
 */
import { beijingToday } from '../../../../core/beijing-time.ts';
import type { AccountRole } from '../../../../core/access.ts';
import type { LandRequestDetail, LandRequestInput, LandRequestStatus, LandRequestSummary, Proposal, RequestMatch } from '../../../../core/contracts/land-requests.ts';
import { LAND_REQUEST_MATCHES } from '../../../../core/contracts/land-requests.ts';
import type { PlannedUse } from '../../../../core/stock-match.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import type { User } from '../auth/service.ts';
import { recordStockEvent } from '../ledger/service.ts';
import type { StockCatalogue } from '../stock/catalogue.ts';
import { parcelsByCode } from '../stock/repo.ts';

/** Bureau staff: see every request with its contact, propose parcels. */
export const REQUEST_STAFF: readonly AccountRole[] = ['planner', 'auditor', 'admin'];
export const isStaff = (u: Pick<User, 'role'>) => REQUEST_STAFF.includes(u.role);

export interface RequestRow {
  id: number;
  owner_id: number;
  company: string;
  planned_use: PlannedUse;
  area_min_mu: number;
  area_max_mu: number;
  county_code: string | null;
  county_name: string | null;
  county_name_en: string | null;
  near_lon: number | null;
  near_lat: number | null;
  radius_km: number | null;
  plot_ratio_min: number | null;
  plot_ratio_max: number | null;
  budget_wan: number | null;
  needed_by: string | null;
  contact_name: string;
  contact_phone: string;
  note: string | null;
  status: LandRequestStatus;
  seen_codes: string[];
  seen_at: string | Date;
  created_at: string | Date;
  closed_at: string | Date | null;
  closed_reason: string | null;
}

interface ProposalRow {
  id: number;
  request_id: number;
  parcel_code: string;
  proposer_name: string;
  note: string | null;
  created_at: string | Date;
  decision: 'accepted' | 'declined' | null;
  decided_at: string | Date | null;
  decline_reason: string | null;
}

const iso = (t: string | Date) => (t instanceof Date ? t : new Date(t)).toISOString();
const num = (v: number | null) => (v === null ? null : Number(v));

const REQUEST_COLUMNS = `r.*, r.needed_by::text AS needed_by, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en`;
const REQUEST_FROM = 'FROM land_request r LEFT JOIN admin_county c ON c.code = r.county_code';

export const requestNotFound = (id: number) => new AppError(404, 'LAND_REQUEST_NOT_FOUND', `没有编号为 ${id} 的找地需求`, `No land request ${id}`);

const notOpen = (r: RequestRow) => {
  const zh = r.status === 'matched' ? '已对接（已接受一宗地块）' : '已撤回';
  const en = r.status === 'matched' ? 'matched (a parcel was accepted)' : 'withdrawn';
  return new AppError(409, 'LAND_REQUEST_CLOSED', `找地需求 ${r.id} ${zh}，不能再变动`, `Land request ${r.id} is ${en} and cannot change any more`);
};

/** The request, if the caller may see it (staff: any; an enterprise: its own); 404 otherwise. `lock` takes a row lock for the caller's transaction. */
export async function requestFor(q: Queryable, user: User, id: number, lock = false): Promise<RequestRow> {
  const [row] = await q.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} ${REQUEST_FROM} WHERE r.id = $1 ${lock ? 'FOR UPDATE OF r' : ''}`, [id]);
  if (!row || (!isStaff(user) && Number(row.owner_id) !== user.id)) throw requestNotFound(id);
  return row;
}

function needOf(r: RequestRow) {
  return {
    use: r.planned_use,
    areaMinMu: Number(r.area_min_mu),
    areaMaxMu: Number(r.area_max_mu),
    county: r.county_code,
    near: r.near_lon === null || r.near_lat === null ? null : ([Number(r.near_lon), Number(r.near_lat)] as [number, number]),
    radiusKm: num(r.radius_km),
    plotRatioMin: num(r.plot_ratio_min),
    plotRatioMax: num(r.plot_ratio_max),
    budgetWan: num(r.budget_wan),
  };
}

/** The request's matches now (public parcels only), each flagged new when a parcel of it was not among those seen. */
export async function matchesOf(catalogue: StockCatalogue, r: RequestRow): Promise<{ matches: RequestMatch[]; dataVersion: string }> {
  if (r.status !== 'open') return { matches: [], dataVersion: (await catalogue.matchRequest(needOf(r), 1)).dataVersion };
  const { candidates, dataVersion } = await catalogue.matchRequest(needOf(r), LAND_REQUEST_MATCHES);
  const seen = new Set(r.seen_codes);
  return {
    dataVersion,
    matches: candidates.map((c) => ({
      ...c,
      isNew: c.parcels.some((p) => !seen.has(p.code)),
      totalPriceWan: c.parcels.every((p) => p.refPrice !== null) ? c.parcels.reduce((s, p) => s + p.refPrice! * p.area.mu, 0) : null,
    })),
  };
}

const codesOf = (matches: readonly { parcels: readonly { code: string }[] }[]) => [...new Set(matches.flatMap((m) => m.parcels.map((p) => p.code)))];

async function proposalsOf(q: Queryable, ids: readonly number[]): Promise<Map<number, ProposalRow[]>> {
  const out = new Map<number, ProposalRow[]>();
  if (ids.length === 0) return out;
  const rows = await q.query<ProposalRow>('SELECT * FROM land_request_proposal WHERE request_id = ANY($1::int[]) ORDER BY id', [[...ids]]);
  for (const p of rows) {
    const list = out.get(Number(p.request_id)) ?? [];
    list.push(p);
    out.set(Number(p.request_id), list);
  }
  return out;
}

function summaryOf(r: RequestRow, matches: readonly RequestMatch[], proposals: readonly ProposalRow[]): LandRequestSummary {
  const best = matches[0];
  return {
    id: Number(r.id),
    status: r.status,
    createdAt: iso(r.created_at),
    closedAt: r.closed_at === null ? null : iso(r.closed_at),
    closedReason: r.closed_reason,
    need: {
      company: r.company,
      ...needOf(r),
      countyName: r.county_name,
      countyNameEn: r.county_name_en ?? r.county_name,
      neededBy: r.needed_by,
      contactName: r.contact_name,
      contactPhone: r.contact_phone,
      note: r.note,
    },
    matchCount: matches.length,
    newCount: matches.filter((m) => m.isNew).length,
    best: best ? { codes: best.parcels.map((p) => p.code), score: best.score, totalArea: best.totalArea } : null,
    pendingProposals: proposals.filter((p) => p.decision === null).length,
    acceptedParcel: proposals.find((p) => p.decision === 'accepted')?.parcel_code ?? null,
  };
}

/** Files a request; its matches now are what the enterprise has seen. */
export async function fileRequest(db: Database, catalogue: StockCatalogue, user: User, input: LandRequestInput): Promise<number> {
  const { candidates } = await catalogue.matchRequest(
    { use: input.use, areaMinMu: input.areaMinMu, areaMaxMu: input.areaMaxMu, county: input.county, near: input.near, radiusKm: input.radiusKm, plotRatioMin: input.plotRatioMin, plotRatioMax: input.plotRatioMax, budgetWan: input.budgetWan },
    LAND_REQUEST_MATCHES,
  );
  if (input.county) {
    const [c] = await db.query('SELECT 1 FROM admin_county WHERE code = $1', [input.county]);
    if (!c) throw new AppError(400, 'UNKNOWN_COUNTY', `没有代码为 ${input.county} 的县区`, `No county has the code ${input.county}`);
  }
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO land_request (owner_id, company, planned_use, area_min_mu, area_max_mu, county_code, near_lon, near_lat, radius_km,
                               plot_ratio_min, plot_ratio_max, budget_wan, needed_by, contact_name, contact_phone, note, seen_codes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::text[]) RETURNING id`,
    [
      user.id, input.company, input.use, input.areaMinMu, input.areaMaxMu, input.county ?? null, input.near?.[0] ?? null, input.near?.[1] ?? null,
      input.radiusKm ?? null, input.plotRatioMin ?? null, input.plotRatioMax ?? null, input.budgetWan ?? null, input.neededBy ?? null,
      input.contactName, input.contactPhone, input.note ?? null, codesOf(candidates),
    ],
  );
  return Number(row!.id);
}

/** A page of requests: an enterprise's own, or (staff) everyone's; open ones by default. */
export async function listRequests(
  db: Database,
  catalogue: StockCatalogue,
  user: User,
  q: { status: LandRequestStatus | 'all'; page: number; pageSize: number },
): Promise<{ total: number; items: LandRequestSummary[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!isStaff(user)) where.push(`r.owner_id = $${params.push(user.id)}`);
  if (q.status !== 'all') where.push(`r.status = $${params.push(q.status)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM land_request r ${w}`, params);
  const rows = await db.query<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} ${REQUEST_FROM} ${w} ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.pageSize, (q.page - 1) * q.pageSize],
  );
  const proposals = await proposalsOf(db, rows.map((r) => Number(r.id)));
  const items: LandRequestSummary[] = [];
  for (const r of rows) {
    const { matches } = await matchesOf(catalogue, r);
    items.push(summaryOf(r, matches, proposals.get(Number(r.id)) ?? []));
  }
  return { total: Number(n), items };
}

/** One request as its owner or staff see it: the need, the matches (new ones flagged), the proposals. */
export async function requestDetail(db: Database, catalogue: StockCatalogue, user: User, id: number): Promise<LandRequestDetail> {
  const r = await requestFor(db, user, id);
  const [{ matches, dataVersion }, proposals] = await Promise.all([matchesOf(catalogue, r), proposalsOf(db, [Number(r.id)])]);
  const rows = proposals.get(Number(r.id)) ?? [];
  const parcels = await parcelsByCode(db, rows.map((p) => p.parcel_code));
  const staff = isStaff(user);
  const toProposal = (p: ProposalRow): Proposal => {
    const parcel = parcels.get(p.parcel_code);
    return {
      id: Number(p.id),
      parcelCode: p.parcel_code,
      // a parcel retired by a split or merge is served nowhere: the proposal keeps its code only
      parcel: parcel && parcel.status !== '已注销' ? parcel : null,
      note: p.note,
      createdAt: iso(p.created_at),
      proposerName: staff ? p.proposer_name : null,
      decision: p.decision,
      decidedAt: p.decided_at === null ? null : iso(p.decided_at),
      declineReason: p.decline_reason,
    };
  };
  return { ...summaryOf(r, matches, rows), staff, seenAt: iso(r.seen_at), matches, proposals: rows.map(toProposal), dataVersion };
}

/** The enterprise has seen its matches now: the new ones are counted from here. */
export async function markSeen(db: Database, catalogue: StockCatalogue, user: User, id: number): Promise<void> {
  const r = await requestFor(db, user, id);
  if (Number(r.owner_id) !== user.id) throw requestNotFound(id);
  const { matches } = await matchesOf(catalogue, r);
  await db.query('UPDATE land_request SET seen_codes = $2::text[], seen_at = now() WHERE id = $1', [r.id, codesOf(matches)]);
}

/** The enterprise withdraws an open request: undecided proposals are declined with it. */
export async function withdrawRequest(db: Database, user: User, id: number, reason: string | undefined, onCommit: (tx: Queryable) => Promise<void>): Promise<void> {
  await db.transaction(async (tx) => {
    const r = await requestFor(tx, user, id, true);
    if (Number(r.owner_id) !== user.id) throw requestNotFound(id);
    if (r.status !== 'open') throw notOpen(r);
    await tx.query(
      `UPDATE land_request_proposal SET decision = 'declined', decided_at = now(), decline_reason = $2 WHERE request_id = $1 AND decision IS NULL`,
      [r.id, `需求已撤回${reason ? `：${reason}` : ''}`],
    );
    await tx.query(`UPDATE land_request SET status = 'withdrawn', closed_at = now(), closed_reason = $2 WHERE id = $1`, [r.id, reason ?? null]);
    await onCommit(tx);
  });
}

/** Staff propose a parcel that is available now; once per request while undecided. */
export async function propose(db: Database, user: User, id: number, body: { parcelCode: string; note?: string }, onCommit: (tx: Queryable, proposalId: number) => Promise<void>): Promise<number> {
  return db.transaction(async (tx) => {
    const r = await requestFor(tx, user, id, true);
    if (r.status !== 'open') throw notOpen(r);
    const [parcel] = await tx.query<{ code: string; status: string }>('SELECT code, status FROM stock_parcel WHERE code = $1', [body.parcelCode]);
    if (!parcel) throw new AppError(404, 'STOCK_PARCEL_NOT_FOUND', `没有编号为“${body.parcelCode}”的存量地块`, `No stock parcel has the code "${body.parcelCode}"`);
    if (parcel.status !== '可供应') {
      throw new AppError(409, 'PARCEL_NOT_AVAILABLE', `地块 ${parcel.code} 为${parcel.status}，只有可供应的地块可以推荐`, `Parcel ${parcel.code} is not available (${parcel.status}); only available land can be proposed`);
    }
    const [pending] = await tx.query('SELECT 1 FROM land_request_proposal WHERE request_id = $1 AND parcel_code = $2 AND decision IS NULL', [r.id, parcel.code]);
    if (pending) throw new AppError(409, 'ALREADY_PROPOSED', `地块 ${parcel.code} 已推荐给该需求，正等待企业答复`, `Parcel ${parcel.code} has been proposed to this request and awaits the enterprise's answer`);
    const [row] = await tx.query<{ id: number }>('INSERT INTO land_request_proposal (request_id, parcel_code, proposed_by, proposer_name, note) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
      r.id, parcel.code, user.id, user.displayName, body.note ?? null,
    ]);
    await onCommit(tx, Number(row!.id));
    return Number(row!.id);
  });
}

async function undecidedProposal(tx: Queryable, r: RequestRow, proposalId: number): Promise<ProposalRow> {
  const [p] = await tx.query<ProposalRow>('SELECT * FROM land_request_proposal WHERE id = $1 AND request_id = $2 FOR UPDATE', [proposalId, r.id]);
  if (!p) throw new AppError(404, 'PROPOSAL_NOT_FOUND', `找地需求 ${r.id} 没有编号为 ${proposalId} 的推荐`, `Land request ${r.id} has no proposal ${proposalId}`);
  if (p.decision !== null) {
    const was = p.decision === 'accepted' ? { zh: '已接受', en: 'accepted' } : { zh: '已拒绝', en: 'declined' };
    throw new AppError(409, 'PROPOSAL_DECIDED', `推荐 ${proposalId} ${was.zh}，不能再次答复`, `Proposal ${proposalId} was ${was.en} already`);
  }
  return p;
}

/**
 * The enterprise accepts a proposal: the parcel → 已意向 by a ledger event (409 from the ledger
 * when it is no longer available), the proposal accepted, the request's other undecided ones
 * declined for it, the request matched — all or nothing.
 */
export async function accept(db: Database, user: User, id: number, proposalId: number, onCommit: (tx: Queryable, eventId: number) => Promise<void>): Promise<{ parcelCode: string; eventId: number }> {
  return db.transaction(async (tx) => {
    const r = await requestFor(tx, user, id, true);
    if (Number(r.owner_id) !== user.id) throw requestNotFound(id);
    if (r.status !== 'open') throw notOpen(r);
    const p = await undecidedProposal(tx, r, proposalId);
    const event = await recordStockEvent(
      tx,
      { parcelCode: p.parcel_code, kind: 'intent', eventDate: beijingToday(), docNo: `企业找地第 ${r.id} 号`, details: { requestId: Number(r.id), enterprise: r.company } },
      { id: user.id, name: r.company },
    );
    await tx.query(`UPDATE land_request_proposal SET decision = 'accepted', decided_at = now() WHERE id = $1`, [p.id]);
    await tx.query(`UPDATE land_request_proposal SET decision = 'declined', decided_at = now(), decline_reason = $2 WHERE request_id = $1 AND decision IS NULL`, [
      r.id,
      `已接受地块 ${p.parcel_code}`,
    ]);
    await tx.query(`UPDATE land_request SET status = 'matched', closed_at = now() WHERE id = $1`, [r.id]);
    await onCommit(tx, event.id);
    return { parcelCode: p.parcel_code, eventId: event.id };
  });
}

/** The enterprise declines a proposal, with its reason; the request stays open. */
export async function decline(db: Database, user: User, id: number, proposalId: number, reason: string, onCommit: (tx: Queryable) => Promise<void>): Promise<void> {
  await db.transaction(async (tx) => {
    const r = await requestFor(tx, user, id, true);
    if (Number(r.owner_id) !== user.id) throw requestNotFound(id);
    if (r.status !== 'open') throw notOpen(r);
    const p = await undecidedProposal(tx, r, proposalId);
    await tx.query(`UPDATE land_request_proposal SET decision = 'declined', decided_at = now(), decline_reason = $2 WHERE id = $1`, [p.id, reason]);
    await onCommit(tx);
  });
}
