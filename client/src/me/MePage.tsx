/**
 * 我的 (/me), for signed-in accounts: the saved stock-land searches with how many parcels are
 * new since the last visit (新增 N 宗) and those parcels, opening a search on /stock (which
 * marks it seen), rename and delete; and the site checks the account filed, linked to their
 * reports. The public is sent to the sign-in.
 */
import { unitWord } from '../format.ts';
import { valueWord } from '../stock/format.ts';
import { useCallback, useEffect, useState } from 'react';
import type { SavedSearch } from '../../../core/contracts/me.ts';
import type { StockParcelSummary } from '../../../core/contracts/stock.ts';
import type { AreaUnits } from '../../../core/units.ts';
import { countyName, dataProps, recordCounty, htmlLang, LangContext, langOfSearch, setLangParam, translate, translateOr, withLang, type Lang, type StringKey } from '../i18n.ts';
import { api } from '../api.ts';
import { StockHeader } from '../stock/common.tsx';
import { writeLang } from '../page-shell.ts';
import { del, getJson, patchJson, postJson } from '../http.ts';
import { signInHref, useSession } from '../auth/SessionBadge.tsx';
import { beijingTime as beijing, formatMu } from '../format.ts';
import '../auth/auth.css';
import '../stock/stock.css';
import '../admin/admin.css';

const langOf = (): Lang => langOfSearch(window.location.search);
const mu = (a: AreaUnits, lang: Lang) => formatMu(a, lang);

interface MySiteCheck {
  id: string;
  createdAt: string;
  name: string | null;
  plannedUse: string | null;
  area: AreaUnits;
  conflicts: number;
  warnings: number;
}

/** A range in words: "≥ 50", "≤ 80", "20–80" (the unit after it, if any). */
function range(min: string | undefined, max: string | undefined, unit: string): string | null {
  const u = unit ? ` ${unit}` : '';
  if (min !== undefined && max !== undefined) return `${min}–${max}${u}`;
  if (min !== undefined) return `≥ ${min}${u}`;
  if (max !== undefined) return `≤ ${max}${u}`;
  return null;
}

/**
 * The search's conditions in words, each range with its unit, counties by name and the sort by
 * what it does: "用途 工业；面积 ≥ 50 亩" / "use 工业; area ≥ 50 mu".
 */
export function conditions(q: Record<string, string>, lang: Lang, counties: readonly { code: string; name: string; nameEn?: string }[] = []): string {
  const say = (key: string, value: string) => `${translate(lang, key as StringKey)} ${value}`;
  const unit = q.areaUnit === 'ha' || q.areaUnit === 'm2' ? q.areaUnit : 'mu';
  const parts: string[] = [];
  const area = range(q.minArea, q.maxArea, translate(lang, `unit_${unit}`));
  const price = range(q.minPrice, q.maxPrice, translate(lang, 'stPriceUnit'));
  const ratio = range(q.minPlotRatio, q.maxPlotRatio, '');
  const ranged = new Set(['minArea', 'maxArea', 'areaUnit', 'minPrice', 'maxPrice', 'minPlotRatio', 'maxPlotRatio']);
  for (const [k, v] of Object.entries(q)) {
    if (ranged.has(k)) continue;
    if (k === 'county') {
      const names = v.split(',').map((code) => {
        const c = counties.find((x) => x.code === code);
        return c ? countyName(c, lang) : code;
      });
      parts.push(say('meCond_county', names.join(translate(lang, 'listSep'))));
    } else if (k === 'sort') parts.push(translateOr(lang, `stSort_${v}`, `${translate(lang, 'meCond_sort')} ${v}`));
    else if (k === 'status' && v === 'all') parts.push(translate(lang, 'meAnyStatus'));
    else if (k === 'q') parts.push(say('meCond_q', lang === 'zh' ? `“${v}”` : `"${v}"`));
    else if (k === 'category' || k === 'use' || k === 'status') parts.push(say(`meCond_${k}`, v.split(',').map((x) => valueWord(x, lang)).join(translate(lang, 'listSep'))));
    else parts.push(`${translateOr(lang, `meCond_${k}`, k)} ${v}`);
  }
  if (area) parts.push(say('meCond_area', area));
  if (price) parts.push(say('meCond_price', price));
  if (ratio) parts.push(say('meCond_plotRatio', ratio));
  return parts.length ? parts.join(translate(lang, 'semicolon')) : translate(lang, 'meAllAvailable');
}

