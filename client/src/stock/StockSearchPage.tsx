/**
 * 存量土地查询 (/stock): filters, a paged list and a map side by side, kept in step — a
 * hovered row lights its parcel on the map, a clicked parcel marks its row. Every filter,
 * the sort, the page and the picked point live in the query string (readFilters/pageQuery),
 * so a search can be shared and survives a reload; the exports take the same filters.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { PLANNED_USES, type StockSearchResponse } from '../../../core/contracts/stock.ts';
import { translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { StockApiError, parcelPath, stockApi, stockExportLinks } from './api.ts';
import { StockHeader, useStockBase } from './common.tsx';
import { CATEGORIES, DASH, DIGITS, STATUSES, formatNumber, kmText, valueWord } from './format.ts';
import {
  NUMERIC_FIELDS,
  PAGE_SIZES,
  apiQuery,
  convertArea,
  emptyFilters,
  exportQuery,
  pageQuery,
  readFilters,
  roundCoord,
  type AreaUnit,
  type NumericField,
  type StockFilters,
  type StockSort,
} from './query.ts';
import { StockMap, publicStockStyle, SELECTED_COLOR } from './stock-map.ts';
import { SaveSearch } from './SaveSearch.tsx';
import type { Navigation } from './StockApp.tsx';
import { getLayer } from '../../../core/layers.ts';

type Draft = Record<NumericField | 'q', string>;
const draftOf = (f: StockFilters): Draft => ({ ...Object.fromEntries(NUMERIC_FIELDS.map((k) => [k, f[k]])), q: f.q }) as Draft;

const SORTS: StockSort[] = ['-area', 'area', 'price', '-price', '-date', 'date', 'distance'];
const STATUS_OPTIONS = ['可供应', '已意向', '已供应', 'all'];

/** A name for a saved search from its filters, e.g. "工业 · 20–80 亩". */
function savedName(f: StockFilters, lang: Lang): string {
  const parts: string[] = [];
  if (f.use.length) parts.push(f.use.join('、'));
  if (f.category.length) parts.push(f.category.join('、'));
  if (f.minArea !== '' || f.maxArea !== '') parts.push(`${f.minArea || '0'}–${f.maxArea || '∞'} ${f.areaUnit === 'mu' ? (lang === 'zh' ? '亩' : 'mu') : f.areaUnit === 'ha' ? (lang === 'zh' ? '公顷' : 'ha') : 'm²'}`);
  if (f.q.trim()) parts.push(`“${f.q.trim()}”`);
  return parts.length ? parts.join(' · ') : lang === 'zh' ? '全部可供应存量土地' : 'All available stock land';
}

const toggle = (list: string[], v: string, on: boolean) => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));

