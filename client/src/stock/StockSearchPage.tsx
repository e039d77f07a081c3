/**
 * 存量土地查询 (/stock): filters, a paged list and a map side by side, kept in step — a
 * hovered row lights its parcel on the map, a clicked parcel marks its row (list-map/). Every
 * filter, the sort, the page and the picked point live in the query string
 * (readFilters/pageQuery), so a search can be shared and survives a reload; the exports take
 * the same filters.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { PLANNED_USES } from '../../../core/contracts/stock.ts';
import { getLayer } from '../../../core/layers.ts';
import { dataProps, countyName, recordCounty, translate, useT, withLang, type Lang, type StringKey } from '../i18n.ts';
import { asApiError } from '../http.ts';
import { unitWord } from '../format.ts';
import { CheckGroup, FilterForm, FilterRow, Legend, ListMapPage, SearchField, SortSelect, type Column } from '../list-map/ListMapPage.tsx';
import { OTHER_FILL, OTHER_LINE } from '../list-map/record-map.ts';
import { useListMap } from '../list-map/useListMap.ts';
import { useListQuery, type ListQuery, type ListSpec } from '../list-map/useListQuery.ts';
import { parcelPath, stockApi, stockExportLinks } from './api.ts';
import { StockHeader, useStockBase } from './common.tsx';
import { CATEGORIES, DASH, DIGITS, STATUSES, formatNumber, kmText, valueWord } from './format.ts';
import { NUMERIC_FIELDS, PAGE_SIZES, apiQuery, convertArea, emptyFilters, exportQuery, pageQuery, readFilters, roundCoord, type AreaUnit, type NumericField, type StockFilters, type StockSort } from './query.ts';
import { StockMap, publicStockStyle, SELECTED_COLOR } from './stock-map.ts';
import { SaveSearch } from './SaveSearch.tsx';
import { atLeast } from '../../../core/access.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import type { Navigation } from './StockApp.tsx';
import type { StockParcelSummary, StockSearchResponse } from '../../../core/contracts/stock.ts';

type DraftKey = NumericField | 'q';

const STOCK_LIST: ListSpec<StockFilters, DraftKey, StockSearchResponse> = {
  read: readFilters,
  empty: emptyFilters,
  apiQuery,
  pageQuery,
  fetch: stockApi.search,
  asError: asApiError,
  draftOf: (f) => ({ ...Object.fromEntries(NUMERIC_FIELDS.map((k) => [k, f[k]])), q: f.q }) as Record<DraftKey, string>,
  title: 'stTitle',
};

const SORTS: StockSort[] = ['-area', 'area', 'price', '-price', '-date', 'date', 'distance'];
const STATUS_OPTIONS = ['可供应', '已意向', '已供应', 'all'];

/** A name for a saved search from its filters, e.g. "工业 · 20–80 亩". */
function savedName(f: StockFilters, lang: Lang): string {
  const parts: string[] = [];
  if (f.use.length) parts.push(f.use.map((u) => valueWord(u, lang)).join(translate(lang, 'listSep')));
  if (f.category.length) parts.push(f.category.map((c) => valueWord(c, lang)).join(translate(lang, 'listSep')));
  if (f.minArea !== '' || f.maxArea !== '') parts.push(`${f.minArea || '0'}–${f.maxArea || '∞'} ${unitWord(f.areaUnit, lang)}`);
  if (f.q.trim()) parts.push(translate(lang, 'quoted', { text: f.q.trim() }));
  return parts.length ? parts.join(' · ') : translate(lang, 'stSavedAll');
}

interface DraftProps {
  draft: Record<DraftKey, string>;
  invalid: string[];
  onDraft: (k: DraftKey, v: string) => void;
  onCommit: () => void;
}

/** A min–max pair of text inputs (values as typed; the server checks them and names the field). */
function RangeInputs(props: DraftProps & { label: string; min: NumericField; max: NumericField; children?: ReactNode }) {
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
    <FilterRow label={props.label}>
      {input(props.min, t('stMin'))}
      <span aria-hidden="true">–</span>
      {input(props.max, t('stMax'))}
      {props.children}
    </FilterRow>
  );
}

