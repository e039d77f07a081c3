/** The attribute table a click on a feature opens: the registry's Chinese (or English) labels, areas in 亩 and 公顷. */
import { getLayer, type LayerAttribute } from '../../../core/layers.ts';
import { vocabularyEn } from '../../../core/vocabulary.ts';
import type { FeatureDetailResponse } from '../../../core/contracts/features.ts';
import { formatArea, formatM2 } from '../format.ts';
import { dataHtml, pickField, type Lang } from '../i18n.ts';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * An attribute's value on a page of `lang`: a word of its enumeration in that language, the
 * English column's value (a county's name_en), or else the value as it is — data with no
 * translation (a name, an approval number), marked so (`data-i18n="data"`).
 */
function valueHtml(a: LayerAttribute, v: string, properties: FeatureDetailResponse['properties'], lang: Lang): string {
  const word = vocabularyEn(a.values, v);
  if (word !== null) return escapeHtml(lang === 'en' ? word : v);
  if (lang === 'en') {
    const en = a.enColumn ? properties[a.enColumn] : undefined;
    if (typeof en === 'string' && en !== '') return escapeHtml(en);
  }
  return dataHtml(v);
}

export function popupHtml(detail: FeatureDetailResponse, lang: Lang): string {
  const layer = getLayer(detail.layer);
  if (!layer) return '';
  const rows = layer.attributes
    .map((a) => {
      const v = detail.properties[a.name];
      if (v === null || v === undefined || v === '') return '';
      const label = pickField(a, 'label', lang);
      let text: string;
      if (a.type === 'area') text = `${formatArea(Number(v), lang)}<br><span class="m2">${formatM2(Number(v), lang)}</span>`;
      else text = valueHtml(a, String(v), detail.properties, lang) + (a.unit ? ` ${escapeHtml(lang === 'en' ? (a.unitEn ?? a.unit) : a.unit)}` : '');
      return `<tr data-attr="${a.name}"><th>${escapeHtml(label)}</th><td>${a.type === 'area' ? text : text}</td></tr>`;
    })
    .join('');
  const title = pickField(layer, 'name', lang);
  return `<div class="feature-popup" data-layer="${layer.id}" data-id="${detail.id}"><h3>${escapeHtml(title)}</h3><table>${rows}</table></div>`;
}
