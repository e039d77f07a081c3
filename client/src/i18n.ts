/** The UI's two languages: Chinese by default, English on request (?lang=en or the switch). */
import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';

const strings = {
  title: { zh: '一张图', en: 'Yizhangtu' },
  subtitle: { zh: '开封市国土空间控制线与存量土地', en: 'Kaifeng control lines and stock land' },
  layers: { zh: '图层', en: 'Layers' },
  counties: { zh: '县区', en: 'Counties' },
  opacity: { zh: '透明度', en: 'Opacity' },
  features: { zh: '个要素', en: 'features' },
  restricted: { zh: '受控', en: 'Restricted' },
  zoomIn: { zh: '放大到 {z} 级显示', en: 'Shown from zoom {z}' },
  basemap: { zh: '底图', en: 'Base map' },
  offline: { zh: '离线底图（本地数据）', en: 'Offline (own data)' },
  coords: { zh: '坐标', en: 'Coordinates' },
  lonlat: { zh: '经纬度 CGCS2000', en: 'Lon/lat CGCS2000' },
  gk: { zh: '高斯投影 3° 带 38', en: 'Gauss–Krüger 3° zone 38' },
  northing: { zh: 'X(北)', en: 'N' },
  easting: { zh: 'Y(东)', en: 'E' },
  area: { zh: '面积', en: 'Area' },
  loading: { zh: '正在加载…', en: 'Loading…' },
  loadFailed: { zh: '加载失败：', en: 'Failed to load: ' },
  database: { zh: '数据库', en: 'Database' },
  embedded: { zh: '内置', en: 'embedded' },
  dataVersion: { zh: '数据版本', en: 'data version' },
  language: { zh: 'English', en: '中文' },
  popupLoading: { zh: '正在读取属性…', en: 'Loading attributes…' },
} as const;

export type StringKey = keyof typeof strings;

export function translate(lang: Lang, key: StringKey, vars: Record<string, string | number> = {}): string {
  return strings[key][lang].replace(/\{(\w+)\}/g, (_m, k: string) => String(vars[k] ?? ''));
}

export const LangContext = createContext<Lang>('zh');

export function useT() {
  const lang = useContext(LangContext);
  return { lang, t: (key: StringKey, vars?: Record<string, string | number>) => translate(lang, key, vars) };
}
