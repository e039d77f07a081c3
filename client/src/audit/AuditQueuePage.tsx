/**
 * 违法占地图斑核查 — the case queue (/audit): filters (county, status, source, detection
 * dates, minimum overlap in 亩, code), sort, paging, all in the query string (so a queue can be
 * shared and survives a reload); a list and a map kept in step — a hovered row lights its case
 * on the map, a clicked case selects its row; keyboard review — j/k or ↓/↑ (and n/p) move to
 * the next/previous case, across pages, and Enter opens it; exports of the whole filtered list.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { CASE_SOURCES, CASE_STATUSES, OVERLAP_FILTERS, type CaseListResponse } from '../../../core/contracts/cases.ts';
import type { CaseStatus } from '../../../core/case-status.ts';
import { translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { AuditApiError, asApiError, caseApi, caseExportLinks, casePath } from './api.ts';
import { AuditMap, CONTROL_LAYERS, LISTED_COLOR, SELECTED_COLOR, auditStyle } from './audit-map.ts';
import { AuditHeader, Mu, StatusBadge, reviewKey, sourceWord, statusWord, useAuditBase, type NavState, type Navigation } from './common.tsx';
import { LayerToggles } from './LayerToggles.tsx';
import {
  CASE_PAGE_SIZES,
  caseApiQuery,
  caseExportQuery,
  casePageQuery,
  emptyCaseFilters,
  readCaseFilters,
  type CaseFilters,
  type CaseSort,
  type OverlapFilter,
} from './query.ts';

type DraftKey = 'from' | 'to' | 'minOverlapMu' | 'q';
type Draft = Record<DraftKey, string>;
const draftOf = (f: CaseFilters): Draft => ({ from: f.from, to: f.to, minOverlapMu: f.minOverlapMu, q: f.q });

const SORTS: CaseSort[] = ['-detectedOn', 'detectedOn', '-farmland', 'farmland', '-permanentFarmland', '-ecoRedline', '-area', 'area', 'code', '-code', '-decidedAt'];

const toggle = (list: string[], v: string, on: boolean) => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));

/** A group of checkboxes writing one list filter. */
function CheckGroup(props: { name: string; legend: string; options: { value: string; label: string; count?: number }[]; value: string[]; invalid: boolean; onChange: (v: string[]) => void }) {
  return (
    <fieldset className="stock-checks" data-filter={props.name} aria-invalid={props.invalid || undefined}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value}>
          <input type="checkbox" name={props.name} value={o.value} checked={props.value.includes(o.value)} onChange={(e) => props.onChange(toggle(props.value, o.value, e.target.checked))} />
          {o.label}
          {o.count !== undefined && (
            <span className="audit-count" data-count={o.count}>
              {o.count}
            </span>
          )}
        </label>
      ))}
    </fieldset>
  );
}

