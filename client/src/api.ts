/** The map workspace's calls to the server, validated with the same zod contracts the server declares. */
import { HealthResponse } from '../../core/contracts/health.ts';
import { LayersResponse } from '../../core/contracts/layers.ts';
import { ClientConfigResponse, CountiesResponse, FeatureDetailResponse } from '../../core/contracts/features.ts';
import { getJson } from './http.ts';
import type { Lang } from './i18n.ts';

export const api = {
  health: (lang: Lang = 'zh') => getJson('/api/health', { lang, schema: HealthResponse }),
  layers: (lang: Lang = 'zh') => getJson('/api/layers', { lang, schema: LayersResponse }),
  counties: (lang: Lang = 'zh') => getJson('/api/counties', { lang, schema: CountiesResponse }),
  config: (lang: Lang = 'zh') => getJson('/api/config', { lang, schema: ClientConfigResponse }),
  feature: (layer: string, id: number, lang: Lang) =>
    getJson(`/api/layers/${encodeURIComponent(layer)}/features/${id}`, { lang, schema: FeatureDetailResponse }),
};
