import type { County } from '../../../core/contracts/features.ts';
import { formatArea } from '../format.ts';
import { countyName, useT } from '../i18n.ts';

/** The nine counties and districts; a click zooms the map to one. */
export function CountyList(props: { counties: County[]; onSelect: (c: County) => void }) {
  const { t, lang } = useT();
  return (
    <section className="panel-section" aria-label={t('counties')}>
      <h2>{t('counties')}</h2>
      <ul className="county-list">
        {props.counties.map((c) => (
          <li key={c.code}>
            <button type="button" data-county={c.code} onClick={() => props.onSelect(c)} title={formatArea(c.areaM2, lang)}>
              {countyName(c, lang)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
