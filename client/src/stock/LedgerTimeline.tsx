/**
 * A parcel's ledger (台账) on its page: the timeline of its events, oldest first — for the
 * public and enterprises the kind, date and state left; for planners and above every field —
 * and, for planners and above (a bureau's land-supply staff), the form that records the next
 * event. docs/domain.md, "The stock-land ledger".
 */
import { useEffect, useState, type FormEvent } from 'react';
import { DISPOSAL_METHODS, SINGLE_PARCEL_KINDS, STOCK_EVENT_KIND_LABEL, SUPPLY_METHODS, type SingleParcelKind } from '../../../core/ledger.ts';
import { atLeast } from '../../../core/access.ts';
import { StockEventResponse, StockTimeline, type StockEvent } from '../../../core/contracts/ledger.ts';
import { DISPOSAL_METHOD_EN, SUPPLY_METHOD_EN } from '../../../core/vocabulary.ts';
import { useSession } from '../auth/SessionBadge.tsx';
import { asApiError, getJson, postJson, type ApiError } from '../http.ts';
import { dataProps, pick, useT, vocabularyWord, type Lang, type StringKey } from '../i18n.ts';
import { DASH, valueWord } from './format.ts';

const STAFF = atLeast('planner');
const kindWord = (kind: string, lang: Lang) => pick(STOCK_EVENT_KIND_LABEL[kind as SingleParcelKind] ?? { zh: kind, en: kind }, lang);

/** The staff's fields of an event in one line: method, contract, land user, price, project, enterprise, reason. */
function detailsText(e: StockEvent, lang: Lang, t: (k: StringKey) => string): string {
  const d = e.details as Record<string, string | number | undefined>;
  const parts: string[] = [];
  if (typeof d.method === 'string') parts.push(vocabularyWord({ ...SUPPLY_METHOD_EN, ...DISPOSAL_METHOD_EN }, d.method, lang));
  if (d.contractNo) parts.push(`${t('lgContractNo')} ${d.contractNo}`);
  if (d.landUser) parts.push(`${t('lgLandUser')} ${d.landUser}`);
  if (typeof d.priceWan === 'number') parts.push(`${t('lgPrice')} ${d.priceWan} ${t('lgWan')}`);
  if (d.project) parts.push(`${t('lgProject')} ${d.project}`);
  if (d.enterprise) parts.push(`${t('lgEnterprise')} ${d.enterprise}`);
  if (d.reason) parts.push(`${t('lgReason')} ${d.reason}`);
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(lang === 'zh' ? '、' : ', ') : String(v));
  if (d.children) parts.push(`${t('lgSplitInto')} ${list(d.children)}`);
  if (d.parent) parts.push(`${t('lgSplitFrom')} ${d.parent}`);
  if (d.parents) parts.push(`${t('lgMergedFrom')} ${list(d.parents)}`);
  if (d.into) parts.push(`${t('lgMergedInto')} ${d.into}`);
  if (d.note) parts.push(String(d.note));
  return parts.join(lang === 'zh' ? '；' : '; ') || DASH;
}

