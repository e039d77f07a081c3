/**
 * A static map figure of the report: the offline base (county boundaries and names, the
 * public urban development boundary) from the registry's style, with the report's own
 * geometries on top. Not interactive; drawn with `preserveDrawingBuffer` so the canvas
 * prints and can be read back; marks itself `data-rendered="true"` once idle.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { CJK_FONTS, maplibregl } from '../map/maplibre.ts';
import { BOUNDARY_RULE, layers, type LayerId } from '../../../core/layers.ts';
import { buildStyle } from '../map/style.ts';
import { defaultLayerStates } from '../url-state.ts';
import { pickField, type Lang } from '../i18n.ts';
import { bboxOf, figureSources, word, type Bbox, type FigureContent } from './report-model.ts';

/** What the base map needs from the server: county label points, the city's extent and the deepest tile zoom. */
export interface BaseMapData {
  countyLabels: GeoJSON.FeatureCollection;
  /** The counties' joint extent, for the overview inset; null when unknown. */
  cityBbox: Bbox | null;
  maxTileZoom: number;
}

/**
 * A box grown on every side by `factor` of its larger side, at least `minDeg` degrees:
 * the site with its surroundings.
 *
 * @example widen([114, 34, 114.01, 34.01], 1, 0) // [113.99, 33.99, 114.02, 34.02]
 */
export function widen(b: Bbox, factor: number, minDeg: number): Bbox {
  const pad = Math.max(Math.max(b[2] - b[0], b[3] - b[1]) * factor, minDeg);
  return [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad];
}

/** Colours of the report's own geometries. */
export const FIGURE_COLORS = {
  site: '#c2255c',
  outside: '#868e96',
  trimmed: '#2b8a3e',
} as const;

/** A match expression from layer id to a registry style colour. */
function byLayer(pick: (s: (typeof layers)[number]['style']) => string, fallback: string): ExpressionSpecification {
  return ['match', ['get', 'layerId'], ...layers.flatMap((l) => [l.id, pick(l.style)]), fallback] as unknown as ExpressionSpecification;
}

/**
 * The figure's style: the registry style with only the public base layers on (counties, and
 * the urban development boundary except in the overview), plus the report's layers.
 */
export function figureStyle(base: BaseMapData, content: FigureContent, overview = false, lang: Lang = 'zh'): StyleSpecification {
  const states = defaultLayerStates();
  for (const [id, s] of Object.entries(states)) s.visible = id === 'admin-county' || (!overview && id === BOUNDARY_RULE);
  const style = buildStyle({ origin: window.location.origin, states, countyLabels: base.countyLabels, maxTileZoom: base.maxTileZoom, lang });
  const data = figureSources(content);
  for (const [k, fc] of Object.entries(data)) style.sources[`report-${k}`] = { type: 'geojson', data: fc };
  if (overview) {
    // at city scale the site is a few pixels: mark its centre
    const [w, s, e, n] = bboxOf(content.site);
    style.sources['report-marker'] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [(w + e) / 2, (s + n) / 2] } } };
    style.layers.push(
      { id: 'report-site-line', type: 'line', source: 'report-site', paint: { 'line-color': FIGURE_COLORS.site, 'line-width': 1.5 } },
      { id: 'report-marker', type: 'circle', source: 'report-marker', paint: { 'circle-radius': 4, 'circle-color': FIGURE_COLORS.site, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
    );
    return style;
  }
  const own: LayerSpecification[] = [
    { id: 'report-trimmed-fill', type: 'fill', source: 'report-trimmed', paint: { 'fill-color': FIGURE_COLORS.trimmed, 'fill-opacity': 0.35 } },
    { id: 'report-outside-fill', type: 'fill', source: 'report-outside', paint: { 'fill-color': FIGURE_COLORS.outside, 'fill-opacity': 0.3 } },
    { id: 'report-overlaps-fill', type: 'fill', source: 'report-overlaps', paint: { 'fill-color': byLayer((s) => s.fillColor, '#e03131'), 'fill-opacity': 0.75 } },
    { id: 'report-overlaps-line', type: 'line', source: 'report-overlaps', paint: { 'line-color': byLayer((s) => s.lineColor, '#a61e4d'), 'line-width': 1 } },
    { id: 'report-outside-line', type: 'line', source: 'report-outside', paint: { 'line-color': '#495057', 'line-width': 1, 'line-dasharray': [2, 2] } },
    { id: 'report-trimmed-line', type: 'line', source: 'report-trimmed', paint: { 'line-color': FIGURE_COLORS.trimmed, 'line-width': 1.5 } },
    { id: 'report-site-line', type: 'line', source: 'report-site', layout: { 'line-join': 'round' }, paint: { 'line-color': FIGURE_COLORS.site, 'line-width': 2.5 } },
  ];
  // the report's geometries above the base, below the county labels
  const labels = style.layers.findIndex((l) => l.type === 'symbol');
  style.layers.splice(labels === -1 ? style.layers.length : labels, 0, ...own);
  return style;
}

