/**
 * The map seam: everything that touches MapLibre lives here, so React
 * components talk to a small API instead of reaching into the map.
 */
import type { MapGeoJSONFeature, StyleSpecification } from 'maplibre-gl';
import { CJK_FONTS, maplibregl } from './maplibre.ts';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import type { Basemap } from '../../../core/contracts/features.ts';
import { api } from '../api.ts';
import { translate, type Lang } from '../i18n.ts';
import type { LayerViewState } from '../url-state.ts';
import { popupHtml } from './popup.ts';
import { applyBasemap } from './basemap.ts';
import { BASEMAP_LAYER, BASEMAP_LAYERS, COUNTY_LABELS, DRAW_ORDER, fillLayerId, lineLayerId, setCountyLabelLang, sourceLayerName } from './style.ts';

export interface MapControllerOptions {
  container: HTMLElement;
  style: StyleSpecification;
  /** [minLon, minLat, maxLon, maxLat] to show when the URL names no position. */
  initialBounds?: [number, number, number, number];
  lang: Lang;
  onCursor?: (lngLat: { lng: number; lat: number } | null) => void;
}

export class MapController {
  readonly map: maplibregl.Map;
  private hovered: { source: string; sourceLayer: string; id: string | number } | null = null;
  private popup: maplibregl.Popup | null = null;
  private lang: Lang;
  /** Hover highlights and popups on the data layers (off while a site is drawn or edited). */
  private picking = true;
  /** What a click on the map also does while picking is on, beside the topmost feature's popup (the map tools' identify). */
  private pickHandler: ((e: maplibregl.MapMouseEvent) => void) | null = null;
  /** Resolves when the style and the first tiles have loaded. */
  readonly ready: Promise<void>;

