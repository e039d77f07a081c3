/**
 * The live preview of a site check (选址套核预览): pure functions the client runs while a
 * planner draws, on the features `GET /api/layers/{layer}/features?bbox=…` returned for the
 * site's box. Overlaps come from Turf's polygon clipping (polyclip-ts) and their areas from
 * the same ellipsoidal CGCS2000 area the server reports (core/ellipsoidal-area.ts), so the
 * preview and the authoritative check agree to well within 0.1 % when the preview had all
 * the features. The server's result is the one to file: the preview says when it is
 * incomplete (a layer was truncated at the feature limit) or impossible (the site crosses
 * itself, which the server refuses).
 *
 * @example
 *   const p = previewSite(site, [{ layerId: 'permanent-farmland', features, truncated: false }]);
 *   p.layers[0].m2 // overlap with permanent farmland, m² on the ellipsoid
 */
import { featureCollection, feature as turfFeature, lineString } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import { kinks } from '@turf/kinks';
import { union } from '@turf/union';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { repairSiteGeometry } from './geometry-validation.ts';
import { CGCS2000_A, CGCS2000_F, ellipsoidalArea, type AreaGeometry } from './ellipsoidal-area.ts';
import { BOUNDARY_RULE, RULE_IDS, type RuleId } from './layers.ts';
import { OVERLAP_EPSILON_M2 } from './rules.ts';

export type Bbox = [number, number, number, number];

/** A Polygon or MultiPolygon in EPSG:4490 lon/lat. */
export type SiteShape = AreaGeometry;

/** The layers a site is previewed against: those with a rule, in the server's report order. */
export const PREVIEW_LAYERS: readonly RuleId[] = RULE_IDS;
export type PreviewLayerId = RuleId;

/** The layer whose inside/outside split the preview reports (the `inside` rule's). */
export const BOUNDARY_LAYER: PreviewLayerId = BOUNDARY_RULE;

/** What the features endpoint returned for one layer (only the geometry is read). */
export interface PreviewLayerInput {
  layerId: string;
  features: { geometry: { type: string; coordinates: unknown[] } }[];
  /** More features matched than the limit: the preview of this layer is incomplete. */
  truncated: boolean;
}

export interface PreviewLayerResult {
  layerId: string;
  /**
   * Features overlapping the site with a positive area (an edge touch is not an overlap); null in
   * the server's preview for a layer the reader may not see (its area is then rounded).
   */
  count: number | null;
  /** Overlap area, m² on the CGCS2000 ellipsoid. */
  m2: number;
  truncated: boolean;
}

export interface SitePreview {
  /** The site's area, m² on the ellipsoid. */
  siteM2: number;
  /** The analysed area (the site widened by the buffer), m². */
  analysedM2: number;
  layers: PreviewLayerResult[];
  /** Inside / outside the urban development boundary, m² (when that layer was given). */
  boundary: { insideM2: number; outsideM2: number } | null;
  /** Any layer truncated: the figures are lower bounds. */
  truncated: boolean;
}

export interface SiteProblem {
  code: 'SELF_INTERSECTION' | 'TOO_FEW_POINTS';
  /** Where, lon/lat (the first self-intersection). */
  at: [number, number] | null;
}

const isArea = (g: { type: string }): g is SiteShape => g.type === 'Polygon' || g.type === 'MultiPolygon';

const asFeature = (g: SiteShape): Feature<Polygon | MultiPolygon> => turfFeature(g as Polygon | MultiPolygon);

