/**
 * A searchable list's state, kept in the address: the filters read from the query string at
 * first and written back on every change (history state kept, so a search can be shared and
 * survives a reload), the text inputs as typed until committed (blur, Enter), and one request
 * per query — a newer one aborts the older. The server validates the values; its 400 names the
 * fields, which the page marks.
 *
 * @example
 * const list = useListQuery(STOCK_LIST, lang);   // STOCK_LIST: a ListSpec declared once
 * list.change({ category: ['闲置土地'] });         // back to page 1, new request, new address
 * list.goTo(2);
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { translate, type Lang, type StringKey } from '../i18n.ts';

/** A failed request as the page shows it: the server's code and message, and the fields it names. */
export interface ListError {
  code: string;
  message: string;
  fields: string[];
}

export interface Paged {
  page: number;
  pageSize: number;
}

export interface ListResponse<T> {
  items: T[];
  total: number;
}

/** What a page declares about its list (once, at module level). */
export interface ListSpec<F extends Paged, K extends string, R extends ListResponse<unknown>> {
  /** The filters in a query string; unknown or malformed values give the defaults. */
  read: (search: string) => F;
  empty: () => F;
  /** GET's query string for the filters, paging included (without "?"). */
  apiQuery: (f: F) => string;
  /** The page's own query string: the filters, and the language when English. */
  pageQuery: (f: F, lang: Lang) => string;
  fetch: (query: string, lang: Lang, signal: AbortSignal) => Promise<R>;
  asError: (e: unknown) => ListError;
  /** The filters typed into text inputs, as typed. */
  draftOf: (f: F) => Record<K, string>;
  /** The page's title (the document's title is it and the app's). */
  title: StringKey;
}

/** What the list and its pager read. */
export interface ListView<T> {
  /** 'ready' only when the list shows the answer to the current query. */
  state: 'loading' | 'ready' | 'error';
  result: { query: string } | null;
  error: ListError | null;
  items: T[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  goTo: (page: number) => void;
  setPageSize: (n: number) => void;
}

export function useListQuery<F extends Paged, K extends string, R extends ListResponse<{ id: number }>>(
  spec: ListSpec<F, K, R>,
  lang: Lang,
  opts: { onResult?: (data: R) => void } = {},
) {
  const [filters, setFilters] = useState<F>(() => spec.read(window.location.search));
  const [draft, setDraftState] = useState<Record<K, string>>(() => spec.draftOf(filters));
  const [result, setResult] = useState<{ query: string; data: R } | null>(null);
  const [error, setError] = useState<ListError | null>(null);
  const [loading, setLoading] = useState(true);
  const onResult = useRef(opts.onResult);
  onResult.current = opts.onResult;

  const query = spec.apiQuery(filters);
  const items = useMemo(() => (result?.data.items ?? []) as R['items'], [result]);
  const total = result?.data.total ?? 0;

  // the address: the search itself (history state kept)
  useEffect(() => {
    const q = spec.pageQuery(filters, lang);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
    document.title = `${translate(lang, spec.title)} · ${translate(lang, 'title')}`;
  }, [spec, filters, lang]);

  // the list: one request per query; a newer query cancels the older
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    spec
      .fetch(query, lang, ctl.signal)
      .then((data) => {
        setResult({ query, data });
        setError(null);
        setLoading(false);
        onResult.current?.(data);
      })
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(spec.asError(e));
        setResult(null);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [spec, query, lang]);

  /** Changes filters; back to the first page unless the change is the page. */
  const change = useCallback((patch: Partial<F>) => setFilters((f) => ({ ...f, ...patch, page: patch.page ?? 1 })), []);

  const setDraft = useCallback((k: K, v: string) => setDraftState((d) => ({ ...d, [k]: v })), []);

  /** Commits the typed filters (with `patch` typed at once, e.g. a date picked): a new search when any differs. */
  const commitDraft = useCallback(
    (patch: Partial<Record<K, string>> = {}) => {
      const next = { ...draft, ...patch };
      setDraftState(next);
      setFilters((f) => {
        const changed = (Object.keys(next) as K[]).some((k) => next[k] !== (f as unknown as Record<K, string>)[k]);
        return changed ? { ...f, ...next, page: 1 } : f;
      });
    },
    [draft],
  );

  /** Every filter back to its default; the page size stays. */
  const reset = useCallback(() => {
    const f = { ...spec.empty(), pageSize: filters.pageSize };
    setFilters(f);
    setDraftState(spec.draftOf(f));
  }, [spec, filters.pageSize]);

  const view: ListView<R['items'][number]> = {
    state: error ? 'error' : loading || !result || result.query !== query ? 'loading' : 'ready',
    result,
    error,
    items,
    total,
    page: filters.page,
    pages: Math.max(1, Math.ceil(total / filters.pageSize)),
    pageSize: filters.pageSize,
    goTo: (page) => change({ page } as Partial<F>),
    setPageSize: (pageSize) => change({ pageSize } as Partial<F>),
  };
  return { ...view, filters, setFilters, change, draft, setDraft, commitDraft, reset, query, data: result?.data ?? null, invalid: error?.fields ?? [] };
}

/** A list's whole state, as the page's filters read and change it. */
export type ListQuery<F extends Paged, K extends string, R extends ListResponse<{ id: number }>> = ReturnType<typeof useListQuery<F, K, R>>;