  constructor(opts: MapControllerOptions) {
    this.lang = opts.lang;
    const hasHash = /[#&]map=/.test(window.location.hash);
    this.map = new maplibregl.Map({
      container: opts.container,
      style: opts.style,
      hash: 'map',
      localIdeographFontFamily: CJK_FONTS,
      // labels appear at once rather than fading in over 300 ms: the fade keeps the map drawing frames
      // after every tile, which delays the first settled view (docs/PERFORMANCE.md, first map render)
      fadeDuration: 0,
      ...(hasHash || !opts.initialBounds ? { center: [114.55, 34.6], zoom: 8.5 } : { bounds: opts.initialBounds, fitBoundsOptions: { padding: 20 } }),
      maxZoom: 19,
      attributionControl: { compact: true },
    });
    this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
    this.ready = new Promise((resolve) => this.map.once('idle', () => resolve()));

    const fills = DRAW_ORDER.map(fillLayerId);
    this.map.on('mousemove', (e) => {
      opts.onCursor?.(e.lngLat);
      if (!this.picking) return;
      const top = this.topFeature(e.point, fills);
      this.setHover(top);
      this.map.getCanvas().style.cursor = top ? 'pointer' : '';
    });
    this.map.on('mouseout', () => {
      opts.onCursor?.(null);
      this.setHover(null);
    });
    this.map.on('click', (e) => {
      if (!this.picking) return;
      const top = this.topFeature(e.point, fills);
      if (top) void this.openPopup(top, e.lngLat);
      this.pickHandler?.(e);
    });
  }

  /** The topmost feature of a visible data layer under a screen point. */
  private topFeature(point: maplibregl.PointLike, fills: string[]): MapGeoJSONFeature | null {
    const present = fills.filter((id) => this.map.getLayer(id) && this.map.getLayoutProperty(id, 'visibility') !== 'none');
    const hits = this.map.queryRenderedFeatures(point, { layers: present });
    return hits.find((f) => f.id !== undefined) ?? null;
  }

  private setHover(f: MapGeoJSONFeature | null) {
    const next = f && f.id !== undefined ? { source: f.source, sourceLayer: f.sourceLayer!, id: f.id } : null;
    if (this.hovered && (!next || next.id !== this.hovered.id || next.source !== this.hovered.source)) {
      this.map.setFeatureState(this.hovered, { hover: false });
    }
    if (next) this.map.setFeatureState(next, { hover: true });
    this.hovered = next;
  }

  async openPopup(f: MapGeoJSONFeature, at: maplibregl.LngLatLike) {
    const layer = getLayer(f.source);
    if (!layer || f.id === undefined) return;
    this.popup?.remove();
    const popup = new maplibregl.Popup({ maxWidth: '360px', className: 'yzt-popup' })
      .setLngLat(at)
      .setHTML(`<div class="feature-popup loading">${translate(this.lang, 'popupLoading')}</div>`)
      .addTo(this.map);
    this.popup = popup;
    try {
      const detail = await api.feature(layer.id, Number(f.id), this.lang);
      if (this.popup === popup) popup.setHTML(popupHtml(detail, this.lang));
    } catch (err) {
      if (this.popup === popup) {
        popup.setHTML(`<div class="feature-popup error">${translate(this.lang, 'loadFailed')}${String((err as Error).message)}</div>`);
      }
    }
  }

  setLayerState(id: LayerId, state: LayerViewState) {
    const def = getLayer(id)!;
    const visibility = state.visible ? 'visible' : 'none';
    for (const l of [fillLayerId(id), lineLayerId(id)]) if (this.map.getLayer(l)) this.map.setLayoutProperty(l, 'visibility', visibility);
    if (id === 'admin-county' && this.map.getLayer(COUNTY_LABELS)) this.map.setLayoutProperty(COUNTY_LABELS, 'visibility', visibility);
    const s = def.style;
    // a layer the role may not see has no style layers at all
    if (!this.map.getLayer(fillLayerId(id))) return;
    this.map.setPaintProperty(fillLayerId(id), 'fill-opacity', [
      'case',
      ['boolean', ['feature-state', 'hover'], false],
      Math.min(1, s.fillOpacity + 0.25) * state.opacity,
      s.fillOpacity * state.opacity,
    ]);
    this.map.setPaintProperty(lineLayerId(id), 'line-opacity', state.opacity);
  }

  /** The base map under the data layers (undefined: the style's own offline one); see basemap.ts. */
  setBasemap(basemap: Basemap | undefined) {
    this.basemap = basemap;
    const apply = () => {
      // under the lowest data layer the role has, annotation under the county labels
      const below = DRAW_ORDER.map(fillLayerId).find((id) => this.map.getLayer(id));
      applyBasemap(this.map, this.basemap, { below, labelsBelow: this.map.getLayer(COUNTY_LABELS) ? COUNTY_LABELS : undefined, lang: this.lang });
      // the offline base map's own drawings and names only under the offline choice: another
      // base map (imagery, Tianditu's roads) has its own
      const offline = this.basemap === undefined;
      for (const id of BASEMAP_LAYERS) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', offline ? 'visible' : 'none');
    };
    if ((this.map.style as unknown as { _loaded?: boolean } | undefined)?._loaded) apply();
    else this.map.once('style.load', apply);
  }
  private basemap: Basemap | undefined;

  setLang(lang: Lang) {
    this.lang = lang;
    setCountyLabelLang(this.map, lang);
    // the vector base map's labels follow the page's language
    if (this.basemap?.kind === 'pmtiles') this.setBasemap(this.basemap);
  }

  fitBounds(bbox: [number, number, number, number]) {
    this.map.fitBounds(bbox, { padding: 30, duration: 600 });
  }

  /** Hands the map's clicks (while picking is on) to `fn` as well as to the popup; null stops it. */
  setPickHandler(fn: ((e: maplibregl.MapMouseEvent) => void) | null) {
    this.pickHandler = fn;
  }

  /**
   * Turns hover highlights and attribute popups on the data layers on or off: off while the
   * site-check tools own the map's clicks.
   */
  setFeaturePicking(on: boolean) {
    this.picking = on;
    if (!on) {
      this.setHover(null);
      this.popup?.remove();
      this.popup = null;
      this.map.getCanvas().style.cursor = '';
    }
  }

  /**
   * Shows an overlay of polygons above the data layers (below the county labels and any
   * drawing), or removes it with null. Each feature carries its look in its properties:
   * `color`, `fillOpacity` (0 for outline only), `dashed` (boolean). Overlays are named so
   * several can coexist (e.g. a loaded site and a check's result).
   */
  setOverlay(name: string, data: GeoJSON.FeatureCollection | null) {
    const source = `overlay-${name}`;
    const layerIds = [`${source}-fill`, `${source}-line`, `${source}-dash`];
    if (!data) {
      for (const id of layerIds) if (this.map.getLayer(id)) this.map.removeLayer(id);
      if (this.map.getSource(source)) this.map.removeSource(source);
      return;
    }
    const existing = this.map.getSource(source) as maplibregl.GeoJSONSource | undefined;
    if (existing) {
      existing.setData(data);
      return;
    }
    this.map.addSource(source, { type: 'geojson', data });
    const before = this.map.getLayer(COUNTY_LABELS) ? COUNTY_LABELS : undefined;
    const dashed: maplibregl.FilterSpecification = ['==', ['get', 'dashed'], true];
    this.map.addLayer(
      { id: layerIds[0]!, type: 'fill', source, paint: { 'fill-color': ['get', 'color'], 'fill-opacity': ['coalesce', ['get', 'fillOpacity'], 0] } },
      before,
    );
    this.map.addLayer(
      { id: layerIds[1]!, type: 'line', source, filter: ['!', dashed], layout: { 'line-join': 'round' }, paint: { 'line-color': ['get', 'color'], 'line-width': 2.5 } },
      before,
    );
    this.map.addLayer(
      { id: layerIds[2]!, type: 'line', source, filter: dashed, layout: { 'line-join': 'round' }, paint: { 'line-color': ['get', 'color'], 'line-width': 2.5, 'line-dasharray': [2, 1.5] } },
      before,
    );
  }

  /** Features of an overlay rendered in the current view (used by tests). */
  renderedOverlay(name: string) {
    const ids = [`overlay-${name}-fill`, `overlay-${name}-line`, `overlay-${name}-dash`].filter((id) => this.map.getLayer(id));
    return ids.length ? this.map.queryRenderedFeatures({ layers: ids }) : [];
  }

  /**
   * Moves the view to a lon/lat box, e.g. a site's, into the part of the map nothing covers (see
   * uncoveredPadding), with `margin` pixels around it.
   */
  fitBox(bbox: [number, number, number, number], opts: { maxZoom?: number; margin?: number } = {}) {
    this.map.fitBounds(bbox, { padding: this.uncoveredPadding(opts.margin ?? 40), duration: 500, maxZoom: opts.maxZoom ?? 17 });
  }

  /**
   * fitBounds padding that keeps a box clear of whatever lies over the map canvas: the side panel
   * where it overlaps the map (a panel laid over it, or content overflowing it), the map's own
   * controls and the coordinate readout. Each cover is taken from the side it intrudes least from
   * (a control in a corner costs the map one margin, not two), plus `margin`; never so much that
   * less than a third of the canvas is left.
   */
  uncoveredPadding(margin: number): { top: number; right: number; bottom: number; left: number } {
    const canvas = this.map.getCanvas().getBoundingClientRect();
    const pad = { top: 0, right: 0, bottom: 0, left: 0 };
    // the panel, and what overflows it where it does not clip its content (a scrolling panel does)
    const panels = [...document.querySelectorAll('.side-panel')];
    const covers: Element[] = [
      ...panels.flatMap((p) => [p, ...(getComputedStyle(p).overflowX === 'visible' ? p.querySelectorAll('*') : [])]),
      ...this.map.getContainer().querySelectorAll('.maplibregl-ctrl-top-left, .maplibregl-ctrl-top-right, .maplibregl-ctrl-bottom-left, .maplibregl-ctrl-bottom-right'),
      ...(this.map.getContainer().parentElement?.querySelectorAll(':scope > .coords') ?? []),
    ];
    for (const el of covers) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right <= canvas.left || r.left >= canvas.right || r.bottom <= canvas.top || r.top >= canvas.bottom) continue;
      const from: [keyof typeof pad, number][] = [];
      if (r.left <= canvas.left + canvas.width / 2) from.push(['left', r.right - canvas.left]);
      if (r.right >= canvas.right - canvas.width / 2) from.push(['right', canvas.right - r.left]);
      if (r.top <= canvas.top + canvas.height / 2) from.push(['top', r.bottom - canvas.top]);
      if (r.bottom >= canvas.bottom - canvas.height / 2) from.push(['bottom', canvas.bottom - r.top]);
      if (!from.length) continue;
      const [side, depth] = from.reduce((a, b) => (b[1] < a[1] ? b : a));
      pad[side] = Math.max(pad[side], depth);
    }
    const room = (size: number, a: number, b: number) => {
      const most = (size * 2) / 3;
      const k = a + b + 2 * margin > most ? most / (a + b + 2 * margin) : 1;
      return [Math.floor((a + margin) * k), Math.floor((b + margin) * k)] as const;
    };
    const [left, right] = room(canvas.width, pad.left, pad.right);
    const [top, bottom] = room(canvas.height, pad.top, pad.bottom);
    return { top, right, bottom, left };
  }

  /** Rendered features of one layer in the current view (used by the panel and by tests). */
  renderedFeatures(id: LayerId) {
    return this.map.queryRenderedFeatures({ layers: [fillLayerId(id)] }).filter((f) => f.sourceLayer === sourceLayerName(id));
  }

  destroy() {
    this.map.remove();
  }
}
