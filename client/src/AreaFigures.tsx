/**
 * An area written once in all three units — "541.49 亩（36.0993 公顷，360,992.69 m²）" — each
 * figure in a span naming its unit and the raw values in data attributes (for tests and tools).
 * The report, the stock parcel and the encroachment case write their areas with it.
 */
import type { AreaUnits } from '../../core/units.ts';
import { formatAreaFigure, unitWord } from './format.ts';
import { translate, type Lang } from './i18n.ts';

export function AreaFigures(props: { area: AreaUnits; lang: Lang; className?: string }) {
  const { area, lang } = props;
  return (
    <span className={props.className} data-mu={area.mu} data-ha={area.ha} data-m2={area.m2}>
      <span data-unit="mu">{formatAreaFigure(area, 'mu')}</span> {unitWord('mu', lang)}
      {translate(lang, 'open')}
      <span data-unit="ha">{formatAreaFigure(area, 'ha')}</span> {unitWord('ha', lang)}
      {translate(lang, 'comma')}
      <span data-unit="m2">{formatAreaFigure(area, 'm2')}</span> {unitWord('m2', lang)}
      {translate(lang, 'close')}
    </span>
  );
}
