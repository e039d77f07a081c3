/** Typed calls to the server, validated with the same zod contracts the server declares. */
import type { z } from 'zod';
import { HealthResponse } from '../../core/contracts/health.ts';
import { LayersResponse } from '../../core/contracts/layers.ts';
import { ClientConfigResponse, CountiesResponse, FeatureDetailResponse } from '../../core/contracts/features.ts';
import type { Lang } from './i18n.ts';

async function getJson<S extends z.ZodType>(url: string, schema: S, lang: Lang = 'zh'): Promise<z.infer<S>> {
  const res = await fetch(url, { headers: { accept: 'application/json', 'accept-language': lang === 'en' ? 'en' : 'zh-CN' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `${res.status} ${res.statusText}`;
    throw new Error(message);
  }
  return schema.parse(body);
}

export const api = {
  health: () => getJson('/api/health', HealthResponse),
  layers: () => getJson('/api/layers', LayersResponse),
  counties: () => getJson('/api/counties', CountiesResponse),
  config: () => getJson('/api/config', ClientConfigResponse),
  feature: (layer: string, id: number, lang: Lang) =>
    getJson(`/api/layers/${encodeURIComponent(layer)}/features/${id}`, FeatureDetailResponse, lang),
};