/** A group of checkboxes writing one list filter. */
function CheckGroup(props: { name: string; legend: string; options: { value: string; label: string }[]; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset className="stock-checks" data-filter={props.name}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value}>
          <input
            type="checkbox"
            name={props.name}
            value={o.value}
            checked={props.value.includes(o.value)}
            onChange={(e) => props.onChange(toggle(props.value, o.value, e.target.checked))}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A min–max pair of text inputs (values as typed; the server checks them and names the field). */
function RangeInputs(props: {
  label: string;
  min: NumericField;
  max: NumericField;
  draft: Draft;
  invalid: string[];
  onDraft: (k: NumericField, v: string) => void;
  onCommit: () => void;
  children?: ReactNode;
}) {
  const { t } = useT();
  const input = (k: NumericField, placeholder: string) => (
    <input
      type="text"
      inputMode="decimal"
      name={k}
      aria-label={`${props.label} ${placeholder}`}
      placeholder={placeholder}
      value={props.draft[k]}
      aria-invalid={props.invalid.includes(k) || undefined}
      onChange={(e) => props.onDraft(k, e.target.value)}
      onBlur={props.onCommit}
    />
  );
  return (
    <div className="stock-range">
      <span className="stock-range-label">{props.label}</span>
      <span className="stock-range-inputs">
        {input(props.min, t('stMin'))}
        <span aria-hidden="true">–</span>
        {input(props.max, t('stMax'))}
        {props.children}
      </span>
    </div>
  );
}

/** The filters column. */
function FilterPanel(props: {
  filters: StockFilters;
  draft: Draft;
  invalid: string[];
  counties: { code: string; name: string }[];
  onChange: (patch: Partial<StockFilters>) => void;
  onDraft: (k: keyof Draft, v: string) => void;
  onCommit: () => void;
  onReset: () => void;
}) {
  const { t, lang } = useT();
  const { filters: f } = props;
  const status = f.status.join(',') || '可供应';
  const statusOptions = STATUS_OPTIONS.includes(status) ? STATUS_OPTIONS : [...STATUS_OPTIONS, status];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onCommit();
  };
  return (
    <form className="stock-filters" data-testid="stock-filters" onSubmit={submit}>
      <h2>{t('stFilters')}</h2>
      <label className="stock-q">
        <span>{t('stQ')}</span>
        <input
          type="search"
          name="q"
          value={props.draft.q}
          placeholder={t('stQPlaceholder')}
          aria-invalid={props.invalid.includes('q') || undefined}
          onChange={(e) => props.onDraft('q', e.target.value)}
          onBlur={props.onCommit}
        />
      </label>
      <CheckGroup
        name="county"
        legend={t('stCounty')}
        options={props.counties.map((c) => ({ value: c.code, label: c.name }))}
        value={f.county}
        onChange={(county) => props.onChange({ county })}
      />
      <CheckGroup
        name="category"
        legend={t('stCategory')}
        options={CATEGORIES.map((c) => ({ value: c, label: valueWord(c, lang) }))}
        value={f.category}
        onChange={(category) => props.onChange({ category })}
      />
      <CheckGroup
        name="use"
        legend={t('stUse')}
        options={PLANNED_USES.map((u) => ({ value: u, label: valueWord(u, lang) }))}
        value={f.use}
        onChange={(use) => props.onChange({ use })}
      />
      <label className="stock-select">
        <span>{t('stStatus')}</span>
        <select
          name="status"
          value={status}
          aria-invalid={props.invalid.includes('status') || undefined}
          onChange={(e) => props.onChange({ status: e.target.value === '可供应' ? [] : e.target.value.split(',') })}
        >
          {statusOptions.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? t('stStatusAll') : s.split(',').map((x) => valueWord(x, lang)).join('、')}
            </option>
          ))}
        </select>
      </label>
      <RangeInputs label={t('stArea')} min="minArea" max="maxArea" draft={props.draft} invalid={props.invalid} onDraft={props.onDraft} onCommit={props.onCommit}>
        <select
          name="areaUnit"
          aria-label={t('stAreaUnit')}
          value={f.areaUnit}
          onChange={(e) => {
            const to = e.target.value as AreaUnit;
            const from = f.areaUnit;
            props.onDraft('minArea', convertArea(props.draft.minArea, from, to));
            props.onDraft('maxArea', convertArea(props.draft.maxArea, from, to));
            props.onChange({ areaUnit: to, minArea: convertArea(props.draft.minArea, from, to), maxArea: convertArea(props.draft.maxArea, from, to) });
          }}
        >
          {(['mu', 'ha', 'm2'] as const).map((u) => (
            <option key={u} value={u}>
              {t(`stUnit_${u}`)}
            </option>
          ))}
        </select>
      </RangeInputs>
      <RangeInputs label={t('stPlotRatio')} min="minPlotRatio" max="maxPlotRatio" draft={props.draft} invalid={props.invalid} onDraft={props.onDraft} onCommit={props.onCommit} />
      <RangeInputs label={t('stPrice')} min="minPrice" max="maxPrice" draft={props.draft} invalid={props.invalid} onDraft={props.onDraft} onCommit={props.onCommit} />
      <div className="stock-filter-actions">
        <button type="submit" className="stock-primary" data-testid="stock-apply">
          {t('stApply')}
        </button>
        <button type="button" className="stock-secondary" onClick={props.onReset}>
          {t('stReset')}
        </button>
      </div>
    </form>
  );
}

/** The pager: first, previous, "page x of y", next, last. */
function Pager(props: { page: number; pages: number; onPage: (p: number) => void }) {
  const { t } = useT();
  const { page, pages } = props;
  return (
    <nav className="stock-pager" data-testid="stock-pager" aria-label={t('stPage', { page, pages })}>
      <button type="button" disabled={page <= 1} onClick={() => props.onPage(1)}>
        {t('stFirst')}
      </button>
      <button type="button" data-page="prev" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        {t('stPrev')}
      </button>
      <span data-testid="stock-page" data-page={page} data-pages={pages}>
        {t('stPage', { page, pages })}
      </span>
      <button type="button" data-page="next" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
        {t('stNext')}
      </button>
      <button type="button" disabled={page >= pages} onClick={() => props.onPage(pages)}>
        {t('stLast')}
      </button>
    </nav>
  );
}

