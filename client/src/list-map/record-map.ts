/**
 * The map of a searchable list (the stock-land search and parcels, the encroachment queue and
 * cases), behind one small seam like the workspace's MapController. Its records are the
 * features of one registry layer, drawn from that layer's tiles by feature-state: those of the
 * current result page `listed`, the row under the mouse `hover`, the chosen one `selected`.
 * Feature ids in the tiles (and in the optional points drawn for the listed records) are the
 * records' database ids.
 *
 * The style comes from the workspace's builder (map/style.ts) restricted to the layers a page
 * may draw, so a page never asks for tiles of a layer it has no business with; on top go the
 * listed records' points, one record's own outline and a location marker when asked for.
 * StockMap and AuditMap (stock/stock-map.ts, audit/audit-map.ts) are this map with their
 * layer, colours and the little each adds.
 */
import type { ExpressionSpecification, GeoJSONSource, LayerSpecification, PointLike, StyleSpecification } from 'maplibre-gl';
import { layers, type LayerId } from '../../../core/layers.ts';
import { CJK_FONTS, maplibregl } from '../map/maplibre.ts';
import { COUNTY_LABELS, buildStyle, fillLayerId, lineLayerId, setCountyLabelLang, sourceLayerName } from '../map/style.ts';
import type { Lang } from '../i18n.ts';
import type { LayerStates } from '../url-state.ts';

export type Bbox = [number, number, number, number];

/** The chosen record, on every list map. */
export const SELECTED_COLOR = '#f08c00';
const SELECTED_LINE = '#d9480f';
const HOVER_LINE = '#0b3d91';
/** Records not on the current page. */
export const OTHER_FILL = '#adb5bd';
export const OTHER_LINE = '#868e96';

/** The listed records' points (drawn where a record is a few pixels). */
export const POINTS = 'list-map-points';
/** One record's own polygon, over everything. */
export const OUTLINE = 'list-map-outline';
const MARKER = 'list-map-marker';

const state = (key: string) => ['boolean', ['feature-state', key], false] as ExpressionSpecification;

/** What every list map needs from the server: the county names' points and the deepest tile zoom. */
export interface MapBase {
  countyLabels: GeoJSON.FeatureCollection;
  maxTileZoom: number;
}

/** How the records of the current page and the others look. */
export interface RecordPaint {
  listedFill: string;
  listedOpacity: number;
  listedLine: string;
  listedWidth: number;
  otherOpacity: number;
  otherWidth: number;
}

export interface ListMapStyleOptions {
  /** The registry layers the page may draw; no other gets a source. */
  layers: LayerId[];
  /** Those shown at first (default: all of them). */
  visible?: LayerId[];
  /** The records' layer and look (the layer must be among `layers`); none on a page without a list. */
  records?: { layer: LayerId; paint: RecordPaint; points?: boolean };
  /** One record's polygon, drawn over everything. */
  outline?: { geometry: GeoJSON.Geometry; fill: string; fillOpacity: number; line: string; lineWidth: number };
  /** A point marked on the map (where a record lies, on an overview). */
  marker?: [number, number];
  /** County names (default: drawn). */
  labels?: boolean;
  /** The language of the county names (default Chinese). */
  lang?: Lang;
}

