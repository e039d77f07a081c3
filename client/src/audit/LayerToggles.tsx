/** Check boxes showing or hiding the control layers under the cases, with the registry's colours. */
import { getLayer, type LayerId } from '../../../core/layers.ts';
import { pickField, useT } from '../i18n.ts';

export function LayerToggles<T extends LayerId>(props: { layers: T[]; visible: T[]; onChange: (id: T, visible: boolean) => void }) {
  const { lang } = useT();
  return (
    <ul className="audit-layer-toggles" data-testid="audit-layers">
      {props.layers.map((id) => {
        const def = getLayer(id)!;
        return (
          <li key={id}>
            <label>
              <input type="checkbox" name="layer" value={id} checked={props.visible.includes(id)} onChange={(e) => props.onChange(id, e.target.checked)} />
              <span className="legend-swatch" style={{ background: def.style.fillColor, borderColor: def.style.lineColor }} />
              {pickField(def, 'name', lang)}
            </label>
          </li>
        );
      })}
    </ul>
  );
}
