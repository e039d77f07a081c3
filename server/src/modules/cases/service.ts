/**
 * The case rules: the case page, decisions (transition rules from core/case-status.ts,
 * optimistic concurrency on the case version, the append-only history), and the county view
 * with the yearly 20-亩 threshold.
 */
import { CASE_STATUS_EN } from '../../../../core/vocabulary.ts';
import { PROVINCE, totalDivision } from '../../../../core/divisions.ts';
import { describeScope } from '../auth/scope.ts';
import { beijingToday, beijingYear } from '../../../../core/beijing-time.ts';
import {
  allowedTransitions,
  checkDecision,
  CLOSE_TO_LIMIT_MU,
  ILLEGAL_FARMLAND_LIMIT_MU,
  QUOTA_PENALTY_MU,
  type CaseStatus,
} from '../../../../core/case-status.ts';
import type { CaseDecisionRequest, CaseDetail, CaseRectificationRequest, CaseStatsResponse, CountyCaseStats } from '../../../../core/contracts/cases.ts';
import { getLayer } from '../../../../core/layers.ts';
import { countyJudgement, ILLEGAL_OCCUPATION_RULE, RECTIFIABLE_STATUS, rectifiedInTime, rectifyBy } from '../../../../core/rectification.ts';
import { roundTo, toAreaUnits } from '../../../../core/units.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';
import { ensureCaseOverlaps } from './overlaps.ts';
import { readDataVersions } from '../data-version/service.ts';
import { caseById, caseYears, statsRows, toSummary, townshipStatsRows, unrectifiedRows, type CaseDetailRow, type RectificationRow, type StatsRow, type TownshipStatsRow, type UnrectifiedRow } from './repo.ts';

const DECIDE_SQL = sqlFile(new URL('./sql/decide.sql', import.meta.url));
const RECTIFY_SQL = sqlFile(new URL('./sql/rectify.sql', import.meta.url));

const notFound = (id: number) => new AppError(404, 'CASE_NOT_FOUND', `没有 ID 为 ${id} 的违法占地图斑`, `No encroachment case ${id}`);

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** A case's rectification as it stands, against the rule's 31 December of its detection year. */
function rectificationOf(row: CaseDetailRow, entries: RectificationRow[], today: string): CaseDetail['rectification'] {
  if (row.status !== RECTIFIABLE_STATUS && entries.length === 0) return null;
  const dueBy = rectifyBy(Number(row.detected_on.slice(0, 4)));
  const doneOn = row.rectified_on;
  return {
    status: doneOn ? '已整改' : '未整改',
    deadline: row.rectify_deadline,
    doneOn,
    note: row.rectify_note,
    docNo: row.rectify_doc_no,
    updatedBy: row.rectify_by,
    updatedAt: iso(row.rectify_at),
    dueBy,
    inTime: rectifiedInTime(Number(dueBy.slice(0, 4)), doneOn),
    overdue: !doneOn && (row.rectify_deadline ?? dueBy) < today,
  };
}

/**
 * The case page: the case, every feature it overlaps, its decisions and what may come next.
 * Read from `reader` (a request's, which may be the replica), unless the overlaps were computed
 * on `db` just now: then from `db`, which has them.
 */
export async function readCase(db: Database, id: number, reader: Queryable = db): Promise<CaseDetail> {
  const q = (await ensureCaseOverlaps(db)).cases ? db : reader;
  const found = await caseById(q, id);
  if (!found) throw notFound(id);
  const { row, overlaps, history, rectifications, basis } = found;
  const summary = toSummary(row);
  const area = summary.area.m2;
  return {
    ...summary,
    geometry: JSON.parse(row.geometry) as CaseDetail['geometry'],
    comment: row.decision_comment,
    overlapFeatures: overlaps.map((o) => {
      const layer = getLayer(o.layer as Parameters<typeof getLayer>[0])!;
      const m2 = Number(o.overlap_m2);
      return {
        layerId: o.layer as CaseDetail['overlapFeatures'][number]['layerId'],
        layerNameZh: layer.nameZh,
        layerNameEn: layer.nameEn,
        featureId: Number(o.feature_id),
        featureCode: o.feature_code,
        label: o.label,
        labelWord: o.label_word,
        labelName: o.label_name,
        overlapArea: toAreaUnits(m2),
        shareOfCase: area > 0 ? Math.min(1, m2 / area) : 0,
      };
    }),
    overlapsAsOf: basis.map((b) => {
      const layer = getLayer(b.layer)!;
      return {
        layerId: b.layer as CaseDetail['overlapsAsOf'][number]['layerId'],
        layerNameZh: layer.nameZh,
        layerNameEn: layer.nameEn,
        versionNo: b.version_no === null ? null : Number(b.version_no),
        at: iso(b.computed_at)!,
      };
    }),
    history: history.map((h) => ({
      id: Number(h.id),
      at: iso(h.at)!,
      actor: h.actor,
      fromStatus: h.from_status as CaseStatus,
      toStatus: h.to_status as CaseStatus,
      approvalNo: h.approval_no,
      comment: h.comment,
      version: Number(h.case_version),
      changes: typeof h.changes === 'string' ? JSON.parse(h.changes) : h.changes,
    })),
    rectification: rectificationOf(row, rectifications, beijingToday()),
    rectificationHistory: rectifications.map((r) => ({
      id: Number(r.id),
      at: iso(r.at)!,
      actor: r.actor,
      status: r.rectified ? '已整改' : '未整改',
      deadline: r.deadline,
      doneOn: r.rectified_on,
      docNo: r.doc_no,
      note: r.note,
      changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes,
    })),
    mayRectify: summary.status === RECTIFIABLE_STATUS,
    allowedTransitions: allowedTransitions(summary.status),
    createdAt: iso(row.created_at)!,
    importId: row.import_id,
  };
}

