import { BOUNDARY_LAYER } from '../../../core/preview.ts';
import { useT } from '../i18n.ts';
import { DASH, formatCoarseArea, formatLonLat } from '../format.ts';
import { AreaText } from './AreaText.tsx';
import { layerName } from './names.ts';
import { PREVIEW_LIMIT, type PreviewState, type ShownPreview } from './usePreview.ts';

/**
 * The live preview: site area and overlaps, clearly marked as a preview. A server preview for a
 * reader who may not see a layer gives its area rounded (shown as in the reader's report) and no count.
 */
export function PreviewView(props: { state: PreviewState; bufferMeters: number }) {
  const { t, lang } = useT();
  const s = props.state;
  if (s.status === 'idle') return null;
  const preview: ShownPreview | null = s.status === 'ready' ? s.preview : s.status === 'loading' ? s.last : null;
  return (
    <div
      className={`sc-preview${s.status === 'loading' ? ' sc-busy' : ''}`}
      data-testid="site-preview"
      data-status={s.status}
      data-source={preview?.source ?? ''}
      {...(s.status === 'error' ? { 'data-code': s.code } : {})}
    >
      <h3>{t('scPreviewTitle')}</h3>
      {s.status === 'invalid' && (
        <p className="sc-warning" role="status">
          {s.problem.code === 'SELF_INTERSECTION'
            ? t('scPreviewSelfIntersection', { at: s.problem.at ? formatLonLat(s.problem.at) : '?' })
            : t('scPreviewTooFew')}
        </p>
      )}
      {s.status === 'error' && (
        <p className="sc-warning" role="status">
          {t('scPreviewFailed')}
          {s.message}
        </p>
      )}
      {s.status === 'loading' && !preview && <p className="sc-muted">{t('scPreviewLoading')}</p>}
      {preview && (
        <>
          <p className="sc-figure">
            {t('scSiteArea')}{t('scColon')}<AreaText m2={preview.siteM2} />
          </p>
          {props.bufferMeters > 0 && (
            <p className="sc-figure">
              {t('scAnalysedArea')}{t('scColon')}<AreaText m2={preview.analysedM2} />
              {preview.source === 'client' && <span className="sc-muted"> {t('scBufferApprox')}</span>}
            </p>
          )}
          <table className="sc-table">
            <thead>
              <tr>
                <th>{t('scLayer')}</th>
                <th className="num">{t('scCount')}</th>
                <th>{t('scOverlap')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.layers.map((l) => (
                <tr key={l.layerId} data-layer={l.layerId} data-m2={l.m2} data-count={l.count ?? ''}>
                  <td>
                    {layerName(l.layerId, lang)}
                    {l.truncated && <span className="sc-flag" title={t('scPreviewIncomplete', { layers: layerName(l.layerId, lang), limit: PREVIEW_LIMIT })}>*</span>}
                  </td>
                  <td className="num">{l.count ?? DASH}</td>
                  <td>
                    {l.layerId === BOUNDARY_LAYER && preview.boundary ? (
                      <>
                        {t('scInside')} <AreaText m2={preview.boundary.insideM2} />
                        <br />
                        {t('scOutside')} <AreaText m2={preview.boundary.outsideM2} />
                      </>
                    ) : l.count === null && preview.coarseAreaMu !== undefined ? (
                      <span className="sc-area" data-m2={l.m2}>
                        {formatCoarseArea(l.m2, preview.coarseAreaMu, lang, l.m2 > 0)}
                      </span>
                    ) : (
                      <AreaText m2={l.m2} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.coarseAreaMu !== undefined && (
            <p className="sc-note sc-muted" data-testid="preview-coarse-note">
              {t('scPreviewCoarse', { step: String(preview.coarseAreaMu) })}
            </p>
          )}
          {preview.truncated && (
            <p className="sc-warning" data-testid="preview-incomplete">
              {t('scPreviewIncomplete', {
                layers: preview.layers
                  .filter((l) => l.truncated)
                  .map((l) => layerName(l.layerId, lang))
                  .join(t('listSep')),
                limit: PREVIEW_LIMIT,
              })}
            </p>
          )}
        </>
      )}
    </div>
  );
}
