/**
 * The map of the public stock-land pages, behind one small seam like the workspace's
 * MapController. Its style carries only public layers — the county boundaries and names
 * (the offline base) and the stock parcels — so these pages never ask for farmland or
 * red-line tiles. Parcels in the current result page carry the feature-state `listed`;
 * the row under the mouse `hover`; the chosen one `selected`. Feature ids in the tiles
 * are the parcels' database ids (StockParcelSummary.id).
 */
import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre's worker is a separate, self-contained module; Vite copies it and gives its URL.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { getLayer, type LayerDefinition, type LayerId } from '../../../core/layers.ts';
import { COUNTY_LABELS, LABEL_FONT, fillLayerId, lineLayerId, sourceLayerName } from '../map/style.ts';

maplibregl.setWorkerUrl(workerUrl);

type Bbox = [number, number, number, number];

/** The registry layers these pages draw; anything not public is refused here, whatever the list says. */
const PUBLIC_LAYERS: LayerDefinition[] = (['admin-county', 'stock-parcel'] as LayerId[])
  .map((id) => getLayer(id)!)
  .filter((l) => l.sensitivity === 'public');

export const STOCK_SOURCE = 'stock-parcel';
export const STOCK_SOURCE_LAYER = sourceLayerName('stock-parcel');
export const PARCEL_OVERLAY = 'stock-parcel-outline';
export const SELECTED_COLOR = '#f08c00';

const state = (key: string) => ['boolean', ['feature-state', key], false] as ExpressionSpecification;

export interface BaseData {
  countyLabels: GeoJSON.FeatureCollection;
  maxTileZoom: number;
}

/**
 * The style: background, county boundaries, stock parcels (search page) or the one parcel's
 * polygon (parcel page), county names on top.
 */
export function publicStockStyle(base: BaseData, opts: { tiles: boolean; parcel?: GeoJSON.Geometry; marker?: [number, number]; labels?: boolean }): StyleSpecification {
  const origin = window.location.origin;
  const sources: Record<string, SourceSpecification> = {};
  const fills: LayerSpecification[] = [];
  const lines: LayerSpecification[] = [];
  for (const def of PUBLIC_LAYERS) {
    if (def.id === 'stock-parcel' && !opts.tiles) continue;
    sources[def.id] = { type: 'vector', tiles: [`${origin}/tiles/${def.id}/{z}/{x}/{y}.mvt`], minzoom: def.minZoom, maxzoom: base.maxTileZoom };
    const s = def.style;
    const common = { source: def.id, 'source-layer': sourceLayerName(def.id), minzoom: def.minZoom };
    if (def.id === 'stock-parcel') {
      // listed parcels in the layer's colour, the rest greyed; hover and selection stand out
      fills.push({
        id: fillLayerId(def.id),
        type: 'fill',
        ...common,
        paint: {
          'fill-color': ['case', state('selected'), SELECTED_COLOR, state('listed'), s.fillColor, '#adb5bd'],
          'fill-opacity': ['case', state('hover'), 0.85, state('selected'), 0.75, state('listed'), s.fillOpacity + 0.1, 0.25],
        },
      });
      lines.push({
        id: lineLayerId(def.id),
        type: 'line',
        ...common,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': ['case', state('selected'), '#d9480f', state('hover'), '#0b3d91', state('listed'), s.lineColor, '#868e96'],
          'line-width': ['case', state('selected'), 3, state('hover'), 3, state('listed'), s.lineWidth + 0.5, 0.5],
        },
      });
    } else {
      fills.push({ id: fillLayerId(def.id), type: 'fill', ...common, paint: { 'fill-color': s.fillColor, 'fill-opacity': s.fillOpacity } });
      lines.push({
        id: lineLayerId(def.id),
        type: 'line',
        ...common,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': s.lineColor, 'line-width': s.lineWidth, ...(s.lineDash ? { 'line-dasharray': s.lineDash } : {}) },
      });
    }
  }
  if (opts.parcel) {
    sources[PARCEL_OVERLAY] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: opts.parcel } };
    fills.push({ id: `${PARCEL_OVERLAY}-fill`, type: 'fill', source: PARCEL_OVERLAY, paint: { 'fill-color': SELECTED_COLOR, 'fill-opacity': 0.45 } });
    lines.push({ id: `${PARCEL_OVERLAY}-line`, type: 'line', source: PARCEL_OVERLAY, layout: { 'line-join': 'round' }, paint: { 'line-color': '#d9480f', 'line-width': 2.5 } });
  }
  if (opts.marker) {
    // at city scale a parcel is a few pixels: mark its place
    sources[`${PARCEL_OVERLAY}-marker`] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: opts.marker } } };
    lines.push({
      id: `${PARCEL_OVERLAY}-marker`,
      type: 'circle',
      source: `${PARCEL_OVERLAY}-marker`,
      paint: { 'circle-radius': 4, 'circle-color': SELECTED_COLOR, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 },
    });
  }
  const labels = opts.labels !== false;
  if (labels) sources[COUNTY_LABELS] = { type: 'geojson', data: base.countyLabels };
  return {
    version: 8,
    glyphs: `${origin}/fonts/{fontstack}/{range}.pbf`,
    sources,
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f2ec' } },
      ...fills,
      ...lines,
      ...(labels ? [countyLabelLayer()] : []),
    ],
  };
}

