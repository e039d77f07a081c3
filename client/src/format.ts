/**
 * How the pages write numbers, areas, shares, coordinates and times — one place, on top of
 * core/units.ts (亩 and 公顷, rounding as written in decimal) and core/beijing-time.ts (every
 * date a bureau files is Beijing time).
 *
 * - Figures in tables and reports: `formatNumber` — rounded half away from zero at fixed
 *   decimals (m² 2, 公顷 4, 亩 2: `DIGITS`), thousands separated.
 * - An area in a sentence: `formatAreaUnits` — "541.49 亩（36.0993 公顷，360,992.69 m²）".
 * - The site-check panel writes areas as the rule messages do (`formatArea` of core/units.ts,
 *   no separators), so its figures read the same as the verdicts beside them.
 *
 * @example formatNumber(360992.685, 2) // '360,992.69'
 * @example formatShare(0.82625) // '82.63%'
 * @example beijingTime('2026-11-22T03:58:01.000Z') // '2026-11-22 11:58:01'
 * @example beijingTimeStated('2026-11-22T03:58:01.000Z', 'zh') // '2026-11-22 11:58:01（北京时间）'
 */
import { beijingTime, beijingToday } from '../../core/beijing-time.ts';
import { roundTo, toAreaUnits, type AreaUnits } from '../../core/units.ts';
import { translate, type Lang } from './i18n.ts';

export { beijingTime, beijingToday };
export { formatArea, formatCoarseArea, toAreaUnits, type AreaUnits } from '../../core/units.ts';

/** Decimals shown per unit: m² 2, 公顷 4, 亩 2. */
export const DIGITS = { m2: 2, ha: 4, mu: 2 } as const;

export type AreaUnit = keyof typeof DIGITS;

/** The dash written for "none" or "not given". */
export const DASH = '—';

/**
 * A number rounded half away from zero at `digits` decimals, with thousands separators.
 *
 * @example formatNumber(360992.685, 2) // '360,992.69'
 */
export function formatNumber(value: number, digits: number): string {
  const [int = '0', frac] = roundTo(value, digits).toFixed(digits).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** A count with thousands separators: 12,345. */
export const formatCount = (n: number) => formatNumber(n, 0);

/**
 * A share 0–1 as a percentage with two decimals.
 *
 * @example formatShare(0.82625) // '82.63%'
 */
export const formatShare = (share: number) => `${roundTo(share * 100, 2).toFixed(2)}%`;

/** A unit's word: 亩 / mu, 公顷 / ha, m². */
export const unitWord = (unit: AreaUnit, lang: Lang) => translate(lang, `unit_${unit}`);

/** One figure of an area in its unit at its decimals: "12.34". */
export const formatAreaFigure = (area: AreaUnits, unit: AreaUnit) => formatNumber(area[unit], DIGITS[unit]);

/** An area in 亩 with its word: "12.34 亩". */
export const formatMu = (area: AreaUnits, lang: Lang) => `${formatAreaFigure(area, 'mu')} ${unitWord('mu', lang)}`;

/**
 * An area in a sentence: 亩, then 公顷 (and m² with `m2`) in brackets.
 *
 * @example formatAreaUnits(toAreaUnits(8226.67), 'zh', { m2: true }) // '12.34 亩（0.8227 公顷，8,226.67 m²）'
 */
export function formatAreaUnits(area: AreaUnits, lang: Lang, opts: { m2?: boolean } = {}): string {
  const rest = [`${formatAreaFigure(area, 'ha')} ${unitWord('ha', lang)}`, ...(opts.m2 ? [`${formatAreaFigure(area, 'm2')} ${unitWord('m2', lang)}`] : [])];
  return `${formatMu(area, lang)}${translate(lang, 'open')}${rest.join(translate(lang, 'comma'))}${translate(lang, 'close')}`;
}

/** m² as the panel and popups show it beside 亩: "21,827.50 m²". */
export const formatM2 = (m2: number, lang: Lang) => `${formatNumber(m2, DIGITS.m2)} ${unitWord('m2', lang)}`;

/** An area given in m² as `formatAreaUnits` writes it. */
export const formatAreaM2 = (m2: number, lang: Lang, opts: { m2?: boolean } = {}) => formatAreaUnits(toAreaUnits(m2), lang, opts);

/** Degrees of longitude or latitude at `digits` decimals: "114.307612". */
export const formatDegrees = (v: number, digits = 6) => roundTo(v, digits).toFixed(digits);

/** A position as "114.307612, 34.797252". */
export const formatLonLat = (p: readonly [number, number] | readonly number[], digits = 6) => `${formatDegrees(p[0]!, digits)}, ${formatDegrees(p[1]!, digits)}`;

/** Metres as kilometres with two decimals, or a dash. */
export const formatKm = (m: number | null) => (m === null ? DASH : formatNumber(m / 1000, 2));

/** The Beijing date of an ISO instant: "2026-11-22". */
export const beijingDate = (iso: string) => beijingToday(new Date(iso));

/**
 * An instant as Beijing time with the zone said, whatever the browser's own time zone: what
 * the site-check panel and the report both print.
 *
 * @example beijingTimeStated('2026-11-22T03:58:01.000Z', 'en') // '2026-11-22 11:58:01 (Beijing time)'
 */
export const beijingTimeStated = (iso: string, lang: Lang) => translate(lang, 'timeBeijing', { time: beijingTime(iso) });