/** The filters column. */
function FilterPanel(props: { list: ListQuery<StockFilters, DraftKey, StockSearchResponse>; counties: { code: string; name: string }[]; onReset: () => void }) {
  const { t, lang } = useT();
  const { filters: f, draft, invalid, change, setDraft } = props.list;
  const commit = () => props.list.commitDraft();
  const status = f.status.join(',') || '可供应';
  const statusOptions = STATUS_OPTIONS.includes(status) ? STATUS_OPTIONS : [...STATUS_OPTIONS, status];
  const ranges = { draft, invalid, onDraft: setDraft, onCommit: commit };
  return (
    <FilterForm prefix="stock" onCommit={commit} onReset={props.onReset}>
      <SearchField label={t('stQ')} placeholder={t('stQPlaceholder')} value={draft.q} invalid={invalid.includes('q')} onChange={(v) => setDraft('q', v)} onCommit={commit} />
      <CheckGroup name="county" legend={t('stCounty')} options={props.counties.map((c) => ({ value: c.code, label: countyName(c, lang) }))} value={f.county} invalid={invalid.includes('county')} onChange={(county) => change({ county })} />
      <CheckGroup name="category" legend={t('stCategory')} options={CATEGORIES.map((c) => ({ value: c, label: valueWord(c, lang) }))} value={f.category} invalid={invalid.includes('category')} onChange={(category) => change({ category })} />
      <CheckGroup name="use" legend={t('stUse')} options={PLANNED_USES.map((u) => ({ value: u, label: valueWord(u, lang) }))} value={f.use} invalid={invalid.includes('use')} onChange={(use) => change({ use })} />
      <label className="stock-select">
        <span>{t('stStatus')}</span>
        <select
          name="status"
          value={status}
          aria-invalid={invalid.includes('status') || undefined}
          onChange={(e) => change({ status: e.target.value === '可供应' ? [] : e.target.value.split(',') })}
        >
          {statusOptions.map((s) => (
            <option key={s} value={s}>
              {s === 'all' ? t('stStatusAll') : s.split(',').map((x) => valueWord(x, lang)).join(t('listSep'))}
            </option>
          ))}
        </select>
      </label>
      <RangeInputs label={t('stArea')} min="minArea" max="maxArea" {...ranges}>
        <select
          name="areaUnit"
          aria-label={t('stAreaUnit')}
          value={f.areaUnit}
          onChange={(e) => {
            const to = e.target.value as AreaUnit;
            const [minArea, maxArea] = [convertArea(draft.minArea, f.areaUnit, to), convertArea(draft.maxArea, f.areaUnit, to)];
            setDraft('minArea', minArea);
            setDraft('maxArea', maxArea);
            change({ areaUnit: to, minArea, maxArea });
          }}
        >
          {(['mu', 'ha', 'm2'] as const).map((u) => (
            <option key={u} value={u}>
              {t(`stUnit_${u}`)}
            </option>
          ))}
        </select>
      </RangeInputs>
      <RangeInputs label={t('stPlotRatio')} min="minPlotRatio" max="maxPlotRatio" {...ranges} />
      <RangeInputs label={t('stPrice')} min="minPrice" max="maxPrice" {...ranges} />
    </FilterForm>
  );
}

