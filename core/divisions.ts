/**
 * Henan's city-level divisions and the reading of an administrative scope.
 *
 * Division codes are the official 6-digit ones (GB/T 2260): 41 the province, 41xx00 a city,
 * 41xxyy a county-level unit of that city. 济源 (Jiyuan) is a county-level city governed by the
 * province directly (419001) and counts as a city of its own here, as the provincial platform
 * lists it among the eighteen.
 *
 * A scope is one such code: an account's area of work (docs/domain.md, "Scope"). Everything
 * a scope contains is found by the county code's prefix, so a filter is an index-friendly
 * `county_code LIKE prefix || '%'` (and, past one primary, the county code is the shard key).
 */

export interface City {
  code: string;
  name: string;
  nameEn: string;
}

export const PROVINCE = { code: '410000', name: '河南省', nameEn: 'Henan Province' } as const;

/** The eighteen city-level divisions of Henan, in code order. */
export const HENAN_CITIES: readonly City[] = [
  { code: '410100', name: '郑州市', nameEn: 'Zhengzhou' },
  { code: '410200', name: '开封市', nameEn: 'Kaifeng' },
  { code: '410300', name: '洛阳市', nameEn: 'Luoyang' },
  { code: '410400', name: '平顶山市', nameEn: 'Pingdingshan' },
  { code: '410500', name: '安阳市', nameEn: 'Anyang' },
  { code: '410600', name: '鹤壁市', nameEn: 'Hebi' },
  { code: '410700', name: '新乡市', nameEn: 'Xinxiang' },
  { code: '410800', name: '焦作市', nameEn: 'Jiaozuo' },
  { code: '410900', name: '濮阳市', nameEn: 'Puyang' },
  { code: '411000', name: '许昌市', nameEn: 'Xuchang' },
  { code: '411100', name: '漯河市', nameEn: 'Luohe' },
  { code: '411200', name: '三门峡市', nameEn: 'Sanmenxia' },
  { code: '411300', name: '南阳市', nameEn: 'Nanyang' },
  { code: '411400', name: '商丘市', nameEn: 'Shangqiu' },
  { code: '411500', name: '信阳市', nameEn: 'Xinyang' },
  { code: '411600', name: '周口市', nameEn: 'Zhoukou' },
  { code: '411700', name: '驻马店市', nameEn: 'Zhumadian' },
  { code: '419001', name: '济源市', nameEn: 'Jiyuan' },
];

export type ScopeLevel = 'province' | 'city' | 'county';

const CODE = /^41\d{4}$/;

/** Whether `code` is a division code of Henan (the province, a city or a county-level unit). */
export const isDivisionCode = (code: string): boolean => CODE.test(code);

/** What kind of division a code names. */
export function scopeLevelOf(code: string): ScopeLevel {
  if (code === PROVINCE.code) return 'province';
  if (HENAN_CITIES.some((c) => c.code === code)) return 'city';
  return 'county';
}

/**
 * The county-code prefix a scope covers: '41' for the province, the first four digits for a
 * city ('4108' for 焦作市), the whole code for a county — and for 济源, a city that is a single
 * county-level unit.
 *
 * @example scopePrefix('410000') // '41'
 * @example scopePrefix('410800') // '4108'
 * @example scopePrefix('410811') // '410811'
 * @example scopePrefix('419001') // '419001'
 */
export function scopePrefix(code: string): string {
  if (code === PROVINCE.code) return '41';
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** Whether a county (by its code) lies inside a scope. */
export const inScope = (scope: string, countyCode: string): boolean => countyCode.startsWith(scopePrefix(scope));

/** Whether scope `inner` lies wholly inside scope `outer` (an administrator may give only what they hold). */
export const scopeWithin = (outer: string, inner: string): boolean => scopePrefix(inner).startsWith(scopePrefix(outer));

/** The city a county belongs to (济源 is its own). */
export function cityOf(countyCode: string): City | undefined {
  return HENAN_CITIES.find((c) => countyCode.startsWith(scopePrefix(c.code)));
}

/**
 * The division a table of counties totals to: the scope itself, or — at the province, when
 * every county listed lies in one city (a city's own deployment, the demo) — that city.
 */
export function totalDivision(scope: string, countyCodes: readonly string[]): string {
  if (scope !== PROVINCE.code || !countyCodes.length) return scope;
  const cities = new Set(countyCodes.map((c) => cityOf(c)?.code ?? c));
  return cities.size === 1 ? [...cities][0]! : scope;
}
