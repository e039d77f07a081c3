/** The case rules in core/case-status.ts, the import's attribute readers, and rounding near zero. */
import { describe, expect, it } from 'vitest';
import { allowedTransitions, checkDecision, countyStanding, transitionRule, CASE_STATUSES } from '../../core/case-status.ts';
import { roundTo } from '../../core/units.ts';
import { normaliseDate, pick } from '../../server/src/modules/cases/import.ts';

describe('case status rules', () => {
  it('lets a pending case go anywhere but back to pending', () => {
    expect(CASE_STATUSES.map((to) => transitionRule('待核查', to))).toEqual(['forbidden', 'allowed', 'allowed', 'allowed', 'allowed']);
  });

  it('lets a field check end in an outcome freely, and stay only with a note', () => {
    expect(CASE_STATUSES.map((to) => transitionRule('需实地核查', to))).toEqual(['forbidden', 'allowed', 'allowed', 'allowed', 'needs-comment']);
  });

  it('re-opens or amends a decided case only with a comment', () => {
    for (const from of ['违法占用', '合法用地', '误报'] as const) {
      expect(CASE_STATUSES.map((to) => transitionRule(from, to))).toEqual(['forbidden', 'needs-comment', 'needs-comment', 'needs-comment', 'needs-comment']);
      expect(allowedTransitions(from).every((t) => t.needsComment)).toBe(true);
    }
    expect(allowedTransitions('待核查').map((t) => t.status)).toEqual(['违法占用', '合法用地', '误报', '需实地核查']);
  });

  it('names the field at fault in Chinese', () => {
    expect(checkDecision({ from: '待核查', to: '合法用地' })).toMatchObject({ ok: false, field: 'approvalNo', code: 'APPROVAL_NO_REQUIRED' });
    expect(checkDecision({ from: '待核查', to: '误报', approvalNo: 'X' })).toMatchObject({ ok: false, field: 'approvalNo', code: 'APPROVAL_NO_NOT_ALLOWED' });
    const reopen = checkDecision({ from: '违法占用', to: '误报', comment: '  ' });
    expect(reopen).toMatchObject({ ok: false, field: 'comment', code: 'COMMENT_REQUIRED' });
    expect(!reopen.ok && reopen.zh).toContain('核查意见必填');
    expect(checkDecision({ from: '误报', to: '待核查', comment: 'x' })).toMatchObject({ ok: false, field: 'status', code: 'TRANSITION_FORBIDDEN' });
    expect(checkDecision({ from: '合法用地', to: '合法用地', approvalNo: 'A', comment: '更正文号' })).toEqual({ ok: true });
  });

  it('judges a county on more than 20 亩, close from 15, on the figure as reported', () => {
    expect(countyStanding(0)).toBe('ok');
    expect(countyStanding(14.994)).toBe('ok');
    expect(countyStanding(14.995)).toBe('close');
    expect(countyStanding(20)).toBe('close');
    expect(countyStanding(20.004)).toBe('close'); // reported as 20.00
    expect(countyStanding(20.005)).toBe('over'); // reported as 20.01
    expect(countyStanding(20 + 1e-10)).toBe('close');
  });
});

describe('import attributes', () => {
  it('reads dates as files write them', () => {
    expect(normaliseDate('2026-03-05')).toBe('2026-03-05');
    expect(normaliseDate('2026/3/5')).toBe('2026-03-05');
    expect(normaliseDate('2026.03.05')).toBe('2026-03-05');
    expect(normaliseDate('2026年3月5日')).toBe('2026-03-05');
    expect(normaliseDate('20260305')).toBe('2026-03-05');
    expect(normaliseDate('2026-03-05T10:00:00+08:00')).toBe('2026-03-05');
    expect(normaliseDate('2026-02-30')).toBeNull();
    expect(normaliseDate('昨天')).toBeNull();
  });

  it('finds an attribute under any of its names, ignoring case and blanks', () => {
    expect(pick({ TBBH: ' WP-1 ' }, ['code', 'tbbh'])).toBe('WP-1');
    expect(pick({ code: '', 编号: 7 }, ['code', '编号'])).toBe('7');
    expect(pick({ other: 'x' }, ['code'])).toBeNull();
  });
});

describe('roundTo near zero and far from it', () => {
  it('rounds values JavaScript writes with an exponent', () => {
    expect(roundTo(-1e-10, 4)).toBe(-0);
    expect(roundTo(1e-7, 2)).toBe(0);
    expect(roundTo(1e21, 2)).toBe(1e21);
    expect(roundTo(2.18275, 4)).toBe(2.1828);
  });
});
