import { formatArea, formatM2 } from '../format.ts';
import { useT } from '../i18n.ts';

/** An area as planners read it — 亩 and 公顷 — with the m² figure kept in a data attribute. */
export function AreaText(props: { m2: number; withM2?: boolean }) {
  const { lang } = useT();
  return (
    <span className="sc-area" data-m2={props.m2}>
      {formatArea(props.m2, lang)}
      {props.withM2 && <span className="sc-m2"> · {formatM2(props.m2, lang)}</span>}
    </span>
  );
}
