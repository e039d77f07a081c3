/**
 * The stock-land endpoints, validated with the contracts the server declares. Failures keep
 * the server's status, code, message (in the user's language) and the fields it names.
 */
import { StockParcelDetail, StockSearchResponse } from '../../../core/contracts/stock.ts';
import type { Lang } from '../i18n.ts';

export class StockApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields a 400 names, e.g. ['minArea']. */
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string }[] };
}

async function getJson<T>(url: string, parse: (body: unknown) => T, lang: Lang, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json', 'accept-language': lang === 'en' ? 'en' : 'zh-CN' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body as ErrorBody | null)?.error;
    const fields = (e?.details ?? []).map((d) => d.field ?? '').filter(Boolean);
    throw new StockApiError(res.status, e?.code ?? 'HTTP', e?.message ?? `${res.status} ${res.statusText}`, fields);
  }
  return parse(body);
}

export const stockApi = {
  /** One page of the filtered list; `query` is apiQuery(filters). */
  search: (query: string, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/stock-parcels${query ? `?${query}` : ''}`, (b) => StockSearchResponse.parse(b), lang, signal),
  detail: (code: string, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/stock-parcels/${encodeURIComponent(code)}`, (b) => StockParcelDetail.parse(b), lang, signal),
};

/** Download links of the whole filtered list; `query` is exportQuery(filters). */
export function stockExportLinks(query: string): { xlsx: string; csv: string } {
  const q = query ? `?${query}` : '';
  return { xlsx: `/api/stock-parcels/export.xlsx${q}`, csv: `/api/stock-parcels/export.csv${q}` };
}

/** The parcel page of a code. */
export const parcelPath = (code: string) => `/stock/${encodeURIComponent(code)}`;
