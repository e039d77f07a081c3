/**
 * The farmland share's rule (core/farmland-share.ts) and its setting: judged on percentages at two
 * decimals — exactly at the average neither, a hundredth below +200 亩, a hundredth above −100 亩 —,
 * no figure without approved land, and FARMLAND_SHARE_PROVINCIAL_PCT read from the environment.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT, farmlandShareStanding } from '../../core/farmland-share.ts';
import { farmlandShareAverageOf, loadConfig } from '../../server/src/config.ts';

describe('the farmland share of new construction land', () => {
  it('compares the share with the average at two decimals', () => {
    expect(farmlandShareStanding(10_000, 3_500, 35)).toEqual({ sharePct: 35, standing: 'equal', quotaMu: 0 });
    // 35.004 % prints as 35.00 %: at the average
    expect(farmlandShareStanding(100_000, 35_004, 35)).toEqual({ sharePct: 35, standing: 'equal', quotaMu: 0 });
    expect(farmlandShareStanding(100_000, 34_996, 35).standing).toBe('equal');
    expect(farmlandShareStanding(100_000, 34_994, 35)).toEqual({ sharePct: 34.99, standing: 'below', quotaMu: 200 });
    expect(farmlandShareStanding(100_000, 35_006, 35)).toEqual({ sharePct: 35.01, standing: 'above', quotaMu: -100 });
    // the average is taken at two decimals as well
    expect(farmlandShareStanding(100_000, 33_333, 33.333).standing).toBe('equal');
  });

  it('gives no figure and no consequence without approved land; a site on no farmland is below any positive average', () => {
    expect(farmlandShareStanding(0, 0, 35)).toEqual({ sharePct: null, standing: null, quotaMu: 0 });
    expect(farmlandShareStanding(5_000, 0, 35)).toEqual({ sharePct: 0, standing: 'below', quotaMu: 200 });
    expect(farmlandShareStanding(5_000, 0, 0)).toEqual({ sharePct: 0, standing: 'equal', quotaMu: 0 });
  });

  it('reads FARMLAND_SHARE_PROVINCIAL_PCT, unset meaning the default, and refuses what is no percentage', () => {
    expect(DEFAULT_PROVINCIAL_FARMLAND_SHARE_PCT).toBe(35);
    expect(farmlandShareAverageOf(undefined)).toBeUndefined();
    expect(farmlandShareAverageOf(' ')).toBeUndefined();
    expect(farmlandShareAverageOf('41.25')).toBe(41.25);
    expect(loadConfig({ FARMLAND_SHARE_PROVINCIAL_PCT: '0' }).farmlandShareAveragePct).toBe(0);
    for (const bad of ['-1', '100.5', 'forty', 'NaN']) expect(() => farmlandShareAverageOf(bad), bad).toThrow(/FARMLAND_SHARE_PROVINCIAL_PCT/);
  });
});
