/**
 * The stock-land ledger on the server (docs/domain.md, "The stock-land ledger"): an event is
 * checked against the parcel's state under a row lock (core/ledger.ts), written to stock_event
 * (append-only, migration 0020) and applied to stock_parcel in one transaction — the caller's
 * when it passes one. The parcel's update moves the stock layer's data version (statement
 * trigger), so tiles, search and matching serve the new state on their next request.
 *
 * An event that changes only attributes (status, category) leaves the derived tables
 * (stock_standing, stock_adjacency: geometry only) as they are: their record of the stock
 * layer's version is moved with the event, in its transaction, when it was current before, so
 * the next search does not rebuild them. Splits and merges change geometry: `followStockReshape`
 * brings the derived tables up to date for the parcels touched, after the commit.
 */
import { beijingToday } from '../../../../core/beijing-time.ts';
import { stockTransition, STOCK_EVENT_KIND_LABEL, type StockEventKind } from '../../../../core/ledger.ts';
import type { StockEvent, StockEventInput } from '../../../../core/contracts/ledger.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { refreshStockDerivedWithin, type Bbox } from '../stock/derived.ts';

export interface Actor {
  id: number | null;
  name: string;
}

/** The parcel's state, locked for the caller's transaction. */
export interface LockedParcel {
  id: number;
  code: string;
  county_code: string;
  category: string;
  status: string;
  area_m2: number;
}

interface EventRow {
  id: string | number;
  parcel_code: string;
  kind: StockEventKind;
  event_date: string;
  doc_no: string;
  actor_name: string;
  county_code: string;
  category_before: string | null;
  status_before: string | null;
  category_after: string;
  status_after: string;
  area_m2: number;
  details: Record<string, unknown> | string;
  created_at: Date | string;
}

export const EVENT_COLUMNS = `id, parcel_code, kind, event_date::text AS event_date, doc_no, actor_name, county_code, category_before,
  status_before, category_after, status_after, area_m2, details, created_at`;

