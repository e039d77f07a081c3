/**
 * The map of the encroachment review: a list map (list-map/record-map.ts) of the cases, over
 * the control layers — permanent and general farmland, the red line, 城市紫线, the urban
 * development boundary, stock land — and the counties. On the queue the listed cases are also drawn as
 * points (red), which stay visible at city scale where a case is a few pixels. On a case page
 * its own polygon is drawn as an outline over everything, and a row of the overlap table
 * lights the control-line feature it names (the style builder's `hover` state).
 */
import type { StyleSpecification } from 'maplibre-gl';
import { DRAW_ORDER, getLayer, layers, type LayerId } from '../../../core/layers.ts';
import { sourceLayerName } from '../map/style.ts';
import type { Lang } from '../i18n.ts';
import { RecordMap, listMapStyle, type MapBase, type RecordMapOptions, type RenderedRecord } from '../list-map/record-map.ts';

export { SELECTED_COLOR, geometryBbox } from '../list-map/record-map.ts';
export const LISTED_COLOR = '#e03131';

/**
 * The layers shown under the cases, bottom to top as the style builder draws them: every layer a
 * site check judges or a case lists overlaps with (farmland, the red line, 城市紫线, the
 * boundary, stock land), from the registry.
 */
export const CONTROL_LAYERS: LayerId[] = DRAW_ORDER.filter((id) => {
  const l = getLayer(id)!;
  return l.rule !== undefined || l.caseOverlap === true;
});

/**
 * The review's style: the workspace's (counties, control layers, encroachment) with the
 * encroachment layer drawn by feature-state, the listed cases' points and, on a case page,
 * the case's own outline.
 */
export function auditStyle(base: MapBase, opts: { visible: LayerId[]; outline?: GeoJSON.Geometry; lang?: Lang }): StyleSpecification {
  return listMapStyle(base, {
    layers: layers.map((l) => l.id),
    visible: ['encroachment', 'admin-county', ...opts.visible],
    records: { layer: 'encroachment', paint: { listedFill: LISTED_COLOR, listedOpacity: 0.55, listedLine: '#a61e4d', listedWidth: 2, otherOpacity: 0.3, otherWidth: 0.8 }, points: true },
    outline: opts.outline && { geometry: opts.outline, fill: LISTED_COLOR, fillOpacity: 0.3, line: '#c92a2a', lineWidth: 3 },
    lang: opts.lang,
  });
}

export class AuditMap extends RecordMap {
  private featureHover: { source: string; id: number } | null = null;

  constructor(opts: RecordMapOptions) {
    super({ boundsPadding: 30, ...opts }, 'encroachment');
  }

  /** Cases rendered in the current view, polygons and points, with their feature-state (used by tests). */
  renderedCases(): RenderedRecord[] {
    return this.renderedRecords();
  }

  /** Lights a control-line feature (a row of the overlap table), or none. */
  setFeatureHover(layer: LayerId | null, id: number | null) {
    const key = (f: { source: string; id: number }) => ({ source: f.source, sourceLayer: sourceLayerName(f.source as LayerId), id: f.id });
    if (this.featureHover && this.map.getSource(this.featureHover.source)) this.map.setFeatureState(key(this.featureHover), { hover: false });
    this.featureHover = layer && id !== null ? { source: layer, id } : null;
    if (this.featureHover && this.map.getSource(this.featureHover.source)) this.map.setFeatureState(key(this.featureHover), { hover: true });
  }
}

declare global {
  interface Window {
    /** The review's live map, for diagnostics and browser tests. */
    yizhangtuAudit?: { map: AuditMap };
  }
}
