/**
 * The case rules: the case page, decisions (transition rules from core/case-status.ts,
 * optimistic concurrency on the case version, the append-only history), and the county view
 * with the yearly 20-亩 threshold.
 */
import { CITY_NAME } from '../../../../core/vocabulary.ts';
import { beijingYear } from '../../../../core/beijing-time.ts';
import {
  allowedTransitions,
  checkDecision,
  CLOSE_TO_LIMIT_MU,
  countyStanding,
  ILLEGAL_FARMLAND_LIMIT_MU,
  QUOTA_PENALTY_MU,
  type CaseStatus,
} from '../../../../core/case-status.ts';
import type { CaseDecisionRequest, CaseDetail, CaseStatsResponse, CountyCaseStats } from '../../../../core/contracts/cases.ts';
import { getLayer } from '../../../../core/layers.ts';
import { roundTo, toAreaUnits } from '../../../../core/units.ts';
import type { Database } from '../../db/database.ts';
import { sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';
import { ensureCaseOverlaps } from './overlaps.ts';
import { caseById, caseYears, statsRows, toSummary, townshipStatsRows, type StatsRow } from './repo.ts';

const DECIDE_SQL = sqlFile(new URL('./sql/decide.sql', import.meta.url));

const notFound = (id: number) => new AppError(404, 'CASE_NOT_FOUND', `没有 ID 为 ${id} 的违法占地图斑`, `No encroachment case ${id}`);

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** The case page: the case, every feature it overlaps, its decisions and what may come next. */
export async function readCase(db: Database, id: number): Promise<CaseDetail> {
  await ensureCaseOverlaps(db);
  const found = await caseById(db, id);
  if (!found) throw notFound(id);
  const { row, overlaps, history, basis } = found;
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

/** The current year in Beijing time. */
export { beijingYear };

function countyFigures(r: StatsRow): Omit<CountyCaseStats, 'standing' | 'quotaPenaltyMu' | 'headroomMu' | 'topTownships'> {
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
  };
}

/** The county view of a year: confirmed illegal occupation per county against the 20-亩 threshold. */
export async function caseStats(db: Database, year: number): Promise<CaseStatsResponse> {
  await ensureCaseOverlaps(db);
  const rows = await statsRows(db, year);
  const towns = await townshipStatsRows(db, year);
  const counties: CountyCaseStats[] = rows.map((r) => {
    const f = countyFigures(r);
    const standing = countyStanding(f.illegalFarmland.mu);
    return {
      ...f,
      standing,
      quotaPenaltyMu: standing === 'over' ? QUOTA_PENALTY_MU : 0,
      headroomMu: roundTo(ILLEGAL_FARMLAND_LIMIT_MU - f.illegalFarmland.mu, 4),
      topTownships: towns
        .filter((t) => t.county_code === r.county_code)
        .slice(0, 3)
        .map((t) => ({ code: t.code, name: t.name, illegal: Number(t.illegal), illegalFarmland: toAreaUnits(Number(t.farmland_m2)) })),
    };
  });
  const sum = (k: keyof StatsRow) => rows.reduce((s, r) => s + Number(r[k]), 0);
  return {
    year,
    thresholds: {
      limitMu: ILLEGAL_FARMLAND_LIMIT_MU,
      closeMu: CLOSE_TO_LIMIT_MU,
      penaltyMu: QUOTA_PENALTY_MU,
      ruleZh:
        `一年内新增违法占用耕地超过 ${ILLEGAL_FARMLAND_LIMIT_MU} 亩的县区，扣减下一年度新增建设用地计划指标 ${QUOTA_PENALTY_MU} 亩；` +
        `达到 ${CLOSE_TO_LIMIT_MU} 亩即提示接近。按发现日期所在年度统计已认定违法占用（违法占用）的图斑，耕地含永久基本农田与一般耕地，面积按 2 位小数的亩数判断。`,
    },
    counties,
    total: {
      countyCode: '410200',
      countyName: CITY_NAME.zh,
      countyNameEn: CITY_NAME.en,
      cases: sum('cases'),
      pending: sum('pending'),
      fieldCheck: sum('field_check'),
      illegal: sum('illegal'),
      illegalFarmland: toAreaUnits(sum('farmland_m2')),
      illegalPermanentFarmland: toAreaUnits(sum('permanent_m2')),
      illegalEcoRedline: toAreaUnits(sum('redline_m2')),
      countiesOver: counties.filter((c) => c.standing === 'over').length,
      countiesClose: counties.filter((c) => c.standing === 'close').length,
    },
    years: await caseYears(db),
  };
}
