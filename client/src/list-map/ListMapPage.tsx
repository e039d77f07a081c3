/**
 * The searchable list with a map, as /stock and /audit show it: the filters column, the
 * results (toolbar, the server's error naming the fields, total and exports, the "not on this
 * page" note, the table, pager and page size) and the map with its legend, side by side. A
 * page declares its filters, columns and map; the state comes from useListQuery and
 * useListMap. Test ids carry the page's prefix (`stock-results`, `audit-pager`, …).
 */
import type { Dispatch, FormEvent, ReactNode, RefObject, SetStateAction } from 'react';
import { useT } from '../i18n.ts';
import type { RecordRef } from './record-map.ts';
import type { ListView } from './useListQuery.ts';

/** One column of the results table. */
export interface Column<T> {
  key: string;
  head: ReactNode;
  /** The heading's tooltip. */
  title?: string;
  /** A figure: right-aligned. */
  num?: boolean;
  className?: string;
  /** The cell's data-field (when the cell itself is the field). */
  field?: string;
  /** The cell's data-value. */
  value?: (item: T) => string | number;
  cell: (item: T) => ReactNode;
}

/** The selection shared by the table and the map (useListMap). */
export interface Selection {
  selectedId: number | null;
  hoveredId: number | null;
  setHoveredId: Dispatch<SetStateAction<number | null>>;
  select: (id: number | null) => void;
  outside: RecordRef | null;
  listRef: RefObject<HTMLElement | null>;
  mapRef: RefObject<HTMLDivElement | null>;
}

export interface ListMapPageProps<T extends { id: number; code: string }> {
  /** The test ids' prefix: `${prefix}-results`, `-list`, `-map`, `-total`, `-error`, `-pager`, `-page`. */
  prefix: string;
  className?: string;
  resultsClassName?: string;
  header: ReactNode;
  baseError: string | null;
  filters: ReactNode;
  list: ListView<T>;
  sel: Selection;
  /** The results' toolbar (sort and the page's own controls). */
  toolbar: ReactNode;
  totalText: string;
  exports: { kind: string; href: string; label: string }[];
  /** After the exports (e.g. saving the search). */
  summaryExtra?: ReactNode;
  /** What to say of a record clicked on the map that the page does not list (a close button follows). */
  notListed: (r: RecordRef) => ReactNode;
  noneText: string;
  columns: Column<T>[];
  /** Besides selecting the row. */
  onRowClick?: (item: T) => void;
  onRowDoubleClick?: (item: T) => void;
  pageSizes: readonly number[];
  /** Extra attributes of the map's element (data-*). */
  mapData?: Record<string, string>;
  legend: ReactNode;
}

