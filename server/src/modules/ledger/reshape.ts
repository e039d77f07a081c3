/**
 * Splits and merges of stock parcels (分割、合并; docs/domain.md, "The stock-land ledger"): the
 * geometry edits of the ledger. A split retires one 可供应 parcel and enters its pieces; a merge
 * retires adjacent 可供应 parcels of one county, category and planned use and enters their union.
 * The new parcels take the old ones' attributes, start 可供应 in the same category and enter the
 * ledger on the event's date. Every parcel touched gets an event (the retired ones 可供应 →
 * 已注销, the new ones from nothing → 可供应), in one transaction with the parcels' rows.
 *
 * A split's pieces are checked before anything is written, in both languages: each is a valid
 * polygon (core/geometry-validation.ts, then the database's own check, before any overlay — the
 * embedded database answers a failed overlay with no row), lies within the parcel, overlaps no
 * other piece, and together they cover the parcel — within SPLIT_TOLERANCE (the larger of 1 m²
 * and 0.1 % of the area concerned), so that a boundary redrawn on another tool's vertices is
 * accepted and a forgotten corner is not. A merge's parcels must form one polygon (touch or
 * overlap). The derived tables follow for the parcels' extent after the commit
 * (followStockReshape).
 */
import type { Geometry } from 'geojson';
import { childState, stockTransition } from '../../../../core/ledger.ts';
import { validateSiteGeometry } from '../../../../core/geometry-validation.ts';
import type { StockEvent, StockMergeRequest, StockSplitRequest } from '../../../../core/contracts/ledger.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import type { Bbox } from '../stock/derived.ts';
import { checkEventDate, insertEvent, lockParcels, refusal, type Actor, type LockedParcel } from './service.ts';

/** What a split's pieces may be off by: the larger of 1 m² and 0.1 % of the area concerned. */
export const SPLIT_TOLERANCE = { m2: 1, share: 0.001 } as const;
const tolerance = (areaM2: number) => Math.max(SPLIT_TOLERANCE.m2, SPLIT_TOLERANCE.share * areaM2);

const geometryRefused = (zh: string, en: string) => new AppError(422, 'STOCK_RESHAPE_GEOMETRY', zh, en);
const m2 = (x: number) => x.toFixed(1);

export interface ReshapeResult {
  children: string[];
  events: StockEvent[];
  bbox: Bbox;
}

