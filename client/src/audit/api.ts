/**
 * The encroachment-review endpoints (/api/cases…), validated with the contracts the server
 * declares. Failures keep the server's status, code, message (in the user's language) and the
 * fields a 400 names, so a 409 (the case changed since it was loaded) can be told apart.
 * Calls go through http.ts, which adds the session's CSRF token to the changes (a decision, a rectification, an import).
 */
import {
  CaseDetail,
  CaseImportAccepted,
  CaseImportJob,
  CaseListResponse,
  CaseStatsResponse,
  type CaseDecisionRequest,
  type CaseRectificationRequest,
} from '../../../core/contracts/cases.ts';
import { currentSession, getJson, postForm, postJson } from '../http.ts';
import type { Lang } from '../i18n.ts';

/** A failed case call (http.ts's ApiError); `asApiError` makes any failure one. */
export { ApiError as AuditApiError, asApiError } from '../http.ts';

/** Who is signed in (the signed-in auditor decides and imports). */
export interface AuditSession {
  user: { displayName: string; role: string } | null;
}

export const auditSession = (): Promise<AuditSession> =>
  currentSession().then((s) => ({ user: s.user ? { displayName: s.user.displayName || s.user.username, role: s.user.role } : null }));

export const caseApi = {
  /** One page of the filtered queue; `query` is caseApiQuery(filters). */
  list: (query: string, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/cases${query ? `?${query}` : ''}`, { lang, signal, schema: CaseListResponse }),
  detail: (id: number, lang: Lang, signal?: AbortSignal) => getJson(`/api/cases/${id}`, { lang, signal, schema: CaseDetail }),
  /** Records a decision; answers the case as it now is (with the new history entry). */
  decide: (id: number, body: CaseDecisionRequest, lang: Lang) => postJson(`/api/cases/${id}/decisions`, body, { lang, schema: CaseDetail }),
  /** Records a rectification entry (deadline, done and when); answers the case as it now is. */
  rectify: (id: number, body: CaseRectificationRequest, lang: Lang) => postJson(`/api/cases/${id}/rectification`, body, { lang, schema: CaseDetail }),
  stats: (year: number | null, lang: Lang, signal?: AbortSignal) =>
    getJson(`/api/cases/stats${year ? `?year=${year}` : ''}`, { lang, signal, schema: CaseStatsResponse }),
  /** Starts an import job (dry run or commit) for a file; `query` is the import's query string. */
  startImport: (file: File, query: string, lang: Lang) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return postForm(`/api/cases/import?${query}`, form, { lang, schema: CaseImportAccepted });
  },
  importJob: (statusUrl: string, lang: Lang, signal?: AbortSignal) => getJson(statusUrl, { lang, signal, schema: CaseImportJob }),
  /** Commits a finished trial run from the rows it checked (no second upload). */
  commitImport: (jobId: string, includeDuplicates: number[], lang: Lang) =>
    postJson(`/api/cases/import/${jobId}/commit`, { includeDuplicates }, { lang, schema: CaseImportAccepted }),
  /** Stops a running import (or drops a trial run's rows); nothing is written. */
  cancelImport: (jobId: string, lang: Lang) => postJson(`/api/cases/import/${jobId}/cancel`, {}, { lang, schema: CaseImportJob }),
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
