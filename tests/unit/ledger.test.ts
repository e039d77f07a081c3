/** The stock-land ledger's transitions (core/ledger.ts) and the event contract (core/contracts/ledger.ts). */
import { describe, expect, it } from 'vitest';
import { DISPOSAL_METHODS, stockTransition, isRevitalising, type ParcelState } from '../../core/ledger.ts';
import { StockEventRequest } from '../../core/contracts/ledger.ts';

const s = (category: string, status: string): ParcelState => ({ category, status });

describe('stock ledger transitions', () => {
  it('supplies approved-not-supplied land that is available or reserved, once', () => {
    expect(stockTransition(s('批而未供', '可供应'), { kind: 'supply' })).toEqual({ ok: true, after: s('批而未供', '已供应') });
    expect(stockTransition(s('批而未供', '已意向'), { kind: 'supply' })).toEqual({ ok: true, after: s('批而未供', '已供应') });
    const again = stockTransition(s('批而未供', '已供应'), { kind: 'supply' });
    expect(again.ok).toBe(false);
    expect(!again.ok && again.zh).toContain('已经供应');
    expect(!again.ok && again.en).toContain('supplied already');
  });

  it('refuses to supply idle or inefficient land, naming the category', () => {
    const r = stockTransition(s('闲置土地', '可供应'), { kind: 'supply' });
    expect(r).toMatchObject({ ok: false, code: 'STOCK_TRANSITION_REFUSED' });
    expect(!r.ok && r.zh).toMatch(/^地块为闲置土地、可供应，不能登记供应/);
    expect(stockTransition(s('低效用地', '可供应'), { kind: 'supply' }).ok).toBe(false);
  });

  it('gives idle land taken back or exchanged to the government to supply; the other disposals revitalise it', () => {
    const after = Object.fromEntries(DISPOSAL_METHODS.map((method) => {
      const r = stockTransition(s('闲置土地', '已供应'), { kind: 'dispose', method });
      return [method, r.ok ? `${r.after.category}/${r.after.status}` : 'refused'];
    }));
    expect(after).toEqual({
      动工开发: '闲置土地/已盘活',
      收回: '批而未供/可供应',
      征缴土地闲置费: '闲置土地/已盘活',
      置换: '批而未供/可供应',
      调整规划条件: '闲置土地/已盘活',
    });
  });

  it('refuses a disposal without its method, of other land, or of land revitalised already', () => {
    expect(stockTransition(s('闲置土地', '可供应'), { kind: 'dispose' }).ok).toBe(false);
    expect(stockTransition(s('闲置土地', '可供应'), { kind: 'dispose', method: '拍卖' }).ok).toBe(false);
    expect(stockTransition(s('批而未供', '可供应'), { kind: 'dispose', method: '收回' }).ok).toBe(false);
    expect(stockTransition(s('闲置土地', '已盘活'), { kind: 'dispose', method: '动工开发' }).ok).toBe(false);
  });

  it('redevelops inefficient land only, once', () => {
    expect(stockTransition(s('低效用地', '可供应'), { kind: 'redevelop' })).toEqual({ ok: true, after: s('低效用地', '已盘活') });
    expect(stockTransition(s('低效用地', '已盘活'), { kind: 'redevelop' }).ok).toBe(false);
    expect(stockTransition(s('闲置土地', '可供应'), { kind: 'redevelop' }).ok).toBe(false);
  });

  it('reserves available land and withdraws a reservation only', () => {
    expect(stockTransition(s('批而未供', '可供应'), { kind: 'intent' })).toEqual({ ok: true, after: s('批而未供', '已意向') });
    expect(stockTransition(s('批而未供', '已意向'), { kind: 'intent' }).ok).toBe(false);
    expect(stockTransition(s('批而未供', '已意向'), { kind: 'intent-withdrawn' })).toEqual({ ok: true, after: s('批而未供', '可供应') });
    expect(stockTransition(s('批而未供', '可供应'), { kind: 'intent-withdrawn' }).ok).toBe(false);
  });

  it('retires available parcels by split or merge, and refuses every event on a retired one', () => {
    expect(stockTransition(s('低效用地', '可供应'), { kind: 'split' })).toEqual({ ok: true, after: s('低效用地', '已注销') });
    expect(stockTransition(s('批而未供', '已供应'), { kind: 'merge' }).ok).toBe(false);
    for (const kind of ['supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn', 'split', 'merge'] as const) {
      const r = stockTransition(s('批而未供', '已注销'), { kind, method: '收回' });
      expect(r.ok, kind).toBe(false);
      expect(!r.ok && r.zh, kind).toContain('已因分割或合并注销');
    }
  });

  it('counts supply, disposal and redevelopment as revitalising, not reservations or reshaping', () => {
    expect(['supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn', 'split', 'merge'].filter(isRevitalising)).toEqual(['supply', 'dispose', 'redevelop']);
  });
});

describe('the event contract', () => {
  const base = { eventDate: '2025-06-30', docNo: '汴自然资供〔2025〕12号' };
  it('needs a price for every supply but an allocation', () => {
    expect(StockEventRequest.safeParse({ kind: 'supply', ...base, details: { method: '出让', contractNo: 'HT-1', landUser: '某公司' } }).success).toBe(false);
    expect(StockEventRequest.safeParse({ kind: 'supply', ...base, details: { method: '划拨', contractNo: 'HT-1', landUser: '某学校' } }).success).toBe(true);
    expect(StockEventRequest.safeParse({ kind: 'supply', ...base, details: { method: '出让', contractNo: 'HT-1', landUser: '某公司', priceWan: 1200 } }).success).toBe(true);
  });
  it('needs a disposal method and a real date', () => {
    expect(StockEventRequest.safeParse({ kind: 'dispose', ...base, details: {} }).success).toBe(false);
    expect(StockEventRequest.safeParse({ kind: 'dispose', ...base, eventDate: '2025-02-30', details: { method: '收回' } }).success).toBe(false);
    expect(StockEventRequest.safeParse({ kind: 'dispose', ...base, docNo: '  ', details: { method: '收回' } }).success).toBe(false);
    expect(StockEventRequest.safeParse({ kind: 'dispose', ...base, details: { method: '收回' } }).success).toBe(true);
  });
});