function FilterPanel(props: {
  filters: CaseFilters;
  draft: Draft;
  invalid: string[];
  counties: { code: string; name: string }[];
  statusCounts: Record<string, number> | null;
  onChange: (patch: Partial<CaseFilters>) => void;
  onDraft: (k: DraftKey, v: string) => void;
  onCommit: (patch?: Partial<Draft>) => void;
  onReset: () => void;
}) {
  const { t, lang } = useT();
  const { filters: f, draft, invalid } = props;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onCommit();
  };
  const bad = (k: string) => invalid.includes(k) || undefined;
  return (
    <form className="stock-filters" data-testid="audit-filters" onSubmit={submit}>
      <h2>{t('stFilters')}</h2>
      <label className="stock-q">
        <span>{t('auCode')}</span>
        <input type="search" name="q" value={draft.q} placeholder={t('auCodePlaceholder')} aria-invalid={bad('q')} onChange={(e) => props.onDraft('q', e.target.value)} onBlur={() => props.onCommit()} />
      </label>
      <CheckGroup
        name="status"
        legend={t('auStatus')}
        options={CASE_STATUSES.map((s) => ({ value: s, label: statusWord(s, lang), count: props.statusCounts?.[s] }))}
        value={f.status}
        invalid={invalid.includes('status')}
        onChange={(status) => props.onChange({ status })}
      />
      <CheckGroup
        name="county"
        legend={t('stCounty')}
        options={props.counties.map((c) => ({ value: c.code, label: c.name }))}
        value={f.county}
        invalid={invalid.includes('county')}
        onChange={(county) => props.onChange({ county })}
      />
      <CheckGroup
        name="source"
        legend={t('auSource')}
        options={CASE_SOURCES.map((s) => ({ value: s, label: sourceWord(s, lang) }))}
        value={f.source}
        invalid={invalid.includes('source')}
        onChange={(source) => props.onChange({ source })}
      />
      <div className="stock-range">
        <span className="stock-range-label">{t('auDetectedOn')}</span>
        <span className="stock-range-inputs audit-dates">
          <input
            type="date"
            name="from"
            aria-label={`${t('auDetectedOn')} ${t('auFrom')}`}
            value={draft.from}
            aria-invalid={bad('from')}
            onChange={(e) => props.onCommit({ from: e.target.value })}
          />
          <span aria-hidden="true">–</span>
          <input type="date" name="to" aria-label={`${t('auDetectedOn')} ${t('auTo')}`} value={draft.to} aria-invalid={bad('to')} onChange={(e) => props.onCommit({ to: e.target.value })} />
        </span>
      </div>
      <div className="stock-range">
        <span className="stock-range-label">{t('auMinOverlap')}</span>
        <span className="stock-range-inputs">
          <select name="overlap" aria-label={t('auOverlapKind')} value={f.overlap} onChange={(e) => props.onChange({ overlap: e.target.value as OverlapFilter })}>
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
            onChange={(e) => props.onDraft('minOverlapMu', e.target.value)}
            onBlur={() => props.onCommit()}
          />
          <span>{t('stUnit_mu')}</span>
        </span>
      </div>
      <div className="stock-filter-actions">
        <button type="submit" className="stock-primary" data-testid="audit-apply">
          {t('stApply')}
        </button>
        <button type="button" className="stock-secondary" onClick={props.onReset}>
          {t('stReset')}
        </button>
      </div>
    </form>
  );
}

