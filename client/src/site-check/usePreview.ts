/**
 * The live preview of the site being drawn, ~300 ms after the site stops changing. A reader who
 * may fetch every checked layer's features (planners, auditors, administrators) previews in the
 * browser: fetch the nearby features in the site's box (reusing what an earlier, larger box
 * fetched) and compute the overlaps with core/preview.ts. A reader who may not fetch some of them
 * (the public, enterprises: the restricted layers answer 401/403) asks the server's preview
 * (POST /api/site-checks/preview) for the figures of every layer instead — the check's own
 * overlays, restricted layers rounded as in the reader's report — one request, one engine.
 */
import { useEffect, useRef, useState } from 'react';
import {
  PREVIEW_LAYERS,
  bboxContains,
  bboxOf,
  bufferSite,
  expandBbox,
  previewSite,
  siteProblem,
  type Bbox,
  type PreviewLayerInput,
  type SiteProblem,
  type SitePreview,
  type SiteShape,
} from '../../../core/preview.ts';
import { ApiError, featuresInBbox, postSitePreview } from './api.ts';
import type { Lang } from '../i18n.ts';

/** Features fetched per layer for a preview (the endpoint allows up to 5 000). */
export const PREVIEW_LIMIT = 2000;
const DEBOUNCE_MS = 300;

/** A preview and where it was computed; the server's rounds restricted layers to `coarseAreaMu` 亩. */
export type ShownPreview = SitePreview & { source: 'client' | 'server'; coarseAreaMu?: number };

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading'; last: ShownPreview | null }
  | { status: 'ready'; preview: ShownPreview }
  | { status: 'invalid'; problem: SiteProblem }
  | { status: 'error'; message: string; code: string };

interface Cached {
  bbox: Bbox;
  input: PreviewLayerInput;
}

/** The box to fetch: the site widened by the buffer and a margin, so small edits reuse it. */
function fetchBox(site: Bbox, bufferMeters: number): Bbox {
  const span = Math.max((site[2] - site[0]) * 111_320 * Math.cos((site[1] * Math.PI) / 180), (site[3] - site[1]) * 111_132);
  return expandBbox(site, bufferMeters + Math.min(500, Math.max(100, span * 0.25)));
}

/**
 * `onServer`: preview on the server (the reader may not fetch some checked layer's features).
 */
export function usePreview(site: SiteShape | null, bufferMeters: number, lang: Lang, onServer = false): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const cache = useRef(new Map<string, Cached>());
  const last = useRef<ShownPreview | null>(null);

  useEffect(() => {
    if (!site) {
      setState({ status: 'idle' });
      return;
    }
    const problem = siteProblem(site);
    if (problem) {
      setState({ status: 'invalid', problem });
      return;
    }
    setState({ status: 'loading', last: last.current });
    const abort = new AbortController();
    const fail = (err: Error) => {
      if (abort.signal.aborted) return;
      setState({ status: 'error', message: err.message, code: err instanceof ApiError ? err.code : 'NETWORK' });
    };
    const timer = setTimeout(() => {
      if (onServer) {
        postSitePreview({ geometry: site, ...(bufferMeters > 0 ? { bufferMeters } : {}) }, lang, abort.signal)
          .then((answer) => {
            if (abort.signal.aborted) return;
            const preview: ShownPreview = { ...answer, source: 'server' };
            last.current = preview;
            setState({ status: 'ready', preview });
          })
          .catch(fail);
        return;
      }
      const box = bboxOf(site);
      const need = expandBbox(box, bufferMeters + 1);
      const wanted = fetchBox(box, bufferMeters);
      const analysed = bufferSite(site, bufferMeters);
      Promise.all(
        PREVIEW_LAYERS.map(async (layerId) => {
          const hit = cache.current.get(layerId);
          if (hit && bboxContains(hit.bbox, need) && !hit.input.truncated) return hit.input;
          const fc = await featuresInBbox(layerId, wanted, PREVIEW_LIMIT, lang, abort.signal);
          const input: PreviewLayerInput = { layerId, features: fc.features, truncated: fc.truncated };
          cache.current.set(layerId, { bbox: wanted, input });
          return input;
        }),
      )
        .then((inputs) => {
          if (abort.signal.aborted) return;
          const preview: ShownPreview = { ...previewSite(site, inputs, { analysed }), source: 'client' };
          last.current = preview;
          setState({ status: 'ready', preview });
        })
        .catch(fail);
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [site, bufferMeters, lang, onServer]);

  return state;
}
