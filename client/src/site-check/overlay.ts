/**
 * What the site check draws on the map, as plain GeoJSON with its look in the properties
 * (the map controller's `setOverlay` reads `color`, `fillOpacity`, `dashed`). The panel's
 * legend reads the same table.
 */
import type { SiteCheckReport } from '../../../core/contracts/site-check.ts';
import type { StockMatchResponse } from '../../../core/contracts/stock.ts';
import type { SiteShape } from '../../../core/preview.ts';

export type OverlayKind = 'site' | 'permanent-farmland' | 'eco-redline' | 'general-farmland' | 'outside' | 'trimmed';

export const OVERLAY_STYLE: Record<OverlayKind, { color: string; fillOpacity: number; dashed: boolean }> = {
  site: { color: '#1c3d5a', fillOpacity: 0.1, dashed: false },
  'permanent-farmland': { color: '#e03131', fillOpacity: 0.6, dashed: false },
  'eco-redline': { color: '#9c36b5', fillOpacity: 0.55, dashed: false },
  'general-farmland': { color: '#f59f00', fillOpacity: 0.55, dashed: false },
  outside: { color: '#e8590c', fillOpacity: 0.25, dashed: true },
  trimmed: { color: '#1971c2', fillOpacity: 0, dashed: true },
};

/** Drawn bottom to top. */
const ORDER: OverlayKind[] = ['outside', 'general-farmland', 'eco-redline', 'permanent-farmland', 'trimmed'];

type AnyGeometry = { type: string; coordinates: unknown[] };

const isArea = (g: AnyGeometry | null | undefined): g is AnyGeometry => !!g && (g.type === 'Polygon' || g.type === 'MultiPolygon');

function feature(kind: OverlayKind, geometry: AnyGeometry): GeoJSON.Feature {
  return { type: 'Feature', properties: { kind, ...OVERLAY_STYLE[kind] }, geometry: geometry as unknown as GeoJSON.Geometry };
}

/** A site that terra-draw cannot hold (it has holes), drawn as an outline. */
export function siteOutline(site: SiteShape): GeoJSON.FeatureCollection {
  return { type: 'FeatureCollection', features: [feature('site', site)] };
}

/** The kinds of a report's overlay that have something to show, bottom to top. */
export function resultKinds(report: SiteCheckReport): OverlayKind[] {
  return ORDER.filter((kind) => {
    if (kind === 'outside') return isArea(report.layers.find((l) => l.layerId === 'urban-boundary')?.outsideGeometry);
    if (kind === 'trimmed') return isArea(report.trimmed.geometry) && report.trimmed.lost.m2 > 0;
    if (kind === 'site') return false;
    return isArea(report.layers.find((l) => l.layerId === kind)?.intersection);
  });
}

/**
 * A report on the map: the overlaps with permanent farmland, the red line and general
 * farmland, the part outside the urban development boundary, and the trimmed (compliant)
 * site when trimming took something away.
 */
export function resultOverlay(report: SiteCheckReport): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const kind of resultKinds(report)) {
    if (kind === 'outside') features.push(feature(kind, report.layers.find((l) => l.layerId === 'urban-boundary')!.outsideGeometry!));
    else if (kind === 'trimmed') features.push(feature(kind, report.trimmed.geometry!));
    else features.push(feature(kind, report.layers.find((l) => l.layerId === kind)!.intersection!));
  }
  return { type: 'FeatureCollection', features };
}

/** The stock-first step's candidates on the map: green, unlike every control-line overlay. */
export const STOCK_CANDIDATE_STYLE = { color: '#2b8a3e', fillOpacity: 0.35, dashed: false } as const;

/** The candidates of a stock-land match, one feature each (a combination as its union), ranked. */
export function stockCandidatesOverlay(match: StockMatchResponse): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: match.candidates.map((c) => ({
      type: 'Feature',
      properties: { kind: 'stock-candidate', rank: c.rank, codes: c.parcels.map((p) => p.code).join(','), ...STOCK_CANDIDATE_STYLE },
      geometry: c.geometry as unknown as GeoJSON.Geometry,
    })),
  };
}
