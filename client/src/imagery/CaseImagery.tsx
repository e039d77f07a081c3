/**
 * The case page's imagery section (卫片 review): the case over two periods, with a swipe or side
 * by side; off until asked for, then kept on (in the address) as the queue steps to the next case.
 */
import { useState } from 'react';
import { useT } from '../i18n.ts';
import { chosenPeriods, ImageryCompare, useImageryLayers } from './ImageryCompare.tsx';
import { readImageryView, withImageryView, type CompareMode, type ImageryView } from './url.ts';

function writeView(view: ImageryView): void {
  const q = withImageryView(window.location.search, view);
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}${window.location.hash}`);
}

export function CaseImagery(props: { geometry: GeoJSON.Geometry; bbox: [number, number, number, number] }) {
  const { t, lang } = useT();
  const [view, setView] = useState<ImageryView>(() => readImageryView(window.location.search));
  const { layers, error } = useImageryLayers(lang);
  const change = (next: ImageryView) => {
    setView(next);
    writeView(next);
  };
  const periods = layers ? chosenPeriods(layers, view) : { before: null, after: null };
  const enough = periods.before && periods.after;
  const [w, s, e, n] = props.bbox;
  const pad = Math.max(e - w, n - s, 0.002) * 0.6;
  return (
    <div className="case-imagery" data-testid="case-imagery">
      <div className="imagery-controls">
        <button
          type="button"
          className={view.mode ? 'stock-primary' : 'stock-secondary'}
          data-testid="imagery-toggle"
          aria-pressed={view.mode ? 'true' : 'false'}
          disabled={!enough}
          onClick={() => change({ ...view, mode: view.mode ? null : 'swipe' })}
        >
          {view.mode ? t('imHide') : t('imShow')}
        </button>
        {view.mode && enough && (
          <>
            {(['swipe', 'side'] as CompareMode[]).map((m) => (
              <label key={m}>
                <input type="radio" name="imagery-mode" data-testid={`imagery-mode-${m}`} checked={view.mode === m} onChange={() => change({ ...view, mode: m })} />
                {m === 'swipe' ? t('imSwipe') : t('imSide')}
              </label>
            ))}
            {(['before', 'after'] as const).map((which) => (
              <label key={which}>
                {which === 'before' ? t('imBefore') : t('imAfter')}
                <select
                  data-testid={`imagery-${which}-select`}
                  value={periods[which]!.id}
                  onChange={(ev) => change({ ...view, before: periods.before!.id, after: periods.after!.id, [which]: Number(ev.target.value) })}
                >
                  {layers!.map((l) => (
                    <option key={l.id} value={l.id} data-i18n="data">
                      {l.periodLabel}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </>
        )}
      </div>
      {layers && !enough && (
        <p className="stock-none" data-testid="imagery-none">
          {error ? `${t('loadFailed')}${error}` : t('imNone')}
        </p>
      )}
      {view.mode && enough && <ImageryCompare before={periods.before!} after={periods.after!} mode={view.mode} outline={props.geometry} bounds={[w - pad, s - pad, e + pad, n + pad]} />}
    </div>
  );
}
