import { describe, expect, it } from 'vitest';
import { formatArea, haToM2, muToM2, toAreaUnits } from '../../core/units.ts';

describe('area units', () => {
  it('1 公顷 is 10 000 m² and 15 亩', () => {
    expect(toAreaUnits(10_000)).toEqual({ m2: 10_000, ha: 1, mu: 15 });
  });
  it('1 亩 is 10 000 / 15 m²', () => {
    expect(muToM2(1)).toBeCloseTo(666.6667, 4);
    expect(haToM2(2.5)).toBe(25_000);
  });
  it('the boundary-point file example area (21 827.5 m²) reads as 32.74 亩, 2.1828 公顷', () => {
    expect(formatArea(21_827.5)).toBe('32.74 亩（2.1828 公顷）');
    expect(formatArea(21_827.5, 'en')).toBe('32.74 mu (2.1828 ha)');
  });
});
