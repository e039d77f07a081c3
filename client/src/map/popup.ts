/** The attribute table a click on a feature opens: the registry's Chinese (or English) labels, areas in 亩 and 公顷. */
import { getLayer } from '../../../core/layers.ts';
import type { FeatureDetailResponse } from '../../../core/contracts/features.ts';
import { formatArea, formatM2 } from '../format.ts';
import { pickField, type Lang } from '../i18n.ts';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

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
      else text = escapeHtml(String(v)) + (a.unit ? ` ${escapeHtml(a.unit)}` : '');
      return `<tr data-attr="${a.name}"><th>${escapeHtml(label)}</th><td>${a.type === 'area' ? text : text}</td></tr>`;
    })
    .join('');
  const title = pickField(layer, 'name', lang);
  return `<div class="feature-popup" data-layer="${layer.id}" data-id="${detail.id}"><h3>${escapeHtml(title)}</h3><table>${rows}</table></div>`;
}
