/**
 * Refusals of a request in the user's language: each field named in words (not its JSON
 * path), zod's issues as Chinese or English sentences — never zod's English defaults
 * ("Invalid input: expected int…") in a Chinese message — nested fields included.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NewUserRequest, SignInRequest } from '../../core/contracts/auth.ts';
import { SiteCheckRequest } from '../../core/contracts/site-check.ts';
import { StockSearchQuery } from '../../core/contracts/stock.ts';
import { CaseListQuery } from '../../core/contracts/cases.ts';
import { fieldLabel, installZodMessages, issueMessage, type IssueLike } from '../../core/validation-messages.ts';

const SQUARE = { type: 'Polygon', coordinates: [[[114.35, 34.79], [114.353, 34.79], [114.353, 34.7927], [114.35, 34.79]]] };
const issuesOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) throw new Error('expected a refusal');
  return r.error.issues as unknown as IssueLike[];
};
const say = (schema: z.ZodType, value: unknown, lang: 'zh' | 'en', route?: string) => issuesOf(schema, value).map((i) => issueMessage(i, lang, route));
/** camelCase identifiers (stockFirst, pageSize) outside quotes. */
const CAMEL_RE = /(?<![\w-])[a-z]+[A-Z][A-Za-z0-9]*/;
/** camelCase outside quoted values (“-detectedOn” is a value the API takes, quoted as such). */
const CAMEL = { [Symbol.match]: (s: string) => CAMEL_RE.exec(s.replace(/“[^”]*”|"[^"]*"/g, '')) } as unknown as RegExp;
const ENGLISH_DEFAULTS = /Invalid input|expected|received|Too (big|small)/;

describe('field labels', () => {
  it('name a nested field in words, and its position in a list', () => {
    expect(fieldLabel(['stockFirst', 'note'], 'zh')).toBe('理由说明');
    expect(fieldLabel(['stockFirst', 'note'], 'en')).toBe('Explanation of the reason');
    expect(fieldLabel(['geometry', 'coordinates', 0, 3, 1], 'zh')).toBe('选址范围的坐标（第 1/4/2 项）');
    expect(fieldLabel('geometry.coordinates.0.3', 'en')).toBe('Coordinates of the site (item 1/4)');
    // a nested field without a word of its own: its parent's word and its own
    expect(fieldLabel(['provenance', 'source', 'crs'], 'zh')).toBe('来源文件的坐标的坐标系');
    expect(fieldLabel(['noSuchField'], 'zh')).toBeNull();
  });
  it('follow the route where one key means two things', () => {
    expect(fieldLabel(['status'], 'zh', '/api/stock-parcels')).toBe('供应状态');
    expect(fieldLabel(['status'], 'zh', '/api/cases/:id/decisions')).toBe('核查结论');
    expect(fieldLabel(['status'], 'en', '/api/cases')).toBe('Review status');
  });
});

describe('issue messages', () => {
  it('a type error is a sentence in each language naming the field in words', () => {
    const zh = say(StockSearchQuery, { page: 'abc' }, 'zh', '/api/stock-parcels');
    const en = say(StockSearchQuery, { page: 'abc' }, 'en', '/api/stock-parcels');
    expect(zh).toEqual(['页码须为整数']);
    expect(en).toEqual(['Page must be a number']);
    const int = say(StockSearchQuery, { page: '1.5' }, 'en');
    expect(int).toEqual(['Page must be a whole number']);
  });

  it('a union says what it takes (zod alone said "Invalid input")', () => {
    expect(say(StockSearchQuery, { status: '不存在' }, 'zh')).toEqual(['供应状态只能是：all（全部）或 可供应、已意向、已供应、已盘活']);
    expect(say(StockSearchQuery, { status: '不存在' }, 'en', '/api/stock-parcels')).toEqual(['Supply status matches none of the allowed forms']);
  });

  it('a refinement says its own words in each language', () => {
    expect(say(StockSearchQuery, { minArea: '9', maxArea: '1' }, 'zh')).toEqual(['最小面积不能大于最大面积']);
    expect(say(StockSearchQuery, { minArea: '9', maxArea: '1' }, 'en')).toEqual(['The minimum area may not exceed the maximum']);
    expect(say(CaseListQuery, { from: '2026-02-01', to: '2026-01-01' }, 'en')).toEqual(['The detection date “from” may not be after “to”']);
  });

  it('a nested field (stockFirst.note) in Chinese and English', () => {
    const body = { geometry: SQUARE, use: '工业', stockFirst: { reason: 'other', note: 'x'.repeat(600) } };
    expect(say(SiteCheckRequest, body, 'zh')).toEqual(['理由说明最多 500 个字符']);
    expect(say(SiteCheckRequest, body, 'en')).toEqual(['Explanation of the reason: at most 500 characters']);
    const missing = { geometry: SQUARE, use: '工业', stockFirst: { reason: 'nope' } };
    const [zh] = say(SiteCheckRequest, missing, 'zh');
    expect(zh).toMatch(/^继续新增用地的理由为必填项，只能是：/);
    const [en] = say(SiteCheckRequest, missing, 'en');
    expect(en).toMatch(/^Reason for new land must be one of: /);
  });

  it('a nested coordinate out of range names the coordinate', () => {
    const body = { geometry: { type: 'Polygon', coordinates: [[[1e300, 0], [1, 1], [0, 1], [1e300, 0]]] }, use: '工业', stockFirst: { reason: 'other', note: 'n' } };
    const en = say(SiteCheckRequest, body, 'en');
    expect(en.join(' ')).toMatch(/Coordinates of the site \(item 1\/1\/1\) must be at most/);
  });

  it('a missing field is required, a role is named in words', () => {
    expect(say(SignInRequest, { password: 'x' }, 'zh')).toEqual(['用户名不能为空']);
    expect(say(SignInRequest, { password: 'x' }, 'en')).toEqual(['User name is required']);
    const [zh] = say(NewUserRequest, { username: 'abc', password: 'x', role: 'boss' }, 'zh');
    expect(zh).toContain('企业（enterprise）');
    const [en] = say(NewUserRequest, { username: 'abc', password: 'x', role: 'boss' }, 'en');
    expect(en).toMatch(/^Role must be one of: .*Enterprise.*\(enterprise\)/i);
  });

  it('no Chinese message of the request schemas holds zod’s English or a camelCase name', () => {
    const cases: [z.ZodType, unknown][] = [
      [StockSearchQuery, { minArea: '-1', maxArea: 'x', sort: 'nope', pageSize: '0', near: '500,500' }],
      [StockSearchQuery, { minPrice: '9', maxPrice: '1' }],
      [CaseListQuery, { from: '2026-13-01', minOverlapMu: 'x', sort: 'x', page: '0', overlap: 'x' }],
      [SiteCheckRequest, { geometry: { type: 'Point', coordinates: [1, 2] }, use: 'x', bufferMeters: -1 }],
      [SiteCheckRequest, {}],
      [NewUserRequest, { username: 'a', displayName: 'x'.repeat(60), role: 1, password: '' }],
    ];
    for (const [schema, value] of cases) {
      for (const m of say(schema, value, 'zh')) {
        expect(m, m).not.toMatch(ENGLISH_DEFAULTS);
        expect(m, m).not.toMatch(CAMEL);
        expect(m, m).toMatch(/[\u4e00-\u9fff]/);
      }
      for (const m of say(schema, value, 'en')) {
        expect(m, m).not.toMatch(/[\u4e00-\u9fff]/);
        expect(m, m).not.toMatch(ENGLISH_DEFAULTS);
      }
    }
  });

  it('zod’s own message (read raw, with no schema message) is Chinese once installed', () => {
    const schema = z.object({ pageSize: z.number().int() });
    const parsed = schema.safeParse({ pageSize: 'x' });
    const before = parsed.success ? '' : parsed.error.issues[0]!.message;
    installZodMessages('zh');
    const after = schema.safeParse({ pageSize: 'x' });
    expect(after.success ? '' : after.error.issues[0]!.message).toBe('每页条数应为数字');
    // the map is what changed, not the schema
    expect(before).toMatch(/expected number/);
    installZodMessages('en');
    const en = schema.safeParse({ pageSize: 'x' });
    expect(en.success ? '' : en.error.issues[0]!.message).toBe('Page size must be a number');
  });
});

describe('an enterprise land request refused', () => {
  it('names each field in words in both languages, a date that does not exist included', async () => {
    const { LandRequestInput } = await import('../../core/contracts/land-requests.ts');
    const base = { company: '某公司', use: '工业', areaMinMu: 30, areaMaxMu: 50, contactName: '王经理', contactPhone: '0371-23456789' };
    const route = '/api/land-requests';
    expect(say(LandRequestInput, { ...base, neededBy: '2026-02-30' }, 'zh', route)).toEqual(['用地时间不是有效的日期']);
    expect(say(LandRequestInput, { ...base, neededBy: '2026-02-30' }, 'en', route)).toEqual(['Needed by is not a valid date']);
    expect(say(LandRequestInput, { ...base, contactPhone: 'call me' }, 'en', route)).toEqual(['Telephone is not in the right format']);
    expect(say(LandRequestInput, { ...base, budgetWan: -1 }, 'en', route)).toEqual(['Budget (10k yuan) must be at least 0']);
    expect(say(LandRequestInput, { ...base, areaMaxMu: 20 }, 'en', route)).toEqual(['The minimum area may not exceed the maximum']);
    for (const m of say(LandRequestInput, {}, 'en', route)) {
      expect(m).not.toMatch(CAMEL);
      expect(m).not.toMatch(ENGLISH_DEFAULTS);
    }
  });
});