function Pager(props: { page: number; pages: number; onPage: (p: number) => void }) {
  const { t } = useT();
  const { page, pages } = props;
  return (
    <nav className="stock-pager" data-testid="audit-pager" aria-label={t('stPage', { page, pages })}>
      <button type="button" disabled={page <= 1} onClick={() => props.onPage(1)}>
        {t('stFirst')}
      </button>
      <button type="button" data-page="prev" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        {t('stPrev')}
      </button>
      <span data-testid="audit-page" data-page={page} data-pages={pages}>
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

export function AuditQueuePage(props: { lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [filters, setFilters] = useState<CaseFilters>(() => readCaseFilters(window.location.search));
  const [draft, setDraft] = useState<Draft>(() => draftOf(filters));
  const [result, setResult] = useState<{ query: string; data: CaseListResponse } | null>(null);
  const [error, setError] = useState<AuditApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [selectedId, setSelectedId] = useState<number | null>(() => (window.history.state as NavState | null)?.selected ?? null);
  const [hoveredId, setHoveredId] = useState<number | null>(null);
  const [outside, setOutside] = useState<number | null>(null);
  const [visible, setVisible] = useState<LayerIdList>(DEFAULT_VISIBLE);
  const { base, error: baseError } = useAuditBase();
  const mapRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<AuditMap | null>(null);
  /** After a key crossed a page: which row of the new page to select. */
  const pendingSelect = useRef<'first' | 'last' | null>(null);

  const query = caseApiQuery(filters);
  const items = useMemo(() => result?.data.items ?? [], [result]);
  const total = result?.data.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / filters.pageSize));

  // the address: the queue itself (history state kept)
  useEffect(() => {
    const q = casePageQuery(filters, lang);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
    document.title = `${translate(lang, 'auTitle')} · ${translate(lang, 'title')}`;
  }, [filters, lang]);

  // the list: one request per query; a newer query cancels the older
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    caseApi
      .list(query, lang, ctl.signal)
      .then((data) => {
        setResult({ query, data });
        setError(null);
        setLoading(false);
        if (pendingSelect.current && data.items.length) {
          setSelectedId(pendingSelect.current === 'first' ? data.items[0]!.id : data.items.at(-1)!.id);
        }
        pendingSelect.current = null;
      })
      .catch((e: Error) => {
        if (ctl.signal.aborted) return;
        setError(asApiError(e));
        setResult(null);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [query, lang]);

  const change = useCallback((patch: Partial<CaseFilters>) => {
    setFilters((f) => ({ ...f, ...patch, page: patch.page ?? 1 }));
  }, []);

  const commitDraft = useCallback(
    (patch: Partial<Draft> = {}) => {
      const next = { ...draft, ...patch };
      setDraft(next);
      setFilters((f) => {
        const changed = (Object.keys(next) as DraftKey[]).some((k) => next[k] !== f[k]);
        return changed ? { ...f, ...next, page: 1 } : f;
      });
    },
    [draft],
  );

  // the keyboard review reads the latest state through refs
  const live = useRef({ items, selectedId, filters, pages, lang });
  live.current = { items, selectedId, filters, pages, lang };

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
      const { items: list, selectedId: sel, filters: f, pages: n } = live.current;
      const at = list.findIndex((i) => i.id === sel);
      if (key === 'open') {
        if (sel !== null && at !== -1) {
          e.preventDefault();
          openCase(sel);
        }
        return;
      }
      e.preventDefault();
      if (!list.length) return;
      if (key === 'next') {
        if (at === -1) setSelectedId(list[0]!.id);
        else if (at < list.length - 1) setSelectedId(list[at + 1]!.id);
        else if (f.page < n) {
          pendingSelect.current = 'first';
          setFilters((x) => ({ ...x, page: x.page + 1 }));
        }
      } else {
        if (at === -1) setSelectedId(list.at(-1)!.id);
        else if (at > 0) setSelectedId(list[at - 1]!.id);
        else if (f.page > 1) {
          pendingSelect.current = 'last';
          setFilters((x) => ({ ...x, page: x.page - 1 }));
        }
      }
      setOutside(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openCase]);

  // the map: created once the counties are known
  const onCaseClick = useRef<(id: number) => void>(() => undefined);
  onCaseClick.current = (id) => {
    setSelectedId(id);
    setOutside(live.current.items.some((i) => i.id === id) ? null : id);
  };
  useEffect(() => {
    if (!base || !mapRef.current) return;
    const initial = readCaseFilters(window.location.search).county;
    const chosen = base.counties.filter((c) => initial.includes(c.code));
    const bounds: [number, number, number, number] | undefined = chosen.length
      ? [Math.min(...chosen.map((c) => c.bbox[0])), Math.min(...chosen.map((c) => c.bbox[1])), Math.max(...chosen.map((c) => c.bbox[2])), Math.max(...chosen.map((c) => c.bbox[3]))]
      : base.cityBbox;
    const m = new AuditMap({
      container: mapRef.current,
      style: auditStyle(base, { visible: DEFAULT_VISIBLE }),
      bounds,
      onHover: (id) => setHoveredId(id),
      onCaseClick: (id) => onCaseClick.current(id),
    });
    setMap(m);
    window.yizhangtuAudit = { map: m };
    return () => {
      if (window.yizhangtuAudit?.map === m) delete window.yizhangtuAudit;
      m.destroy();
      setMap(null);
    };
  }, [base]);

  // results on the map: mark the page's cases and show them
  useEffect(() => {
    if (!map || !result) return;
    map.setListed(result.data.items.map((i) => ({ id: i.id, center: i.center })));
    map.fitPoints(result.data.items.map((i) => i.center));
  }, [map, result]);

  useEffect(() => {
    if (selectedId !== null && result && !items.some((i) => i.id === selectedId) && outside !== selectedId) setSelectedId(null);
  }, [items, result, selectedId, outside]);
  useEffect(() => map?.setHover(hoveredId), [map, hoveredId]);
  useEffect(() => map?.setSelected(selectedId), [map, selectedId]);
  // the selected row in view (also once the list arrives), and its case on the map
  useEffect(() => {
    if (selectedId !== null) listRef.current?.querySelector(`tr[data-id="${selectedId}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedId, items]);
  useEffect(() => {
    const item = live.current.items.find((i) => i.id === selectedId);
    if (item) map?.reveal(item.center);
  }, [map, selectedId]);

  const reset = () => {
    const f = { ...emptyCaseFilters(), pageSize: filters.pageSize };
    setFilters(f);
    setDraft(draftOf(f));
    setOutside(null);
  };

  const invalid = error?.fields ?? [];
  const links = caseExportLinks(caseExportQuery(filters));
  const queue = casePageQuery(filters, lang);
  const state = error ? 'error' : loading || !result || result.query !== query ? 'loading' : 'ready';
  const caseHref = (id: number) => casePath(id, queue);
  const openLink = (id: number) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    openCase(id);
  };

  return (
    <div className="stock-page audit-page">
      <AuditHeader tab="queue" lang={props.lang} onLang={props.onLang} nav={props.nav} />
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
          statusCounts={result?.data.statusCounts ?? null}
          onChange={change}
          onDraft={(k, v) => setDraft((d) => ({ ...d, [k]: v }))}
          onCommit={commitDraft}
          onReset={reset}
        />
        <section className="stock-results audit-results" data-testid="audit-results" data-state={state} data-query={result?.query ?? ''} ref={listRef}>
          <div className="stock-toolbar">
            <label className="stock-select">
              <span>{t('stSort')}</span>
              <select name="sort" value={filters.sort} onChange={(e) => change({ sort: e.target.value as CaseSort })}>
                {SORTS.map((s) => (
                  <option key={s} value={s}>
                    {t(`auSort_${s}` as StringKey)}
                  </option>
                ))}
              </select>
            </label>
            <span className="audit-keys" data-testid="audit-keys">
              {t('auKeys')}
            </span>
          </div>

          {error && (
            <div className="stock-error" role="alert" data-testid="audit-error" data-code={error.code} data-fields={error.fields.join(',')}>
              {t('stSearchFailed')}
              {error.message}
            </div>
          )}

          {result && !error && (
            <>
              <div className="stock-summary">
                <strong data-testid="audit-total" data-total={total}>
                  {t('auTotal', { n: total })}
                </strong>
                <span className="stock-exports">
                  <a className="stock-export" href={links.xlsx} download data-export="xlsx" title={t('stExportNote', { n: total })}>
                    {t('auExportXlsx')}
                  </a>
                  <a className="stock-export" href={links.geojson} download data-export="geojson" title={t('stExportNote', { n: total })}>
                    {t('auExportGeojson')}
                  </a>
                  <a className="stock-export" href={links.shp} download data-export="shp" title={t('stExportNote', { n: total })}>
                    {t('auExportShp')}
                  </a>
                </span>
              </div>
              {outside !== null && (
                <p className="stock-outside" data-testid="not-listed">
                  {t('auNotListed')}{' '}
                  <a href={caseHref(outside)} onClick={openLink(outside)}>
                    {t('auOpenCase')}
                  </a>{' '}
                  <button type="button" className="stock-link-button" onClick={() => (setOutside(null), setSelectedId(null))}>
                    {t('stClose')}
                  </button>
                </p>
              )}
              {items.length === 0 ? (
                <p className="stock-none">{t('auNone')}</p>
              ) : (
                <div className="stock-table-wrap">
                  <table className="stock-table" data-testid="audit-list">
                    <thead>
                      <tr>
                        <th>{t('auCol_code')}</th>
                        <th>{t('stCol_county')}</th>
                        <th>{t('auCol_source')}</th>
                        <th>{t('auCol_detectedOn')}</th>
                        <th className="num">{t('auCol_area')}</th>
                        <th className="num">{t('auCol_farmland')}</th>
                        <th className="num" title={t('auCol_permanentFull')}>
                          {t('auCol_permanent')}
                        </th>
                        <th className="num" title={t('auCol_redlineFull')}>
                          {t('auCol_redline')}
                        </th>
                        <th>{t('auCol_status')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((c) => (
                        <tr
                          key={c.id}
                          data-id={c.id}
                          data-code={c.code}
                          data-selected={c.id === selectedId ? 'true' : undefined}
                          data-hovered={c.id === hoveredId ? 'true' : undefined}
                          aria-selected={c.id === selectedId}
                          onMouseEnter={() => setHoveredId(c.id)}
                          onMouseLeave={() => setHoveredId((h) => (h === c.id ? null : h))}
                          onClick={() => {
                            setSelectedId(c.id);
                            setOutside(null);
                          }}
                          onDoubleClick={() => openCase(c.id)}
                        >
                          <td className="stock-code-cell">
                            <a href={caseHref(c.id)} onClick={openLink(c.id)} data-field="code">
                              {c.code}
                            </a>
                          </td>
                          <td data-field="county">{c.countyName}</td>
                          <td data-field="source">{sourceWord(c.source, lang)}</td>
                          <td data-field="detectedOn">{c.detectedOn}</td>
                          <td className="num">
                            <Mu area={c.area} field="area" />
                          </td>
                          <td className="num">
                            <Mu area={c.overlaps.farmland} field="farmland" dashZero />
                          </td>
                          <td className="num">
                            <Mu area={c.overlaps.permanentFarmland} field="permanentFarmland" dashZero />
                          </td>
                          <td className="num">
                            <Mu area={c.overlaps.ecoRedline} field="ecoRedline" dashZero />
                          </td>
                          <td data-field="status">
                            <StatusBadge status={c.status as CaseStatus} />
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
                    {[...new Set([...CASE_PAGE_SIZES, filters.pageSize])].map((n) => (
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
          <div ref={mapRef} className="map" data-testid="audit-map" />
          <div className="stock-legend audit-legend" aria-label="legend">
            <ul>
              <li>
                <span className="legend-swatch" style={{ background: LISTED_COLOR, borderColor: '#a61e4d' }} />
                {t('auLegendListed')}
              </li>
              <li>
                <span className="legend-swatch" style={{ background: '#adb5bd55', borderColor: '#868e96' }} />
                {t('auLegendOther')}
              </li>
              <li>
                <span className="legend-swatch" style={{ background: SELECTED_COLOR, borderColor: '#d9480f' }} />
                {t('auLegendSelected')}
              </li>
            </ul>
            <LayerToggles
              layers={CONTROL_LAYERS}
              visible={visible}
              onChange={(id, on) => {
                setVisible((v) => (on ? [...v, id] : v.filter((x) => x !== id)));
                map?.setLayerVisible(id, on);
              }}
            />
          </div>
        </main>
      </div>
    </div>
  );
}

type LayerIdList = (typeof CONTROL_LAYERS)[number][];
/** The control layers shown under the queue at first; stock land on request. */
const DEFAULT_VISIBLE: LayerIdList = ['general-farmland', 'permanent-farmland', 'eco-redline', 'urban-boundary'];
