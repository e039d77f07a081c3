/**
 * The map of the encroachment review, behind one small seam like the workspace's
 * MapController and the stock pages' StockMap. Its style comes from the workspace's style
 * builder (map/style.ts): the control layers — permanent and general farmland, the red line,
 * the urban development boundary — and the counties, with the encroachment layer on top.
 *
 * On the queue, cases of the current result page carry the feature-state `listed` (red), the
 * row under the mouse `hover`, the chosen one `selected`; the listed cases are also drawn as
 * points, which stay visible at city scale where a case is a few pixels. Feature ids in the
 * tiles and in the points are the cases' database ids (CaseSummary.id). On a case page its
 * own polygon is drawn as an outline over everything, and a row of the overlap table lights
 * the control-line feature it names (the builder's `hover` state).
 */
import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre's worker is a separate, self-contained module; Vite copies it and gives its URL.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { layers, type LayerId } from '../../../core/layers.ts';
import { COUNTY_LABELS, buildStyle, fillLayerId, lineLayerId, sourceLayerName } from '../map/style.ts';
import type { LayerStates } from '../url-state.ts';

maplibregl.setWorkerUrl(workerUrl);

type Bbox = [number, number, number, number];

export const CASE_SOURCE = 'encroachment';
export const CASE_SOURCE_LAYER = sourceLayerName('encroachment');
export const POINTS = 'audit-case-points';
export const OUTLINE = 'audit-case-outline';
export const SELECTED_COLOR = '#f08c00';
export const LISTED_COLOR = '#e03131';

/** The control layers shown under the cases, bottom to top as the style builder draws them. */
export const CONTROL_LAYERS: LayerId[] = ['general-farmland', 'permanent-farmland', 'eco-redline', 'urban-boundary', 'stock-parcel'];

const state = (key: string) => ['boolean', ['feature-state', key], false] as ExpressionSpecification;

export interface AuditBase {
  countyLabels: GeoJSON.FeatureCollection;
  maxTileZoom: number;
}

/**
 * The review's style: the workspace's (counties, control layers, encroachment) with the
 * encroachment layer drawn by feature-state, the listed cases' points and, on a case page,
 * the case's own outline.
 */
export function auditStyle(base: AuditBase, opts: { visible: LayerId[]; outline?: GeoJSON.Geometry }): StyleSpecification {
  const states = Object.fromEntries(layers.map((l) => [l.id, { visible: l.id === 'encroachment' || l.id === 'admin-county' || opts.visible.includes(l.id), opacity: 1 }])) as LayerStates;
  const style = buildStyle({ origin: window.location.origin, states, countyLabels: base.countyLabels, maxTileZoom: base.maxTileZoom });
  const fill = fillLayerId('encroachment');
  const line = lineLayerId('encroachment');
  const restyled = style.layers.map((l): LayerSpecification => {
    if (l.id === fill && l.type === 'fill') {
      return {
        ...l,
        paint: {
          'fill-color': ['case', state('selected'), SELECTED_COLOR, state('listed'), LISTED_COLOR, '#adb5bd'],
          'fill-opacity': ['case', state('hover'), 0.85, state('selected'), 0.75, state('listed'), 0.55, 0.3],
        },
      };
    }
    if (l.id === line && l.type === 'line') {
      return {
        ...l,
        paint: {
          'line-color': ['case', state('selected'), '#d9480f', state('hover'), '#0b3d91', state('listed'), '#a61e4d', '#868e96'],
          'line-width': ['case', state('selected'), 3, state('hover'), 3, state('listed'), 2, 0.8],
        },
      };
    }
    return l;
  });
  style.sources[POINTS] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  const points: LayerSpecification = {
    id: POINTS,
    type: 'circle',
    source: POINTS,
    maxzoom: 14,
    paint: {
      'circle-radius': ['case', state('hover'), 7, state('selected'), 7, 4.5],
      'circle-color': ['case', state('selected'), SELECTED_COLOR, state('hover'), '#0b3d91', LISTED_COLOR],
      'circle-stroke-color': '#fff',
      'circle-stroke-width': 1.5,
    },
  };
  const extra: LayerSpecification[] = [points];
  if (opts.outline) {
    style.sources[OUTLINE] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: opts.outline } };
    extra.push(
      { id: `${OUTLINE}-fill`, type: 'fill', source: OUTLINE, paint: { 'fill-color': LISTED_COLOR, 'fill-opacity': 0.3 } },
      { id: `${OUTLINE}-line`, type: 'line', source: OUTLINE, layout: { 'line-join': 'round' }, paint: { 'line-color': '#c92a2a', 'line-width': 3 } },
    );
  }
  const labels = restyled.findIndex((l) => l.id === COUNTY_LABELS);
  restyled.splice(labels === -1 ? restyled.length : labels, 0, ...extra);
  return { ...style, layers: restyled };
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

