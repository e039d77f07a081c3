/**
 * The public stock-land pages: the search (/stock, filters in the query string) and a
 * parcel (/stock/{code}). Moving between them keeps one page load: a parcel opened from
 * the search remembers the search's address in its history entry (so its back link returns
 * to the same filters, even after a reload); a parcel opened from a shared link goes back
 * to a fresh search.
 */
import { LangContext } from '../i18n.ts';
import { usePageShell, type Navigation as ShellNavigation } from '../page-shell.ts';
import { StockSearchPage } from './StockSearchPage.tsx';
import { StockParcelPage } from './StockParcelPage.tsx';
import './stock.css';

/** In-place navigation; a parcel opened from the search keeps the search's address (`from`). */
export type Navigation = ShellNavigation<{ from?: string }>;

export function StockApp() {
  const { path, n, lang, onLang, nav } = usePageShell<{ from?: string }>();
  const parcel = /^\/stock\/([^/]+)\/?$/.exec(path);
  return (
    <LangContext.Provider value={lang}>
      {parcel ? (
        <StockParcelPage key={n} code={decodeURIComponent(parcel[1]!)} lang={lang} onLang={onLang} nav={nav} />
      ) : (
        <StockSearchPage key={n} lang={lang} onLang={onLang} nav={nav} />
      )}
    </LangContext.Provider>
  );
}
