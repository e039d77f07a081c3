/**
 * The yearly stock revitalisation rate (存量建设用地盘活率, docs/domain.md "Thresholds" and
 * "The stock-land ledger"): of the stock land in the ledger at the start of a year, how much was
 * revitalised during it — supplied, disposed of or redeveloped (core/ledger.ts
 * REVITALISING_KINDS) — against the 15 % a year of Kaifeng's 14th five-year plan (2021–2025).
 *
 * The rate is judged as a percentage at two decimals, as the bureau's tables print it: exactly
 * 15.00 % meets the target.
 *
 * @example revitalisationStanding(100_000, 15_000) // { ratePct: 15, met: true, shortfallMu: 0 }
 * @example revitalisationStanding(0, 0).ratePct // null (no stock at the start of the year)
 */
import { M2_PER_MU, roundTo } from './units.ts';

export const REVITALISATION_TARGET_PCT = 15;
export const REVITALISATION_RULE = {
  zh: '存量建设用地盘活率 = 当年盘活（供应、闲置土地处置、低效用地再开发）的存量土地面积 ÷ 年初存量土地面积；目标每年 15%（按 2 位小数的百分数判断，恰为 15.00% 即达标）。',
  en: 'Revitalisation rate = stock land revitalised during the year (supplied, idle land disposed of, inefficient land redeveloped) ÷ stock land at the start of the year; the target is 15 % a year (judged at two decimals: exactly 15.00 % meets it).',
  sourceZh: '《开封市“十四五”自然资源保护和利用规划》（汴政〔2023〕6号），资源利用效率指标“存量建设用地盘活率 15%/年”（预期性）',
  sourceEn: 'Kaifeng 14th five-year plan for natural resources protection and use (Bianzheng [2023] No. 6): stock construction land revitalisation rate 15 % a year (indicative)',
} as const;

export interface RevitalisationStanding {
  /** null when there was no stock at the start of the year. */
  ratePct: number | null;
  met: boolean | null;
  /** 亩 still to revitalise to reach the target (0 when met). */
  shortfallMu: number;
}

export function revitalisationStanding(startM2: number, revitalisedM2: number, targetPct = REVITALISATION_TARGET_PCT): RevitalisationStanding {
  if (!(startM2 > 0)) return { ratePct: null, met: null, shortfallMu: 0 };
  const ratePct = roundTo((revitalisedM2 / startM2) * 100, 2);
  const met = ratePct >= targetPct;
  return { ratePct, met, shortfallMu: met ? 0 : roundTo(Math.max(0, (startM2 * targetPct) / 100 - revitalisedM2) / M2_PER_MU, 2) };
}
