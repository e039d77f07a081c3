/**
 * The map of the public stock-land pages: a list map (list-map/record-map.ts) of the stock
 * parcels. Its style carries only public layers — the county boundaries and names (the
 * offline base) and the stock parcels — so these pages never ask for farmland or red-line
 * tiles. The search adds a picked location: the next click picks a point instead of a parcel.
 */
import type { Marker, StyleSpecification } from 'maplibre-gl';
import { maplibregl } from '../map/maplibre.ts';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import type { Lang } from '../i18n.ts';
import { RecordMap, SELECTED_COLOR, listMapStyle, type MapBase, type RecordMapOptions, type RenderedRecord } from '../list-map/record-map.ts';

export { SELECTED_COLOR, geometryBbox } from '../list-map/record-map.ts';
export type { MapBase as BaseData } from '../list-map/record-map.ts';

/** The registry layers these pages draw; anything not public is refused here, whatever the list says. */
const PUBLIC_LAYERS: LayerId[] = (['admin-county', 'stock-parcel'] as LayerId[]).filter((id) => getLayer(id)!.sensitivity === 'public');

/**
 * The style: background, county boundaries, stock parcels (search page) or the one parcel's
 * polygon (parcel page), county names on top.
 */
export function publicStockStyle(base: MapBase, opts: { tiles: boolean; parcel?: GeoJSON.Geometry; marker?: [number, number]; labels?: boolean; lang?: Lang }): StyleSpecification {
  const s = getLayer('stock-parcel')!.style;
  return listMapStyle(base, {
    layers: PUBLIC_LAYERS.filter((id) => id !== 'stock-parcel' || opts.tiles),
    records: opts.tiles
      ? { layer: 'stock-parcel', paint: { listedFill: s.fillColor, listedOpacity: s.fillOpacity + 0.1, listedLine: s.lineColor, listedWidth: s.lineWidth + 0.5, otherOpacity: 0.25, otherWidth: 0.5 } }
      : undefined,
    outline: opts.parcel && { geometry: opts.parcel, fill: SELECTED_COLOR, fillOpacity: 0.45, line: '#d9480f', lineWidth: 2.5 },
    marker: opts.marker,
    labels: opts.labels,
    lang: opts.lang,
  });
}

export interface StockMapOptions extends RecordMapOptions {
  /** A point clicked while picking a location. */
  onPick?: (lngLat: [number, number]) => void;
}

export class StockMap extends RecordMap {
  private picking = false;
  private marker: Marker | null = null;
  private readonly onPick?: (lngLat: [number, number]) => void;

  constructor(opts: StockMapOptions) {
    super(opts, 'stock-parcel');
    this.onPick = opts.onPick;
  }

  protected override onMove() {
    if (this.picking) this.map.getCanvas().style.cursor = 'crosshair';
    return this.picking;
  }

  protected override onClick(at: [number, number]) {
    if (!this.picking) return false;
    this.setPicking(false);
    this.onPick?.(at);
    return true;
  }

  /** Stock parcels rendered in the current view, with their feature-state (used by tests). */
  renderedParcels(): RenderedRecord[] {
    return this.renderedRecords();
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

  override destroy() {
    this.marker?.remove();
    super.destroy();
  }
}

declare global {
  interface Window {
    /** The stock pages' live map, for diagnostics and browser tests. */
    yizhangtuStock?: { map: StockMap };
  }
}