export function toStockEvent(r: EventRow): StockEvent {
  return {
    id: Number(r.id),
    parcelCode: r.parcel_code,
    kind: r.kind,
    eventDate: r.event_date,
    docNo: r.doc_no,
    actorName: r.actor_name,
    countyCode: r.county_code,
    categoryBefore: r.category_before,
    statusBefore: r.status_before,
    categoryAfter: r.category_after,
    statusAfter: r.status_after,
    areaM2: Number(r.area_m2),
    details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export const parcelNotFound = (code: string) =>
  new AppError(404, 'STOCK_PARCEL_NOT_FOUND', `没有编号为“${code}”的存量地块`, `No stock parcel has the code "${code}"`);

/** Locks parcels by code (in code order, so two events never wait on each other); 404 for an unknown one. */
export async function lockParcels(tx: Queryable, codes: readonly string[]): Promise<LockedParcel[]> {
  const rows = await tx.query<LockedParcel>(
    `SELECT id, code, county_code, category, status, area_m2 FROM stock_parcel WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE`,
    [[...codes]],
  );
  const byCode = new Map(rows.map((r) => [r.code, { ...r, id: Number(r.id), area_m2: Number(r.area_m2) }]));
  return codes.map((c) => {
    const p = byCode.get(c);
    if (!p) throw parcelNotFound(c);
    return p;
  });
}

/** Refused with 409, the parcel's state and the reason named (core/ledger.ts). */
export function refusal(code: string, zh: string, en: string): AppError {
  return new AppError(409, 'STOCK_TRANSITION_REFUSED', `${code}：${zh}`, `${code}: ${en}`);
}

export interface EventWrite {
  parcel: LockedParcel;
  kind: StockEventKind;
  eventDate: string;
  docNo: string;
  after: { category: string; status: string };
  /** null for a new parcel of a split or merge (it had no state before). */
  before: { category: string; status: string } | null;
  details: Record<string, unknown>;
  areaM2?: number;
}

/** Inserts one event row; answers it. */
export async function insertEvent(tx: Queryable, w: EventWrite, actor: Actor): Promise<StockEvent> {
  const [row] = await tx.query<EventRow>(
    `INSERT INTO stock_event (parcel_code, kind, event_date, doc_no, actor_id, actor_name, county_code, category_before, status_before,
                              category_after, status_after, area_m2, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
     RETURNING ${EVENT_COLUMNS}`,
    [
      w.parcel.code, w.kind, w.eventDate, w.docNo, actor.id, actor.name, w.parcel.county_code,
      w.before?.category ?? null, w.before?.status ?? null, w.after.category, w.after.status, w.areaM2 ?? w.parcel.area_m2, JSON.stringify(w.details),
    ],
  );
  return toStockEvent(row!);
}

/**
 * Moves the derived tables' record of the stock layer's version past this transaction's own
 * change, when they were current before it: an attribute-only change (status, category) does
 * not change them. `before` is the layer's version read before the change.
 */
async function carryDerivedPastAttributeChange(tx: Queryable, before: number): Promise<void> {
  await tx.query(
    `UPDATE stock_derived_state
        SET source_versions = (source_versions::jsonb || jsonb_build_object('stock-parcel', (SELECT version FROM data_version WHERE layer = 'stock-parcel')))::json
      WHERE id = 1 AND (source_versions::jsonb ->> 'stock-parcel')::bigint = $1`,
    [before],
  );
}

async function stockVersion(tx: Queryable): Promise<number> {
  const [r] = await tx.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'stock-parcel'`);
  return Number(r?.version ?? 0);
}

const inTransaction = <T>(q: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> =>
  'transaction' in q && typeof (q as Database).transaction === 'function' ? (q as Database).transaction(fn) : fn(q);

/**
 * An event's date must keep the history in order, since the ledger is read by date (the
 * timeline, a parcel's state on a day): not before the parcel entered the ledger, not before its
 * latest event, not after today (Beijing time). 422 naming the date it must not precede or pass.
 */
export async function checkEventDate(tx: Queryable, parcel: LockedParcel, eventDate: string): Promise<void> {
  const [r] = await tx.query<{ recorded_on: string; latest: string | null }>(
    `SELECT p.recorded_on::text AS recorded_on, (SELECT max(e.event_date)::text FROM stock_event e WHERE e.parcel_code = p.code) AS latest
       FROM stock_parcel p WHERE p.id = $1`,
    [parcel.id],
  );
  const today = beijingToday();
  if (eventDate > today) {
    throw new AppError(422, 'STOCK_EVENT_DATE', `${parcel.code}：变动日期 ${eventDate} 晚于今天（${today}）`, `${parcel.code}: the date ${eventDate} is after today (${today})`);
  }
  if (r && eventDate < r.recorded_on) {
    throw new AppError(422, 'STOCK_EVENT_DATE', `${parcel.code}：变动日期 ${eventDate} 早于入库日期 ${r.recorded_on}`, `${parcel.code}: the date ${eventDate} is before the parcel entered the ledger (${r.recorded_on})`);
  }
  if (r?.latest && eventDate < r.latest) {
    throw new AppError(422, 'STOCK_EVENT_DATE', `${parcel.code}：变动日期 ${eventDate} 早于该地块最近一次变动（${r.latest}），台账须按时间顺序登记`, `${parcel.code}: the date ${eventDate} is before the parcel's latest change (${r.latest}); the ledger is recorded in date order`);
  }
}

/**
 * Records one event on one parcel (supply, dispose, redevelop, intent, intent-withdrawn): locks
 * the parcel, checks the transition (409 STOCK_TRANSITION_REFUSED naming the state and why),
 * writes the event and the parcel's new state. In `q`'s transaction when `q` is one; in a
 * transaction of its own when `q` is the database.
 */
export async function recordStockEvent(q: Queryable, input: StockEventInput, actor: Actor): Promise<StockEvent> {
  return inTransaction(q, async (tx) => {
    const [parcel] = await lockParcels(tx, [input.parcelCode]);
    await checkEventDate(tx, parcel!, input.eventDate);
    const method = input.kind === 'dispose' ? input.details.method : undefined;
    const t = stockTransition({ category: parcel!.category, status: parcel!.status }, { kind: input.kind, method });
    if (!t.ok) throw refusal(parcel!.code, t.zh, t.en);
    const details: Record<string, unknown> = { ...input.details };
    if (input.note) details.note = input.note;
    const event = await insertEvent(
      tx,
      { parcel: parcel!, kind: input.kind, eventDate: input.eventDate, docNo: input.docNo, before: { category: parcel!.category, status: parcel!.status }, after: t.after, details },
      actor,
    );
    if (t.after.category !== parcel!.category || t.after.status !== parcel!.status) {
      const before = await stockVersion(tx);
      await tx.query('UPDATE stock_parcel SET category = $2, status = $3 WHERE id = $1', [parcel!.id, t.after.category, t.after.status]);
      await carryDerivedPastAttributeChange(tx, before);
    }
    return event;
  });
}

/** The timeline of one parcel, oldest first. */
export async function parcelEvents(q: Queryable, code: string): Promise<StockEvent[]> {
  const rows = await q.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM stock_event WHERE parcel_code = $1 ORDER BY event_date, id`, [code]);
  return rows.map(toStockEvent);
}

/**
 * After a split or a merge committed: the derived tables follow for the parcels within `bbox`
 * (the parents' extent, which holds the children), not the whole library.
 */
export async function followStockReshape(db: Database, bbox: Bbox): Promise<void> {
  await refreshStockDerivedWithin(db, 'stock-parcel', bbox);
}

/** A kind in the request's language. */
export const kindLabel = (kind: StockEventKind, lang: 'zh' | 'en') => STOCK_EVENT_KIND_LABEL[kind][lang];
