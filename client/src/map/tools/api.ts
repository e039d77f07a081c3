/** The map tools' calls: identify and search, checked with the server's own contracts. */
import { IdentifyResponse, SearchResponse } from '../../../../core/contracts/map-tools.ts';
import { getJson } from '../../http.ts';
import type { Lang } from '../../i18n.ts';

export const toolsApi = {
  identify: (q: { lon: number; lat: number; zoom: number; tolerance?: number }, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/identify?lon=${q.lon}&lat=${q.lat}&zoom=${q.zoom}&tolerance=${q.tolerance ?? 4}`, { lang, schema: IdentifyResponse, signal }),
  search: (q: string, lang: Lang, signal?: AbortSignal) => getJson(`/api/search?q=${encodeURIComponent(q)}&limit=10`, { lang, schema: SearchResponse, signal }),
};
