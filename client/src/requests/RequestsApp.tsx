/**
 * 企业找地 (/requests, /requests/new, /requests/{id}): enterprise land requests (docs/domain.md,
 * "Enterprise land requests").
 *
 * - an enterprise lists its requests with how many parcels match and how many are new, files a
 *   new one (use, area range in 亩, county or a point and radius, plot ratio, budget, date, contact)
 *   and sees its matches at once; on a request it marks the new matches seen, answers the
 *   bureau's proposals (accept → the parcel is reserved for it; decline with a reason), or
 *   withdraws it;
 * - bureau staff (planners and above) list every open request with its contact and best match,
 *   and propose a parcel — one of the matches, or any available parcel by its code.
 *
 * The public is sent to the sign-in.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  LAND_REQUEST_STATUS_LABEL,
  LandRequestDetail,
  LandRequestList,
  type LandRequestStatus,
  type LandRequestSummary,
  type Proposal,
  type RequestMatch,
} from '../../../core/contracts/land-requests.ts';
import { PLANNED_USES } from '../../../core/contracts/stock.ts';
import { api } from '../api.ts';
import { signInHref, useSession } from '../auth/SessionBadge.tsx';
import { DASH, beijingTime, formatNumber, formatMu } from '../format.ts';
import { asApiError, getJson, postJson, type ApiError } from '../http.ts';
import { countyName, dataProps, htmlLang, LangContext, langOfSearch, pick, translate, useT, withLang, type Lang } from '../i18n.ts';
import { writeLang } from '../page-shell.ts';
import { StockHeader } from '../stock/common.tsx';
import { valueWord } from '../stock/format.ts';
import '../auth/auth.css';
import '../stock/stock.css';
import '../admin/admin.css';

type County = { code: string; name: string; nameEn?: string };
type Route = { page: 'list' } | { page: 'new' } | { page: 'detail'; id: number };

function routeOf(path: string): Route {
  if (/^\/requests\/new\/?$/.test(path)) return { page: 'new' };
  const m = /^\/requests\/(\d+)\/?$/.exec(path);
  return m ? { page: 'detail', id: Number(m[1]) } : { page: 'list' };
}

const STAFF_ROLES = ['planner', 'auditor', 'admin'];

const range = (min: number | null, max: number | null, unit = '') => {
  const u = unit ? ` ${unit}` : '';
  if (min !== null && max !== null) return min === max ? `${min}${u}` : `${min}–${max}${u}`;
  if (min !== null) return `≥ ${min}${u}`;
  if (max !== null) return `≤ ${max}${u}`;
  return DASH;
};

function StatusWord(props: { status: LandRequestStatus }) {
  const { lang } = useT();
  return (
    <span className={`rq-status rq-status-${props.status}`} data-status={props.status}>
      {pick(LAND_REQUEST_STATUS_LABEL[props.status], lang)}
    </span>
  );
}

/** Where the request looks: its county, its point and radius, or the whole city. */
function whereWords(r: LandRequestSummary, lang: Lang): string {
  const parts: string[] = [];
  if (r.need.county) parts.push(r.need.countyName ? countyName({ name: r.need.countyName, nameEn: r.need.countyNameEn ?? undefined }, lang) : r.need.county);
  if (r.need.near && r.need.radiusKm !== null) parts.push(translate(lang, 'rqWithinKm', { km: r.need.radiusKm, lon: r.need.near[0].toFixed(4), lat: r.need.near[1].toFixed(4) }));
  return parts.length ? parts.join(translate(lang, 'semicolon')) : translate(lang, 'rqWholeCity');
}

