/**
 * The English words: counted words agree with their number (Intl.PluralRules), every English
 * entry of the UI's table is free of Chinese characters and punctuation (bar the language
 * switch's 中文), and every value of the contracts' enumerations has its English.
 */
import { describe, expect, it } from 'vitest';
import { STRING_KEYS, plural, translate } from '../../client/src/i18n.ts';
import { CASE_SOURCES, CASE_STATUSES } from '../../core/case-status.ts';
import { RECTIFICATION_STATUSES, RECTIFICATION_STATUS_EN } from '../../core/rectification.ts';
import { STOCK_CATEGORIES, STOCK_STATUSES } from '../../core/contracts/stock.ts';
import { PLANNED_USES } from '../../core/stock-match.ts';
import { CASE_SOURCE_EN, CASE_STATUS_EN, PLANNED_USE_EN, STOCK_CATEGORY_EN, STOCK_STATUS_EN, vocabularyEn } from '../../core/vocabulary.ts';

const CHINESE = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef\u201c\u201d]/u;

describe('English words', () => {
  it('count: one parcel, two parcels, no parcels', () => {
    expect(translate('en', 'parcels', { n: 1 })).toBe('1 parcel');
    expect(translate('en', 'parcels', { n: 2 })).toBe('2 parcels');
    expect(translate('en', 'parcels', { n: 0 })).toBe('0 parcels');
    expect(translate('zh', 'parcels', { n: 1 })).toBe('1 个地块');
    expect(translate('en', 'featureCount', { n: 1, count: '1' })).toBe('1 feature');
    expect(translate('en', 'featureCount', { n: 1200, count: '1,200' })).toBe('1,200 features');
    expect(plural({ one: 'a', other: 'b' }, 1)).toBe('a');
  });

  it('count inside a sentence, each number its own word', () => {
    expect(translate('en', 'auDryCounts', { rows: 1, ok: 1, invalid: 0, duplicate: 0 })).toBe('1 row: 1 valid, 0 invalid, 0 duplicates');
    expect(translate('en', 'auDryCounts', { rows: 3, ok: 1, invalid: 1, duplicate: 1 })).toBe('3 rows: 1 valid, 1 invalid, 1 duplicate');
  });

  it('has no Chinese character or punctuation in any English entry but the name of Chinese itself', () => {
    const bad = STRING_KEYS.filter((k) => k !== 'language' && k !== 'rp_language' && k !== 'auApprovalNoPlaceholder').filter((k) => CHINESE.test(translate('en', k, { n: 2 })));
    expect(bad).toEqual([]);
    // English entries that count write "(s)" nowhere
    expect(STRING_KEYS.filter((k) => /\w\(s\)/.test(translate('en', k, { n: 2 })))).toEqual([]);
  });

  it('translates every value of the enumerations the contracts allow', () => {
    const tables: [readonly string[], Record<string, string>][] = [
      [STOCK_CATEGORIES, STOCK_CATEGORY_EN],
      [STOCK_STATUSES, STOCK_STATUS_EN],
      [PLANNED_USES, PLANNED_USE_EN],
      [CASE_STATUSES, CASE_STATUS_EN],
      [CASE_SOURCES, CASE_SOURCE_EN],
      [RECTIFICATION_STATUSES, RECTIFICATION_STATUS_EN],
    ];
    for (const [values, table] of tables) {
      for (const v of values) {
        const en = vocabularyEn(table, v);
        expect(en, v).not.toBeNull();
        expect(CHINESE.test(en!), v).toBe(false);
      }
    }
    // a value no table holds is data: not translated, whatever it looks like
    expect(vocabularyEn(STOCK_STATUS_EN, 'constructor')).toBeNull();
    expect(vocabularyEn(STOCK_STATUS_EN, '某地块')).toBeNull();
  });
});