/**
 * Records a decision. In one transaction: the case is locked, its version compared with the
 * one the auditor loaded (409 when it moved on), the transition checked (422 naming the
 * field), then the case updated and its history row written by one statement.
 */
export async function decideCase(db: Database, id: number, req: CaseDecisionRequest): Promise<void> {
  await db.transaction(async (tx) => {
    const [cur] = await tx.query<{ status: CaseStatus; version: number; approval_no: string | null; decision_comment: string | null; code: string }>(
      'SELECT code, status, version, approval_no, decision_comment FROM encroachment WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!cur) throw notFound(id);
    if (Number(cur.version) !== req.version) {
      throw new AppError(
        409,
        'VERSION_CONFLICT',
        `图斑 ${cur.code} 在您打开之后已被他人修改（您看到的是第 ${req.version} 版，现在是第 ${cur.version} 版）：请重新加载，看过最新情况后再作核查结论`,
        `Someone changed case ${cur.code} after you opened it (you saw version ${req.version}; it is now version ${cur.version}): reload it, look at what changed, and decide again`,
      );
    }
    const approvalNo = req.approvalNo?.trim() || null;
    const comment = req.comment?.trim() || null;
    const verdict = checkDecision({ from: cur.status, to: req.status, approvalNo, comment });
    if (!verdict.ok) throw new AppError(422, verdict.code, verdict.zh, verdict.en);
    const changes: Record<string, { from: string | null; to: string | null }> = {};
    if (cur.status !== req.status) changes.status = { from: cur.status, to: req.status };
    if (cur.approval_no !== approvalNo) changes.approvalNo = { from: cur.approval_no, to: approvalNo };
    if (comment !== null && cur.decision_comment !== comment) changes.comment = { from: cur.decision_comment, to: comment };
    if (Object.keys(changes).length === 0) {
      throw new AppError(
        422,
        'NO_CHANGE',
        '核查结论、批准文号和核查意见都与现状相同，没有需要记录的变化',
        'Nothing changes: the conclusion, the approval number and the comment are as they are',
      );
    }
    const written = await tx.query(DECIDE_SQL, [id, req.version, req.status, approvalNo, comment, (req.actor ?? '').trim(), cur.status, JSON.stringify(changes)]);
    if (written.length !== 1) throw new Error(`图斑 ${cur.code} 的核查结论未能写入`);
  });
}

/** Who records a rectification: the signed-in user. */
export interface RectifyActor {
  id: number | null;
  name: string;
}

/**
 * Records a rectification entry (core/rectification.ts). In one transaction: the case is locked;
 * a case not confirmed illegal is refused with 409 naming its status; a deadline before the
 * detection date, or a completion date before it or after today (Beijing), with 422; an entry
 * that changes nothing with 422; then the case's state and its history row are written by one
 * statement, and `alsoInTransaction` (the audit row) runs in the same transaction.
 */
export async function rectifyCase(
  db: Database,
  id: number,
  req: CaseRectificationRequest,
  actor: RectifyActor,
  alsoInTransaction: (tx: Queryable) => Promise<void> = async () => undefined,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [cur] = await tx.query<{ code: string; status: CaseStatus; detected_on: string; deadline: string | null; rectified_on: string | null }>(
      `SELECT code, status, detected_on::text AS detected_on, rectify_deadline::text AS deadline, rectified_on::text AS rectified_on
         FROM encroachment WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!cur) throw notFound(id);
    if (cur.status !== RECTIFIABLE_STATUS) {
      throw new AppError(
        409,
        'CASE_NOT_ILLEGAL',
        `图斑 ${cur.code} 的核查状态为“${cur.status}”：只有认定违法占用的图斑才登记整改`,
        `Case ${cur.code} is ${CASE_STATUS_EN[cur.status]}: only a case confirmed illegal is rectified`,
      );
    }
    const deadline = req.deadline === undefined ? cur.deadline : req.deadline;
    if (req.deadline && req.deadline < cur.detected_on) {
      throw new AppError(
        422,
        'RECTIFY_DEADLINE',
        `图斑 ${cur.code}：整改期限 ${req.deadline} 早于发现日期 ${cur.detected_on}`,
        `Case ${cur.code}: the deadline ${req.deadline} is before the detection date ${cur.detected_on}`,
      );
    }
    const doneOn = req.done === undefined ? cur.rectified_on : req.done ? req.doneOn! : null;
    if (req.done) {
      const today = beijingToday();
      if (doneOn! < cur.detected_on) {
        throw new AppError(
          422,
          'RECTIFY_DATE',
          `图斑 ${cur.code}：整改完成日期 ${doneOn} 早于发现日期 ${cur.detected_on}`,
          `Case ${cur.code}: the completion date ${doneOn} is before the detection date ${cur.detected_on}`,
        );
      }
      if (doneOn! > today) {
        throw new AppError(
          422,
          'RECTIFY_DATE',
          `图斑 ${cur.code}：整改完成日期 ${doneOn} 晚于今天（${today}）`,
          `Case ${cur.code}: the completion date ${doneOn} is after today (${today})`,
        );
      }
    }
    const word = (d: string | null) => (d ? '已整改' : '未整改');
    const changes: Record<string, { from: string | null; to: string | null }> = {};
    if (deadline !== cur.deadline) changes.deadline = { from: cur.deadline, to: deadline };
    if (word(doneOn) !== word(cur.rectified_on)) changes.status = { from: word(cur.rectified_on), to: word(doneOn) };
    if (doneOn !== cur.rectified_on) changes.doneOn = { from: cur.rectified_on, to: doneOn };
    if (Object.keys(changes).length === 0) {
      throw new AppError(
        422,
        'NO_CHANGE',
        `图斑 ${cur.code} 的整改期限和整改情况都与现状相同，没有需要记录的变化`,
        `Nothing changes for case ${cur.code}: the deadline and the rectification are as they are`,
      );
    }
    const written = await tx.query(RECTIFY_SQL, [id, deadline, doneOn, req.docNo?.trim() || null, req.note.trim(), actor.name.trim(), actor.id, JSON.stringify(changes)]);
    if (written.length !== 1) throw new Error(`图斑 ${cur.code} 的整改记录未能写入`);
    await alsoInTransaction(tx);
  });
}

/** The current year in Beijing time. */
export { beijingYear };

type CountyFigures = Omit<CountyCaseStats, 'standing' | 'breaches' | 'warnings' | 'quotaPenaltyMu' | 'headroomMu' | 'topTownships' | 'unrectifiedCases' | 'earliestDeadline'>;

function countyFigures(r: StatsRow): CountyFigures {
  return {
    countyCode: r.county_code,
    countyName: r.county_name,
    countyNameEn: r.county_name_en,
    cases: Number(r.cases),
    pending: Number(r.pending),
    fieldCheck: Number(r.field_check),
    illegal: Number(r.illegal),
    illegalFarmland: toAreaUnits(Number(r.farmland_m2)),
    illegalPermanentFarmland: toAreaUnits(Number(r.permanent_m2)),
    illegalEcoRedline: toAreaUnits(Number(r.redline_m2)),
    illegalOnFarmland: Number(r.on_farmland),
    unrectified: Number(r.unrectified),
    unrectifiedFarmland: toAreaUnits(Number(r.unrectified_m2)),
    rectifiedLate: Number(r.rectified_late),
    overdue: Number(r.overdue),
  };
}

/**
 * The county view's rows already worked out, per database, by year, day, scope and data version:
 * every input — the cases, their decisions and rectifications (each updates the case's row), their
 * overlaps, the townships and counties — moves the data version, and the day moves the deadlines,
 * so the rows stand until one of them moves (on any instance: the version is the database's). The
 * township of each case's largest part is the costly part at a province's size (a spatial join of
 * the year's cases with every township they meet). A few are kept.
 */
const statsComputed = new WeakMap<Queryable, Map<string, StatsRowsOf>>();
type StatsRowsOf = { rows: StatsRow[]; towns: TownshipStatsRow[]; open: UnrectifiedRow[] };
const STATS_KEPT = 32;

async function statsOf(db: Database, q: Queryable, year: number, today: string, scope: string): Promise<StatsRowsOf> {
  // kept per app database, read from `q` (the primary or a replica: at the same data version they hold the same rows)
  const dataVersion = (await readDataVersions(q)).overall;
  const cache = statsComputed.get(db) ?? new Map<string, StatsRowsOf>();
  statsComputed.set(db, cache);
  const key = `${year}/${today}/${scope}@${dataVersion}`;
  let hit = cache.get(key);
  if (!hit) {
    // read at the version just read: a change meanwhile moves the version, and the next request reads again
    const [rows, towns, open] = await Promise.all([statsRows(q, year, today, scope), townshipStatsRows(q, year, scope), unrectifiedRows(q, year, scope)]);
    hit = { rows, towns, open };
    cache.set(key, hit);
    for (const k of cache.keys()) if (cache.size > STATS_KEPT || !k.endsWith(`@${dataVersion}`)) cache.delete(k);
  }
  return hit;
}

/**
 * The county view of a year: confirmed illegal occupation per county against the rule's two
 * clauses (core/rectification.ts) — more than 20 亩, or not rectified within the year (a breach
 * once the year is over, a warning while it runs).
 */
export async function caseStats(db: Database, year: number, scope: string = PROVINCE.code, now: Date = new Date(), reader: Queryable = db): Promise<CaseStatsResponse> {
  // read from `reader` unless the overlaps were computed on `db` just now (as readCase)
  const q = (await ensureCaseOverlaps(db)).cases ? db : reader;
  const today = beijingToday(now);
  const yearClosed = year < beijingYear(now);
  const { rows, towns, open } = await statsOf(db, q, year, today, scope);
  const area = await describeScope(q, totalDivision(scope, rows.map((r) => r.county_code)));
  const counties: CountyCaseStats[] = rows.map((r) => {
    const f = countyFigures(r);
    const j = countyJudgement({ illegalFarmlandMu: f.illegalFarmland.mu, unrectified: f.unrectified, yearClosed });
    return {
      ...f,
      earliestDeadline: r.earliest_deadline,
      standing: j.standing,
      breaches: j.breaches,
      warnings: j.warnings,
      quotaPenaltyMu: j.quotaPenaltyMu,
      headroomMu: roundTo(ILLEGAL_FARMLAND_LIMIT_MU - f.illegalFarmland.mu, 4),
      topTownships: towns
        .filter((t) => t.county_code === r.county_code)
        .slice(0, 3)
        .map((t) => ({ code: t.code, name: t.name, illegal: Number(t.illegal), illegalFarmland: toAreaUnits(Number(t.farmland_m2)) })),
      unrectifiedCases: open
        .filter((u) => u.county_code === r.county_code)
        .map((u) => ({ id: Number(u.id), code: u.code, detectedOn: u.detected_on, deadline: u.deadline, doneOn: u.done_on, farmland: toAreaUnits(Number(u.farmland_m2)) })),
    };
  });
  const sum = (k: keyof StatsRow) => rows.reduce((s, r) => s + Number(r[k]), 0);
  return {
    year,
    thresholds: {
      limitMu: ILLEGAL_FARMLAND_LIMIT_MU,
      closeMu: CLOSE_TO_LIMIT_MU,
      penaltyMu: QUOTA_PENALTY_MU,
      ruleZh: ILLEGAL_OCCUPATION_RULE.zh,
      ruleEn: ILLEGAL_OCCUPATION_RULE.en,
      sourceZh: ILLEGAL_OCCUPATION_RULE.sourceZh,
      sourceEn: ILLEGAL_OCCUPATION_RULE.sourceEn,
    },
    rectifyBy: rectifyBy(year),
    yearClosed,
    asOf: today,
    counties,
    total: {
      countyCode: area.code,
      countyName: area.name,
      countyNameEn: area.nameEn,
      cases: sum('cases'),
      pending: sum('pending'),
      fieldCheck: sum('field_check'),
      illegal: sum('illegal'),
      illegalFarmland: toAreaUnits(sum('farmland_m2')),
      illegalPermanentFarmland: toAreaUnits(sum('permanent_m2')),
      illegalEcoRedline: toAreaUnits(sum('redline_m2')),
      illegalOnFarmland: sum('on_farmland'),
      unrectified: sum('unrectified'),
      unrectifiedFarmland: toAreaUnits(sum('unrectified_m2')),
      rectifiedLate: sum('rectified_late'),
      overdue: sum('overdue'),
      countiesOver: counties.filter((c) => c.standing === 'over').length,
      countiesClose: counties.filter((c) => c.standing === 'close').length,
      countiesOverLimit: counties.filter((c) => c.breaches.includes('farmland')).length,
      countiesUnrectified: counties.filter((c) => c.unrectified > 0).length,
      quotaPenaltyMu: counties.reduce((s, c) => s + c.quotaPenaltyMu, 0),
    },
    years: await caseYears(db),
  };
}