/** The polygons of a Polygon or MultiPolygon. */
export const polygonsOf = (g: SiteShape): number[][][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Ellipsoidal area of a site in m². */
export const siteArea = (g: SiteShape): number => ellipsoidalArea(g);

/**
 * A site's area and the shape it is measured on: as drawn, or — when its boundary crosses
 * itself — as repaired, since a bow-tie's signed area cancels its two lobes (7.02 亩 for a site
 * that covers 119.40 亩). Null when it has no area to give (fewer than three points, or another
 * problem a repair cannot settle).
 */
export function measureSite(site: SiteShape): { near: SiteShape; areaM2: number; repaired: boolean } | null {
  const problem = siteProblem(site);
  if (!problem) {
    const areaM2 = siteArea(site);
    return areaM2 > 0 ? { near: site, areaM2, repaired: false } : null;
  }
  if (problem.code !== 'SELF_INTERSECTION') return null;
  const fixed = repairSiteGeometry(site);
  return fixed.areaAfter > 0 ? { near: fixed.geometry as SiteShape, areaM2: fixed.areaAfter, repaired: true } : null;
}

/** [minLon, minLat, maxLon, maxLat] of a geometry. */
export function bboxOf(g: SiteShape): Bbox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      for (const p of ring) {
        const [x, y] = p as [number, number];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Widens a box by `meters` on every side (at least a metre; degrees from the mean latitude). */
export function expandBbox(b: Bbox, meters: number): Bbox {
  const m = Math.max(1, meters);
  const lat = ((b[1] + b[3]) / 2) * (Math.PI / 180);
  const dLat = m / 111_132;
  const dLon = m / (111_320 * Math.max(0.1, Math.cos(lat)));
  return [b[0] - dLon, b[1] - dLat, b[2] + dLon, b[3] + dLat];
}

/** True when box `inner` lies inside box `outer`. */
export const bboxContains = (outer: Bbox, inner: Bbox): boolean =>
  inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];

const bboxesMeet = (a: Bbox, b: Bbox): boolean => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * Why the server would refuse this site before any overlay, when the preview can tell:
 * a ring with fewer than three distinct points, or a boundary crossing itself. Null when fine.
 */
export function siteProblem(g: SiteShape): SiteProblem | null {
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`));
      if (distinct.size < 3) return { code: 'TOO_FEW_POINTS', at: null };
    }
  }
  // ring by ring: rings of a valid polygon may touch one another at a point, a ring may not
  // cross itself; a repeated vertex is no crossing (Turf's kinks would report it)
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      const deduped = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]);
      const first = kinks(lineString(deduped)).features[0];
      if (first) return { code: 'SELF_INTERSECTION', at: first.geometry.coordinates as [number, number] };
    }
  }
  return null;
}

/**
 * The site widened by `meters`: the union of the site, a band along every edge and a
 * 32-gon around every vertex (a Minkowski sum, as PostGIS builds a buffer with its default
 * 8 segments a quarter circle), in a local metric frame at the site's mean latitude on the
 * CGCS2000 ellipsoid. Close to the server's geography buffer, not identical: the preview of
 * a buffered site is approximate. (Turf's own buffer would bring 400 kB of JSTS.)
 */
export function bufferSite(g: SiteShape, meters: number, segments = 32): SiteShape {
  if (!(meters > 0)) return g;
  const [, minY, , maxY] = bboxOf(g);
  const phi = ((minY + maxY) / 2) * (Math.PI / 180);
  const e2 = CGCS2000_F * (2 - CGCS2000_F);
  const w = Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  const perLon = ((CGCS2000_A / w) * Math.cos(phi) * Math.PI) / 180; // metres per degree of longitude
  const perLat = ((CGCS2000_A * (1 - e2)) / w ** 3) * (Math.PI / 180); // metres per degree of latitude
  const pieces: Feature<Polygon | MultiPolygon>[] = [asFeature(g)];
  const circle = (x: number, y: number) => {
    const ring: number[][] = [];
    for (let i = 0; i < segments; i++) {
      const t = (2 * Math.PI * i) / segments;
      ring.push([x + (meters * Math.cos(t)) / perLon, y + (meters * Math.sin(t)) / perLat]);
    }
    ring.push(ring[0]!);
    return turfFeature<Polygon>({ type: 'Polygon', coordinates: [ring] });
  };
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [px, py] = ring[i] as [number, number];
        const [qx, qy] = ring[i + 1] as [number, number];
        pieces.push(circle(px, py));
        const vx = (qx - px) * perLon;
        const vy = (qy - py) * perLat;
        const len = Math.hypot(vx, vy);
        if (len === 0) continue;
        const ox = ((-vy / len) * meters) / perLon;
        const oy = ((vx / len) * meters) / perLat;
        const band = [
          [px + ox, py + oy],
          [qx + ox, qy + oy],
          [qx - ox, qy - oy],
          [px - ox, py - oy],
          [px + ox, py + oy],
        ];
        pieces.push(turfFeature<Polygon>({ type: 'Polygon', coordinates: [band] }));
      }
    }
  }
  const out = union(featureCollection(pieces));
  return out && isArea(out.geometry) ? (out.geometry as SiteShape) : g;
}

/** The overlap of two areas (null when they share no area: an edge or corner touch is none). */
export function overlapOf(a: SiteShape, b: SiteShape): SiteShape | null {
  const hit = intersect(featureCollection([asFeature(a), asFeature(b)]));
  return hit && isArea(hit.geometry) ? (hit.geometry as SiteShape) : null;
}

/** Overlap area in m² of one layer's features with the (analysed) site. */
export function layerOverlap(site: SiteShape, input: PreviewLayerInput, siteBox: Bbox = bboxOf(site)): PreviewLayerResult {
  let count = 0;
  let m2 = 0;
  for (const f of input.features) {
    if (!isArea(f.geometry)) continue;
    const g = f.geometry as SiteShape;
    if (!bboxesMeet(siteBox, bboxOf(g))) continue;
    const hit = overlapOf(site, g);
    const a = hit ? ellipsoidalArea(hit) : 0;
    if (a <= OVERLAP_EPSILON_M2) continue; // a shared edge or corner is not an overlap
    count++;
    m2 += a;
  }
  return { layerId: input.layerId, count, m2, truncated: input.truncated };
}

/**
 * The preview of a site against the given layers: per-layer overlap (count, m²), the site's
 * area and, for the urban development boundary, the part inside and outside it (the
 * boundary's features do not overlap one another, so outside = analysed − inside).
 * `analysed` is the geometry overlaid when it is not the site itself (see bufferSite).
 */
export function previewSite(site: SiteShape, inputs: PreviewLayerInput[], opts: { analysed?: SiteShape } = {}): SitePreview {
  const analysed = opts.analysed ?? site;
  const siteM2 = ellipsoidalArea(site);
  const analysedM2 = analysed === site ? siteM2 : ellipsoidalArea(analysed);
  const box = bboxOf(analysed);
  const layers = inputs.map((input) => layerOverlap(analysed, input, box));
  const b = layers.find((l) => l.layerId === BOUNDARY_LAYER);
  return {
    siteM2,
    analysedM2,
    layers,
    boundary: b ? { insideM2: b.m2, outsideM2: Math.max(0, analysedM2 - b.m2) } : null,
    truncated: layers.some((l) => l.truncated),
  };
}
