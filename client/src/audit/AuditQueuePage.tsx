/**
 * 违法占地图斑核查 — the case queue (/audit): filters (county, status, source, detection
 * dates, minimum overlap in 亩, code), sort, paging, all in the query string (so a queue can be
 * shared and survives a reload); a list and a map kept in step (list-map/) — a hovered row
 * lights its case on the map, a clicked case selects its row; keyboard review — j/k or ↓/↑
 * (and n/p) move to the next/previous case, across pages, and Enter opens it; exports of the
 * whole filtered list.
 */
import { useCallback, useEffect, useRef, type MouseEvent } from 'react';
import { CASE_SOURCES, CASE_STATUSES, OVERLAP_FILTERS, type CaseListResponse, type CaseSummary } from '../../../core/contracts/cases.ts';
import type { CaseStatus } from '../../../core/case-status.ts';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import { countyName, dataProps, recordCounty, useT, type Lang, type StringKey } from '../i18n.ts';
import { CheckGroup, FilterForm, FilterRow, Legend, ListMapPage, SearchField, SortSelect, type Column } from '../list-map/ListMapPage.tsx';
import { OTHER_FILL, OTHER_LINE } from '../list-map/record-map.ts';
import { useListMap } from '../list-map/useListMap.ts';
import { useListQuery, type ListQuery, type ListSpec } from '../list-map/useListQuery.ts';
import { asApiError, caseApi, caseExportLinks, casePath } from './api.ts';
import { AuditMap, CONTROL_LAYERS, LISTED_COLOR, SELECTED_COLOR, auditStyle } from './audit-map.ts';
import { AuditHeader, Mu, StatusBadge, reviewKey, sourceWord, statusWord, useAuditBase, type NavState, type Navigation } from './common.tsx';
import { LayerToggles } from './LayerToggles.tsx';
import { CASE_PAGE_SIZES, caseApiQuery, caseExportQuery, casePageQuery, emptyCaseFilters, readCaseFilters, type CaseFilters, type CaseSort, type OverlapFilter } from './query.ts';

type DraftKey = 'from' | 'to' | 'minOverlapMu' | 'q';

const CASE_LIST: ListSpec<CaseFilters, DraftKey, CaseListResponse> = {
  read: readCaseFilters,
  empty: emptyCaseFilters,
  apiQuery: caseApiQuery,
  pageQuery: casePageQuery,
  fetch: caseApi.list,
  asError: asApiError,
  draftOf: (f) => ({ from: f.from, to: f.to, minOverlapMu: f.minOverlapMu, q: f.q }),
  title: 'auTitle',
};

const SORTS: CaseSort[] = ['-detectedOn', 'detectedOn', '-farmland', 'farmland', '-permanentFarmland', '-ecoRedline', '-area', 'area', 'code', '-code', '-decidedAt'];

/** The layers shown under the queue at first: those a rule judges and a case overlaps (farmland, red line, boundary); the rest on request. */
const DEFAULT_VISIBLE: LayerId[] = CONTROL_LAYERS.filter((id) => {
  const l = getLayer(id)!;
  return l.rule !== undefined && l.caseOverlap === true;
});

