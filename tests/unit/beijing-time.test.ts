import { describe, expect, it } from 'vitest';
import { beijingStamp, beijingTime, beijingToday, beijingYear } from '../../core/beijing-time.ts';

describe('Beijing time (UTC+8)', () => {
  it('writes an instant as Beijing wall-clock time', () => {
    expect(beijingTime('2026-11-22T03:58:01.000Z')).toBe('2026-11-22 11:58:01');
  });

  it('turns the day and the year at Beijing midnight, not at UTC midnight', () => {
    const before = new Date('2026-12-31T15:59:59Z'); // 23:59:59 in Beijing
    const after = new Date('2026-12-31T16:00:00Z'); // 00:00:00 the next day
    expect([beijingToday(before), beijingYear(before), beijingStamp(before)]).toEqual(['2026-12-31', 2026, '20261231']);
    expect([beijingToday(after), beijingYear(after), beijingStamp(after)]).toEqual(['2027-01-01', 2027, '20270101']);
  });
});

describe('the one time the panel and the report print', () => {
  it('is Beijing time with the zone said, in either language, whatever the process’s zone', async () => {
    const { beijingTimeStated } = await import('../../client/src/format.ts');
    // 23:30 in New York on 21 November is 12:30 on the 22nd in Beijing
    expect(beijingTimeStated('2026-11-22T04:30:00.000Z', 'zh')).toBe('2026-11-22 12:30:00（北京时间）');
    expect(beijingTimeStated('2026-11-22T04:30:00.000Z', 'en')).toBe('2026-11-22 12:30:00 (Beijing time)');
  });
});
