/**
 * The stock-land search as it lives in the URL: the page's query string uses the API's own
 * parameter names (county, category, use, status, minArea … sort, near, page, pageSize), so
 * a shared link restores the search and the same filters go unchanged to the search and
 * export endpoints. Values are kept as typed; the server validates them and its 400 message
 * names the field.
 *
 * @example
 *   const f = readFilters('?county=410221&category=闲置土地&page=2');
 *   apiQuery(f)    // 'county=410221&category=闲置土地&page=2'
 *   exportQuery(f) // 'county=410221&category=闲置土地'
 */
import { STOCK_SORTS, type StockSearchQuery } from '../../../core/contracts/stock.ts';
import { M2_PER_HA, M2_PER_MU, roundTo } from '../../../core/units.ts';
import { DIGITS } from '../format.ts';
import { setLangParam, type Lang } from '../i18n.ts';

export type AreaUnit = StockSearchQuery['areaUnit'];
export type StockSort = (typeof STOCK_SORTS)[number];

export interface StockFilters {
  county: string[];
  category: string[];
  use: string[];
  /** Empty: the server's default (可供应); ['all'] for every status. */
  status: string[];
  minArea: string;
  maxArea: string;
  areaUnit: AreaUnit;
  minPlotRatio: string;
  maxPlotRatio: string;
  /** 万元/亩. */
  minPrice: string;
  maxPrice: string;
  q: string;
  sort: StockSort;
  /** The picked point, [lon, lat]. */
  near: [number, number] | null;
  page: number;
  pageSize: number;
}

export const DEFAULT_SORT: StockSort = '-area';
export const DEFAULT_PAGE_SIZE = 20;
export const PAGE_SIZES = [20, 50, 100] as const;

export const NUMERIC_FIELDS = ['minArea', 'maxArea', 'minPlotRatio', 'maxPlotRatio', 'minPrice', 'maxPrice'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

export function emptyFilters(): StockFilters {
  return {
    county: [],
    category: [],
    use: [],
    status: [],
    minArea: '',
    maxArea: '',
    areaUnit: 'mu',
    minPlotRatio: '',
    maxPlotRatio: '',
    minPrice: '',
    maxPrice: '',
    q: '',
    sort: DEFAULT_SORT,
    near: null,
    page: 1,
    pageSize: DEFAULT_PAGE_SIZE,
  };
}

const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Coordinates of the picked point, rounded to about 1 m. */
export const roundCoord = (v: number) => Math.round(v * 1e6) / 1e6;

/** Reads the search from a query string; unknown or malformed values fall back to the defaults. */
export function readFilters(search: string): StockFilters {
  const p = new URLSearchParams(search);
  const f = emptyFilters();
  f.county = list(p.get('county'));
  f.category = list(p.get('category'));
  f.use = list(p.get('use'));
  f.status = list(p.get('status'));
  for (const k of NUMERIC_FIELDS) f[k] = p.get(k)?.trim() ?? '';
  const unit = p.get('areaUnit');
  if (unit === 'ha' || unit === 'm2' || unit === 'mu') f.areaUnit = unit;
  f.q = p.get('q') ?? '';
  const sort = p.get('sort');
  if (sort && (STOCK_SORTS as readonly string[]).includes(sort)) f.sort = sort as StockSort;
  const near = list(p.get('near')).map(Number);
  if (near.length === 2 && near.every(Number.isFinite)) f.near = [near[0]!, near[1]!];
  if (f.sort === 'distance' && !f.near) f.sort = DEFAULT_SORT;
  const page = Number(p.get('page'));
  if (Number.isInteger(page) && page >= 1) f.page = page;
  const size = Number(p.get('pageSize'));
  if (Number.isInteger(size) && size >= 1) f.pageSize = size;
  return f;
}

/** The filters as query parameters, defaults left out; `paged` adds page and pageSize. */
function params(f: StockFilters, paged: boolean): URLSearchParams {
  const p = new URLSearchParams();
  if (f.county.length) p.set('county', f.county.join(','));
  if (f.category.length) p.set('category', f.category.join(','));
  if (f.use.length) p.set('use', f.use.join(','));
  if (f.status.length) p.set('status', f.status.join(','));
  if (f.minArea !== '' || f.maxArea !== '') {
    if (f.minArea !== '') p.set('minArea', f.minArea);
    if (f.maxArea !== '') p.set('maxArea', f.maxArea);
  }
  if (f.areaUnit !== 'mu') p.set('areaUnit', f.areaUnit);
  for (const k of ['minPlotRatio', 'maxPlotRatio', 'minPrice', 'maxPrice'] as const) if (f[k] !== '') p.set(k, f[k]);
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.sort !== DEFAULT_SORT) p.set('sort', f.sort);
  if (f.near) p.set('near', `${roundCoord(f.near[0])},${roundCoord(f.near[1])}`);
  if (paged) {
    if (f.page !== 1) p.set('page', String(f.page));
    if (f.pageSize !== DEFAULT_PAGE_SIZE) p.set('pageSize', String(f.pageSize));
  }
  return p;
}

/** Commas and colons stay readable in the address bar. */
const readable = (p: URLSearchParams) => p.toString().replace(/%2C/g, ',');

/** The query string of GET /api/stock-parcels for the filters (without "?"). */
export const apiQuery = (f: StockFilters) => readable(params(f, true));

/** The query string of the exports: the same filters, no paging (the whole filtered list). */
export const exportQuery = (f: StockFilters) => readable(params(f, false));

/** The page's own query string: the search, plus the language when it is English. */
export function pageQuery(f: StockFilters, lang: Lang): string {
  return readable(setLangParam(params(f, true), lang));
}

/**
 * Converts an area bound typed in one unit to another, so switching 亩 ↔ 公顷 keeps the
 * same range; empty or unreadable input is kept as typed.
 *
 * @example convertArea('15', 'mu', 'ha') // '1'
 */
export function convertArea(value: string, from: AreaUnit, to: AreaUnit): string {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || from === to) return value;
  const perUnit = { mu: M2_PER_MU, ha: M2_PER_HA, m2: 1 };
  return String(roundTo((v * perUnit[from]) / perUnit[to], DIGITS[to]));
}