/** County names, as the workspace draws them. */
function countyLabelLayer(): LayerSpecification {
  return {
    id: COUNTY_LABELS,
    type: 'symbol',
    source: COUNTY_LABELS,
    layout: { 'text-field': ['get', 'name'], 'text-font': LABEL_FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 7, 12, 11, 16] },
    paint: { 'text-color': '#343a40', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
  };
}

/** The lon/lat box of a GeoJSON geometry. */
export function geometryBbox(g: GeoJSON.Geometry): Bbox {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      b[0] = Math.min(b[0], x!);
      b[1] = Math.min(b[1], y!);
      b[2] = Math.max(b[2], x!);
      b[3] = Math.max(b[3], y!);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  if ('coordinates' in g) walk(g.coordinates);
  return b;
}

/** A parcel as the tiles carry it. */
export interface RenderedParcel {
  id: number;
  code: string;
  state: Record<string, unknown>;
  /** The mean of its first ring's vertices: inside the convex lots of the register. */
  at: [number, number];
}

export interface StockMapOptions {
  container: HTMLElement;
  style: StyleSpecification;
  bounds?: Bbox;
  interactive?: boolean;
  /** Where the scale bar goes (bottom right unless told), or none. */
  scale?: false | 'bottom-left' | 'bottom-right';
  /** A parcel under the mouse (id and code), or null. */
  onHover?: (p: { id: number; code: string } | null) => void;
  /** A parcel clicked. */
  onParcelClick?: (p: { id: number; code: string }) => void;
  /** A point clicked while picking a location. */
  onPick?: (lngLat: [number, number]) => void;
}

export class StockMap {
  readonly map: maplibregl.Map;
  /** Resolves once the style and first tiles have loaded. */
  readonly ready: Promise<void>;
  private listed = new Set<number>();
  private hovered: number | null = null;
  private selected: number | null = null;
  private picking = false;
  private marker: maplibregl.Marker | null = null;
  private readonly opts: StockMapOptions;

