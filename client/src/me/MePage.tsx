/**
 * 我的 (/me), for signed-in accounts: the saved stock-land searches with how many parcels are
 * new since the last visit (新增 N 宗) and those parcels, opening a search on /stock (which
 * marks it seen), rename and delete; and the site checks the account filed, linked to their
 * reports. The public is sent to the sign-in.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SavedSearch } from '../../../core/contracts/me.ts';
import type { StockParcelSummary } from '../../../core/contracts/stock.ts';
import type { AreaUnits } from '../../../core/units.ts';
import { LangContext, type Lang } from '../i18n.ts';
import { StockHeader } from '../stock/common.tsx';
import { writeLang } from '../page-shell.ts';
import { del, getJson, patchJson, postJson } from '../http.ts';
import { w } from '../i18n.ts';
import { signInHref, useSession } from '../auth/SessionBadge.tsx';
import { beijingTime as beijing, formatMu } from '../format.ts';
import '../auth/auth.css';
import '../stock/stock.css';
import '../admin/admin.css';

const langOf = (): Lang => (new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'zh');
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

/** The search's conditions in words, e.g. "用途 工业；面积 20–80". */
function conditions(q: Record<string, string>, lang: Lang): string {
  const names: Record<string, [string, string]> = {
    county: ['县区', 'county'],
    category: ['类型', 'category'],
    use: ['用途', 'use'],
    status: ['状态', 'status'],
    minArea: ['面积≥', 'area ≥'],
    maxArea: ['面积≤', 'area ≤'],
    areaUnit: ['单位', 'unit'],
    minPrice: ['价格≥', 'price ≥'],
    maxPrice: ['价格≤', 'price ≤'],
    minPlotRatio: ['容积率≥', 'plot ratio ≥'],
    maxPlotRatio: ['容积率≤', 'plot ratio ≤'],
    q: ['关键词', 'text'],
    sort: ['排序', 'sort'],
    near: ['位置', 'near'],
  };
  const parts = Object.entries(q).map(([k, v]) => `${names[k] ? names[k][lang === 'zh' ? 0 : 1] : k} ${v}`);
  return parts.length ? parts.join(w(lang, '；', '; ')) : w(lang, '可供应的全部地块', 'every available parcel');
}

