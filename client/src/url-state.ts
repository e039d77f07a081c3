/**
 * What the URL keeps so a view can be shared: visible layers and their
 * opacities (?layers=id:opacity,…), the base map (?basemap=) and the language
 * (?lang=en). The map position is kept by MapLibre's own hash (#map=z/lat/lon).
 */
import { layers, type LayerId } from '../../core/layers.ts';
import { langOfSearch, setLangParam, type Lang } from './i18n.ts';

export interface LayerViewState {
  visible: boolean;
  opacity: number;
}

export type LayerStates = Record<LayerId, LayerViewState>;

export function defaultLayerStates(): LayerStates {
  return Object.fromEntries(layers.map((l) => [l.id, { visible: l.visibleByDefault, opacity: 1 }])) as LayerStates;
}

export function readUrlState(search: string): { layers: LayerStates; lang: Lang; basemap: string } {
  const params = new URLSearchParams(search);
  const states = defaultLayerStates();
  const list = params.get('layers');
  if (list !== null) {
    for (const s of Object.values(states)) s.visible = false;
    for (const item of list.split(',').filter(Boolean)) {
      const [id, op] = item.split(':');
      const state = states[id as LayerId];
      if (!state) continue;
      state.visible = true;
      const o = Number(op);
      if (op !== undefined && Number.isFinite(o)) state.opacity = Math.min(1, Math.max(0, o));
    }
  }
  return { layers: states, lang: langOfSearch(search), basemap: params.get('basemap') ?? 'offline' };
}

export function writeUrlState(state: { layers: LayerStates; lang: Lang; basemap: string }): void {
  const params = new URLSearchParams(window.location.search);
  params.set(
    'layers',
    Object.entries(state.layers)
      .filter(([, s]) => s.visible)
      .map(([id, s]) => (s.opacity < 1 ? `${id}:${s.opacity.toFixed(2)}` : id))
      .join(','),
  );
  setLangParam(params, state.lang);
  if (state.basemap !== 'offline') params.set('basemap', state.basemap);
  else params.delete('basemap');
  const url = `${window.location.pathname}?${params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}${window.location.hash}`;
  window.history.replaceState(window.history.state, '', url);
}
