/** The site check's calls to the server, validated with the contracts the server declares. */
import { FeatureCollectionResponse } from '../../../core/contracts/features.ts';
import { SiteCheckReport, type SiteCheckRequest } from '../../../core/contracts/site-check.ts';
import { StockMatchResponse, type StockMatchRequest } from '../../../core/contracts/stock.ts';
import type { Bbox } from '../../../core/preview.ts';
import type { Lang } from '../i18n.ts';

/** An error the server answered with: its code and its message in the user's language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const headers = (lang: Lang) => ({ accept: 'application/json', 'accept-language': lang === 'en' ? 'en' : 'zh-CN' });

async function readError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? `${res.status} ${res.statusText}`);
}

/** Features of one layer meeting a box, at most `limit` (the answer says when more matched). */
export async function featuresInBbox(layer: string, bbox: Bbox, limit: number, signal?: AbortSignal): Promise<FeatureCollectionResponse> {
  const q = new URLSearchParams({ bbox: bbox.map((v) => v.toFixed(7)).join(','), limit: String(limit) });
  const res = await fetch(`/api/layers/${encodeURIComponent(layer)}/features?${q.toString().replace(/%2C/g, ',')}`, {
    headers: headers('zh'),
    signal,
  });
  if (!res.ok) throw await readError(res);
  return FeatureCollectionResponse.parse(await res.json());
}

/** Runs and files the authoritative site check. Throws ApiError with the server's message on 4xx. */
export async function postSiteCheck(req: SiteCheckRequest, lang: Lang): Promise<SiteCheckReport> {
  const res = await fetch('/api/site-checks', {
    method: 'POST',
    headers: { ...headers(lang), 'content-type': 'application/json' },
    body: JSON.stringify(req),
  });
  if (!res.ok) throw await readError(res);
  return SiteCheckReport.parse(await res.json());
}

/**
 * The stock-land match (存量土地套核) for the site's use and area near the site: the panel's
 * stock-first step. A preview: the site check runs its own match and files that one.
 */
export async function postStockMatch(req: StockMatchRequest, lang: Lang, signal?: AbortSignal): Promise<StockMatchResponse> {
  const res = await fetch('/api/stock-parcels/match', {
    method: 'POST',
    headers: { ...headers(lang), 'content-type': 'application/json' },
    body: JSON.stringify(req),
    signal,
  });
  if (!res.ok) throw await readError(res);
  return StockMatchResponse.parse(await res.json());
}
