/**
 * The county rule's two clauses (core/rectification.ts): more than 20 亩 in a year, or a case on
 * farmland not rectified by 31 December — a breach once the year is over, a warning while it runs;
 * one penalty whichever clause or both.
 */
import { describe, expect, it } from 'vitest';
import { countyJudgement, rectifiedInTime, rectifyBy } from '../../core/rectification.ts';

describe('the illegal-occupation rule', () => {
  it('counts a case rectified on 31 December in time, on 1 January not', () => {
    expect(rectifyBy(2025)).toBe('2025-12-31');
    expect(rectifiedInTime(2025, '2025-12-31')).toBe(true);
    expect(rectifiedInTime(2025, '2026-01-01')).toBe(false);
    expect(rectifiedInTime(2025, null)).toBe(false);
  });

  it('penalises on either clause, once', () => {
    expect(countyJudgement({ illegalFarmlandMu: 20, unrectified: 0, yearClosed: true })).toEqual({ standing: 'close', breaches: [], warnings: ['farmland'], quotaPenaltyMu: 0 });
    expect(countyJudgement({ illegalFarmlandMu: 20.005, unrectified: 0, yearClosed: true })).toEqual({ standing: 'over', breaches: ['farmland'], warnings: [], quotaPenaltyMu: 200 });
    expect(countyJudgement({ illegalFarmlandMu: 3, unrectified: 1, yearClosed: true })).toEqual({ standing: 'over', breaches: ['rectification'], warnings: [], quotaPenaltyMu: 200 });
    expect(countyJudgement({ illegalFarmlandMu: 25, unrectified: 2, yearClosed: true })).toEqual({ standing: 'over', breaches: ['farmland', 'rectification'], warnings: [], quotaPenaltyMu: 200 });
    expect(countyJudgement({ illegalFarmlandMu: 3, unrectified: 0, yearClosed: true })).toEqual({ standing: 'ok', breaches: [], warnings: [], quotaPenaltyMu: 0 });
  });

  it('warns while the year runs, and still penalises over 20 亩 then', () => {
    expect(countyJudgement({ illegalFarmlandMu: 3, unrectified: 1, yearClosed: false })).toEqual({ standing: 'close', breaches: [], warnings: ['rectification'], quotaPenaltyMu: 0 });
    expect(countyJudgement({ illegalFarmlandMu: 16, unrectified: 1, yearClosed: false })).toEqual({ standing: 'close', breaches: [], warnings: ['farmland', 'rectification'], quotaPenaltyMu: 0 });
    expect(countyJudgement({ illegalFarmlandMu: 21, unrectified: 1, yearClosed: false })).toEqual({ standing: 'over', breaches: ['farmland'], warnings: ['rectification'], quotaPenaltyMu: 200 });
  });
});
