/**
 * A case's rectification (整改) on its page (/audit/cases/{id}): how it stands — not rectified
 * or rectified and when, the deadline set, and against the rule's 31 December of the detection
 * year (core/rectification.ts) — the form an auditor records the next entry with (a deadline,
 * done with its date, or found not done after all; a note, and optionally its document number),
 * and the append-only history. Only a case confirmed illegal (违法占用) is rectified; for any
 * other the section says so.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { beijingToday } from '../../../core/beijing-time.ts';
import type { CaseDetail } from '../../../core/contracts/cases.ts';
import { MAX_RECTIFY_DOC_NO, MAX_RECTIFY_NOTE, RECTIFICATION_STATUS_EN, type RectificationStatus } from '../../../core/rectification.ts';
import { dataProps, pick, useT } from '../i18n.ts';
import { asApiError, caseApi } from './api.ts';
import { DASH, KeyValueTable, WhoWhen, beijingTime, statusWord, type KeyValueRow } from './common.tsx';

export const rectificationWord = (s: RectificationStatus, lang: 'zh' | 'en') => pick({ zh: s, en: RECTIFICATION_STATUS_EN[s] }, lang);

/** 未整改 / 已整改, and 逾期 when its deadline (or the rule's 31 December) has passed undone. */
export function RectificationBadge(props: { r: NonNullable<CaseDetail['rectification']> }) {
  const { t, lang } = useT();
  const { r } = props;
  const key = r.status === '已整改' ? 'done' : r.overdue ? 'overdue' : 'open';
  return (
    <span className={`audit-rectify audit-rectify-${key}`} data-testid="rectification-status" data-status={r.status} data-overdue={r.overdue ? 'true' : 'false'}>
      {rectificationWord(r.status, lang)}
      {key === 'overdue' && ` · ${t('auRectifyOverdue')}`}
    </span>
  );
}

function Summary(props: { c: CaseDetail }) {
  const { t } = useT();
  const r = props.c.rectification!;
  const due = r.status === '已整改' ? (r.inTime ? t('auRectifyInTime', { dueBy: r.dueBy }) : t('auRectifyLate', { dueBy: r.dueBy })) : t('auRectifyDueBy', { dueBy: r.dueBy });
  const rows: KeyValueRow[] = [
    ['status', 'auRectifyStatus', <RectificationBadge r={r} />],
    ['deadline', 'auRectifyDeadline', r.deadline ?? <span className="stock-note">{t('auRectifyNoDeadline')}</span>],
    ['doneOn', 'auRectifyDoneOn', r.doneOn ?? DASH],
    ['dueBy', 'auRectifyRule', <span data-in-time={r.inTime ? 'true' : 'false'}>{due}</span>],
    ['docNo', 'auRectifyDocNo', r.docNo ? <span {...dataProps(r.docNo)}>{r.docNo}</span> : DASH],
    ['note', 'auRectifyNote', r.note ? <span className="audit-comment" {...dataProps(r.note)}>{r.note}</span> : DASH],
    ['updated', 'auRectifyUpdated', <WhoWhen who={r.updatedBy} at={r.updatedAt} />],
  ];
  return <KeyValueTable rows={rows} testid="rectification-summary" />;
}

interface FormValues {
  deadline: string;
  done: boolean;
  doneOn: string;
  docNo: string;
  note: string;
}

const valuesOf = (c: CaseDetail): FormValues => ({
  deadline: c.rectification?.deadline ?? '',
  done: c.rectification?.status === '已整改',
  doneOn: c.rectification?.doneOn ?? '',
  docNo: '',
  note: '',
});

