/**
 * The reader the browser tests compare shown figures with the API's by (tests/helpers/figures.ts):
 * it reads what a page may write and refuses what is not a figure, and a figure agrees with a
 * value only with the promised decimals and within half a unit of the last one.
 */
import { describe, expect, it } from 'vitest';
import { expectFigure, expectFigures, figureBefore, figuresIn, readFigure } from '../helpers/figures.ts';

describe('the shown-figure reader', () => {
  it('reads figures with separators and decimals, in a template or before a unit, and compares within half a unit', () => {
    expect(readFigure('360,992.69')).toMatchObject({ value: 360992.69, decimals: 2 });
    expect(readFigure('1,234')).toMatchObject({ value: 1234, decimals: 0 });
    expect(() => readFigure('12,34')).toThrow();
    expect(figuresIn('重叠 12.34 亩（0.8227 公顷）', '重叠 {} 亩（{} 公顷）').map((f) => f.value)).toEqual([12.34, 0.8227]);
    expect(figuresIn('12.34 亩（0.8227 公顷，8,226.67 m²）', '{} 亩（{} 公顷，{} m²）').map((f) => f.value)).toEqual([12.34, 0.8227, 8226.67]);
    expect(() => figuresIn('重叠 12.34 亩', '重叠 {} 公顷')).toThrow();
    expectFigure('360,992.69', 360992.685, 2);
    expectFigure('360,992.68', 360992.685, 2);
    expect(() => expectFigure('360,992.67', 360992.685, 2)).toThrow();
    expect(() => expectFigure('360,992.7', 360992.685, 2)).toThrow();
    expectFigures('占用永久基本农田 约 3.2 亩，一般建设项目不得占用。', '占用永久基本农田 约 {} 亩，一般建设项目不得占用。', [3.2], [1]);
    expectFigure('82.63', 82.625, 2);
    expect(figureBefore('选址面积 1,234.50 亩（82.3000 公顷）', '亩')).toMatchObject({ value: 1234.5, decimals: 2 });
    expect(() => figureBefore('选址面积 82.3000 公顷', '亩')).toThrow();
  });
});
