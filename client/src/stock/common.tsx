/** What both stock pages share: the header, and the base map's data from the server. */
import { useEffect, useState, type ReactNode } from 'react';
import type { County } from '../../../core/contracts/features.ts';
import { api } from '../api.ts';
import { languageNameProps, otherLang, useT, withLang, type Lang } from '../i18n.ts';
import type { BaseData } from './stock-map.ts';
import { SessionBadge } from '../auth/SessionBadge.tsx';
import { countyLabelCollection } from '../map/style.ts';

export interface StockBase extends BaseData {
  counties: County[];
  /** The counties' joint extent. */
  cityBbox: [number, number, number, number] | undefined;
}

/** Counties (for the filter and the labels) and the deepest tile zoom. */
export function useStockBase(): { base: StockBase | null; error: string | null } {
  const [base, setBase] = useState<StockBase | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    Promise.all([api.counties(), api.config()])
      .then(([counties, config]) => {
        if (!alive) return;
        setBase({
          counties,
          countyLabels: countyLabelCollection(counties),
          cityBbox: counties.length
            ? [
                Math.min(...counties.map((c) => c.bbox[0])),
                Math.min(...counties.map((c) => c.bbox[1])),
                Math.max(...counties.map((c) => c.bbox[2])),
                Math.max(...counties.map((c) => c.bbox[3])),
              ]
            : undefined,
          maxTileZoom: config.maxTileZoom,
        });
      })
      .catch((e: Error) => alive && setError(e.message));
    return () => {
      alive = false;
    };
  }, []);
  return { base, error };
}

/** The pages' header: title, a way back to the map workspace, the language switch. */
/** The page header: home link, the page's title, (on the public stock pages) the subtitle, language, session. */
export function StockHeader(props: { title: string; lang: Lang; onLang: (l: Lang) => void; children?: ReactNode; subtitle?: boolean }) {
  const { t } = useT();
  return (
    <header className="app-header stock-header">
      <h1>
        <a href={withLang('/', props.lang)} className="home-link" title={t('stBackToMap')}>
          {t('title')}
        </a>
        <span className="stock-title"> · {props.title}</span>
      </h1>
      {props.children}
      {props.subtitle !== false && <span className="subtitle">{t('stSubtitle')}</span>}
      <button type="button" className="lang-switch" onClick={() => props.onLang(otherLang(props.lang))} {...languageNameProps(otherLang(props.lang))}>
        {t('language')}
      </button>
      <SessionBadge />
    </header>
  );
}