/** Metres per CSS pixel at a latitude and zoom (MapLibre's 512-pixel tiles, Web Mercator). */
export const metresPerPixel = (lat: number, zoom: number) => (2 * Math.PI * 6378137 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);

/**
 * A scale bar of a figure as a share of its width: the roundest distance (1, 2 or 5 × 10ⁿ m) not
 * over a quarter of the width — written in relative units, so it stays true when the printed
 * frame is wider or narrower than the screen's.
 *
 * @example scaleBar(2, 600) // { metres: 200, share: 0.1667, label: '200 m' }
 */
export function scaleBar(mpp: number, widthPx: number): { metres: number; share: number; label: string } | null {
  const span = mpp * widthPx;
  if (!(span > 0)) return null;
  const most = span / 4;
  const p = 10 ** Math.floor(Math.log10(most));
  const metres = [5, 2, 1].map((k) => k * p).find((d) => d <= most) ?? p;
  return { metres, share: metres / span, label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

interface Fit {
  center: [number, number];
  zoom: number;
  width: number;
  height: number;
}

/**
 * A static map in a container; `data-rendered` turns "true" once it has drawn. The map is fitted
 * to `bounds` whenever its frame changes size (a narrower window, a print preview at another
 * width), and says what it shows in `data-center`, `data-zoom`, `data-width` and `data-height`
 * (the frame it was fitted to, CSS pixels). In print the canvas is stretched to its frame, whose
 * height follows its width, so a frame printed wider or narrower than it was drawn shows the
 * same extent, site whole.
 */
function StaticMap(props: { content: FigureContent; base: BaseMapData; bounds: Bbox; overview?: boolean; figureId: string; scale?: boolean; lang: Lang }) {
  const ref = useRef<HTMLDivElement>(null);
  const [rendered, setRendered] = useState(false);
  const [fit, setFit] = useState<Fit | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const padding = props.overview ? 4 : 28;
    const map = new maplibregl.Map({
      container: el,
      style: figureStyle(props.base, props.content, props.overview, props.lang),
      bounds: props.bounds,
      fitBoundsOptions: { padding, maxZoom: 18 },
      interactive: false,
      attributionControl: false,
      trackResize: false,
      fadeDuration: 0,
      pixelRatio: Math.max(2, window.devicePixelRatio || 1),
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      localIdeographFontFamily: CJK_FONTS,
    });
    let alive = true;
    const record = () => {
      if (!alive) return;
      const c = map.getCenter();
      const box = map.getContainer();
      setFit({ center: [c.lng, c.lat], zoom: map.getZoom(), width: box.clientWidth, height: box.clientHeight });
    };
    const refit = () => {
      if (!alive || el.clientWidth === 0 || el.clientHeight === 0) return;
      map.resize();
      // padding no more than a fifth of the frame: a small frame keeps room for the site
      const pad = Math.min(padding, Math.floor(Math.min(el.clientWidth, el.clientHeight) / 5));
      map.fitBounds(props.bounds, { padding: pad, maxZoom: 18, animate: false });
      record();
    };
    record();
    map.once('idle', () => alive && setRendered(true));
    // not on beforeprint: resizing clears the canvas, and a new zoom needs tiles that cannot be
    // drawn before the page is printed; in print the drawn canvas is stretched to its frame instead
    const observer = new ResizeObserver(() => refit());
    observer.observe(el);
    return () => {
      alive = false;
      observer.disconnect();
      map.remove();
    };
    // a figure is drawn once: its report never changes (the language redraws its county names)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.lang]);
  const bar = props.scale !== false && fit ? scaleBar(metresPerPixel(fit.center[1], fit.zoom), fit.width) : null;
  return (
    <>
      <div
        ref={ref}
        className={props.overview ? 'report-map overview-map' : 'report-map'}
        data-testid="report-map"
        data-figure={props.figureId}
        data-rendered={rendered ? 'true' : 'false'}
        data-center={fit ? `${fit.center[0]},${fit.center[1]}` : undefined}
        data-zoom={fit?.zoom}
        data-width={fit?.width}
        data-height={fit?.height}
      />
      {bar && (
        <div className="report-scale" data-testid="report-scale" data-metres={bar.metres} style={{ width: `${(bar.share * 100).toFixed(3)}%` }}>
          {bar.label}
        </div>
      )}
    </>
  );
}

/**
 * One map figure with its caption; `className` sets its printed size. `wide` shows the site
 * with its surroundings and an overview inset of the city (区位图); otherwise the site fills it.
 */
export function ReportMap(props: { content: FigureContent; base: BaseMapData; lang: Lang; className: string; caption: ReactNode; figureId: string; wide?: boolean; note?: string }) {
  const site = bboxOf(props.content.site);
  const bounds = props.wide ? widen(site, 0.6, 0.006) : site;
  return (
    <figure className={`report-figure ${props.className}`}>
      <div className="report-map-frame">
        <StaticMap lang={props.lang} content={props.content} base={props.base} bounds={bounds} figureId={props.figureId} />
        {props.wide && props.base.cityBbox && (
          <div className="overview-inset" title={word(props.lang, 'overview')}>
            <StaticMap lang={props.lang} content={props.content} base={props.base} bounds={props.base.cityBbox} overview scale={false} figureId={`${props.figureId}-overview`} />
            <span className="overview-label">{word(props.lang, 'overview')}</span>
          </div>
        )}
        {props.note && (
          <p className="frame-note" data-testid="frame-note">
            {props.note}
          </p>
        )}
        <div className="north-arrow" aria-hidden="true">
          <span>▲</span>
          {word(props.lang, 'north')}
        </div>
      </div>
      <figcaption>{props.caption}</figcaption>
    </figure>
  );
}

/** The legend of the figures: the site, each layer drawn, the outside part, the trimmed part, the base. */
export function FigureLegend(props: { lang: Lang; layerIds: LayerId[]; outside: boolean; trimmed: boolean }) {
  const { lang } = props;
  const items: { key: string; label: string; fill: string; line: string; dashed?: boolean }[] = [
    { key: 'site', label: word(lang, 'legendSite'), fill: 'transparent', line: FIGURE_COLORS.site },
    ...props.layerIds.map((id) => {
      const l = layers.find((x) => x.id === id)!;
      return { key: id, label: pickField(l, 'name', lang), fill: l.style.fillColor, line: l.style.lineColor };
    }),
    ...(props.outside ? [{ key: 'outside', label: word(lang, 'legendOutside'), fill: FIGURE_COLORS.outside, line: '#495057', dashed: true }] : []),
    ...(props.trimmed ? [{ key: 'trimmed', label: word(lang, 'trimmed'), fill: FIGURE_COLORS.trimmed, line: FIGURE_COLORS.trimmed }] : []),
    { key: 'udb', label: word(lang, 'legendUdb'), fill: 'transparent', line: layers.find((l) => l.id === BOUNDARY_RULE)!.style.lineColor, dashed: true },
    { key: 'county', label: word(lang, 'legendCounty'), fill: 'transparent', line: '#495057', dashed: true },
  ];
  return (
    <ul className="figure-legend">
      {items.map((i) => (
        <li key={i.key}>
          <span className="legend-swatch" style={{ background: i.fill, borderColor: i.line, borderStyle: i.dashed ? 'dashed' : 'solid' }} />
          {i.label}
        </li>
      ))}
    </ul>
  );
}
