/**
 * The stock-first step (存量优先) of the site check: ~300 ms after the site or its planned
 * use stops changing, match the stock-land library for that use and the site's area within the
 * server's stock-first radius of the site (POST /api/stock-parcels/match with stockFirst, top
 * STOCK_FIRST_CANDIDATES). The area is the
 * preview's ellipsoidal one; a site crossing itself is measured as repaired (the server
 * repairs it before its own match when asked to).
 */
import { useEffect, useState } from 'react';
import type { StockMatchResponse } from '../../../core/contracts/stock.ts';
import { measureSite, type SiteShape } from '../../../core/preview.ts';
import { STOCK_FIRST_CANDIDATES } from '../../../core/stock-first.ts';
import type { PlannedUse } from '../../../core/stock-match.ts';
import { toAreaUnits } from '../format.ts';
import type { Lang } from '../i18n.ts';
import { postStockMatch } from './api.ts';

const DEBOUNCE_MS = 300;

export type StockStepState =
  /** No site yet, or no planned use chosen. */
  | { status: 'idle'; reason: 'no-site' | 'no-use' }
  /** The site has no area to match (fewer than three points). */
  | { status: 'unusable' }
  | { status: 'loading'; site: SiteShape; use: PlannedUse }
  | {
      status: 'ready';
      site: SiteShape;
      use: PlannedUse;
      /** The area matched, m² on the ellipsoid. */
      areaM2: number;
      /** Measured on the repaired site (the drawn one crosses itself). */
      repaired: boolean;
      match: StockMatchResponse;
    }
  | { status: 'error'; site: SiteShape; use: PlannedUse; message: string };

export function useStockMatch(site: SiteShape | null, use: PlannedUse | '', lang: Lang): StockStepState {
  const [state, setState] = useState<StockStepState>({ status: 'idle', reason: 'no-site' });

  useEffect(() => {
    if (!site) {
      setState({ status: 'idle', reason: 'no-site' });
      return;
    }
    if (!use) {
      setState({ status: 'idle', reason: 'no-use' });
      return;
    }
    const target = measureSite(site);
    if (!target) {
      setState({ status: 'unusable' });
      return;
    }
    setState({ status: 'loading', site, use });
    const abort = new AbortController();
    const timer = setTimeout(() => {
      // within the server's stock-first radius, as the check will match (the answer says how far)
      postStockMatch({ use, areaMu: toAreaUnits(target.areaM2).mu, near: target.near, stockFirst: true, limit: STOCK_FIRST_CANDIDATES }, lang, abort.signal)
        .then((match) => {
          if (!abort.signal.aborted) setState({ status: 'ready', site, use, areaM2: target.areaM2, repaired: target.repaired, match });
        })
        .catch((err: Error) => {
          if (!abort.signal.aborted) setState({ status: 'error', site, use, message: err.message });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // the match's words come in both languages: a language switch does not match again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [site, use]);

  return state;
}
