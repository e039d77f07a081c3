/**
 * The stock-land endpoints, validated with the contracts the server declares (calls through
 * http.ts: failures are ApiErrors keeping the server's status, code, message and fields).
 */
import { StockParcelDetail, StockSearchResponse } from '../../../core/contracts/stock.ts';
import { getJson } from '../http.ts';
import type { Lang } from '../i18n.ts';

/** A failed stock-land call (http.ts's ApiError). */
export { ApiError as StockApiError } from '../http.ts';

export const stockApi = {
  /** One page of the filtered list; `query` is apiQuery(filters). */
  search: (query: string, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/stock-parcels${query ? `?${query}` : ''}`, { lang, signal, schema: StockSearchResponse }),
  detail: (code: string, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/stock-parcels/${encodeURIComponent(code)}`, { lang, signal, schema: StockParcelDetail }),
};

/** Download links of the whole filtered list; `query` is exportQuery(filters). */
export function stockExportLinks(query: string): { xlsx: string; csv: string } {
  const q = query ? `?${query}` : '';
  return { xlsx: `/api/stock-parcels/export.xlsx${q}`, csv: `/api/stock-parcels/export.csv${q}` };
}

/** The parcel page of a code. */
export const parcelPath = (code: string) => `/stock/${encodeURIComponent(code)}`;