export function StockSearchPage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const list = useListQuery(STOCK_LIST, lang);
  const { filters, change } = list;
  const [picking, setPicking] = useState(false);
  const { base, error: baseError } = useStockBase();

  // the map: public layers only; created once the counties are known
  const sel = useListMap({
    base,
    counties: filters.county,
    create: (at, b) =>
      new StockMap({
        ...at,
        style: publicStockStyle(b, { tiles: true, lang }),
        onPick: (p) => {
          setPicking(false);
          change({ near: [roundCoord(p[0]), roundCoord(p[1])], sort: 'distance' });
        },
      }),
    expose: 'yizhangtuStock',
    lang,
    items: list.items,
    result: list.result,
    // the page's parcels with the picked point
    fitPoints: (items) => [...items.map((i) => i.center), ...(filters.near && items.length ? [filters.near] : [])],
  });
  const { map } = sel;

  useEffect(() => {
    map?.setPicking(picking);
    if (!picking) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setPicking(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [map, picking]);
  useEffect(() => map?.setMarker(filters.near, translate(lang, 'stPoint')), [map, filters.near, lang]);

  const links = stockExportLinks(exportQuery(filters));
  const from = `${window.location.pathname}?${pageQuery(filters, lang)}`;
  const parcelLink = (code: string, field?: string, text: ReactNode = code) => {
    const href = withLang(parcelPath(code), lang);
    return (
      <a href={href} onClick={props.nav.linkClick(href, { from })} data-field={field}>
        {text}
      </a>
    );
  };
  const stock = getLayer('stock-parcel')!.style;

  const columns: Column<StockParcelSummary>[] = [
    {
      key: 'code',
      head: `${t('stCol_code')} / ${t('stCol_name')}`,
      className: 'stock-code-cell',
      cell: (p) => (
        <>
          {parcelLink(p.code, 'code')}
          <span className="stock-name" data-field="name" {...dataProps(p.name)}>
            {p.name}
          </span>
        </>
      ),
    },
    { key: 'county', head: t('stCol_county'), field: 'county', cell: (p) => recordCounty(p, lang) },
    { key: 'category', head: t('stCol_category'), field: 'category', cell: (p) => valueWord(p.category, lang) },
    { key: 'use', head: t('stCol_use'), field: 'plannedUse', cell: (p) => valueWord(p.plannedUse, lang) },
    { key: 'mu', head: t('stCol_areaMu'), num: true, field: 'areaMu', value: (p) => p.area.mu, cell: (p) => formatNumber(p.area.mu, DIGITS.mu) },
    { key: 'ha', head: t('stCol_areaHa'), num: true, field: 'areaHa', value: (p) => p.area.ha, cell: (p) => formatNumber(p.area.ha, DIGITS.ha) },
    { key: 'price', head: t('stCol_price'), num: true, field: 'refPrice', cell: (p) => (p.refPrice === null ? DASH : formatNumber(p.refPrice, 1)) },
    {
      key: 'status',
      head: t('stCol_status'),
      field: 'status',
      cell: (p) => <span className={`stock-status status-${STATUSES.indexOf(p.status as (typeof STATUSES)[number])}`}>{valueWord(p.status, lang)}</span>,
    },
    filters.near
      ? { key: 'last', head: t('stCol_distance'), num: true, field: 'distance', cell: (p) => kmText(p.distanceM) }
      : { key: 'last', head: t('stCol_date'), num: true, field: 'approvalDate', cell: (p) => p.approvalDate ?? DASH },
  ];

  const toolbar = (
    <>
      <SortSelect
        value={filters.sort}
        options={SORTS.map((s) => ({ value: s, label: `${t(`stSort_${s}` as StringKey)}${s === 'distance' && !filters.near ? t('stSortNeedsPoint') : ''}`, disabled: s === 'distance' && !filters.near }))}
        onChange={(sort) => change({ sort })}
      />
      <span className="stock-point">
        {picking ? (
          <>
            <span className="stock-hint" data-testid="picking-hint">
              {t('stPicking')}
            </span>
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
    </>
  );

  const session = useSession();
  const staff = !!session?.user && atLeast('planner').includes(session.user.role);
  return (
    <ListMapPage
      prefix="stock"
      header={<StockHeader title={t('stTitle')} lang={props.lang} onLang={props.onLang} />}
      baseError={baseError}
      filters={
<FilterPanel list={list} counties={base?.counties ?? []} onReset={() => (list.reset(), sel.setOutside(null))} />
      }
      list={list}
      sel={sel}
      toolbar={toolbar}
      totalText={t('stTotal', { n: list.total })}
      exports={[
        { kind: 'xlsx', href: links.xlsx, label: t('stExportXlsx') },
        { kind: 'csv', href: links.csv, label: t('stExportCsv') },
      ]}
      summaryExtra={
        <>
          {staff && (
            <a className="stock-export" href={withLang('/stock-ledger', lang)} data-testid="ledger-book-link">
              {t('lbLink')}
            </a>
          )}
          <SaveSearch lang={lang} query={exportQuery(filters)} suggestedName={savedName(filters, lang)} />
        </>
      }
      notListed={(r) => (
        <>
          {t('stNotListed', { code: r.code })} {parcelLink(r.code, undefined, t('stOpenParcel'))}
        </>
      )}
      noneText={t('stNone')}
      columns={columns}
      onRowClick={(p) => map?.flyTo(p.center)}
      pageSizes={PAGE_SIZES}
      mapData={{ 'data-picking': picking ? 'true' : 'false' }}
      legend={
        <Legend
          items={[
            { fill: stock.fillColor, line: stock.lineColor, label: t('stLegendListed') },
            { fill: `${OTHER_FILL}55`, line: OTHER_LINE, label: t('stLegendOther') },
            { fill: SELECTED_COLOR, line: '#d9480f', label: t('stLegendSelected') },
          ]}
        />
      }
    />
  );
}
