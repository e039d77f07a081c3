/**
 * The yearly farmland share of new construction land (占耕比, docs/domain.md "New construction
 * land and its farmland share"): of the construction land approved in a county during a year —
 * the site checks marked approved, by approval date — the part that was farmland (耕地: permanent
 * basic farmland and general farmland, as each check measured its overlaps), against the
 * provincial average. Jiaozuo bureau 2026, item 十六: a county below the average gains 200 亩 of
 * next year's construction quota, one above it loses 100 亩; exactly at it, neither.
 *
 * The share is judged as a percentage at two decimals, as the revitalisation rate is
 * (core/revitalisation.ts): a county at 35.004 % is at an average of 35 %.
 *
 * @example farmlandShareStanding(100_000, 35_000, 35) // { sharePct: 35, standing: 'equal', quotaMu: 0 }
 * @example farmlandShareStanding(100_000, 34_990, 35) // { sharePct: 34.99, standing: 'below', quotaMu: 200 }
 * @example farmlandShareStanding(0, 0, 35).sharePct // null (no construction land approved in the year)
 */
import { roundTo } from './units.ts';

/** What a county below the provincial average gains of next year's quota, 亩. */
export const FARMLAND_SHARE_REWARD_MU = 200;
/** What a county above it loses, 亩. */
export const FARMLAND_SHARE_PENALTY_MU = 100;
/**
 * The provincial average share the counties are judged against unless the server is configured
 * otherwise (FARMLAND_SHARE_PROVINCIAL_PCT): a placeholder until the bureau sets the figure the
 * province publishes for the year.
 */
export const DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT = 35;

/** The layers whose overlap with an approved site counts as farmland (耕地). */
export const FARMLAND_LAYER_IDS = ['permanent-farmland', 'general-farmland'] as const;

export const FARMLAND_SHARE_RULE = {
  zh:
    '占耕比 = 当年批准的新增建设用地中占用耕地（永久基本农田与一般耕地）的面积 ÷ 当年批准的新增建设用地面积；' +
    `低于全省平均水平的县区奖励下一年度新增建设用地指标 ${FARMLAND_SHARE_REWARD_MU} 亩，高于的扣减 ${FARMLAND_SHARE_PENALTY_MU} 亩，恰好相等的不奖不扣（按 2 位小数的百分数比较）；当年没有批准新增建设用地的县区不计。`,
  en:
    'Farmland share = farmland (permanent basic farmland and general farmland) taken by the new construction land approved during the year ÷ the new construction land approved during the year; ' +
    `a county below the provincial average gains ${FARMLAND_SHARE_REWARD_MU} mu of next year's construction quota, one above it loses ${FARMLAND_SHARE_PENALTY_MU} mu, one exactly at it neither (compared as percentages at two decimals); a county with no construction land approved in the year has no figure.`,
  sourceZh: '焦作市自然资源和规划局 2026 年文件第十六项：新增建设用地占用耕地比例低于全省平均水平的，奖励用地指标 200 亩；高于全省平均水平的，扣减 100 亩',
  sourceEn: 'Jiaozuo natural resources and planning bureau, 2026 document, item 16: a farmland share of new construction land below the provincial average earns 200 mu of land quota; above it costs 100 mu',
} as const;

export type FarmlandShareStanding = 'below' | 'equal' | 'above';

export interface FarmlandShareFigure {
  /** Farmland ÷ new construction land as a percentage at two decimals; null when no land was approved. */
  sharePct: number | null;
  standing: FarmlandShareStanding | null;
  /** Next year's quota: +200 below the average, −100 above it, 0 at it or without a figure. */
  quotaMu: number;
}

export function farmlandShareStanding(newLandM2: number, farmlandM2: number, averagePct = DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT): FarmlandShareFigure {
  if (!(newLandM2 > 0)) return { sharePct: null, standing: null, quotaMu: 0 };
  const sharePct = roundTo((farmlandM2 / newLandM2) * 100, 2);
  const average = roundTo(averagePct, 2);
  if (sharePct < average) return { sharePct, standing: 'below', quotaMu: FARMLAND_SHARE_REWARD_MU };
  if (sharePct > average) return { sharePct, standing: 'above', quotaMu: -FARMLAND_SHARE_PENALTY_MU };
  return { sharePct, standing: 'equal', quotaMu: 0 };
}
