/**
 * A saved search's conditions on /me in words: each range with its unit ("面积≥ 50" had none),
 * counties by name, the sort by what it does, in both languages.
 */
import { describe, expect, it } from 'vitest';
import { conditions } from '../../client/src/me/MePage.tsx';

const COUNTIES = [
  { code: '410212', name: '祥符区' },
  { code: '410221', name: '杞县' },
];

describe('saved-search conditions', () => {
  it('an area range with its unit', () => {
    expect(conditions({ minArea: '50' }, 'zh')).toBe('面积 ≥ 50 亩');
    expect(conditions({ minArea: '50' }, 'en')).toBe('area ≥ 50 mu');
    expect(conditions({ minArea: '20', maxArea: '80', areaUnit: 'ha' }, 'zh')).toBe('面积 20–80 公顷');
    expect(conditions({ maxArea: '5000', areaUnit: 'm2' }, 'en')).toBe('area ≤ 5000 m²');
  });

  it('prices in 万元/亩, plot ratios, counties by name, the sort in words', () => {
    expect(conditions({ use: '工业,仓储', county: '410212,410221', minPrice: '30', maxPlotRatio: '2.5', sort: '-area' }, 'zh', COUNTIES)).toBe(
      '用途 工业、仓储；县区 祥符区、杞县；面积从大到小；参考价格 ≥ 30 万元/亩；容积率 ≤ 2.5',
    );
    expect(conditions({ minPrice: '30' }, 'en')).toBe('price ≥ 30 10k yuan/mu');
    expect(conditions({ status: 'all', q: '东区' }, 'zh')).toBe('任何供应状态；关键词 “东区”');
  });

  it('no condition: every available parcel', () => {
    expect(conditions({}, 'zh')).toBe('可供应的全部地块');
    expect(conditions({ areaUnit: 'ha' }, 'en')).toBe('every available parcel');
  });
});
