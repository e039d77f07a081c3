/**
 * The imagery comparison in the address, so that it stays on as the queue steps from case to
 * case: `imagery=swipe|side`, and the periods `before=<id>&after=<id>` when chosen.
 */
export type CompareMode = 'swipe' | 'side';

export interface ImageryView {
  mode: CompareMode | null;
  before: number | null;
  after: number | null;
}

const id = (v: string | null) => (v && /^\d{1,9}$/.test(v) ? Number(v) : null);

export function readImageryView(search: string): ImageryView {
  const q = new URLSearchParams(search);
  const m = q.get('imagery');
  return { mode: m === 'swipe' || m === 'side' ? m : null, before: id(q.get('before')), after: id(q.get('after')) };
}

/** A query string with the view's parameters set (or removed when it is off). */
export function withImageryView(query: string, view: ImageryView): string {
  const q = new URLSearchParams(query);
  q.delete('imagery');
  q.delete('before');
  q.delete('after');
  if (view.mode) {
    q.set('imagery', view.mode);
    if (view.before) q.set('before', String(view.before));
    if (view.after) q.set('after', String(view.after));
  }
  return q.toString().replace(/%2C/g, ',');
}

/** The current address's view written onto another case's query (next / previous in the queue). */
export const keepImageryView = (query: string): string => withImageryView(query, readImageryView(window.location.search));
