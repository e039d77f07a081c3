/** Names of the checked layers and of planned uses, in the UI language. */
import { getLayer } from '../../../core/layers.ts';
import { PLANNED_USES, type PlannedUse } from '../../../core/stock-match.ts';
import { pickField, type Lang, type StringKey } from '../i18n.ts';

export const layerName = (id: string, lang: Lang): string => {
  const l = getLayer(id);
  return l ? pickField(l, 'name', lang) : id;
};

/** Planned uses (规划用途) offered in the form (core's list, matched against stock land); the Chinese name is what the report keeps. */
export { PLANNED_USES, type PlannedUse } from '../../../core/stock-match.ts';

/** A planned use in the UI language; a use outside the list as it is written. */
export const useLabel = (use: string, t: (key: StringKey) => string): string =>
  (PLANNED_USES as readonly string[]).includes(use) ? t(`scUse_${use as PlannedUse}`) : use;
