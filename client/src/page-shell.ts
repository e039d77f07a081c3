/**
 * What the multi-page apps (/stock, /audit, /admin) share: the current path and language read
 * from the address, in-place navigation with history (back and forward re-render), link clicks
 * that navigate in place when plain, and the language switch written back to the address.
 *
 * @example
 * const { path, n, lang, nav, onLang } = usePageShell<{ from?: string }>();
 * if (/^\/stock\/([^/]+)$/.test(path)) … <Page key={n} nav={nav} lang={lang} onLang={onLang} />
 */
import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { htmlLang, langOfSearch, setLangParam, type Lang } from './i18n.ts';

/** The language in the current address, set or removed, keeping the rest and the history state. */
export function writeLang(lang: Lang) {
  const q = setLangParam(new URLSearchParams(window.location.search), lang).toString().replace(/%2C/g, ',');
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}${window.location.hash}`);
}

export interface Navigation<S = unknown> {
  /** Goes to a page of the app, with state kept in its history entry. */
  navigate: (url: string, state?: S) => void;
  /** An <a>'s click handler: plain left clicks navigate in place, the rest open as links do. */
  linkClick: (url: string, state?: S) => (e: MouseEvent<HTMLAnchorElement>) => void;
}

export interface PageShell<S> {
  path: string;
  /** Bumped on every navigation: a key that remounts the page. */
  n: number;
  lang: Lang;
  onLang: (lang: Lang) => void;
  nav: Navigation<S>;
}

export function usePageShell<S = unknown>(): PageShell<S> {
  const [loc, setLoc] = useState(() => ({ path: window.location.pathname, n: 0 }));
  const [lang, setLang] = useState<Lang>(() => langOfSearch(window.location.search));

  useEffect(() => {
    const onPop = () => {
      setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
      setLang(langOfSearch(window.location.search));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
  }, [lang]);

  const navigate = useCallback((url: string, state?: S) => {
    window.history.pushState(state ?? null, '', url);
    setLoc((l) => ({ path: window.location.pathname, n: l.n + 1 }));
    setLang(langOfSearch(window.location.search));
    window.scrollTo(0, 0);
  }, []);

  const linkClick = useCallback(
    (url: string, state?: S) => (e: MouseEvent<HTMLAnchorElement>) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(url, state);
    },
    [navigate],
  );

  const onLang = useCallback((next: Lang) => {
    writeLang(next);
    setLang(next);
  }, []);

  return { path: loc.path, n: loc.n, lang, onLang, nav: { navigate, linkClick } };
}