function FilterPanel(props: { list: ListQuery<CaseFilters, DraftKey, CaseListResponse>; counties: { code: string; name: string }[]; onReset: () => void }) {
  const { t, lang } = useT();
  const { filters: f, draft, invalid, change, setDraft, commitDraft } = props.list;
  const commit = () => commitDraft();
  const bad = (k: string) => invalid.includes(k) || undefined;
  return (
    <FilterForm prefix="audit" onCommit={commit} onReset={props.onReset}>
      <SearchField label={t('auCode')} placeholder={t('auCodePlaceholder')} value={draft.q} invalid={invalid.includes('q')} onChange={(v) => setDraft('q', v)} onCommit={commit} />
      <CheckGroup
        name="status"
        legend={t('auStatus')}
        options={CASE_STATUSES.map((s) => ({ value: s, label: statusWord(s, lang), count: props.list.data?.statusCounts[s] }))}
        value={f.status}
        invalid={invalid.includes('status')}
        onChange={(status) => change({ status })}
      />
      <CheckGroup name="county" legend={t('stCounty')} options={props.counties.map((c) => ({ value: c.code, label: countyName(c, lang) }))} value={f.county} invalid={invalid.includes('county')} onChange={(county) => change({ county })} />
      <CheckGroup name="source" legend={t('auSource')} options={CASE_SOURCES.map((s) => ({ value: s, label: sourceWord(s, lang) }))} value={f.source} invalid={invalid.includes('source')} onChange={(source) => change({ source })} />
      <FilterRow label={t('auDetectedOn')} className="audit-dates">
        <input type="date" name="from" aria-label={`${t('auDetectedOn')} ${t('auFrom')}`} value={draft.from} aria-invalid={bad('from')} onChange={(e) => commitDraft({ from: e.target.value })} />
        <span aria-hidden="true">–</span>
        <input type="date" name="to" aria-label={`${t('auDetectedOn')} ${t('auTo')}`} value={draft.to} aria-invalid={bad('to')} onChange={(e) => commitDraft({ to: e.target.value })} />
      </FilterRow>
      <FilterRow label={t('auMinOverlap')}>
        <select name="overlap" aria-label={t('auOverlapKind')} value={f.overlap} onChange={(e) => change({ overlap: e.target.value as OverlapFilter })}>
          {OVERLAP_FILTERS.map((o) => (
            <option key={o} value={o}>
              {t(`auOverlap_${o}` as StringKey)}
            </option>
          ))}
        </select>
        <span aria-hidden="true">≥</span>
        <input
          type="text"
          inputMode="decimal"
          name="minOverlapMu"
          aria-label={t('auMinOverlap')}
          value={draft.minOverlapMu}
          aria-invalid={bad('minOverlapMu')}
          onChange={(e) => setDraft('minOverlapMu', e.target.value)}
          onBlur={commit}
        />
        <span>{t('stUnit_mu')}</span>
      </FilterRow>
    </FilterForm>
  );
}

