/**
 * How the stock pages write values: the register's Chinese words (English beside them on
 * request), areas in 亩 and 公顷, prices in 万元/亩.
 */
import { STOCK_CATEGORIES, STOCK_STATUSES } from '../../../core/contracts/stock.ts';
import { USE_NAMES_EN, type PlannedUse } from '../../../core/stock-match.ts';
import { DASH, DIGITS, formatKm, formatNumber } from '../format.ts';
import { pick, type Lang } from '../i18n.ts';

export { DASH, DIGITS, formatNumber };

const EN: Record<string, string> = {
  批而未供: 'Approved, not supplied',
  闲置土地: 'Idle land',
  低效用地: 'Inefficiently used land',
  可供应: 'Available',
  已意向: 'Reserved',
  已供应: 'Supplied',
  批而未征: 'Approved, not acquired',
  征而未供: 'Acquired, not supplied',
  供而未用: 'Supplied, not used',
  用而未尽: 'Used, not fully',
  ...Object.fromEntries(Object.entries(USE_NAMES_EN).map(([k, v]) => [k, v.charAt(0).toUpperCase() + v.slice(1)])),
};

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
