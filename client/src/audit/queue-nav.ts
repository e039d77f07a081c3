/**
 * Next and previous case in a queue, for the case page: where the case stands in the filtered,
 * sorted list (GET /api/cases with the queue's query), and the cases before and after it.
 * The queue's page is a hint: the case is looked for there first, then through the whole
 * list (in pages of 200, up to MAX_SCAN cases). A case the filters no longer select (e.g. just
 * decided, in a queue of pending cases) has no place and no neighbours.
 */
import type { CaseSummary } from '../../../core/contracts/cases.ts';
import type { Lang } from '../i18n.ts';
import { caseApi } from './api.ts';
import { caseApiQuery, type CaseFilters } from './query.ts';

export interface QueueNeighbour {
  id: number;
  code: string;
  /** The queue's page on which it lies (for its own next/previous and the way back). */
  page: number;
}

export interface QueuePlace {
  /** 0-based position of the case in the whole filtered list, or null when the queue does not hold it. */
  index: number | null;
  total: number;
  prev: QueueNeighbour | null;
  next: QueueNeighbour | null;
}

const CHUNK = 200;
export const MAX_SCAN = 2_000;

const neighbour = (c: CaseSummary, index: number, pageSize: number): QueueNeighbour => ({ id: c.id, code: c.code, page: Math.floor(index / pageSize) + 1 });

export async function queuePlace(filters: CaseFilters, id: number, lang: Lang, signal?: AbortSignal): Promise<QueuePlace> {
  const list = (f: CaseFilters) => caseApi.list(caseApiQuery(f), lang, signal);
  /** The case at a 0-based position of the whole list (a page of one). */
  const at = async (index: number, total: number): Promise<CaseSummary | null> => {
    if (index < 0 || index >= total) return null;
    return (await list({ ...filters, page: index + 1, pageSize: 1 })).items[0] ?? null;
  };
  const size = filters.pageSize;
  const hint = await list(filters);
  let found: { index: number; items: CaseSummary[]; offset: number } | null = null;
  const i = hint.items.findIndex((c) => c.id === id);
  if (i !== -1) found = { index: (filters.page - 1) * size + i, items: hint.items, offset: (filters.page - 1) * size };
  for (let offset = 0; !found && offset < Math.min(hint.total, MAX_SCAN); offset += CHUNK) {
    const chunk = await list({ ...filters, page: offset / CHUNK + 1, pageSize: CHUNK });
    const j = chunk.items.findIndex((c) => c.id === id);
    if (j !== -1) found = { index: offset + j, items: chunk.items, offset };
  }
  if (!found) return { index: null, total: hint.total, prev: null, next: null };
  const { index, items, offset } = found;
  const local = (k: number) => items[k - offset] ?? null;
  const prev = local(index - 1) ?? (await at(index - 1, hint.total));
  const next = local(index + 1) ?? (await at(index + 1, hint.total));
  return {
    index,
    total: hint.total,
    prev: prev ? neighbour(prev, index - 1, size) : null,
    next: next ? neighbour(next, index + 1, size) : null,
  };
}
