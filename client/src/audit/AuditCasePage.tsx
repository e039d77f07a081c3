/**
 * A case (/audit/cases/{id}?<the queue's query>): the polygon over the control layers (the
 * view fitted to it), what it occupies — every permanent-farmland, general-farmland, red-line,
 * urban-boundary and stock-land feature it meets, with the overlapped 亩 — the decision form
 * (only the transitions core/case-status.ts allows; approval number for 合法用地; comment
 * where the rule asks for one; the auditor's name remembered on this computer), the decision
 * history in Beijing time, and next/previous case in the queue it was opened from (buttons,
 * and the keys j/k or n/p).
 *
 * A decision carries the version the page loaded; when someone decided in between, the
 * server answers 409 and the page says so and offers to reload the case, keeping what was typed.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { allowedTransitions, checkDecision, type CaseStatus } from '../../../core/case-status.ts';
import type { CaseDetail } from '../../../core/contracts/cases.ts';
import { getLayer, type LayerId } from '../../../core/layers.ts';
import { vocabularyEn } from '../../../core/vocabulary.ts';
import { dataProps, recordCounty, pick, pickField, translate, useT, type Lang, type StringKey } from '../i18n.ts';
import { AuditApiError, asApiError, auditSession, caseApi, casePath } from './api.ts';
import { AuditMap, CONTROL_LAYERS, auditStyle, geometryBbox } from './audit-map.ts';
import {
  ACTOR_KEY,
  AreaFull,
  AuditHeader,
  DASH,
  DIGITS,
  KeyValueTable,
  Mu,
  SignedInActor,
  StatusBadge,
  beijingTime,
  formatNumber,
  formatShare,
  reviewKey,
  sourceWord,
  statusWord,
  useAuditBase,
  WhoWhen,
  type KeyValueRow,
  type Navigation,
} from './common.tsx';
import { LayerToggles } from './LayerToggles.tsx';
import { casePageQuery, readCaseFilters, type CaseFilters } from './query.ts';
import { queuePlace, type QueuePlace } from './queue-nav.ts';
import { CaseImagery } from '../imagery/CaseImagery.tsx';
import { RectificationSection } from './Rectification.tsx';
import { keepImageryView } from '../imagery/url.ts';

/** An overlapped feature's label: its word (land class, stock category) in the page's language, its name as data. */
function OverlapLabel(props: { f: CaseDetail['overlapFeatures'][number]; lang: Lang }) {
  const { f, lang } = props;
  if (f.labelWord === null && f.labelName === null) return <>{f.label ?? DASH}</>;
  const attribute = getLayer(f.layerId)?.attributes.find((a) => a.name === (f.layerId === 'stock-parcel' ? 'category' : 'land_class_name'));
  const word = f.labelWord === null ? null : lang === 'en' ? (vocabularyEn(attribute?.values, f.labelWord) ?? f.labelWord) : f.labelWord;
  return (
    <>
      {word}
      {word !== null && f.labelName !== null && ' '}
      {f.labelName !== null && <span {...dataProps(f.labelName)}>{f.labelName}</span>}
    </>
  );
}

function Attributes(props: { c: CaseDetail }) {
  const { t, lang } = useT();
  const { c } = props;
  const rows: KeyValueRow[] = [
    ['code', 'auCol_code', <code>{c.code}</code>],
    ['county', 'stCol_county', `${recordCounty(c, lang)}${translate(lang, 'open')}${c.countyCode}${translate(lang, 'close')}`],
    [
      'township',
      'auTownship',
      c.township ? (
        <>
          <span {...dataProps(c.township.name)}>{c.township.name}</span>
          {`${translate(lang, 'open')}${c.township.code}${translate(lang, 'close')}`}
        </>
      ) : (
        <span className="stock-note">{t('auTownshipNone')}</span>
      ),
    ],
    ['source', 'auCol_source', sourceWord(c.source, lang)],
    ['detectedOn', 'auCol_detectedOn', c.detectedOn],
    ['area', 'auCol_areaFull', <AreaFull area={c.area} />],
    ['status', 'auCol_status', <StatusBadge status={c.status} />],
    ['approvalNo', 'auApprovalNo', c.approvalNo ? <span {...dataProps(c.approvalNo)}>{c.approvalNo}</span> : DASH],
    ['decided', 'auDecided', <WhoWhen who={c.decidedBy} at={c.decidedAt} />],
  ];
  return <KeyValueTable rows={rows} testid="case-attributes" />;
}

