import type { SiteCheckReport } from '../../../core/contracts/site-check.ts';
import { pickField, useT } from '../i18n.ts';
import { AreaText } from './AreaText.tsx';
import { DASH, beijingDate, beijingTimeStated, formatCoarseArea } from '../format.ts';
import { BOUNDARY_RULE } from '../../../core/layers.ts';
import { OVERLAY_STYLE, overlayLegend, resultKinds } from './overlay.ts';

/** The authoritative result: areas, verdicts, overlaps, the compliant part and the report link. */
export function ResultView(props: { report: SiteCheckReport; busy: boolean; onRerunTrimmed: () => void }) {
  const { t, lang } = useT();
  const r = props.report;
  const kinds = resultKinds(r);
  return (
    <div className="sc-result" data-testid="site-result" data-report={r.id}>
      <h3>{t('scResultTitle')}</h3>
      <p className="sc-muted sc-id">
        {t('scReportNo')} {r.id.slice(0, 8)} · <span data-testid="result-time">{beijingTimeStated(r.createdAt, lang)}</span>
      </p>
      {r.site.repaired && (
        <p className="sc-note" data-testid="repair-note">
          <span className="sc-badge sc-warn">{t('scRepaired')}</span> {lang === 'en' ? (r.site.repairNoteEn ?? r.site.repairNoteZh) : r.site.repairNoteZh}
        </p>
      )}
      <p className="sc-figure" data-testid="site-area">
        {t('scSiteArea')}{t('scColon')}<AreaText m2={r.site.area.m2} withM2 />
      </p>
      {r.bufferMeters > 0 && (
        <p className="sc-figure">
          {t('scAnalysedArea')}{t('scColon')}<AreaText m2={r.site.analysedArea.m2} withM2 />
        </p>
      )}
      <ul className="sc-verdicts">
        {r.verdicts.map((v) => (
          <li key={v.rule} data-rule={v.rule} data-status={v.status}>
            <span className={`sc-badge sc-${v.status}`}>{t(`scStatus_${v.status}`)}</span>
            <strong>{pickField(v, 'title', lang)}</strong>
            <span className="sc-message">{pickField(v, 'message', lang)}</span>
          </li>
        ))}
      </ul>
      <table className="sc-table" data-testid="overlap-table">
        <thead>
          <tr>
            <th>{t('scLayer')}</th>
            <th className="num">{t('scCount')}</th>
            <th>{t('scOverlap')}</th>
          </tr>
        </thead>
        <tbody>
          {r.layers.map((l) => (
            <tr key={l.layerId} data-layer={l.layerId} data-m2={l.area.m2} data-count={l.count ?? ''}>
              <td>{pickField(l, 'name', lang)}</td>
              <td className="num">{l.count ?? DASH}</td>
              <td>
                {l.layerId === BOUNDARY_RULE && l.inside && l.outside ? (
                  <>
                    {t('scInside')} <AreaText m2={l.inside.m2} />
                    <br />
                    {t('scOutside')} <AreaText m2={l.outside.m2} />
                  </>
                ) : l.count === null && r.coarseAreaMu !== undefined ? (
                  <span className="sc-area" data-m2={l.area.m2}>{formatCoarseArea(l.area.m2, r.coarseAreaMu, lang, l.intersects)}</span>
                ) : (
                  <AreaText m2={l.area.m2} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.coarseAreaMu !== undefined && (
        <p className="sc-note sc-muted" data-testid="coarse-note">
          {t('scCoarseNote', { step: String(r.coarseAreaMu) })}
          {r.expiresAt && ` ${t('scLapses', { date: beijingDate(r.expiresAt) })}`}
        </p>
      )}
      <div className="sc-trimmed" data-testid="trimmed">
        {r.trimmed.geometry || r.redacted ? (
          <>
            <p className="sc-figure">
              {t('scTrimmed')}{t('scColon')}<AreaText m2={r.trimmed.area.m2} />
            </p>
            {r.trimmed.lost.m2 > 0 && (
              <p className="sc-figure sc-muted">
                {t('scTrimmedLost')}{t('scColon')}<AreaText m2={r.trimmed.lost.m2} />
              </p>
            )}
            {!r.trimmed.geometry && r.trimmed.lost.m2 > 0 && (
              // the public's check: the trimmed outline is withheld (it would show the restricted layers), not absent
              <p className="sc-note sc-muted" data-testid="trimmed-withheld">
                {t('scTrimmedWithheld')}
              </p>
            )}
          </>
        ) : (
          <p className="sc-warning">{t('scTrimmedNone')}</p>
        )}
        {r.trimmed.geometry && r.trimmed.lost.m2 > 0 && (
          <button type="button" className="sc-secondary" disabled={props.busy} onClick={props.onRerunTrimmed}>
            {t('scRerunTrimmed')}
          </button>
        )}
      </div>
      {kinds.length > 0 && (
        <ul className="sc-legend" aria-label={t('scLegend')}>
          {kinds.map((k) => (
            <li key={k}>
              <span
                className="sc-swatch"
                style={{
                  borderColor: OVERLAY_STYLE[k].color,
                  borderStyle: OVERLAY_STYLE[k].dashed ? 'dashed' : 'solid',
                  background: OVERLAY_STYLE[k].fillOpacity > 0 ? OVERLAY_STYLE[k].color : 'transparent',
                  opacity: OVERLAY_STYLE[k].fillOpacity > 0 ? 0.8 : 1,
                }}
              />
              {overlayLegend(k, lang, t)}
            </li>
          ))}
        </ul>
      )}
      <a className="sc-report-link" href={`/reports/${r.id}`} target="_blank" rel="noopener" data-testid="report-link">
        {t('scViewReport')}
      </a>
    </div>
  );
}
