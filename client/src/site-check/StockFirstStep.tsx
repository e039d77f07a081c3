/**
 * The stock-first step (存量优先套核) in the site-check panel: what the stock-land library
 * offers for the site's use and area — the match's sentence, then each candidate with its
 * rank, single or combined, parcels (linking to their pages), total area, distance, and the
 * score with its four parts — before the planner may go on to new land.
 */
import type { MatchCandidate } from '../../../core/contracts/stock.ts';
import { SCORE_PART_LABEL } from '../../../core/stock-match.ts';
import { distanceText, radiusText } from '../../../core/stock-first.ts';
import { dataProps, pickField, useT, withLang } from '../i18n.ts';
import { formatNumber } from '../format.ts';
import { AreaText } from './AreaText.tsx';
import { useLabel } from './names.ts';
import { STOCK_CANDIDATE_STYLE } from './overlay.ts';
import type { StockStepState } from './useStockMatch.ts';
import './stock-first.css';

export function StockFirstStep(props: { state: StockStepState; onShow?: (candidate: MatchCandidate) => void }) {
  const { t, lang } = useT();
  const s = props.state;
  if (s.status === 'idle' && s.reason === 'no-site') return null;
  const stockHref = (code: string) => withLang(`/stock/${encodeURIComponent(code)}`, lang);
  return (
    <div className={`sf-step${s.status === 'loading' ? ' sc-busy' : ''}`} data-testid="stock-first" data-status={s.status}>
      <h3>{t('sfTitle')}</h3>
      {s.status === 'idle' && <p className="sc-hint">{t('sfNeedUse')}</p>}
      {s.status === 'unusable' && <p className="sc-warning">{t('sfUnusable')}</p>}
      {s.status === 'loading' && <p className="sc-muted">{t('sfLoading')}</p>}
      {s.status === 'error' && (
        <p className="sc-warning" role="alert">
          {t('sfFailed')}
          {s.message}
        </p>
      )}
      {s.status === 'ready' && (
        <>
          <p className="sc-figure" data-testid="stock-need" data-use={s.use} data-m2={s.areaM2}>
            {t('sfNeed', { use: useLabel(s.use, t) })}
            <AreaText m2={s.areaM2} />
            {s.repaired && <span className="sc-muted"> {t('sfRepairedArea')}</span>}
          </p>
          <p className="sf-summary" data-testid="stock-summary">
            {pickField(s.match, 'summary', lang)}
          </p>
          {s.match.need.maxDistanceKm !== null && (
            <p className="sc-muted" data-testid="stock-radius" data-km={s.match.need.maxDistanceKm}>
              {t('sfRadius', { radius: radiusText(s.match.need.maxDistanceKm, lang) })}
            </p>
          )}
          {s.match.candidates.length === 0 ? (
            <p className="sf-none" data-testid="stock-none">
              {s.match.need.maxDistanceKm !== null ? t('sfNoneWithin', { radius: radiusText(s.match.need.maxDistanceKm, lang) }) : t('sfNone')}
            </p>
          ) : (
            <>
              <ol className="sf-candidates" data-testid="stock-candidates">
                {s.match.candidates.map((c) => (
                  <li
                    key={c.rank}
                    data-rank={c.rank}
                    data-kind={c.kind}
                    data-score={c.score}
                    data-codes={c.parcels.map((p) => p.code).join(',')}
                    data-distance={c.distanceM ?? ''}
                  >
                    <div className="sf-head">
                      <span className="sf-rank">{c.rank}</span>
                      <span className={`sf-kind sf-kind-${c.kind}`}>{t(`sfKind_${c.kind}`)}</span>
                      <span className="sf-score" data-testid="stock-score">
                        {t('sfScore', { score: formatNumber(c.score, 1) })}
                      </span>
                      {props.onShow && (
                        <button type="button" className="sc-secondary sf-show" data-action="show-candidate" onClick={() => props.onShow!(c)}>
                          {t('sfShow')}
                        </button>
                      )}
                    </div>
                    <ul className="sf-parcels">
                      {c.parcels.map((p) => (
                        <li key={p.code} data-code={p.code}>
                          <a href={stockHref(p.code)} target="_blank" rel="noopener">
                            {p.code}
                          </a>{' '}
                          <span className="sf-parcel-name" {...dataProps(p.name)}>
                            {p.name}
                          </span>
                          <span className="sc-muted">
                            {' · '}
                            {useLabel(p.plannedUse, t)}
                            {' · '}
                            <AreaText m2={p.area.m2} />
                          </span>
                        </li>
                      ))}
                    </ul>
                    <p className="sc-figure" data-testid="stock-total" data-m2={c.totalArea.m2}>
                      {t('sfTotalArea')}
                      {t('scColon')}
                      <AreaText m2={c.totalArea.m2} />
                      {c.distanceM !== null && (
                        <>
                          {' · '}
                          {t('sfDistance')}
                          {t('scColon')}
                          {distanceText(c.distanceM)}
                        </>
                      )}
                    </p>
                    <ul className="sf-parts">
                      {c.parts.map((p) => (
                        <li key={p.key} data-part={p.key} data-points={p.points}>
                          <span className="sf-part-name">{SCORE_PART_LABEL[p.key][lang]}</span>
                          <span className="sf-part-points">{t('sfPoints', { points: formatNumber(p.points, 1) })}</span>
                          <span className="sf-part-detail">{pickField(p, 'detail', lang)}</span>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ol>
              {s.match.tally.singles + s.match.tally.combinations > s.match.candidates.length && (
                <p className="sc-muted">{t('sfMore', { n: s.match.tally.singles + s.match.tally.combinations - s.match.candidates.length })}</p>
              )}
              <p className="sc-legend">
                <span
                  className="sc-swatch"
                  style={{ borderColor: STOCK_CANDIDATE_STYLE.color, borderStyle: 'solid', background: STOCK_CANDIDATE_STYLE.color, opacity: 0.8 }}
                />
                {t('sfLegend')}
              </p>
            </>
          )}
          <p className="sc-muted">{t('sfPreviewNote')}</p>
        </>
      )}
    </div>
  );
}