async function extent(tx: Queryable, ids: number[]): Promise<Bbox> {
  const [b] = await tx.query<{ x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
       FROM (SELECT ST_Extent(geom)::geometry AS e FROM stock_parcel WHERE id = ANY($1::int[])) t`,
    [ids],
  );
  return [Number(b!.x0), Number(b!.y0), Number(b!.x1), Number(b!.y1)];
}

/** Refuses a code another parcel holds (409), or one given twice. */
async function checkNewCodes(tx: Queryable, codes: string[]): Promise<void> {
  const twice = codes.find((c, i) => codes.indexOf(c) !== i);
  if (twice) throw new AppError(422, 'STOCK_RESHAPE_CODE', `新地块编号“${twice}”重复`, `The new parcel code "${twice}" is given twice`);
  const taken = await tx.query<{ code: string }>('SELECT code FROM stock_parcel WHERE code = ANY($1::text[]) ORDER BY code', [codes]);
  if (taken.length) {
    const list = taken.map((t) => t.code).join('、');
    throw new AppError(409, 'STOCK_PARCEL_CODE_TAKEN', `地块编号已被占用：${list}`, `A parcel already has the code: ${taken.map((t) => t.code).join(', ')}`);
  }
}

/** Inserts a new parcel with `from`'s attributes (overridden by `set`) and `geojson`; answers it locked. */
async function insertChild(
  tx: Queryable,
  from: LockedParcel,
  code: string,
  name: string | null,
  geojson: string,
  recordedOn: string,
  set: { refPrice?: number | null } = {},
): Promise<LockedParcel> {
  const [row] = await tx.query<LockedParcel>(
    `INSERT INTO stock_parcel (code, county_code, name, category, four_un_stage, planned_use, area_m2, plot_ratio_min, plot_ratio_max,
                               approval_no, approval_date, status, ref_price, zone_name, contact_dept, recorded_on, geom)
     SELECT $2, p.county_code, COALESCE($3, p.name), p.category, p.four_un_stage, p.planned_use, ST_Area(g.geom::geography),
            p.plot_ratio_min, p.plot_ratio_max, p.approval_no, p.approval_date, '可供应',
            CASE WHEN $6::boolean THEN $7::float8 ELSE p.ref_price END, p.zone_name, p.contact_dept, $5::date, g.geom
       FROM stock_parcel p, (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4490)) AS geom) g
      WHERE p.id = $1
     RETURNING id, code, county_code, category, status, area_m2`,
    [from.id, code, name, geojson, recordedOn, 'refPrice' in set, set.refPrice ?? null],
  );
  return { ...row!, id: Number(row!.id), area_m2: Number(row!.area_m2) };
}

/** Checks a split's pieces against their parcel (422 naming the piece and the problem). */
async function checkPieces(tx: Queryable, parent: LockedParcel, pieces: string[]): Promise<void> {
  const rows = await tx.query<{ ord: number; valid: boolean; reason: string; area: number; outside: number | null }>(
    `WITH kids AS (
       SELECT ord::int AS ord, ST_SetSRID(ST_GeomFromGeoJSON(g), 4490) AS geom FROM unnest($2::text[]) WITH ORDINALITY AS t(g, ord)
     )
     SELECT k.ord, ST_IsValid(k.geom) AS valid, ST_IsValidReason(k.geom) AS reason, ST_Area(k.geom::geography) AS area,
            CASE WHEN ST_IsValid(k.geom) THEN ST_Area(ST_Difference(k.geom, p.geom)::geography) END AS outside
       FROM kids k, stock_parcel p WHERE p.id = $1 ORDER BY k.ord`,
    [parent.id, pieces],
  );
  if (rows.length !== pieces.length) throw geometryRefused('新地块的范围无法处理，请检查坐标', 'The new parcels’ geometry could not be processed; check its coordinates');
  for (const r of rows) {
    if (!r.valid) throw geometryRefused(`第 ${r.ord} 宗新地块的范围无效：${r.reason}`, `New parcel ${r.ord}: the geometry is not valid (${r.reason})`);
    const outside = Number(r.outside);
    if (r.outside === null || !Number.isFinite(outside)) throw geometryRefused('新地块的范围无法处理，请检查坐标', 'The new parcels’ geometry could not be processed; check its coordinates');
    if (outside > tolerance(Number(r.area))) {
      throw geometryRefused(
        `第 ${r.ord} 宗新地块有 ${m2(outside)} 平方米超出原地块 ${parent.code}`,
        `New parcel ${r.ord} reaches ${m2(outside)} m² beyond parcel ${parent.code}`,
      );
    }
  }
  const overlaps = await tx.query<{ a: number; b: number; area: number }>(
    `WITH kids AS (
       SELECT ord::int AS ord, ST_SetSRID(ST_GeomFromGeoJSON(g), 4490) AS geom FROM unnest($1::text[]) WITH ORDINALITY AS t(g, ord)
     )
     SELECT a.ord AS a, b.ord AS b, ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area
       FROM kids a JOIN kids b ON a.ord < b.ord AND ST_Intersects(a.geom, b.geom)
      ORDER BY area DESC`,
    [pieces],
  );
  const worst = overlaps[0];
  if (worst && Number(worst.area) > SPLIT_TOLERANCE.m2) {
    throw geometryRefused(`第 ${worst.a} 宗与第 ${worst.b} 宗新地块重叠 ${m2(Number(worst.area))} 平方米`, `New parcels ${worst.a} and ${worst.b} overlap by ${m2(Number(worst.area))} m²`);
  }
  const [cover] = await tx.query<{ uncovered: number | null }>(
    `WITH kids AS (SELECT ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(g), 4490)) AS geom FROM unnest($2::text[]) AS t(g))
     SELECT ST_Area(ST_Difference(p.geom, k.geom)::geography) AS uncovered FROM stock_parcel p, kids k WHERE p.id = $1`,
    [parent.id, pieces],
  );
  if (!cover || cover.uncovered === null) throw geometryRefused('新地块的范围无法处理，请检查坐标', 'The new parcels’ geometry could not be processed; check its coordinates');
  const uncovered = Number(cover.uncovered);
  if (uncovered > tolerance(parent.area_m2)) {
    throw geometryRefused(
      `新地块未覆盖原地块 ${parent.code}：有 ${m2(uncovered)} 平方米不在任何新地块内`,
      `The new parcels do not cover parcel ${parent.code}: ${m2(uncovered)} m² lie in none of them`,
    );
  }
}

/**
 * The pieces of a parcel cut along a line (west to east, then south to north, by a point inside
 * each); 422 when the line does not cross it.
 */
async function cutAlong(tx: Queryable, parent: LockedParcel, line: NonNullable<StockSplitRequest['line']>): Promise<string[]> {
  const rows = await tx.query<{ geojson: string }>(
    `WITH cut AS (
       SELECT (ST_Dump(ST_Split(ST_Multi(p.geom), ST_SetSRID(ST_GeomFromGeoJSON($2), 4490)))).geom AS g
         FROM stock_parcel p WHERE p.id = $1
     )
     SELECT ST_AsGeoJSON(g, 15) AS geojson FROM cut
      WHERE ST_GeometryType(g) = 'ST_Polygon' AND ST_Area(g::geography) > $3
      ORDER BY ST_X(ST_PointOnSurface(g)), ST_Y(ST_PointOnSurface(g))`,
    [parent.id, JSON.stringify(line), SPLIT_TOLERANCE.m2],
  );
  if (rows.length < 2) {
    throw geometryRefused(`分割线没有把地块 ${parent.code} 分成两块以上：须从地块一侧画到另一侧`, `The line does not cut parcel ${parent.code} in two or more: draw it from one side of the parcel to the other`);
  }
  if (rows.length > 50) throw geometryRefused('分割最多 50 宗新地块', 'A split makes at most 50 new parcels');
  return rows.map((r) => r.geojson);
}

/** Splits the parcel `code` into `req.children`, or along `req.line`. */
export async function splitParcel(db: Database, code: string, req: StockSplitRequest, actor: Actor): Promise<ReshapeResult> {
  // the geometry's own problems first, in words a planner can act on, before the database sees it
  (req.children ?? []).forEach((c, i) => {
    const v = validateSiteGeometry(c.geometry as Extract<Geometry, { type: 'Polygon' | 'MultiPolygon' }>);
    if (!v.valid) throw geometryRefused(`第 ${i + 1} 宗新地块的范围无效：${v.problems[0]!.zh}`, `New parcel ${i + 1}: the geometry is not valid (${v.problems[0]!.en})`);
  });
  return db.transaction(async (tx) => {
    const [parent] = await lockParcels(tx, [code]);
    await checkEventDate(tx, parent!, req.eventDate);
    const t = stockTransition(parent!, { kind: 'split' });
    if (!t.ok) throw refusal(parent!.code, t.zh, t.en);
    const pieces = req.children ? req.children.map((c) => JSON.stringify(c.geometry)) : await cutAlong(tx, parent!, req.line!);
    const children = req.children ?? pieces.map(() => ({ code: undefined, name: undefined }));
    const codes = children.map((c, i) => c.code ?? `${parent!.code}-${i + 1}`);
    await checkNewCodes(tx, codes);
    await checkPieces(tx, parent!, pieces);
    const bbox = await extent(tx, [parent!.id]);
    const details = (extra: Record<string, unknown>) => (req.note ? { ...extra, note: req.note } : extra);
    const events = [
      await insertEvent(tx, { parcel: parent!, kind: 'split', eventDate: req.eventDate, docNo: req.docNo, before: parent!, after: t.after, details: details({ children: codes }) }, actor),
    ];
    await tx.query('UPDATE stock_parcel SET status = $2 WHERE id = $1', [parent!.id, t.after.status]);
    const start = childState([parent!]);
    for (const [i, c] of children.entries()) {
      const child = await insertChild(tx, parent!, codes[i]!, c.name ?? null, pieces[i]!, req.eventDate);
      events.push(await insertEvent(tx, { parcel: child, kind: 'split', eventDate: req.eventDate, docNo: req.docNo, before: null, after: start, details: details({ parent: parent!.code }) }, actor));
    }
    return { children: codes, events, bbox };
  });
}

/** Merges the parcels `req.parents` into one. */
export async function mergeParcels(db: Database, req: StockMergeRequest, actor: Actor): Promise<ReshapeResult> {
  return db.transaction(async (tx) => {
    const locked = await lockParcels(tx, req.parents);
    for (const p of locked) {
      await checkEventDate(tx, p, req.eventDate);
      const t = stockTransition(p, { kind: 'merge' });
      if (!t.ok) throw refusal(p.code, t.zh, t.en);
    }
    const [first] = locked;
    const [attrs] = await tx.query<{ counties: number; categories: number; uses: number; use_list: string }>(
      `SELECT count(DISTINCT county_code)::int AS counties, count(DISTINCT category)::int AS categories, count(DISTINCT planned_use)::int AS uses,
              string_agg(DISTINCT planned_use, '、') AS use_list
         FROM stock_parcel WHERE id = ANY($1::int[])`,
      [locked.map((p) => p.id)],
    );
    if (attrs!.counties > 1) throw new AppError(409, 'STOCK_MERGE_REFUSED', '不同县区的地块不能合并', 'Parcels of different counties cannot be merged');
    if (attrs!.categories > 1) throw new AppError(409, 'STOCK_MERGE_REFUSED', '不同类别的存量地块不能合并', 'Parcels of different categories cannot be merged');
    if (attrs!.uses > 1) throw new AppError(409, 'STOCK_MERGE_REFUSED', `规划用途不同的地块不能合并（${attrs!.use_list}）`, 'Parcels of different planned uses cannot be merged');
    const [u] = await tx.query<{ parts: number | null; geojson: string | null; price: number | null }>(
      `SELECT ST_NumGeometries(g) AS parts, ST_AsGeoJSON(g, 15) AS geojson, price
         FROM (SELECT ST_Multi(ST_UnaryUnion(ST_Collect(geom))) AS g,
                      CASE WHEN bool_and(ref_price IS NOT NULL) THEN sum(ref_price * area_m2) / sum(area_m2) END AS price
                 FROM stock_parcel WHERE id = ANY($1::int[])) t`,
      [locked.map((p) => p.id)],
    );
    if (!u || u.parts === null || !u.geojson) throw geometryRefused('地块范围无法合并，请检查其几何', 'The parcels’ geometry could not be merged');
    if (Number(u.parts) > 1) {
      throw geometryRefused(`所选地块互不相连（合并后为 ${u.parts} 块），只能合并相邻的地块`, `The parcels do not touch (their union has ${u.parts} parts): only adjacent parcels can be merged`);
    }
    const code = req.code ?? `${first!.code}-H`;
    await checkNewCodes(tx, [code]);
    const bbox = await extent(tx, locked.map((p) => p.id));
    const details = (extra: Record<string, unknown>) => (req.note ? { ...extra, note: req.note } : extra);
    const events: StockEvent[] = [];
    for (const p of locked) {
      const t = stockTransition(p, { kind: 'merge' });
      if (!t.ok) throw refusal(p.code, t.zh, t.en);
      events.push(await insertEvent(tx, { parcel: p, kind: 'merge', eventDate: req.eventDate, docNo: req.docNo, before: p, after: t.after, details: details({ into: code }) }, actor));
      await tx.query('UPDATE stock_parcel SET status = $2 WHERE id = $1', [p.id, t.after.status]);
    }
    const child = await insertChild(tx, first!, code, req.name ?? null, u.geojson, req.eventDate, { refPrice: u.price === null ? null : Number(u.price) });
    events.push(
      await insertEvent(tx, { parcel: child, kind: 'merge', eventDate: req.eventDate, docNo: req.docNo, before: null, after: childState(locked), details: details({ parents: req.parents }) }, actor),
    );
    return { children: [code], events, bbox };
  });
}