function SavedSearchRow(props: { s: SavedSearch; lang: Lang; counties: readonly { code: string; name: string; nameEn?: string }[]; onChanged: () => void; onError: (m: string) => void }) {
  const { s, lang } = props;
  const [fresh, setFresh] = useState<StockParcelSummary[] | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(s.name);
  const stockHref = `/stock?${setLangParam(new URLSearchParams(s.query), lang).toString().replace(/%2C/g, ',')}`;
  const act = (p: Promise<unknown>) => p.then(props.onChanged).catch((e: Error) => props.onError(e.message));
  return (
    <li className="me-search" data-search={s.id} data-new={s.newCount}>
      <div className="me-search-head">
        {renaming ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setRenaming(false);
              void act(patchJson(`/api/me/saved-searches/${s.id}`, { name }, { lang }));
            }}
          >
            <input value={name} maxLength={60} onChange={(e) => setName(e.target.value)} aria-label={translate(lang, 'meName')} autoFocus />
            <button type="submit">{translate(lang, 'meOK')}</button>
          </form>
        ) : (
          <strong className="me-search-name" {...dataProps(s.name)}>
            {s.name}
          </strong>
        )}
        {s.newCount > 0 ? (
          <span className="me-new" data-testid="new-count">
            {translate(lang, 'meNew', { newCount: s.newCount })}
          </span>
        ) : (
          <span className="me-no-new">{translate(lang, 'meNothingNew')}</span>
        )}
        <span className="me-total">{translate(lang, 'meMatchNow', { n: s.total })}</span>
      </div>
      <p className="me-conditions">
        {conditions(s.query, lang, props.counties)} · {translate(lang, 'meLastSeen', { lastVisitedAt: beijing(s.lastVisitedAt) })}
      </p>
      <div className="me-actions">
        {s.newCount > 0 && (
          <button type="button" data-action="show-new" onClick={() => void getJson<{ items: StockParcelSummary[] }>(`/api/me/saved-searches/${s.id}/new`, { lang }).then((r) => setFresh(r.items), (e: Error) => props.onError(e.message))}>
            {translate(lang, 'meShowNewParcels')}
          </button>
        )}
        <a
          href={stockHref}
          data-action="open"
          onClick={(e) => {
            // opening the search is seeing it: mark it, then go
            e.preventDefault();
            void postJson(`/api/me/saved-searches/${s.id}/visit`, undefined, { lang }).finally(() => window.location.assign(stockHref));
          }}
        >
          {translate(lang, 'meOpenSearch')}
        </a>
        {s.newCount > 0 && (
          <button type="button" data-action="seen" onClick={() => void act(postJson(`/api/me/saved-searches/${s.id}/visit`, undefined, { lang }).then(() => setFresh(null)))}>
            {translate(lang, 'meMarkSeen')}
          </button>
        )}
        <button type="button" data-action="rename" onClick={() => setRenaming(true)}>
          {translate(lang, 'meRename')}
        </button>
        <button
          type="button"
          data-action="delete"
          onClick={() => window.confirm(translate(lang, 'meDeleteConfirm', { name: s.name })) && void act(del(`/api/me/saved-searches/${s.id}`, { lang }))}
        >
          {translate(lang, 'meDelete')}
        </button>
      </div>
      {fresh && (
        <table className="admin-table" data-testid="new-parcels">
          <thead>
            <tr>
              <th>{translate(lang, 'meCode')}</th>
              <th>{translate(lang, 'meName')}</th>
              <th>{translate(lang, 'meCounty')}</th>
              <th>{translate(lang, 'meUse')}</th>
              <th>{translate(lang, 'adArea')}</th>
              <th>{translate(lang, 'meStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {fresh.map((p) => (
              <tr key={p.id} data-code={p.code}>
                <td>
                  <a href={withLang(`/stock/${encodeURIComponent(p.code)}`, lang)}>{p.code}</a>
                </td>
                <td {...dataProps(p.name)}>{p.name}</td>
                <td>{recordCounty(p, lang)}</td>
                <td>{valueWord(p.plannedUse, lang)}</td>
                <td>{mu(p.area, lang)}</td>
                <td>{valueWord(p.status, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

export function MePage() {
  const [lang, setLang] = useState<Lang>(langOf);
  const session = useSession();
  const [searches, setSearches] = useState<SavedSearch[] | null>(null);
  const [checks, setChecks] = useState<{ total: number; items: MySiteCheck[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // county names for the saved searches' conditions (a search keeps codes)
  const [counties, setCounties] = useState<{ code: string; name: string; nameEn?: string }[]>([]);
  useEffect(() => {
    api.counties(lang).then(setCounties, () => setCounties([]));
  }, [lang]);
  const signedIn = !!session?.user;
  const load = useCallback(() => {
    if (!signedIn) return;
    getJson<{ searches: SavedSearch[] }>('/api/me/saved-searches', { lang }).then((r) => setSearches(r.searches), (e: Error) => setError(e.message));
    getJson<{ total: number; items: MySiteCheck[] }>('/api/me/site-checks?pageSize=50', { lang }).then(setChecks, (e: Error) => setError(e.message));
  }, [lang, signedIn]);
  useEffect(load, [load]);
  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${translate(lang, 'meMySpace')} · ${translate(lang, 'title')}`;
  }, [lang]);
  useEffect(() => {
    if (session && !session.user) window.location.replace(signInHref(lang));
  }, [session, lang]);
  if (!session?.user) return null;
  const onLang = (next: Lang) => {
    writeLang(next);
    setLang(next);
  };
  return (
    <LangContext.Provider value={lang}>
      <div className="stock-page me-page">
        <StockHeader title={translate(lang, 'meMySpace')} lang={lang} onLang={onLang} />
        <main className="admin-main">
          {error && (
            <p className="admin-notice admin-notice-error" role="alert">
              {error}
            </p>
          )}
          <section className="admin-section" data-testid="saved-searches">
            <h2>{translate(lang, 'meSavedStockLandSearches')}</h2>
            {searches !== null && searches.length === 0 && (
              <p>
                {translate(lang, 'meNoSavedSearch')}
                <a href={withLang('/stock', lang)}>{translate(lang, 'meStockSearchLink')}</a>
                {translate(lang, 'meNoSavedSearchAfter')}
              </p>
            )}
            <ul className="me-searches">
              {(searches ?? []).map((s) => (
                <SavedSearchRow key={`${s.id}-${s.lastVisitedAt}-${s.name}`} s={s} lang={lang} counties={counties} onChanged={load} onError={setError} />
              ))}
            </ul>
          </section>
          <section className="admin-section" data-testid="my-site-checks">
            <h2>{translate(lang, 'meMySiteChecks')}</h2>
            {checks !== null && checks.total === 0 && <p>{translate(lang, 'meNoSiteCheck')}</p>}
            {checks !== null && checks.total > 0 && (
              <table className="admin-table">
                <thead>
                  <tr>
                    <th>{translate(lang, 'meName')}</th>
                    <th>{translate(lang, 'adWhen')}</th>
                    <th>{translate(lang, 'mePlannedUse')}</th>
                    <th>{translate(lang, 'adArea')}</th>
                    <th>{translate(lang, 'meVerdicts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {checks.items.map((c) => (
                    <tr key={c.id} data-report={c.id}>
                      <td>
                        <a href={withLang(`/reports/${c.id}`, lang)}>{c.name === null ? translate(lang, 'meUnnamed') : <span {...dataProps(c.name)}>{c.name}</span>}</a>
                      </td>
                      <td>{beijing(c.createdAt)}</td>
                      <td>{c.plannedUse === null ? '—' : valueWord(c.plannedUse, lang)}</td>
                      <td>{mu(c.area, lang)}</td>
                      <td>
                        {c.conflicts > 0
                          ? translate(lang, 'meConflict', { conflicts: c.conflicts })
                          : c.warnings > 0
                            ? translate(lang, 'meNeedAction', { warnings: c.warnings })
                            : translate(lang, 'meCompliant')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </main>
      </div>
    </LangContext.Provider>
  );
}