export function LedgerTimeline(props: { code: string; onChanged: () => void }) {
  const { t, lang } = useT();
  const session = useSession();
  const [timeline, setTimeline] = useState<StockTimeline | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  const staff = !!session?.user && STAFF.includes(session.user.role);

  useEffect(() => {
    const ctl = new AbortController();
    getJson(`/api/stock-parcels/${encodeURIComponent(props.code)}/events`, { lang, signal: ctl.signal, schema: StockTimeline })
      .then((v) => {
        setTimeline(v);
        setError(null);
      })
      .catch((e) => !ctl.signal.aborted && setError(asApiError(e)));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.code, round, session?.user?.id, lang]);

  return (
    <section className="stock-section" data-testid="ledger">
      <h2>{t('lgTitle')}</h2>
      {error && (
        <p className="stock-error" role="alert">
          {t('loadFailed')}
          {error.message}
        </p>
      )}
      {timeline && (
        <>
          <p className="stock-note" data-testid="ledger-recorded-on">{t('lgRecordedOn', { date: timeline.recordedOn })}</p>
          {timeline.events.length === 0 ? (
            <p data-testid="ledger-empty">{t('lgNoEvents')}</p>
          ) : (
            <table className="stock-kv stock-ledger" data-testid="ledger-events" data-full={timeline.full ? 'true' : 'false'}>
              <thead>
                <tr>
                  <th>{t('lgDate')}</th>
                  <th>{t('lgKind')}</th>
                  <th>{t('lgStateAfter')}</th>
                  {timeline.full && (
                    <>
                      <th>{t('lgDocNo')}</th>
                      <th>{t('lgDetails')}</th>
                      <th>{t('lgActor')}</th>
                    </>
                  )}
                </tr>
              </thead>
              <tbody>
                {timeline.events.map((e) => (
                  <tr key={e.id} data-kind={e.kind} data-status={e.statusAfter}>
                    <td>{e.eventDate}</td>
                    <td>{kindWord(e.kind, lang)}</td>
                    <td>
                      {valueWord(e.categoryAfter, lang)} · {valueWord(e.statusAfter, lang)}
                    </td>
                    {timeline.full && 'docNo' in e && (
                      <>
                        <td {...dataProps(e.docNo)}>{e.docNo}</td>
                        <td {...dataProps(detailsText(e, lang, t))}>{detailsText(e, lang, t)}</td>
                        <td {...dataProps(e.actorName)}>{e.actorName}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {staff && (
            <EventForm
              code={props.code}
              onRecorded={() => {
                setRound((r) => r + 1);
                props.onChanged();
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The staff's form: the kind, date and document number, and the fields the kind needs. */
function EventForm(props: { code: string; onRecorded: () => void }) {
  const { t, lang } = useT();
  const [kind, setKind] = useState<SingleParcelKind>('supply');
  const [f, setF] = useState<Record<string, string>>({ eventDate: today(), method: '出让', disposal: DISPOSAL_METHODS[0]! });
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'done' } | { kind: 'error'; error: ApiError }>({ kind: 'idle' });
  const set = (k: string) => (e: { target: { value: string } }) => setF((o) => ({ ...o, [k]: e.target.value }));

  const details = (): Record<string, unknown> => {
    switch (kind) {
      case 'supply':
        return { method: f.method, contractNo: f.contractNo ?? '', landUser: f.landUser ?? '', ...(f.priceWan ? { priceWan: Number(f.priceWan) } : {}) };
      case 'dispose':
        return { method: f.disposal };
      case 'redevelop':
        return { project: f.project ?? '' };
      case 'intent':
        return { enterprise: f.enterprise ?? '' };
      case 'intent-withdrawn':
        return f.reason ? { reason: f.reason } : {};
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'busy' });
    try {
      await postJson(
        `/api/stock-parcels/${encodeURIComponent(props.code)}/events`,
        { kind, eventDate: f.eventDate, docNo: f.docNo ?? '', ...(f.note ? { note: f.note } : {}), details: details() },
        { lang, schema: StockEventResponse },
      );
      setState({ kind: 'done' });
      setF((o) => ({ eventDate: o.eventDate ?? today(), method: o.method ?? '出让', disposal: o.disposal ?? DISPOSAL_METHODS[0]! }));
      props.onRecorded();
    } catch (err) {
      setState({ kind: 'error', error: asApiError(err) });
    }
  };
  const text = (key: string, label: StringKey, type = 'text') => (
    <label key={key}>
      {t(label)}
      <input name={key} type={type} value={f[key] ?? ''} onChange={set(key)} />
    </label>
  );
  return (
    <form className="stock-ledger-form" data-testid="ledger-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('lgRecord')}</h3>
      <label>
        {t('lgKind')}
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as SingleParcelKind)}>
          {SINGLE_PARCEL_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindWord(k, lang)}
            </option>
          ))}
        </select>
      </label>
      {text('eventDate', 'lgDate', 'date')}
      {text('docNo', 'lgDocNo')}
      {kind === 'supply' && (
        <>
          <label>
            {t('lgSupplyMethod')}
            <select name="method" value={f.method} onChange={set('method')}>
              {SUPPLY_METHODS.map((m) => (
                <option key={m} value={m}>
                  {vocabularyWord(SUPPLY_METHOD_EN, m, lang)}
                </option>
              ))}
            </select>
          </label>
          {text('contractNo', 'lgContractNo')}
          {text('landUser', 'lgLandUser')}
          {text('priceWan', 'lgPriceWan', 'number')}
        </>
      )}
      {kind === 'dispose' && (
        <label>
          {t('lgDisposalMethod')}
          <select name="disposal" value={f.disposal} onChange={set('disposal')}>
            {DISPOSAL_METHODS.map((m) => (
              <option key={m} value={m}>
                {vocabularyWord(DISPOSAL_METHOD_EN, m, lang)}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'redevelop' && text('project', 'lgProject')}
      {kind === 'intent' && text('enterprise', 'lgEnterprise')}
      {kind === 'intent-withdrawn' && text('reason', 'lgReason')}
      {text('note', 'lgNote')}
      <button type="submit" disabled={state.kind === 'busy'} data-testid="ledger-submit">
        {t('lgSubmit')}
      </button>
      {state.kind === 'error' && (
        <p className="stock-error" role="alert" data-testid="ledger-error">
          {state.error.message}
        </p>
      )}
      {state.kind === 'done' && (
        <p className="stock-saved" role="status" data-testid="ledger-done">
          {t('lgRecorded')}
        </p>
      )}
    </form>
  );
}