  constructor(opts: StockMapOptions) {
    this.opts = opts;
    this.map = new maplibregl.Map({
      container: opts.container,
      style: opts.style,
      ...(opts.bounds ? { bounds: opts.bounds, fitBoundsOptions: { padding: 20 } } : { center: [114.55, 34.6], zoom: 8.5 }),
      maxZoom: 19,
      interactive: opts.interactive ?? true,
      attributionControl: opts.interactive === false ? false : { compact: true },
      localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif",
    });
    if (opts.interactive ?? true) this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    if (opts.scale !== false) this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), opts.scale ?? 'bottom-right');
    this.ready = new Promise((resolve) => this.map.once('idle', () => resolve()));
    this.map.once('load', () => this.reapply());
    const fill = fillLayerId('stock-parcel');
    this.map.on('mousemove', (e) => {
      if (this.picking) {
        this.map.getCanvas().style.cursor = 'crosshair';
        return;
      }
      const hit = this.map.getLayer(fill) ? this.map.queryRenderedFeatures(e.point, { layers: [fill] }).find((f) => f.id !== undefined) : undefined;
      const id = hit ? Number(hit.id) : null;
      this.map.getCanvas().style.cursor = hit ? 'pointer' : '';
      if (id !== this.hovered) {
        this.setHover(id);
        opts.onHover?.(hit ? { id: id!, code: String(hit.properties.code ?? '') } : null);
      }
    });
    this.map.on('mouseout', () => {
      if (this.hovered !== null) {
        this.setHover(null);
        opts.onHover?.(null);
      }
    });
    this.map.on('click', (e) => {
      if (this.picking) {
        this.setPicking(false);
        opts.onPick?.([e.lngLat.lng, e.lngLat.lat]);
        return;
      }
      if (!this.map.getLayer(fill)) return;
      const hit = this.map.queryRenderedFeatures(e.point, { layers: [fill] }).find((f) => f.id !== undefined);
      if (hit) opts.onParcelClick?.({ id: Number(hit.id), code: String(hit.properties.code ?? '') });
    });
  }

  private key(id: number) {
    return { source: STOCK_SOURCE, sourceLayer: STOCK_SOURCE_LAYER, id };
  }

  private put(id: number, s: Record<string, boolean>) {
    if (this.map.getSource(STOCK_SOURCE)) this.map.setFeatureState(this.key(id), s);
  }

  /** Applies the kept states once the style has loaded (they may be set before). */
  private reapply() {
    for (const id of this.listed) this.put(id, { listed: true });
    if (this.hovered !== null) this.put(this.hovered, { hover: true });
    if (this.selected !== null) this.put(this.selected, { selected: true });
  }

  /** Marks the parcels of the current result page. */
  setListed(ids: number[]) {
    for (const id of this.listed) if (!ids.includes(id)) this.put(id, { listed: false });
    this.listed = new Set(ids);
    for (const id of ids) this.put(id, { listed: true });
  }

  /** Highlights one parcel (a hovered list row or the parcel under the mouse), or none. */
  setHover(id: number | null) {
    if (id === this.hovered) return;
    if (this.hovered !== null) this.put(this.hovered, { hover: false });
    if (id !== null) this.put(id, { hover: true });
    this.hovered = id;
  }

  setSelected(id: number | null) {
    if (id === this.selected) return;
    if (this.selected !== null) this.put(this.selected, { selected: false });
    if (id !== null) this.put(id, { selected: true });
    this.selected = id;
  }

  /** The feature-state of a parcel (used by tests). */
  featureState(id: number): Record<string, unknown> {
    return this.map.getSource(STOCK_SOURCE) ? this.map.getFeatureState(this.key(id)) : {};
  }

  /** Stock parcels rendered in the current view, with their feature-state (used by tests). */
  renderedParcels(): RenderedParcel[] {
    const fill = fillLayerId('stock-parcel');
    if (!this.map.getLayer(fill)) return [];
    const seen = new Map<number, RenderedParcel>();
    for (const f of this.map.queryRenderedFeatures({ layers: [fill] })) {
      if (f.id === undefined || seen.has(Number(f.id))) continue;
      const g = f.geometry;
      const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0]?.[0] : undefined) ?? [];
      const pts = ring.slice(0, -1);
      const at: [number, number] = pts.length
        ? [pts.reduce((a, p) => a + p[0]!, 0) / pts.length, pts.reduce((a, p) => a + p[1]!, 0) / pts.length]
        : [NaN, NaN];
      seen.set(Number(f.id), { id: Number(f.id), code: String(f.properties.code ?? ''), state: { ...f.state }, at });
    }
    return [...seen.values()];
  }

  /** Features of the parcel-page polygon rendered in the view (used by tests). */
  renderedOutline(): number {
    const id = `${PARCEL_OVERLAY}-fill`;
    return this.map.getLayer(id) ? this.map.queryRenderedFeatures({ layers: [id] }).length : 0;
  }

  /** The next map click picks a point (crosshair cursor) instead of a parcel. */
  setPicking(on: boolean) {
    this.picking = on;
    this.map.getCanvas().style.cursor = on ? 'crosshair' : '';
    if (on) this.setHover(null);
  }

  /** Shows the picked point, or removes it. */
  setMarker(at: [number, number] | null, title = '') {
    if (!at) {
      this.marker?.remove();
      this.marker = null;
      return;
    }
    if (!this.marker) {
      const el = document.createElement('div');
      el.className = 'stock-near-marker';
      el.dataset.testid = 'near-marker';
      this.marker = new maplibregl.Marker({ element: el, anchor: 'bottom' });
    }
    this.marker.getElement().title = title;
    this.marker.setLngLat(at).addTo(this.map);
  }

  /** Fits the view to points (e.g. the listed parcels' centres), not closer than `maxZoom`. */
  fitPoints(points: [number, number][], maxZoom = 15) {
    if (!points.length) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const pad = 0.004;
    this.map.fitBounds(
      [Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad],
      { padding: 40, duration: 500, maxZoom },
    );
  }

  fitBox(b: Bbox, opts: { maxZoom?: number; animate?: boolean } = {}) {
    this.map.fitBounds(b, { padding: 40, duration: opts.animate === false ? 0 : 500, maxZoom: opts.maxZoom ?? 17 });
  }

  /** Flies to a parcel's centre, zooming in to at least z15. */
  flyTo(center: [number, number]) {
    this.map.flyTo({ center, zoom: Math.max(this.map.getZoom(), 15), duration: 600 });
  }

  destroy() {
    this.marker?.remove();
    this.map.remove();
  }
}

declare global {
  interface Window {
    /** The stock pages' live map, for diagnostics and browser tests. */
    yizhangtuStock?: { map: StockMap };
  }
}
