import type { Basemap } from '../../../core/contracts/features.ts';
import { dataProps, useT } from '../i18n.ts';

/**
 * The base maps on offer, one to choose (kept in ?basemap=): the offline one always, then what the
 * server lists — the PMTiles vector base map when placed, Tianditu when a key is configured, the
 * bureau's own services — with the chosen one's attribution (and 审图号) under the list.
 */
export function BasemapChooser(props: { basemaps: Basemap[]; selected: string; onSelect: (id: string) => void }) {
  const { t, lang } = useT();
  const chosen = props.basemaps.find((b) => b.id === props.selected);
  const name = (b: Basemap) => (lang === 'en' && b.nameEn ? b.nameEn : b.name);
  const option = (id: string, label: string, data: boolean) => (
    <li key={id}>
      <label className="basemap-option" data-basemap={id}>
        <input type="radio" name="basemap" value={id} checked={(chosen?.id ?? 'offline') === id} onChange={() => props.onSelect(id)} />
        <span {...(data ? dataProps(label) : {})}>{label}</span>
      </label>
    </li>
  );
  return (
    <div className="basemap-chooser" data-group="basemap" role="radiogroup" aria-label={t('basemap')}>
      <h3>{t('basemap')}</h3>
      <ul>
        {option('offline', t('offline'), false)}
        {props.basemaps.map((b) => option(b.id, name(b), !(lang === 'en' && b.nameEn)))}
      </ul>
      {chosen?.attribution && (
        <p className="basemap-attribution" data-testid="basemap-attribution">
          {t('bmAttribution')}
          <span {...dataProps(chosen.attribution)}>{chosen.attribution}</span>
        </p>
      )}
    </div>
  );
}
