/**
 * Puts a chosen base map under the data layers, or takes it away (the offline base map is the
 * style's own): raster tiles with an optional annotation layer (Tianditu's cva/cia/cta, drawn
 * above the data layers' fills so place names stay readable), or the offline vector base map
 * from the server's PMTiles file, read by the `pmtiles` protocol and drawn with the protomaps
 * base-map layers. Its labels, like the county labels, are drawn in the browser's own font: the
 * style has no glyphs URL and no sprite, so nothing is fetched from outside (layers that need
 * icons are left out). The pmtiles reader and the protomaps layers are a chunk of their own,
 * fetched when that base map is first chosen.
 */
import type { LayerSpecification, Map as MapLibreMap } from 'maplibre-gl';
import type { Basemap } from '../../../core/contracts/features.ts';
import type { Lang } from '../i18n.ts';
import { maplibregl } from './maplibre.ts';
import { BASEMAP_LAYER } from './style.ts';

/** The chosen base map's sources and layers (the offline base map's own are style.ts's `basemap-…`). */
export const BASEMAP_SOURCE = 'chosen-basemap';
export const BASEMAP_LABELS = 'chosen-basemap-labels';
const PREFIX = 'chosen-basemap-';

const vectorKit = () => Promise.all([import('pmtiles'), import('@protomaps/basemaps')]);
type VectorKit = Awaited<ReturnType<typeof vectorKit>>;

let protocolAdded = false;
function addPmtilesProtocol(kit: VectorKit) {
  if (protocolAdded) return;
  protocolAdded = true;
  maplibregl.addProtocol('pmtiles', new kit[0].Protocol().tile);
}

/** The latest choice per map, so a base map whose chunk arrives after another was chosen is not added. */
const choice = new WeakMap<MapLibreMap, number>();

/** A path of this server made an address (MapLibre's worker cannot resolve a bare path). */
export const absolute = (url: string) => (url.startsWith('/') ? `${window.location.origin}${url}` : url);

/** The style layers of the offline vector base map: protomaps' light flavour, labels in the page's language, no icons. */
export function vectorBaseLayers(kit: VectorKit, source: string, lang: Lang): LayerSpecification[] {
  const { layers: protomapsLayers, namedFlavor } = kit[1];
  return (protomapsLayers(source, namedFlavor('light'), { lang: lang === 'en' ? 'en' : 'zh-Hans' }) as LayerSpecification[])
    .filter((l) => l.type !== 'background')
    .filter((l) => !(l.type === 'symbol' && (l.layout as Record<string, unknown> | undefined)?.['icon-image'] !== undefined))
    .map((l) => ({ ...l, id: `${PREFIX}${l.id}` }));
}

export function removeBasemap(map: MapLibreMap) {
  for (const l of map.getStyle().layers ?? []) if (l.id.startsWith(PREFIX)) map.removeLayer(l.id);
  // the style's own raster slot (style.ts BASEMAP_LAYER, from BASEMAP_URL): a chosen base map replaces it
  if (map.getLayer(BASEMAP_LAYER)) map.removeLayer(BASEMAP_LAYER);
  for (const id of [BASEMAP_SOURCE, BASEMAP_LABELS, BASEMAP_LAYER]) if (map.getSource(id)) map.removeSource(id);
}

/**
 * Replaces the base map: `below` is the first data layer (the base map goes under it), `labelsBelow`
 * the layer an annotation layer goes under.
 */
export function applyBasemap(map: MapLibreMap, basemap: Basemap | undefined, opts: { below: string | undefined; labelsBelow: string | undefined; lang: Lang }) {
  const n = (choice.get(map) ?? 0) + 1;
  choice.set(map, n);
  removeBasemap(map);
  if (!basemap) return;
  const tiles = basemap.tiles.map(absolute);
  if ((basemap.kind === 'pmtiles' && basemap.url) || basemap.kind === 'vector') {
    const url = basemap.url && absolute(basemap.url);
    void vectorKit().then((kit) => {
      if (choice.get(map) !== n) return;
      if (basemap.kind === 'pmtiles') {
        addPmtilesProtocol(kit);
        map.addSource(BASEMAP_SOURCE, { type: 'vector', url: `pmtiles://${url}`, attribution: basemap.attribution });
      } else {
        // an MBTiles file on the server, tile by tile
        map.addSource(BASEMAP_SOURCE, { type: 'vector', tiles, minzoom: basemap.minzoom ?? 0, maxzoom: basemap.maxzoom, attribution: basemap.attribution });
      }
      for (const layer of vectorBaseLayers(kit, BASEMAP_SOURCE, opts.lang)) map.addLayer(layer, layer.type === 'symbol' ? opts.labelsBelow : opts.below);
    });
    return;
  }
  const zooms = { minzoom: basemap.minzoom ?? 0, maxzoom: basemap.maxzoom };
  map.addSource(BASEMAP_SOURCE, { type: 'raster', tiles, tileSize: 256, ...zooms, attribution: basemap.attribution });
  map.addLayer({ id: `${PREFIX}raster`, type: 'raster', source: BASEMAP_SOURCE }, opts.below);
  if (basemap.labelTiles?.length) {
    map.addSource(BASEMAP_LABELS, { type: 'raster', tiles: basemap.labelTiles.map(absolute), tileSize: 256, ...zooms });
    map.addLayer({ id: `${PREFIX}labels`, type: 'raster', source: BASEMAP_LABELS }, opts.labelsBelow);
  }
}
