/** Names of the checked layers and of planned uses, in the UI language. */
import { getLayer } from '../../../core/layers.ts';
import type { Lang } from '../i18n.ts';

export const layerName = (id: string, lang: Lang): string => {
  const l = getLayer(id);
  return l ? (lang === 'zh' ? l.nameZh : l.nameEn) : id;
};

/** Planned uses (规划用途) offered in the form; the Chinese name is what the report keeps. */
export const PLANNED_USES = ['工业', '仓储', '商业', '商务', '住宅', '公共管理与公共服务'] as const;
export type PlannedUse = (typeof PLANNED_USES)[number];