/** The style of a list map: the workspace's, restricted, with the records drawn by feature-state. */
export function listMapStyle(base: MapBase, opts: ListMapStyleOptions): StyleSpecification {
  const visible = opts.visible ?? opts.layers;
  const states = Object.fromEntries(layers.map((l) => [l.id, { visible: visible.includes(l.id), opacity: 1 }])) as LayerStates;
  const style = buildStyle({ origin: window.location.origin, states, countyLabels: base.countyLabels, maxTileZoom: base.maxTileZoom, visible: (id) => opts.layers.includes(id), lang: opts.lang });
  const rec = opts.records;
  const restyled = style.layers.map((l): LayerSpecification => {
    if (!rec) return l;
    const p = rec.paint;
    if (l.id === fillLayerId(rec.layer) && l.type === 'fill') {
      return {
        ...l,
        paint: {
          'fill-color': ['case', state('selected'), SELECTED_COLOR, state('listed'), p.listedFill, OTHER_FILL],
          'fill-opacity': ['case', state('hover'), 0.85, state('selected'), 0.75, state('listed'), p.listedOpacity, p.otherOpacity],
        },
      };
    }
    if (l.id === lineLayerId(rec.layer) && l.type === 'line') {
      return {
        ...l,
        paint: {
          'line-color': ['case', state('selected'), SELECTED_LINE, state('hover'), HOVER_LINE, state('listed'), p.listedLine, OTHER_LINE],
          'line-width': ['case', state('selected'), 3, state('hover'), 3, state('listed'), p.listedWidth, p.otherWidth],
        },
      };
    }
    return l;
  });
  const extra: LayerSpecification[] = [];
  if (rec?.points) {
    style.sources[POINTS] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
    extra.push({
      id: POINTS,
      type: 'circle',
      source: POINTS,
      maxzoom: 14,
      paint: {
        'circle-radius': ['case', state('hover'), 7, state('selected'), 7, 4.5],
        'circle-color': ['case', state('selected'), SELECTED_COLOR, state('hover'), HOVER_LINE, rec.paint.listedFill],
        'circle-stroke-color': '#fff',
        'circle-stroke-width': 1.5,
      },
    });
  }
  if (opts.outline) {
    const o = opts.outline;
    style.sources[OUTLINE] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: o.geometry } };
    extra.push(
      { id: `${OUTLINE}-fill`, type: 'fill', source: OUTLINE, paint: { 'fill-color': o.fill, 'fill-opacity': o.fillOpacity } },
      { id: `${OUTLINE}-line`, type: 'line', source: OUTLINE, layout: { 'line-join': 'round' }, paint: { 'line-color': o.line, 'line-width': o.lineWidth } },
    );
  }
  if (opts.marker) {
    style.sources[MARKER] = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: opts.marker } } };
    extra.push({ id: MARKER, type: 'circle', source: MARKER, paint: { 'circle-radius': 4, 'circle-color': SELECTED_COLOR, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
  }
  const labels = restyled.findIndex((l) => l.id === COUNTY_LABELS);
  restyled.splice(labels === -1 ? restyled.length : labels, 0, ...extra);
  if (opts.labels === false) {
    delete style.sources[COUNTY_LABELS];
    return { ...style, layers: restyled.filter((l) => l.id !== COUNTY_LABELS) };
  }
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

/** The joint box of boxes, or undefined for none. */
export function unionBbox(boxes: Bbox[]): Bbox | undefined {
  if (!boxes.length) return undefined;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

/** A record as the map draws it. */
export interface RecordRef {
  id: number;
  code: string;
}

/** A record rendered in the view, with its feature-state (for tests). */
export interface RenderedRecord extends RecordRef {
  state: Record<string, unknown>;
  /** The mean of its first ring's vertices (inside the convex lots of the register); a point's own place. */
  at: [number, number];
}

export interface RecordMapOptions {
  container: HTMLElement;
  style: StyleSpecification;
  bounds?: Bbox;
  /** Padding around the starting bounds, px (default 20). */
  boundsPadding?: number;
  interactive?: boolean;
  /** Where the scale bar goes (bottom right unless told), or none. */
  scale?: false | 'bottom-left' | 'bottom-right';
  /** A record under the mouse, or null. */
  onHover?: (r: RecordRef | null) => void;
  /** A record clicked (its polygon or its point). */
  onRecordClick?: (r: RecordRef) => void;
}

export class RecordMap {
  readonly map: maplibregl.Map;
  /** Resolves once the style and first tiles have loaded. */
  readonly ready: Promise<void>;
  private listed = new Set<number>();
  private hovered: number | null = null;
  private selected: number | null = null;
  private readonly source: LayerId;
  private readonly sourceLayer: string;

  /** `layer`: the registry layer whose features are the records. */
  constructor(opts: RecordMapOptions, layer: LayerId) {
    this.source = layer;
    this.sourceLayer = sourceLayerName(layer);
    const interactive = opts.interactive ?? true;
    this.map = new maplibregl.Map({
      container: opts.container,
      style: opts.style,
      ...(opts.bounds ? { bounds: opts.bounds, fitBoundsOptions: { padding: opts.boundsPadding ?? 20 } } : { center: [114.55, 34.6], zoom: 8.5 }),
      maxZoom: 19,
      interactive,
      attributionControl: interactive ? { compact: true } : false,
      localIdeographFontFamily: CJK_FONTS,
    });
    if (interactive) this.map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    if (opts.scale !== false) this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), opts.scale ?? 'bottom-right');
    this.ready = new Promise((resolve) => this.map.once('idle', () => resolve()));
    this.map.once('load', () => this.reapply());
    this.map.on('mousemove', (e) => {
      if (this.onMove()) return;
      const hit = this.hit(e.point);
      this.map.getCanvas().style.cursor = hit ? 'pointer' : '';
      if ((hit?.id ?? null) !== this.hovered) {
        this.setHover(hit?.id ?? null);
        opts.onHover?.(hit);
      }
    });
    this.map.on('mouseout', () => {
      if (this.hovered !== null) {
        this.setHover(null);
        opts.onHover?.(null);
      }
    });
    this.map.on('click', (e) => {
      if (this.onClick([e.lngLat.lng, e.lngLat.lat])) return;
      const hit = this.hit(e.point);
      if (hit) opts.onRecordClick?.(hit);
    });
  }

  /** A subclass's own use of the pointer first: true when it took the move. */
  protected onMove(): boolean {
    return false;
  }

  /** A subclass's own use of a click first: true when it took it. */
  protected onClick(_at: [number, number]): boolean {
    return false;
  }

  private fill() {
    return fillLayerId(this.source);
  }

  /** The record under a screen point: a grey (unlisted) one is still a record and may be opened too. */
  private hit(point: PointLike): RecordRef | null {
    const present = [POINTS, this.fill()].filter((id) => this.map.getLayer(id));
    if (!present.length) return null;
    const f = this.map.queryRenderedFeatures(point, { layers: present }).find((x) => x.id !== undefined);
    return f ? { id: Number(f.id), code: String(f.properties.code ?? '') } : null;
  }

  private key(id: number) {
    return { source: this.source, sourceLayer: this.sourceLayer, id };
  }

  private put(id: number, s: Record<string, boolean>) {
    if (this.map.getSource(this.source)) this.map.setFeatureState(this.key(id), s);
    if (this.map.getSource(POINTS) && this.listed.has(id)) this.map.setFeatureState({ source: POINTS, id }, s);
  }

  /** Applies the kept states once the style has loaded (they may be set before). */
  private reapply() {
    for (const id of this.listed) this.put(id, { listed: true });
    if (this.hovered !== null) this.put(this.hovered, { hover: true });
    if (this.selected !== null) this.put(this.selected, { selected: true });
  }

  /** Marks the records of the current result page (and draws them as points when the style has them). */
  setListed(items: { id: number; center: [number, number] }[]) {
    const ids = new Set(items.map((i) => i.id));
    for (const id of this.listed) if (!ids.has(id)) this.put(id, { listed: false });
    this.listed = ids;
    const data: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: items.map((i) => ({ type: 'Feature', id: i.id, properties: { id: i.id }, geometry: { type: 'Point', coordinates: i.center } })),
    };
    const points = () => this.map.getSource(POINTS) as GeoJSONSource | undefined;
    if (points()) points()!.setData(data);
    else this.map.once('load', () => points()?.setData(data));
    this.reapply();
  }

  /** Highlights one record (a hovered row or the record under the mouse), or none. */
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

  /** The feature-state of a record (used by tests). */
  featureState(id: number): Record<string, unknown> {
    return this.map.getSource(this.source) ? this.map.getFeatureState(this.key(id)) : {};
  }

  /** Records rendered in the current view, polygons and points, with their feature-state (used by tests). */
  renderedRecords(): RenderedRecord[] {
    const seen = new Map<number, RenderedRecord>();
    const present = [this.fill(), POINTS].filter((id) => this.map.getLayer(id));
    if (!present.length) return [];
    for (const f of this.map.queryRenderedFeatures({ layers: present })) {
      if (f.id === undefined) continue;
      const id = Number(f.id);
      const g = f.geometry;
      const prev = seen.get(id);
      // the polygon (with its code) wins over the point
      if (prev && g.type === 'Point') continue;
      let at: [number, number] = [NaN, NaN];
      if (g.type === 'Point') at = g.coordinates as [number, number];
      else {
        const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0]?.[0] : undefined) ?? [];
        const pts = ring.slice(0, -1);
        if (pts.length) at = [pts.reduce((a, p) => a + p[0]!, 0) / pts.length, pts.reduce((a, p) => a + p[1]!, 0) / pts.length];
      }
      seen.set(id, { id, code: String(f.properties.code ?? prev?.code ?? ''), state: { ...this.featureState(id) }, at });
    }
    return [...seen.values()];
  }

  /** Features of the record's own outline rendered in the view (used by tests). */
  renderedOutline(): number {
    const id = `${OUTLINE}-fill`;
    return this.map.getLayer(id) ? this.map.queryRenderedFeatures({ layers: [id] }).length : 0;
  }

  /** Shows or hides a registry layer (fill and outline). */
  setLayerVisible(id: LayerId, visible: boolean) {
    for (const l of [fillLayerId(id), lineLayerId(id)]) if (this.map.getLayer(l)) this.map.setLayoutProperty(l, 'visibility', visible ? 'visible' : 'none');
  }

  /** Fits the view to points (e.g. the listed records' centres), not closer than `maxZoom`. */
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

  /** Flies to a record's centre, zooming in to at least z15 (farmland is drawn from z14). */
  flyTo(center: [number, number]) {
    this.map.flyTo({ center, zoom: Math.max(this.map.getZoom(), 15), duration: 600 });
  }

  /** Brings a point into view when it is outside it, keeping the zoom. */
  reveal(center: [number, number]) {
    // while the view is fitted to a new page (which shows every listed record), leave it be
    if (this.map.isMoving()) return;
    if (!this.map.getBounds().contains(center)) this.map.easeTo({ center, duration: 300 });
  }

  /** Redraws the county names in another language (once the style is there). */
  setLang(lang: Lang) {
    if (this.map.isStyleLoaded()) setCountyLabelLang(this.map, lang);
    else this.map.once('load', () => setCountyLabelLang(this.map, lang));
  }

  destroy() {
    this.map.remove();
  }
}