/** The next entry: the state it leaves (deadline, done and when), a note and its document number. */
function RectifyForm(props: { c: CaseDetail; onSaved: (c: CaseDetail) => void }) {
  const { t, lang } = useT();
  const { c } = props;
  const [v, setV] = useState<FormValues>(() => valuesOf(c));
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  // a reloaded or re-decided case starts the form from its own state
  useEffect(() => setV(valuesOf(c)), [c]);
  const today = beijingToday();
  const set = (patch: Partial<FormValues>) => {
    setV((x) => ({ ...x, ...patch }));
    setProblem(null);
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (v.done && !v.doneOn) return setProblem({ field: 'doneOn', message: t('auRectifyNeedDate') });
    if (v.done && v.doneOn > today) return setProblem({ field: 'doneOn', message: t('auRectifyFuture', { today }) });
    if (v.done && v.doneOn < c.detectedOn) return setProblem({ field: 'doneOn', message: t('auRectifyBeforeDetected', { detectedOn: c.detectedOn }) });
    if (v.deadline && v.deadline < c.detectedOn) return setProblem({ field: 'deadline', message: t('auRectifyDeadlineBefore', { detectedOn: c.detectedOn }) });
    if (!v.note.trim()) return setProblem({ field: 'note', message: t('auRectifyNeedNote') });
    setBusy(true);
    try {
      const next = await caseApi.rectify(
        c.id,
        { deadline: v.deadline || null, done: v.done, ...(v.done ? { doneOn: v.doneOn } : {}), docNo: v.docNo.trim() || null, note: v.note.trim() },
        lang,
      );
      setSaved(true);
      props.onSaved(next);
    } catch (err) {
      const ae = asApiError(err);
      const field = ae.code === 'RECTIFY_DATE' ? 'doneOn' : ae.code === 'RECTIFY_DEADLINE' ? 'deadline' : (ae.fields[0] ?? '');
      setProblem({ field, message: ae.message });
    } finally {
      setBusy(false);
    }
  };
  const bad = (f: string) => problem?.field === f || undefined;
  return (
    <form className="audit-decision audit-rectify-form" data-testid="rectify-form" onSubmit={submit} noValidate>
      <div className="audit-rectify-dates">
        <label className="stock-q">
          <span>{t('auRectifyDeadline')}</span>
          <input type="date" name="deadline" value={v.deadline} min={c.detectedOn} aria-invalid={bad('deadline')} onChange={(e) => set({ deadline: e.target.value })} />
        </label>
        <label className="audit-rectify-check">
          <input type="checkbox" name="done" checked={v.done} onChange={(e) => set({ done: e.target.checked, doneOn: e.target.checked ? v.doneOn || today : v.doneOn })} />
          <span>{t('auRectifyMarkDone')}</span>
        </label>
        {v.done && (
          <label className="stock-q">
            <span>{t('auRectifyDoneOn')}</span>
            <input type="date" name="doneOn" value={v.doneOn} min={c.detectedOn} max={today} aria-invalid={bad('doneOn')} onChange={(e) => set({ doneOn: e.target.value })} />
          </label>
        )}
      </div>
      <label className="stock-q">
        <span>{t('auRectifyDocNoOptional')}</span>
        <input type="text" name="docNo" value={v.docNo} maxLength={MAX_RECTIFY_DOC_NO} placeholder={t('auRectifyDocNoPlaceholder')} onChange={(e) => set({ docNo: e.target.value })} />
      </label>
      <label className="stock-q">
        <span>{t('auRectifyNoteRequired')}</span>
        <textarea name="rectifyNote" rows={2} value={v.note} maxLength={MAX_RECTIFY_NOTE} aria-invalid={bad('note')} onChange={(e) => set({ note: e.target.value })} />
      </label>
      {problem && (
        <p className="stock-error" role="alert" data-testid="rectify-problem" data-field={problem.field}>
          {problem.message}
        </p>
      )}
      {saved && c.rectification && (
        <p className="audit-done" role="status" data-testid="rectify-done">
          {t('auRectifyRecorded', { status: rectificationWord(c.rectification.status, lang) })}
        </p>
      )}
      <button type="submit" className="stock-primary" data-testid="rectify" disabled={busy}>
        {busy ? t('auSaving') : t('auRectifySubmit')}
      </button>
    </form>
  );
}

function RectifyHistory(props: { c: CaseDetail }) {
  const { t, lang } = useT();
  const h = props.c.rectificationHistory;
  if (!h.length) return <p className="stock-none" data-testid="rectify-history-none">{t('auRectifyHistoryNone')}</p>;
  return (
    <div className="audit-table-scroll">
      <table className="stock-table audit-history" data-testid="rectify-history">
        <thead>
          <tr>
            <th>{t('auHistAt')}</th>
            <th>{t('auHistActor')}</th>
            <th>{t('auRectifyStatus')}</th>
            <th>{t('auRectifyNote')}</th>
          </tr>
        </thead>
        <tbody>
          {h.map((r) => (
            <tr key={r.id} data-id={r.id} data-status={r.status} data-deadline={r.deadline ?? ''} data-done-on={r.doneOn ?? ''}>
              <td data-field="at" className="audit-nowrap">
                {beijingTime(r.at)}
              </td>
              <td data-field="actor" {...dataProps(r.actor)}>
                {r.actor}
              </td>
              <td data-field="state">
                <span className="audit-nowrap">{rectificationWord(r.status, lang)}</span>
                {r.doneOn && <span className="audit-rectify-line">{t('auRectifyDoneOnShort', { date: r.doneOn })}</span>}
                {r.deadline && <span className="audit-rectify-line">{t('auRectifyDeadlineShort', { date: r.deadline })}</span>}
              </td>
              <td data-field="note" className="audit-comment">
                <span {...dataProps(r.note)}>{r.note}</span>
                {r.docNo && (
                  <span className="audit-rectify-line" {...dataProps(r.docNo)}>
                    {r.docNo}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The section of the case page: summary and form side by side, the history below. */
export function RectificationSection(props: { c: CaseDetail; onSaved: (c: CaseDetail) => void }) {
  const { t, lang } = useT();
  const { c } = props;
  const r = c.rectification;
  return (
    <section className="stock-section" data-testid="rectification" data-status={r?.status ?? ''} data-may-rectify={c.mayRectify ? 'true' : 'false'}>
      <h2>{t('auRectifyTitle')}</h2>
      {!c.mayRectify && <p className="stock-note" data-testid="rectify-not-illegal">{t('auRectifyOnlyIllegal', { status: statusWord(c.status, lang) })}</p>}
      {(r || c.mayRectify) && (
        <div className="stock-parcel-grid">
          <div>
            {r && <Summary c={c} />}
            <p className="stock-note">{t('auRectifyRuleNote')}</p>
          </div>
          {c.mayRectify && <RectifyForm c={c} onSaved={props.onSaved} />}
        </div>
      )}
      {(c.mayRectify || c.rectificationHistory.length > 0) && (
        <>
          <h3 className="audit-subtitle">{t('auRectifyHistory')}</h3>
          <RectifyHistory c={c} />
        </>
      )}
    </section>
  );
}
