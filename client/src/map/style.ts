/**
 * Builds the MapLibre style from the layer registry — the only copy of the
 * layers' styles. The offline base map is our own data: a background, county
 * boundaries and county names (Chinese or English, by the page's language) drawn
 * with the browser's CJK font (localIdeographFontFamily, for every glyph: the
 * style has no glyphs URL), so no tile or glyph server on the internet is
 * needed. An external raster base map may be slid underneath.
 */
import type { ExpressionSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { County } from '../../../core/contracts/features.ts';
import type { Lang } from '../i18n.ts';
import { DRAW_ORDER, layers, type LayerDefinition, type LayerId } from '../../../core/layers.ts';
import type { Basemap } from '../../../core/contracts/features.ts';
import type { LayerStates } from '../url-state.ts';

/** Bottom to top, from the registry's `drawOrder`. */
export { DRAW_ORDER };

export const fillLayerId = (id: LayerId) => `${id}-fill`;
export const lineLayerId = (id: LayerId) => `${id}-line`;
export const sourceLayerName = (id: LayerId) => id.replace(/-/g, '_');
export const COUNTY_LABELS = 'county-labels';
export const BASEMAP_LAYER = 'basemap-raster';

export const LABEL_FONT = ['Noto Sans CJK SC Regular'];

/**
 * The county label points, each with its name in both languages (`name`, `name_en`; a county
 * without an English name keeps its Chinese one there too).
 */
export function countyLabelCollection(counties: readonly Pick<County, 'code' | 'name' | 'nameEn' | 'labelPoint'>[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: counties.map((c) => ({
      type: 'Feature',
      properties: { code: c.code, name: c.name, name_en: c.nameEn || c.name },
      geometry: { type: 'Point', coordinates: c.labelPoint },
    })),
  };
}

/** The county labels' text: the name in the page's language. */
export const countyLabelField = (lang: Lang): ExpressionSpecification => ['get', lang === 'en' ? 'name_en' : 'name'];

/** Redraws a map's county labels in another language. */
export function setCountyLabelLang(map: { getLayer(id: string): unknown; setLayoutProperty(layer: string, name: string, value: unknown): unknown }, lang: Lang) {
  if (map.getLayer(COUNTY_LABELS)) map.setLayoutProperty(COUNTY_LABELS, 'text-field', countyLabelField(lang));
}

const hover = (on: unknown, off: unknown) => ['case', ['boolean', ['feature-state', 'hover'], false], on, off];

function dataLayers(def: LayerDefinition, state: { visible: boolean; opacity: number }): LayerSpecification[] {
  const visibility = state.visible ? 'visible' : 'none';
  const s = def.style;
  return [
    {
      id: fillLayerId(def.id),
      type: 'fill',
      source: def.id,
      'source-layer': sourceLayerName(def.id),
      minzoom: def.minZoom,
      layout: { visibility },
      paint: {
        'fill-color': s.fillColor,
        // transparent fills (the counties) still answer clicks and hovers
        'fill-opacity': hover(Math.min(1, s.fillOpacity + 0.25) * state.opacity, s.fillOpacity * state.opacity) as never,
      },
    },
    {
      id: lineLayerId(def.id),
      type: 'line',
      source: def.id,
      'source-layer': sourceLayerName(def.id),
      minzoom: def.minZoom,
      layout: { visibility, 'line-join': 'round' },
      paint: {
        'line-color': s.lineColor,
        'line-width': hover(s.lineWidth + 1.5, s.lineWidth) as never,
        'line-opacity': state.opacity,
        ...(s.lineDash ? { 'line-dasharray': s.lineDash } : {}),
      },
    },
  ];
}

export function buildStyle(opts: {
  origin: string;
  states: LayerStates;
  countyLabels: GeoJSON.FeatureCollection;
  /** The language of the county labels (default Chinese). */
  lang?: Lang;
  basemap?: Basemap;
  maxTileZoom: number;
  /**
   * The layers the signed-in role may see (default: all). The others get no source and no
   * style layers, so the map never asks for tiles the server would refuse.
   */
  visible?: (id: LayerId) => boolean;
}): StyleSpecification {
  const allowed = opts.visible ?? (() => true);
  const sources: Record<string, SourceSpecification> = {};
  for (const def of layers) {
    if (!allowed(def.id)) continue;
    sources[def.id] = {
      type: 'vector',
      tiles: [`${opts.origin}/tiles/${def.id}/{z}/{x}/{y}.mvt`],
      minzoom: def.minZoom,
      maxzoom: opts.maxTileZoom,
    };
  }
  sources[COUNTY_LABELS] = { type: 'geojson', data: opts.countyLabels };
  const base: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f2ec' } }];
  if (opts.basemap) {
    sources[BASEMAP_LAYER] = {
      type: 'raster',
      tiles: opts.basemap.tiles,
      tileSize: 256,
      maxzoom: opts.basemap.maxzoom,
      attribution: opts.basemap.attribution,
    };
    base.push({ id: BASEMAP_LAYER, type: 'raster', source: BASEMAP_LAYER });
  }
  const byId = new Map(layers.map((l) => [l.id, l]));
  const fills = DRAW_ORDER.filter(allowed).flatMap((id) => dataLayers(byId.get(id)!, opts.states[id]));
  return {
    version: 8,
    // no glyphs URL: MapLibre draws every label glyph locally in the browser's font
    // (localIdeographFontFamily) — the Chinese names and the English ones alike; the server's
    // /fonts answers empty glyph sets, with which Latin letters would not be drawn at all
    sources,
    layers: [
      ...base,
      // fills first, lines above all fills so thin boundaries stay visible
      ...fills.filter((l) => l.type === 'fill'),
      ...fills.filter((l) => l.type === 'line'),
      {
        id: COUNTY_LABELS,
        type: 'symbol',
        source: COUNTY_LABELS,
        layout: {
          'text-field': countyLabelField(opts.lang ?? 'zh'),
          'text-font': LABEL_FONT,
          'text-size': ['interpolate', ['linear'], ['zoom'], 7, 12, 11, 16],
          visibility: opts.states['admin-county'].visible ? 'visible' : 'none',
        },
        paint: { 'text-color': '#343a40', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
      },
    ],
  };
}