/** A case as the tiles or the points carry it (for tests). */
export interface RenderedCase {
  id: number;
  code: string;
  state: Record<string, unknown>;
  /** The mean of its first ring's vertices (a point for the points layer). */
  at: [number, number];
}

export interface AuditMapOptions {
  container: HTMLElement;
  style: StyleSpecification;
  bounds?: Bbox;
  /** A case under the mouse, or null. */
  onHover?: (id: number | null) => void;
  /** A case clicked (its polygon or its point). */
  onCaseClick?: (id: number) => void;
}

export class AuditMap {
  readonly map: maplibregl.Map;
  /** Resolves once the style and first tiles have loaded. */
  readonly ready: Promise<void>;
  private listed = new Set<number>();
  private hovered: number | null = null;
  private selected: number | null = null;
  private featureHover: { source: string; id: number } | null = null;

  constructor(opts: AuditMapOptions) {
    this.map = new maplibregl.Map({
      container: opts.container,
      style: opts.style,
      ...(opts.bounds ? { bounds: opts.bounds, fitBoundsOptions: { padding: 30 } } : { center: [114.55, 34.6], zoom: 8.5 }),
      maxZoom: 19,
      attributionControl: { compact: true },
      localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif",
    });
    this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
    this.ready = new Promise((resolve) => this.map.once('idle', () => resolve()));
    this.map.once('load', () => this.reapply());
    const hit = (point: maplibregl.PointLike) => {
      const ids = [POINTS, fillLayerId('encroachment')].filter((id) => this.map.getLayer(id));
      const f = this.map.queryRenderedFeatures(point, { layers: ids }).find((x) => x.id !== undefined);
      // a grey (unlisted) case on the queue is still a case: it may be opened too
      return f ? Number(f.id) : null;
    };
    this.map.on('mousemove', (e) => {
      const id = hit(e.point);
      this.map.getCanvas().style.cursor = id !== null ? 'pointer' : '';
      if (id !== this.hovered) {
        this.setHover(id);
        opts.onHover?.(id);
      }
    });
    this.map.on('mouseout', () => {
      if (this.hovered !== null) {
        this.setHover(null);
        opts.onHover?.(null);
      }
    });
    this.map.on('click', (e) => {
      const id = hit(e.point);
      if (id !== null) opts.onCaseClick?.(id);
    });
  }

  private put(id: number, s: Record<string, boolean>) {
    if (this.map.getSource(CASE_SOURCE)) this.map.setFeatureState({ source: CASE_SOURCE, sourceLayer: CASE_SOURCE_LAYER, id }, s);
    if (this.map.getSource(POINTS) && this.listed.has(id)) this.map.setFeatureState({ source: POINTS, id }, s);
  }

  /** Applies the kept states once the style has loaded (they may be set before). */
  private reapply() {
    for (const id of this.listed) this.put(id, { listed: true });
    if (this.hovered !== null) this.put(this.hovered, { hover: true });
    if (this.selected !== null) this.put(this.selected, { selected: true });
  }

