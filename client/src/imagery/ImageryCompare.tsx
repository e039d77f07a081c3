/**
 * Two imagery periods of one place, compared: a swipe (one map over the other, the divider
 * dragged — @maplibre/maplibre-gl-compare) or side by side (two maps moving together), each with
 * the case's outline. The periods are the imagery layers the caller may see (GET /api/imagery);
 * by default the two latest. The choice is kept in the address (url.ts).
 */
import { useEffect, useRef, useState } from 'react';
import type { StyleSpecification } from 'maplibre-gl';
import Compare from '@maplibre/maplibre-gl-compare';
import '@maplibre/maplibre-gl-compare/dist/maplibre-gl-compare.css';
import { ImageryList, type ImageryLayer } from '../../../core/contracts/imagery.ts';
import { getJson } from '../http.ts';
import { maplibregl } from '../map/maplibre.ts';
import { dataProps, useT, type Lang } from '../i18n.ts';
import type { CompareMode, ImageryView } from './url.ts';

export function useImageryLayers(lang: Lang): { layers: ImageryLayer[] | null; error: string | null } {
  const [state, setState] = useState<{ layers: ImageryLayer[] | null; error: string | null }>({ layers: null, error: null });
  useEffect(() => {
    const ctl = new AbortController();
    getJson('/api/imagery', { lang, signal: ctl.signal, schema: ImageryList }).then(
      (r) => setState({ layers: r.layers, error: null }),
      (e: Error) => !ctl.signal.aborted && setState({ layers: [], error: e.message }),
    );
    return () => ctl.abort();
  }, [lang]);
  return state;
}

/** The periods shown: the view's when the caller may see them, else the two latest. */
export function chosenPeriods(layers: ImageryLayer[], view: ImageryView): { before: ImageryLayer | null; after: ImageryLayer | null } {
  const byId = (id: number | null) => layers.find((l) => l.id === id) ?? null;
  const sorted = [...layers].sort((a, b) => a.periodDate.localeCompare(b.periodDate) || a.id - b.id);
  const after = byId(view.after) ?? sorted[sorted.length - 1] ?? null;
  const before = byId(view.before) ?? [...sorted].reverse().find((l) => l.id !== after?.id) ?? null;
  return { before, after };
}

function imageryStyle(layer: ImageryLayer, outline: GeoJSON.Geometry): StyleSpecification {
  return {
    version: 8,
    sources: {
      imagery: {
        type: 'raster',
        // not new URL(): it would percent-encode the {z}/{x}/{y} placeholders
        tiles: [`${window.location.origin}${layer.tiles}`],
        tileSize: 256,
        bounds: layer.bbox,
        maxzoom: 20,
      },
      outline: { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: outline } },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#e9e6df' } },
      { id: 'imagery', type: 'raster', source: 'imagery' },
      { id: 'outline-halo', type: 'line', source: 'outline', paint: { 'line-color': '#ffffff', 'line-width': 5, 'line-opacity': 0.8 } },
      { id: 'outline', type: 'line', source: 'outline', paint: { 'line-color': '#e03131', 'line-width': 2.5 } },
    ],
  };
}

export interface CompareHandle {
  before: maplibregl.Map;
  after: maplibregl.Map;
  compare: Compare | null;
  mode: CompareMode;
}

declare global {
  interface Window {
    yizhangtuImagery?: CompareHandle;
  }
}

export function ImageryCompare(props: { before: ImageryLayer; after: ImageryLayer; mode: CompareMode; outline: GeoJSON.Geometry; bounds: [number, number, number, number] }) {
  const { t, lang } = useT();
  const wrap = useRef<HTMLDivElement>(null);
  const a = useRef<HTMLDivElement>(null);
  const b = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!a.current || !b.current || !wrap.current) return;
    const opts = { bounds: props.bounds, attributionControl: false as const, fadeDuration: 0, maxZoom: 20 };
    const before = new maplibregl.Map({ container: a.current, style: imageryStyle(props.before, props.outline), ...opts });
    const after = new maplibregl.Map({ container: b.current, style: imageryStyle(props.after, props.outline), ...opts });
    let compare: Compare | null = null;
    let unsync: (() => void) | null = null;
    if (props.mode === 'swipe') compare = new Compare(before, after, wrap.current, { orientation: 'vertical', mousemove: false });
    else unsync = syncMaps(before, after);
    const handle: CompareHandle = { before, after, compare, mode: props.mode };
    window.yizhangtuImagery = handle;
    let alive = true;
    let n = 0;
    for (const m of [before, after]) m.once('idle', () => alive && ++n === 2 && setLoaded(true));
    return () => {
      alive = false;
      setLoaded(false);
      compare?.remove();
      unsync?.();
      before.remove();
      after.remove();
      if (window.yizhangtuImagery === handle) delete window.yizhangtuImagery;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.before.id, props.after.id, props.mode]);
  const label = (l: ImageryLayer) => {
    const name = `${l.periodLabel} · ${lang === 'en' ? l.nameEn : l.name}`;
    return <span {...dataProps(name)}>{name}</span>;
  };
  return (
    <div ref={wrap} className={`imagery-compare imagery-${props.mode}`} data-testid="imagery-compare" data-mode={props.mode} data-loaded={loaded ? 'true' : 'false'} data-before={props.before.id} data-after={props.after.id}>
      <div ref={a} className="imagery-map imagery-before" data-testid="imagery-before">
        <span className="imagery-period">
          {t('imBefore')} {label(props.before)}
        </span>
      </div>
      <div ref={b} className="imagery-map imagery-after" data-testid="imagery-after">
        <span className="imagery-period imagery-period-after">
          {t('imAfter')} {label(props.after)}
        </span>
      </div>
    </div>
  );
}

/** Two maps that move together (side by side). */
function syncMaps(a: maplibregl.Map, b: maplibregl.Map): () => void {
  let busy = false;
  const follow = (from: maplibregl.Map, to: maplibregl.Map) => () => {
    if (busy) return;
    busy = true;
    to.jumpTo({ center: from.getCenter(), zoom: from.getZoom(), bearing: from.getBearing(), pitch: from.getPitch() });
    busy = false;
  };
  const ab = follow(a, b);
  const ba = follow(b, a);
  a.on('move', ab);
  b.on('move', ba);
  return () => {
    a.off('move', ab);
    b.off('move', ba);
  };
}