export function StockSearchPage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [filters, setFilters] = useState<StockFilters>(() => readFilters(window.location.search));
  const [draft, setDraft] = useState<Draft>(() => draftOf(filters));
  const [result, setResult] = useState<{ query: string; data: StockSearchResponse } | null>(null);
  const [error, setError] = useState<StockApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [hoveredId, setHoveredId] = useState<number | null>(null);
  const [picking, setPicking] = useState(false);
  const [outside, setOutside] = useState<{ id: number; code: string } | null>(null);
  const { base, error: baseError } = useStockBase();
  const mapRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<StockMap | null>(null);

  const query = apiQuery(filters);
  const items = useMemo(() => result?.data.items ?? [], [result]);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  // the address: the search itself (history state kept)
  useEffect(() => {
    const q = pageQuery(filters, lang);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
    document.title = `${translate(lang, 'stTitle')} · ${translate(lang, 'title')}`;
  }, [filters, lang]);

  // the list: one request per search; a newer search cancels the older
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    stockApi
      .search(query, lang, ctl.signal)
      .then((data) => {
        setResult({ query, data });
        setError(null);
        setLoading(false);
      })
      .catch((e: Error) => {
        if (ctl.signal.aborted) return;
        setError(e instanceof StockApiError ? e : new StockApiError(0, 'NETWORK', e.message));
        setResult(null);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [query, lang]);

  const change = useCallback((patch: Partial<StockFilters>) => {
    setFilters((f) => ({ ...f, ...patch, page: patch.page ?? 1 }));
  }, []);

  const commitDraft = useCallback(() => {
    setFilters((f) => {
      const changed = (Object.keys(draft) as (keyof Draft)[]).some((k) => draft[k] !== f[k]);
      return changed ? { ...f, ...draft, page: 1 } : f;
    });
  }, [draft]);

  // the map: public layers only; created once the counties are known
  const onParcelClick = useRef<(p: { id: number; code: string }) => void>(() => undefined);
  onParcelClick.current = (p) => {
    setSelectedId(p.id);
    if (itemsRef.current.some((i) => i.id === p.id)) {
      setOutside(null);
      listRef.current?.querySelector(`tr[data-id="${p.id}"]`)?.scrollIntoView({ block: 'nearest' });
    } else setOutside(p);
  };
  useEffect(() => {
    if (!base || !mapRef.current) return;
    const initial = readFilters(window.location.search).county;
    const chosen = base.counties.filter((c) => initial.includes(c.code));
    const bounds: [number, number, number, number] | undefined = chosen.length
      ? [Math.min(...chosen.map((c) => c.bbox[0])), Math.min(...chosen.map((c) => c.bbox[1])), Math.max(...chosen.map((c) => c.bbox[2])), Math.max(...chosen.map((c) => c.bbox[3]))]
      : base.cityBbox;
    const m = new StockMap({
      container: mapRef.current,
      style: publicStockStyle(base, { tiles: true }),
      bounds,
      onHover: (p) => setHoveredId(p?.id ?? null),
      onParcelClick: (p) => onParcelClick.current(p),
      onPick: (at) => {
        setPicking(false);
        setFilters((f) => ({ ...f, near: [roundCoord(at[0]), roundCoord(at[1])], sort: 'distance', page: 1 }));
      },
    });
    setMap(m);
    window.yizhangtuStock = { map: m };
    return () => {
      if (window.yizhangtuStock?.map === m) delete window.yizhangtuStock;
      m.destroy();
      setMap(null);
    };
  }, [base]);

  // results on the map: mark the page's parcels and show them (with the picked point)
  useEffect(() => {
    if (!map || !result) return;
    map.setListed(result.data.items.map((i) => i.id));
    const points = result.data.items.map((i) => i.center);
    if (filters.near && points.length) points.push(filters.near);
    map.fitPoints(points);
    // refit only for a new result, not when the point alone moves
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, result]);

  useEffect(() => {
    if (selectedId !== null && !items.some((i) => i.id === selectedId) && outside?.id !== selectedId) setSelectedId(null);
  }, [items, selectedId, outside]);
  useEffect(() => map?.setHover(hoveredId), [map, hoveredId]);
  useEffect(() => map?.setSelected(selectedId), [map, selectedId]);
  useEffect(() => {
    map?.setPicking(picking);
    if (!picking) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPicking(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [map, picking]);
  useEffect(() => map?.setMarker(filters.near, translate(lang, 'stPoint')), [map, filters.near, lang]);

  const onDraft = (k: keyof Draft, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const reset = () => {
    const f = { ...emptyFilters(), pageSize: filters.pageSize };
    setFilters(f);
    setDraft(draftOf(f));
    setOutside(null);
  };

  const invalid = error?.fields ?? [];
  const total = result?.data.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / filters.pageSize));
  const links = stockExportLinks(exportQuery(filters));
  const from = `${window.location.pathname}?${pageQuery(filters, lang)}`;
  const parcelHref = (code: string) => `${parcelPath(code)}${lang === 'en' ? '?lang=en' : ''}`;
  const stock = getLayer('stock-parcel')!.style;
  const state = error ? 'error' : loading || !result || result.query !== query ? 'loading' : 'ready';

  return (
    <div className="stock-page">
      <StockHeader title={t('stTitle')} lang={props.lang} onLang={props.onLang} />
      {baseError && (
        <p className="error" role="alert">
          {t('loadFailed')}
          {baseError}
        </p>
      )}
      <div className="stock-body">
        <FilterPanel
          filters={filters}
          draft={draft}
          invalid={invalid}
          counties={base?.counties ?? []}
          onChange={change}
          onDraft={onDraft}
          onCommit={commitDraft}
          onReset={reset}
        />
        <section className="stock-results" data-testid="stock-results" data-state={state} data-query={result?.query ?? ''} ref={listRef}>
          <div className="stock-toolbar">
            <label className="stock-select">
              <span>{t('stSort')}</span>
              <select name="sort" value={filters.sort} onChange={(e) => change({ sort: e.target.value as StockSort })}>
                {SORTS.map((s) => (
                  <option key={s} value={s} disabled={s === 'distance' && !filters.near}>
                    {t(`stSort_${s}` as StringKey)}
                    {s === 'distance' && !filters.near ? t('stSortNeedsPoint') : ''}
                  </option>
                ))}
              </select>
            </label>
            <span className="stock-point">
              {picking ? (
                <>
                  <span className="stock-hint" data-testid="picking-hint">{t('stPicking')}</span>
                  <button type="button" className="stock-secondary" onClick={() => setPicking(false)}>
                    {t('stCancel')}
                  </button>
                </>
              ) : (
                <button type="button" className="stock-secondary" data-testid="pick-point" onClick={() => setPicking(true)} disabled={!map}>
                  {t('stPickPoint')}
                </button>
              )}
              {filters.near && (
                <>
                  <span className="stock-near" data-testid="near" title={t('stPoint')}>
                    {t('stPoint')} {filters.near[0].toFixed(5)}, {filters.near[1].toFixed(5)}
                  </span>
                  <button type="button" className="stock-secondary" onClick={() => change({ near: null, sort: filters.sort === 'distance' ? '-area' : filters.sort })}>
                    {t('stClearPoint')}
                  </button>
                </>
              )}
            </span>
          </div>

          {error && (
            <div className="stock-error" role="alert" data-testid="stock-error" data-code={error.code} data-fields={error.fields.join(',')}>
              {t('stSearchFailed')}
              {error.message}
            </div>
          )}

          {result && !error && (
            <>
              <div className="stock-summary">
                <strong data-testid="stock-total" data-total={total}>
                  {t('stTotal', { n: total })}
                </strong>
                <span className="stock-exports">
                  <a className="stock-export" href={links.xlsx} download data-export="xlsx" title={t('stExportNote', { n: total })}>
                    {t('stExportXlsx')}
                  </a>
                  <a className="stock-export" href={links.csv} download data-export="csv" title={t('stExportNote', { n: total })}>
                    {t('stExportCsv')}
                  </a>
                </span>
                <SaveSearch lang={lang} query={exportQuery(filters)} suggestedName={savedName(filters, lang)} />
              </div>
              {outside && (
                <p className="stock-outside" data-testid="not-listed">
                  {t('stNotListed', { code: outside.code })}{' '}
                  <a href={parcelHref(outside.code)} onClick={props.nav.linkClick(parcelHref(outside.code), { from })}>
                    {t('stOpenParcel')}
                  </a>{' '}
                  <button type="button" className="stock-link-button" onClick={() => (setOutside(null), setSelectedId(null))}>
                    {t('stClose')}
                  </button>
                </p>
              )}
              {items.length === 0 ? (
                <p className="stock-none">{t('stNone')}</p>
              ) : (
                <div className="stock-table-wrap">
                  <table className="stock-table" data-testid="stock-list">
                    <thead>
                      <tr>
                        <th>
                          {t('stCol_code')} / {t('stCol_name')}
                        </th>
                        <th>{t('stCol_county')}</th>
                        <th>{t('stCol_category')}</th>
                        <th>{t('stCol_use')}</th>
                        <th className="num">{t('stCol_areaMu')}</th>
                        <th className="num">{t('stCol_areaHa')}</th>
                        <th className="num">{t('stCol_price')}</th>
                        <th>{t('stCol_status')}</th>
                        <th className="num">{filters.near ? t('stCol_distance') : t('stCol_date')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((p) => (
                        <tr
                          key={p.id}
                          data-id={p.id}
                          data-code={p.code}
                          data-selected={p.id === selectedId ? 'true' : undefined}
                          data-hovered={p.id === hoveredId ? 'true' : undefined}
                          aria-selected={p.id === selectedId}
                          onMouseEnter={() => setHoveredId(p.id)}
                          onMouseLeave={() => setHoveredId((h) => (h === p.id ? null : h))}
                          onClick={() => {
                            setSelectedId(p.id);
                            setOutside(null);
                            map?.flyTo(p.center);
                          }}
                        >
                          <td className="stock-code-cell">
                            <a href={parcelHref(p.code)} onClick={props.nav.linkClick(parcelHref(p.code), { from })} data-field="code">
                              {p.code}
                            </a>
                            <span className="stock-name" data-field="name">
                              {p.name}
                            </span>
                          </td>
                          <td data-field="county">{p.countyName}</td>
                          <td data-field="category">{valueWord(p.category, lang)}</td>
                          <td data-field="plannedUse">{valueWord(p.plannedUse, lang)}</td>
                          <td className="num" data-field="areaMu" data-value={p.area.mu}>
                            {formatNumber(p.area.mu, DIGITS.mu)}
                          </td>
                          <td className="num" data-field="areaHa" data-value={p.area.ha}>
                            {formatNumber(p.area.ha, DIGITS.ha)}
                          </td>
                          <td className="num" data-field="refPrice">
                            {p.refPrice === null ? DASH : formatNumber(p.refPrice, 1)}
                          </td>
                          <td data-field="status">
                            <span className={`stock-status status-${STATUSES.indexOf(p.status as (typeof STATUSES)[number])}`}>{valueWord(p.status, lang)}</span>
                          </td>
                          <td className="num" data-field={filters.near ? 'distance' : 'approvalDate'}>
                            {filters.near ? kmText(p.distanceM) : (p.approvalDate ?? DASH)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <div className="stock-footer">
                <Pager page={filters.page} pages={pages} onPage={(page) => change({ page })} />
                <label className="stock-select">
                  <span>{t('stPageSize')}</span>
                  <select name="pageSize" value={filters.pageSize} onChange={(e) => change({ pageSize: Number(e.target.value) })}>
                    {[...new Set([...PAGE_SIZES, filters.pageSize])].map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </>
          )}
          {!result && !error && <p className="loading">{t('loading')}</p>}
        </section>
        <main className="stock-map-area">
          <div ref={mapRef} className="map" data-testid="stock-map" data-picking={picking ? 'true' : 'false'} />
          <ul className="stock-legend" aria-label="legend">
            <li>
              <span className="legend-swatch" style={{ background: stock.fillColor, borderColor: stock.lineColor }} />
              {t('stLegendListed')}
            </li>
            <li>
              <span className="legend-swatch" style={{ background: '#adb5bd55', borderColor: '#868e96' }} />
              {t('stLegendOther')}
            </li>
            <li>
              <span className="legend-swatch" style={{ background: SELECTED_COLOR, borderColor: '#d9480f' }} />
              {t('stLegendSelected')}
            </li>
          </ul>
        </main>
      </div>
    </div>
  );
}
