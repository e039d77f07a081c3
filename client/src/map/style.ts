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

/** Redraws a map's county labels, and the offline base map's names, in another language. */
export function setCountyLabelLang(map: { getLayer(id: string): unknown; setLayoutProperty(layer: string, name: string, value: unknown): unknown }, lang: Lang) {
  if (map.getLayer(COUNTY_LABELS)) map.setLayoutProperty(COUNTY_LABELS, 'text-field', countyLabelField(lang));
  for (const id of BASEMAP_LABEL_LAYERS) if (map.getLayer(id)) map.setLayoutProperty(id, 'text-field', basemapNameField(lang));
}

// ---- the offline base map (/tiles/basemap: seeds/lib/basemap.ts) — water, roads, built-up areas, place names
export const BASEMAP_SOURCE = 'basemap';
const BASEMAP_MVT_LAYER = 'basemap';
/** A base-map name in the page's language (a feature without an English name keeps its Chinese one). */
export const basemapNameField = (lang: Lang): ExpressionSpecification =>
  lang === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name']] : ['get', 'name'];
const bm = (id: string, type: 'fill' | 'line' | 'symbol' | 'circle', filter: unknown, rest: Record<string, unknown>) =>
  ({ id: `basemap-${id}`, type, source: BASEMAP_SOURCE, 'source-layer': BASEMAP_MVT_LAYER, filter, ...rest }) as LayerSpecification;
const is = (kind: string, ...classes: string[]) =>
  classes.length ? ['all', ['==', ['get', 'kind'], kind], ['in', ['get', 'class'], ['literal', classes]]] : ['==', ['get', 'kind'], kind];
/** Line widths in pixels by zoom, growing faster closer in (exponential interpolation), as a width on the ground does. */
const widths = (stops: [number, number][]) => ['interpolate', ['exponential', 1.6], ['zoom'], ...stops.flat()];
const byClass = (cases: Record<string, number>, fallback: number) => ['match', ['get', 'class'], ...Object.entries(cases).flat(), fallback];
const ROAD_COLORS = { expressway: '#e59a3b', national: '#f3c26b', provincial: '#f8dd8f', county: '#ffffff' };
const ROAD_CASING = { expressway: '#a7641b', national: '#c8964a', provincial: '#c9ad6a', county: '#bdb3a2' };
const roadWidth = (scale: number) =>
  ['interpolate', ['exponential', 1.6], ['zoom'],
    6, byClass({ expressway: 1.2 * scale, national: 0.8 * scale, provincial: 0.6 * scale }, 0.4 * scale),
    10, byClass({ expressway: 2.6 * scale, national: 1.8 * scale, provincial: 1.4 * scale }, 0.8 * scale),
    14, byClass({ expressway: 7 * scale, national: 5 * scale, provincial: 4 * scale }, 2.6 * scale),
    17, byClass({ expressway: 34 * scale, national: 20 * scale, provincial: 16 * scale }, 10 * scale)];
const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 };

/** The base map's drawings, below the data layers (and below an external raster base map). */
function basemapLayers(): LayerSpecification[] {
  return [
    bm('urban', 'fill', is('builtup', 'urban'), { paint: { 'fill-color': '#e9e1d3', 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 8, 0.9, 14, 0.6] } }),
    bm('villages', 'fill', is('builtup', 'village', 'town'), { minzoom: 10, paint: { 'fill-color': '#e6dccb', 'fill-outline-color': '#d6c9b3' } }),
    bm('water', 'fill', is('water'), { paint: { 'fill-color': '#a9cbe6' } }),
    bm('waterways', 'line', ['all', is('waterway'), ['!=', ['get', 'name'], '黄河']], {
      minzoom: 8,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#a9cbe6', 'line-width': widths([[8, 0.8], [11, 1.6], [14, 8], [17, 70]]) },
    }),
    bm('road-casing', 'line', is('road'), {
      layout: { 'line-join': 'round', 'line-cap': 'round', 'line-sort-key': ['-', 10, ['get', 'rank']] },
      paint: { 'line-color': ['match', ['get', 'class'], ...Object.entries(ROAD_CASING).flat(), '#bdb3a2'], 'line-width': roadWidth(1) },
    }),
    bm('roads', 'line', is('road'), {
      layout: { 'line-join': 'round', 'line-cap': 'round', 'line-sort-key': ['-', 10, ['get', 'rank']] },
      paint: { 'line-color': ['match', ['get', 'class'], ...Object.entries(ROAD_COLORS).flat(), '#ffffff'], 'line-width': roadWidth(0.7) },
    }),
  ];
}

