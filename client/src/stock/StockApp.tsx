/**
 * The public stock-land pages: the search (/stock, filters in the query string) and a
 * parcel (/stock/{code}). Moving between them keeps one page load: a parcel opened from
 * the search remembers the search's address in its history entry (so its back link returns
 * to the same filters, even after a reload); a parcel opened from a shared link goes back
 * to a fresh search.
 */
import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { LangContext, type Lang } from '../i18n.ts';
import { StockSearchPage } from './StockSearchPage.tsx';
import { StockParcelPage } from './StockParcelPage.tsx';
import './stock.css';

export interface Navigation {
  /** Goes to a page of the app, with state kept in its history entry. */
  navigate: (url: string, state?: { from?: string }) => void;
  /** An <a>'s click handler: plain left clicks navigate in place, the rest open as links do. */
  linkClick: (url: string, state?: { from?: string }) => (e: MouseEvent<HTMLAnchorElement>) => void;
}

const langOf = (search: string): Lang => (new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh');

/** The language in the current address, set or removed, keeping the rest and the history state. */
export function writeLang(lang: Lang) {
  const params = new URLSearchParams(window.location.search);
  if (lang === 'en') params.set('lang', 'en');
  else params.delete('lang');
  const q = params.toString().replace(/%2C/g, ',');
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}${window.location.hash}`);
}

export function StockApp() {
  const [loc, setLoc] = useState(() => ({ path: window.location.pathname, n: 0 }));
  const [lang, setLang] = useState<Lang>(() => langOf(window.location.search));

  useEffect(() => {
    const onPop = () => {
      setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
      setLang(langOf(window.location.search));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);

  const navigate = useCallback((url: string, state?: { from?: string }) => {
    window.history.pushState(state ?? null, '', url);
    setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
    setLang(langOf(window.location.search));
    window.scrollTo(0, 0);
  }, []);

  const linkClick = useCallback(
    (url: string, state?: { from?: string }) => (e: MouseEvent<HTMLAnchorElement>) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(url, state);
    },
    [navigate],
  );

  const onLang = (next: Lang) => {
    writeLang(next);
    setLang(next);
  };

  const parcel = /^\/stock\/([^/]+)\/?$/.exec(loc.path);
  const nav: Navigation = { navigate, linkClick };
  return (
    <LangContext.Provider value={lang}>
      {parcel ? (
        <StockParcelPage key={loc.n} code={decodeURIComponent(parcel[1]!)} lang={lang} onLang={onLang} nav={nav} />
      ) : (
        <StockSearchPage key={loc.n} lang={lang} onLang={onLang} nav={nav} />
      )}
    </LangContext.Provider>
  );
}