export function ListMapPage<T extends { id: number; code: string }>(props: ListMapPageProps<T>) {
  const { t } = useT();
  const { list, sel, prefix } = props;
  return (
    <div className={`stock-page${props.className ? ` ${props.className}` : ''}`}>
      {props.header}
      {props.baseError && (
        <p className="error" role="alert">
          {t('loadFailed')}
          {props.baseError}
        </p>
      )}
      <div className="stock-body">
        {props.filters}
        <section
          className={`stock-results${props.resultsClassName ? ` ${props.resultsClassName}` : ''}`}
          data-testid={`${prefix}-results`}
          data-state={list.state}
          data-query={list.result?.query ?? ''}
          ref={sel.listRef as RefObject<HTMLElement>}
        >
          <div className="stock-toolbar">{props.toolbar}</div>
          {list.error && (
            <div className="stock-error" role="alert" data-testid={`${prefix}-error`} data-code={list.error.code} data-fields={list.error.fields.join(',')}>
              {t('stSearchFailed')}
              {list.error.message}
            </div>
          )}
          {list.result && !list.error && (
            <>
              <div className="stock-summary">
                <strong data-testid={`${prefix}-total`} data-total={list.total}>
                  {props.totalText}
                </strong>
                <span className="stock-exports">
                  {props.exports.map((x) => (
                    <a key={x.kind} className="stock-export" href={x.href} download data-export={x.kind} title={t('stExportNote', { n: list.total })}>
                      {x.label}
                    </a>
                  ))}
                </span>
                {props.summaryExtra}
              </div>
              {sel.outside && (
                <p className="stock-outside" data-testid="not-listed">
                  {props.notListed(sel.outside)}{' '}
                  <button type="button" className="stock-link-button" onClick={() => sel.select(null)}>
                    {t('stClose')}
                  </button>
                </p>
              )}
              {list.items.length === 0 ? <p className="stock-none">{props.noneText}</p> : <ResultTable {...props} />}
              <div className="stock-footer">
                <Pager prefix={prefix} page={list.page} pages={list.pages} onPage={list.goTo} />
                <label className="stock-select">
                  <span>{t('stPageSize')}</span>
                  <select name="pageSize" value={list.pageSize} onChange={(e) => list.setPageSize(Number(e.target.value))}>
                    {[...new Set([...props.pageSizes, list.pageSize])].map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </>
          )}
          {!list.result && !list.error && <p className="loading">{t('loading')}</p>}
        </section>
        <main className="stock-map-area">
          <div ref={sel.mapRef as RefObject<HTMLDivElement>} className="map" data-testid={`${prefix}-map`} {...props.mapData} />
          {props.legend}
        </main>
      </div>
    </div>
  );
}

/** The page's rows, in step with the map: hover lights, a click selects. */
function ResultTable<T extends { id: number; code: string }>(props: ListMapPageProps<T>) {
  const { sel } = props;
  return (
    <div className="stock-table-wrap">
      <table className="stock-table" data-testid={`${props.prefix}-list`}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} className={c.num ? 'num' : undefined} title={c.title}>
                {c.head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.list.items.map((item) => (
            <tr
              key={item.id}
              data-id={item.id}
              data-code={item.code}
              data-selected={item.id === sel.selectedId ? 'true' : undefined}
              data-hovered={item.id === sel.hoveredId ? 'true' : undefined}
              aria-selected={item.id === sel.selectedId}
              onMouseEnter={() => sel.setHoveredId(item.id)}
              onMouseLeave={() => sel.setHoveredId((h) => (h === item.id ? null : h))}
              onClick={() => {
                sel.select(item.id);
                props.onRowClick?.(item);
              }}
              onDoubleClick={props.onRowDoubleClick && (() => props.onRowDoubleClick!(item))}
            >
              {props.columns.map((c) => (
                <td key={c.key} className={[c.num && 'num', c.className].filter(Boolean).join(' ') || undefined} data-field={c.field} data-value={c.value?.(item)}>
                  {c.cell(item)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The pager: first, previous, "page x of y", next, last. */
export function Pager(props: { prefix: string; page: number; pages: number; onPage: (p: number) => void }) {
  const { t } = useT();
  const { page, pages } = props;
  return (
    <nav className="stock-pager" data-testid={`${props.prefix}-pager`} aria-label={t('stPage', { page, pages })}>
      <button type="button" disabled={page <= 1} onClick={() => props.onPage(1)}>
        {t('stFirst')}
      </button>
      <button type="button" data-page="prev" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        {t('stPrev')}
      </button>
      <span data-testid={`${props.prefix}-page`} data-page={page} data-pages={pages}>
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

/** The sort of the list. */
export function SortSelect<S extends string>(props: { value: S; options: { value: S; label: string; disabled?: boolean }[]; onChange: (s: S) => void }) {
  const { t } = useT();
  return (
    <label className="stock-select">
      <span>{t('stSort')}</span>
      <select name="sort" value={props.value} onChange={(e) => props.onChange(e.target.value as S)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The filters column: a form whose submit (Enter, 应用) commits what was typed. */
export function FilterForm(props: { prefix: string; onCommit: () => void; onReset: () => void; children: ReactNode }) {
  const { t } = useT();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onCommit();
  };
  return (
    <form className="stock-filters" data-testid={`${props.prefix}-filters`} onSubmit={submit}>
      <h2>{t('stFilters')}</h2>
      {props.children}
      <div className="stock-filter-actions">
        <button type="submit" className="stock-primary" data-testid={`${props.prefix}-apply`}>
          {t('stApply')}
        </button>
        <button type="button" className="stock-secondary" onClick={props.onReset}>
          {t('stReset')}
        </button>
      </div>
    </form>
  );
}

/** The free-text filter (`q`), committed on blur and Enter. */
export function SearchField(props: { label: string; placeholder: string; value: string; invalid: boolean; onChange: (v: string) => void; onCommit: () => void }) {
  return (
    <label className="stock-q">
      <span>{props.label}</span>
      <input
        type="search"
        name="q"
        value={props.value}
        placeholder={props.placeholder}
        aria-invalid={props.invalid || undefined}
        onChange={(e) => props.onChange(e.target.value)}
        onBlur={() => props.onCommit()}
      />
    </label>
  );
}

/** A labelled row of inputs (a range, a threshold). */
export function FilterRow(props: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className="stock-range">
      <span className="stock-range-label">{props.label}</span>
      <span className={`stock-range-inputs${props.className ? ` ${props.className}` : ''}`}>{props.children}</span>
    </div>
  );
}

const toggle = (list: string[], v: string, on: boolean) => (on ? [...list.filter((x) => x !== v), v] : list.filter((x) => x !== v));

/** A group of checkboxes writing one list filter, with a count beside an option when known. */
export function CheckGroup(props: { name: string; legend: string; options: { value: string; label: string; count?: number }[]; value: string[]; invalid?: boolean; onChange: (v: string[]) => void }) {
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

/** The map's legend: swatches, then anything else (layer toggles). */
export function Legend(props: { className?: string; items: { fill: string; line: string; label: string }[]; children?: ReactNode }) {
  return (
    <div className={`stock-legend${props.className ? ` ${props.className}` : ''}`} aria-label="legend">
      <ul>
        {props.items.map((i) => (
          <li key={i.label}>
            <span className="legend-swatch" style={{ background: i.fill, borderColor: i.line }} />
            {i.label}
          </li>
        ))}
      </ul>
      {props.children}
    </div>
  );
}