/** The base map's names, above the data layers and below the county names. */
function basemapLabels(lang: Lang): LayerSpecification[] {
  const text = (size: unknown, extra: Record<string, unknown> = {}) => ({ 'text-field': basemapNameField(lang), 'text-font': LABEL_FONT, 'text-size': size, ...extra });
  return [
    bm('water-labels', 'symbol', ['any', is('waterway')], {
      minzoom: 9,
      layout: text(['interpolate', ['linear'], ['zoom'], 9, 11, 15, 14], { 'symbol-placement': 'line', 'symbol-spacing': 400, 'text-letter-spacing': 0.2 }),
      paint: { 'text-color': '#2f6494', ...halo },
    }),
    bm('road-labels', 'symbol', ['any', is('road', 'expressway', 'national', 'provincial'), ['all', is('road', 'county'), ['>=', ['zoom'], 13]]], {
      minzoom: 10,
      layout: text(11, { 'symbol-placement': 'line', 'symbol-spacing': 350, 'symbol-sort-key': ['get', 'rank'] }),
      paint: { 'text-color': '#6b4d1f', ...halo },
    }),
    bm('place-dots', 'circle', ['any', is('place', 'county_seat'), ['all', is('place', 'town'), ['>=', ['zoom'], 10]]], {
      minzoom: 8,
      paint: { 'circle-radius': ['match', ['get', 'class'], 'county_seat', 4, 3], 'circle-color': '#ffffff', 'circle-stroke-color': '#5c5346', 'circle-stroke-width': 1.2 },
    }),
    bm('village-labels', 'symbol', is('place', 'village'), {
      minzoom: 12,
      layout: text(['interpolate', ['linear'], ['zoom'], 12, 11, 16, 14], { 'symbol-sort-key': ['get', 'rank'] }),
      paint: { 'text-color': '#5c5346', ...halo },
    }),
    bm('town-labels', 'symbol', is('place', 'town'), {
      minzoom: 10,
      layout: text(['interpolate', ['linear'], ['zoom'], 10, 12, 15, 15], { 'text-anchor': 'top', 'text-offset': [0, 0.5], 'symbol-sort-key': ['get', 'rank'] }),
      paint: { 'text-color': '#3f3a33', ...halo },
    }),
    bm('seat-labels', 'symbol', is('place', 'county_seat', 'city'), {
      minzoom: 8,
      layout: text(['interpolate', ['linear'], ['zoom'], 8, 13, 14, 17], { 'text-anchor': 'top', 'text-offset': [0, 0.5], 'symbol-sort-key': ['get', 'rank'] }),
      paint: { 'text-color': '#2b2722', ...halo },
    }),
  ];
}

/** The style layers of the offline base map, bottom to top (its drawings, then its names). */
export const BASEMAP_LAYERS = [...basemapLayers(), ...basemapLabels('zh')].map((l) => l.id);
const BASEMAP_LABEL_LAYERS = basemapLabels('zh').filter((l) => l.type === 'symbol').map((l) => l.id);

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
  sources[BASEMAP_SOURCE] = { type: 'vector', tiles: [`${opts.origin}/tiles/basemap/{z}/{x}/{y}.mvt`], maxzoom: opts.maxTileZoom };
  const base: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f2ec' } }, ...basemapLayers()];
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
      ...basemapLabels(opts.lang ?? 'zh'),
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
