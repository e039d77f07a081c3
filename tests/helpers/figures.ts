/**
 * Reading the figures a page shows back into numbers, to compare them with the API's: the
 * browser tests never rebuild the product's formatting (its rounding, separators, unit
 * conversions) to make an expected string. A shown figure agrees with the API's value when it
 * has the decimals the page promises and lies within half a unit of its last decimal of it.
 */
import { expect } from 'vitest';

export interface ShownFigure {
  /** The number as written. */
  value: number;
  /** Decimals written after the point. */
  decimals: number;
  /** The text it was read from. */
  text: string;
}

const FULL_WIDTH = /[０-９．，－]/g;
const NUMBER = /[-−]?\d[\d,\u00a0\u202f ]*(?:\.\d+)?/g;

/**
 * A figure as written: digits with or without thousands separators (",", a thin or no-break
 * space), full-width digits, a decimal point, an ASCII or Unicode minus. Anything else fails.
 */
export function readFigure(text: string): ShownFigure {
  const t = text.trim().replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const m = /^([-−]?)(\d{1,3}(?:[,\u00a0\u202f ]\d{3})*|\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) throw new Error(`“${text}” is not a figure`);
  const value = Number(`${m[1] ? '-' : ''}${m[2]!.replace(/[,\u00a0\u202f ]/g, '')}.${m[3] ?? '0'}`);
  return { value, decimals: m[3]?.length ?? 0, text };
}

/**
 * The figures in a text that reads like `template`, where each `{}` stands for one figure and the
 * rest must match word for word (runs of white space count as one):
 *
 * @example figuresIn('重叠 12.34 亩（0.8227 公顷）', '重叠 {} 亩（{} 公顷）') // two figures
 */
export function figuresIn(text: string, template: string): ShownFigure[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  const source = template
    .split('{}')
    .map(escape)
    .join(`(${NUMBER.source.replace(/^\[-−\]\?/, '[-−]?')})`);
  const m = new RegExp(`^\\s*${source}\\s*$`).exec(text);
  if (!m) throw new Error(`“${text}” does not read as “${template}”`);
  return m.slice(1).map((s) => readFigure(s.trim()));
}

/**
 * That a shown figure stands for `value` written with `decimals` decimals: the decimals as
 * promised, and the number within half a unit of the last one (plus floating-point slack).
 */
export function expectFigure(shown: string | ShownFigure, value: number, decimals: number, label?: string): void {
  const f = typeof shown === 'string' ? readFigure(shown) : shown;
  const what = `${label ? `${label}: ` : ''}“${f.text}” for ${value}`;
  expect(f.decimals, `${what} (decimals)`).toBe(decimals);
  const half = 0.5 * 10 ** -decimals;
  expect(Math.abs(f.value - value), what).toBeLessThanOrEqual(half * (1 + 1e-9) + Math.abs(value) * 1e-12);
}

/** `figuresIn` then `expectFigure` on each: `values` and `decimals` in the template's order. */
export function expectFigures(text: string, template: string, values: number[], decimals: number[], label?: string): void {
  const shown = figuresIn(text, template);
  expect(shown.length, label).toBe(values.length);
  shown.forEach((f, i) => expectFigure(f, values[i]!, decimals[i]!, label));
}

/** The figure written just before `unit` in a text (e.g. the 亩 figure of "12.34 亩（0.8227 公顷）"); fails if there is none. */
export function figureBefore(text: string, unit: string): ShownFigure {
  const m = new RegExp(`(${NUMBER.source})\\s*${unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(text);
  if (!m) throw new Error(`no figure before “${unit}” in “${text}”`);
  return readFigure(m[1]!.trim());
}
