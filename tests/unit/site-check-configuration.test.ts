/** The site check's settings from the environment: the stock-first radius and the preview budget. */
import { describe, expect, it } from 'vitest';
import { loadConfig, stockFirstRadiusOf } from '../../server/src/config.ts';
import { DEFAULT_SITE_CHECK_LIMITS, siteCheckLimitsFromEnv } from '../../server/src/modules/site-check/budget.ts';

describe('site-check configuration', () => {
  it('reads STOCK_FIRST_RADIUS_KM, unset meaning the default, and refuses what is no radius', () => {
    expect(stockFirstRadiusOf(undefined)).toBeUndefined();
    expect(stockFirstRadiusOf(' ')).toBeUndefined();
    expect(stockFirstRadiusOf('7.5')).toBe(7.5);
    expect(loadConfig({ STOCK_FIRST_RADIUS_KM: '15' }).stockFirstRadiusKm).toBe(15);
    for (const bad of ['0', '-3', '201', 'ten', 'Infinity']) expect(() => stockFirstRadiusOf(bad), bad).toThrow(/STOCK_FIRST_RADIUS_KM/);
  });

  it('reads the preview budget beside the check budget', () => {
    expect(DEFAULT_SITE_CHECK_LIMITS).toMatchObject({ dailyAreaM2: 1e6, dailyChecks: 200, previewDailyAreaM2: 1e7, previewDailyCount: 2000 });
    expect(siteCheckLimitsFromEnv({ SITE_PREVIEW_DAILY_AREA_KM2: '2.5', SITE_PREVIEW_DAILY_COUNT: '300' })).toEqual({ previewDailyAreaM2: 2.5e6, previewDailyCount: 300 });
    expect(() => siteCheckLimitsFromEnv({ SITE_PREVIEW_DAILY_COUNT: '1.5' })).toThrow(/SITE_PREVIEW_DAILY_COUNT/);
  });
});