export function AuditQueuePage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  /** After a key crossed a page: which row of the new page to select. */
  const pendingSelect = useRef<'first' | 'last' | null>(null);
  const list = useListQuery(CASE_LIST, lang, {
    onResult: (data) => {
      if (pendingSelect.current && data.items.length) sel.setSelectedId(pendingSelect.current === 'first' ? data.items[0]!.id : data.items.at(-1)!.id);
      pendingSelect.current = null;
    },
  });
  const { filters, change, setFilters } = list;
  const { base, error: baseError } = useAuditBase();

  // the map: created once the counties are known
  const sel = useListMap({
    base,
    counties: filters.county,
    create: (at, b) => new AuditMap({ ...at, style: auditStyle(b, { visible: DEFAULT_VISIBLE, lang }) }),
    lang,
    expose: 'yizhangtuAudit',
    items: list.items,
    result: list.result,
    initialSelected: (window.history.state as NavState | null)?.selected ?? null,
    revealSelected: true,
  });
  const { map, setSelectedId, setOutside } = sel;

  // the keyboard review reads the latest state through refs
  const live = useRef({ items: list.items, selectedId: sel.selectedId, filters, pages: list.pages, lang });
  live.current = { items: list.items, selectedId: sel.selectedId, filters, pages: list.pages, lang };

  const openCase = useCallback(
    (id: number) => {
      const { filters: f, lang: l } = live.current;
      // coming back to this queue selects the case
      window.history.replaceState({ ...(window.history.state ?? {}), selected: id } satisfies NavState, '', window.location.href);
      props.nav.navigate(casePath(id, casePageQuery(f, l)));
    },
    [props.nav],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const key = reviewKey(e);
      if (!key) return;
      const { items, selectedId: at0, filters: f, pages: n } = live.current;
      const at = items.findIndex((i) => i.id === at0);
      if (key === 'open') {
        if (at0 !== null && at !== -1) {
          e.preventDefault();
          openCase(at0);
        }
        return;
      }
      e.preventDefault();
      if (!items.length) return;
      if (key === 'next') {
        if (at === -1) setSelectedId(items[0]!.id);
        else if (at < items.length - 1) setSelectedId(items[at + 1]!.id);
        else if (f.page < n) {
          pendingSelect.current = 'first';
          setFilters((x) => ({ ...x, page: x.page + 1 }));
        }
      } else {
        if (at === -1) setSelectedId(items.at(-1)!.id);
        else if (at > 0) setSelectedId(items[at - 1]!.id);
        else if (f.page > 1) {
          pendingSelect.current = 'last';
          setFilters((x) => ({ ...x, page: x.page - 1 }));
        }
      }
      setOutside(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openCase, setSelectedId, setOutside, setFilters]);

  const links = caseExportLinks(caseExportQuery(filters));
  const caseHref = (id: number) => casePath(id, casePageQuery(filters, lang));
  const openLink = (id: number) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    openCase(id);
  };

  const columns: Column<CaseSummary>[] = [
    {
      key: 'code',
      head: t('auCol_code'),
      className: 'stock-code-cell',
      cell: (c) => (
        <a href={caseHref(c.id)} onClick={openLink(c.id)} data-field="code">
          {c.code}
        </a>
      ),
    },
    {
      key: 'county',
      head: t('stCol_county'),
      field: 'county',
      // the township under the county: data, as written (no English names for townships)
      cell: (c) => (
        <>
          {recordCounty(c, lang)}
          {c.township && (
            <span className="audit-township" data-field="township" data-code={c.township.code} title={t('auTownshipOf', { name: c.township.name })} {...dataProps(c.township.name)}>
              {c.township.name}
            </span>
          )}
        </>
      ),
    },
    { key: 'source', head: t('auCol_source'), field: 'source', cell: (c) => sourceWord(c.source, lang) },
    { key: 'detectedOn', head: t('auCol_detectedOn'), field: 'detectedOn', cell: (c) => c.detectedOn },
    { key: 'area', head: t('auCol_area'), num: true, cell: (c) => <Mu area={c.area} field="area" /> },
    { key: 'farmland', head: t('auCol_farmland'), num: true, cell: (c) => <Mu area={c.overlaps.farmland} field="farmland" dashZero /> },
    { key: 'permanent', head: t('auCol_permanent'), title: t('auCol_permanentFull'), num: true, cell: (c) => <Mu area={c.overlaps.permanentFarmland} field="permanentFarmland" dashZero /> },
    { key: 'redline', head: t('auCol_redline'), title: t('auCol_redlineFull'), num: true, cell: (c) => <Mu area={c.overlaps.ecoRedline} field="ecoRedline" dashZero /> },
    { key: 'status', head: t('auCol_status'), field: 'status', cell: (c) => <StatusBadge status={c.status as CaseStatus} /> },
  ];

  return (
    <ListMapPage
      prefix="audit"
      className="audit-page"
      resultsClassName="audit-results"
      header={<AuditHeader tab="queue" lang={props.lang} onLang={props.onLang} nav={props.nav} />}
      baseError={baseError}
      filters={
<FilterPanel list={list} counties={base?.counties ?? []} onReset={() => (list.reset(), setOutside(null))} />
      }
      list={list}
      sel={sel}
      toolbar={
        <>
          <SortSelect value={filters.sort} options={SORTS.map((s) => ({ value: s, label: t(`auSort_${s}` as StringKey) }))} onChange={(sort) => change({ sort })} />
          <span className="audit-keys" data-testid="audit-keys">
            {t('auKeys')}
          </span>
        </>
      }
      totalText={t('auTotal', { n: list.total })}
      exports={[
        { kind: 'xlsx', href: links.xlsx, label: t('auExportXlsx') },
        { kind: 'geojson', href: links.geojson, label: t('auExportGeojson') },
        { kind: 'shp', href: links.shp, label: t('auExportShp') },
      ]}
      notListed={(r) => (
        <>
          {t('auNotListed')}{' '}
          <a href={caseHref(r.id)} onClick={openLink(r.id)}>
            {t('auOpenCase')}
          </a>
        </>
      )}
      noneText={t('auNone')}
      columns={columns}
      onRowDoubleClick={(c) => openCase(c.id)}
      pageSizes={CASE_PAGE_SIZES}
      legend={
        <Legend
          className="audit-legend"
          items={[
            { fill: LISTED_COLOR, line: '#a61e4d', label: t('auLegendListed') },
            { fill: `${OTHER_FILL}55`, line: OTHER_LINE, label: t('auLegendOther') },
            { fill: SELECTED_COLOR, line: '#d9480f', label: t('auLegendSelected') },
          ]}
        >
          <LayerToggles layers={CONTROL_LAYERS} initial={DEFAULT_VISIBLE} map={map} />
        </Legend>
      }
    />
  );
}