  /** Marks the cases of the current result page, and draws them as points. */
  setListed(items: { id: number; center: [number, number] }[]) {
    const ids = new Set(items.map((i) => i.id));
    for (const id of this.listed) if (!ids.has(id)) this.put(id, { listed: false });
    this.listed = ids;
    const source = this.map.getSource(POINTS) as maplibregl.GeoJSONSource | undefined;
    const data: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: items.map((i) => ({ type: 'Feature', id: i.id, properties: { id: i.id }, geometry: { type: 'Point', coordinates: i.center } })),
    };
    if (source) source.setData(data);
    else this.map.once('load', () => (this.map.getSource(POINTS) as maplibregl.GeoJSONSource | undefined)?.setData(data));
    for (const id of ids) this.put(id, { listed: true });
    if (this.hovered !== null) this.put(this.hovered, { hover: true });
    if (this.selected !== null) this.put(this.selected, { selected: true });
  }

  /** Highlights one case (a hovered row or the case under the mouse), or none. */
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

  /** Lights a control-line feature (a row of the overlap table), or none. */
  setFeatureHover(layer: LayerId | null, id: number | null) {
    const key = (f: { source: string; id: number }) => ({ source: f.source, sourceLayer: sourceLayerName(f.source as LayerId), id: f.id });
    if (this.featureHover && this.map.getSource(this.featureHover.source)) this.map.setFeatureState(key(this.featureHover), { hover: false });
    this.featureHover = layer && id !== null ? { source: layer, id } : null;
    if (this.featureHover && this.map.getSource(this.featureHover.source)) this.map.setFeatureState(key(this.featureHover), { hover: true });
  }

  /** Shows or hides a registry layer (fill and outline). */
  setLayerVisible(id: LayerId, visible: boolean) {
    for (const l of [fillLayerId(id), lineLayerId(id)]) if (this.map.getLayer(l)) this.map.setLayoutProperty(l, 'visibility', visible ? 'visible' : 'none');
  }

  /** The feature-state of a case (used by tests). */
  featureState(id: number): Record<string, unknown> {
    return this.map.getSource(CASE_SOURCE) ? this.map.getFeatureState({ source: CASE_SOURCE, sourceLayer: CASE_SOURCE_LAYER, id }) : {};
  }

  /** Cases rendered in the current view, polygons and points, with their feature-state (used by tests). */
  renderedCases(): RenderedCase[] {
    const seen = new Map<number, RenderedCase>();
    const fill = fillLayerId('encroachment');
    const present = [fill, POINTS].filter((id) => this.map.getLayer(id));
    for (const f of this.map.queryRenderedFeatures({ layers: present })) {
      if (f.id === undefined) continue;
      const id = Number(f.id);
      const g = f.geometry;
      let at: [number, number] = [NaN, NaN];
      if (g.type === 'Point') at = g.coordinates as [number, number];
      else {
        const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0]?.[0] : undefined) ?? [];
        const pts = ring.slice(0, -1);
        if (pts.length) at = [pts.reduce((a, p) => a + p[0]!, 0) / pts.length, pts.reduce((a, p) => a + p[1]!, 0) / pts.length];
      }
      const prev = seen.get(id);
      // the polygon (with its code) wins over the point
      if (prev && g.type === 'Point') continue;
      seen.set(id, { id, code: String(f.properties.code ?? prev?.code ?? ''), state: { ...this.featureState(id) }, at });
    }
    return [...seen.values()];
  }

  /** Features of the case page's outline rendered in the view (used by tests). */
  renderedOutline(): number {
    const id = `${OUTLINE}-fill`;
    return this.map.getLayer(id) ? this.map.queryRenderedFeatures({ layers: [id] }).length : 0;
  }

  /** Fits the view to points (e.g. the listed cases' centres), not closer than `maxZoom`. */
  fitPoints(points: [number, number][], maxZoom = 15) {
    if (!points.length) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const pad = 0.004;
    this.map.fitBounds([Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad], { padding: 40, duration: 500, maxZoom });
  }

  fitBox(b: Bbox, opts: { maxZoom?: number; animate?: boolean } = {}) {
    this.map.fitBounds(b, { padding: 40, duration: opts.animate === false ? 0 : 500, maxZoom: opts.maxZoom ?? 17 });
  }

  /** Flies to a case's centre, zooming in to at least z15 (the farmland is drawn from z14). */
  flyTo(center: [number, number]) {
    this.map.flyTo({ center, zoom: Math.max(this.map.getZoom(), 15), duration: 600 });
  }

  /** Brings a point into view when it is outside it, keeping the zoom. */
  reveal(center: [number, number]) {
    // while the view is fitted to a new page (which shows every listed case), leave it be
    if (this.map.isMoving()) return;
    if (!this.map.getBounds().contains(center)) this.map.easeTo({ center, duration: 300 });
  }

  destroy() {
    this.map.remove();
  }
}

declare global {
  interface Window {
    /** The review's live map, for diagnostics and browser tests. */
    yizhangtuAudit?: { map: AuditMap };
  }
}
