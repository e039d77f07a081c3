/**
 * The encroachment-review endpoints (/api/cases…), validated with the contracts the server
 * declares. Failures keep the server's status, code, message (in the user's language) and the
 * fields a 400 names, so a 409 (the case changed since it was loaded) can be told apart.
 * Changes (a decision, an import) carry the session's CSRF token (session.ts adds it).
 */
import {
  CaseDetail,
  CaseImportAccepted,
  CaseImportJob,
  CaseListResponse,
  CaseStatsResponse,
  type CaseDecisionRequest,
} from '../../../core/contracts/cases.ts';
import type { Lang } from '../i18n.ts';
import { currentSession } from '../session.ts';

export class AuditApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The fields a 400 names, e.g. ['minOverlapMu']. */
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string }[] };
}

const headers = (lang: Lang) => ({ accept: 'application/json', 'accept-language': lang === 'en' ? 'en' : 'zh-CN' });

/** Who is signed in (the signed-in auditor decides and imports). */
export interface AuditSession {
  user: { displayName: string; role: string } | null;
}

export const auditSession = (): Promise<AuditSession> =>
  currentSession().then((s) => ({ user: s.user ? { displayName: s.user.displayName || s.user.username, role: s.user.role } : null }));

/** A call to the case API; the CSRF token is added to changes by session.ts. */
async function call<T>(url: string, init: RequestInit, parse: (body: unknown) => T, lang: Lang): Promise<T> {
  const res = await fetch(url, { ...init, headers: { ...headers(lang), ...(init.headers ?? {}) } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body as ErrorBody | null)?.error;
    const fields = (e?.details ?? []).map((d) => d.field ?? '').filter(Boolean);
    throw new AuditApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `${res.status} ${res.statusText}`, fields);
  }
  return parse(body);
}

/** Any failure as an AuditApiError (network failures get status 0). */
export const asApiError = (e: unknown) => (e instanceof AuditApiError ? e : new AuditApiError(0, 'NETWORK', (e as Error).message));

export const caseApi = {
  /** One page of the filtered queue; `query` is caseApiQuery(filters). */
  list: (query: string, lang: Lang, signal?: AbortSignal) =>
    call(`/api/cases${query ? `?${query}` : ''}`, { signal }, (b) => CaseListResponse.parse(b), lang),
  detail: (id: number, lang: Lang, signal?: AbortSignal) => call(`/api/cases/${id}`, { signal }, (b) => CaseDetail.parse(b), lang),
  /** Records a decision; answers the case as it now is (with the new history entry). */
  decide: (id: number, body: CaseDecisionRequest, lang: Lang) =>
    call(
      `/api/cases/${id}/decisions`,
      { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      (b) => CaseDetail.parse(b),
      lang,
    ),
  stats: (year: number | null, lang: Lang, signal?: AbortSignal) =>
    call(`/api/cases/stats${year ? `?year=${year}` : ''}`, { signal }, (b) => CaseStatsResponse.parse(b), lang),
  /** Starts an import job (dry run or commit) for a file; `query` is the import's query string. */
  startImport: (file: File, query: string, lang: Lang) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return call(`/api/cases/import?${query}`, { method: 'POST', body: form }, (b) => CaseImportAccepted.parse(b), lang);
  },
  importJob: (statusUrl: string, lang: Lang, signal?: AbortSignal) => call(statusUrl, { signal }, (b) => CaseImportJob.parse(b), lang),
};

/** Download links of the whole filtered queue; `query` is caseExportQuery(filters). */
export function caseExportLinks(query: string): { xlsx: string; geojson: string; shp: string } {
  const q = query ? `?${query}` : '';
  return { xlsx: `/api/cases/export.xlsx${q}`, geojson: `/api/cases/export.geojson${q}`, shp: `/api/cases/export.shp.zip${q}` };
}

/** The county table of a year as Excel. */
export const statsExportLink = (year: number) => `/api/cases/stats/export.xlsx?year=${year}`;

/** The case page of an id, following a queue (its query string, language included). */
export const casePath = (id: number, queue = '') => `/audit/cases/${id}${queue ? `?${queue}` : ''}`;
