import { lonLatToGaussKruger } from '../../../core/gauss-kruger.ts';
import { formatDegrees, formatNumber } from '../format.ts';
import { useT } from '../i18n.ts';

export type CoordinateMode = 'lonlat' | 'gk';

/** The cursor's position in CGCS2000 lon/lat or Gauss–Krüger 3° zone 38 (northing/easting, zone prefix). */
export function CoordinateReadout(props: {
  at: { lng: number; lat: number } | null;
  mode: CoordinateMode;
  onMode: (m: CoordinateMode) => void;
}) {
  const { t } = useT();
  let text = '—';
  if (props.at) {
    if (props.mode === 'lonlat') text = `${formatDegrees(props.at.lng)}°E, ${formatDegrees(props.at.lat)}°N`;
    else {
      const p = lonLatToGaussKruger(props.at.lng, props.at.lat, { zone: 38 });
      text = `${t('northing')} ${formatNumber(p.northing, 3)}  ${t('easting')} ${formatNumber(p.easting, 3)}`;
    }
  }
  return (
    <div className="coords" data-testid="coords">
      <select aria-label={t('coords')} value={props.mode} onChange={(e) => props.onMode(e.target.value as CoordinateMode)}>
        <option value="lonlat">{t('lonlat')}</option>
        <option value="gk">{t('gk')}</option>
      </select>
      <output>{text}</output>
    </div>
  );
}