function SavedSearchRow(props: { s: SavedSearch; lang: Lang; onChanged: () => void; onError: (m: string) => void }) {
  const { s, lang } = props;
  const [fresh, setFresh] = useState<StockParcelSummary[] | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(s.name);
  const stockHref = `/stock?${new URLSearchParams({ ...s.query, ...(lang === 'en' ? { lang: 'en' } : {}) }).toString().replace(/%2C/g, ',')}`;
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
            <input value={name} maxLength={60} onChange={(e) => setName(e.target.value)} aria-label={w(lang, '名称', 'Name')} autoFocus />
            <button type="submit">{w(lang, '确定', 'OK')}</button>
          </form>
        ) : (
          <strong className="me-search-name">{s.name}</strong>
        )}
        {s.newCount > 0 ? (
          <span className="me-new" data-testid="new-count">
            {w(lang, `新增 ${s.newCount} 宗`, `${s.newCount} new`)}
          </span>
        ) : (
          <span className="me-no-new">{w(lang, '无新增', 'nothing new')}</span>
        )}
        <span className="me-total">{w(lang, `现有 ${s.total} 宗符合`, `${s.total} match now`)}</span>
      </div>
      <p className="me-conditions">
        {conditions(s.query, lang)} · {w(lang, `上次查看 ${beijing(s.lastVisitedAt)}`, `last seen ${beijing(s.lastVisitedAt)}`)}
      </p>
      <div className="me-actions">
        {s.newCount > 0 && (
          <button type="button" data-action="show-new" onClick={() => void getJson<{ items: StockParcelSummary[] }>(`/api/me/saved-searches/${s.id}/new`, { lang }).then((r) => setFresh(r.items), (e: Error) => props.onError(e.message))}>
            {w(lang, '查看新增地块', 'Show the new parcels')}
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
          {w(lang, '打开检索', 'Open the search')}
        </a>
        {s.newCount > 0 && (
          <button type="button" data-action="seen" onClick={() => void act(postJson(`/api/me/saved-searches/${s.id}/visit`, undefined, { lang }).then(() => setFresh(null)))}>
            {w(lang, '标记为已查看', 'Mark as seen')}
          </button>
        )}
        <button type="button" data-action="rename" onClick={() => setRenaming(true)}>
          {w(lang, '重命名', 'Rename')}
        </button>
        <button
          type="button"
          data-action="delete"
          onClick={() => window.confirm(w(lang, `删除检索“${s.name}”？`, `Delete "${s.name}"?`)) && void act(del(`/api/me/saved-searches/${s.id}`, { lang }))}
        >
          {w(lang, '删除', 'Delete')}
        </button>
      </div>
      {fresh && (
        <table className="admin-table" data-testid="new-parcels">
          <thead>
            <tr>
              <th>{w(lang, '地块编号', 'Code')}</th>
              <th>{w(lang, '名称', 'Name')}</th>
              <th>{w(lang, '县区', 'County')}</th>
              <th>{w(lang, '用途', 'Use')}</th>
              <th>{w(lang, '面积', 'Area')}</th>
              <th>{w(lang, '状态', 'Status')}</th>
            </tr>
          </thead>
          <tbody>
            {fresh.map((p) => (
              <tr key={p.id} data-code={p.code}>
                <td>
                  <a href={`/stock/${encodeURIComponent(p.code)}${lang === 'en' ? '?lang=en' : ''}`}>{p.code}</a>
                </td>
                <td>{p.name}</td>
                <td>{p.countyName}</td>
                <td>{p.plannedUse}</td>
                <td>{mu(p.area, lang)}</td>
                <td>{p.status}</td>
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
  const signedIn = !!session?.user;
  const load = useCallback(() => {
    if (!signedIn) return;
    getJson<{ searches: SavedSearch[] }>('/api/me/saved-searches', { lang }).then((r) => setSearches(r.searches), (e: Error) => setError(e.message));
    getJson<{ total: number; items: MySiteCheck[] }>('/api/me/site-checks?pageSize=50', { lang }).then(setChecks, (e: Error) => setError(e.message));
  }, [lang, signedIn]);
  useEffect(load, [load]);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${w(lang, '我的', 'My space')} · 一张图`;
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
        <StockHeader title={w(lang, '我的', 'My space')} lang={lang} onLang={onLang} />
        <main className="admin-main">
          {error && (
            <p className="admin-notice admin-notice-error" role="alert">
              {error}
            </p>
          )}
          <section className="admin-section" data-testid="saved-searches">
            <h2>{w(lang, '已保存的存量土地检索', 'Saved stock-land searches')}</h2>
            {searches !== null && searches.length === 0 && (
              <p>
                {w(lang, '还没有保存检索：在', 'No saved search yet: on ')}
                <a href={lang === 'en' ? '/stock?lang=en' : '/stock'}>{w(lang, '存量土地查询', 'the stock-land search')}</a>
                {w(lang, '中设好条件后点“保存此检索”。', ', set the filters and press "Save this search".')}
              </p>
            )}
            <ul className="me-searches">
              {(searches ?? []).map((s) => (
                <SavedSearchRow key={`${s.id}-${s.lastVisitedAt}-${s.name}`} s={s} lang={lang} onChanged={load} onError={setError} />
              ))}
            </ul>
          </section>
          <section className="admin-section" data-testid="my-site-checks">
            <h2>{w(lang, '我的选址套核', 'My site checks')}</h2>
            {checks !== null && checks.total === 0 && <p>{w(lang, '还没有提交过选址套核。', 'No site check filed yet.')}</p>}
            {checks !== null && checks.total > 0 && (
              <table className="admin-table">
                <thead>
                  <tr>
                    <th>{w(lang, '名称', 'Name')}</th>
                    <th>{w(lang, '时间', 'When')}</th>
                    <th>{w(lang, '规划用途', 'Planned use')}</th>
                    <th>{w(lang, '面积', 'Area')}</th>
                    <th>{w(lang, '结论', 'Verdicts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {checks.items.map((c) => (
                    <tr key={c.id} data-report={c.id}>
                      <td>
                        <a href={`/reports/${c.id}${lang === 'en' ? '?lang=en' : ''}`}>{c.name ?? w(lang, '（未命名）', '(unnamed)')}</a>
                      </td>
                      <td>{beijing(c.createdAt)}</td>
                      <td>{c.plannedUse ?? '—'}</td>
                      <td>{mu(c.area, lang)}</td>
                      <td>
                        {c.conflicts > 0
                          ? w(lang, `${c.conflicts} 项冲突`, `${c.conflicts} in conflict`)
                          : c.warnings > 0
                            ? w(lang, `${c.warnings} 项需办理`, `${c.warnings} need action`)
                            : w(lang, '符合', 'Compliant')}
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
