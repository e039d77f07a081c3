/**
 * How the stock pages write values: the register's Chinese words (English beside them on
 * request), areas in 亩 and 公顷, prices in 万元/亩.
 */
import { STOCK_CATEGORIES, STOCK_STATUSES } from '../../../core/contracts/stock.ts';
import type { PlannedUse } from '../../../core/stock-match.ts';
import { FOUR_UN_STAGE_EN, PLANNED_USE_EN, STOCK_CATEGORY_EN, STOCK_STATUS_EN, type Vocabulary } from '../../../core/vocabulary.ts';
import { DASH, DIGITS, formatKm, formatNumber } from '../format.ts';
import { pick, type Lang } from '../i18n.ts';

export { DASH, DIGITS, formatNumber };

/** The register's words: categories, statuses, 四未 stages and uses (core/vocabulary.ts). */
const EN: Vocabulary = { ...STOCK_CATEGORY_EN, ...STOCK_STATUS_EN, ...FOUR_UN_STAGE_EN, ...PLANNED_USE_EN };

/** A register word (category, status, stage, use) in the page's language. */
export const valueWord = (value: string, lang: Lang) => pick({ zh: value, en: EN[value] ?? value }, lang);

export const CATEGORIES = STOCK_CATEGORIES;
export const STATUSES = STOCK_STATUSES;
export type { PlannedUse };

/** "1.2–2.5", one bound alone, or a dash. */
export function plotRatioText(min: number | null, max: number | null): string {
  if (min === null && max === null) return DASH;
  if (min === null) return `≤ ${max}`;
  if (max === null) return `≥ ${min}`;
  return min === max ? String(min) : `${min}–${max}`;
}

/** Metres as kilometres with two decimals. */
export const kmText = formatKm;
