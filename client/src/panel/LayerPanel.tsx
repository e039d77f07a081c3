import { layerGroups, type LayerId } from '../../../core/layers.ts';
import type { LayerInfo } from '../../../core/contracts/layers.ts';
import { pickField, useT } from '../i18n.ts';
import { formatCount } from '../format.ts';
import { LockIcon } from '../Icon.tsx';
import type { LayerStates, LayerViewState } from '../url-state.ts';
import type { Basemap } from '../../../core/contracts/features.ts';
import { BasemapChooser } from './BasemapChooser.tsx';

/** Layers in the registry's groups (三条控制线 / 其他规划控制线 / 耕地 / 存量土地 / 执法图斑 / 行政区划): toggle, opacity, legend swatch. */
export function LayerPanel(props: {
  layers: LayerInfo[];
  states: LayerStates;
  zoom: number;
  onChange: (id: LayerId, state: LayerViewState) => void;
  /** Layers the role may not see: shown disabled with a lock and why ('signIn' for the public). */
  locked?: Partial<Record<LayerId, 'signIn' | 'forbidden'>>;
  /** The base maps on offer and the chosen one (BasemapChooser), above the layer groups. */
  basemaps?: { list: Basemap[]; selected: string; onSelect: (id: string) => void };
}) {
  const { t, lang } = useT();
  return (
    <section className="panel-section" aria-label={t('layers')}>
      <h2>{t('layers')}</h2>
      {props.basemaps && <BasemapChooser basemaps={props.basemaps.list} selected={props.basemaps.selected} onSelect={props.basemaps.onSelect} />}
      {layerGroups.map((g) => {
        const items = props.layers.filter((l) => l.group === g.id);
        if (!items.length) return null;
        return (
          <div key={g.id} className="layer-group" data-group={g.id}>
            <h3>{pickField(g, 'name', lang)}</h3>
            <ul>
              {items.map((l) => {
                const id = l.id as LayerId;
                const state = props.states[id];
                const name = pickField(l, 'name', lang);
                const locked = props.locked?.[id];
                if (locked) {
                  return (
                    <li key={l.id} data-layer={l.id} data-locked={locked}>
                      <label className="layer-toggle locked" title={t(locked === 'signIn' ? 'siLockedPublic' : 'siLockedRole')}>
                        <input type="checkbox" checked={false} disabled readOnly />
                        <span className="swatch" aria-hidden style={{ background: 'transparent', borderColor: '#adb5bd' }} />
                        <span className="name">{name}</span>
                        <LockIcon className="lock" label={t('iconLocked')} />
                      </label>
                      <div className="layer-meta">
                        <span className="lock-note">{t(locked === 'signIn' ? 'siLockedPublic' : 'siLockedRole')}</span>
                      </div>
                    </li>
                  );
                }
                return (
                  <li key={l.id} data-layer={l.id}>
                    <label className="layer-toggle">
                      <input
                        type="checkbox"
                        checked={state.visible}
                        onChange={(e) => props.onChange(id, { ...state, visible: e.target.checked })}
                      />
                      <span
                        className="swatch"
                        aria-hidden
                        style={{
                          background: l.style.fillOpacity > 0 ? l.style.fillColor : 'transparent',
                          borderColor: l.style.lineColor,
                          borderStyle: l.style.lineDash ? 'dashed' : 'solid',
                        }}
                      />
                      <span className="name">{name}</span>
                      {l.sensitivity === 'restricted' && <span className="badge">{t('restricted')}</span>}
                    </label>
                    <div className="layer-meta">
                      <span className="count">
                        {t('featureCount', { n: l.featureCount, count: formatCount(l.featureCount) })}
                      </span>
                      {state.visible && props.zoom < l.minZoom && <span className="hint">{t('zoomIn', { z: l.minZoom })}</span>}
                    </div>
                    {state.visible && (
                      <label className="opacity">
                        <span>{t('opacity')}</span>
                        <input
                          type="range"
                          min={0}
                          max={1}
                          step={0.05}
                          value={state.opacity}
                          aria-label={`${name} ${t('opacity')}`}
                          onChange={(e) => props.onChange(id, { ...state, opacity: Number(e.target.value) })}
                        />
                      </label>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
