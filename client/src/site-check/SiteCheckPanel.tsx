/**
 * The planner's site check (选址套核) in the workspace's side panel: draw or load a site,
 * pick its planned use, see what the stock-land library offers first (存量优先: candidates
 * listed and drawn on the map), then — only then — go on to new land with a reason, run the
 * authoritative check, read the verdicts, re-check the compliant part, open the filed report.
 *
 * The check carries the site's provenance: the parse's for an uploaded site (flagged `edited`
 * once it was changed on the map, or when it is a report's trimmed or repaired site), format
 * 'drawn' for a site drawn on the map.
 *
 * Other features put a site on the map through the panel's handle (React 19 `ref` prop):
 *
 *   const siteCheck = useRef<SiteCheckHandle>(null);
 *   <SiteCheckPanel ref={siteCheck} controller={controller} lang={lang} />
 *   siteCheck.current?.loadSite(parsed.geometry, { name: parsed.name });
 */
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { SiteUpload } from './SiteUpload.tsx';
import { circle } from '@turf/circle';
import type { SiteCheckReport, SiteGeometry, SiteProvenance } from '../../../core/contracts/site-check.ts';
import { drawnProvenance, isApproximate } from '../../../core/provenance.ts';
import { maySeeLayer, type Role } from '../../../core/access.ts';
import { getLayer } from '../../../core/layers.ts';
import { PREVIEW_LAYERS, bboxOf, type SiteShape } from '../../../core/preview.ts';
import {
  NEW_LAND_NOTE_MAX,
  NEW_LAND_REASON_CODES,
  NEW_LAND_REASONS,
  offersFound,
  plannedUseOf,
  radiusText,
  reasonConflict,
  reasonNeedsNote,
  type NewLandReasonCode,
} from '../../../core/stock-first.ts';
import type { MapController } from '../map/controller.ts';
import { pick, useT, type Lang } from '../i18n.ts';
import { ApiError, postSiteCheck } from './api.ts';
import { DrawToolbar } from './DrawToolbar.tsx';
import { PreviewView } from './PreviewView.tsx';
import { ResultView } from './ResultView.tsx';
import { PLANNED_USES, type PlannedUse } from './names.ts';
import { resultOverlay, stockCandidatesOverlay } from './overlay.ts';
import { StockFirstStep } from './StockFirstStep.tsx';
import { usePreview } from './usePreview.ts';
import { useSiteDrawer } from './useSiteDrawer.ts';
import { useStockMatch } from './useStockMatch.ts';

export interface SiteCheckHandle {
  /**
   * Puts a site on the map, ready to check (e.g. parsed from an uploaded file), and moves
   * the view to it. Name and planned use, when given, fill the form (a use such as
   * "工业用地" is read as the planned use it names).
   */
  loadSite(geometry: SiteGeometry, opts?: { name?: string; use?: string; fit?: boolean }): void;
}

type CheckState =
  | { status: 'idle' }
  | { status: 'running'; site: SiteShape; repair: boolean }
  | { status: 'done'; site: SiteShape; report: SiteCheckReport }
  | { status: 'failed'; site: SiteShape; code: string; message: string };

/** Errors the server can get past by repairing the geometry (ST_MakeValid). */
const REPAIRABLE = new Set(['SELF_INTERSECTION', 'INVALID_GEOMETRY']);

const isArea = (g: { type: string }): g is SiteShape => g.type === 'Polygon' || g.type === 'MultiPolygon';

function parseBuffer(text: string): number {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v > 0 ? Math.min(1000, v) : 0;
}

/** Whether a role may fetch every layer the preview measures (else the server previews). */
export const mayFetchPreviewLayers = (role: Role): boolean => PREVIEW_LAYERS.every((id) => maySeeLayer(role, getLayer(id)?.sensitivity ?? 'restricted'));

