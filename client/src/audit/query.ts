/**
 * The case queue as it lives in the URL: the page's query string uses the API's own parameter
 * names (county, status, source, from, to, minOverlapMu, overlap, q, sort, page, pageSize), so
 * a shared link restores the queue and the same filters go unchanged to GET /api/cases and
 * the exports. The case page carries the same query, so its next/previous buttons follow the
 * queue it was opened from. Values are kept as typed; the server validates them and its 400
 * message names the field.
 *
 * @example
 *   const f = readCaseFilters('?county=410221&status=待核查&page=2');
 *   caseApiQuery(f)    // 'county=410221&status=待核查&page=2'
 *   caseExportQuery(f) // 'county=410221&status=待核查'
 */
import { CASE_SORTS, OVERLAP_FILTERS } from '../../../core/contracts/cases.ts';
import { setLangParam, type Lang } from '../i18n.ts';

export type CaseSort = (typeof CASE_SORTS)[number];
export type OverlapFilter = (typeof OVERLAP_FILTERS)[number];

export interface CaseFilters {
  county: string[];
  status: string[];
  source: string[];
  /** Detection date range, YYYY-MM-DD (as typed). */
  from: string;
  to: string;
  /** 亩, of the overlap chosen by `overlap`. */
  minOverlapMu: string;
  overlap: OverlapFilter;
  /** Part of a case code. */
  q: string;
  sort: CaseSort;
  page: number;
  pageSize: number;
}

export const DEFAULT_CASE_SORT: CaseSort = '-detectedOn';
export const DEFAULT_OVERLAP: OverlapFilter = 'farmland';
export const DEFAULT_CASE_PAGE_SIZE = 20;
export const CASE_PAGE_SIZES = [20, 50, 100] as const;

export function emptyCaseFilters(): CaseFilters {
  return {
    county: [],
    status: [],
    source: [],
    from: '',
    to: '',
    minOverlapMu: '',
    overlap: DEFAULT_OVERLAP,
    q: '',
    sort: DEFAULT_CASE_SORT,
    page: 1,
    pageSize: DEFAULT_CASE_PAGE_SIZE,
  };
}

const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Reads the queue from a query string; unknown or malformed values fall back to the defaults. */
export function readCaseFilters(search: string): CaseFilters {
  const p = new URLSearchParams(search);
  const f = emptyCaseFilters();
  f.county = list(p.get('county'));
  f.status = list(p.get('status'));
  f.source = list(p.get('source'));
  f.from = p.get('from')?.trim() ?? '';
  f.to = p.get('to')?.trim() ?? '';
  f.minOverlapMu = p.get('minOverlapMu')?.trim() ?? '';
  const overlap = p.get('overlap');
  if (overlap && (OVERLAP_FILTERS as readonly string[]).includes(overlap)) f.overlap = overlap as OverlapFilter;
  f.q = p.get('q') ?? '';
  const sort = p.get('sort');
  if (sort && (CASE_SORTS as readonly string[]).includes(sort)) f.sort = sort as CaseSort;
  const page = Number(p.get('page'));
  if (Number.isInteger(page) && page >= 1) f.page = page;
  const size = Number(p.get('pageSize'));
  if (Number.isInteger(size) && size >= 1) f.pageSize = size;
  return f;
}

/** The filters as query parameters, defaults left out; `paged` adds page and pageSize. */
function params(f: CaseFilters, paged: boolean): URLSearchParams {
  const p = new URLSearchParams();
  if (f.county.length) p.set('county', f.county.join(','));
  if (f.status.length) p.set('status', f.status.join(','));
  if (f.source.length) p.set('source', f.source.join(','));
  if (f.from !== '') p.set('from', f.from);
  if (f.to !== '') p.set('to', f.to);
  if (f.minOverlapMu !== '') p.set('minOverlapMu', f.minOverlapMu);
  if (f.overlap !== DEFAULT_OVERLAP) p.set('overlap', f.overlap);
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.sort !== DEFAULT_CASE_SORT) p.set('sort', f.sort);
  if (paged) {
    if (f.page !== 1) p.set('page', String(f.page));
    if (f.pageSize !== DEFAULT_CASE_PAGE_SIZE) p.set('pageSize', String(f.pageSize));
  }
  return p;
}

/** Commas stay readable in the address bar. */
const readable = (p: URLSearchParams) => p.toString().replace(/%2C/g, ',');

/** The query string of GET /api/cases for the filters (without "?"). */
export const caseApiQuery = (f: CaseFilters) => readable(params(f, true));

/** The query string of the exports: the same filters and sort, no paging (the whole filtered list). */
export const caseExportQuery = (f: CaseFilters) => readable(params(f, false));

/** A page's own query string: the queue, plus the language when it is English. */
export function casePageQuery(f: CaseFilters, lang: Lang): string {
  return readable(setLangParam(params(f, true), lang));
}
