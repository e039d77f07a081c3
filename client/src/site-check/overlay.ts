/**
 * What the site check draws on the map, as plain GeoJSON with its look in the properties
 * (the map controller's `setOverlay` reads `color`, `fillOpacity`, `dashed`). The panel's
 * legend reads the same table.
 */
import type { SiteCheckReport } from '../../../core/contracts/site-check.ts';
import type { StockMatchResponse } from '../../../core/contracts/stock.ts';
import { BOUNDARY_RULE, ruleLayer, ruleLayers, type RuleId } from '../../../core/layers.ts';
import type { SiteShape } from '../../../core/preview.ts';
import { pickField, type Lang } from '../i18n.ts';

/** The overlap with a rule's layer, the part outside the boundary, the compliant part, the site. */
export type OverlayKind = 'site' | Exclude<RuleId, typeof BOUNDARY_RULE> | 'outside' | 'trimmed';

type OverlayStyle = { color: string; fillOpacity: number; dashed: boolean };
const boundaryOverlay = ruleLayer(BOUNDARY_RULE).rule.overlay;

/** Each kind's look; the overlaps' come from their rules in the registry. */
export const OVERLAY_STYLE: Record<OverlayKind, OverlayStyle> = {
  site: { color: '#1c3d5a', fillOpacity: 0.1, dashed: false },
  ...(Object.fromEntries(
    ruleLayers.filter((l) => l.id !== BOUNDARY_RULE).map((l) => [l.id, { color: l.rule.overlay.color, fillOpacity: l.rule.overlay.fillOpacity, dashed: false }]),
  ) as Record<Exclude<RuleId, typeof BOUNDARY_RULE>, OverlayStyle>),
  outside: { color: boundaryOverlay.color, fillOpacity: boundaryOverlay.fillOpacity, dashed: true },
  trimmed: { color: '#1971c2', fillOpacity: 0, dashed: true },
};

/** What the legend calls a kind: the rule's own words for an overlap, else the i18n key's. */
export function overlayLegend(kind: OverlayKind, lang: Lang, t: (key: 'scLegend_site' | 'scLegend_outside' | 'scLegend_trimmed') => string): string {
  if (kind === 'site' || kind === 'outside' || kind === 'trimmed') return t(`scLegend_${kind}`);
  const o = ruleLayer(kind).rule.overlay;
  return pickField(o, 'legend', lang);
}

/** Drawn bottom to top: outside the boundary, then the overlaps, the most serious rule on top. */
const ORDER: OverlayKind[] = [
  'outside',
  ...ruleLayers.filter((l) => l.id !== BOUNDARY_RULE).map((l) => l.id as Exclude<RuleId, typeof BOUNDARY_RULE>).reverse(),
  'trimmed',
];

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
    if (kind === 'outside') return isArea(report.layers.find((l) => l.layerId === BOUNDARY_RULE)?.outsideGeometry);
    if (kind === 'trimmed') return isArea(report.trimmed.geometry) && report.trimmed.lost.m2 > 0;
    if (kind === 'site') return false;
    return isArea(report.layers.find((l) => l.layerId === kind)?.intersection);
  });
}

/**
 * A report on the map: the overlaps with each rule's layer (permanent farmland, the red line,
 * general farmland …), the part outside the urban development boundary, and the trimmed
 * (compliant) site when trimming took something away.
 */
export function resultOverlay(report: SiteCheckReport): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const kind of resultKinds(report)) {
    if (kind === 'outside') features.push(feature(kind, report.layers.find((l) => l.layerId === BOUNDARY_RULE)!.outsideGeometry!));
    else if (kind === 'trimmed') features.push(feature(kind, report.trimmed.geometry!));
    else if (kind !== 'site') features.push(feature(kind, report.layers.find((l) => l.layerId === kind)!.intersection!));
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