function RequestListPage(props: { lang: Lang; staff: boolean }) {
  const { t, lang } = useT();
  const [status, setStatus] = useState<LandRequestStatus | 'all'>(() => (new URLSearchParams(window.location.search).get('status') as LandRequestStatus | 'all' | null) ?? 'open');
  const [list, setList] = useState<LandRequestList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    getJson(`/api/land-requests?status=${status}&pageSize=100`, { lang, signal: ctl.signal, schema: LandRequestList }).then(
      (v) => {
        setList(v);
        setError(null);
      },
      (e) => !ctl.signal.aborted && setError(asApiError(e)),
    );
    return () => ctl.abort();
  }, [status, lang]);
  return (
    <section className="admin-section" data-testid="request-list">
      <h2>{props.staff ? t('rqAllRequests') : t('rqMyRequests')}</h2>
      <p className="rq-toolbar">
        <label>
          {t('rqStatus')}{' '}
          <select data-testid="request-status" value={status} onChange={(e) => setStatus(e.target.value as LandRequestStatus | 'all')}>
            {(['open', 'matched', 'withdrawn'] as const).map((s) => (
              <option key={s} value={s}>
                {pick(LAND_REQUEST_STATUS_LABEL[s], lang)}
              </option>
            ))}
            <option value="all">{t('rqAll')}</option>
          </select>
        </label>{' '}
        {!props.staff && (
          <a className="rq-new-link" href={withLang('/requests/new', lang)} data-testid="request-new">
            {t('rqFileNew')}
          </a>
        )}
      </p>
      {error && (
        <p className="stock-error" role="alert">
          {error.message}
        </p>
      )}
      {list && list.items.length === 0 && <p data-testid="request-none">{props.staff ? t('rqNoneOpen') : t('rqNoneYet')}</p>}
      {list && list.items.length > 0 && (
        <table className="admin-table" data-testid="request-table">
          <thead>
            <tr>
              <th>{t('rqNumber')}</th>
              {props.staff && <th>{t('rqCompany')}</th>}
              <th>{t('rqUse')}</th>
              <th>{t('rqArea')}</th>
              <th>{t('rqWhere')}</th>
              <th>{t('rqMatches')}</th>
              <th>{t('rqBest')}</th>
              <th>{t('rqProposals')}</th>
              <th>{t('rqStatus')}</th>
              <th>{t('rqFiledAt')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((r) => (
              <tr key={r.id} data-request={r.id} data-new={r.newCount}>
                <td>
                  <a href={withLang(`/requests/${r.id}`, lang)}>{t('rqNumbered', { id: r.id })}</a>
                </td>
                {props.staff && (
                  <td>
                    <span {...dataProps(r.need.company)}>{r.need.company}</span>
                    <br />
                    <span className="stock-note" {...dataProps(r.need.contactName)}>
                      {r.need.contactName} {r.need.contactPhone}
                    </span>
                  </td>
                )}
                <td>{valueWord(r.need.use, lang)}</td>
                <td>{range(r.need.areaMinMu, r.need.areaMaxMu, t('unit_mu'))}</td>
                <td>{whereWords(r, lang)}</td>
                <td data-field="matches">
                  {r.matchCount}
                  {r.newCount > 0 && (
                    <>
                      {' '}
                      <span className="rq-new" data-testid="request-new-count">
                        {t('rqNewCount', { n: r.newCount })}
                      </span>
                    </>
                  )}
                </td>
                <td data-field="best">{r.best ? `${r.best.codes.join(' + ')} (${formatMu(r.best.totalArea, lang)})` : DASH}</td>
                <td>{r.pendingProposals > 0 ? t('rqPending', { n: r.pendingProposals }) : r.acceptedParcel ? t('rqAcceptedParcel', { code: r.acceptedParcel }) : DASH}</td>
                <td>
                  <StatusWord status={r.status} />
                </td>
                <td>{beijingTime(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The enterprise's form: what land it needs, and who to call. */
function RequestForm(props: { counties: readonly County[] }) {
  const { t, lang } = useT();
  const [f, setF] = useState<Record<string, string>>({ use: '工业', where: 'county' });
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; error: ApiError }>({ kind: 'idle' });
  const set = (k: string) => (e: { target: { value: string } }) => setF((o) => ({ ...o, [k]: e.target.value }));
  const n = (k: string) => (f[k] !== undefined && f[k] !== '' ? Number(f[k]) : undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'busy' });
    const body = {
      company: f.company ?? '',
      use: f.use,
      areaMinMu: n('areaMinMu'),
      areaMaxMu: n('areaMaxMu'),
      ...(f.where === 'county' && f.county ? { county: f.county } : {}),
      ...(f.where === 'point' ? { near: [n('lon'), n('lat')], radiusKm: n('radiusKm') } : {}),
      plotRatioMin: n('plotRatioMin'),
      plotRatioMax: n('plotRatioMax'),
      budgetWan: n('budgetWan'),
      ...(f.neededBy ? { neededBy: f.neededBy } : {}),
      contactName: f.contactName ?? '',
      contactPhone: f.contactPhone ?? '',
      ...(f.note ? { note: f.note } : {}),
    };
    try {
      const d = await postJson('/api/land-requests', body, { lang, schema: LandRequestDetail });
      window.location.assign(withLang(`/requests/${d.id}`, lang));
    } catch (err) {
      setState({ kind: 'error', error: asApiError(err) });
    }
  };
  const input = (key: string, label: Parameters<typeof t>[0], type = 'text', extra: Record<string, string> = {}) => (
    <label key={key}>
      {t(label)}
      <input name={key} type={type} value={f[key] ?? ''} onChange={set(key)} {...extra} />
    </label>
  );
  return (
    <section className="admin-section" data-testid="request-form-section">
      <h2>{t('rqFileNew')}</h2>
      <p className="stock-note">{t('rqFormHelp')}</p>
      <form className="stock-ledger-form" data-testid="request-form" onSubmit={(e) => void submit(e)}>
        {input('company', 'rqCompany')}
        <label>
          {t('rqUse')}
          <select name="use" value={f.use} onChange={set('use')}>
            {PLANNED_USES.map((u) => (
              <option key={u} value={u}>
                {valueWord(u, lang)}
              </option>
            ))}
          </select>
        </label>
        {input('areaMinMu', 'rqAreaMin', 'number', { step: 'any', min: '0' })}
        {input('areaMaxMu', 'rqAreaMax', 'number', { step: 'any', min: '0' })}
        <label>
          {t('rqWhere')}
          <select name="where" value={f.where} onChange={set('where')}>
            <option value="county">{t('rqByCounty')}</option>
            <option value="point">{t('rqByPoint')}</option>
          </select>
        </label>
        {f.where === 'county' ? (
          <label>
            {t('rqCounty')}
            <select name="county" value={f.county ?? ''} onChange={set('county')}>
              <option value="">{t('rqWholeCity')}</option>
              {props.counties.map((c) => (
                <option key={c.code} value={c.code}>
                  {countyName(c, lang)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <>
            {input('lon', 'rqLon', 'number', { step: 'any' })}
            {input('lat', 'rqLat', 'number', { step: 'any' })}
            {input('radiusKm', 'rqRadius', 'number', { step: 'any', min: '0' })}
          </>
        )}
        {input('plotRatioMin', 'rqPlotRatioMin', 'number', { step: 'any', min: '0' })}
        {input('plotRatioMax', 'rqPlotRatioMax', 'number', { step: 'any', min: '0' })}
        {input('budgetWan', 'rqBudget', 'number', { step: 'any', min: '0' })}
        {input('neededBy', 'rqNeededBy', 'date')}
        {input('contactName', 'rqContactName')}
        {input('contactPhone', 'rqContactPhone', 'tel')}
        {input('note', 'rqNote')}
        <button type="submit" disabled={state.kind === 'busy'} data-testid="request-submit">
          {t('rqSubmit')}
        </button>
        {state.kind === 'error' && (
          <p className="stock-error" role="alert" data-testid="request-error">
            {state.error.message}
          </p>
        )}
      </form>
    </section>
  );
}

function MatchRows(props: { d: LandRequestDetail; onPropose: ((code: string) => void) | null }) {
  const { t, lang } = useT();
  const { d } = props;
  if (d.status !== 'open') return <p>{t('rqClosedNoMatches')}</p>;
  if (d.matches.length === 0) return <p data-testid="request-no-match">{t('rqNoMatch')}</p>;
  return (
    <table className="admin-table" data-testid="request-matches">
      <thead>
        <tr>
          <th>{t('rqRank')}</th>
          <th>{t('rqParcels')}</th>
          <th>{t('rqUse')}</th>
          <th>{t('rqArea')}</th>
          <th>{t('rqPriceTotal')}</th>
          <th>{t('rqScore')}</th>
          {props.onPropose && <th>{t('rqActions')}</th>}
        </tr>
      </thead>
      <tbody>
        {d.matches.map((m: RequestMatch) => (
          <tr key={m.parcels.map((p) => p.code).join('+')} data-codes={m.parcels.map((p) => p.code).join('+')} data-new={m.isNew ? 'true' : 'false'}>
            <td>
              {m.rank}
              {m.isNew && (
                <>
                  {' '}
                  <span className="rq-new">{t('rqNewMatch')}</span>
                </>
              )}
            </td>
            <td>
              {m.parcels.map((p, i) => (
                <span key={p.code}>
                  {i > 0 && ' + '}
                  <a href={withLang(`/stock/${encodeURIComponent(p.code)}`, lang)}>{p.code}</a> <span {...dataProps(p.name)}>{p.name}</span>
                </span>
              ))}
            </td>
            <td>{m.parcels.map((p) => valueWord(p.plannedUse, lang)).join(translate(lang, 'listSep'))}</td>
            <td>{formatMu(m.totalArea, lang)}</td>
            <td>{m.totalPriceWan === null ? t('rqPriceUnknown') : `${formatNumber(m.totalPriceWan, 2)} ${t('rqWan')}`}</td>
            <td>{formatNumber(m.score, 1)}</td>
            {props.onPropose && (
              <td>
                {m.parcels.map((p) => (
                  <button key={p.code} type="button" data-testid="propose-match" data-code={p.code} onClick={() => props.onPropose!(p.code)}>
                    {t('rqProposeThis', { code: p.code })}
                  </button>
                ))}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProposalRow(props: { p: Proposal; d: LandRequestDetail; owner: boolean; act: (url: string, body: object) => Promise<void> }) {
  const { t, lang } = useT();
  const { p, d } = props;
  const [reason, setReason] = useState('');
  const [declining, setDeclining] = useState(false);
  const base = `/api/land-requests/${d.id}/proposals/${p.id}`;
  const decision =
    p.decision === 'accepted' ? (
      <span className="audit-standing audit-standing-ok">{t('rqAccepted')}</span>
    ) : p.decision === 'declined' ? (
      <span>
        {t('rqDeclined')}
        {p.declineReason && (
          <>
            {translate(lang, 'colon')}
            <span {...dataProps(p.declineReason)}>{p.declineReason}</span>
          </>
        )}
      </span>
    ) : (
      t('rqAwaiting')
    );
  return (
    <tr data-proposal={p.id} data-code={p.parcelCode} data-decision={p.decision ?? ''}>
      <td>
        <a href={withLang(`/stock/${encodeURIComponent(p.parcelCode)}`, lang)}>{p.parcelCode}</a>
        {p.parcel && (
          <>
            {' '}
            <span {...dataProps(p.parcel.name)}>{p.parcel.name}</span> · {formatMu(p.parcel.area, lang)} · {valueWord(p.parcel.status, lang)}
          </>
        )}
      </td>
      <td>{p.note ? <span {...dataProps(p.note)}>{p.note}</span> : DASH}</td>
      <td>
        {beijingTime(p.createdAt)}
        {p.proposerName && (
          <>
            <br />
            <span className="stock-note" {...dataProps(p.proposerName)}>
              {p.proposerName}
            </span>
          </>
        )}
      </td>
      <td data-field="decision">
        {decision}
        {props.owner && p.decision === null && d.status === 'open' && (
          <span className="rq-answer">
            <button type="button" data-testid="proposal-accept" onClick={() => void props.act(`${base}/accept`, {})}>
              {t('rqAccept')}
            </button>{' '}
            {!declining ? (
              <button type="button" data-action="cancel" data-testid="proposal-decline" onClick={() => setDeclining(true)}>
                {t('rqDecline')}
              </button>
            ) : (
              <form
                className="rq-decline"
                onSubmit={(e) => {
                  e.preventDefault();
                  void props.act(`${base}/decline`, { reason });
                }}
              >
                <label>
                  {t('rqDeclineReason')} <input name="reason" data-testid="decline-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
                </label>{' '}
                <button type="submit" data-testid="decline-submit">
                  {t('rqDeclineSubmit')}
                </button>
              </form>
            )}
          </span>
        )}
      </td>
    </tr>
  );
}

function RequestDetailPage(props: { id: number; staff: boolean }) {
  const { t, lang } = useT();
  const [d, setD] = useState<LandRequestDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [propose, setPropose] = useState<{ parcelCode: string; note: string }>({ parcelCode: '', note: '' });
  const load = useCallback(() => {
    getJson(`/api/land-requests/${props.id}`, { lang, schema: LandRequestDetail }).then(
      (v) => {
        setD(v);
        setError(null);
      },
      (e) => setError(asApiError(e)),
    );
  }, [props.id, lang]);
  useEffect(load, [load]);
  const act = async (url: string, body: object, done?: string) => {
    try {
      setD(await postJson(url, body, { lang, schema: LandRequestDetail }));
      setError(null);
      setNotice(done ?? null);
    } catch (e) {
      setError(asApiError(e));
      setNotice(null);
    }
  };
  const owner = !props.staff;
  return (
    <>
      <p>
        <a href={withLang('/requests', lang)}>{t('rqBackToList')}</a>
      </p>
      {error && (
        <p className="stock-error" role="alert" data-testid="request-action-error">
          {error.message}
        </p>
      )}
      {notice && (
        <p className="stock-saved" role="status" data-testid="request-notice">
          {notice}
        </p>
      )}
      {d && (
        <>
          <section className="admin-section" data-testid="request-need" data-status={d.status}>
            <h2>
              {t('rqNumbered', { id: d.id })} · <StatusWord status={d.status} />
            </h2>
            <table className="stock-kv">
              <tbody>
                <tr>
                  <th>{t('rqCompany')}</th>
                  <td {...dataProps(d.need.company)}>{d.need.company}</td>
                </tr>
                <tr>
                  <th>{t('rqUse')}</th>
                  <td>{valueWord(d.need.use, lang)}</td>
                </tr>
                <tr>
                  <th>{t('rqArea')}</th>
                  <td>{range(d.need.areaMinMu, d.need.areaMaxMu, t('unit_mu'))}</td>
                </tr>
                <tr>
                  <th>{t('rqWhere')}</th>
                  <td>{whereWords(d, lang)}</td>
                </tr>
                <tr>
                  <th>{t('rqPlotRatio')}</th>
                  <td>{range(d.need.plotRatioMin, d.need.plotRatioMax)}</td>
                </tr>
                <tr>
                  <th>{t('rqBudget')}</th>
                  <td>{d.need.budgetWan === null ? DASH : `${formatNumber(d.need.budgetWan, 2)} ${t('rqWan')}`}</td>
                </tr>
                <tr>
                  <th>{t('rqNeededBy')}</th>
                  <td>{d.need.neededBy ?? DASH}</td>
                </tr>
                <tr>
                  <th>{t('rqContact')}</th>
                  <td {...dataProps(d.need.contactName)}>
                    {d.need.contactName} {d.need.contactPhone}
                  </td>
                </tr>
                {d.need.note && (
                  <tr>
                    <th>{t('rqNote')}</th>
                    <td {...dataProps(d.need.note)}>{d.need.note}</td>
                  </tr>
                )}
                {d.closedReason && (
                  <tr>
                    <th>{t('rqClosedReason')}</th>
                    <td {...dataProps(d.closedReason)}>{d.closedReason}</td>
                  </tr>
                )}
              </tbody>
            </table>
            {owner && d.status === 'open' && (
              <p>
                <button type="button" data-action="cancel" data-testid="request-withdraw" onClick={() => void act(`/api/land-requests/${d.id}/withdraw`, {}, t('rqWithdrawn'))}>
                  {t('rqWithdraw')}
                </button>
              </p>
            )}
          </section>
          <section className="admin-section" data-testid="request-match-section">
            <h2>
              {t('rqMatchesNow')}
              {d.newCount > 0 && (
                <>
                  {' '}
                  <span className="rq-new" data-testid="request-new-count">
                    {t('rqNewCount', { n: d.newCount })}
                  </span>
                </>
              )}
            </h2>
            <p className="stock-note">{t('rqMatchRule')}</p>
            {owner && d.newCount > 0 && (
              <p>
                <button type="button" data-testid="request-seen" onClick={() => void act(`/api/land-requests/${d.id}/seen`, {})}>
                  {t('rqMarkSeen')}
                </button>
              </p>
            )}
            <MatchRows d={d} onPropose={props.staff && d.status === 'open' ? (code) => setPropose((p) => ({ ...p, parcelCode: code })) : null} />
            {props.staff && d.status === 'open' && (
              <form
                className="stock-ledger-form"
                data-testid="propose-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(`/api/land-requests/${d.id}/proposals`, { parcelCode: propose.parcelCode, ...(propose.note ? { note: propose.note } : {}) }, t('rqProposed', { code: propose.parcelCode })).then(() =>
                    setPropose({ parcelCode: '', note: '' }),
                  );
                }}
              >
                <h3>{t('rqProposeTitle')}</h3>
                <label>
                  {t('rqParcelCode')}
                  <input name="parcelCode" value={propose.parcelCode} onChange={(e) => setPropose((p) => ({ ...p, parcelCode: e.target.value }))} />
                </label>
                <label>
                  {t('rqNote')}
                  <input name="note" value={propose.note} onChange={(e) => setPropose((p) => ({ ...p, note: e.target.value }))} />
                </label>
                <button type="submit" data-testid="propose-submit">
                  {t('rqPropose')}
                </button>
              </form>
            )}
          </section>
          <section className="admin-section" data-testid="request-proposals">
            <h2>{t('rqProposalsTitle')}</h2>
            {d.proposals.length === 0 ? (
              <p>{props.staff ? t('rqNoProposalStaff') : t('rqNoProposal')}</p>
            ) : (
              <table className="admin-table">
                <thead>
                  <tr>
                    <th>{t('rqParcel')}</th>
                    <th>{t('rqNote')}</th>
                    <th>{t('rqProposedAt')}</th>
                    <th>{t('rqAnswer')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.proposals.map((p) => (
                    <ProposalRow key={`${p.id}-${p.decision}`} p={p} d={d} owner={owner} act={(url, body) => act(url, body)} />
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}

export function RequestsApp() {
  const [lang, setLang] = useState<Lang>(() => langOfSearch(window.location.search));
  const session = useSession();
  const [counties, setCounties] = useState<County[]>([]);
  const route = routeOf(window.location.pathname);
  useEffect(() => {
    api.counties(lang).then(setCounties, () => setCounties([]));
  }, [lang]);
  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${translate(lang, 'rqTitle')} · ${translate(lang, 'title')}`;
  }, [lang]);
  useEffect(() => {
    if (session && !session.user) window.location.replace(signInHref(lang));
  }, [session, lang]);
  if (!session?.user) return null;
  const staff = STAFF_ROLES.includes(session.user.role);
  const onLang = (next: Lang) => {
    writeLang(next);
    setLang(next);
  };
  return (
    <LangContext.Provider value={lang}>
      <div className="stock-page requests-page">
        <StockHeader title={translate(lang, 'rqTitle')} lang={lang} onLang={onLang} />
        <main className="admin-main">
          {route.page === 'list' && <RequestListPage lang={lang} staff={staff} />}
          {route.page === 'new' &&
            (staff ? (
              <p className="stock-error" role="alert">
                {translate(lang, 'rqEnterprisesOnly')}
              </p>
            ) : (
              <RequestForm counties={counties} />
            ))}
          {route.page === 'detail' && <RequestDetailPage id={route.id} staff={staff} />}
        </main>
      </div>
    </LangContext.Provider>
  );
}
