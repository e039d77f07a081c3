/**
 * Rectification of illegal occupation (整改) and the county rule it feeds (docs/domain.md,
 * "Illegal occupation and its rectification"; Jiaozuo bureau 2026, item 17):
 *
 *   年度新增违法违规占用耕地超过 20 亩，或新增违法违规占用耕地问题本年度内未完成整改的，扣除下年度
 *   新增建设用地计划指标 200 亩，并取消当年考核先进资格。
 *
 * A county is penalised for a year (by detection date) when either clause holds:
 * - **farmland**: its confirmed illegal farmland occupation of the year is more than 20 亩
 *   (judged on 亩 at two decimals; core/case-status.ts `countyStanding`);
 * - **rectification**: a confirmed illegal case of the year that occupies farmland was not
 *   rectified by 31 December of that year (Beijing time) — not rectified at all, or rectified
 *   only later.
 * While the year runs, a case still to rectify is no breach yet but a warning: it may still be
 * done by 31 December. Once the year is over, it is a breach.
 *
 * A case's rectification: a deadline (整改期限, set by the auditor; it may lie after the year),
 * and once done the day it was done (整改完成日期: not before the case was detected, not after
 * today). Only a case confirmed illegal (违法占用) is rectified.
 */
import { CLOSE_TO_LIMIT_MU, ILLEGAL_FARMLAND_LIMIT_MU, QUOTA_PENALTY_MU, countyStanding } from './case-status.ts';

export const RECTIFICATION_STATUSES = ['未整改', '已整改'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

export const RECTIFICATION_STATUS_EN: Record<RectificationStatus, string> = { 未整改: 'Not rectified', 已整改: 'Rectified' };

/** The only status whose cases are rectified. */
export const RECTIFIABLE_STATUS = '违法占用';

export const MAX_RECTIFY_NOTE = 2000;
export const MAX_RECTIFY_DOC_NO = 100;

/** The day by which the rule wants a case of `year` rectified: 31 December of that year. */
export const rectifyBy = (year: number): string => `${year}-12-31`;

/**
 * Whether a case of `year` counts as rectified in time: done, on or before 31 December.
 *
 * @example rectifiedInTime(2025, '2025-12-31') // true
 * @example rectifiedInTime(2025, '2026-01-01') // false — rectified, but late for 2025
 */
export const rectifiedInTime = (year: number, rectifiedOn: string | null): boolean => rectifiedOn !== null && rectifiedOn <= rectifyBy(year);

/** What the county rule weighs: the year's farmland clause and its rectification clause. */
export type RuleClause = 'farmland' | 'rectification';

export interface CountyJudgementInput {
  /** Confirmed illegal farmland occupation of the year, 亩. */
  illegalFarmlandMu: number;
  /** Confirmed illegal cases of the year on farmland not rectified by 31 December (so far, while the year runs). */
  unrectified: number;
  /** Whether the year is over (a past year, in Beijing time). */
  yearClosed: boolean;
}

export interface CountyJudgement {
  /** over: penalised; close: at risk (near the 20 亩, or cases still to rectify this year); ok. */
  standing: 'over' | 'close' | 'ok';
  /** The clauses that penalise the county, in the rule's order. */
  breaches: RuleClause[];
  /** The clauses that put it at risk without penalising it (yet). */
  warnings: RuleClause[];
  quotaPenaltyMu: number;
}

/**
 * A county's standing for a year under both clauses. One penalty whichever clause or both.
 *
 * @example countyJudgement({ illegalFarmlandMu: 20, unrectified: 0, yearClosed: true }).standing // 'close' — exactly 20 亩 is not more
 * @example countyJudgement({ illegalFarmlandMu: 3, unrectified: 1, yearClosed: true }).breaches // ['rectification']
 * @example countyJudgement({ illegalFarmlandMu: 3, unrectified: 1, yearClosed: false }).warnings // ['rectification']
 */
export function countyJudgement(i: CountyJudgementInput): CountyJudgement {
  const farmland = countyStanding(i.illegalFarmlandMu);
  const breaches: RuleClause[] = [];
  const warnings: RuleClause[] = [];
  if (farmland === 'over') breaches.push('farmland');
  else if (farmland === 'close') warnings.push('farmland');
  if (i.unrectified > 0) (i.yearClosed ? breaches : warnings).push('rectification');
  const standing = breaches.length ? 'over' : warnings.length ? 'close' : 'ok';
  return { standing, breaches, warnings, quotaPenaltyMu: breaches.length ? QUOTA_PENALTY_MU : 0 };
}

/** The rule as printed beside the county view and in its export, with its source. */
export const ILLEGAL_OCCUPATION_RULE = {
  zh:
    `年度新增违法违规占用耕地超过 ${ILLEGAL_FARMLAND_LIMIT_MU} 亩，或新增违法违规占用耕地问题本年度内未完成整改的县区，` +
    `扣除下年度新增建设用地计划指标 ${QUOTA_PENALTY_MU} 亩，并取消当年考核先进资格。` +
    `按发现日期所在年度统计已认定违法占用的图斑；耕地含永久基本农田与一般耕地，面积按 2 位小数的亩数判断（恰为 ${ILLEGAL_FARMLAND_LIMIT_MU} 亩不算超过），达到 ${CLOSE_TO_LIMIT_MU} 亩提示接近；` +
    '占用耕地的违法图斑须在当年 12 月 31 日（北京时间）前完成整改，年内尚未整改的提示关注，年度结束仍未整改（含次年才整改）的即扣减指标。',
  en:
    `A county whose new illegal farmland occupation in a year is more than ${ILLEGAL_FARMLAND_LIMIT_MU} mu, or whose new illegal farmland occupation of the year is not rectified within that year, ` +
    `loses ${QUOTA_PENALTY_MU} mu of next year's new-construction quota and its eligibility for the year's commendation. ` +
    `Counted: cases confirmed illegal, by year of detection; farmland is permanent plus general farmland, judged in mu at two decimals (exactly ${ILLEGAL_FARMLAND_LIMIT_MU} mu is not more), shown as close from ${CLOSE_TO_LIMIT_MU} mu. ` +
    'A confirmed illegal case on farmland is to be rectified by 31 December (Beijing time): during the year a case not yet rectified is a warning; once the year is over, one not rectified by then (or rectified only the next year) costs the penalty.',
  sourceZh: '焦作市自然资源和规划局，2026 年，第十七项（年度新增违法违规占用耕地超过 20 亩或本年度内未完成整改的，扣除下年度新增建设用地计划指标 200 亩，并取消当年考核先进资格）',
  sourceEn: 'Jiaozuo natural resources and planning bureau, 2026, item 17 (more than 20 mu of new illegal farmland occupation in a year, or such occupation not rectified within the year: 200 mu less of next year’s construction quota and no commendation for the year)',
} as const;