export function SiteCheckPanel(props: { controller: MapController | null; lang: Lang; role?: Role; ref?: Ref<SiteCheckHandle> }) {
  const { t } = useT();
  const { controller } = props;
  const { drawer, state } = useSiteDrawer(controller);
  const [name, setName] = useState('');
  const [use, setUse] = useState<PlannedUse | ''>('');
  const [buffer, setBuffer] = useState('');
  const bufferMeters = parseBuffer(buffer);
  // the public and enterprises may not fetch the restricted layers' features: the server previews
  const preview = usePreview(state.live, bufferMeters, props.lang, !mayFetchPreviewLayers(props.role ?? 'public'));
  const [check, setCheck] = useState<CheckState>({ status: 'idle' });
  const pending = useRef<{ geometry: SiteShape; fit: boolean } | null>(null);
  // the provenance of each geometry put on the map (an upload, a trimmed or repaired site)
  const provenances = useRef(new WeakMap<object, SiteProvenance>());
  /** What a check of the current site sends as its provenance. */
  const provenanceOf = (site: SiteShape): SiteProvenance => {
    const own = provenances.current.get(site);
    if (own) return own;
    // an edit of a loaded site keeps the file's provenance, flagged
    const p = state.loaded ? provenances.current.get(state.loaded) : undefined;
    return p ? { ...p, edited: true } : drawnProvenance();
  };
  const fillUse = (text: string | undefined) => {
    const u = plannedUseOf(text);
    if (u) setUse(u);
  };

  // 存量优先: the stock-land library for this site and use, before anything about new land
  const stock = useStockMatch(state.site, use, props.lang);
  const match = stock.status === 'ready' ? stock.match : null;
  const found = match ? offersFound(match.tally) : 0;
  // how far the match looked (the server's stock-first radius): the reasons' words follow it
  const radius = match?.need.maxDistanceKm ? radiusText(match.need.maxDistanceKm, props.lang) : null;
  const [reason, setReason] = useState<NewLandReasonCode | ''>('');
  const [note, setNote] = useState('');
  // a new match asks for the reason again; with nothing found, that is the reason
  useEffect(() => {
    setReason(match && offersFound(match.tally) === 0 ? 'none-found' : '');
  }, [match]);
  const noteMissing = reason !== '' && reasonNeedsNote(reason) && !note.trim();
  const reasonRefused = reason !== '' && match ? reasonConflict(reason, match.tally, match.need.maxDistanceKm) : null;
  const reasonReady = reason !== '' && !noteMissing && !reasonRefused;

  const load = (geometry: SiteShape, fit: boolean) => {
    if (!drawer || !controller) {
      pending.current = { geometry, fit };
      return;
    }
    drawer.load(geometry);
    if (fit) controller.fitBox(bboxOf(geometry));
  };

  useImperativeHandle(
    props.ref,
    () => ({
      loadSite(geometry, opts = {}) {
        if (opts.name !== undefined) setName(opts.name);
        if (opts.use !== undefined) fillUse(opts.use);
        load(geometry as SiteShape, opts.fit ?? true);
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [drawer, controller],
  );

  useEffect(() => {
    if (drawer && pending.current) {
      const p = pending.current;
      pending.current = null;
      load(p.geometry, p.fit);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [drawer]);

  // The check belongs to the site it was run on: once the site changes it is no longer shown.
  const current = check.status !== 'idle' && check.site === state.site ? check : null;
  const stale = check.status === 'done' && !current;

  useEffect(() => {
    if (!controller) return;
    controller.setOverlay('result', current?.status === 'done' ? resultOverlay(current.report) : null);
  }, [controller, current]);
  useEffect(() => () => controller?.setOverlay('result', null), [controller]);

  // the stock candidates on the map while the step shows them (gone with the site or the use)
  useEffect(() => {
    if (!controller) return;
    controller.setOverlay('stock', match && match.candidates.length > 0 ? stockCandidatesOverlay(match) : null);
  }, [controller, match]);
  useEffect(() => () => controller?.setOverlay('stock', null), [controller]);

  // a site that crosses itself: mark the crossing on the map (a 25 m red disc)
  const crossing = preview.status === 'invalid' ? preview.problem.at : undefined;
  useEffect(() => {
    if (!controller) return;
    controller.setOverlay(
      'crossing',
      crossing
        ? { type: 'FeatureCollection', features: [{ ...circle(crossing, 25, { units: 'meters', steps: 24 }), properties: { color: '#e03131', fillOpacity: 0.7 } }] }
        : null,
    );
  }, [controller, crossing?.[0], crossing?.[1]]);

  const run = async (site: SiteShape, repair = false) => {
    if (!use || !reason) return;
    setCheck({ status: 'running', site, repair });
    const provenance = provenanceOf(site);
    try {
      const report = await postSiteCheck(
        {
          geometry: site,
          ...(name.trim() ? { name: name.trim() } : {}),
          use,
          stockFirst: { reason, ...(note.trim() ? { note: note.trim() } : {}) },
          ...(bufferMeters > 0 ? { bufferMeters } : {}),
          ...(repair ? { repair: true } : {}),
          provenance,
        },
        props.lang,
      );
      let shown = site;
      // a repaired site replaces the drawn one on the map (undo brings the original back)
      if (report.site.repaired && isArea(report.site.geometry) && drawer) {
        shown = report.site.geometry;
        if (provenance.format !== 'drawn') provenances.current.set(shown, { ...provenance, edited: true });
        drawer.load(shown);
      }
      setCheck({ status: 'done', site: shown, report });
      // the result is read on the map: back to the site checked, whatever the view was
      controller?.fitBox(bboxOf(shown));
    } catch (err) {
      const e = err as Error;
      setCheck({ status: 'failed', site, code: e instanceof ApiError ? e.code : 'NETWORK', message: e.message });
    }
  };

  const rerunTrimmed = (report: SiteCheckReport) => {
    const g = report.trimmed.geometry;
    if (!g || !isArea(g) || !drawer) return;
    // the trimmed site is the filed site changed: its file's provenance, flagged as edited
    if (report.provenance && report.provenance.format !== 'drawn') {
      // the filed provenance as the server signed it again (when it verified it): the signature kept
      const { sourceCheck: _s, verification: _v, ...p } = report.provenance;
      provenances.current.set(g, { ...p, edited: true });
    }
    drawer.load(g);
    void run(g);
  };

  const running = current?.status === 'running';
  const siteProvenance = state.site ? provenanceOf(state.site) : null;
  const canRun = !!state.site && !state.drawing && !running && !!use && !!match && reasonReady;

  return (
    <section className="panel-section site-check" data-testid="site-check">
      <h2>{t('scTitle')}</h2>
      <DrawToolbar
        state={state}
        onTool={(tool) => drawer?.setTool(tool)}
        onUndo={() => drawer?.undo()}
        onClear={() => {
          drawer?.clear();
          setCheck({ status: 'idle' });
          setNote('');
        }}
      />
      <details className="sc-upload" data-testid="sc-upload">
        <summary>{t('uploadTitle')}</summary>
        <SiteUpload
          onSite={(geometry, projectName, fileUse, provenance) => {
            if (!name.trim()) setName(projectName);
            fillUse(fileUse);
            provenances.current.set(geometry, provenance);
            load(geometry as SiteShape, true);
          }}
        />
      </details>
      <div className="sc-form">
        <label>
          <span>{t('scName')}</span>
          <input type="text" name="name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>{t('scUse')}</span>
          <select name="use" value={use} required onChange={(e) => setUse(e.target.value as PlannedUse | '')}>
            <option value="" disabled>
              {t('scUseNone')}
            </option>
            {PLANNED_USES.map((u) => (
              <option key={u} value={u}>
                {t(`scUse_${u}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('scBuffer')}</span>
          <input type="number" name="buffer" min={0} max={1000} step={1} value={buffer} onChange={(e) => setBuffer(e.target.value)} />
        </label>
      </div>
      <StockFirstStep
        state={stock}
        onShow={(c) => {
          // the candidate itself, in the part of the map the panel leaves free (a candidate kilometres
          // away fitted together with the site would be a speck in a corner); the site stays drawn
          if (c.geometry && isArea(c.geometry)) controller?.fitBox(bboxOf(c.geometry));
        }}
      />
      {siteProvenance && isApproximate(siteProvenance) && (
        <p className="sc-warning sc-approximate" data-testid="site-approximate">
          {t('scSiteApproximate')}
        </p>
      )}
      {siteProvenance?.edited && siteProvenance.source && (
        <p className="sc-muted" data-testid="site-edited">
          {t('scSiteEdited')}
        </p>
      )}
      <PreviewView state={preview} bufferMeters={bufferMeters} />
      {match && (
        <div className="nl-section" data-testid="new-land">
          <h3>{t('nlTitle')}</h3>
          <p className="sc-hint" data-testid="new-land-intro">
            {radius
              ? found > 0
                ? t('nlIntroFoundWithin', { n: found, radius })
                : t('nlIntroNoneWithin', { radius })
              : found > 0
                ? t('nlIntroFound', { n: found })
                : t('nlIntroNone')}
          </p>
          <label>
            <span>{t('nlReason')}</span>
            <select name="reason" value={reason} required onChange={(e) => setReason(e.target.value as NewLandReasonCode | '')}>
              <option value="" disabled>
                {t('nlReasonPick')}
              </option>
              {NEW_LAND_REASON_CODES.map((code) => (
                <option key={code} value={code} disabled={code === 'none-found' && found > 0}>
                  {NEW_LAND_REASONS[code][props.lang]}
                  {code === 'none-found' && found > 0 ? (radius ? t('nlNoneFoundDisabledWithin', { radius }) : t('nlNoneFoundDisabled')) : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{reason !== '' && reasonNeedsNote(reason) ? t('nlNoteRequired') : t('nlNoteOptional')}</span>
            <textarea name="note" rows={2} maxLength={NEW_LAND_NOTE_MAX} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          {!reason && <p className="sc-muted">{t('nlReasonNeeded')}</p>}
          {noteMissing && <p className="sc-warning">{t('nlNoteMissing')}</p>}
          {reasonRefused && <p className="sc-warning">{pick(reasonRefused, props.lang)}</p>}
          <button type="button" className="sc-run" data-action="run" disabled={!canRun} onClick={() => state.site && void run(state.site)}>
            {running ? t('scRunning') : t('scRun')}
          </button>
        </div>
      )}
      {current?.status === 'failed' && (
        <div className="sc-error" role="alert" data-testid="site-error" data-code={current.code}>
          <p>
            {t('scCheckFailed')}
            {current.message}
          </p>
          {REPAIRABLE.has(current.code) && (
            <button type="button" className="sc-secondary" data-action="repair" onClick={() => void run(current.site, true)}>
              {t('scRepair')}
            </button>
          )}
        </div>
      )}
      {stale && <p className="sc-muted">{t('scStale')}</p>}
      {current?.status === 'done' && <ResultView report={current.report} busy={false} onRerunTrimmed={() => rerunTrimmed(current.report)} />}
    </section>
  );
}
