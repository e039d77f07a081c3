/**
 * Area units used by planners: m², 公顷 (hectare) and 亩.
 * 1 公顷 = 10 000 m² = 15 亩; 1 亩 = 10 000 / 15 m² ≈ 666.667 m².
 *
 * @example toAreaUnits(21827.5) // { m2: 21827.5, ha: 2.18275, mu: 32.74125 }
 */
export const M2_PER_HA = 10_000;
export const MU_PER_HA = 15;
export const M2_PER_MU = M2_PER_HA / MU_PER_HA;

export interface AreaUnits {
  m2: number;
  ha: number;
  mu: number;
}

export function toAreaUnits(m2: number): AreaUnits {
  return { m2, ha: m2 / M2_PER_HA, mu: m2 / M2_PER_MU };
}

export const muToM2 = (mu: number): number => mu * M2_PER_MU;
export const haToM2 = (ha: number): number => ha * M2_PER_HA;

/**
 * Rounds half away from zero at `digits` decimals, exactly as written in decimal:
 * roundTo(2.18275, 4) is 2.1828 (a plain toFixed gives 2.1827 from binary rounding).
 */
export function roundTo(value: number, digits: number): number {
  const text = String(Math.abs(value));
  // below 1e-6 or from 1e21 JavaScript writes an exponent, which the decimal trick cannot take
  if (text.includes('e') || !Number.isFinite(value)) return Number(value.toFixed(digits));
  const shifted = Number(`${text}e${digits}`);
  return Math.sign(value) * Number(`${Math.round(shifted)}e-${digits}`);
}

/** Formats an area as Chinese planners read it, e.g. "32.74 亩（2.1828 公顷）". */
export function formatArea(m2: number, lang: 'zh' | 'en' = 'zh'): string {
  const { ha, mu } = toAreaUnits(m2);
  const muText = roundTo(mu, 2).toFixed(2);
  const haText = roundTo(ha, 4).toFixed(4);
  return lang === 'zh' ? `${muText} 亩（${haText} 公顷）` : `${muText} mu (${haText} ha)`;
}

/**
 * An area rounded to `stepMu` 亩 as a public site-check report gives it, e.g. "约 3.2 亩";
 * a touching overlap rounded to nothing (a site under one step) is "不足 0.1 亩".
 *
 * @example formatCoarseArea(2133.33, 0.1, 'zh') // '约 3.2 亩'
 */
export function formatCoarseArea(m2: number, stepMu: number, lang: 'zh' | 'en' = 'zh', touches = true): string {
  const digits = Math.max(0, Math.ceil(-Math.log10(stepMu) - 1e-9));
  const step = stepMu.toFixed(digits);
  if (m2 <= 0) return touches ? (lang === 'zh' ? `不足 ${step} 亩` : `under ${step} mu`) : lang === 'zh' ? '0 亩' : '0 mu';
  const mu = (m2 / M2_PER_MU).toFixed(digits);
  return lang === 'zh' ? `约 ${mu} 亩` : `about ${mu} mu`;
}
