/**
 * The live preview of the site being drawn: ~300 ms after the site stops changing, fetch the
 * nearby features of the checked layers in the site's box (reusing what an earlier, larger
 * box fetched), and compute the overlaps with core/preview.ts.
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
import { featuresInBbox } from './api.ts';
import type { Lang } from '../i18n.ts';

/** Features fetched per layer for a preview (the endpoint allows up to 5 000). */
export const PREVIEW_LIMIT = 2000;
const DEBOUNCE_MS = 300;

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading'; last: SitePreview | null }
  | { status: 'ready'; preview: SitePreview }
  | { status: 'invalid'; problem: SiteProblem }
  | { status: 'error'; message: string };

interface Cached {
  bbox: Bbox;
  input: PreviewLayerInput;
}

/** The box to fetch: the site widened by the buffer and a margin, so small edits reuse it. */
function fetchBox(site: Bbox, bufferMeters: number): Bbox {
  const span = Math.max((site[2] - site[0]) * 111_320 * Math.cos((site[1] * Math.PI) / 180), (site[3] - site[1]) * 111_132);
  return expandBbox(site, bufferMeters + Math.min(500, Math.max(100, span * 0.25)));
}

export function usePreview(site: SiteShape | null, bufferMeters: number, lang: Lang): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const cache = useRef(new Map<string, Cached>());
  const last = useRef<SitePreview | null>(null);

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
    const timer = setTimeout(() => {
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
          const preview = previewSite(site, inputs, { analysed });
          last.current = preview;
          setState({ status: 'ready', preview });
        })
        .catch((err: Error) => {
          if (abort.signal.aborted) return;
          setState({ status: 'error', message: err.message });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [site, bufferMeters, lang]);

  return state;
}
