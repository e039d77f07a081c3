/** The site check's calls to the server (through http.ts), validated with the contracts the server declares. */
import { FeatureCollectionResponse } from '../../../core/contracts/features.ts';
import { SiteCheckReport, SitePreviewResponse, type SiteCheckRequest, type SitePreviewRequest } from '../../../core/contracts/site-check.ts';
import { StockMatchResponse, type StockMatchRequest } from '../../../core/contracts/stock.ts';
import type { Bbox } from '../../../core/preview.ts';
import { getJson, postJson } from '../http.ts';
import type { Lang } from '../i18n.ts';

/** An error the server answered with: its code and its message in the user's language. */
export { ApiError } from '../http.ts';

/** Features of one layer meeting a box, at most `limit` (the answer says when more matched). */
export function featuresInBbox(layer: string, bbox: Bbox, limit: number, lang: Lang, signal?: AbortSignal): Promise<FeatureCollectionResponse> {
  const q = new URLSearchParams({ bbox: bbox.map((v) => v.toFixed(7)).join(','), limit: String(limit) });
  return getJson(`/api/layers/${encodeURIComponent(layer)}/features?${q.toString().replace(/%2C/g, ',')}`, { lang, signal, schema: FeatureCollectionResponse });
}

/**
 * The preview on the server: figures only (the check's overlays, restricted layers rounded for a
 * reader who may not see them), for a reader who may not fetch some layer's features.
 */
export const postSitePreview = (req: SitePreviewRequest, lang: Lang, signal?: AbortSignal): Promise<SitePreviewResponse> =>
  postJson('/api/site-checks/preview', req, { lang, signal, schema: SitePreviewResponse });

/** Runs and files the authoritative site check. Throws ApiError with the server's message on 4xx. */
export const postSiteCheck = (req: SiteCheckRequest, lang: Lang): Promise<SiteCheckReport> =>
  postJson('/api/site-checks', req, { lang, schema: SiteCheckReport });

/**
 * The stock-land match (存量土地套核) for the site's use and area near the site: the panel's
 * stock-first step. A preview: the site check runs its own match and files that one.
 */
export const postStockMatch = (req: StockMatchRequest, lang: Lang, signal?: AbortSignal): Promise<StockMatchResponse> =>
  postJson('/api/stock-parcels/match', req, { lang, signal, schema: StockMatchResponse });