/** The summary of what the case occupies. */
function Occupation(props: { c: CaseDetail }) {
  const { t } = useT();
  const o = props.c.overlaps;
  const rows: [string, StringKey, ReactNode][] = [
    ['permanentFarmland', 'stPermanentFarmland', <Mu area={o.permanentFarmland} />],
    ['generalFarmland', 'stGeneralFarmland', <Mu area={o.generalFarmland} />],
    ['farmland', 'auFarmlandTotal', <strong><Mu area={o.farmland} /></strong>],
    ['ecoRedline', 'stEcoRedline', <Mu area={o.ecoRedline} />],
    ['stockLand', 'auStockLand', <>{<Mu area={o.stockLand} />}{o.onStockLand ? '' : ` · ${t('auNotOnStock')}`}</>],
    [
      'urbanBoundary',
      'stUrbanBoundary',
      <>
        {t(`auBoundary_${o.urbanBoundaryPosition}` as StringKey)} · {t('stInsideShare', { share: formatShare(o.urbanBoundaryShare) })}
      </>,
    ],
  ];
  return (
    <table className="stock-kv" data-testid="case-occupation">
      <thead>
        <tr>
          <th>{t('stItem')}</th>
          <th>{t('auOverlapMu')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, label, value]) => (
          <tr key={key} data-row={key}>
            <th>{t(label)}</th>
            <td data-field={key}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Which layers' overlaps were recomputed after a new version of that layer, and against which (none: as on import). */
function OverlapsAsOf(props: { c: CaseDetail }) {
  const { t, lang } = useT();
  if (!props.c.overlapsAsOf.length) return null;
  return (
    <ul className="stock-none audit-overlaps-as-of" data-testid="overlaps-as-of">
      {props.c.overlapsAsOf.map((b) => (
        <li key={b.layerId} data-layer={b.layerId} data-version={b.versionNo ?? ''} data-at={b.at}>
          {b.versionNo === null
            ? t('auOverlapsAsOfData', { layer: pickField(b, 'layerName', lang), at: beijingTime(b.at) })
            : t('auOverlapsAsOf', { layer: pickField(b, 'layerName', lang), n: String(b.versionNo), at: beijingTime(b.at) })}
        </li>
      ))}
    </ul>
  );
}

/** Every feature the case overlaps; a hovered row lights the feature on the map. */
function OverlapTable(props: { c: CaseDetail; onHover: (f: { layerId: LayerId; featureId: number } | null) => void }) {
  const { t, lang } = useT();
  const features = props.c.overlapFeatures;
  if (!features.length) return <p className="stock-none" data-testid="overlap-none">{t('auOverlapNone')}</p>;
  return (
    <div className="audit-table-scroll">
      <table className="stock-table audit-overlaps" data-testid="overlap-table">
        <thead>
          <tr>
            <th>{t('scLayer')}</th>
            <th>{t('auFeatureCode')}</th>
            <th>{t('auFeatureLabel')}</th>
            <th className="num">{t('auOverlapMu')}</th>
            <th className="num">{t('auOverlapM2')}</th>
            <th className="num">{t('auShareOfCase')}</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr
              key={`${f.layerId}-${f.featureId}`}
              data-layer={f.layerId}
              data-feature-id={f.featureId}
              onMouseEnter={() => props.onHover({ layerId: f.layerId, featureId: f.featureId })}
              onMouseLeave={() => props.onHover(null)}
            >
              <td data-field="layer">{pickField(f, 'layerName', lang)}</td>
              <td data-field="featureCode">
                <code>{f.featureCode}</code>
              </td>
              <td data-field="label">
                <OverlapLabel f={f} lang={lang} />
              </td>
              <td className="num" data-field="mu" data-value={f.overlapArea.mu}>
                {formatNumber(f.overlapArea.mu, DIGITS.mu)}
              </td>
              <td className="num" data-field="m2" data-value={f.overlapArea.m2}>
                {formatNumber(f.overlapArea.m2, DIGITS.m2)}
              </td>
              <td className="num" data-field="share" data-value={f.shareOfCase}>
                {formatShare(f.shareOfCase)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function History(props: { c: CaseDetail }) {
  const { t, lang } = useT();
  const h = props.c.history;
  if (!h.length) return <p className="stock-none" data-testid="history-none">{t('auHistoryNone')}</p>;
  return (
    <table className="stock-table audit-history" data-testid="history">
      <thead>
        <tr>
          <th>{t('auHistAt')}</th>
          <th>{t('auHistActor')}</th>
          <th>{t('auHistChange')}</th>
          <th>{t('auApprovalNo')}</th>
          <th>{t('auComment')}</th>
        </tr>
      </thead>
      <tbody>
        {h.map((d) => (
          <tr key={d.id} data-id={d.id} data-version={d.version}>
            <td data-field="at" data-value={d.at} className="audit-nowrap">
              {beijingTime(d.at)}
            </td>
            <td data-field="actor" {...dataProps(d.actor)}>
              {d.actor}
            </td>
            <td data-field="change" data-from={d.fromStatus} data-to={d.toStatus} className="audit-nowrap">
              {statusWord(d.fromStatus, lang)} → {statusWord(d.toStatus, lang)}
            </td>
            <td data-field="approvalNo" {...(d.approvalNo ? dataProps(d.approvalNo) : {})}>
              {d.approvalNo ?? DASH}
            </td>
            <td data-field="comment" className="audit-comment" {...(d.comment ? dataProps(d.comment) : {})}>
              {d.comment ?? DASH}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface FormValues {
  status: CaseStatus | '';
  approvalNo: string;
  comment: string;
  actor: string;
}

const readActor = () => {
  try {
    return window.localStorage.getItem(ACTOR_KEY) ?? '';
  } catch {
    return '';
  }
};

/** The decision form: the allowed transitions only, the rule's requirements shown and checked before sending. */
function DecisionForm(props: { c: CaseDetail; onDecided: (c: CaseDetail, from: CaseStatus) => void; onReload: () => Promise<void> }) {
  const { t, lang } = useT();
  const { c } = props;
  const [v, setV] = useState<FormValues>(() => ({ status: '', approvalNo: '', comment: '', actor: readActor() }));
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const [conflict, setConflict] = useState<AuditApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ from: CaseStatus; to: CaseStatus } | null>(null);
  /** The signed-in user's name: the server records it as the auditor, whatever is typed. */
  const [signedIn, setSignedIn] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    void auditSession().then((s) => alive && setSignedIn(s.user?.displayName ?? null));
    return () => {
      alive = false;
    };
  }, []);
  const options = allowedTransitions(c.status);
  const chosen = options.find((o) => o.status === v.status);

  // a reloaded case may allow other transitions
  useEffect(() => {
    if (v.status && !allowedTransitions(c.status).some((o) => o.status === v.status)) setV((x) => ({ ...x, status: '' }));
  }, [c.status, v.status]);

  const set = (patch: Partial<FormValues>) => {
    setV((x) => ({ ...x, ...patch }));
    setProblem(null);
    setDone(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setConflict(null);
    if (!v.status) return setProblem({ field: 'status', message: t('auNeedStatus') });
    const approvalNo = v.status === '合法用地' ? v.approvalNo.trim() : '';
    const verdict = checkDecision({ from: c.status, to: v.status, approvalNo, comment: v.comment });
    if (!verdict.ok) return setProblem({ field: verdict.field, message: pick(verdict, lang) });
    const actor = signedIn ?? v.actor.trim();
    if (!actor) return setProblem({ field: 'actor', message: t('auNeedActor') });
    setBusy(true);
    try {
      const from = c.status;
      const next = await caseApi.decide(c.id, { version: c.version, status: v.status, approvalNo: approvalNo || null, comment: v.comment.trim() || null, actor }, lang);
      if (!signedIn) {
        try {
          window.localStorage.setItem(ACTOR_KEY, actor);
        } catch {
          // private windows may refuse; the name is simply asked again
        }
      }
      setV((x) => ({ ...x, status: '', approvalNo: '', comment: '' }));
      setDone({ from, to: next.status });
      props.onDecided(next, from);
    } catch (err) {
      const ae = asApiError(err);
      if (ae.status === 409) setConflict(ae);
      else {
        const field = ae.code === 'COMMENT_REQUIRED' ? 'comment' : ae.code.startsWith('APPROVAL_NO') ? 'approvalNo' : ae.code === 'TRANSITION_FORBIDDEN' ? 'status' : (ae.fields[0] ?? '');
        setProblem({ field, message: ae.message });
      }
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    setBusy(true);
    try {
      await props.onReload();
      setConflict(null);
    } finally {
      setBusy(false);
    }
  };

  const bad = (f: string) => problem?.field === f || undefined;
  return (
    <form className="audit-decision" data-testid="decision-form" data-version={c.version} onSubmit={submit} noValidate>
      <label className="stock-select">
        <span>{t('auDecision')}</span>
        <select name="status" value={v.status} aria-invalid={bad('status')} onChange={(e) => set({ status: e.target.value as CaseStatus | '' })}>
          <option value="">{t('auChooseStatus')}</option>
          {options.map((o) => (
            <option key={o.status} value={o.status}>
              {statusWord(o.status, lang)}
              {o.status === c.status ? t('auAmend') : ''}
            </option>
          ))}
        </select>
      </label>
      {v.status === '合法用地' && (
        <label className="stock-q">
          <span>{t('auApprovalNoRequired')}</span>
          <input type="text" name="approvalNo" value={v.approvalNo} placeholder={t('auApprovalNoPlaceholder')} {...dataProps(t('auApprovalNoPlaceholder'))} aria-invalid={bad('approvalNo')} maxLength={64} onChange={(e) => set({ approvalNo: e.target.value })} />
        </label>
      )}
      <label className="stock-q">
        <span data-testid="comment-label" data-required={chosen?.needsComment ? 'true' : 'false'}>
          {chosen?.needsComment ? t('auCommentRequired') : t('auCommentOptional')}
        </span>
        <textarea name="comment" rows={3} value={v.comment} aria-invalid={bad('comment')} maxLength={2000} onChange={(e) => set({ comment: e.target.value })} />
      </label>
      {chosen?.needsComment && (
        <p className="stock-note" data-testid="comment-why">
          {c.status === v.status ? t('auWhyAmend') : t('auWhyReopen')}
        </p>
      )}
      {signedIn ? (
        <SignedInActor name={signedIn} as="p" testId="signed-in-actor" />
      ) : (
        <label className="stock-q">
          <span>{t('auActor')}</span>
          <input type="text" name="actor" value={v.actor} aria-invalid={bad('actor')} maxLength={50} autoComplete="name" onChange={(e) => set({ actor: e.target.value })} />
        </label>
      )}
      {problem && (
        <p className="stock-error" role="alert" data-testid="decision-problem" data-field={problem.field}>
          {problem.message}
        </p>
      )}
      {conflict && (
        <div className="stock-error audit-conflict" role="alert" data-testid="decision-conflict">
          <p>
            <strong>{t('auConflictTitle')}</strong>
          </p>
          <p>{conflict.message}</p>
          <button type="button" className="stock-secondary" data-testid="reload-case" onClick={() => void reload()} disabled={busy}>
            {t('auReloadCase')}
          </button>
        </div>
      )}
      {done && (
        <p className="audit-done" role="status" data-testid="decision-done">
          {t('auRecorded', { from: statusWord(done.from, lang), to: statusWord(done.to, lang) })}
        </p>
      )}
      <button type="submit" className="stock-primary" data-testid="decide" disabled={busy}>
        {busy ? t('auSaving') : t('auSubmit')}
      </button>
    </form>
  );
}

/** The case's polygon over the control layers, the view fitted to it. */
function CaseMap(props: { c: CaseDetail; highlight: { layerId: LayerId; featureId: number } | null }) {
  const { t, lang } = useT();
  const { base } = useAuditBase();
  const ref = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<AuditMap | null>(null);
  const [rendered, setRendered] = useState(false);
  const geometry = props.c.geometry as unknown as GeoJSON.Geometry;
  const id = props.c.id;
  useEffect(() => {
    if (!base || !ref.current) return;
    const [w, s, e, n] = geometryBbox(geometry);
    const pad = Math.max(e - w, n - s, 0.002) * 0.6;
    const m = new AuditMap({ container: ref.current, style: auditStyle(base, { visible: [...CONTROL_LAYERS], outline: geometry, lang }), bounds: [w - pad, s - pad, e + pad, n + pad] });
    setMap(m);
    window.yizhangtuAudit = { map: m };
    let alive = true;
    void m.ready.then(() => alive && setRendered(true));
    return () => {
      alive = false;
      if (window.yizhangtuAudit?.map === m) delete window.yizhangtuAudit;
      m.destroy();
      setMap(null);
    };
    // one map per case: a reloaded case keeps its polygon
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, id, lang]);
  useEffect(() => map?.setFeatureHover(props.highlight?.layerId ?? null, props.highlight?.featureId ?? null), [map, props.highlight]);
  return (
    <div className="stock-location audit-case-map">
      <div ref={ref} className="stock-location-map" data-testid="case-map" data-rendered={rendered ? 'true' : 'false'} />
      <div className="stock-legend audit-legend">
        <ul>
          <li>
            <span className="legend-swatch" style={{ background: '#e0313155', borderColor: '#c92a2a' }} />
            {t('auLegendThisCase')}
          </li>
        </ul>
        <LayerToggles layers={CONTROL_LAYERS} initial={CONTROL_LAYERS} map={map} />
      </div>
    </div>
  );
}

/** Previous / next case in the queue, with the place of this one. */
function QueueNav(props: { place: QueuePlace | null; loading: boolean; onGo: (to: 'prev' | 'next') => void }) {
  const { t } = useT();
  const { place } = props;
  return (
    <nav className="audit-queue-nav" data-testid="queue-nav" data-index={place?.index ?? ''} data-total={place?.total ?? ''}>
      <button type="button" className="stock-secondary" data-testid="prev-case" data-id={place?.prev?.id ?? ''} disabled={!place?.prev} onClick={() => props.onGo('prev')} title="k / p">
        ← {t('auPrevCase')}
        {place?.prev ? ` ${place.prev.code}` : ''}
      </button>
      <span className="audit-place" data-testid="queue-place">
        {props.loading ? t('loading') : place?.index === null || !place ? t('auNotInQueue') : t('auPlace', { n: place.index + 1, total: place.total })}
      </span>
      <button type="button" className="stock-secondary" data-testid="next-case" data-id={place?.next?.id ?? ''} disabled={!place?.next} onClick={() => props.onGo('next')} title="j / n">
        {t('auNextCase')}
        {place?.next ? ` ${place.next.code}` : ''} →
      </button>
    </nav>
  );
}

export function AuditCasePage(props: { id: number; lang: Lang; onLang: (l: Lang) => void; nav: Navigation }) {
  const { t, lang } = useT();
  const [queue] = useState<CaseFilters>(() => readCaseFilters(window.location.search));
  const [c, setC] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<AuditApiError | null>(null);
  const [place, setPlace] = useState<QueuePlace | null>(null);
  const [placeLoading, setPlaceLoading] = useState(true);
  const [highlight, setHighlight] = useState<{ layerId: LayerId; featureId: number } | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const d = await caseApi.detail(props.id, lang, signal);
        setC(d);
        setError(null);
      } catch (e) {
        if (!signal?.aborted) setError(asApiError(e));
      }
    },
    // the case is read once; the language only changes the words
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [props.id],
  );

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  // the place in the queue, found once: after a decision that takes the case out of the queue,
  // next and previous stay the cases that were around it
  useEffect(() => {
    const ctl = new AbortController();
    queuePlace(queue, props.id, lang, ctl.signal)
      .then((p) => {
        setPlace(p);
        setPlaceLoading(false);
      })
      .catch(() => !ctl.signal.aborted && setPlaceLoading(false));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queue, props.id]);

  useEffect(() => {
    document.title = c ? `${c.code} · ${translate(lang, 'auTitle')}` : `${translate(lang, 'auCaseTitle')} · ${translate(lang, 'title')}`;
  }, [c, lang]);

  // the address keeps the queue's page where the case was found
  useEffect(() => {
    if (place?.index === null || place?.index === undefined) return;
    const page = Math.floor(place.index / queue.pageSize) + 1;
    if (page === queue.page) return;
    const q = keepImageryView(casePageQuery({ ...queue, page }, lang));
    window.history.replaceState(window.history.state, '', `${window.location.pathname}?${q}`);
  }, [place, queue, lang]);

  const queuePage = place?.index !== null && place?.index !== undefined ? Math.floor(place.index / queue.pageSize) + 1 : queue.page;
  const go = useCallback(
    (to: 'prev' | 'next') => {
      const n = to === 'prev' ? place?.prev : place?.next;
      if (!n) return;
      // the imagery comparison stays as it is: the next case opens with it on
      props.nav.navigate(casePath(n.id, keepImageryView(casePageQuery({ ...queue, page: n.page }, lang))));
    },
    [place, queue, lang, props.nav],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // arrows scroll this page; the letters move through the queue
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Enter') return;
      const key = reviewKey(e);
      if (key === 'next' || key === 'prev') {
        e.preventDefault();
        go(key);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const backQuery = casePageQuery({ ...queue, page: queuePage }, lang);
  const backHref = `/audit${backQuery ? `?${backQuery}` : ''}`;
  return (
    <div className="stock-page stock-parcel-page audit-page">
      <AuditHeader tab={null} lang={props.lang} onLang={props.onLang} nav={props.nav} />
      <div className="stock-parcel-body audit-case-body">
        <div className="audit-case-top">
          <nav className="stock-back">
            <a href={backHref} data-testid="back-to-queue" onClick={props.nav.linkClick(backHref, { selected: props.id })}>
              ← {t('auBackToQueue')}
            </a>
          </nav>
          <QueueNav place={place} loading={placeLoading} onGo={go} />
        </div>
        {error &&
          (error.status === 404 ? (
            <p className="stock-error" role="alert" data-testid="not-found">
              {t('auNotFound', { id: props.id })}
            </p>
          ) : (
            <p className="stock-error" role="alert">
              {t('loadFailed')}
              {error.message}
            </p>
          ))}
        {!c && !error && <p className="loading">{t('loading')}</p>}
        {c && (
          <article data-testid="case" data-id={c.id} data-code={c.code} data-version={c.version} data-status={c.status}>
            <h2 className="stock-parcel-title">
              <code>{c.code}</code> <StatusBadge status={c.status} />
            </h2>
            <div className="stock-parcel-grid">
              <div>
                <section className="stock-section">
                  <h2>{t('auCaseInfo')}</h2>
                  <Attributes c={c} />
                </section>
                <section className="stock-section">
                  <h2>{t('auOccupation')}</h2>
                  <Occupation c={c} />
                </section>
              </div>
              <section className="stock-section">
                <h2>{t('stLocation')}</h2>
                <CaseMap c={c} highlight={highlight} />
              </section>
            </div>
            <section className="stock-section" data-testid="imagery-section">
              <h2>{t('imTitle')}</h2>
              <CaseImagery geometry={c.geometry as unknown as GeoJSON.Geometry} bbox={geometryBbox(c.geometry as unknown as GeoJSON.Geometry)} />
            </section>
            <section className="stock-section">
              <h2>{t('auOverlapTitle')}</h2>
              <OverlapTable c={c} onHover={setHighlight} />
              <OverlapsAsOf c={c} />
            </section>
            <div className="stock-parcel-grid">
              <section className="stock-section">
                <h2>{t('auDecisionTitle')}</h2>
                <DecisionForm c={c} onDecided={(next) => setC(next)} onReload={() => load()} />
              </section>
              <section className="stock-section">
                <h2>{t('auHistory')}</h2>
                <History c={c} />
              </section>
            </div>
            <RectificationSection c={c} onSaved={(next) => setC(next)} />
          </article>
        )}
      </div>
    </div>
  );
}
