/** Check boxes showing or hiding the control layers under the cases on a map, with the registry's colours. */
import { useState } from 'react';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import { pickField, useT } from '../i18n.ts';

export function LayerToggles(props: { layers: LayerId[]; initial: LayerId[]; map: { setLayerVisible: (id: LayerId, visible: boolean) => void } | null }) {
  const { lang } = useT();
  const [visible, setVisible] = useState(props.initial);
  const toggle = (id: LayerId, on: boolean) => {
    setVisible((v) => (on ? [...v, id] : v.filter((x) => x !== id)));
    props.map?.setLayerVisible(id, on);
  };
  return (
    <ul className="audit-layer-toggles" data-testid="audit-layers">
      {props.layers.map((id) => {
        const def = getLayer(id)!;
        return (
          <li key={id}>
            <label>
              <input type="checkbox" name="layer" value={id} checked={visible.includes(id)} onChange={(e) => toggle(id, e.target.checked)} />
              <span className="legend-swatch" style={{ background: def.style.fillColor, borderColor: def.style.lineColor }} />
              {pickField(def, 'name', lang)}
            </label>
          </li>
        );
      })}
    </ul>
  );
}
